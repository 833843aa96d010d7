"""A dialog whose buttons each make a choice that matters (keep mine or theirs, accept or
reject grades): no button is the default, so Enter never chooses by itself; it presses only
the button the keyboard is on."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QPushButton


class ChoiceDialog(QDialog):
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focused = self.focusWidget()
            if isinstance(focused, QPushButton) and focused.isEnabled():
                focused.click()  # the button the grader chose with Tab
            event.accept()  # elsewhere Enter does nothing: nothing is chosen by default
            return
        super().keyPressEvent(event)
