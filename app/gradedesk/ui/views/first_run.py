"""The first screen when nothing is configured: try the sandbox, or connect a real course."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class FirstRunPage(QWidget):
    sandbox_requested = Signal()
    connect_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunPage")
        self.setAccessibleName("Welcome")
        outer = QVBoxLayout(self)
        outer.addStretch(2)
        column = QWidget(self)
        # A fixed width lets the wrapped labels compute their height (a maximum width with
        # centring leaves them one line tall and clipped).
        column.setFixedWidth(max(460, self.fontMetrics().averageCharWidth() * 70))
        layout = QVBoxLayout(column)
        title = QLabel("Welcome to GradeDesk", column)
        title.setAccessibleName("Welcome title")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        text = QLabel(
            "Grade in a fast gradebook on your own machine, online or offline. GradeDesk sends "
            "every score and comment to your learning platform later, exactly once, and never "
            "overwrites a colleague's newer grade.", column)
        text.setWordWrap(True)
        text.setAccessibleName("Welcome text")
        self.sandbox_button = QPushButton("Try it on a sandbox course", column)
        self.sandbox_button.setAccessibleName("Try it on a sandbox course")
        self.sandbox_button.setToolTip("Start a built-in, Canvas-like sample course on this "
                                       "machine and open it. Nothing reaches a real platform.")
        self.sandbox_button.setDefault(True)
        self.sandbox_button.setMinimumHeight(self.fontMetrics().height() * 3)
        bold = self.sandbox_button.font()
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.15)
        self.sandbox_button.setFont(bold)
        self.sandbox_note = QLabel("A sample Biology course with students, assignments and "
                                   "submissions waiting for grading.", column)
        self.sandbox_note.setWordWrap(True)
        self.sandbox_note.setAccessibleName("Sandbox explanation")
        self.connect_button = QPushButton("Connect to a course…", column)
        self.connect_button.setAccessibleName("Connect to a course")
        self.connect_button.setMinimumHeight(self.fontMetrics().height() * 2)
        self.connect_button.setToolTip("Set up an LTI Advantage (Canvas or any AGS platform) or "
                                       "LTIAAS connection")
        self.status = QLabel("", column)
        self.status.setAccessibleName("Start-up status")
        self.status.setWordWrap(True)
        layout.addWidget(title)
        layout.addSpacing(8)
        layout.addWidget(text)
        layout.addSpacing(16)
        layout.addWidget(self.sandbox_button)
        layout.addWidget(self.sandbox_note)
        layout.addSpacing(12)
        layout.addWidget(self.connect_button)
        layout.addSpacing(8)
        layout.addWidget(self.status)
        # Centred with stretches, not an alignment flag: an aligned widget gets its sizeHint
        # height, which ignores how tall the wrapped labels need to be at this width.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(column)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(3)
        self.sandbox_button.clicked.connect(self.sandbox_requested)
        self.connect_button.clicked.connect(self.connect_requested)

    def set_busy(self, message: str | None) -> None:
        busy = message is not None
        self.sandbox_button.setEnabled(not busy)
        self.connect_button.setEnabled(not busy)
        self.status.setText(message or "")
