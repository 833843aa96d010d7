"""Local edits ("drafts"): one per cell, each queued in the outbox the moment it is saved.

A draft records what the grader wants the platform to hold, the server copy it was based on
(for the conflict check before a push) and the Score timestamp fixed at the moment of the edit.
Its ``comment`` is only a *new* comment to add: Canvas appends every comment it receives, so an
inherited comment would be posted twice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gradedesk.domain import (
    ActivityProgress,
    ContentItem,
    GradingProgress,
    InputError,
    Score,
    check_score_against_maximum,
    utc_now,
)
from gradedesk.store._sql import db_time, from_db_time, from_json, to_json
from gradedesk.store.db import Database
from gradedesk.store.rows import BaseCopy, DraftRow, OutboxState
from gradedesk.store.snapshots import RESULT_COLUMNS, require_line_item_in, result_row

DRAFT_COLUMNS = ("d.id, d.line_item_id, l.url, d.user_id, d.revision, d.score_given, "
                 "d.score_maximum, d.comment, d.activity_progress, d.grading_progress, "
                 "d.attachments_json, d.base_present, d.base_score, d.base_maximum, "
                 "d.base_comment, d.base_timestamp, d.base_hash, d.score_timestamp, d.edited_at")
_DRAFT_FROM = "FROM drafts d JOIN line_items l ON l.id = d.line_item_id"

_UNSET: Any = object()


@dataclass(frozen=True, slots=True)
class DraftEdit:
    """What a grader changed in one cell; fields left as ``UNSET`` keep their current value.

    ``score_given=None`` explicitly clears the score.
    """

    score_given: float | None = _UNSET
    comment: str | None = _UNSET
    activity_progress: ActivityProgress = _UNSET
    grading_progress: GradingProgress = _UNSET
    attachments: tuple[ContentItem, ...] = _UNSET
    add_attachments: tuple[ContentItem, ...] = ()


UNSET: Any = _UNSET


def save_draft(db: Database, connection_id: int, line_item_url: str, user_id: str,
               edit: DraftEdit, *, now: datetime | None = None) -> DraftRow:
    """Create or change the draft of one cell and queue it, in one transaction.

    A new draft starts from the server copy's score (so a comment alone keeps the grade) and is
    based on that copy. The Score timestamp is the moment of this edit. The result is checked
    against the domain's Score rules before anything is written.
    """
    moment = now or utc_now()
    with db.transaction() as conn:
        line_item = require_line_item_in(conn, connection_id, line_item_url)
        if not _is_member(conn, connection_id, user_id):
            raise InputError(f"{user_id!r} is not a student of this course (pull first?).")
        current = draft_in(conn, line_item.id, user_id)
        server_raw = conn.execute(
            f"SELECT {RESULT_COLUMNS} FROM server_results WHERE line_item_id = ? "
            "AND user_id = ?", (line_item.id, user_id)).fetchone()
        server = None if server_raw is None else result_row(server_raw)
        if current is None:
            base = server.as_base() if server is not None else BaseCopy(False)
            score = server.score if server is not None else None
            maximum = line_item.score_maximum
            comment = None
            activity = ActivityProgress.COMPLETED
            grading: GradingProgress | None = None
            attachments: tuple[ContentItem, ...] = ()
            revision = 1
        else:
            base = current.base
            score, maximum = current.score_given, current.score_maximum or line_item.score_maximum
            comment = current.comment
            activity, grading = current.activity_progress, current.grading_progress
            attachments = current.attachments
            revision = current.revision + 1
        if edit.score_given is not _UNSET:
            score = edit.score_given
        if edit.comment is not _UNSET:
            comment = (edit.comment or "").strip() or None
        if edit.activity_progress is not _UNSET:
            activity = edit.activity_progress
        if edit.attachments is not _UNSET:
            attachments = tuple(edit.attachments)
        attachments = _merge(attachments, edit.add_attachments)
        if edit.grading_progress is not _UNSET:
            grading = edit.grading_progress
        elif grading is None or edit.score_given is not _UNSET:
            # A typed score means "graded"; no score means the work still waits for one.
            grading = GradingProgress.FULLY_GRADED if score is not None \
                else GradingProgress.PENDING
        if edit.score_given is not _UNSET:
            check_score_against_maximum(score, maximum)
        # Validate through the domain before writing: "abc" never reaches here, -5 stops here.
        Score(user_id=user_id, activity_progress=activity, grading_progress=grading,
              timestamp=moment, score_given=score,
              score_maximum=maximum if score is not None else None, comment=comment)
        stamp = db_time(moment)
        attachments_json = to_json([item.to_wire() for item in attachments])
        if current is None:
            conn.execute(
                "INSERT INTO drafts (line_item_id, user_id, revision, score_given, score_maximum, "
                "comment, activity_progress, grading_progress, attachments_json, base_present, "
                "base_score, base_maximum, base_comment, base_timestamp, base_hash, "
                "score_timestamp, edited_at) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?)",
                (line_item.id, user_id, score, maximum if score is not None else None, comment,
                 activity.value, grading.value, attachments_json, int(base.present), base.score,
                 base.maximum, base.comment, base.timestamp, base.content_hash, stamp, stamp))
        else:
            conn.execute(
                "UPDATE drafts SET revision = ?, score_given = ?, score_maximum = ?, comment = ?, "
                "activity_progress = ?, grading_progress = ?, attachments_json = ?, "
                "score_timestamp = ?, edited_at = ? WHERE id = ?",
                (revision, score, maximum if score is not None else None, comment, activity.value,
                 grading.value, attachments_json, stamp, stamp, current.id))
        draft = draft_in(conn, line_item.id, user_id)
        assert draft is not None
        _queue(conn, draft, stamp)
    return draft


def _merge(items: tuple[ContentItem, ...],
           extra: Sequence[ContentItem]) -> tuple[ContentItem, ...]:
    merged = list(items)
    for item in extra:
        if all(existing.url != item.url for existing in merged):
            merged.append(item)
    return tuple(merged)


def _is_member(conn: sqlite3.Connection, connection_id: int, user_id: str) -> bool:
    row = conn.execute("SELECT 1 FROM members WHERE connection_id = ? AND user_id = ?",
                       (connection_id, user_id)).fetchone()
    return row is not None


def _queue(conn: sqlite3.Connection, draft: DraftRow, stamp: str) -> None:
    """Point the cell's waiting outbox entry at this revision, or add one.

    An entry already in flight (sending/sent) is left alone: the new revision queues behind it.
    A conflict stays a conflict (the grader must still choose), now carrying the new revision.
    """
    # Nothing has gone out yet: the payload is written when it does (the exact bytes sent).
    payload = "{}"
    waiting = conn.execute(
        "SELECT id, state FROM outbox WHERE draft_id = ? AND state IN ('queued', 'failed', "
        "'conflict') ORDER BY id DESC LIMIT 1", (draft.id,)).fetchone()
    if waiting is not None:
        state = OutboxState.CONFLICT if waiting[1] == "conflict" else OutboxState.QUEUED
        conn.execute("UPDATE outbox SET draft_revision = ?, payload_json = ?, state = ?, "
                     "last_error = CASE WHEN ? = 'conflict' THEN last_error END, "
                     "updated_at = ? WHERE id = ?",
                     (draft.revision, payload, state.value, state.value, stamp, waiting[0]))
        return
    conn.execute(
        "INSERT INTO outbox (draft_id, draft_revision, line_item_id, user_id, payload_json, "
        "state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)",
        (draft.id, draft.revision, draft.line_item_id, draft.user_id, payload, stamp, stamp))


def rebase_draft(conn: sqlite3.Connection, draft_id: int, *, base: BaseCopy,
                 now: datetime, new_revision: bool = True) -> None:
    """Base a draft on a newer server copy with a fresh Score timestamp (conflict: keep mine)."""
    stamp = db_time(now)
    conn.execute(
        "UPDATE drafts SET base_present = ?, base_score = ?, base_maximum = ?, base_comment = ?, "
        "base_timestamp = ?, base_hash = ?, score_timestamp = ?, "
        "revision = revision + ? WHERE id = ?",
        (int(base.present), base.score, base.maximum, base.comment, base.timestamp,
         base.content_hash, stamp, int(new_revision), draft_id))


def set_draft_comment(conn: sqlite3.Connection, draft_id: int, comment: str | None) -> None:
    """Replace a draft's new comment (conflict: keep both comments)."""
    conn.execute("UPDATE drafts SET comment = ? WHERE id = ?", (comment, draft_id))


def delete_draft_in(conn: sqlite3.Connection, draft_id: int) -> None:
    """Drop a draft (its outbox history stays, unlinked)."""
    conn.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))


def get_draft(db: Database, connection_id: int, line_item_url: str,
              user_id: str) -> DraftRow | None:
    """The draft of one cell, or None."""
    with db.read() as conn:
        line_item = require_line_item_in(conn, connection_id, line_item_url)
        return draft_in(conn, line_item.id, user_id)


def draft_by_id(conn: sqlite3.Connection, draft_id: int) -> DraftRow | None:
    """A draft by its id, inside an open block."""
    raw = conn.execute(f"SELECT {DRAFT_COLUMNS} {_DRAFT_FROM} WHERE d.id = ?",
                       (draft_id,)).fetchone()
    return None if raw is None else draft_row(raw)


def list_drafts(db: Database, connection_id: int,
                line_item_url: str | None = None) -> list[DraftRow]:
    """The connection's drafts (of one line item when given), by line item and user."""
    where = "l.connection_id = ?"
    args: list[object] = [connection_id]
    with db.read() as conn:
        if line_item_url is not None:
            where += " AND d.line_item_id = ?"
            args.append(require_line_item_in(conn, connection_id, line_item_url).id)
        rows = conn.execute(f"SELECT {DRAFT_COLUMNS} {_DRAFT_FROM} WHERE {where} "
                            "ORDER BY l.label, d.user_id", args).fetchall()
    return [draft_row(r) for r in rows]


def discard_draft(db: Database, connection_id: int, line_item_url: str, user_id: str) -> bool:
    """Forget a local edit that has not gone out; False if there was none. A draft whose push
    is in flight cannot be discarded (its fate is being decided)."""
    with db.transaction() as conn:
        line_item = require_line_item_in(conn, connection_id, line_item_url)
        draft = draft_in(conn, line_item.id, user_id)
        if draft is None:
            return False
        flying = conn.execute("SELECT 1 FROM outbox WHERE draft_id = ? AND state IN "
                              "('sending', 'sent')", (draft.id,)).fetchone()
        if flying is not None:
            raise InputError("This grade is being sent right now; wait for the push to finish.")
        conn.execute("DELETE FROM outbox WHERE draft_id = ? AND state IN ('queued', 'failed', "
                     "'conflict')", (draft.id,))
        delete_draft_in(conn, draft.id)
    return True


def draft_in(conn: sqlite3.Connection, line_item_id: int, user_id: str) -> DraftRow | None:
    """The draft of one cell inside an open block, if it has one."""
    raw = conn.execute(f"SELECT {DRAFT_COLUMNS} {_DRAFT_FROM} "
                       "WHERE d.line_item_id = ? AND d.user_id = ?",
                       (line_item_id, user_id)).fetchone()
    return None if raw is None else draft_row(raw)


def draft_row(raw: tuple[Any, ...] | sqlite3.Row) -> DraftRow:
    """A drafts row (columns as DRAFT_COLUMNS) as a value."""
    return DraftRow(
        id=raw[0], line_item_id=raw[1], line_item_url=raw[2], user_id=raw[3], revision=raw[4],
        score_given=raw[5], score_maximum=raw[6], comment=raw[7],
        activity_progress=ActivityProgress(raw[8]), grading_progress=GradingProgress(raw[9]),
        attachments=tuple(ContentItem.from_wire(item) for item in from_json(raw[10])),
        base=BaseCopy(bool(raw[11]), raw[12], raw[13], raw[14], raw[15], raw[16]),
        score_timestamp=from_db_time(raw[17]), edited_at=from_db_time(raw[18]))
