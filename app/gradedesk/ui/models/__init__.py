"""Qt item models over data loaded on the store lane (never SQLite from ``data()``)."""
