"""Splits of the students among graders (schema 8), and who "I" am among the graders.

One split per column and one for the whole course; a column's own split overrides the
course's. A split may list user ids this computer's roster does not have (a shared file newer
than the last pull): they are kept, and count once the roster has them. Local state: no pull
touches these tables. Also the two sets of cells a team's progress is counted from.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gradedesk.domain import InputError
from gradedesk.domain.grader_split import GraderSplit, clean_grader_name
from gradedesk.store._sql import db_now, from_db_time, from_json, to_json
from gradedesk.store.db import Database
from gradedesk.store.snapshots import require_line_item_in

SOURCES = ("computed", "file")

_SPLIT_COLUMNS = ("s.id, s.connection_id, s.line_item_id, l.url, s.graders_json, s.mode, "
                  "s.seed, s.source, s.made_at")
_SPLIT_FROM = "FROM grader_splits s LEFT JOIN line_items l ON l.id = s.line_item_id"


@dataclass(frozen=True, slots=True)
class StoredSplit:
    """A split as stored: for one column (``line_item_id``) or every column (None)."""

    id: int
    connection_id: int
    line_item_id: int | None
    line_item_url: str | None
    split: GraderSplit
    source: str  # "computed" or "file"
    made_at: datetime

    @property
    def course_wide(self) -> bool:
        return self.line_item_id is None


def save_split(db: Database, connection_id: int, line_item_url: str | None,
               split: GraderSplit, *, source: str = "computed") -> StoredSplit:
    """Store ``split`` for a column (or, with None, for every column), replacing the one
    there was; one transaction."""
    if source not in SOURCES:
        raise ValueError(f"unknown split source {source!r}")
    with db.transaction() as conn:
        line_item_id = None if line_item_url is None else \
            require_line_item_in(conn, connection_id, line_item_url).id
        _delete(conn, connection_id, line_item_id)
        cursor = conn.execute(
            "INSERT INTO grader_splits (connection_id, line_item_id, graders_json, mode, seed, "
            "source, made_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (connection_id, line_item_id, to_json(list(split.graders)), split.mode,
             split.seed, source, db_now()))
        split_id = cursor.lastrowid
        conn.executemany(
            "INSERT INTO grader_assignments (split_id, user_id, grader, position) "
            "VALUES (?, ?, ?, ?)",
            [(split_id, user_id, grader, position) for grader in split.graders
             for position, user_id in enumerate(split.students_of(grader))])
        stored = _splits(conn, "s.id = ?", (split_id,))
    return stored[0]


def get_split(db: Database, connection_id: int,
              line_item_url: str | None) -> StoredSplit | None:
    """The split stored for exactly this scope: a column's own, or (None) the course's."""
    with db.read() as conn:
        line_item_id = None if line_item_url is None else \
            require_line_item_in(conn, connection_id, line_item_url).id
        where, args = _where(connection_id, line_item_id)
        found = _splits(conn, where, args)
    return found[0] if found else None


def split_for(db: Database, connection_id: int, line_item_url: str) -> StoredSplit | None:
    """The split that applies to a column: its own, else the course's, else None."""
    with db.read() as conn:
        line_item_id = require_line_item_in(conn, connection_id, line_item_url).id
        found = _splits(conn, "s.connection_id = ? AND (s.line_item_id = ? OR "
                              "s.line_item_id IS NULL)", (connection_id, line_item_id))
    found.sort(key=lambda stored: stored.line_item_id is None)  # the column's own first
    return found[0] if found else None


def list_splits(db: Database, connection_id: int) -> list[StoredSplit]:
    """Every split of the connection: the course's first, then the columns' by label."""
    with db.read() as conn:
        return _splits(conn, "s.connection_id = ?", (connection_id,))


def drop_split(db: Database, connection_id: int, line_item_url: str | None) -> bool:
    """Forget the split of a column (None: the course's); False when there was none."""
    with db.transaction() as conn:
        line_item_id = None if line_item_url is None else \
            require_line_item_in(conn, connection_id, line_item_url).id
        return _delete(conn, connection_id, line_item_id) > 0


def set_identity(db: Database, connection_id: int, grader: str | None) -> None:
    """Remember who grades on this computer ("I am Ana"); None forgets it."""
    with db.transaction() as conn:
        if grader is None:
            conn.execute("DELETE FROM grader_identity WHERE connection_id = ?",
                         (connection_id,))
            return
        conn.execute("INSERT INTO grader_identity (connection_id, grader, set_at) "
                     "VALUES (?, ?, ?) ON CONFLICT (connection_id) DO UPDATE SET "
                     "grader = excluded.grader, set_at = excluded.set_at",
                     (connection_id, clean_grader_name(grader), db_now()))


def identity(db: Database, connection_id: int) -> str | None:
    """Who grades on this computer, as remembered for the connection (None: not said)."""
    with db.read() as conn:
        row = conn.execute("SELECT grader FROM grader_identity WHERE connection_id = ?",
                           (connection_id,)).fetchone()
    return None if row is None else str(row[0])


@dataclass(frozen=True, slots=True)
class ScoredCells:
    """(line item id, user id) of the cells with a score: on the platform (its copy has a
    score) and locally (a draft, not yet confirmed, gives one)."""

    on_platform: frozenset[tuple[int, str]]
    drafted: frozenset[tuple[int, str]]


def scored_cells(db: Database, connection_id: int) -> ScoredCells:
    """The connection's scored cells, in one read (two narrow queries: no row is built)."""
    with db.read() as conn:
        platform = conn.execute(
            "SELECT r.line_item_id, r.user_id FROM server_results r JOIN line_items l "
            "ON l.id = r.line_item_id WHERE l.connection_id = ? AND r.score IS NOT NULL",
            (connection_id,)).fetchall()
        drafted = conn.execute(
            "SELECT d.line_item_id, d.user_id FROM drafts d JOIN line_items l "
            "ON l.id = d.line_item_id WHERE l.connection_id = ? AND d.score_given IS NOT NULL",
            (connection_id,)).fetchall()
    return ScoredCells(frozenset((row[0], row[1]) for row in platform),
                       frozenset((row[0], row[1]) for row in drafted))


# --- helpers ---------------------------------------------------------------------------------


def _where(connection_id: int, line_item_id: int | None, *,
           alias: str = "s.") -> tuple[str, tuple[Any, ...]]:
    """The WHERE clause of one scope: a column's split, or (None) the course's."""
    if line_item_id is None:
        return (f"{alias}connection_id = ? AND {alias}line_item_id IS NULL",
                (connection_id,))
    return (f"{alias}connection_id = ? AND {alias}line_item_id = ?",
            (connection_id, line_item_id))


def _delete(conn: sqlite3.Connection, connection_id: int, line_item_id: int | None) -> int:
    where, args = _where(connection_id, line_item_id, alias="")
    return conn.execute(f"DELETE FROM grader_splits WHERE {where}", args).rowcount


def _splits(conn: sqlite3.Connection, where: str, args: Iterable[Any]) -> list[StoredSplit]:
    rows = conn.execute(f"SELECT {_SPLIT_COLUMNS} {_SPLIT_FROM} WHERE {where} "
                        "ORDER BY s.line_item_id IS NOT NULL, l.label, s.id",
                        tuple(args)).fetchall()
    if not rows:
        return []
    ids = [row[0] for row in rows]
    listed: dict[int, dict[str, list[str]]] = {split_id: {} for split_id in ids}
    for split_id, user_id, grader in conn.execute(
            f"SELECT split_id, user_id, grader FROM grader_assignments WHERE split_id IN "
            f"({', '.join('?' * len(ids))}) ORDER BY split_id, grader, position", ids):
        listed[split_id].setdefault(grader, []).append(user_id)
    found = []
    for row in rows:
        graders = tuple(str(name) for name in from_json(row[4]))
        students = listed[row[0]]
        stray = sorted(set(students) - set(graders))
        if stray:  # only a hand edit of the database could do this; keep them visible
            graders += tuple(stray)
        split = GraderSplit(graders, row[5], int(row[6]),
                            {grader: tuple(students.get(grader, ())) for grader in graders})
        found.append(StoredSplit(row[0], row[1], row[2], row[3], split, row[7],
                                 from_db_time(row[8])))
    return found


def require_split(found: StoredSplit | None, connection_name: str,
                  what: str) -> StoredSplit:
    """``found``, or InputError saying how to make a split for ``what``."""
    if found is None:
        raise InputError(f"No split of the students among graders for {what} yet: make one "
                         f"with `gradedesk split {connection_name} --line-item ID --graders "
                         "\"Ana,Ben\"` (or --all), or load a teacher's with `gradedesk split "
                         f"{connection_name} --load split.json`.")
    return found
