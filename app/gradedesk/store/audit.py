"""The append-only audit log: every request that changed, or tried to change, a grade."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from gradedesk.domain import utc_now
from gradedesk.domain.redaction import redact
from gradedesk.store._sql import db_time, from_db_time
from gradedesk.store.db import Database
from gradedesk.store.rows import AuditEntry

_COLUMNS = ("id, at, grader, os_user, connection_name, line_item_url, user_id, action, summary, "
            "reply_status, outbox_id")


def os_user() -> str:
    """Who is at the keyboard, as the operating system knows them."""
    import getpass  # here: reading the log needs no user database

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"


def append(conn: sqlite3.Connection, *, connection_name: str, action: str, summary: str,
           grader: str | None = None, line_item_url: str | None = None,
           user_id: str | None = None, reply_status: int | None = None,
           outbox_id: int | None = None, now: datetime | None = None) -> None:
    """Add one line inside the caller's transaction (so it commits with what it describes)."""
    who = os_user()
    conn.execute(
        f"INSERT INTO audit_log ({_COLUMNS.removeprefix('id, ')}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (db_time(now or utc_now()), grader or who, who, connection_name, line_item_url, user_id,
         action, redact(summary), reply_status, outbox_id))


def history(db: Database, *, connection_name: str | None = None,
            line_item_url: str | None = None, user_id: str | None = None,
            limit: int = 500) -> list[AuditEntry]:
    """The newest lines first, filtered by connection, line item and student when given."""
    where, args = [], []
    for column, value in (("connection_name", connection_name),
                          ("line_item_url", line_item_url), ("user_id", user_id)):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    with db.read() as conn:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM audit_log {clause} ORDER BY id DESC "
                            "LIMIT ?", (*args, limit)).fetchall()
    return [_row(r) for r in rows]


def _row(raw: tuple[Any, ...]) -> AuditEntry:
    return AuditEntry(id=raw[0], at=from_db_time(raw[1]), grader=raw[2], os_user=raw[3],
                      connection_name=raw[4], line_item_url=raw[5], user_id=raw[6],
                      action=raw[7], summary=raw[8], reply_status=raw[9], outbox_id=raw[10])
