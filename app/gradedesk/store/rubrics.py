"""Rubrics, one per column, and the levels chosen for each cell graded with one (schema 10).

Local only: the platform never sees a rubric, only the score and comment a rubric grade
makes (``sync.rubric_grading``). A rubric is kept in the file form teachers share, and each
cell's chosen levels with enough about them (position, description, points then) to find the
same levels again in an edited rubric.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from gradedesk.domain import utc_now
from gradedesk.domain.rubrics import Rubric, RubricChoice, rubric_from_json, rubric_to_json
from gradedesk.store._sql import db_time, from_db_time, from_json, to_json
from gradedesk.store.db import Database
from gradedesk.store.snapshots import require_line_item_in

_GRADE_COLUMNS = ("l.url, g.user_id, g.choice_json, g.own_comment, g.proposed_json, "
                  "g.graded_at, g.updated_at")
_GRADE_FROM = "FROM rubric_grades g JOIN line_items l ON l.id = g.line_item_id"


@dataclass(frozen=True, slots=True)
class RubricGradeRow:
    """The levels chosen for one cell, and what an edited rubric proposed for it."""

    line_item_url: str
    user_id: str
    choice: RubricChoice  # the levels the cell's grade reflects
    own_comment: str | None  # the grader's words after the levels
    proposed: RubricChoice | None  # carried onto a newer rubric, proposed for review
    graded_at: datetime
    updated_at: datetime


def get_rubric(db: Database, connection_id: int, line_item_url: str) -> Rubric | None:
    """The column's rubric, or None. InputError for a line item never pulled."""
    with db.read() as conn:
        line_item = require_line_item_in(conn, connection_id, line_item_url)
        row = conn.execute("SELECT rubric_json FROM rubrics WHERE line_item_id = ?",
                           (line_item.id,)).fetchone()
    return None if row is None else rubric_from_json(from_json(row[0]))


def save_rubric(db: Database, connection_id: int, line_item_url: str, rubric: Rubric, *,
                now: datetime | None = None) -> None:
    """Give the column this rubric (replacing its rubric in place: the cells' chosen levels
    stay, for ``sync.rubric_grading`` to carry over)."""
    stamp = db_time(now or utc_now())
    with db.transaction() as conn:
        line_item = require_line_item_in(conn, connection_id, line_item_url)
        # An upsert, never INSERT OR REPLACE: a replace deletes the row first.
        conn.execute("INSERT INTO rubrics (line_item_id, connection_id, rubric_json, "
                     "updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (line_item_id) DO UPDATE "
                     "SET rubric_json = excluded.rubric_json, updated_at = excluded.updated_at",
                     (line_item.id, connection_id, to_json(rubric_to_json(rubric)), stamp))


def line_items_with_rubrics(db: Database, connection_id: int) -> set[str]:
    """The URLs of the connection's columns that have a rubric (a window marks them)."""
    with db.read() as conn:
        rows = conn.execute("SELECT l.url FROM rubrics r JOIN line_items l "
                            "ON l.id = r.line_item_id WHERE r.connection_id = ?",
                            (connection_id,)).fetchall()
    return {row[0] for row in rows}


def record_rubric_grade(db: Database, connection_id: int, line_item_url: str, user_id: str,
                        choice: RubricChoice, own_comment: str | None, *,
                        now: datetime | None = None) -> None:
    """Keep the levels a grader chose for a cell (a new grade clears any proposal)."""
    stamp = db_time(now or utc_now())
    own = (own_comment or "").strip() or None
    with db.transaction() as conn:
        line_item = require_line_item_in(conn, connection_id, line_item_url)
        conn.execute("INSERT INTO rubric_grades (line_item_id, user_id, choice_json, "
                     "own_comment, proposed_json, graded_at, updated_at) "
                     "VALUES (?, ?, ?, ?, NULL, ?, ?) ON CONFLICT (line_item_id, user_id) DO "
                     "UPDATE SET choice_json = excluded.choice_json, own_comment = "
                     "excluded.own_comment, proposed_json = NULL, graded_at = "
                     "excluded.graded_at, updated_at = excluded.updated_at",
                     (line_item.id, user_id, to_json(choice.to_json()), own, stamp, stamp))


@dataclass(frozen=True, slots=True)
class CarriedGrade:
    """What an edited rubric made of one cell's record (see ``carry_rubric_grades``)."""

    user_id: str
    choice: RubricChoice
    proposed: RubricChoice | None


def carry_rubric_grades(db: Database, connection_id: int, line_item_url: str,
                        carried: Iterable[CarriedGrade], *,
                        now: datetime | None = None) -> int:
    """Update cells' records after a rubric edit: the levels their grade reflects and the
    ones proposed (None: nothing waits). Cells without a record are skipped. Returns how many
    changed."""
    stamp = db_time(now or utc_now())
    changed = 0
    with db.transaction() as conn:
        line_item = require_line_item_in(conn, connection_id, line_item_url)
        for grade in carried:
            proposed = None if grade.proposed is None else to_json(grade.proposed.to_json())
            cursor = conn.execute(
                "UPDATE rubric_grades SET choice_json = ?, proposed_json = ?, updated_at = ? "
                "WHERE line_item_id = ? AND user_id = ?",
                (to_json(grade.choice.to_json()), proposed, stamp, line_item.id,
                 grade.user_id))
            changed += cursor.rowcount
    return changed


def rubric_grades(db: Database, connection_id: int,
                  line_item_url: str) -> list[RubricGradeRow]:
    """Every cell of the column graded with its rubric, by user id."""
    with db.read() as conn:
        line_item = require_line_item_in(conn, connection_id, line_item_url)
        rows = conn.execute(f"SELECT {_GRADE_COLUMNS} {_GRADE_FROM} WHERE g.line_item_id = ? "
                            "ORDER BY g.user_id", (line_item.id,)).fetchall()
    return [_grade_row(row) for row in rows]


def rubric_grade(db: Database, connection_id: int, line_item_url: str,
                 user_id: str) -> RubricGradeRow | None:
    """One cell's chosen levels (a rubric panel shows them again), or None."""
    with db.read() as conn:
        line_item = require_line_item_in(conn, connection_id, line_item_url)
        row = conn.execute(f"SELECT {_GRADE_COLUMNS} {_GRADE_FROM} WHERE g.line_item_id = ? "
                           "AND g.user_id = ?", (line_item.id, user_id)).fetchone()
    return None if row is None else _grade_row(row)


def forget_rubric_grade(db: Database, connection_id: int, line_item_url: str,
                        user_id: str) -> bool:
    """Drop a cell's chosen levels (its grade is no longer a rubric grade)."""
    with db.transaction() as conn:
        line_item = require_line_item_in(conn, connection_id, line_item_url)
        cursor = conn.execute("DELETE FROM rubric_grades WHERE line_item_id = ? "
                              "AND user_id = ?", (line_item.id, user_id))
    return cursor.rowcount > 0


def _grade_row(raw: tuple[object, ...] | sqlite3.Row) -> RubricGradeRow:
    url, user_id, choice, own, proposed, graded_at, updated_at = raw
    return RubricGradeRow(
        line_item_url=str(url), user_id=str(user_id),
        choice=RubricChoice.from_json(from_json(str(choice))),
        own_comment=None if own is None else str(own),
        proposed=None if proposed is None else RubricChoice.from_json(from_json(str(proposed))),
        graded_at=from_db_time(str(graded_at)), updated_at=from_db_time(str(updated_at)))
