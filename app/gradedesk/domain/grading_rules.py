"""The rule for "this submission needs grading", shared by every view (CLI listings and counts,
the window's filter, badges and review queue)."""

from __future__ import annotations

from gradedesk.domain.progress_values import GradingProgress


def needs_grading(*, has_result: bool, result_score: float | None,
                  draft_grading: GradingProgress | None = None,
                  draft_score: float | None = None) -> bool:
    """Work waiting for a grader: a result the platform holds without a score (Canvas makes one
    when a student submits), or a local change marked PendingManual; a local score settles it,
    and a cleared score puts submitted work back in the queue."""
    if draft_grading is not None:
        if draft_grading is GradingProgress.PENDING_MANUAL:
            return True
        if draft_score is not None:
            return False
        return has_result and draft_grading is not GradingProgress.FULLY_GRADED
    return has_result and result_score is None
