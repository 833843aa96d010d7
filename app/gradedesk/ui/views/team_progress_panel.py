"""Team progress, under the at-a-glance panel: each grader's students in the column shown (or
in every column, in the gradebook view) as assigned, graded on the platform, drafted here and
left, and the total. Hidden while no split among graders applies.

Shows numbers it is given (sync.team_progress, read on the store lane); computes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from gradedesk.sync.team_progress import GraderTally, Tally

HEADERS = ("Grader", "Assigned", "Graded", "Drafted", "Left")
TIPS = ("Graders in the order of the split; “(you)” is who grades on this computer.",
        "Students given to the grader in the split among graders.",
        "Of those, the ones the platform holds a score for (as of the last pull or push).",
        "Of the rest, the ones with a score drafted on this computer, not yet confirmed by "
        "the platform (each TA sees their own drafts only).",
        "Still to grade: the assigned less the graded and the drafted.")
TOTAL = "Total"


class TeamProgressPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("teamProgress")
        self.setAccessibleName("Team progress")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 6)
        self.title = QLabel("Team progress", self)
        self.title.setAccessibleName("Team progress title")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.scope = QLabel(self)
        self.scope.setAccessibleName("Team progress scope")
        self.scope.setWordWrap(True)
        self.note = QLabel(self)
        self.note.setAccessibleName("Team progress note")
        self.note.setWordWrap(True)
        self.table = QGridLayout()
        self.table.setHorizontalSpacing(8)
        self.table.setVerticalSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.scope)
        layout.addLayout(self.table)
        layout.addWidget(self.note)
        self._rows: dict[str, tuple[int, int, int, int]] = {}
        self.hide()

    def show_progress(self, scope: str, graders: Sequence[GraderTally], total: Tally, *,
                      note: str = "") -> None:
        """Show one table: a row per grader, then the total."""
        self._clear()
        for column, (text, tip) in enumerate(zip(HEADERS, TIPS, strict=True)):
            self._cell(0, column, text, tip, bold=True)
        rows = [(f"{g.grader} (you)" if g.mine else g.grader, g.grader, g.tally, g.mine)
                for g in graders]
        rows.append((TOTAL, TOTAL, total, False))
        for line, (shown, key, tally, mine) in enumerate(rows, start=1):
            bold = mine or key == TOTAL
            self._cell(line, 0, shown, None, bold=bold)
            for column, value in enumerate((tally.assigned, tally.graded, tally.drafted,
                                            tally.left), start=1):
                self._cell(line, column, str(value), None, bold=bold)
            self._rows[key] = (tally.assigned, tally.graded, tally.drafted, tally.left)
        self.scope.setText(scope)
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.setAccessibleDescription(f"{scope}: " + "; ".join(
            f"{name} {a} assigned, {g} graded, {d} drafted, {left} left"
            for name, (a, g, d, left) in self._rows.items()))
        self.show()

    def clear(self) -> None:
        self._clear()
        self.hide()

    def numbers(self) -> dict[str, tuple[int, int, int, int]]:
        """(assigned, graded, drafted, left) by grader name, and "Total": what is shown."""
        return dict(self._rows)

    def _cell(self, row: int, column: int, text: str, tip: str | None, *,
              bold: bool = False) -> None:
        label = QLabel(text, self)
        if column:
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if tip:
            label.setToolTip(tip)
        if bold:
            font = label.font()
            font.setBold(True)
            label.setFont(font)
        self.table.addWidget(label, row, column)

    def _clear(self) -> None:
        self._rows = {}
        while self.table.count():
            item = self.table.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # at once: deleteLater waits for the event loop
                widget.deleteLater()
