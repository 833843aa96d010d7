"""Grades GradeDesk proposes and a person reviews: a rubric's changed points recomputed, a late
rule's penalty, "mark missing"'s zero. A proposal is never queued or sent; accepting one makes
it an ordinary draft (``gradedesk.sync.proposals``), rejecting one drops it.

Each remembers the score its cell showed when it was made (a draft's, else the platform's), so
a proposal computed from a score that has since changed is recognised as stale rather than
overwriting the newer grade.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gradedesk.domain import InputError, utc_now
from gradedesk.store._sql import db_time, from_db_time
from gradedesk.store.db import Database
from gradedesk.store.snapshots import line_item_in, require_line_item_in

REASONS = ("rubric", "late", "missing")


@dataclass(frozen=True, slots=True)
class NewProposal:
    """A grade to propose for one cell, and how it was reached (``working``, in words)."""

    line_item_url: str
    user_id: str
    score: float | None
    comment: str | None
    reason: str
    working: str


@dataclass(frozen=True, slots=True)
class CellScore:
    """What a cell shows: whether it holds anything, and its score."""

    present: bool
    score: float | None


@dataclass(frozen=True, slots=True)
class ProposalRow:
    """A stored proposal; ``based_on`` is the cell's score when it was proposed."""

    id: int
    line_item_url: str
    user_id: str
    score: float | None
    comment: str | None
    reason: str
    working: str
    proposed_at: datetime
    based_on: CellScore


_COLUMNS = ("p.id, l.url, p.user_id, p.score, p.comment, p.reason, p.working, p.proposed_at, "
            "p.based_on_present, p.based_on_score")
_FROM = "FROM proposals p JOIN line_items l ON l.id = p.line_item_id"


def cell_score_in(conn: sqlite3.Connection, line_item_id: int, user_id: str) -> CellScore:
    """The score a cell shows inside an open block: its draft's, else the platform's."""
    draft = conn.execute("SELECT score_given FROM drafts WHERE line_item_id = ? AND user_id = ?",
                         (line_item_id, user_id)).fetchone()
    if draft is not None:
        return CellScore(True, draft[0])
    server = conn.execute("SELECT score FROM server_results WHERE line_item_id = ? AND "
                          "user_id = ?", (line_item_id, user_id)).fetchone()
    return CellScore(server is not None, None if server is None else server[0])


def propose(db: Database, connection_id: int, proposals: Iterable[NewProposal], *,
            now: datetime | None = None) -> int:
    """Store proposals in one transaction, each replacing any earlier one for its cell.
    Returns how many were stored."""
    stamp = db_time(now or utc_now())
    count = 0
    with db.transaction() as conn:
        for proposal in proposals:
            if proposal.reason not in REASONS:
                raise InputError(f"Unknown reason for a proposed grade: {proposal.reason!r}.")
            if proposal.score is not None and not proposal.score >= 0:
                raise InputError(f"A proposed score must be 0 or more, not {proposal.score}.")
            line_item = require_line_item_in(conn, connection_id, proposal.line_item_url)
            based_on = cell_score_in(conn, line_item.id, proposal.user_id)
            conn.execute(
                "INSERT INTO proposals (line_item_id, user_id, score, comment, reason, working, "
                "based_on_present, based_on_score, proposed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                "?) ON CONFLICT (line_item_id, user_id) DO UPDATE SET score = excluded.score, "
                "comment = excluded.comment, reason = excluded.reason, "
                "working = excluded.working, based_on_present = excluded.based_on_present, "
                "based_on_score = excluded.based_on_score, proposed_at = excluded.proposed_at",
                (line_item.id, proposal.user_id, proposal.score, proposal.comment,
                 proposal.reason, proposal.working, int(based_on.present), based_on.score,
                 stamp))
            count += 1
    return count


def list_proposals(db: Database, connection_id: int, line_item_url: str | None = None,
                   user_id: str | None = None) -> list[ProposalRow]:
    """The proposals waiting for review, by line item then student, oldest first."""
    with db.read() as conn:
        return proposals_in(conn, connection_id, line_item_url, user_id)


def proposals_in(conn: sqlite3.Connection, connection_id: int, line_item_url: str | None = None,
                 user_id: str | None = None) -> list[ProposalRow]:
    """``list_proposals`` inside an open block."""
    where: list[str] = ["l.connection_id = ?"]
    params: list[Any] = [connection_id]
    if line_item_url is not None:
        line_item = line_item_in(conn, connection_id, line_item_url)
        if line_item is None:
            return []
        where.append("p.line_item_id = ?")
        params.append(line_item.id)
    if user_id is not None:
        where.append("p.user_id = ?")
        params.append(user_id)
    rows: list[tuple[Any, ...]] = conn.execute(
        f"SELECT {_COLUMNS} {_FROM} WHERE {' AND '.join(where)} ORDER BY l.id, p.user_id",
        params).fetchall()
    return [_row(raw) for raw in rows]


def count_proposals(db: Database, connection_id: int) -> int:
    """How many proposals wait for review on a connection."""
    with db.read() as conn:
        found = conn.execute("SELECT count(*) FROM proposals p JOIN line_items l ON "
                             "l.id = p.line_item_id WHERE l.connection_id = ?",
                             (connection_id,)).fetchone()
    return int(found[0])


def drop_proposals(db: Database, connection_id: int, ids: Iterable[int]) -> int:
    """Drop proposals by id (only this connection's); returns how many were dropped."""
    with db.transaction() as conn:
        return drop_proposals_in(conn, connection_id, ids)


def drop_proposals_in(conn: sqlite3.Connection, connection_id: int, ids: Iterable[int]) -> int:
    """``drop_proposals`` inside an open transaction."""
    dropped = 0
    for proposal_id in ids:
        dropped += conn.execute(
            "DELETE FROM proposals WHERE id = ? AND line_item_id IN (SELECT id FROM line_items "
            "WHERE connection_id = ?)", (proposal_id, connection_id)).rowcount
    return dropped


def _row(raw: tuple[Any, ...]) -> ProposalRow:
    return ProposalRow(id=raw[0], line_item_url=raw[1], user_id=raw[2], score=raw[3],
                       comment=raw[4], reason=raw[5], working=raw[6],
                       proposed_at=from_db_time(raw[7]),
                       based_on=CellScore(raw[8] == 1, raw[9]))
