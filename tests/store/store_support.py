"""Helpers for the store tests: real database files, raw looks at them, and domain values."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gradedesk.domain import LEARNER_ROLE, LineItem, Member, Result
from gradedesk.store.db import DB_FILENAME, Database, open_database

NOW = datetime(2026, 3, 1, 8, 30, 15, 123000, tzinfo=UTC)
COURSE = "https://canvas.test/api/lti/courses/101"


@contextmanager
def opened(data_dir: Path, **options: Any) -> Iterator[Database]:
    """open_database, always closed again (an unclosed connection fails the run)."""
    db = open_database(data_dir, **options)
    try:
        yield db
    finally:
        db.close()


@contextmanager
def raw(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection to a file, outside GradeDesk (autocommit, closed after)."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        yield conn


def db_file(data_dir: Path) -> Path:
    return data_dir / DB_FILENAME


def side_file(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def pragma(conn: sqlite3.Connection, name: str) -> Any:
    return conn.execute(f"PRAGMA {name}").fetchone()[0]


def count(conn: sqlite3.Connection, table: str, where: str = "1") -> int:
    query = f"SELECT count(*) FROM {table} WHERE {where}"  # noqa: S608 - test constants
    return int(conn.execute(query).fetchone()[0])


def tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                        "AND name NOT LIKE 'sqlite_%'").fetchall()
    return {row[0] for row in rows}


def schema(conn: sqlite3.Connection) -> list[tuple[str, str, str, str | None]]:
    """sqlite_master with whitespace normalised, in a stable order (comparable across files)."""
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    return sorted((kind, name, table, None if sql is None else " ".join(sql.split()))
                  for kind, name, table, sql in rows)


def add_raw_connection(conn: sqlite3.Connection, name: str = "Canvas") -> int:
    cursor = conn.execute("INSERT INTO connections (name, kind, settings_json, created_at) "
                          "VALUES (?, 'lti', '{}', '2026-03-01T08:30:15.123+00:00')", (name,))
    assert cursor.lastrowid is not None
    return cursor.lastrowid


# --- Domain values --------------------------------------------------------------------------


def item_url(number: int) -> str:
    return f"{COURSE}/line_items/{number}"


def line_item(number: int, **changes: Any) -> LineItem:
    fields: dict[str, Any] = {"id": item_url(number), "label": f"Lab {number}",
                              "score_maximum": 10.0, "resource_id": f"lab-{number}"}
    fields.update(changes)
    return LineItem(**fields)


def result(user_id: str, number: int = 1, **changes: Any) -> Result:
    fields: dict[str, Any] = {
        "user_id": user_id, "id": f"{item_url(number)}/results/{user_id}",
        "score_of": item_url(number), "result_score": 7.5, "result_maximum": 10.0,
        "comment": "Good work.", "timestamp": NOW,
    }
    fields.update(changes)
    return Result(**fields)


def member(user_id: str, **changes: Any) -> Member:
    fields: dict[str, Any] = {"user_id": user_id, "roles": (LEARNER_ROLE,),
                              "given_name": f"Given{user_id}", "family_name": f"Family{user_id}",
                              "name": f"Given{user_id} Family{user_id}",
                              "email": f"{user_id}@school.test"}
    fields.update(changes)
    return Member(**fields)
