"""Re-sorting and re-filtering a grade table in place, for changes that are not a new filter
or a header click (e.g. "Hide names" turning every name into "Student 17")."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex

from gradedesk.ui.models.base import GradeTableModel


def relayout(model: GradeTableModel, change: Callable[[], None]) -> None:
    """Apply ``change`` and rebuild the visible order. The view's current cell and selection
    follow their rows when only the order moves; a name filter typed in may now match other
    rows, so then the model resets (the window puts the current student back)."""
    if model.filter_spec.text:
        model.beginResetModel()
        change()
        model._rebuild_order()
        model.endResetModel()
        return
    model.layoutAboutToBeChanged.emit()
    persistent = model.persistentIndexList()
    sources = [(model.source_row(index.row()), index.column())
               if index.isValid() and index.row() < model.rowCount() else None
               for index in persistent]
    change()
    model._rebuild_order()
    moved = [QModelIndex() if source is None or model.visible_row(source[0]) is None
             else model.index(model.visible_row(source[0]) or 0, source[1])
             for source in sources]
    model.changePersistentIndexList(persistent, moved)
    model.layoutChanged.emit()
    last = model.rowCount() - 1
    if last >= 0:  # the names read otherwise (column 0 in both tables)
        model.dataChanged.emit(model.index(0, 0), model.index(last, 0))
