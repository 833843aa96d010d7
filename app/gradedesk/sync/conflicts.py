"""The decisions behind "without overwriting a colleague's newer grade" and "exactly once".

Pure functions over domain values, so each rule is tested on its own. Canvas's Result carries no
updated_at, so a server change is seen in what a grader can see: the score, the maximum and the
comment (LTIAAS adds a timestamp, used when present).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from gradedesk.domain import Result, Score


@dataclass(frozen=True, slots=True)
class ServerCopy:
    """What a draft was based on (or what the server holds now) for one student and item."""

    score: float | None
    maximum: float | None
    comment: str | None
    timestamp: str | None = None  # ISO text when the platform gives one (LTIAAS)

    @classmethod
    def of(cls, result: Result | None) -> ServerCopy:
        if result is None:
            return cls(None, None, None, None)
        stamp = result.timestamp.isoformat() if result.timestamp else None
        return cls(result.result_score, result.result_maximum, result.comment, stamp)


def _same_number(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _same_text(a: str | None, b: str | None) -> bool:
    return (a or "") == (b or "")


def server_changed(base: ServerCopy, live: ServerCopy) -> bool:
    """True when someone changed the result since the draft's base copy was fetched."""
    if base.timestamp and live.timestamp and base.timestamp != live.timestamp:
        return True
    return not (_same_number(base.score, live.score)
                and _same_number(base.maximum, live.maximum)
                and _same_text(base.comment, live.comment))


class Landing(StrEnum):
    LANDED = "landed"
    NOT_LANDED = "not_landed"


def did_it_land(sent: Score, before: ServerCopy, live: ServerCopy) -> Landing:
    """After a crash or a lost reply: did the POST of ``sent`` reach the platform?

    ``before`` is the server copy when the POST was prepared, ``live`` the one read back now.
    A comment is the strongest sign: Canvas keeps the last tool comment on the Result. Without
    a comment, the score tells; if the score also equals what was there before, re-sending is
    harmless (no comment to duplicate; ``new_submission: false`` adds no attempt), so "not
    landed" is the safe answer only when a re-send cannot duplicate anything.
    """
    if sent.comment:
        if _same_text(live.comment, sent.comment) and not _same_text(before.comment,
                                                                      sent.comment):
            return Landing.LANDED
        if _same_text(before.comment, sent.comment) and _same_text(live.comment, sent.comment):
            # The same comment was already there: a re-send would add it twice.
            return Landing.LANDED
        return Landing.NOT_LANDED
    if sent.grading_progress.records_score and sent.score_given is not None:
        return Landing.LANDED if _same_number(live.score, sent.score_given) \
            and _same_number(live.maximum, sent.score_maximum) else Landing.NOT_LANDED
    if live != before:
        return Landing.LANDED
    return Landing.NOT_LANDED
