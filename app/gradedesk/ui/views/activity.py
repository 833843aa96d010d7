"""The activity list (View > Activity): every message that matters, with its time, newest
first, so that a push result or a refusal stays readable after the status bar moved on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gradedesk.ui.views.copy_action import add_copy_action

# A day of grading makes a few hundred messages; older ones are dropped beyond this.
MAX_ENTRIES = 1000


class Level(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


_MARKS = {Level.INFO: "", Level.WARNING: "⚠ ", Level.ERROR: "✖ "}
_LEVEL_WORDS = {Level.INFO: "Note", Level.WARNING: "Warning", Level.ERROR: "Error"}


@dataclass(frozen=True, slots=True)
class Entry:
    when: datetime
    text: str
    level: Level


class ActivityPanel(QDockWidget):
    """A dock with one row per message: time, then the message (its full text on hover)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Activity", parent)
        self.setObjectName("activityDock")  # saveState/restoreState find it by this name
        self.setAccessibleName("Activity")
        self.setAllowedAreas(Qt.DockWidgetArea.BottomDockWidgetArea |
                             Qt.DockWidgetArea.RightDockWidgetArea |
                             Qt.DockWidgetArea.LeftDockWidgetArea)
        self.entries: list[Entry] = []  # newest first, like the list
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 2, 4, 4)
        top = QHBoxLayout()
        self.summary = QLabel("No messages yet.", body)
        self.summary.setAccessibleName("Activity summary")
        self.clear_button = QPushButton("C&lear list", body)
        self.clear_button.setAccessibleName("Clear the activity list")
        self.clear_button.setToolTip("Empty this list (nothing else changes)")
        self.clear_button.clicked.connect(self.clear)
        top.addWidget(self.summary, 1)
        top.addWidget(self.clear_button)
        layout.addLayout(top)
        self.messages = QTreeWidget(body)
        self.messages.setObjectName("activityList")
        self.messages.setAccessibleName("Activity messages, newest first")
        self.messages.setColumnCount(2)
        self.messages.setHeaderLabels(["Time", "Message"])
        self.messages.setRootIsDecorated(False)
        self.messages.setUniformRowHeights(True)
        self.messages.setAlternatingRowColors(True)
        self.messages.setWordWrap(False)
        self.messages.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.messages.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        add_copy_action(self.messages, "&Copy messages", self.copy_selection)
        layout.addWidget(self.messages, 1)
        self.setWidget(body)

    def add(self, text: str, level: Level = Level.INFO, *,
            when: datetime | None = None) -> None:
        """Record a message at the top of the list (blank ones are ignored)."""
        text = " ".join(text.split())
        if not text:
            return
        entry = Entry(when or datetime.now().astimezone(), text, level)
        self.entries.insert(0, entry)
        item = QTreeWidgetItem([entry.when.strftime("%H:%M:%S"), f"{_MARKS[level]}{text}"])
        item.setToolTip(0, entry.when.strftime("%A %d %B %Y, %H:%M:%S"))
        item.setToolTip(1, text)
        item.setData(1, Qt.ItemDataRole.AccessibleTextRole,
                     f"{_LEVEL_WORDS[level]}: {text}")
        self.messages.insertTopLevelItem(0, item)
        while len(self.entries) > MAX_ENTRIES:
            self.entries.pop()
            self.messages.takeTopLevelItem(self.messages.topLevelItemCount() - 1)
        self._update_summary()

    def texts(self) -> list[str]:
        """The messages, newest first (what the list shows, without the marks)."""
        return [entry.text for entry in self.entries]

    def clear(self) -> None:
        self.entries.clear()
        self.messages.clear()
        self._update_summary()

    def copy_selection(self) -> None:
        """Copy the selected messages as "time<TAB>message" lines (for a support request)."""
        rows = sorted(self.messages.indexOfTopLevelItem(item)
                      for item in self.messages.selectedItems())
        lines = [f"{self.entries[row].when:%H:%M:%S}\t{self.entries[row].text}"
                 for row in rows if 0 <= row < len(self.entries)]
        if lines:
            QApplication.clipboard().setText("\n".join(lines))

    def _update_summary(self) -> None:
        count = len(self.entries)
        if not count:
            self.summary.setText("No messages yet.")
            return
        problems = sum(1 for entry in self.entries if entry.level is not Level.INFO)
        text = f"{count} message{'s' if count != 1 else ''}, newest first"
        if problems:
            text += f"; {problems} warning{'s' if problems != 1 else ''} or error" \
                    f"{'s' if problems != 1 else ''}"
        self.summary.setText(text + ".")
