"""A grader's change to one field of one cell, with the value before and after (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gradedesk.ui.rows import CellKey


class Field(StrEnum):
    """The draft fields a grader edits; values are ``DraftEdit`` field names."""

    SCORE = "score_given"
    COMMENT = "comment"
    ACTIVITY = "activity_progress"
    GRADING = "grading_progress"
    ATTACHMENTS = "attachments"
    ADD_FILE = "add_file"  # after: a ContentItem; before: the attachments tuple


@dataclass(frozen=True, slots=True)
class CellChange:
    """``had_draft`` is False when the change created the cell's draft: undoing it then
    discards the draft instead of saving the old values as a new one."""

    key: CellKey
    field: Field
    before: object
    after: object
    had_draft: bool
