"""Canvas's additions to AGS: the submission extension on Scores.

Canvas treats every Score POST as a new submission attempt unless told otherwise
(``new_submission`` defaults to true), so a plain grade is sent with ``new_submission: false``;
only a Score with files attaches a new attempt.
"""

from __future__ import annotations

from dataclasses import replace

from gradedesk.domain import CanvasSubmission, LineItem, Score

SUBMISSION_TYPE_EXTENSION = "https://canvas.instructure.com/lti/submission_type"


def with_grading_defaults(score: Score) -> Score:
    """The score to send: unchanged if the caller set the extension, else "just grade"."""
    if score.canvas is not None:
        return score
    return replace(score, canvas=CanvasSubmission(new_submission=False))


def has_files(score: Score) -> bool:
    return bool(score.content_items)


def with_new_column_defaults(item: LineItem) -> LineItem:
    """A column GradeDesk creates is a plain gradebook column: submission type ``none`` (no
    external-tool launch that would try to open GradeDesk), unless the caller chose one."""
    if SUBMISSION_TYPE_EXTENSION in item.extra:
        return item
    return replace(item, extra={**item.extra, SUBMISSION_TYPE_EXTENSION: {"type": "none"}})
