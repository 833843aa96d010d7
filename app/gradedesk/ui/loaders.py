"""Store queries and writes the window needs, as plain functions.

Threading contract: everything here runs on the store lane (or the network lane), never on the
GUI thread, and never touches Qt.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from gradedesk.domain import ActivityProgress, ContentItem, GradingProgress, InputError
from gradedesk.store import (
    AuditEntry,
    ConnectionRow,
    Database,
    DraftRow,
    LineItemRow,
    OutboxEntry,
    OutboxState,
    ProgressJob,
    ServerResultRow,
    audit,
    comment_bank,
    drafts,
    grid,
    jobs,
    outbox,
    snapshots,
)
from gradedesk.store import connections as connection_store
from gradedesk.sync.engine import save_grade
from gradedesk.ui.rows import (
    CellKey,
    GradebookData,
    LineItemData,
    StatusCounts,
    Student,
    StudentGrade,
    row_filters,
    student_grade,
    student_of,
    submission_of,
)
from gradedesk.ui.undo_values import CellChange, Field


@dataclass(frozen=True, slots=True)
class Overview:
    """The navigation tree's content: connections and their line items."""

    connections: tuple[ConnectionRow, ...]
    line_items: dict[int, tuple[LineItemRow, ...]]


def load_overview(db: Database) -> Overview:
    found = tuple(connection_store.list_connections(db))
    items = {c.id: tuple(snapshots.list_line_items(db, c.id)) for c in found}
    return Overview(found, items)


def load_counts(db: Database, connection_id: int) -> StatusCounts:
    counted = outbox.counts(db, connection_id)
    return StatusCounts(drafts=len(drafts.list_drafts(db, connection_id)), queued=counted.queued,
                        conflicts=counted.conflict, failed=counted.failed,
                        sending=counted.sending + counted.sent)


def names_available(db: Database, connection_id: int) -> bool:
    """False when the platform gives no names: no one came from a Names and Roles roster
    (only from results, or typed by a grader) and some learner is known by id alone."""
    members = snapshots.list_members(db, connection_id)
    learners = [m for m in members if m.is_learner]
    return not learners or any(m.source == "roster" for m in members) or \
        all(m.named for m in learners)


def load_line_item(db: Database, connection_id: int, line_item_url: str) -> LineItemData:
    line_item = snapshots.get_line_item(db, connection_id, line_item_url)
    if line_item is None:
        raise InputError(f"Unknown line item {line_item_url!r}; pull the connection first.")
    view = grid.line_item_rows(db, connection_id, line_item_url)
    rows = tuple(student_grade(row, member, line_item)
                 for row, member in zip(view.rows, view.members, strict=True))
    return LineItemData(connection_id, line_item, rows)


def load_gradebook(db: Database, connection_id: int) -> GradebookData:
    members = snapshots.list_members(db, connection_id, learners_only=True)
    line_items = tuple(snapshots.list_line_items(db, connection_id))
    cells = grid.gradebook_cells(db, connection_id)
    ids = [item.id for item in line_items]
    filters = {m.user_id: row_filters(m.user_id, ids, cells) for m in members}
    return GradebookData(connection_id, tuple(student_of(m) for m in members), line_items, cells,
                         filters)


def reload_cells(db: Database, connection_id: int,
                 keys: Iterable[CellKey]) -> dict[CellKey, StudentGrade]:
    """Fresh rows for the given cells: one line-item query per touched line item."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for line_item_url, user_id in keys:
        wanted[line_item_url].add(user_id)
    fresh: dict[CellKey, StudentGrade] = {}
    for line_item_url, users in wanted.items():
        try:
            data = load_line_item(db, connection_id, line_item_url)
        except InputError:
            continue  # the line item is gone: nothing to refresh
        for row in data.rows:
            if row.user_id in users:
                fresh[row.key] = row
    return fresh


@dataclass(slots=True)
class SaveOutcome:
    """What saving a batch of cell changes did: fresh rows, per-cell refusals, new counts."""

    rows: dict[CellKey, StudentGrade] = field(default_factory=dict)
    errors: dict[CellKey, str] = field(default_factory=dict)
    counts: StatusCounts = field(default_factory=StatusCounts)


def apply_changes(db: Database, connection: ConnectionRow, changes: Sequence[CellChange], *,
                  undo: bool) -> SaveOutcome:
    """Save (``undo``: roll back) a batch of cell changes as drafts, then reload those cells.

    Undo after a push retracts nothing: when the draft an edit created is gone (confirmed) or
    in flight, undo queues the earlier value as a new edit instead of discarding.
    """
    outcome = SaveOutcome()
    by_cell: dict[CellKey, list[CellChange]] = defaultdict(list)
    for change in changes:
        by_cell[change.key].append(change)
    for key, cell_changes in by_cell.items():
        line_item_url, user_id = key
        try:
            if undo and not any(c.had_draft for c in cell_changes):
                # This edit created the draft: undoing it drops the draft if nothing went out.
                try:
                    if drafts.discard_draft(db, connection.id, line_item_url, user_id):
                        continue
                except InputError:
                    pass  # in flight: queue the earlier value behind it instead
            edit = _draft_edit(cell_changes, undo=undo)
            save_grade(db, connection, line_item_url, user_id, edit)
        except InputError as error:
            outcome.errors[key] = error.user_message
    outcome.rows = reload_cells(db, connection.id, by_cell)
    outcome.counts = load_counts(db, connection.id)
    return outcome


def _draft_edit(changes: Sequence[CellChange], *, undo: bool) -> drafts.DraftEdit:
    values: dict[str, object] = {}
    for change in (reversed(changes) if undo else changes):
        value = change.before if undo else change.after
        if undo and not change.had_draft and change.field in (Field.ACTIVITY, Field.GRADING):
            continue  # there was no draft value to go back to; save_draft derives one
        values[change.field.value] = _typed(change.field, value)
    if Field.ADD_FILE.value in values:
        item = values.pop(Field.ADD_FILE.value)
        if undo:
            values[Field.ATTACHMENTS.value] = item
        else:
            values["add_attachments"] = (item,) if isinstance(item, ContentItem) else ()
    return drafts.DraftEdit(**values)  # type: ignore[arg-type]


def _typed(field: Field, value: object) -> object:
    """Progress values shown in the grid are plain text; the store wants the enums."""
    if field is Field.GRADING and isinstance(value, str):
        return GradingProgress(value)
    if field is Field.ACTIVITY and isinstance(value, str):
        return ActivityProgress(value)
    return value


@dataclass(frozen=True, slots=True)
class CellDetail:
    """Everything the detail panel shows for one cell."""

    key: CellKey
    student: Student
    line_item: LineItemRow
    grade: StudentGrade
    server: ServerResultRow | None
    draft: DraftRow | None
    pushes: tuple[OutboxEntry, ...]
    progress_jobs: tuple[ProgressJob, ...]
    history: tuple[AuditEntry, ...]
    submission_type: str | None
    submission_data: str | None
    submitted_at: str | None


def load_detail(db: Database, connection: ConnectionRow, key: CellKey) -> CellDetail | None:
    line_item_url, user_id = key
    line_item = snapshots.get_line_item(db, connection.id, line_item_url)
    if line_item is None:
        return None
    fresh = reload_cells(db, connection.id, [key]).get(key)
    if fresh is None:
        return None
    server = snapshots.get_result(db, connection.id, line_item_url, user_id)
    draft = drafts.get_draft(db, connection.id, line_item_url, user_id)
    pushes = tuple(e for e in outbox.entries(db, connection.id, line_item_url=line_item_url)
                   if e.user_id == user_id)
    progress = tuple(jobs.jobs_of(db, connection.id, line_item_url=line_item_url,
                                  user_id=user_id))
    history = tuple(audit.history(db, connection_name=connection.name,
                                  line_item_url=line_item_url, user_id=user_id, limit=50))
    extension = submission_of(server.wire if server is not None else None) or {}
    data = extension.get("submission_data")
    return CellDetail(key=key, student=fresh.student, line_item=line_item, grade=fresh,
                      server=server, draft=draft, pushes=pushes, progress_jobs=progress,
                      history=history,
                      submission_type=_text(extension.get("submission_type")),
                      submission_data=_text(data), submitted_at=_text(
                          extension.get("submitted_at")))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True, slots=True)
class ConflictRow:
    """One conflict: my draft beside what the platform holds now."""

    entry_id: int
    key: CellKey
    student: str
    line_item: str
    mine_score: float | None
    mine_comment: str | None
    theirs_score: float | None
    theirs_comment: str | None
    reason: str | None


def load_conflicts(db: Database, connection_id: int) -> tuple[ConflictRow, ...]:
    entries = outbox.entries(db, connection_id, (OutboxState.CONFLICT,))
    if not entries:
        return ()
    names = {m.user_id: m.sort_name for m in snapshots.list_members(db, connection_id)}
    labels = {li.url: li.label for li in snapshots.list_line_items(db, connection_id,
                                                                   include_missing=True)}
    found = []
    for entry in entries:
        draft = drafts.get_draft(db, connection_id, entry.line_item_url, entry.user_id)
        server = snapshots.get_result(db, connection_id, entry.line_item_url, entry.user_id)
        found.append(ConflictRow(
            entry_id=entry.id, key=(entry.line_item_url, entry.user_id),
            student=names.get(entry.user_id, entry.user_id),
            line_item=labels.get(entry.line_item_url, entry.line_item_url),
            mine_score=draft.score_given if draft is not None else None,
            mine_comment=draft.comment if draft is not None else None,
            theirs_score=server.score if server is not None else None,
            theirs_comment=server.comment if server is not None else None,
            reason=entry.last_error))
    return tuple(found)


def load_comment_bank(db: Database, connection_id: int, line_item_url: str) -> tuple[str, ...]:
    return tuple(c.text for c in comment_bank.banked_comments(db, connection_id, line_item_url))


def bank_comment(db: Database, connection_id: int, line_item_url: str,
                 text: str) -> tuple[str, ...]:
    comment_bank.bank_comment(db, connection_id, line_item_url, text)
    return load_comment_bank(db, connection_id, line_item_url)


def students_by_id(data: LineItemData) -> dict[str, Student]:
    return {row.user_id: row.student for row in data.rows}
