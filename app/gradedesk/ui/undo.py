"""Every grid edit is a QUndoCommand holding the before and after values of the cells it touched.

Redo and undo hand the change to the presenter, which saves it on the store lane; the command
itself never touches SQLite. Undo after a push retracts nothing: it queues the earlier value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtGui import QUndoCommand

from gradedesk.ui.undo_values import CellChange

ApplyChanges = Callable[[Sequence[CellChange], bool], None]  # (changes, undo)


class EditCellsCommand(QUndoCommand):
    """One grader action (a typed score, a paste, a fill, a review step) over one or more cells."""

    def __init__(self, text: str, changes: Sequence[CellChange], apply: ApplyChanges) -> None:
        super().__init__(text)
        self.changes = tuple(changes)
        self._apply = apply

    def redo(self) -> None:
        self._apply(self.changes, False)

    def undo(self) -> None:
        self._apply(self.changes, True)


def describe(changes: Sequence[CellChange], what: str) -> str:
    """Undo menu text: "Edit score", "Paste 12 cells"."""
    cells = {change.key for change in changes}
    return what if len(cells) == 1 else f"{what} ({len(cells)} cells)"
