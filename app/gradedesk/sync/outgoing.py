"""The outgoing Score, built once, at send time, by one pure function.

A draft says what the grader wants the platform to hold; the Score is that plus the per-push
choices (Canvas's submission extension) made here and nowhere else. The engine stores the
exact bytes that go out (``GradebookPlatform.score_payload``) before sending them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from gradedesk.domain import CanvasSubmission, Score
from gradedesk.store.rows import DraftRow


@dataclass(frozen=True, slots=True)
class PushOptions:
    """Per-push Canvas flags. None: GradeDesk decides (see ``outgoing_score``)."""

    prioritize_non_tool_grade: bool | None = None
    preserve_score: bool | None = None


def outgoing_score(draft: DraftRow, options: PushOptions, *, canvas_extensions: bool) -> Score:
    """The Score to send for a draft.

    On Canvas: ``new_submission`` only with files (a correction must not add an attempt); a
    POST that records no score but keeps one (a Pending-like progress with a score) never
    clears the existing grade unless the grader asked (``preserve_score``); a cleared score
    (no scoreGiven) is sent without ``preserve_score`` so that Canvas clears it too.
    """
    score = draft.to_score()
    if not canvas_extensions:
        return replace(score, canvas=None)
    scoring = draft.grading_progress.records_score and draft.score_given is not None
    preserve = options.preserve_score
    if preserve is None and not scoring and draft.base.score is not None \
            and draft.score_given is not None:
        preserve = True
    return replace(score, canvas=CanvasSubmission(
        new_submission=bool(draft.attachments), preserve_score=preserve,
        prioritize_non_tool_grade=options.prioritize_non_tool_grade,
        content_items=draft.attachments))
