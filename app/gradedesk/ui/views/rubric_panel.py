"""A column's rubric in grading mode, graded by keyboard: one row per criterion, its levels
numbered 1, 2, 3… as the rubric lists them. A number key picks that level of the current
criterion, Tab moves to the next criterion (Shift+Tab back; Tab after the last one goes on to
the comment), and the total of the levels chosen is the score. A click on a level picks it too.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QFont, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from gradedesk.domain import format_score
from gradedesk.domain.rubrics import Rubric, RubricChoice, choose

CURRENT_MARK = "▶"
_DIGITS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(1, 10)}


class RubricPanel(QGroupBox):
    """Levels picked by number keys; ``choice_changed`` after every pick."""

    choice_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Rubric", parent)
        self.setAccessibleName("Rubric")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.rubric: Rubric | None = None
        self.current = 0  # the criterion number keys act on
        self.positions: dict[str, int] = {}  # criterion name -> chosen level (from 0)
        self._layout = QGridLayout(self)
        self._layout.setColumnStretch(2, 1)
        self._names: list[QLabel] = []
        self._buttons: list[list[QPushButton]] = []
        # A chosen level must stand out at a glance, in every style and theme.
        self.setStyleSheet("QPushButton:checked { background: palette(highlight); "
                           "color: palette(highlighted-text); }")
        self.hint = QLabel("", self)
        self.hint.setAccessibleName("Rubric keys")
        self.hint.setWordWrap(True)

    # --- content ----------------------------------------------------------------------------

    def set_rubric(self, rubric: Rubric | None, chosen: RubricChoice | None = None) -> None:
        """Show a rubric (None: hide the panel), with the levels already chosen, if any."""
        self.rubric = rubric
        self.current = 0
        self.positions = {}
        if rubric is not None and chosen is not None:
            for level in chosen.levels:
                criterion = rubric.find(level.criterion)
                if criterion is not None and level.position < len(criterion.levels):
                    self.positions[criterion.name] = level.position
        self._rebuild()
        self.setVisible(rubric is not None)

    def _rebuild(self) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None and widget is not self.hint:
                widget.deleteLater()
        self._names, self._buttons = [], []
        rubric = self.rubric
        if rubric is None:
            return
        for row, criterion in enumerate(rubric.criteria):
            name = QLabel(self)
            name.setAccessibleName(f"Criterion {criterion.name}")
            self._layout.addWidget(name, row, 0)
            levels = QHBoxLayout()
            buttons = []
            for position, level in enumerate(criterion.levels):
                text = f"{position + 1}:  {format_score(level.points)}"
                if level.description:
                    text += f" · {level.description}"
                button = QPushButton(text, self)
                button.setCheckable(True)
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys are the panel's
                button.setAccessibleName(f"{criterion.name}: level {position + 1}")
                button.setToolTip(f"{criterion.name}: {format_score(level.points)} points"
                                  + (f" — {level.description}" if level.description else ""))
                button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
                button.clicked.connect(lambda _=False, r=row, p=position: self._clicked(r, p))
                levels.addWidget(button)
                buttons.append(button)
            levels.addStretch(1)
            self._layout.addLayout(levels, row, 1, 1, 2)
            self._names.append(name)
            self._buttons.append(buttons)
        self._layout.addWidget(self.hint, len(rubric.criteria), 0, 1, 3)
        self._show_state()

    def _show_state(self) -> None:
        rubric = self.rubric
        if rubric is None:
            return
        focused = self.hasFocus()
        for row, criterion in enumerate(rubric.criteria):
            label = self._names[row]
            mark = CURRENT_MARK if row == self.current and focused else "  "
            label.setText(f"{mark} {criterion.name}")
            font = QFont(label.font())
            font.setBold(row == self.current)
            label.setFont(font)
            picked = self.positions.get(criterion.name)
            for position, button in enumerate(self._buttons[row]):
                button.setChecked(position == picked)
        criterion = rubric.criteria[self.current]
        keys = f"1 to {len(criterion.levels)}" if len(criterion.levels) > 1 else "1"
        total = self.choice().total
        self.hint.setText(
            f"{criterion.name}: press {keys} to pick a level; Tab: next criterion. "
            f"Total {format_score(total)} / {format_score(rubric.maximum)}"
            + ("" if self.complete() else
               f" ({len(rubric.criteria) - len(self.positions)} criteria left)"))
        self.hint.setForegroundRole(QPalette.ColorRole.WindowText)

    # --- the choice -------------------------------------------------------------------------

    def choice(self) -> RubricChoice:
        """The levels chosen so far (maybe not every criterion)."""
        if self.rubric is None:
            return RubricChoice(())
        return choose(self.rubric, self.positions)

    def complete(self) -> bool:
        return self.rubric is not None and \
            len(self.positions) == len(self.rubric.criteria)

    def pick(self, position: int) -> bool:
        """Choose level ``position`` (from 0) of the current criterion."""
        rubric = self.rubric
        if rubric is None:
            return False
        criterion = rubric.criteria[self.current]
        if not 0 <= position < len(criterion.levels):
            return False
        self.positions[criterion.name] = position
        self._show_state()
        self.choice_changed.emit()
        return True

    def _clicked(self, row: int, position: int) -> None:
        self.current = row
        self.pick(position)
        self.setFocus(Qt.FocusReason.MouseFocusReason)

    # --- keys -------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        number = _DIGITS.get(Qt.Key(event.key()))
        if number is not None and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.pick(number - 1)
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up) and self.rubric is not None:
            step = 1 if event.key() == Qt.Key.Key_Down else -1
            self.current = max(0, min(len(self.rubric.criteria) - 1, self.current + step))
            self._show_state()
            event.accept()
            return
        super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab walks the criteria first; past the last (or before the first), focus moves on."""
        rubric = self.rubric
        if rubric is not None and self.hasFocus():
            target = self.current + (1 if next else -1)
            if 0 <= target < len(rubric.criteria):
                self.current = target
                self._show_state()
                return True
        return super().focusNextPrevChild(next)

    def focusInEvent(self, event: QFocusEvent) -> None:
        if self.rubric is not None:
            if event.reason() == Qt.FocusReason.TabFocusReason:
                self.current = 0
            elif event.reason() == Qt.FocusReason.BacktabFocusReason:
                self.current = len(self.rubric.criteria) - 1
        super().focusInEvent(event)
        self._show_state()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self._show_state()
