"""Held columns: their grades are saved and queued here, and no push sends them until the
column is released.

A hold is a row of ``column_holds`` (schema 9), keyed by the column's ``line_items`` row, so it
survives pulls and follows a column made here when the platform gives it an id. The push asks
``is_held_in`` inside the very transaction that claims an entry, so a hold committed before a
claim always stops that claim (see ``SyncEngine._claim``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from gradedesk.domain import utc_now
from gradedesk.domain.ids import short_id_candidate
from gradedesk.store._sql import db_time, from_db_time
from gradedesk.store.db import Database
from gradedesk.store.snapshots import line_item_in, require_line_item_in


@dataclass(frozen=True, slots=True)
class HeldColumn:
    """A held column and how many of its grades wait in the outbox for its release."""

    line_item_id: int
    url: str
    short_id: str
    label: str
    held_at: datetime
    queued: int  # outbox entries still queued: what a release sends


def hold(db: Database, connection_id: int, line_item_url: str, *,
         now: datetime | None = None) -> bool:
    """Hold a column's grades (InputError for a column this connection does not have).
    True when it was not held before; holding a held column changes nothing."""
    with db.transaction() as conn:
        row = require_line_item_in(conn, connection_id, line_item_url)
        cursor = conn.execute("INSERT OR IGNORE INTO column_holds (line_item_id, held_at) "
                              "VALUES (?, ?)", (row.id, db_time(now or utc_now())))
        return cursor.rowcount == 1


def release(db: Database, connection_id: int, line_item_url: str) -> bool:
    """Lift a column's hold: the next push sends its queued grades. True when it was held."""
    with db.transaction() as conn:
        row = require_line_item_in(conn, connection_id, line_item_url)
        cursor = conn.execute("DELETE FROM column_holds WHERE line_item_id = ?", (row.id,))
        return cursor.rowcount == 1


def is_held(db: Database, connection_id: int, line_item_url: str) -> bool:
    """Whether this column is held (False for a column the connection does not have)."""
    with db.read() as conn:
        row = line_item_in(conn, connection_id, line_item_url)
        return row is not None and is_held_in(conn, row.id)


def is_held_in(conn: sqlite3.Connection, line_item_id: int) -> bool:
    """Whether a column (by its row id) is held, inside the caller's open block."""
    return conn.execute("SELECT 1 FROM column_holds WHERE line_item_id = ?",
                        (line_item_id,)).fetchone() is not None


def held_line_item_urls(db: Database, connection_id: int) -> frozenset[str]:
    """The URLs of the connection's held columns."""
    with db.read() as conn:
        rows = conn.execute("SELECT l.url FROM column_holds h JOIN line_items l "
                            "ON l.id = h.line_item_id WHERE l.connection_id = ?",
                            (connection_id,)).fetchall()
    return frozenset(url for (url,) in rows)


def held_columns(db: Database, connection_id: int) -> list[HeldColumn]:
    """The connection's held columns by label, each with its queued grades counted."""
    with db.read() as conn:
        rows = conn.execute(
            "SELECT l.id, l.url, l.short_id, l.label, h.held_at, "
            "(SELECT count(*) FROM outbox o WHERE o.line_item_id = l.id "
            " AND o.state = 'queued') "
            "FROM column_holds h JOIN line_items l ON l.id = h.line_item_id "
            "WHERE l.connection_id = ? ORDER BY l.label, l.url", (connection_id,)).fetchall()
    return [HeldColumn(line_item_id=item_id, url=url,
                       short_id=short_id or short_id_candidate(url), label=label,
                       held_at=from_db_time(held_at), queued=int(queued))
            for item_id, url, short_id, label, held_at, queued in rows]
