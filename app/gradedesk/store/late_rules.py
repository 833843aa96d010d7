"""Late and missing work, locally: each column's late rule, the penalties proposed from it, and
what a late rule needs to know of each cell (its score, whether it is a local draft's, and the
time the work was submitted as the platform last reported it: see migration 0011)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from gradedesk.domain import GradingProgress, utc_now
from gradedesk.domain.late_policy import LateRule, LateUnit
from gradedesk.store._sql import db_time, from_db_time
from gradedesk.store.db import Database
from gradedesk.store.snapshots import require_line_item_in

# --- Rules ------------------------------------------------------------------------------------


def save_rule(db: Database, connection_id: int, line_item_url: str, rule: LateRule, *,
              now: datetime | None = None) -> None:
    """Keep ``rule`` as the column's late rule (replacing any earlier one)."""
    with db.transaction() as conn:
        line_item = require_line_item_in(conn, connection_id, line_item_url)
        conn.execute(
            "INSERT INTO late_rules (line_item_id, percent, per, cap, grace_minutes, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (line_item_id) DO UPDATE SET "
            "percent = excluded.percent, per = excluded.per, cap = excluded.cap, "
            "grace_minutes = excluded.grace_minutes, updated_at = excluded.updated_at",
            (line_item.id, _decimal_text(rule.percent), rule.per.value,
             None if rule.cap is None else _decimal_text(rule.cap), rule.grace_minutes,
             db_time(now or utc_now())))


def get_rule(db: Database, connection_id: int, line_item_url: str) -> LateRule | None:
    """The column's late rule, or None when it has none."""
    with db.read() as conn:
        line_item = require_line_item_in(conn, connection_id, line_item_url)
        return rule_in(conn, line_item.id)


def rule_in(conn: sqlite3.Connection, line_item_id: int) -> LateRule | None:
    """``get_rule`` inside an open block, by the line item's row id."""
    raw = conn.execute("SELECT percent, per, cap, grace_minutes FROM late_rules "
                       "WHERE line_item_id = ?", (line_item_id,)).fetchone()
    if raw is None:
        return None
    return LateRule(percent=Decimal(raw[0]), per=LateUnit(raw[1]),
                    cap=None if raw[2] is None else Decimal(raw[2]), grace_minutes=raw[3])


def remove_rule(db: Database, connection_id: int, line_item_url: str) -> bool:
    """Forget the column's late rule; whether it had one. Penalties already in grades stay."""
    with db.transaction() as conn:
        line_item = require_line_item_in(conn, connection_id, line_item_url)
        return conn.execute("DELETE FROM late_rules WHERE line_item_id = ?",
                            (line_item.id,)).rowcount > 0


def _decimal_text(value: Decimal) -> str:
    return f"{value.normalize():f}"


# --- Cells ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PenaltyRecord:
    """The last late penalty proposed for a cell: from ``base_score`` to ``penalised_score``."""

    base_score: float
    penalised_score: float
    submitted_at: str
    working: str
    proposed_at: datetime


@dataclass(frozen=True, slots=True)
class LateCell:
    """What a late rule or "mark missing" needs to know of one cell."""

    user_id: str
    has_result: bool  # the platform holds a result for this student
    platform_score: float | None
    has_draft: bool
    draft_score: float | None
    draft_grading: GradingProgress | None
    submitted_at: str | None  # the latest submitted time the platform reported, as it wrote it
    penalty: PenaltyRecord | None

    @property
    def score(self) -> float | None:
        """The score the cell shows: its draft's when it has one, else the platform's."""
        return self.draft_score if self.has_draft else self.platform_score


# Every user with a result, a draft, a remembered submitted time or a penalty in the column.
_CELLS = """
WITH users (user_id) AS (
    SELECT user_id FROM server_results WHERE line_item_id = :item
    UNION SELECT user_id FROM drafts WHERE line_item_id = :item
    UNION SELECT user_id FROM submission_times WHERE line_item_id = :item
    UNION SELECT user_id FROM late_penalties WHERE line_item_id = :item
)
SELECT u.user_id, r.user_id IS NOT NULL, r.score, d.id IS NOT NULL, d.score_given,
       d.grading_progress, s.submitted_at, p.base_score, p.penalised_score, p.submitted_at,
       p.working, p.proposed_at
FROM users u
LEFT JOIN server_results r ON r.line_item_id = :item AND r.user_id = u.user_id
LEFT JOIN drafts d ON d.line_item_id = :item AND d.user_id = u.user_id
LEFT JOIN submission_times s ON s.line_item_id = :item AND s.user_id = u.user_id
LEFT JOIN late_penalties p ON p.line_item_id = :item AND p.user_id = u.user_id
ORDER BY u.user_id
"""


def late_cells(db: Database, connection_id: int, line_item_url: str) -> list[LateCell]:
    """Every cell of the column that holds anything (a result, a draft, a submitted time or a
    penalty), by user id. A student with none of these has no cell here."""
    with db.read() as conn:
        line_item = require_line_item_in(conn, connection_id, line_item_url)
        return late_cells_in(conn, line_item.id)


def late_cells_in(conn: sqlite3.Connection, line_item_id: int) -> list[LateCell]:
    """``late_cells`` inside an open block, by the line item's row id."""
    rows = conn.execute(_CELLS, {"item": line_item_id}).fetchall()
    return [LateCell(
        user_id=raw[0], has_result=bool(raw[1]), platform_score=raw[2], has_draft=bool(raw[3]),
        draft_score=raw[4], draft_grading=None if raw[5] is None else GradingProgress(raw[5]),
        submitted_at=raw[6],
        penalty=None if raw[7] is None else PenaltyRecord(
            base_score=raw[7], penalised_score=raw[8], submitted_at=raw[9], working=raw[10],
            proposed_at=from_db_time(raw[11])))
        for raw in rows]


@dataclass(frozen=True, slots=True)
class NewPenalty:
    """A late penalty being proposed for one cell."""

    user_id: str
    base_score: float
    penalised_score: float
    submitted_at: str
    working: str


def record_penalties(db: Database, connection_id: int, line_item_url: str,
                     penalties: Iterable[NewPenalty], *, now: datetime | None = None) -> int:
    """Remember the penalties proposed for a column (each replacing the cell's earlier one).
    Joins the caller's transaction when there is one (the proposals and their record go in
    together)."""
    stamp = db_time(now or utc_now())
    count = 0
    with db.transaction() as conn:
        line_item = require_line_item_in(conn, connection_id, line_item_url)
        for penalty in penalties:
            conn.execute(
                "INSERT INTO late_penalties (line_item_id, user_id, base_score, penalised_score, "
                "submitted_at, working, proposed_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (line_item_id, user_id) DO UPDATE SET "
                "base_score = excluded.base_score, penalised_score = excluded.penalised_score, "
                "submitted_at = excluded.submitted_at, working = excluded.working, "
                "proposed_at = excluded.proposed_at",
                (line_item.id, penalty.user_id, penalty.base_score, penalty.penalised_score,
                 penalty.submitted_at, penalty.working, stamp))
            count += 1
    return count

