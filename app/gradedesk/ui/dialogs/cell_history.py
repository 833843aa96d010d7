"""A cell's history (Grade > History of this grade…, the grid's context menu, Ctrl+Shift+H):
what was sent for one student's grade in one line item and what the platform made of it,
newest first. The same lines as ``gradedesk history --line-item ID --user ID``, with the
student and the line item by name and the times in local time. Loaded on the store lane."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gradedesk.ui.rows import GRADING_WORDS, CellKey
from gradedesk.ui.views.copy_action import add_copy_action

if TYPE_CHECKING:
    from gradedesk.sync.summaries import CellHistory, NamedAuditLine
    from gradedesk.ui.presenter import Presenter

HISTORY_LIMIT = 500  # lines shown; a grade is rarely sent more than a few times
EMPTY_TEXT = ("Nothing has been sent for this grade yet: its history starts with the first "
              "push that sends it.")


class CellHistoryDialog(QDialog):
    """One cell's audit lines: when (local time), what happened, who, and the details."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("History of a grade")
        self.setAccessibleName("History of a grade")
        self.setModal(False)
        self.key: CellKey | None = None
        self.history: CellHistory | None = None
        layout = QVBoxLayout(self)
        self.heading = QLabel(self)
        self.heading.setObjectName("historyHeading")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        layout.addWidget(self.heading)
        self.note = QLabel(self)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.setAccessibleName("History note")
        layout.addWidget(self.note)
        self.lines = QTreeWidget(self)
        self.lines.setObjectName("historyLines")
        self.lines.setAccessibleName("History, newest first")
        self.lines.setColumnCount(4)
        self.lines.setHeaderLabels(["When", "What happened", "By", "Details"])
        self.lines.setRootIsDecorated(False)
        self.lines.setAlternatingRowColors(True)
        self.lines.setUniformRowHeights(True)
        self.lines.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.lines.header()
        header.setStretchLastSection(True)
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        add_copy_action(self.lines, "&Copy lines", self.copy_selection)
        layout.addWidget(self.lines, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.resize(820, 360)

    def show_loading(self, key: CellKey) -> None:
        self.key = key
        self.history = None
        self.heading.setText("History of this grade")
        self.note.setText("Loading…")
        self.lines.clear()

    def show_history(self, key: CellKey, history: CellHistory) -> None:
        """Fill the dialog (a load for another cell, overtaken since, is ignored)."""
        if key != self.key:
            return
        self.history = history
        title = f"{history.student} in {history.line_item}"
        self.heading.setText(f"History of {title}")
        self.setWindowTitle(f"History — {history.student}, {history.line_item}")
        self.lines.clear()
        for line in history.lines:
            self.lines.addTopLevelItem(_item(line))
        count = len(history.lines)
        if not count:
            self.note.setText(EMPTY_TEXT)
        else:
            self.note.setText(
                f"{count} line{'s' if count != 1 else ''}, newest first; times are local time."
                + (f" Only the newest {history.limit} are shown." if count >= history.limit
                   else ""))
        self.lines.setVisible(bool(count))
        newest = self.lines.topLevelItem(0)
        if newest is not None:
            self.lines.setCurrentItem(newest)

    def texts(self) -> list[tuple[str, str, str, str]]:
        """The lines as shown (newest first)."""
        shown = []
        for row in range(self.lines.topLevelItemCount()):
            item = self.lines.topLevelItem(row)
            if item is not None:
                shown.append((item.text(0), item.text(1), item.text(2), item.text(3)))
        return shown

    def copy_selection(self) -> None:
        """Copy the selected lines as tab-separated text (for a colleague or a ticket)."""
        items = sorted(self.lines.selectedItems(), key=self.lines.indexOfTopLevelItem)
        if items:
            QApplication.clipboard().setText("\n".join(
                "\t".join(item.text(column) for column in range(4)) for item in items))


def _item(line: NamedAuditLine) -> QTreeWidgetItem:
    entry = line.entry
    local = entry.at.astimezone()
    raw = entry.summary
    if entry.reply_status and f"(HTTP {entry.reply_status})" not in raw:
        raw += f" (HTTP {entry.reply_status})"
    details = _in_words(raw)
    by = entry.grader if entry.grader == entry.os_user else f"{entry.grader} ({entry.os_user})"
    item = QTreeWidgetItem([local.strftime("%a %d %b %Y, %H:%M:%S"), line.action_words, by,
                            details])
    item.setToolTip(0, f"{local:%A %d %B %Y, %H:%M:%S %Z} (UTC {entry.at:%H:%M:%S})")
    item.setToolTip(1, entry.action)  # the audit log's own word, as `gradedesk history` says
    item.setToolTip(3, raw)  # with the AGS value the log recorded
    return item


def _in_words(summary: str) -> str:
    """A sent grade's summary ("FullyGraded, score 8/10") with its progress in words
    ("Graded, score 8/10"), as the grid says it."""
    value, comma, rest = summary.partition(",")
    if value in GRADING_WORDS:
        return f"{GRADING_WORDS[value]}{comma}{rest}"
    return summary


class CellHistoryOpener:
    """Opens the history dialog for a cell (one dialog, reused)."""

    def __init__(self, parent: QWidget, presenter: Presenter) -> None:
        self._parent = parent
        self._presenter = presenter
        self.dialog: CellHistoryDialog | None = None

    def open(self, key: CellKey | None) -> CellHistoryDialog | None:
        """Show the history of ``key`` (the current cell); None when there is none."""
        connection = self._presenter.connection
        if connection is None:
            return None
        if key is None:
            self._presenter.message_posted.emit("Select a student's grade first: the history "
                                                "is of one grade in one line item.")
            return None
        if self.dialog is None:
            self.dialog = CellHistoryDialog(self._parent)
        dialog = self.dialog
        dialog.show_loading(key)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        db = self._presenter.context.db
        url, user_id = key
        from gradedesk.sync.summaries import cell_history  # the audit's reader, when first asked

        self._presenter.run_store(
            "Loading history",
            lambda: cell_history(db, connection, url, user_id, limit=HISTORY_LIMIT),
            lambda history: dialog.show_history(key, self._as_shown(user_id, history)))
        return dialog

    def _as_shown(self, user_id: str, history: CellHistory) -> CellHistory:
        """The student as the grids call them ("Student 17" while names are hidden)."""
        label = self._presenter.student_label
        if label is None:
            return history
        shown = label(user_id)
        return replace(history, student=shown, lines=tuple(
            replace(line, student=shown) if line.student else line for line in history.lines))

    def close_all(self) -> None:
        if self.dialog is not None:
            self.dialog.close()
