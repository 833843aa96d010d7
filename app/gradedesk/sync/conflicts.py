"""The decisions behind "without overwriting a colleague's newer grade" and "exactly once".

Pure functions over domain values, so each rule is tested on its own. "A colleague changed
this" is the domain's :func:`server_changed` (pull and push share it); here are the rules of a
push: did an interrupted POST land, and does the read-back hold what was sent.
"""

from __future__ import annotations

import math
from enum import StrEnum

from gradedesk.domain import Score
from gradedesk.domain.server_copy import (
    NOTHING,
    ServerCopy,
    server_changed,
)
from gradedesk.domain.server_copy import same_number as _same_number
from gradedesk.domain.server_copy import same_text as _same_text

__all__ = ["NOTHING", "Landing", "ServerCopy", "did_it_land", "server_changed",
           "what_the_platform_kept"]


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
