"""The immutable values the table models show, built on the store lane from store rows.

Everything a cell displays is computed here, once per load, so ``data()`` on the GUI thread is a
field lookup: a 2,000 x 60 gradebook never queries SQLite while it paints.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from gradedesk.domain import CANVAS_SUBMISSION_EXTENSION, GradingProgress, is_above_maximum
from gradedesk.domain.names import PersonNames
from gradedesk.store import GradeRow, LineItemRow, MemberRow, SyncState
from gradedesk.store.grid import Cell
from gradedesk.sync.read_model import StatusCounts as StatusCounts  # what `status` prints
from gradedesk.sync.read_model import names_of

CellKey = tuple[str, str]  # (line item URL, user id)


class RowFilter(StrEnum):
    ALL = "all"
    PENDING_MANUAL = "pending_manual"
    UNGRADED = "ungraded"
    HAS_DRAFT = "has_draft"
    CONFLICT = "conflict"
    FAILED = "failed"
    REFUSED = "refused"


FILTER_LABELS = {
    RowFilter.ALL: "All students",
    RowFilter.PENDING_MANUAL: "Needs grading",
    RowFilter.UNGRADED: "No score yet",
    RowFilter.HAS_DRAFT: "Has a local change",
    RowFilter.CONFLICT: "Conflicts",
    RowFilter.FAILED: "Failed to send (retried)",
    RowFilter.REFUSED: "Refused by the platform",
}

# What an empty filter result says in the grid, by state filter ("No one needs grading here").
NOBODY_LEFT = {
    RowFilter.ALL: "No students here yet",
    RowFilter.PENDING_MANUAL: "No one needs grading here",
    RowFilter.UNGRADED: "Everyone has a score here",
    RowFilter.HAS_DRAFT: "No local changes here",
    RowFilter.CONFLICT: "No conflicts here",
    RowFilter.FAILED: "Nothing failed to send here",
    RowFilter.REFUSED: "Nothing was refused here",
}

# The AGS progress values as a grader says them (the raw value stays in the tooltip). Words are
# unique per kind, so a typed or pasted word is read back as its value.
GRADING_WORDS = {
    "FullyGraded": "Graded",
    "Pending": "Grade pending",
    "PendingManual": "Needs grading",
    "Failed": "Grading failed",
    "NotReady": "Not submitted",
}
ACTIVITY_WORDS = {
    "Initialized": "Not started",
    "Started": "Started",
    "InProgress": "In progress",
    "Submitted": "Submitted",
    "Completed": "Completed",
}
NO_RESULT_WORD = "Not submitted"  # the platform holds no result for the student


def grading_word(value: str) -> str:
    """A gradingProgress value in words ("" means no result: not submitted)."""
    return GRADING_WORDS.get(value, value) if value else NO_RESULT_WORD


def activity_word(value: str, has_result: bool) -> str:
    """An activityProgress value in words ("" and no result: not submitted; "" with a result:
    the platform did not say)."""
    if value:
        return ACTIVITY_WORDS.get(value, value)
    return "—" if has_result else NO_RESULT_WORD


def progress_tip(kind: str, value: str) -> str:
    """The tooltip that keeps the raw AGS value beside its word."""
    if not value:
        return "No result on the platform yet."
    return f"AGS {kind}: {value}"


SUBMISSION_TYPES = {
    "online_text_entry": "Text entry",
    "online_upload": "File upload",
    "online_url": "Website URL",
    "external_tool": "External tool",
    "basic_lti_launch": "External tool",
    "media_recording": "Media recording",
    "none": "No submission",
}


ANONYMOUS_WORD = "Student"  # hidden names read "Student 17"


@dataclass(frozen=True, slots=True)
class Student:
    user_id: str
    name: str  # as listed ("Family, Given", or what privacy settings leave)
    section: str | None
    names: PersonNames  # every way a grader may name them (the filter's rule)
    # The number "Hide names" shows ("Student 17"): the student's place among the course's
    # learners ordered by user id (see anonymous_numbers); 0 when not known.
    number: int = 0

    @property
    def anonymous_name(self) -> str:
        return f"{ANONYMOUS_WORD} {self.number}" if self.number else f"{ANONYMOUS_WORD} ?"

    def shown_name(self, names_hidden: bool) -> str:
        """The name the window shows: the real one, or "Student 17" while names are hidden."""
        return self.anonymous_name if names_hidden else self.name


def anonymous_numbers(user_ids: Iterable[str]) -> dict[str, int]:
    """Each learner's number for "Hide names": 1 + their place among the learners ordered by
    user id. The same learners give the same numbers in every view and every session, and
    user ids say nothing of names, so the order reveals no one (an alphabetical one would)."""
    return {user_id: place for place, user_id in enumerate(sorted(set(user_ids)), start=1)}


@dataclass(frozen=True, slots=True)
class StudentGrade:
    """One student's cell in one line item, merged from server copy, draft and outbox."""

    line_item_url: str
    line_item_id: int
    student: Student
    score: float | None
    maximum: float | None
    server_comment: str | None  # the platform's last comment
    new_comment: str | None  # the draft's comment, to be added on the next push
    activity: str  # ActivityProgress value, "" when unknown
    grading: str  # GradingProgress value, "" when there is no result
    submission: str  # short description, "" when none
    state: SyncState
    has_draft: bool
    has_server_result: bool
    pending_manual: bool
    problem: str | None  # why the last push failed or conflicted
    attachments: int  # files on the draft

    @property
    def key(self) -> CellKey:
        return (self.line_item_url, self.student.user_id)

    @property
    def user_id(self) -> str:
        return self.student.user_id

    @property
    def shown_comment(self) -> str | None:
        return self.new_comment or self.server_comment

    @property
    def above_maximum(self) -> bool:
        """Extra credit: legal, marked on the cell."""
        return is_above_maximum(self.score, self.maximum)


def submission_of(wire: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """Canvas's submission extension on a result's wire form, when there is one."""
    if not wire:
        return None
    value = wire.get(CANVAS_SUBMISSION_EXTENSION)
    return value if isinstance(value, Mapping) else None


def describe_submission(extension: Mapping[str, Any] | None) -> str:
    if extension is None:
        return ""
    kind = extension.get("submission_type")
    if not isinstance(kind, str) or not kind:
        return "Submitted" if extension.get("submission_data") else ""
    return SUBMISSION_TYPES.get(kind, kind.replace("_", " ").capitalize())


def student_of(member: MemberRow, number: int = 0) -> Student:
    return Student(member.user_id, member.sort_name, member.section, names_of(member), number)


_PROBLEM_STATES = frozenset({SyncState.CONFLICT, SyncState.FAILED, SyncState.REFUSED})


def student_grade(row: GradeRow, member: MemberRow, line_item: LineItemRow,
                  number: int = 0) -> StudentGrade:
    """Merge one store row into what the line-item table shows (``number``: the student's
    anonymous number)."""
    server, draft = row.server, row.draft
    extension = submission_of(server.wire if server is not None else None)
    if draft is not None:
        activity = draft.activity_progress.value
        grading = draft.grading_progress.value
        maximum = draft.score_maximum or line_item.score_maximum
    else:
        # Canvas's Result has no progress fields: derive what a grader would see in Canvas.
        if server is None:
            activity, grading = "", ""
        elif server.score is None:
            activity = "Submitted" if extension is not None else ""
            grading = GradingProgress.PENDING_MANUAL.value
        else:
            activity = "Completed"
            grading = GradingProgress.FULLY_GRADED.value
        maximum = (server.maximum if server is not None and server.maximum is not None
                   else line_item.score_maximum)
    score = row.shown_score
    pending_manual = row.needs_grading  # the one rule (domain.grading_rules), as the CLI
    submission = describe_submission(extension)
    if draft is not None and draft.attachments:
        files = f"{len(draft.attachments)} file{'s' if len(draft.attachments) > 1 else ''}"
        submission = f"{submission} + {files}" if submission else files
    problem = row.outbox.last_error if row.outbox is not None else None
    return StudentGrade(
        line_item_url=row.line_item_url, line_item_id=row.line_item_id,
        student=student_of(member, number), score=score, maximum=maximum,
        server_comment=server.comment if server is not None else None,
        new_comment=draft.comment if draft is not None else None,
        activity=activity, grading=grading, submission=submission, state=row.state,
        has_draft=draft is not None, has_server_result=server is not None,
        pending_manual=pending_manual,
        problem=problem if row.state in _PROBLEM_STATES else None,
        attachments=len(draft.attachments) if draft is not None else 0)


def cell_of(grade: StudentGrade) -> Cell:
    """The gradebook's brief cell for a line-item row (after an edit reloads one line item)."""
    return Cell(grade.score, grade.state, grade.has_server_result, grade.pending_manual)


@dataclass(frozen=True, slots=True)
class LineItemData:
    """One line item's rows, in roster order."""

    connection_id: int
    line_item: LineItemRow
    rows: tuple[StudentGrade, ...]


@dataclass(frozen=True, slots=True)
class GradebookData:
    """Every learner x every line item of a connection, as compact cells."""

    connection_id: int
    students: tuple[Student, ...]
    line_items: tuple[LineItemRow, ...]
    cells: Mapping[tuple[int, str], Cell]  # (line item id, user id)
    row_filters: Mapping[str, frozenset[RowFilter]]  # per user: the filters their row meets


_DRAFT_STATES = frozenset({SyncState.EDITED, SyncState.QUEUED, SyncState.SENDING,
                           SyncState.CONFLICT, SyncState.FAILED, SyncState.REFUSED})


def cell_filters(cell: Cell | None) -> set[RowFilter]:
    """The state filters one gradebook cell meets (a row meets those of any of its cells)."""
    if cell is None:
        return {RowFilter.UNGRADED}
    found: set[RowFilter] = set()
    if cell.score is None:
        found.add(RowFilter.UNGRADED)
        if cell.has_server_result:
            found.add(RowFilter.PENDING_MANUAL)  # a result without a score: awaiting a grader
    if cell.state in _DRAFT_STATES:
        found.add(RowFilter.HAS_DRAFT)
    if cell.state is SyncState.CONFLICT:
        found.add(RowFilter.CONFLICT)
    if cell.state is SyncState.FAILED:
        found.add(RowFilter.FAILED)
    if cell.state is SyncState.REFUSED:
        found.add(RowFilter.REFUSED)
    return found


def row_filters(user_id: str, line_item_ids: Sequence[int],
                cells: Mapping[tuple[int, str], Cell]) -> frozenset[RowFilter]:
    found: set[RowFilter] = set()
    for line_item_id in line_item_ids:
        found |= cell_filters(cells.get((line_item_id, user_id)))
    return frozenset(found)
