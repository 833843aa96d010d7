"""What the shells show about a connection: status counts, conflicts side by side, and names
for the ids a grader types. Read-only views over the store; no network."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from gradedesk.domain import InputError
from gradedesk.domain.names import Ambiguous, PersonNames, find_person
from gradedesk.store import ConnectionRow, Database, OutboxState, drafts, jobs, outbox, snapshots
from gradedesk.store.rows import LineItemRow, MemberRow


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


def status_of(db: Database, connection: ConnectionRow) -> dict[str, Any]:
    """Counts for ``gradedesk status`` and the window's status bar (a stable JSON shape)."""
    counts = outbox.counts(db, connection.id)
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
        "drafts": len(drafts.list_drafts(db, connection.id)),
        "queued": counts.queued,
        "sending": counts.sending + counts.sent,
        "conflicts": counts.conflict,
        "failed": sum(1 for e in waiting if e.state is OutboxState.FAILED and not e.refused),
        "refused": sum(1 for e in waiting if e.state is OutboxState.FAILED and e.refused),
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
