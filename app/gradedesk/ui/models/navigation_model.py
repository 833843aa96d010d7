"""The left-hand tree: connections, each with its line items."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel

from gradedesk.store import ConnectionRow, LineItemRow
from gradedesk.store.connections import is_sandbox
from gradedesk.sync.holding import HELD_NOTE
from gradedesk.ui.icons import held_icon
from gradedesk.ui.loaders import Overview
from gradedesk.ui.models.base import format_score
from gradedesk.ui.navigation import NavTarget
from gradedesk.ui.sync_states import is_dark

__all__ = ["HELD_ROLE", "TARGET_ROLE", "NavTarget", "NavigationModel"]

TARGET_ROLE = Qt.ItemDataRole.UserRole + 10
HELD_ROLE = Qt.ItemDataRole.UserRole + 11  # True on a held column's item


class NavigationModel(QStandardItemModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setHorizontalHeaderLabels(["Courses"])

    def load(self, overview: Overview) -> None:
        self.clear()
        self.setHorizontalHeaderLabels(["Courses"])
        for connection in overview.connections:
            self.appendRow(self._connection_item(connection,
                                                 overview.line_items.get(connection.id, ()),
                                                 overview.held.get(connection.id, frozenset())))

    def _connection_item(self, connection: ConnectionRow, line_items: tuple[LineItemRow, ...],
                         held: frozenset[str] = frozenset()) -> QStandardItem:
        label = connection.name + ("  [sandbox]" if is_sandbox(connection) else "")
        item = QStandardItem(label)
        item.setEditable(False)
        item.setData(NavTarget(connection.name), TARGET_ROLE)
        item.setToolTip(f"{connection.name}: the whole gradebook ({len(line_items)} line items)")
        item.setData(f"Connection {connection.name}, whole gradebook",
                     Qt.ItemDataRole.AccessibleTextRole)
        for line_item in line_items:
            item.appendRow(self._line_item_item(connection, line_item, line_item.url in held))
        return item

    @staticmethod
    def _line_item_item(connection: ConnectionRow, line_item: LineItemRow,
                        held: bool = False) -> QStandardItem:
        text = f"{line_item.label}  /{format_score(line_item.score_maximum)}"
        points = format_score(line_item.score_maximum)
        tip = f"{line_item.label}, out of {points} (id {line_item.short_id})"
        spoken = f"Line item {line_item.label}, out of {points}"
        if line_item.pending_create:
            text += f"  [{line_item.short_id}]"
            tip += ": not yet on the platform; the next push creates it"
            spoken += ", not yet on the platform"
        if held:
            tip += f"\n{HELD_NOTE}"
            spoken += ", grades held"
        child = QStandardItem(text)
        child.setEditable(False)
        child.setData(NavTarget(connection.name, line_item.url), TARGET_ROLE)
        child.setToolTip(tip)
        child.setData(spoken, Qt.ItemDataRole.AccessibleTextRole)
        if line_item.pending_create:
            font = QFont()
            font.setItalic(True)
            child.setFont(font)
        if held:
            child.setIcon(held_icon(is_dark()))  # the badge: a lock beside the label
            child.setData(True, HELD_ROLE)
        return child

    def index_of(self, target: NavTarget) -> QModelIndex:
        for row in range(self.rowCount()):
            parent = self.item(row)
            if parent.data(TARGET_ROLE) == target:
                return parent.index()
            for child_row in range(parent.rowCount()):
                child = parent.child(child_row)
                if child is not None and child.data(TARGET_ROLE) == target:
                    return child.index()
        return QModelIndex()
