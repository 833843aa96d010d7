"""Small helpers shared by the store modules: time and JSON as the database holds them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from gradedesk.domain import format_timestamp, parse_timestamp, utc_now


def db_time(value: datetime) -> str:
    """A datetime as stored: ISO 8601 in UTC with milliseconds and offset (sorts as text)."""
    return format_timestamp(value.astimezone(UTC))


def db_now() -> str:
    """Now, as stored."""
    return db_time(utc_now())


def from_db_time(text: str) -> datetime:
    """A stored timestamp back to an aware datetime."""
    return parse_timestamp(text)


def maybe_time(text: str | None) -> datetime | None:
    """A nullable stored timestamp back to an aware datetime."""
    return None if text is None else parse_timestamp(text)


# One encoder for every call: json.dumps with options builds a new one each time, and a pull
# encodes two values for each of tens of thousands of results.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                              allow_nan=False)


def to_json(value: Any) -> str:
    """Canonical JSON text (sorted keys, no spaces), so equal values give equal text."""
    return _CANONICAL.encode(value)


def from_json(text: str) -> Any:
    """Stored JSON text back to a value."""
    return json.loads(text)


def content_hash(value: Any) -> str:
    """SHA-256 over the canonical JSON of ``value``: equal content, equal hash."""
    import hashlib  # here: a command that only reads never loads OpenSSL

    return hashlib.sha256(to_json(value).encode("utf-8")).hexdigest()
