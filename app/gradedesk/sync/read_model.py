"""The one read model the CLI and the window both call: status counts, line item summaries,
students' rows, conflicts side by side, and names for the ids a grader types. Typed results
(with their ``--json`` form), so the CLI's documents and the window's badges cannot drift.
Read-only views over the store; no network."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from gradedesk.domain import InputError
from gradedesk.domain.names import Ambiguous, PersonNames, find_person
from gradedesk.store import (
    ConnectionRow,
    Database,
    OutboxState,
    SyncState,
    drafts,
    grid,
    jobs,
    outbox,
    snapshots,
)
from gradedesk.store.rows import GradeRow, LineItemRow, MemberRow


def find_line_item(db: Database, connection: ConnectionRow, wanted: str) -> LineItemRow:
    """A line item by URL, short id or label (case-insensitive); InputError listing choices."""
    items = snapshots.list_line_items(db, connection.id)
    text = wanted.strip()
    keys: tuple[Callable[[LineItemRow], str], ...] = (
        lambda i: i.url, lambda i: i.short_id, lambda i: i.label.casefold())
    for key in keys:
        found = [item for item in items if key(item) in (text, text.casefold())]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise InputError(f"{wanted!r} names {len(found)} line items; use its id.")
    if not items:
        raise InputError(f"{connection.name!r} has no line items yet; run "
                         f"`gradedesk pull {connection.name}` first.")
    choices = ", ".join(f"{i.short_id} ({i.label})" for i in items[:12])
    raise InputError(f"No line item {wanted!r} in {connection.name!r}. Known: {choices}")


def names_of(member: MemberRow) -> PersonNames:
    """A roster entry as the names a grader may use for it."""
    return PersonNames(user_id=member.user_id, name=member.name, given_name=member.given_name,
                       family_name=member.family_name, sort_name=member.sort_name,
                       email=member.email)


def find_member(db: Database, connection: ConnectionRow, wanted: str) -> MemberRow:
    """A student by user id, email, name ("Last, First" or "First Last", any case, accents
    optional) or a surname only one student has; InputError listing the candidates when the
    name is ambiguous, or saying nobody matches."""
    members = snapshots.list_members(db, connection.id)
    try:
        found = find_person(wanted, members, names_of)
    except Ambiguous as ambiguous:
        candidates = cast(tuple[MemberRow, ...], ambiguous.candidates)
        listed = "; ".join(f"{m.sort_name} ({m.user_id})" for m in candidates[:10])
        raise InputError(f"{wanted!r} names {len(ambiguous.candidates)} people: {listed}. "
                         "Use the full name, the email or the user id.") from None
    if found is None:
        raise InputError(f"No one called {wanted!r} in {connection.name!r} (use a user id from "
                         f"`gradedesk show {connection.name} --line-item ID`).")
    return found


@dataclass(frozen=True, slots=True)
class ConflictView:
    """One conflict: what I wanted, what the server holds now, and what I started from."""

    outbox_id: int
    line_item_url: str
    line_item_label: str
    user_id: str
    student: str
    mine_score: float | None
    mine_comment: str | None
    theirs_score: float | None
    theirs_comment: str | None
    base_score: float | None
    base_comment: str | None
    reason: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "outbox_id": self.outbox_id, "line_item": self.line_item_url,
            "line_item_label": self.line_item_label, "user_id": self.user_id,
            "student": self.student,
            "mine": {"score": self.mine_score, "comment": self.mine_comment},
            "theirs": {"score": self.theirs_score, "comment": self.theirs_comment},
            "base": {"score": self.base_score, "comment": self.base_comment},
            "reason": self.reason,
        }


def conflicts_of(db: Database, connection: ConnectionRow) -> list[ConflictView]:
    """Every conflict of the connection with both sides."""
    labels = {item.url: item.label for item in snapshots.list_line_items(
        db, connection.id, include_missing=True)}
    names = {m.user_id: m.sort_name for m in snapshots.list_members(
        db, connection.id, include_missing=True)}
    views = []
    for entry in outbox.entries(db, connection.id, (OutboxState.CONFLICT,)):
        draft = drafts.get_draft(db, connection.id, entry.line_item_url, entry.user_id)
        server = snapshots.get_result(db, connection.id, entry.line_item_url, entry.user_id)
        views.append(ConflictView(
            outbox_id=entry.id, line_item_url=entry.line_item_url,
            line_item_label=labels.get(entry.line_item_url, entry.line_item_url),
            user_id=entry.user_id, student=names.get(entry.user_id, entry.user_id),
            mine_score=draft.score_given if draft else None,
            mine_comment=draft.comment if draft else None,
            theirs_score=server.score if server else None,
            theirs_comment=server.comment if server else None,
            base_score=draft.base.score if draft else None,
            base_comment=draft.base.comment if draft else None,
            reason=entry.last_error))
    return views


@dataclass(frozen=True, slots=True)
class StatusCounts:
    """How many cells are in each state of sending (the status bar's badges)."""

    drafts: int = 0
    queued: int = 0
    sending: int = 0  # marked sending, or sent and not yet read back
    conflicts: int = 0
    failed: int = 0  # a later push tries them again
    refused: int = 0  # the platform will never take them; not retried
    confirmed: int = 0


def status_counts(db: Database, connection_id: int) -> StatusCounts:
    counts = outbox.counts(db, connection_id)
    failed = outbox.entries(db, connection_id, (OutboxState.FAILED,))
    refused = sum(1 for entry in failed if entry.refused)
    return StatusCounts(
        drafts=len(drafts.list_drafts(db, connection_id)), queued=counts.queued,
        sending=counts.sending + counts.sent, conflicts=counts.conflict,
        failed=len(failed) - refused, refused=refused, confirmed=counts.confirmed)


def status_of(db: Database, connection: ConnectionRow) -> dict[str, Any]:
    """``gradedesk status --json`` for one connection (a stable JSON shape)."""
    counts = status_counts(db, connection.id)
    all_jobs = jobs.jobs_of(db, connection.id)
    items = snapshots.list_line_items(db, connection.id)
    waiting = outbox.entries(db, connection.id, (OutboxState.QUEUED, OutboxState.SENDING,
                                                 OutboxState.SENT, OutboxState.FAILED,
                                                 OutboxState.CONFLICT))
    return {
        "connection": connection.name,
        "kind": connection.kind.value,
        "sandbox": bool(connection.settings.get("sandbox")),
        "line_items": len(items),
        "last_pull": max((i.fetched_at for i in items), default=None),
        "drafts": counts.drafts,
        "queued": counts.queued,
        "sending": counts.sending,
        "conflicts": counts.conflicts,
        "failed": counts.failed,
        "refused": counts.refused,
        "confirmed": counts.confirmed,
        "progress_jobs": {
            "open": sum(1 for j in all_jobs if not j.final),
            "completed": sum(1 for j in all_jobs if j.final and j.state.value == "completed"),
            "failed": sum(1 for j in all_jobs if j.final and j.state.value != "completed"),
        },
        "outbox": [{"id": e.id, "line_item": e.line_item_url, "user_id": e.user_id,
                    "state": "refused" if e.refused else e.state.value,
                    "attempts": e.attempts, "last_error": e.last_error}
                   for e in waiting],
        "failed_files": [{"file": j.file_title, "progress_url": j.progress_url,
                          "message": j.message} for j in all_jobs
                         if j.final and j.state.value != "completed"],
    }


# --- line items and their students ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineItemSummary:
    """One column with its counts (``show`` without ``--line-item``; the window's tree)."""

    row: LineItemRow
    graded: int
    needs_grading: int
    drafts: int
    students: int

    def to_json(self) -> dict[str, Any]:
        return {"id": self.row.url, "short_id": self.row.short_id, "label": self.row.label,
                "score_maximum": self.row.score_maximum, "graded": self.graded,
                "pending_manual": self.needs_grading, "drafts": self.drafts,
                "students": self.students, "on_platform": not self.row.pending_create}


def line_item_summaries(db: Database, connection: ConnectionRow) -> list[LineItemSummary]:
    items = snapshots.list_line_items(db, connection.id)
    cells = grid.gradebook_cells(db, connection.id)
    learners = len(snapshots.list_members(db, connection.id, learners_only=True))
    by_item: dict[int, list[grid.Cell]] = {}
    for (item_id, _), cell in cells.items():
        by_item.setdefault(item_id, []).append(cell)
    summaries = []
    for item in items:
        mine = by_item.get(item.id, [])
        summaries.append(LineItemSummary(
            row=item, graded=sum(1 for c in mine if c.score is not None),
            needs_grading=sum(1 for c in mine if c.needs_grading),
            drafts=sum(1 for c in mine if c.state not in (SyncState.CLEAN,
                                                           SyncState.CONFIRMED)),
            students=learners))
    return summaries


@dataclass(frozen=True, slots=True)
class StudentCell:
    """One student's cell in one line item, as both shells show it."""

    member: MemberRow
    row: GradeRow

    @property
    def needs_grading(self) -> bool:
        return self.row.needs_grading

    def to_json(self) -> dict[str, Any]:
        row, member = self.row, self.member
        server, draft = row.server, row.draft
        submission = (server.wire.get("https://canvas.instructure.com/lti/submission")
                      if server is not None else None)
        return {
            "user_id": row.user_id, "name": member.name, "sort_name": member.sort_name,
            "email": member.email, "section": member.section,
            "score": row.shown_score, "comment": row.shown_comment,
            "maximum": (draft.score_maximum if draft and draft.score_maximum is not None
                        else (server.maximum if server else None)),
            "server": None if server is None else {
                "score": server.score, "maximum": server.maximum, "comment": server.comment,
                "result_url": server.result_url, "fetched_at": server.fetched_at},
            "draft": None if draft is None else {
                "score": draft.score_given, "comment": draft.comment,
                "grading_progress": draft.grading_progress.value,
                "activity_progress": draft.activity_progress.value,
                "attachments": [item.url for item in draft.attachments],
                "edited_at": draft.edited_at},
            "submission": submission,
            "pending_manual": self.needs_grading,
            "state": row.state.value,
        }


def student_cells(db: Database, connection: ConnectionRow, item: LineItemRow
                  ) -> list[StudentCell]:
    view = grid.line_item_rows(db, connection.id, item.url)
    return [StudentCell(member, row) for row, member in zip(view.rows, view.members,
                                                            strict=True)]


def names_available(db: Database, connection_id: int) -> bool:
    """False on a platform that gives no names: nobody came from a Names and Roles roster
    (only from results, or typed by a grader) and some student is known by id alone."""
    members = snapshots.list_members(db, connection_id)
    learners = [m for m in members if m.is_learner]
    return not learners or any(m.source == "roster" for m in members) or \
        all(m.named for m in learners)
