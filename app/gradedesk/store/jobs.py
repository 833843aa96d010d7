"""Progress jobs: the Canvas Progress URLs a score POST returned, polled until final.

They live in the store so polling survives a restart: a file attached after the app was closed
is still reported the next time it runs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from gradedesk.domain import ProgressState, utc_now
from gradedesk.store._sql import db_time, from_db_time
from gradedesk.store.db import Database
from gradedesk.store.rows import ProgressJob

_COLUMNS = ("j.id, j.outbox_id, j.progress_url, j.file_title, j.state, j.final, j.attempts, "
            "j.next_poll_at, j.message, j.created_at, j.updated_at")
_FROM = ("FROM progress_jobs j JOIN outbox o ON o.id = j.outbox_id "
         "JOIN line_items l ON l.id = o.line_item_id")


def add_jobs(conn: sqlite3.Connection, outbox_id: int, jobs: Iterable[tuple[str, str | None]],
             *, now: datetime | None = None) -> None:
    """Record (progress URL, file title) pairs for an entry, inside the caller's transaction."""
    stamp = db_time(now or utc_now())
    conn.executemany(
        "INSERT OR IGNORE INTO progress_jobs (outbox_id, progress_url, file_title, state, "
        "next_poll_at, created_at, updated_at) VALUES (?, ?, ?, 'queued', ?, ?, ?)",
        [(outbox_id, url, title, stamp, stamp, stamp) for url, title in jobs])


def open_jobs(db: Database, connection_id: int) -> list[ProgressJob]:
    """Jobs of a connection that are not final yet, soonest due first."""
    with db.read() as conn:
        rows = conn.execute(f"SELECT {_COLUMNS} {_FROM} WHERE l.connection_id = ? "
                            "AND j.final = 0 ORDER BY j.next_poll_at, j.id",
                            (connection_id,)).fetchall()
    return [_row(r) for r in rows]


def jobs_of(db: Database, connection_id: int, *, line_item_url: str | None = None,
            user_id: str | None = None) -> list[ProgressJob]:
    """Every job of a connection (of one cell when given), oldest first."""
    where: list[str] = ["l.connection_id = ?"]
    args: list[object] = [connection_id]
    if line_item_url is not None:
        where.append("l.url = ?")
        args.append(line_item_url)
    if user_id is not None:
        where.append("o.user_id = ?")
        args.append(user_id)
    with db.read() as conn:
        rows = conn.execute(f"SELECT {_COLUMNS} {_FROM} WHERE {' AND '.join(where)} "
                            "ORDER BY j.id", args).fetchall()
    return [_row(r) for r in rows]


def record_poll(db: Database, job_id: int, state: ProgressState, *, message: str | None,
                next_poll_at: datetime, now: datetime | None = None) -> None:
    """What one poll saw; a final state ends the job."""
    stamp = db_time(now or utc_now())
    with db.transaction() as conn:
        conn.execute(
            "UPDATE progress_jobs SET state = ?, final = ?, attempts = attempts + 1, "
            "message = ?, next_poll_at = ?, updated_at = ? WHERE id = ?",
            (state.value, int(state.is_final), message, db_time(next_poll_at), stamp, job_id))


def record_poll_error(db: Database, job_id: int, *, message: str, next_poll_at: datetime,
                      give_up: bool = False, now: datetime | None = None) -> None:
    """A poll that got no answer: try again later, or (``give_up``) mark the job failed."""
    stamp = db_time(now or utc_now())
    with db.transaction() as conn:
        if give_up:
            conn.execute("UPDATE progress_jobs SET state = 'failed', final = 1, "
                         "attempts = attempts + 1, message = ?, updated_at = ? WHERE id = ?",
                         (message, stamp, job_id))
        else:
            conn.execute("UPDATE progress_jobs SET attempts = attempts + 1, message = ?, "
                         "next_poll_at = ?, updated_at = ? WHERE id = ?",
                         (message, db_time(next_poll_at), stamp, job_id))


def _row(raw: tuple[Any, ...]) -> ProgressJob:
    return ProgressJob(id=raw[0], outbox_id=raw[1], progress_url=raw[2], file_title=raw[3],
                       state=ProgressState(raw[4]), final=bool(raw[5]), attempts=raw[6],
                       next_poll_at=from_db_time(raw[7]), message=raw[8],
                       created_at=from_db_time(raw[9]), updated_at=from_db_time(raw[10]))
