"""What the platform holds for one cell, and the one rule for "a colleague changed this".

Pull (the store, when it stores a new server copy) and push (the engine, before it sends) both
ask :func:`server_changed` about :class:`ServerCopy` values, so the two can never disagree.
Canvas's Result has no time; platforms that give one (LTIAAS) have it compared too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from gradedesk.domain.clock import parse_timestamp
from gradedesk.domain.errors import InputError
from gradedesk.domain.models import Result


def _time(text: str | datetime | None) -> datetime | None:
    if text is None or isinstance(text, datetime):
        return text
    try:
        return parse_timestamp(text)
    except InputError:
        return None


@dataclass(frozen=True, slots=True)
class ServerCopy:
    """A result as a grader sees it: score, maximum, comment, and its time when given."""

    score: float | None
    maximum: float | None
    comment: str | None
    timestamp: datetime | None = None

    @classmethod
    def of(cls, result: Result | None) -> ServerCopy:
        if result is None:
            return cls(None, None, None, None)
        return cls(result.result_score, result.result_maximum, result.comment,
                   result.timestamp)

    @classmethod
    def stored(cls, score: float | None, maximum: float | None, comment: str | None,
               timestamp: str | datetime | None) -> ServerCopy:
        """From stored columns (times as the database keeps them)."""
        return cls(score, maximum, comment, _time(timestamp))


NOTHING = ServerCopy(None, None, None, None)


def same_number(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def same_text(a: str | None, b: str | None) -> bool:
    return (a or "") == (b or "")


def server_changed(base: ServerCopy, live: ServerCopy) -> bool:
    """True when someone changed the result since ``base`` was fetched: a different score,
    maximum or comment, or (where the platform gives one) a different time."""
    if base.timestamp and live.timestamp and base.timestamp != live.timestamp:
        return True
    return not (same_number(base.score, live.score)
                and same_number(base.maximum, live.maximum)
                and same_text(base.comment, live.comment))
