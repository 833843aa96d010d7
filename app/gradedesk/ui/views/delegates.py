"""Cell editors: a line edit for scores and comments, a list for progress values.

A refused score ("abc", -5, 1e9 for 9) never closes the editor on Enter or Tab: the text stays
as typed and the reason appears at the cell. Ctrl+Enter applies the typed value to every
selected cell. A score above its maximum (extra credit) carries a "+" badge.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from gradedesk.domain import ActivityProgress, GradingProgress, InputError
from gradedesk.ui.models.base import (
    ERROR_ROLE,
    EXTRA_CREDIT_ROLE,
    MAXIMUM_ROLE,
    ModelIndex,
    check_field,
    field_of,
    progress_words,
)
from gradedesk.ui.sync_states import extra_credit_color, is_dark, warning_color
from gradedesk.ui.undo_values import Field

_FIELD_NAMES = {Field.SCORE: "Score", Field.COMMENT: "Comment",
                Field.ACTIVITY: "Activity progress", Field.GRADING: "Grading progress"}

RefusedCallback = Callable[[QModelIndex, str], None]
ApplyToSelection = Callable[[str], object]


class GradeDelegate(QStyledItemDelegate):
    def __init__(self, parent: QObject | None = None, *,
                 on_refused: RefusedCallback | None = None,
                 on_apply_to_selection: ApplyToSelection | None = None) -> None:
        super().__init__(parent)
        self._on_refused = on_refused
        self._on_apply_to_selection = on_apply_to_selection
        self._editing: dict[QWidget, QPersistentModelIndex] = {}
        self._committed_by_enter = False

    def take_enter_commit(self) -> bool:
        """True once after Enter committed an edit (the view then moves down). Qt closes an
        editor with the same hint when the current row changes, so the hint cannot tell."""
        committed, self._committed_by_enter = self._committed_by_enter, False
        return committed
    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: ModelIndex) -> QWidget:
        field = field_of(index)
        editor: QWidget
        if field in (Field.ACTIVITY, Field.GRADING):
            combo = QComboBox(parent)
            kind = ActivityProgress if field is Field.ACTIVITY else GradingProgress
            # Words to choose from; the AGS value they stand for rides along as item data.
            for value, word in progress_words(kind).items():
                combo.addItem(word, value)
                combo.setItemData(combo.count() - 1, f"AGS value: {value}",
                                  Qt.ItemDataRole.ToolTipRole)
            editor = combo
        else:
            line = QLineEdit(parent)
            line.setFrame(False)
            if field is Field.SCORE:
                line.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                line.setPlaceholderText("score")
            editor = line
        name = _FIELD_NAMES.get(field, "Cell") if field is not None else "Cell"
        editor.setAccessibleName(f"{name} editor")
        editor.setAccessibleDescription("Enter saves and moves down; Ctrl+Enter applies the "
                                        "value to every selected cell; Escape cancels.")
        self._editing[editor] = QPersistentModelIndex(index)
        editor.destroyed.connect(lambda *_: self._editing.pop(editor, None))
        return editor

    def setEditorData(self, editor: QWidget, index: ModelIndex) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        text = "" if value is None else str(value)
        if isinstance(editor, QComboBox):
            found = editor.findData(text)
            editor.setCurrentIndex(max(0, found if found >= 0 else editor.findText(text)))
        elif isinstance(editor, QLineEdit):
            editor.setText(text)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel,
                     index: ModelIndex) -> None:
        model.setData(index, _editor_text(editor), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem,
                             index: ModelIndex) -> None:
        editor.setGeometry(option.rect)  # type: ignore[attr-defined, unused-ignore]

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        super().paint(painter, option, index)
        error = index.data(ERROR_ROLE)
        if not error and index.data(EXTRA_CREDIT_ROLE):
            _paint_extra_credit(painter, option, index)
        if error:
            # A refused cell is framed as well as coloured: the frame does not depend on colour.
            painter.save()
            pen = QPen(warning_color(), 2)
            pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            rect: QRect = option.rect.adjusted(1, 1, -1, -1)  # type: ignore[attr-defined, unused-ignore]
            painter.drawRect(rect)
            painter.restore()

    def eventFilter(self, editor: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(editor, QComboBox):
            assert isinstance(event, QKeyEvent)
            self._committed_by_enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if event.type() == QEvent.Type.KeyPress and isinstance(editor, QLineEdit):
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                index = self._editing.get(editor)
                problem = self._problem(editor, index)
                if problem is not None and index is not None and index.isValid():
                    # Keep the editor open with what was typed; say why at the cell.
                    if self._on_refused is not None:
                        model = index.model()
                        self._on_refused(model.index(index.row(), index.column()), problem)
                    return True
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                        event.modifiers() & Qt.KeyboardModifier.ControlModifier and \
                        self._on_apply_to_selection is not None:
                    text = editor.text()
                    self.closeEditor.emit(editor, QStyledItemDelegate.EndEditHint.RevertModelCache)
                    self._on_apply_to_selection(text)
                    return True
                self._committed_by_enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        return bool(super().eventFilter(editor, event))

    def _problem(self, editor: QLineEdit,
                 index: QPersistentModelIndex | None) -> str | None:
        if index is None or not index.isValid():
            return None
        field = field_of(index)
        if field is None:
            return None
        try:
            check_field(field, editor.text(), index.data(MAXIMUM_ROLE))
        except InputError as error:
            return error.user_message
        return None


def _paint_extra_credit(painter: QPainter, option: QStyleOptionViewItem,
                        index: ModelIndex) -> None:
    """A "+" badge just left of the (right-aligned) score, clear of the state icon: above
    the maximum, told by a shape and a tooltip as well as a colour."""
    cell: QRect = option.rect  # type: ignore[attr-defined, unused-ignore]
    text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
    metrics = option.fontMetrics  # type: ignore[attr-defined, unused-ignore]
    side = max(10, min(cell.height() - 6, 16))
    left = cell.right() - 6 - metrics.horizontalAdvance(text) - 4 - side
    badge = QRect(max(cell.left() + 2, left), cell.top() + (cell.height() - side) // 2, side,
                  side)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(extra_credit_color())
    painter.drawRoundedRect(badge, 3, 3)
    font = QFont(painter.font())
    font.setBold(True)
    font.setPixelSize(side - 2)
    painter.setFont(font)
    painter.setPen(QColor("#0b2b28" if is_dark() else "white"))
    painter.drawText(badge, int(Qt.AlignmentFlag.AlignCenter), "+")
    painter.restore()


def _editor_text(editor: QWidget) -> Any:
    if isinstance(editor, QComboBox):
        value = editor.currentData()
        return value if isinstance(value, str) else editor.currentText()
    if isinstance(editor, QLineEdit):
        return editor.text()
    return None
