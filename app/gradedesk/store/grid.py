"""What the gradebook shows: server copies, drafts, pushes and Progress jobs merged per cell.

One read block per call, so a view is never half old and half new. The whole-gradebook call
returns compact tuples: a 2,000 x 60 course is 120,000 cells.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from gradedesk.domain.grading_rules import needs_grading
from gradedesk.store.db import Database
from gradedesk.store.drafts import DRAFT_COLUMNS, draft_row
from gradedesk.store.outbox import OUTBOX_COLUMNS, outbox_row
from gradedesk.store.rows import (
    DraftRow,
    GradeRow,
    MemberRow,
    OutboxEntry,
    OutboxState,
    ServerResultRow,
    SyncState,
)
from gradedesk.store.snapshots import (
    RESULT_COLUMNS,
    list_members,
    require_line_item_in,
    result_row,
)


def derive_state(draft: DraftRow | None, latest: OutboxEntry | None, open_jobs: int,
                 failed_jobs: int, server_version: int | None = None) -> SyncState:
    """A cell's sync state from its draft, its latest push, its file jobs and the version of
    the server copy (None: the platform holds no result)."""
    if draft is not None:
        if latest is None or latest.draft_id != draft.id:
            return SyncState.EDITED
        return {
            OutboxState.QUEUED: SyncState.QUEUED,
            OutboxState.SENDING: SyncState.SENDING,
            OutboxState.SENT: SyncState.SENDING,
            OutboxState.CONFLICT: SyncState.CONFLICT,
            OutboxState.FAILED: SyncState.REFUSED if latest.refused else SyncState.FAILED,
            OutboxState.CONFIRMED: SyncState.EDITED,  # edited again after the push landed
        }[latest.state]
    if latest is None:
        return SyncState.CLEAN
    if latest.state is OutboxState.CONFIRMED:
        if failed_jobs:
            return SyncState.FAILED
        if open_jobs:
            return SyncState.AWAITING_FILES
        if latest.confirmed_version is not None and \
                latest.confirmed_version != (-1 if server_version is None else server_version):
            return SyncState.CLEAN  # the platform moved on since: it is what a pull brought
        return SyncState.MISMATCH if latest.kept is not None else SyncState.CONFIRMED
    if latest.state in (OutboxState.SENDING, OutboxState.SENT):
        return SyncState.SENDING
    return SyncState.CLEAN


@dataclass(frozen=True, slots=True)
class LineItemView:
    """The rows of one line item: one per student, in roster order."""

    members: tuple[MemberRow, ...]
    rows: tuple[GradeRow, ...]


# Cells asked for by user id are read with "user_id IN (...)" up to this many; more, and the
# whole line item is read (SQLite's parameter limit, and a big set is most of it anyway).
CELLS_BY_ID_MAX = 500


def line_item_rows(db: Database, connection_id: int, line_item_url: str, *,
                   user_ids: Collection[str] | None = None,
                   members: Sequence[MemberRow] | None = None) -> LineItemView:
    """Every learner of the course with their cell in this line item; with ``user_ids``,
    only those learners' cells, read by user id (a save or a sync event refreshes its cells
    without reading the whole line item). ``members``: the learners, if already read."""
    if members is None:
        members = list_members(db, connection_id, learners_only=True)
    wanted = set(user_ids) if user_ids is not None else None
    if wanted is not None:
        members = [member for member in members if member.user_id in wanted]
    by_id = wanted is not None and len(wanted) <= CELLS_BY_ID_MAX

    def where(alias: str) -> str:
        if not by_id or wanted is None:
            return f"{alias}.line_item_id = ?"
        return f"{alias}.line_item_id = ? AND {alias}.user_id IN ({', '.join('?' * len(wanted))})"

    with db.read() as conn:
        line_item = require_line_item_in(conn, connection_id, line_item_url)
        args = (line_item.id, *sorted(wanted)) if by_id and wanted is not None \
            else (line_item.id,)
        servers = {r.user_id: r for r in _results(conn, where("r"), args)}
        drafts = {d.user_id: d for d in _drafts(conn, where("d"), args)}
        latest = {e.user_id: e for e in _latest(conn, where("o"), args)}
        jobs = _job_counts(conn, where("o"), args)
    rows = []
    for member in members:
        draft, push = drafts.get(member.user_id), latest.get(member.user_id)
        open_jobs, failed_jobs = jobs.get((line_item.id, member.user_id), (0, 0))
        rows.append(GradeRow(
            connection_id=connection_id, line_item_id=line_item.id,
            line_item_url=line_item.url, user_id=member.user_id, sort_name=member.sort_name,
            server=servers.get(member.user_id), draft=draft, outbox=push,
            pending_files=open_jobs,
            state=derive_state(draft, push, open_jobs, failed_jobs,
                               _version(servers.get(member.user_id)))))
    return LineItemView(tuple(members), tuple(rows))


@dataclass(frozen=True, slots=True)
class Cell:
    """One gradebook cell in brief: the score a grader sees and its sync state."""

    score: float | None
    state: SyncState
    has_server_result: bool
    needs_grading: bool = False  # domain.grading_rules.needs_grading


def gradebook_cells(db: Database, connection_id: int) -> dict[tuple[int, str], Cell]:
    """Every cell of the connection that has a result, draft or push, by (line item id, user)."""
    where, args = "l.connection_id = ?", (connection_id,)
    with db.read() as conn:
        stored = conn.execute(
            "SELECT r.line_item_id, r.user_id, r.score, r.version FROM server_results r "
            "JOIN line_items l ON l.id = r.line_item_id WHERE l.connection_id = ?",
            args).fetchall()
        scores = {(row[0], row[1]): row[2] for row in stored}
        versions = {(row[0], row[1]): row[3] for row in stored}
        drafts = {(d.line_item_id, d.user_id): d for d in _drafts(conn, where, args)}
        latest = {(e.line_item_id, e.user_id): e for e in _latest(conn, where, args)}
        jobs = _job_counts(conn, where, args)
    # Most cells have neither a draft nor a push: make those directly (a big course has
    # 100,000 of them and the window waits for this).
    touched = drafts.keys() | latest.keys()
    clean = SyncState.CLEAN
    cells: dict[tuple[int, str], Cell] = {
        key: Cell(score, clean, True, score is None)
        for key, score in scores.items() if key not in touched}
    for key in touched:
        draft = drafts.get(key)
        open_jobs, failed_jobs = jobs.get(key, (0, 0))
        state = derive_state(draft, latest.get(key), open_jobs, failed_jobs,
                             versions.get(key))
        score = draft.score_given if draft is not None else scores.get(key)
        cells[key] = Cell(score, state, key in scores, needs_grading(
            has_result=key in scores, result_score=scores.get(key),
            draft_grading=draft.grading_progress if draft is not None else None,
            draft_score=draft.score_given if draft is not None else None))
    return cells


def _version(server: ServerResultRow | None) -> int | None:
    return None if server is None else server.version


def _results(conn: sqlite3.Connection, where: str,
             args: Iterable[object]) -> list[ServerResultRow]:
    columns = ", ".join(f"r.{c.strip()}" for c in RESULT_COLUMNS.split(","))
    rows = conn.execute(f"SELECT {columns} FROM server_results r "
                        f"JOIN line_items l ON l.id = r.line_item_id WHERE {where}",
                        tuple(args)).fetchall()
    return [result_row(r) for r in rows]


def _drafts(conn: sqlite3.Connection, where: str, args: Iterable[object]) -> list[DraftRow]:
    rows = conn.execute(f"SELECT {DRAFT_COLUMNS} FROM drafts d "
                        f"JOIN line_items l ON l.id = d.line_item_id WHERE {where}",
                        tuple(args)).fetchall()
    return [draft_row(r) for r in rows]


def _latest(conn: sqlite3.Connection, where: str, args: Iterable[object]) -> list[OutboxEntry]:
    """The newest outbox entry of every cell."""
    rows = conn.execute(
        f"SELECT {OUTBOX_COLUMNS} FROM outbox o JOIN line_items l ON l.id = o.line_item_id "
        f"WHERE o.id IN (SELECT max(o.id) FROM outbox o JOIN line_items l "
        f"ON l.id = o.line_item_id WHERE {where} GROUP BY o.line_item_id, o.user_id)",
        tuple(args)).fetchall()
    return [outbox_row(r) for r in rows]


def _job_counts(conn: sqlite3.Connection, where: str,
                args: Iterable[object]) -> dict[tuple[int, str], tuple[int, int]]:
    """(open, failed) Progress jobs per cell, counting only each cell's newest push."""
    rows = conn.execute(
        "SELECT o.line_item_id, o.user_id, sum(j.final = 0), "
        "sum(j.final = 1 AND j.state IN ('failed', 'canceled')) "
        "FROM progress_jobs j JOIN outbox o ON o.id = j.outbox_id "
        f"JOIN line_items l ON l.id = o.line_item_id WHERE {where} "
        "AND o.id = (SELECT max(o2.id) FROM outbox o2 WHERE o2.line_item_id = o.line_item_id "
        "AND o2.user_id = o.user_id) GROUP BY o.line_item_id, o.user_id", tuple(args)).fetchall()
    return {(row[0], row[1]): (int(row[2] or 0), int(row[3] or 0)) for row in rows}
