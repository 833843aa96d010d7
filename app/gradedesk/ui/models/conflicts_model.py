"""Conflicts side by side, one row per student: what the platform held when I pulled, my
draft, what it holds now, and when theirs changed."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from gradedesk.domain import format_score
from gradedesk.ui.loaders import ConflictRow
from gradedesk.ui.models.base import ModelIndex


class ConflictColumn(IntEnum):
    STUDENT = 0
    LINE_ITEM = 1
    BASE_SCORE = 2
    MINE_SCORE = 3
    MINE_COMMENT = 4
    THEIRS_SCORE = 5
    THEIRS_COMMENT = 6
    CHANGED = 7


_HEADERS = {
    ConflictColumn.STUDENT: "Student", ConflictColumn.LINE_ITEM: "Line item",
    ConflictColumn.BASE_SCORE: "When you pulled", ConflictColumn.MINE_SCORE: "My score",
    ConflictColumn.MINE_COMMENT: "My new comment", ConflictColumn.THEIRS_SCORE: "Their score",
    ConflictColumn.THEIRS_COMMENT: "Their comment", ConflictColumn.CHANGED: "Theirs changed",
}
_SCORES = (ConflictColumn.BASE_SCORE, ConflictColumn.MINE_SCORE, ConflictColumn.THEIRS_SCORE)


class ConflictsModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ConflictRow] = []

    def load(self, rows: Sequence[ConflictRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> ConflictRow:
        return self._rows[row]

    def rows(self) -> tuple[ConflictRow, ...]:
        return tuple(self._rows)

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ConflictColumn)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(ConflictColumn):
            return _HEADERS[ConflictColumn(section)]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._rows):
            return str(section + 1)
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        column = ConflictColumn(index.column())
        if role == Qt.ItemDataRole.ToolTipRole and column is ConflictColumn.BASE_SCORE:
            comment = f"\nTheir comment then: {row.base_comment}" if row.base_comment else ""
            return f"What the platform held when you pulled: " \
                   f"{format_score(row.base_score) or 'no score'}{comment}"
        if role == Qt.ItemDataRole.ToolTipRole and column is ConflictColumn.CHANGED:
            seen = f" ({row.seen_when})" if row.seen_when else ""
            return f"Theirs {row.changed_when}{seen}. The platform does not say by whom."
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            match column:
                case ConflictColumn.STUDENT:
                    return row.student
                case ConflictColumn.LINE_ITEM:
                    return row.line_item
                case ConflictColumn.BASE_SCORE:
                    return format_score(row.base_score) or "no score"
                case ConflictColumn.CHANGED:
                    return row.changed_when
                case ConflictColumn.MINE_SCORE:
                    return format_score(row.mine_score) or "no score"
                case ConflictColumn.MINE_COMMENT:
                    return row.mine_comment or ""
                case ConflictColumn.THEIRS_SCORE:
                    return format_score(row.theirs_score) or "no score"
                case ConflictColumn.THEIRS_COMMENT:
                    return row.theirs_comment or ""
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _SCORES:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
