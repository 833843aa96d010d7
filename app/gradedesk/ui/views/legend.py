"""The sync-state legend: every state's icon, word and meaning."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from gradedesk.store import SyncState
from gradedesk.ui.sync_states import LOOKS, state_color, state_icon_for


class Legend(QWidget):
    """``compact``: icon and word only, the meaning in a tooltip (for the sidebar)."""

    def __init__(self, parent: QWidget | None = None, *, compact: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("legend")
        self.setAccessibleName("Sync state legend")
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 2, 4, 2)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(2)
        size = self.fontMetrics().height()
        columns = 2 if compact else 1
        for i, state in enumerate(SyncState):
            look = LOOKS[state]
            icon = QLabel(self)
            icon.setPixmap(state_icon_for(state).pixmap(QSize(size, size)))
            icon.setAccessibleName(f"{look.label} icon")
            word = QLabel(look.label, self)
            word.setStyleSheet(f"color: {state_color(state).name()};")
            word.setAccessibleName(f"{look.label}: {look.meaning}")
            word.setToolTip(look.meaning)
            icon.setToolTip(look.meaning)
            row, column = divmod(i, columns)
            grid.addWidget(icon, row, column * (2 if compact else 3))
            grid.addWidget(word, row, column * (2 if compact else 3) + 1)
            if not compact:
                meaning = QLabel(look.meaning, self)
                meaning.setWordWrap(True)
                meaning.setAccessibleName(f"Meaning of {look.label}")
                grid.addWidget(meaning, row, 2)
        if not compact:
            grid.setColumnStretch(2, 1)
