"""Store queries and writes the window needs, as plain functions.

Threading contract: everything here runs on the store lane (or the network lane), never on the
GUI thread, and never touches Qt.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from gradedesk.domain import InputError
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
    comment_thread,
    drafts,
    grid,
    holds,
    jobs,
    outbox,
    snapshots,
)
from gradedesk.store import connections as connection_store
from gradedesk.sync import read_model
from gradedesk.ui.rows import (
    CellKey,
    GradebookData,
    LineItemData,
    StatusCounts,
    Student,
    StudentGrade,
    anonymous_numbers,
    row_filters,
    student_grade,
    student_of,
    submission_of,
)
from gradedesk.ui.thread_lines import ThreadLine, thread_lines


@dataclass(frozen=True, slots=True)
class Overview:
    """The navigation tree's content: connections and their line items."""

    connections: tuple[ConnectionRow, ...]
    line_items: dict[int, tuple[LineItemRow, ...]]
    # Per connection id: the URLs of its held columns (grades not sent until released).
    held: dict[int, frozenset[str]] = field(default_factory=dict)

    def is_held(self, line_item: LineItemRow) -> bool:
        return line_item.url in self.held.get(line_item.connection_id, frozenset())


def load_overview(db: Database) -> Overview:
    found = tuple(connection_store.list_connections(db))
    items = {c.id: tuple(snapshots.list_line_items(db, c.id)) for c in found}
    return Overview(found, items, {c.id: holds.held_line_item_urls(db, c.id) for c in found})


def load_counts(db: Database, connection_id: int) -> StatusCounts:
    """The status bar's counts: the read model's, as ``gradedesk status`` prints them (failed
    and refused apart)."""
    return read_model.status_counts(db, connection_id)


def names_available(db: Database, connection_id: int) -> bool:
    """False when the platform gives no names: no one came from a Names and Roles roster
    (only from results, or typed by a grader) and some learner is known by id alone."""
    return read_model.names_available(db, connection_id)


def load_line_item(db: Database, connection_id: int, line_item_url: str) -> LineItemData:
    line_item = snapshots.get_line_item(db, connection_id, line_item_url)
    if line_item is None:
        raise InputError(f"Unknown line item {line_item_url!r}; pull the connection first.")
    view = grid.line_item_rows(db, connection_id, line_item_url)
    numbers = anonymous_numbers(member.user_id for member in view.members)  # every learner
    rows = tuple(student_grade(row, member, line_item, numbers[member.user_id])
                 for row, member in zip(view.rows, view.members, strict=True))
    return LineItemData(connection_id, line_item, rows)


def load_gradebook(db: Database, connection_id: int) -> GradebookData:
    members = snapshots.list_members(db, connection_id, learners_only=True)
    line_items = tuple(snapshots.list_line_items(db, connection_id))
    cells = grid.gradebook_cells(db, connection_id)
    ids = [item.id for item in line_items]
    filters = {m.user_id: row_filters(m.user_id, ids, cells) for m in members}
    numbers = anonymous_numbers(m.user_id for m in members)  # the learners load_line_item has
    return GradebookData(connection_id, tuple(student_of(m, numbers[m.user_id]) for m in members),
                         line_items, cells, filters)


def reload_cells(db: Database, connection_id: int,
                 keys: Iterable[CellKey]) -> dict[CellKey, StudentGrade]:
    """Fresh rows for the given cells, read by user id (not the whole line item: a save or a
    sync event repaints only its cells)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for line_item_url, user_id in keys:
        wanted[line_item_url].add(user_id)
    if not wanted:
        return {}
    members = snapshots.list_members(db, connection_id, learners_only=True)
    numbers = anonymous_numbers(member.user_id for member in members)  # as load_line_item
    fresh: dict[CellKey, StudentGrade] = {}
    for line_item_url, users in wanted.items():
        line_item = snapshots.get_line_item(db, connection_id, line_item_url)
        if line_item is None:
            continue  # the line item is gone: nothing to refresh
        try:
            view = grid.line_item_rows(db, connection_id, line_item_url, user_ids=users,
                                       members=members)
        except InputError:
            continue  # deleted meanwhile
        for row, member in zip(view.rows, view.members, strict=True):
            grade = student_grade(row, member, line_item, numbers[member.user_id])
            fresh[grade.key] = grade
    return fresh


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
    conflict: ConflictRow | None = None  # when the cell is in conflict: both sides and base
    # Every platform comment seen and every local edit, oldest first (store.comment_thread).
    thread: tuple[ThreadLine, ...] = ()


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
    # Pushes are recorded under the OS user (unless a grader name was set): this user's are "You".
    thread = thread_lines(comment_thread.cell_thread(db, connection, line_item_url, user_id),
                          me=audit.os_user())
    extension = submission_of(server.wire if server is not None else None) or {}
    data = extension.get("submission_data")
    conflict = None
    if any(entry.state is OutboxState.CONFLICT for entry in pushes):
        conflict = next((row for row in load_conflicts(db, connection)
                         if row.key == key), None)
    return CellDetail(key=key, student=fresh.student, line_item=line_item, grade=fresh,
                      server=server, draft=draft, pushes=pushes, progress_jobs=progress,
                      history=history,
                      submission_type=_text(extension.get("submission_type")),
                      submission_data=_text(data), submitted_at=_text(
                          extension.get("submitted_at")), conflict=conflict, thread=thread)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True, slots=True)
class ConflictRow:
    """One conflict: what the platform held when I pulled (base), my draft, and what it holds
    now (theirs), with when theirs changed as far as the platform says."""

    entry_id: int
    key: CellKey
    student: str
    line_item: str
    mine_score: float | None
    mine_comment: str | None
    theirs_score: float | None
    theirs_comment: str | None
    reason: str | None
    base_score: float | None = None
    base_comment: str | None = None
    theirs_timestamp: str | None = None  # the server copy's own timestamp, when it has one
    theirs_seen: datetime | None = None  # when a pull or push read theirs

    @property
    def changed_when(self) -> str:
        """When theirs changed: the platform's timestamp when it gives one (Canvas's results
        carry none), else only that it moved since the pull."""
        if self.theirs_timestamp:
            return f"changed {local_time(self.theirs_timestamp)}"
        return "changed since your pull"

    @property
    def seen_when(self) -> str:
        """When GradeDesk read theirs (a pull or the push that found the conflict)."""
        if self.theirs_seen is None:
            return ""
        return f"seen {self.theirs_seen.astimezone().strftime('%Y-%m-%d %H:%M')}"


def local_time(iso: str) -> str:
    """An ISO timestamp from the wire, shown in local time (the raw text if it is not one)."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None:
        return iso  # a naive time is not ours to guess a zone for
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def load_conflicts(db: Database, connection: ConnectionRow) -> tuple[ConflictRow, ...]:
    """Every conflict of the connection, from the read model the CLI's ``conflicts`` uses."""
    found = []
    for view in read_model.conflicts_of(db, connection):
        server = snapshots.get_result(db, connection.id, view.line_item_url, view.user_id)
        found.append(ConflictRow(
            entry_id=view.outbox_id, key=(view.line_item_url, view.user_id),
            student=view.student, line_item=view.line_item_label,
            mine_score=view.mine_score, mine_comment=view.mine_comment,
            theirs_score=view.theirs_score, theirs_comment=view.theirs_comment,
            reason=view.reason, base_score=view.base_score, base_comment=view.base_comment,
            theirs_timestamp=server.server_timestamp if server is not None else None,
            theirs_seen=server.fetched_at if server is not None else None))
    return tuple(found)


def load_comment_bank(db: Database, connection_id: int, line_item_url: str) -> tuple[str, ...]:
    return tuple(c.text for c in comment_bank.banked_comments(db, connection_id, line_item_url))


def bank_comment(db: Database, connection_id: int, line_item_url: str,
                 text: str) -> tuple[str, ...]:
    comment_bank.bank_comment(db, connection_id, line_item_url, text)
    return load_comment_bank(db, connection_id, line_item_url)


def students_by_id(data: LineItemData) -> dict[str, Student]:
    return {row.user_id: row.student for row in data.rows}
