"""Every grid edit is a QUndoCommand holding the before and after values of the cells it touched.

Redo and undo hand the change to the presenter, which saves it on the store lane; the command
itself never touches SQLite. Undo after a push retracts nothing: it queues the earlier value as
a new edit, unless the platform holds it already (see edits.py).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from PySide6.QtGui import QUndoCommand

from gradedesk.store import DraftRow
from gradedesk.ui.edits import Replay
from gradedesk.ui.rows import CellKey
from gradedesk.ui.undo_values import CellChange

# (command, changes, why): the presenter saves them and tells the command what went out.
ApplyChanges = Callable[["EditCellsCommand", Sequence[CellChange], Replay], None]
# (command, undo): the presenter discards the drafts again, or restores them.
ApplyDiscard = Callable[["DiscardCommand", bool], None]


class EditCellsCommand(QUndoCommand):
    """One grader action (a typed score, a paste, a fill, a review step) over one or more cells."""

    def __init__(self, text: str, changes: Sequence[CellChange], apply: ApplyChanges) -> None:
        super().__init__(text)
        self.changes = tuple(changes)
        self._apply = apply
        self._done_once = False
        # Cells whose edit had already gone out when it was undone: a redo must not send
        # again what the platform has (a posted comment, an attached file).
        self.sent: frozenset[CellKey] = frozenset()

    def redo(self) -> None:
        replay = Replay.REDO if self._done_once else Replay.EDIT
        self._done_once = True
        self._apply(self, self.changes, replay)

    def undo(self) -> None:
        self._apply(self, self.changes, Replay.UNDO)

    def note_sent(self, keys: Collection[CellKey]) -> None:
        self.sent = frozenset(keys)


class DiscardCommand(QUndoCommand):
    """"Discard my change" over one or more cells. The drafts were dropped before the command
    was made (so an empty discard leaves no undo step); undo brings them back."""

    def __init__(self, removed: dict[CellKey, DraftRow], apply: ApplyDiscard) -> None:
        count = len(removed)
        super().__init__("Discard my change" if count == 1
                         else f"Discard my changes ({count} cells)")
        self.removed = dict(removed)
        self._apply = apply
        self._done_once = False

    def redo(self) -> None:
        if self._done_once:
            self._apply(self, False)
        self._done_once = True  # the first time: already discarded

    def undo(self) -> None:
        self._apply(self, True)


def describe(changes: Sequence[CellChange], what: str) -> str:
    """Undo menu text: "Edit score", "Paste 12 cells"."""
    cells = {change.key for change in changes}
    return what if len(cells) == 1 else f"{what} ({len(cells)} cells)"
