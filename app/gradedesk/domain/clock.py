"""Timezone-aware UTC time and the ISO 8601 forms the wire and the database use."""

from __future__ import annotations

from datetime import UTC, datetime

from gradedesk.domain.errors import InputError


def utc_now() -> datetime:
    """Now, in UTC, to the millisecond (the precision AGS timestamps carry)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO 8601 timestamp that carries an offset; naive times are refused."""
    if not isinstance(text, str):
        raise InputError(f"A timestamp must be text, not {type(text).__name__}.")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not an ISO 8601 timestamp.") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(f"The timestamp {text!r} has no timezone offset.")
    return value


def format_timestamp(value: datetime) -> str:
    """ISO 8601 with milliseconds and an explicit offset, e.g. 2026-03-01T08:00:00.000+00:00."""
    require_aware(value)
    return value.isoformat(timespec="milliseconds")


def require_aware(value: datetime, what: str = "timestamp") -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(f"The {what} {value!r} has no timezone; GradeDesk only uses aware times.")
    return value
