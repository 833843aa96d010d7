"""The spreadsheet-like table both grade models are shown in.

Keys a spreadsheet user expects: type to replace a cell, Enter saves and moves down, F2 edits,
Delete clears, Ctrl+C copies the selection as tab-separated text, Ctrl+V pastes such a block
onto the selection, Ctrl+D fills down, Ctrl+Enter in an editor sets every selected cell.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QTableView,
    QWidget,
)

from gradedesk.ui.models.base import GradeTableModel, field_of
from gradedesk.ui.sync_states import warning_color
from gradedesk.ui.undo_values import Field
from gradedesk.ui.views.delegates import GradeDelegate

_CLEARABLE = (Field.SCORE, Field.COMMENT)


class CellErrorBubble(QLabel):
    """The reason a cell refused its input, shown right under the cell until the next edit."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("cellErrorBubble")
        self.setAccessibleName("Input refused")
        self.setWordWrap(True)
        self.setFrameShape(QFrame.Shape.Box)
        self.setMargin(6)
        self.setAutoFillBackground(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_for(self, rect_bottom_left: QPoint, width: int, message: str) -> None:
        color = warning_color(self.palette()).name()
        # Opaque, in the palette's own colours: it sits over other cells' text.
        self.setStyleSheet(f"QLabel#cellErrorBubble {{ border: 2px solid {color}; "
                           "border-radius: 3px; background: palette(base); "
                           "color: palette(text); }")
        self.setText(f"⚠ Not saved: {message}")
        self.setAccessibleDescription(message)
        self.setFixedWidth(max(220, min(width, 420)))
        self.adjustSize()
        parent = self.parentWidget()
        x, y = rect_bottom_left.x(), rect_bottom_left.y() + 2
        if parent is not None:
            x = max(0, min(x, parent.width() - self.width()))
            if y + self.height() > parent.height():
                y = max(0, rect_bottom_left.y() - self.height() - 30)
        self.move(x, y)
        self.show()
        self.raise_()


class GradeTableView(QTableView):
    refusal_shown = Signal(str)  # for the status bar

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed
                             | QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(True)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # Fixed row heights: the view never measures 2,000 rows to lay them out.
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        rows.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(True)
        header.setSortIndicatorShown(True)
        self.setSortingEnabled(True)
        self.bubble = CellErrorBubble(self.viewport())
        self._delegate = GradeDelegate(self, on_refused=self.show_refusal,
                                       on_apply_to_selection=self.set_selection_value)
        self.setItemDelegate(self._delegate)
        self._model: GradeTableModel | None = None

    def setModel(self, model: QAbstractItemModel | None) -> None:
        if self._model is not None:
            self._model.cell_refused.disconnect(self._on_model_cell_refused)
            self._model.cell_accepted.disconnect(self._on_model_cell_accepted)
        super().setModel(model)
        self._model = model if isinstance(model, GradeTableModel) else None
        if self._model is not None:
            self._model.cell_refused.connect(self._on_model_cell_refused)
            self._model.cell_accepted.connect(self._on_model_cell_accepted)

    @property
    def grade_model(self) -> GradeTableModel | None:
        return self._model

    # --- refusals -------------------------------------------------------------------------

    def show_refusal(self, index: QModelIndex, message: str) -> None:
        rect = self.visualRect(index)
        self.bubble.show_for(rect.bottomLeft(), max(rect.width(), 260), message)
        self.refusal_shown.emit(message)

    def _on_model_cell_refused(self, row: int, column: int, message: str) -> None:
        assert self._model is not None
        self.show_refusal(self._model.index(row, column), message)

    def _on_model_cell_accepted(self, row: int, column: int) -> None:
        self.bubble.hide()

    # --- keys -----------------------------------------------------------------------------

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        super().closeEditor(editor, hint)
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache and \
                self._delegate.take_enter_commit():
            self.move_current(1)  # Enter saves and moves down, as in a spreadsheet

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.state() != QAbstractItemView.State.EditingState:
            if event.matches(QKeySequence.StandardKey.Copy):
                self.copy_selection()
                return
            if event.matches(QKeySequence.StandardKey.Paste):
                self.paste()
                return
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
                self.move_current(1)
                return
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not event.modifiers():
                self.clear_selection_values()
                return
            if key == Qt.Key.Key_D and event.modifiers() == Qt.KeyboardModifier.ControlModifier:
                self.fill_down()
                return
            if key == Qt.Key.Key_Escape:
                self.bubble.hide()
        super().keyPressEvent(event)

    def move_current(self, rows: int) -> None:
        current = self.currentIndex()
        model = self.model()
        if not current.isValid() or model is None:
            return
        row = max(0, min(model.rowCount() - 1, current.row() + rows))
        target = model.index(row, current.column())
        self.selectionModel().setCurrentIndex(
            target, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.scrollTo(target)

    # --- block operations -----------------------------------------------------------------

    def _selected(self) -> list[QModelIndex]:
        indexes = self.selectionModel().selectedIndexes() if self.selectionModel() else []
        if not indexes and self.currentIndex().isValid():
            indexes = [self.currentIndex()]
        return sorted(indexes, key=lambda i: (i.row(), i.column()))

    def copy_selection(self) -> str:
        """Copy the selection's bounding block as tab-separated text; returns the text."""
        indexes = self._selected()
        model = self.model()
        if not indexes or model is None:
            return ""
        top = min(i.row() for i in indexes)
        bottom = max(i.row() for i in indexes)
        left = min(i.column() for i in indexes)
        right = max(i.column() for i in indexes)
        chosen = {(i.row(), i.column()) for i in indexes}
        lines = []
        for row in range(top, bottom + 1):
            cells = []
            for column in range(left, right + 1):
                value = model.index(row, column).data(Qt.ItemDataRole.EditRole) \
                    if (row, column) in chosen else ""
                cells.append("" if value is None else str(value).replace("\t", " ")
                             .replace("\n", " "))
            lines.append("\t".join(cells))
        text = "\n".join(lines)
        QGuiApplication.clipboard().setText(text)
        return text

    def paste(self, text: str | None = None) -> bool:
        """Paste a tab-separated block at the selection's top-left cell. Its columns land on
        the editable columns in view order (a "score<TAB>comment" block pasted on Score fills
        Score and Comment, skipping "Out of"). One value pasted onto a larger selection fills
        it. All or nothing: a block that does not fit, or one refused value, stores none and
        says why."""
        if self._model is None:
            return False
        raw = QGuiApplication.clipboard().text() if text is None else text
        if not raw:
            return False
        block = [line.split("\t") for line in raw.replace("\r\n", "\n").replace("\r", "\n")
                 .rstrip("\n").split("\n")]
        selected = self._selected()
        if not selected:
            return False
        edits: list[tuple[int, int, object]] = []
        if len(block) == 1 and len(block[0]) == 1 and len(selected) > 1:
            edits = [(i.row(), i.column(), block[0][0]) for i in selected
                     if field_of(i) is not None]
        else:
            header = self.horizontalHeader()
            top = min(i.row() for i in selected)
            left = min(header.visualIndex(i.column()) for i in selected)
            anchor = self._model.index(top, header.logicalIndex(left))
            columns = self._editable_after(left)
            refusal = self._misfit(block, top, columns, anchor.column())
            if refusal is not None:
                self.show_refusal(anchor, refusal)
                return False
            for dy, values in enumerate(block):
                for dx, value in enumerate(values):
                    if dx < len(columns):
                        edits.append((top + dy, columns[dx], value))
        if not edits:
            return False
        return self._model.submit_edits(edits, "Paste") is None

    def _editable_after(self, visual: int) -> list[int]:
        """The editable columns shown at or right of a visual position, in view order (the
        order the grader sees, whatever the model's)."""
        assert self._model is not None
        header = self.horizontalHeader()
        found = []
        for position in range(max(0, visual), header.count()):
            column = header.logicalIndex(position)
            if not self.isColumnHidden(column) and self._model.column_editable(column):
                found.append(column)
        return found

    def _misfit(self, block: list[list[str]], top: int, columns: list[int],
                anchor_column: int) -> str | None:
        """Why a block cannot be pasted whole here (None: it fits). Empty cells past the edges
        carry nothing and are not counted."""
        assert self._model is not None
        if not any(v.strip() for values in block for v in values):
            return None
        tall = max(dy for dy, values in enumerate(block) if any(v.strip() for v in values)) + 1
        wide = max(max((dx for dx, v in enumerate(values) if v.strip()), default=-1) + 1
                   for values in block)
        problems = []
        extra_rows = tall - (self._model.rowCount() - top)
        if extra_rows > 0:
            problems.append(f"{extra_rows} row{'s' if extra_rows != 1 else ''} did not fit "
                            "below the last student")
        extra_columns = wide - len(columns)
        if extra_columns > 0:
            where = (f"right of {self._model.column_title(columns[-1])}, the last column you "
                     "can type in" if columns else
                     f"at or right of {self._model.column_title(anchor_column)}: no column "
                     "there can be typed in")
            problems.append(f"{extra_columns} column{'s' if extra_columns != 1 else ''} did "
                            f"not fit {where}")
        if not problems:
            return None
        return "; ".join(problems) + "; nothing was pasted."

    def fill_down(self) -> bool:
        """Copy each selected column's top value into the selected cells below it; with one
        row selected, copy the value from the row above (as spreadsheets do)."""
        if self._model is None:
            return False
        selected = [i for i in self._selected() if field_of(i) is not None]
        by_column: dict[int, list[QModelIndex]] = {}
        for index in selected:
            by_column.setdefault(index.column(), []).append(index)
        edits: list[tuple[int, int, object]] = []
        for column, indexes in by_column.items():
            indexes.sort(key=lambda i: i.row())
            if len(indexes) == 1:
                if indexes[0].row() == 0:
                    continue
                source = self._model.index(indexes[0].row() - 1, column)
                targets = indexes
            else:
                source, targets = indexes[0], indexes[1:]
            value = source.data(Qt.ItemDataRole.EditRole)
            edits.extend((t.row(), column, "" if value is None else value) for t in targets)
        if not edits:
            return False
        return self._model.submit_edits(edits, "Fill down") is None

    def set_selection_value(self, text: str) -> bool:
        """Set every selected editable cell to ``text`` (one undo step)."""
        if self._model is None:
            return False
        edits: list[tuple[int, int, object]] = [
            (i.row(), i.column(), text) for i in self._selected()
            if field_of(i) is not None]
        if not edits:
            return False
        return self._model.submit_edits(edits, "Set value") is None

    def clear_selection_values(self) -> bool:
        """Delete: clear the selected scores and new comments."""
        if self._model is None:
            return False
        edits: list[tuple[int, int, object]] = [
            (i.row(), i.column(), "") for i in self._selected()
            if field_of(i) in _CLEARABLE]
        if not edits:
            return False
        return self._model.submit_edits(edits, "Clear") is None
