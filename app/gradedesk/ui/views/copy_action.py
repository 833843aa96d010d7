"""Ctrl+C and a right-click "Copy" on a list of lines (the activity list, a grade's history)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


def add_copy_action(view: QWidget, text: str, copy: Callable[[], None]) -> QAction:
    """Give ``view`` a copy action: Ctrl+C while it has the focus, and its context menu."""
    action = QAction(text, view)
    action.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
    action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    action.triggered.connect(copy)
    view.addAction(action)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    return action
