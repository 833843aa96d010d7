"""Review proposed grades: each row shows the student, the column, the grade now, the grade
proposed and how it was reached (a rubric's new points, a late rule, "mark missing"). Accept
the selected rows or all (they become queued drafts), or reject them. Nothing is accepted by
Enter alone: a grader chooses a button."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gradedesk.ui.dialogs.choice_dialog import ChoiceDialog
from gradedesk.ui.proposals_presenter import ProposalView

_HEADERS = ("Student", "Column", "Now", "Proposed", "Why", "Working")


class ProposalsDialog(ChoiceDialog):
    accept_chosen = Signal(object)  # list of proposal ids, or None for all
    reject_chosen = Signal(object)  # list of proposal ids, or None for all

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Review proposed grades")
        self.setAccessibleName("Review proposed grades")
        self.setModal(False)
        layout = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Proposed grades summary")
        self.table = QTableWidget(0, len(_HEADERS), self)
        self.table.setAccessibleName("Proposed grades")
        self.table.setHorizontalHeaderLabels(list(_HEADERS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab goes on to the buttons
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.accept_selected = QPushButton("&Accept selected", self)
        self.accept_all = QPushButton("Accept a&ll", self)
        self.reject_selected = QPushButton("&Reject selected", self)
        self.close_button = QPushButton("&Close", self)
        self.accept_selected.setToolTip("Queue the selected grades; the next push sends them.")
        self.accept_all.setToolTip("Queue every proposed grade; the next push sends them.")
        self.reject_selected.setToolTip("Drop the selected proposals; the grades stay.")
        pushed = [self.accept_selected, self.accept_all, self.reject_selected,
                  self.close_button]
        for button in pushed:
            button.setAutoDefault(False)
            button.setDefault(False)
            buttons.addWidget(button)
        buttons.insertStretch(3)
        layout.addLayout(buttons)
        for first, second in pairwise([self.table, *pushed]):
            QWidget.setTabOrder(first, second)
        self.accept_selected.clicked.connect(lambda: self._emit(self.accept_chosen, False))
        self.accept_all.clicked.connect(lambda: self._emit(self.accept_chosen, True))
        self.reject_selected.clicked.connect(lambda: self._emit(self.reject_chosen, False))
        self.close_button.clicked.connect(self.close)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._ids: list[int] = []
        self._busy = False
        self.resize(900, 420)
        self.show_proposals(())

    def show_proposals(self, views: Sequence[ProposalView]) -> None:
        self._ids = [view.id for view in views]
        self.table.setRowCount(len(views))
        for row, view in enumerate(views):
            cells = (view.student, view.column, view.was, view.proposed, view.reason,
                     view.working)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column in (2, 3):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight |
                                          Qt.AlignmentFlag.AlignVCenter)
                if view.comment:
                    item.setToolTip(f"Comment the student gets: {view.comment}")
                self.table.setItem(row, column, item)
        count = len(views)
        self.summary.setText(
            f"{count} proposed grade{'s' if count != 1 else ''} wait for review. None is sent "
            "until you accept it; accepted grades are queued like grades you type, and the "
            "next push sends them." if count else "No proposed grades wait for review.")
        if count:
            self.table.selectRow(0)
        self._busy = False
        self._update_buttons()

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self._ids[row] for row in rows if row < len(self._ids)]

    def _update_buttons(self) -> None:
        has_rows = bool(self._ids) and not self._busy
        selected = has_rows and bool(self.selected_ids())
        self.accept_selected.setEnabled(selected)
        self.reject_selected.setEnabled(selected)
        self.accept_all.setEnabled(has_rows)

    def _emit(self, signal: SignalInstance, every: bool) -> None:
        chosen = None if every else self.selected_ids()
        if chosen == []:
            return
        self.set_busy(True)
        signal.emit(chosen)
