"""Canvas gradebook CSV export and import over the store.

Import is two steps: :func:`plan_import` checks the whole file against the course and lists
every change it would make (a bad cell, an unknown student or column stops it with the row and
column named); :func:`apply_import` then saves every change as a draft in one transaction.
A blank cell means "no change", never "clear the grade".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from gradedesk.domain import InputError, check_score_against_maximum
from gradedesk.domain.gradebook_csv import (
    CellProblem,
    GradebookColumn,
    GradebookCsvError,
    GradebookRow,
    read_gradebook,
    write_gradebook,
)
from gradedesk.store import ConnectionRow, Database, drafts, grid, snapshots
from gradedesk.store.rows import LineItemRow


def export_gradebook(db: Database, connection: ConnectionRow, out: TextIO,
                     line_items: Sequence[LineItemRow] | None = None) -> int:
    """Write the learners' scores as shown (drafts over server copies); returns the rows."""
    items = list(line_items) if line_items is not None else snapshots.list_line_items(
        db, connection.id)
    columns = [GradebookColumn(item.short_id, item.label, item.score_maximum)
               for item in items]
    cells = grid.gradebook_cells(db, connection.id)
    members = snapshots.list_members(db, connection.id, learners_only=True)
    rows = [GradebookRow(
        student=member.sort_name, user_id=member.user_id, section=member.section or "",
        sis_login_id=member.email or "",
        scores={item.short_id: getattr(cells.get((item.id, member.user_id)), "score", None)
                for item in items})
        for member in members]
    write_gradebook(out, columns, rows)
    return len(rows)


@dataclass(frozen=True, slots=True)
class PlannedChange:
    line_item_url: str
    line_item_label: str
    user_id: str
    student: str
    old_score: float | None
    new_score: float

    def to_json(self) -> dict[str, object]:
        return {"line_item": self.line_item_url, "line_item_label": self.line_item_label,
                "user_id": self.user_id, "student": self.student, "old": self.old_score,
                "new": self.new_score}


def plan_import(db: Database, connection: ConnectionRow, source: TextIO) -> list[PlannedChange]:
    """Every score the file would change; GradebookCsvError naming each problem otherwise."""
    book = read_gradebook(source)
    items = {item.short_id: item for item in snapshots.list_line_items(db, connection.id)}
    members = {m.user_id: m for m in snapshots.list_members(db, connection.id,
                                                            learners_only=True)}
    problems: list[CellProblem] = []
    for column in book.columns:
        if column.short_id not in items:
            problems.append(CellProblem(1, column.header,
                                        "no line item with this id in the connection"))
    for row in book.rows:
        if row.user_id not in members:
            problems.append(CellProblem(row.line, "ID", f"{row.student or row.user_id!r} "
                                                        f"({row.user_id}) is not a student "
                                                        "here"))
    if problems:
        raise GradebookCsvError(problems)
    cells = grid.gradebook_cells(db, connection.id)
    changes = []
    for row in book.rows:
        for column in book.columns:
            new = row.scores.get(column.short_id)
            if new is None:
                continue
            item = items[column.short_id]
            try:
                check_score_against_maximum(new, item.score_maximum)
            except InputError as typo:
                problems.append(CellProblem(row.line, column.header, typo.user_message))
                continue
            shown = cells.get((item.id, row.user_id))
            old = shown.score if shown is not None else None
            if old is not None and math.isclose(old, new, abs_tol=1e-9):
                continue
            changes.append(PlannedChange(item.url, item.label, row.user_id,
                                         members[row.user_id].sort_name, old, new))
    if problems:
        raise GradebookCsvError(problems)
    return changes


def apply_import(db: Database, connection: ConnectionRow,
                 changes: Sequence[PlannedChange]) -> int:
    """Save every planned change as a queued draft, all or nothing."""
    if not changes:
        return 0
    try:
        with db.transaction():
            for change in changes:
                drafts.save_draft(db, connection.id, change.line_item_url, change.user_id,
                                  drafts.DraftEdit(score_given=change.new_score))
    except InputError as exc:
        raise InputError(f"Nothing was imported: {exc.user_message}") from exc
    return len(changes)
