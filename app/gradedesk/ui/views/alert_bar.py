"""A dismissable message above the grid, for errors worth reading (never a modal box).

An alert says what it is about (the job that failed); when that job next succeeds, the alert
goes away on its own: a banner must not go on saying something that is no longer true."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget


class AlertBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alertBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel(self)
        self.label.setAccessibleName("Alert")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.dismiss = QToolButton(self)
        self.dismiss.setText("✕")
        self.dismiss.setAccessibleName("Dismiss alert")
        self.dismiss.setToolTip("Dismiss")
        self.dismiss.clicked.connect(self.hide)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.dismiss)
        self.about: str | None = None
        self.hide()

    def alert(self, text: str, *, about: str | None = None) -> None:
        """Show ``text``; ``about`` names the attempt whose success makes it untrue (None:
        only the grader dismisses it)."""
        self.label.setText(f"⚠ {text}")
        self.about = about
        self.show()

    def settle(self, about: str) -> None:
        """That attempt succeeded now: take down an alert about it."""
        if self.about is not None and self.about == about:
            self.about = None
            self.hide()
