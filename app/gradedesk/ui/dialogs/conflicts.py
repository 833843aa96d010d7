"""Conflicts: what the platform held when I pulled, mine and theirs side by side per student;
keep mine, take theirs or keep both, for the selected rows or for all.

No button is a default: Enter never picks a side by itself (it presses only the button the
keyboard is on). Tab leaves the table for the buttons, and every choice has a mnemonic.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gradedesk.sync.engine import Resolution
from gradedesk.ui.dialogs.choice_dialog import ChoiceDialog
from gradedesk.ui.loaders import ConflictRow
from gradedesk.ui.models.conflicts_model import ConflictColumn, ConflictsModel

_VERBS = {Resolution.MINE: "Keep mine", Resolution.THEIRS: "Take theirs",
          Resolution.BOTH: "Keep both"}
# Mnemonics, unique in the dialog: Alt+M/T/B for the selected rows, Alt+A/L/O for all.
_SELECTED = {Resolution.MINE: "Keep &mine (selected)", Resolution.THEIRS: "Take &theirs "
             "(selected)", Resolution.BOTH: "Keep &both (selected)"}
_ALL = {Resolution.MINE: "Keep mine for &all", Resolution.THEIRS: "Take theirs for a&ll",
        Resolution.BOTH: "Keep both f&or all"}
_EXPLAIN = {
    Resolution.MINE: "Send my grade over theirs (with a new timestamp).",
    Resolution.THEIRS: "Drop my draft; nothing is sent.",
    Resolution.BOTH: "Keep their grade and add my comment beside theirs.",
}


class ConflictDialog(ChoiceDialog):
    # resolution, entry ids (None: all), the cells involved
    resolution_chosen = Signal(object, object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Resolve conflicts")
        self.setAccessibleName("Resolve conflicts")
        self.setModal(False)
        layout = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setAccessibleName("Conflict summary")
        self.summary.setWordWrap(True)
        self.model = ConflictsModel(self)
        self.table = QTableView(self)
        self.table.setAccessibleName("Conflicts, mine and theirs")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setTabKeyNavigation(False)  # Tab goes on to the buttons
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        metrics = self.fontMetrics()
        widths = {section: metrics.horizontalAdvance(sample) + 24 for section, sample in (
            (ConflictColumn.STUDENT, "Oluwaseun, Kowalski"),
            (ConflictColumn.LINE_ITEM, "Lab 3: Enzyme Kinetics"),
            (ConflictColumn.BASE_SCORE, "When you pulled"),
            (ConflictColumn.MINE_SCORE, "My score"),
            (ConflictColumn.MINE_COMMENT, "Clear method section"),
            (ConflictColumn.THEIRS_SCORE, "Their score"),
            (ConflictColumn.THEIRS_COMMENT, "Clear method section"),
            (ConflictColumn.CHANGED, "changed since your pull"))}
        for section, width in widths.items():
            self.table.setColumnWidth(section, width)
        # Wide enough that every column shows without scrolling sideways.
        self.resize(sum(widths.values()) + 80, 420)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        buttons = QGridLayout()
        self.row_buttons: dict[Resolution, QPushButton] = {}
        self.all_buttons: dict[Resolution, QPushButton] = {}
        for column, resolution in enumerate(Resolution):
            one = QPushButton(_SELECTED[resolution], self)
            one.setAccessibleName(f"{_VERBS[resolution]} for the selected students")
            one.setToolTip(_EXPLAIN[resolution])
            one.clicked.connect(lambda _=False, r=resolution: self.resolve_selected(r))
            every = QPushButton(_ALL[resolution], self)
            every.setAccessibleName(f"{_VERBS[resolution]} for all conflicts")
            every.setToolTip(_EXPLAIN[resolution])
            every.clicked.connect(lambda _=False, r=resolution: self.resolve_all(r))
            buttons.addWidget(one, 0, column)
            buttons.addWidget(every, 1, column)
            self.row_buttons[resolution] = one
            self.all_buttons[resolution] = every
        self.close_button = QPushButton("&Close", self)
        self.close_button.setAccessibleName("Close conflicts")
        self.close_button.clicked.connect(self.close)
        buttons.addWidget(self.close_button, 1, len(Resolution))
        layout.addLayout(buttons)
        pushed = [*self.row_buttons.values(), *self.all_buttons.values(), self.close_button]
        for button in pushed:
            button.setAutoDefault(False)  # else Qt makes the first one Enter's default
            button.setDefault(False)
        for first, second in pairwise([self.table, *pushed]):
            QWidget.setTabOrder(first, second)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._busy = False
        self.show_conflicts(())

    def show_conflicts(self, rows: Sequence[ConflictRow]) -> None:
        self.model.load(rows)
        self.table.resizeRowsToContents()
        count = len(rows)
        self.summary.setText(
            f"{count} grade{'s' if count != 1 else ''} changed on the platform after your edit. "
            "Each row shows what the platform held when you pulled, yours and theirs. Choose "
            "whose to keep for the selected rows (Tab to the buttons, or Alt+M, Alt+T, Alt+B), "
            "or for all."
            if count else "No conflicts left.")
        if count:
            self.table.selectRow(0)
        self._busy = False
        self._update_buttons()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def _update_buttons(self, *_: object) -> None:
        has_rows = self.model.rowCount() > 0 and not self._busy
        selected = bool(self.table.selectionModel().selectedRows()) and has_rows
        for button in self.row_buttons.values():
            button.setEnabled(selected)
        for button in self.all_buttons.values():
            button.setEnabled(has_rows)

    def resolve_selected(self, resolution: Resolution) -> None:
        rows = [self.model.row_at(i.row()) for i in self.table.selectionModel().selectedRows()]
        if rows:
            self.set_busy(True)
            self.resolution_chosen.emit(resolution, [r.entry_id for r in rows],
                                        [r.key for r in rows])

    def resolve_all(self, resolution: Resolution) -> None:
        rows = self.model.rows()
        if rows:
            self.set_busy(True)
            self.resolution_chosen.emit(resolution, None, [r.key for r in rows])
