"""Where GradeDesk keeps its files: ``--data-dir``, else ``GRADEDESK_DATA_DIR``, else the
platform's user data folder (platformdirs), so tests and scripts can point it anywhere."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "GradeDesk"
DATA_DIR_ENV = "GRADEDESK_DATA_DIR"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The data folder to use (not created here; the store creates it owner-only)."""
    if explicit:
        return Path(explicit).expanduser().absolute()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser().absolute()
    import platformdirs  # only here: --data-dir and $GRADEDESK_DATA_DIR do without it

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def log_dir(data: Path) -> Path:
    """Logs sit beside the database, inside the same private folder."""
    return data / "logs"


def sandbox_state_dir() -> Path:
    """Where the built-in sandbox keeps its demo key when the app starts it."""
    import platformdirs

    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)) / "sandbox"
