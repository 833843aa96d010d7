"""Turning refreshed line-item rows into the gradebook's brief cells (no Qt)."""

from __future__ import annotations

from collections.abc import Mapping

from gradedesk.store.grid import Cell
from gradedesk.ui.rows import CellKey, StudentGrade, cell_of


def cells_of(rows: Mapping[CellKey, StudentGrade]) -> dict[tuple[int, str], Cell]:
    return {(row.line_item_id, row.user_id): cell_of(row) for row in rows.values()}
