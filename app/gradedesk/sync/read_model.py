"""The one read model the CLI and the window both call: status counts, line item summaries,
students' rows, conflicts side by side, and names for the ids a grader types. Typed results
(with their ``--json`` form), so the CLI's documents and the window's badges cannot drift.
Read-only views over the store; no network."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gradedesk.store import (
    ConnectionRow,
    Database,
    OutboxState,
    drafts,
    grid,
    holds,
    jobs,
    outbox,
    snapshots,
)
from gradedesk.store.proposals import count_proposals
from gradedesk.store.rows import GradeRow, LineItemRow, MemberRow

# Finding what a grader names, and the line item listing, live in modules of their own (the
# quick commands load only those); the same names here, for every other caller.
from gradedesk.sync.lookup import find_line_item as find_line_item
from gradedesk.sync.lookup import find_member as find_member
from gradedesk.sync.lookup import names_of as names_of
from gradedesk.sync.overview import LineItemSummary as LineItemSummary
from gradedesk.sync.overview import line_item_summaries as line_item_summaries
from gradedesk.sync.overview import names_available as names_available


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
    held: int = 0  # queued grades of held columns (counted in ``queued`` too)


def status_counts(db: Database, connection_id: int) -> StatusCounts:
    counts = outbox.counts(db, connection_id)
    failed = outbox.entries(db, connection_id, (OutboxState.FAILED,))
    refused = sum(1 for entry in failed if entry.refused)
    return StatusCounts(
        drafts=len(drafts.list_drafts(db, connection_id)), queued=counts.queued,
        sending=counts.sending + counts.sent, conflicts=counts.conflict,
        failed=len(failed) - refused, refused=refused, confirmed=counts.confirmed,
        held=sum(column.queued for column in holds.held_columns(db, connection_id)))


def status_of(db: Database, connection: ConnectionRow) -> dict[str, Any]:
    """``gradedesk status --json`` for one connection (a stable JSON shape)."""
    counts = status_counts(db, connection.id)
    all_jobs = jobs.jobs_of(db, connection.id)
    items = snapshots.list_line_items(db, connection.id)
    waiting = outbox.entries(db, connection.id, (OutboxState.QUEUED, OutboxState.SENDING,
                                                 OutboxState.SENT, OutboxState.FAILED,
                                                 OutboxState.CONFLICT))
    held = holds.held_columns(db, connection.id)
    held_urls = {column.url for column in held}
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
        "proposals": count_proposals(db, connection.id),
        "progress_jobs": {
            "open": sum(1 for j in all_jobs if not j.final),
            "completed": sum(1 for j in all_jobs if j.final and j.state.value == "completed"),
            "failed": sum(1 for j in all_jobs if j.final and j.state.value != "completed"),
        },
        # Queued grades of held columns (in "queued" too), and the held columns themselves.
        "held": sum(column.queued for column in held),
        "held_line_items": [{"line_item": column.url, "short_id": column.short_id,
                             "label": column.label, "held_at": column.held_at,
                             "queued": column.queued} for column in held],
        "outbox": [{"id": e.id, "line_item": e.line_item_url, "user_id": e.user_id,
                    "state": "refused" if e.refused else e.state.value,
                    "attempts": e.attempts, "last_error": e.last_error,
                    "held": e.state is OutboxState.QUEUED and e.line_item_url in held_urls}
                   for e in waiting],
        "failed_files": [{"file": j.file_title, "progress_url": j.progress_url,
                          "message": j.message} for j in all_jobs
                         if j.final and j.state.value != "completed"],
    }


# --- line items and their students ---------------------------------------------------------


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
