"""Reusable comments per line item, so a TA types "See the rubric, part 2" once."""

from __future__ import annotations

from gradedesk.domain import InputError
from gradedesk.store._sql import db_now, from_db_time
from gradedesk.store.db import Database
from gradedesk.store.rows import BankedComment
from gradedesk.store.snapshots import require_line_item_in


def bank_comment(db: Database, connection_id: int, line_item_url: str, text: str) -> None:
    """Keep a comment for reuse (a repeat is ignored)."""
    clean = text.strip()
    if not clean:
        raise InputError("An empty comment cannot be kept.")
    with db.transaction() as conn:
        line_item = require_line_item_in(conn, connection_id, line_item_url)
        conn.execute("INSERT OR IGNORE INTO comment_bank (connection_id, line_item_id, text, "
                     "created_at) VALUES (?, ?, ?, ?)",
                     (connection_id, line_item.id, clean, db_now()))


def banked_comments(db: Database, connection_id: int, line_item_url: str) -> list[BankedComment]:
    """The kept comments of a line item, oldest first."""
    with db.read() as conn:
        line_item = require_line_item_in(conn, connection_id, line_item_url)
        rows = conn.execute("SELECT id, connection_id, line_item_id, text, created_at "
                            "FROM comment_bank WHERE line_item_id = ? ORDER BY id",
                            (line_item.id,)).fetchall()
    return [BankedComment(r[0], r[1], r[2], r[3], from_db_time(r[4])) for r in rows]


def forget_comment(db: Database, comment_id: int) -> None:
    """Remove one kept comment."""
    with db.transaction() as conn:
        conn.execute("DELETE FROM comment_bank WHERE id = ?", (comment_id,))
