"""The detail panel's conflict box: for a cell in conflict, what the platform held when you
pulled, yours, theirs and when theirs changed, with the conflict dialog's three choices.

No button is a default: Enter never resolves; each choice is a button reached by Tab or by
its mnemonic (Alt+M, Alt+T, Alt+B).
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QPushButton, QVBoxLayout, QWidget

from gradedesk.domain import format_score
from gradedesk.ui.loaders import ConflictRow

# The choices by the values of the engine's Resolution ("mine" == Resolution.MINE, and they
# key the same dict entries): the engine, which the window needs only once a grade is sent
# or a conflict settled, is imported when a choice is made, not to build the panel.
CHOICES = {"mine": "Keep &mine", "theirs": "Take &theirs", "both": "Keep &both"}
EXPLAIN = {
    "mine": "Send my grade over theirs (with a new timestamp).",
    "theirs": "Drop my draft; nothing is sent.",
    "both": "Keep their grade and add my comment beside theirs.",
}


def side_text(score: float | None, comment: str | None) -> str:
    """One side of a conflict in a few words: "7", "no score", "7, “Good work.”"."""
    shown = format_score(score) or "no score"
    return f"{shown}, “{comment}”" if comment else shown


class ConflictBox(QGroupBox):
    resolution_requested = Signal(object, object)  # Resolution, ConflictRow

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Conflict: choose whose grade to keep", parent)
        self.setObjectName("conflictBox")
        self.setAccessibleName("Conflict: choose whose grade to keep")
        layout = QVBoxLayout(self)
        self.sides = QLabel(self)
        self.sides.setAccessibleName("Conflict sides")
        self.sides.setWordWrap(True)
        self.sides.setTextFormat(Qt.TextFormat.RichText)
        self.sides.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.sides)
        # Two to a row: the panel may be as narrow as 240 pixels.
        grid = QGridLayout()
        self.buttons: dict[str, QPushButton] = {}
        for position, (resolution, text) in enumerate(CHOICES.items()):
            button = QPushButton(text, self)
            button.setAutoDefault(False)  # Enter in the panel must not pick a side
            button.setAccessibleName(text.replace("&", ""))
            button.setToolTip(EXPLAIN[resolution])
            button.clicked.connect(lambda _=False, r=resolution: self._on_button_clicked(r))
            grid.addWidget(button, *divmod(position, 2))
            self.buttons[resolution] = button
        layout.addLayout(grid)
        self.conflict: ConflictRow | None = None
        self.hide()

    def show_conflict(self, conflict: ConflictRow | None) -> None:
        self.conflict = conflict
        self.setVisible(conflict is not None)
        for button in self.buttons.values():
            button.setEnabled(conflict is not None)
        if conflict is None:
            self.sides.setText("")
            return
        rows = (("When you pulled", side_text(conflict.base_score, conflict.base_comment)),
                ("Yours", side_text(conflict.mine_score, conflict.mine_comment)),
                ("Theirs", f"{side_text(conflict.theirs_score, conflict.theirs_comment)} "
                           f"({conflict.changed_when})"))
        self.sides.setText("<table>" + "".join(
            f"<tr><td><b>{escape(title)}</b>&nbsp;&nbsp;</td><td>{escape(text)}</td></tr>"
            for title, text in rows) + "</table>")
        self.sides.setAccessibleDescription("; ".join(f"{t}: {x}" for t, x in rows))

    def set_busy(self, busy: bool) -> None:
        for button in self.buttons.values():
            button.setEnabled(not busy and self.conflict is not None)

    def _on_button_clicked(self, choice: str) -> None:
        if self.conflict is not None:
            from gradedesk.sync.engine import Resolution

            self.set_busy(True)  # until the resolved cell is shown again
            self.resolution_requested.emit(Resolution(choice), self.conflict)
