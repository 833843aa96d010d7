"""What the window does to the selected cells beyond typing: "Discard my change" (Edit menu,
the grid's context menu, the detail panel's button; undoable) and settling the detail panel's
conflict. The work itself goes through the presenter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMenu

from gradedesk.ui.models.base import KEY_ROLE
from gradedesk.ui.rows import CellKey
from gradedesk.ui.views.actions import WindowActions, build_grid_menu
from gradedesk.ui.views.grade_table import GradeTableView

if TYPE_CHECKING:
    from gradedesk.sync.engine import Resolution
    from gradedesk.ui.views.main_window import MainWindow


class GridCommands:
    def __init__(self, window: MainWindow, actions: WindowActions) -> None:
        self._window = window
        self.menu: QMenu = build_grid_menu(window, actions)
        actions.discard.triggered.connect(lambda: self.discard_selection())
        for table in (window.line_table, window.gradebook_table):
            table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            table.customContextMenuRequested.connect(
                lambda position, t=table: self.show_menu(t, position))
        detail = window.detail
        detail.discard_requested.connect(lambda key: window.presenter.discard([key]))
        detail.resolution_requested.connect(self._on_detail_resolution_requested)

    def selected_keys(self, table: GradeTableView | None = None) -> list[CellKey]:
        """The cells selected in a table (default: the one shown), in order, each once."""
        table = table or self._window.current_table
        indexes = table.selectionModel().selectedIndexes()
        if not indexes and table.currentIndex().isValid():
            indexes = [table.currentIndex()]
        keys = (index.data(KEY_ROLE) for index in sorted(
            indexes, key=lambda i: (i.row(), i.column())))
        return list(dict.fromkeys(key for key in keys if isinstance(key, tuple)))

    def discard_selection(self) -> None:
        keys = self.selected_keys()
        if keys:
            self._window.presenter.discard(keys)

    def show_menu(self, table: GradeTableView, position: QPoint) -> None:
        index = table.indexAt(position)
        if index.isValid() and not table.selectionModel().isSelected(index):
            table.setCurrentIndex(index)  # a right click acts where it points, as in a sheet
        self.menu.popup(table.viewport().mapToGlobal(position))

    def _on_detail_resolution_requested(self, resolution: Resolution, entry_ids: Sequence[int],
                                        keys: Sequence[CellKey]) -> None:
        if self._window.presenter.resolve(resolution, list(entry_ids), list(keys)) is None:
            self._window.detail.conflict_box.set_busy(False)  # another job runs: try again
