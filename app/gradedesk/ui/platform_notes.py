"""Warnings about what one platform does differently, worded for the window (no Qt)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from gradedesk.domain import GradingProgress
from gradedesk.platforms.profiles import PlatformProfile
from gradedesk.ui.rows import CellKey
from gradedesk.ui.undo_values import CellChange, Field

NAMES_UNAVAILABLE = ("Names are unavailable on this platform; students are shown by user id.")
TYPED_STUDENT_WARNING = ("Not on the roster: the grade is kept for this user id, and the "
                         "platform says at push whether it knows them.")


def fully_graded_warning(profile: PlatformProfile | None, changes: Sequence[CellChange],
                         score_of: Callable[[CellKey], float | None] | None) -> str | None:
    """On a platform that keeps a score only with FullyGraded (Moodle), say so when an edit
    leaves a scored cell with another grading progress. ``score_of`` gives the score a cell
    shows now; without it, any such progress is warned about."""
    if profile is None or not profile.score_needs_fully_graded:
        return None
    typed = {c.key: c.after for c in changes if c.field is Field.SCORE}
    dropped: list[str] = []
    for change in changes:
        if change.field is not Field.GRADING or change.after in (
                None, GradingProgress.FULLY_GRADED, GradingProgress.FULLY_GRADED.value):
            continue
        score = typed[change.key] if change.key in typed else (
            score_of(change.key) if score_of is not None else 0.0)
        if score is not None:
            dropped.append(str(change.after))
    if not dropped:
        return None
    progress = ", ".join(sorted(set(dropped)))
    who = "this score" if len(dropped) == 1 else f"these {len(dropped)} scores"
    return (f"{profile.title} keeps a score only when its grading progress is FullyGraded: "
            f"sent as {progress}, {who} will be dropped by {profile.title}. Queued anyway; "
            "set Grading to FullyGraded to send the score.")
