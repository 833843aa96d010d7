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


def _same_fraction(sent_score: float, sent_maximum: float | None, live: ServerCopy) -> bool:
    """The platform may rescale a score to the column's maximum (Moodle does): the same
    fraction of the maximum is the same grade."""
    if _same_number(live.score, sent_score) and (
            live.maximum is None or sent_maximum is None
            or _same_number(live.maximum, sent_maximum)):
        return True
    if live.score is None or not live.maximum or not sent_maximum:
        return False
    return math.isclose(live.score / live.maximum, sent_score / sent_maximum,
                        rel_tol=1e-9, abs_tol=1e-9)


def what_the_platform_kept(sent: Score, live: ServerCopy) -> dict[str, object] | None:
    """After a push landed: None when the read-back holds what was sent, else what the
    platform kept (shown to the grader instead of "Confirmed").

    A sent score must be there (as the same fraction of the maximum); a score left out must
    be gone, unless the Score asked Canvas to keep the grade (``preserve_score``); a sent
    comment must be the result's comment. A comment left out is not checked: Canvas keeps
    the last one, the spec clears it, and neither contradicts the grader.
    """
    preserved = bool(sent.canvas is not None and sent.canvas.preserve_score)
    if sent.score_given is not None:
        score_ok = _same_fraction(sent.score_given, sent.score_maximum, live)
    else:
        score_ok = preserved or live.score is None
    comment_ok = not sent.comment or _same_text(live.comment, sent.comment)
    if score_ok and comment_ok:
        return None
    return {"score": live.score, "maximum": live.maximum, "comment": live.comment}
