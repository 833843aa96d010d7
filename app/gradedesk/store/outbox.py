"""The outbox: every push of a draft revision and what became of it.

queued -> sending (committed *before* the POST goes out) -> sent (the platform replied 2xx)
-> confirmed (the result was read back). failed and conflict wait for the grader. An entry
left in ``sending`` or ``sent`` after a crash is recovered by the engine, which reads the
result back and decides whether the POST landed before it ever sends again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from gradedesk.domain import utc_now
from gradedesk.store._sql import db_time, from_db_time, from_json, maybe_time, to_json
from gradedesk.store.db import Database
from gradedesk.store.drafts import delete_draft_in, draft_by_id, rebase_draft
from gradedesk.store.errors import StoreStateError
from gradedesk.store.rows import BaseCopy, OutboxCounts, OutboxEntry, OutboxState

OUTBOX_COLUMNS = ("o.id, o.draft_id, o.draft_revision, o.line_item_id, l.url, l.connection_id, "
                  "o.user_id, o.payload_json, o.state, o.attempts, o.last_error, o.result_url, "
                  "o.receipt_json, o.created_at, o.updated_at, o.sending_at, o.sent_at, "
                  "o.confirmed_at, o.confirmed_version, o.kept_json, o.refused, o.reply_lost_at")
_FROM = "FROM outbox o JOIN line_items l ON l.id = o.line_item_id"

_ALLOWED: dict[OutboxState, frozenset[OutboxState]] = {
    # Only from queued, and only through ``claim``: an entry is sent by one push at most.
    OutboxState.SENDING: frozenset({OutboxState.QUEUED}),
    OutboxState.SENT: frozenset({OutboxState.SENDING}),
    OutboxState.CONFIRMED: frozenset({OutboxState.SENDING, OutboxState.SENT}),
    OutboxState.FAILED: frozenset({OutboxState.QUEUED, OutboxState.SENDING, OutboxState.SENT}),
    OutboxState.CONFLICT: frozenset({OutboxState.QUEUED, OutboxState.SENDING,
                                     OutboxState.SENT, OutboxState.FAILED}),
    OutboxState.QUEUED: frozenset({OutboxState.SENDING, OutboxState.FAILED,
                                   OutboxState.CONFLICT}),
}


def entries(db: Database, connection_id: int, states: Iterable[OutboxState] | None = None, *,
            line_item_url: str | None = None) -> list[OutboxEntry]:
    """The connection's outbox entries in ``states`` (all when None), oldest first."""
    where: list[str] = ["l.connection_id = ?"]
    args: list[object] = [connection_id]
    if states is not None:
        wanted = [OutboxState(s).value for s in states]
        where.append(f"o.state IN ({', '.join('?' * len(wanted))})")
        args.extend(wanted)
    if line_item_url is not None:
        where.append("l.url = ?")
        args.append(line_item_url)
    with db.read() as conn:
        rows = conn.execute(f"SELECT {OUTBOX_COLUMNS} {_FROM} WHERE {' AND '.join(where)} "
                            "ORDER BY o.id", args).fetchall()
    return [outbox_row(r) for r in rows]


def entry(db: Database, outbox_id: int) -> OutboxEntry:
    """One entry by id."""
    with db.read() as conn:
        return entry_in(conn, outbox_id)


def entries_by_id(db: Database, outbox_ids: Iterable[int]) -> dict[int, OutboxEntry]:
    """The entries with these ids that exist, by id, in one read (ids gone are left out)."""
    wanted = sorted(set(outbox_ids))
    found: dict[int, OutboxEntry] = {}
    with db.read() as conn:
        for start in range(0, len(wanted), 500):  # SQLite's bound-parameter limit
            chunk = wanted[start:start + 500]
            rows = conn.execute(f"SELECT {OUTBOX_COLUMNS} {_FROM} "
                                f"WHERE o.id IN ({', '.join('?' * len(chunk))})", chunk)
            found.update((row.id, row) for row in map(outbox_row, rows))
    return found


def entry_in(conn: sqlite3.Connection, outbox_id: int) -> OutboxEntry:
    """One entry by id, inside an open block."""
    raw = conn.execute(f"SELECT {OUTBOX_COLUMNS} {_FROM} WHERE o.id = ?",
                       (outbox_id,)).fetchone()
    if raw is None:
        raise StoreStateError(f"No outbox entry {outbox_id}.")
    return outbox_row(raw)


def counts(db: Database, connection_id: int | None = None) -> OutboxCounts:
    """How many entries are in each state (of one connection, or all). Confirmed entries are
    counted only while their draft is still around, i.e. not yet cleaned up."""
    where, args = "", []
    if connection_id is not None:
        where, args = "WHERE l.connection_id = ?", [connection_id]
    with db.read() as conn:
        rows = conn.execute(f"SELECT o.state, count(*) {_FROM} {where} GROUP BY o.state",
                            args).fetchall()
    return OutboxCounts(**{state: number for state, number in rows})


def transition(conn: sqlite3.Connection, outbox_id: int, to: OutboxState, *,
               now: datetime | None = None, error: str | None = None,
               payload_text: str | None = None, result_url: str | None = None,
               receipt: Mapping[str, Any] | None = None, count_attempt: bool = False,
               refused: bool = False) -> OutboxEntry:
    """Move one entry to ``to`` inside the caller's transaction, refusing impossible moves."""
    current = entry_in(conn, outbox_id)
    if current.state not in _ALLOWED[to]:
        raise StoreStateError(f"Outbox entry {outbox_id} cannot go from {current.state} "
                              f"to {to}.")
    stamp = db_time(now or utc_now())
    sets = ["state = ?", "updated_at = ?", "attempts = attempts + ?", "refused = ?"]
    args: list[Any] = [to.value, stamp, int(count_attempt),
                       int(refused and to is OutboxState.FAILED)]
    if to in (OutboxState.FAILED, OutboxState.CONFLICT):
        sets.append("last_error = ?")
        args.append(error)
    elif to is OutboxState.QUEUED:
        sets.append("last_error = NULL")
    if payload_text is not None:
        sets.append("payload_json = ?")  # verbatim: the exact body that is sent
        args.append(payload_text)
    if result_url is not None:
        sets.append("result_url = ?")
        args.append(result_url)
    if receipt is not None:
        sets.append("receipt_json = ?")
        args.append(to_json(receipt))
    column = {OutboxState.SENDING: "sending_at", OutboxState.SENT: "sent_at",
              OutboxState.CONFIRMED: "confirmed_at"}.get(to)
    if column is not None:
        sets.append(f"{column} = ?")
        args.append(stamp)
    conn.execute(f"UPDATE outbox SET {', '.join(sets)} WHERE id = ?", (*args, outbox_id))
    return entry_in(conn, outbox_id)


def claim(conn: sqlite3.Connection, outbox_id: int, *, draft_revision: int,
          payload_text: str, now: datetime | None = None) -> bool:
    """Atomically take a queued entry for sending, recording the draft revision and the exact
    bytes about to go out; False when it is no longer queued (another push, or an edit that
    turned it into a conflict, got there first)."""
    stamp = db_time(now or utc_now())
    cursor = conn.execute(
        "UPDATE outbox SET state = 'sending', draft_revision = ?, payload_json = ?, "
        "attempts = attempts + 1, refused = 0, updated_at = ?, sending_at = ?, "
        "reply_lost_at = NULL "
        "WHERE id = ? AND state = 'queued'",
        (draft_revision, payload_text, stamp, stamp, outbox_id))
    return cursor.rowcount == 1


def note_lost_reply(conn: sqlite3.Connection, outbox_id: int, *, error: str,
                    now: datetime | None = None) -> None:
    """A sending entry's POST got no reply: it stays sending (its outcome is unknown) and
    records when, so a later check gives the platform time to finish before judging."""
    stamp = db_time(now or utc_now())
    cursor = conn.execute("UPDATE outbox SET reply_lost_at = ?, last_error = ?, updated_at = ? "
                          "WHERE id = ? AND state = 'sending'",
                          (stamp, error, stamp, outbox_id))
    if cursor.rowcount != 1:
        raise StoreStateError(f"Outbox entry {outbox_id} is not sending.")


def confirm(conn: sqlite3.Connection, outbox_id: int, *, now: datetime | None = None,
            result_version: int | None = None,
            kept: Mapping[str, Any] | None = None) -> None:
    """Mark an entry confirmed (``result_version``: the server copy read back, None when the
    platform held no result; ``kept``: what the platform kept when it differs from what was
    sent) and drop its draft if the grader has not edited it since."""
    done = transition(conn, outbox_id, OutboxState.CONFIRMED, now=now)
    conn.execute("UPDATE outbox SET confirmed_version = ?, kept_json = ? WHERE id = ?",
                 (-1 if result_version is None else result_version,
                  None if kept is None else to_json(dict(kept)), outbox_id))
    if done.draft_id is not None:
        conn.execute("DELETE FROM drafts WHERE id = ? AND revision = ?",
                     (done.draft_id, done.draft_revision))
        still = conn.execute("SELECT 1 FROM drafts WHERE id = ?", (done.draft_id,)).fetchone()
        if still is None:
            conn.execute("UPDATE outbox SET draft_id = NULL WHERE id = ?", (outbox_id,))
        else:
            # Edited again while this push was in flight: the newer edit now builds on what
            # this push put on the platform, not on the copy from before it (no false conflict).
            conn.execute(
                "UPDATE drafts SET (base_present, base_score, base_maximum, base_comment, "
                "base_timestamp, base_hash) = (SELECT 1, r.score, r.maximum, r.comment, "
                "r.server_timestamp, r.content_hash FROM server_results r "
                "WHERE r.line_item_id = drafts.line_item_id AND r.user_id = drafts.user_id) "
                "WHERE id = ? AND EXISTS (SELECT 1 FROM server_results r "
                "WHERE r.line_item_id = drafts.line_item_id AND r.user_id = drafts.user_id)",
                (done.draft_id,))


def drop_for_theirs(conn: sqlite3.Connection, outbox_id: int, *,
                    now: datetime | None = None) -> None:
    """Take theirs: the draft goes, the entry is closed as a resolved conflict (never sent)."""
    current = entry_in(conn, outbox_id)
    if current.state not in (OutboxState.CONFLICT, OutboxState.FAILED, OutboxState.QUEUED):
        raise StoreStateError(f"Outbox entry {outbox_id} is {current.state}; it cannot be "
                              "dropped.")
    conn.execute("DELETE FROM outbox WHERE id = ?", (outbox_id,))
    if current.draft_id is not None:
        delete_draft_in(conn, current.draft_id)


def outbox_row(raw: tuple[Any, ...] | sqlite3.Row) -> OutboxEntry:
    """An outbox row (columns as OUTBOX_COLUMNS) as a value."""
    return OutboxEntry(
        id=raw[0], draft_id=raw[1], draft_revision=raw[2], line_item_id=raw[3],
        line_item_url=raw[4], connection_id=raw[5], user_id=raw[6], payload=from_json(raw[7]),
        state=OutboxState(raw[8]), attempts=raw[9], last_error=raw[10], result_url=raw[11],
        receipt=None if raw[12] is None else from_json(raw[12]),
        created_at=from_db_time(raw[13]), updated_at=from_db_time(raw[14]),
        sending_at=maybe_time(raw[15]), sent_at=maybe_time(raw[16]),
        confirmed_at=maybe_time(raw[17]), confirmed_version=raw[18],
        kept=None if raw[19] is None else from_json(raw[19]), refused=bool(raw[20]),
        reply_lost_at=maybe_time(raw[21]))


def requeue_rebased(conn: sqlite3.Connection, outbox_id: int, *, base: BaseCopy,
                    now: datetime, keep_their_score: bool = False) -> None:
    """Keep mine (or both): base the draft on the server's current copy with a fresh Score
    timestamp and queue it again. ``keep_their_score`` keeps the server's score, so only my
    comment is added."""
    current = entry_in(conn, outbox_id)
    if current.state is not OutboxState.CONFLICT or current.draft_id is None:
        raise StoreStateError(f"Outbox entry {outbox_id} is not a conflict with a draft.")
    rebase_draft(conn, current.draft_id, base=base, now=now)
    if keep_their_score:
        conn.execute("UPDATE drafts SET score_given = ?, score_maximum = ? WHERE id = ?",
                     (base.score, base.maximum if base.score is not None else None,
                      current.draft_id))
    draft = draft_by_id(conn, current.draft_id)
    assert draft is not None
    conn.execute("UPDATE outbox SET draft_revision = ?, payload_json = '{}', "
                 "state = 'queued', last_error = NULL, updated_at = ? WHERE id = ?",
                 (draft.revision, db_time(now), outbox_id))
