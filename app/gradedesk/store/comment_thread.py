"""One cell's comment thread, read-only: every comment the platform was seen holding and every
local edit of the cell (pushed or still waiting), oldest first.

Where each part comes from: ``platform_comments`` (schema 6: each comment a pull or read-back
saw, recorded by triggers), the outbox (the exact body of each push, so each pushed edit keeps
its score and comment after its draft is gone), the audit log (who pushed it), and the draft
(the edit not sent yet). A comment the platform holds because GradeDesk sent it is the pushed
edit itself, not a second, platform-side entry.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from gradedesk.domain import InputError
from gradedesk.store._sql import from_db_time, maybe_time
from gradedesk.store.db import Database
from gradedesk.store.drafts import DRAFT_COLUMNS, draft_row
from gradedesk.store.outbox import OUTBOX_COLUMNS, outbox_row
from gradedesk.store.rows import ConnectionRow, DraftRow, OutboxEntry, OutboxState
from gradedesk.store.snapshots import line_item_in


class ThreadSource(StrEnum):
    PLATFORM = "platform"  # a comment the platform was seen holding
    PUSHED = "pushed"  # a local edit that went out: the exact body sent
    DRAFT = "draft"  # the local edit not sent yet


@dataclass(frozen=True, slots=True)
class ThreadEntry:
    """One entry of a cell's thread."""

    source: ThreadSource
    at: datetime  # when it was written: the platform's own time, or the moment of the edit
    comment: str | None
    # Who wrote it when known: the grader the audit log names for a push; the platforms'
    # results name no author, so platform entries have None.
    author: str | None = None
    seen_only: bool = False  # the platform gave no time: ``at`` is when a pull first saw it
    score: float | None = None
    maximum: float | None = None
    state: OutboxState | None = None  # a local edit's outbox state (None: not queued)
    error: str | None = None  # why a local edit was not taken, when it was not
    refused: bool = False  # the platform will not take it whatever happens
    current: bool = False  # the comment the platform holds now


def cell_thread(db: Database, connection: ConnectionRow, line_item_url: str,
                user_id: str) -> tuple[ThreadEntry, ...]:
    """The thread of one cell, oldest first (empty when the line item is unknown)."""
    with db.read() as conn:
        line_item = line_item_in(conn, connection.id, line_item_url)
        if line_item is None:
            return ()
        seen = conn.execute(
            "SELECT comment, server_timestamp, seen_at FROM platform_comments "
            "WHERE line_item_id = ? AND user_id = ? ORDER BY id",
            (line_item.id, user_id)).fetchall()
        now = conn.execute("SELECT comment FROM server_results WHERE line_item_id = ? "
                           "AND user_id = ?", (line_item.id, user_id)).fetchone()
        pushes = [outbox_row(raw) for raw in conn.execute(
            f"SELECT {OUTBOX_COLUMNS} FROM outbox o JOIN line_items l ON l.id = o.line_item_id "
            "WHERE o.line_item_id = ? AND o.user_id = ? ORDER BY o.id",
            (line_item.id, user_id))]
        pushers = _pushers(conn, connection.name, line_item_url, user_id)
        raw_draft = conn.execute(
            f"SELECT {DRAFT_COLUMNS} FROM drafts d JOIN line_items l ON l.id = d.line_item_id "
            "WHERE d.line_item_id = ? AND d.user_id = ?", (line_item.id, user_id)).fetchone()
    draft = None if raw_draft is None else draft_row(raw_draft)
    local = [_pushed(entry, pushers.get(entry.id)) for entry in pushes if _was_sent(entry)]
    waiting = _waiting_draft(draft, pushes)
    if waiting is not None:
        local.append(waiting)
    current_text = now[0] if now is not None else None
    platform = _platform_entries(seen, current_text, local)
    # Platform entries first on a tie: a comment seen at the moment of an edit was there before.
    ordered = [(entry.at, 0, n, entry) for n, entry in enumerate(platform)]
    ordered += [(entry.at, 1, n, entry) for n, entry in enumerate(local)]
    return tuple(entry for *_, entry in sorted(ordered, key=lambda item: item[:3]))


def _pushers(conn: sqlite3.Connection, connection_name: str, line_item_url: str,
             user_id: str) -> dict[int, str]:
    """The grader who sent each push (by outbox id), as the audit log records it."""
    rows = conn.execute(
        "SELECT outbox_id, grader FROM audit_log WHERE connection_name = ? "
        "AND line_item_url = ? AND user_id = ? AND action = 'score.post' "
        "AND outbox_id IS NOT NULL ORDER BY id", (connection_name, line_item_url, user_id))
    return {outbox_id: grader for outbox_id, grader in rows}


def _was_sent(entry: OutboxEntry) -> bool:
    """Whether the entry holds a body that went out (an entry not claimed yet holds ``{}``)."""
    return bool(entry.payload)


def _pushed(entry: OutboxEntry, author: str | None) -> ThreadEntry:
    payload = entry.payload
    return ThreadEntry(
        source=ThreadSource.PUSHED, at=_edit_time(payload) or entry.sending_at or
        entry.created_at, comment=_text(payload.get("comment")), author=author,
        score=_number(payload.get("scoreGiven")), maximum=_number(payload.get("scoreMaximum")),
        state=entry.state, error=entry.last_error if entry.state in (
            OutboxState.FAILED, OutboxState.CONFLICT) else None, refused=entry.refused)


def _waiting_draft(draft: DraftRow | None, pushes: list[OutboxEntry]) -> ThreadEntry | None:
    """The draft as a thread entry, unless the revision it holds already went out (then its
    push is the entry)."""
    if draft is None:
        return None
    mine = [entry for entry in pushes if entry.draft_id == draft.id]
    if any(entry.draft_revision == draft.revision and _was_sent(entry) for entry in mine):
        return None
    waiting = next((entry for entry in reversed(mine) if entry.state in (
        OutboxState.QUEUED, OutboxState.FAILED, OutboxState.CONFLICT)), None)
    return ThreadEntry(
        source=ThreadSource.DRAFT, at=draft.edited_at, comment=draft.comment,
        score=draft.score_given, maximum=draft.score_maximum,
        state=waiting.state if waiting is not None else None,
        error=waiting.last_error if waiting is not None else None,
        refused=waiting.refused if waiting is not None else False)


def _platform_entries(seen: list[tuple[str, str | None, str]], current_text: str | None,
                      local: list[ThreadEntry]) -> list[ThreadEntry]:
    sent = [(entry.comment, entry.at) for entry in local
            if entry.source is ThreadSource.PUSHED and entry.comment]
    found: list[ThreadEntry] = []
    for position, (text, stamp, seen_at_text) in enumerate(seen):
        seen_at = from_db_time(seen_at_text)
        if any(text == comment and at <= seen_at for comment, at in sent):
            continue  # our own comment, read back: the pushed entry already shows it
        written = _time(stamp)
        found.append(ThreadEntry(
            source=ThreadSource.PLATFORM, at=written or seen_at, comment=text,
            seen_only=written is None,
            current=position == len(seen) - 1 and text == current_text))
    return found


def _edit_time(payload: Mapping[str, Any]) -> datetime | None:
    """The Score timestamp a push carried: the moment of the edit."""
    value = payload.get("timestamp")
    return _time(value) if isinstance(value, str) else None


def _time(text: str | None) -> datetime | None:
    try:
        return maybe_time(text)
    except InputError:  # a platform's time in a shape we cannot read: shown as "seen"
        return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None
