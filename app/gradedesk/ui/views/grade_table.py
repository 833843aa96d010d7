"""The spreadsheet-like table both grade models are shown in.

Keys a spreadsheet user expects: type to replace a cell, Enter saves and moves down, F2 edits,
Delete clears, Ctrl+C copies the selection as tab-separated text, Ctrl+V pastes such a block
onto the selection, Ctrl+D fills down, Ctrl+Enter in an editor sets every selected cell.

The student column stays in view while the grid scrolls right: a second view of the same model
and selection shows only that column over the grid's left edge (Qt's "frozen column" pattern).
Headers wrap long labels; the columns that can grow share the width the window leaves.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractItemModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSignalBlocker,
    QSize,
    Qt,
    QTimer,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import (
    QFontMetrics,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QFrame,
    QHeaderView,
    QLabel,
    QStyle,
    QStyleOptionHeaderV2,
    QTableView,
    QWidget,
)

from gradedesk.ui.models.base import HEADER_TEXT_ROLE, GradeTableModel, field_of
from gradedesk.ui.sync_states import warning_color
from gradedesk.ui.undo_values import Field
from gradedesk.ui.views.delegates import GradeDelegate

_CLEARABLE = (Field.SCORE, Field.COMMENT)
NAME_COLUMN = 0  # the student column in both models: the one kept in view


class CellErrorBubble(QLabel):
    """The reason a cell refused its input (or why typing there does nothing), shown right
    under the cell until the next edit. A child of the table, above the frozen names."""

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

    def show_for(self, rect_bottom_left: QPoint, width: int, message: str, *,
                 refused: bool = True) -> None:
        """``rect_bottom_left`` in the parent's coordinates. ``refused``: input was turned
        away ("Not saved: …"); else a note on why typing did nothing."""
        palette = self.palette()
        color = (warning_color(palette) if refused
                 else palette.color(QPalette.ColorRole.Highlight)).name()
        # Opaque, in the palette's own colours: it sits over other cells' text.
        self.setStyleSheet(f"QLabel#cellErrorBubble {{ border: 2px solid {color}; "
                           "border-radius: 3px; background: palette(base); "
                           "color: palette(text); }")
        self.setAccessibleName("Input refused" if refused else "Cannot edit here")
        self.setText(f"⚠ Not saved: {message}" if refused else message)
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


def wrap_label(text: str, metrics: QFontMetrics, width: int, max_lines: int) -> list[str]:
    """``text`` in lines no wider than ``width``, broken between words; the last line of at
    most ``max_lines`` ends in "…" when the rest does not fit (the tooltip has it whole)."""
    width = max(1, width)
    lines: list[str] = []
    words = text.split()
    while words:
        line = words.pop(0)
        while words and metrics.horizontalAdvance(f"{line} {words[0]}") <= width:
            line = f"{line} {words.pop(0)}"
        if len(lines) == max_lines - 1 and words:
            line = " ".join([line, *words])
            words = []
        if metrics.horizontalAdvance(line) > width:
            line = metrics.elidedText(line, Qt.TextElideMode.ElideRight, width)
        lines.append(line)
    return lines or [""]


class WrappingHeader(QHeaderView):
    """Column headers that show a long label whole, wrapped over up to three lines (the
    tooltip has it too), in the model's HEADER_TEXT_ROLE when it gives one (a line item's
    points possible), else its display text."""

    MAX_LINES = 3
    height_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setSectionsClickable(True)
        self.setHighlightSections(True)
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)  # elided per line, here
        self._lines = 1
        self._watched: QAbstractItemModel | None = None
        self.sectionResized.connect(lambda *_: self.update_height())
        self.sectionCountChanged.connect(lambda *_: self.update_height())
        self.sortIndicatorChanged.connect(lambda *_: self.update_height())

    def setModel(self, model: QAbstractItemModel | None) -> None:
        if self._watched is not None:
            self._watched.modelReset.disconnect(self.update_height)
            self._watched.headerDataChanged.disconnect(self._on_header_data_changed)
        super().setModel(model)
        self._watched = model
        if model is not None:
            model.modelReset.connect(self.update_height)
            model.headerDataChanged.connect(self._on_header_data_changed)
        self.update_height()

    def _on_header_data_changed(self, *_: object) -> None:
        self.update_height()

    def label(self, logical: int) -> str:
        model: QAbstractItemModel | None = self.model()
        if model is None:
            return ""
        text = model.headerData(logical, self.orientation(), HEADER_TEXT_ROLE)
        if text is None:
            text = model.headerData(logical, self.orientation(),
                                    Qt.ItemDataRole.DisplayRole)
        return "" if text is None else str(text)

    def _option(self, logical: int, rect: QRect) -> QStyleOptionHeaderV2:
        option = QStyleOptionHeaderV2()
        self.initStyleOption(option)
        self.initStyleOptionForIndex(option, logical)
        option.rect = rect
        return option

    def _text_width(self, logical: int) -> int:
        """The label's width in a section as the style lays it out (less the sort arrow
        of the sorted column)."""
        option = self._option(logical, QRect(0, 0, self.sectionSize(logical),
                                             max(self.height(), 30)))
        return self.style().subElementRect(QStyle.SubElement.SE_HeaderLabel, option,
                                           self).width()

    def lines_of(self, logical: int, metrics: QFontMetrics | None = None) -> list[str]:
        return wrap_label(self.label(logical), metrics or self.fontMetrics(),
                          self._text_width(logical), self.MAX_LINES)

    def update_height(self) -> None:
        """Tall enough for the longest wrapped label (at most three lines)."""
        lines = 1
        for logical in range(self.count()):
            if not self.isSectionHidden(logical) and self.sectionSize(logical) > 0:
                lines = max(lines, len(self.lines_of(logical)))
                if lines >= self.MAX_LINES:
                    break
        if lines != self._lines:
            self._lines = lines
            self.updateGeometry()
            self.height_changed.emit()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, self)
        wanted = self._lines * self.fontMetrics().lineSpacing() + 2 * margin + 6
        return QSize(hint.width(), max(hint.height(), wanted))

    def paintSection(self, painter: QPainter, rect: QRect, logicalIndex: int) -> None:
        if not rect.isValid():
            return
        option = self._option(logicalIndex, rect)
        lines = self.lines_of(logicalIndex)
        painter.save()
        if painter.font().bold():
            # The current column's label is bold where bold fits in the same lines; a label
            # that would lose words to "…" in bold stays regular.
            bold = self.lines_of(logicalIndex, painter.fontMetrics())
            if len(bold) <= len(lines) and " ".join(bold) == " ".join(lines):
                lines = bold
            else:
                painter.setFont(self.font())
        option.text = "\n".join(lines)
        option.textElideMode = Qt.TextElideMode.ElideNone
        self.style().drawControl(QStyle.ControlElement.CE_Header, option, painter, self)
        painter.restore()


class FrozenNames(QTableView):
    """The student column, drawn over the grid's left edge so that names stay in view while
    the grid scrolls right. It shares the grid's model and selection; the grid keeps the
    keyboard focus (typing, Tab and the arrows go there)."""

    def __init__(self, table: GradeTableView) -> None:
        super().__init__(table)
        self.setObjectName("frozenNames")
        self.setAccessibleName("Student names")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setHorizontalHeader(WrappingHeader(self))
        self.verticalHeader().hide()
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.verticalHeader().defaultSectionSize())
        self.setSortingEnabled(True)  # before any model: enabling sorts by the indicator
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def show_only_names(self) -> None:
        model: QAbstractItemModel | None = self.model()
        if model is None:
            return
        for column in range(model.columnCount()):
            self.setColumnHidden(column, column != NAME_COLUMN)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        # A firm line where the names end and the scrolled columns begin.
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().color(QPalette.ColorRole.Mid))
        right = self.viewport().width() - 1
        painter.drawLine(right, 0, right, self.viewport().height())
        painter.end()


class GradeTableView(QTableView):
    refusal_shown = Signal(str)  # for the status bar
    _ready = False  # Qt lays out during construction, before the overlays exist

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setHorizontalHeader(WrappingHeader(self))  # before sorting is enabled
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
        self.frozen = FrozenNames(self)
        self.empty_note = QLabel(self)
        self.empty_note.setObjectName("emptyGridNote")
        self.empty_note.setAccessibleName("No rows")
        self.empty_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_note.setWordWrap(True)
        self.empty_note.hide()
        self.bubble = CellErrorBubble(self)
        self._delegate = GradeDelegate(self, on_refused=self.show_refusal,
                                       on_apply_to_selection=self.set_selection_value)
        self.setItemDelegate(self._delegate)
        self._model: GradeTableModel | None = None
        # Columns that share the width the others leave: (columns, narrowest, widest).
        self._fit: tuple[tuple[int, ...], int, int] | None = None
        self._fitting = False
        self._user_sized = False
        self._fit_timer = QTimer(self, singleShot=True, interval=0)
        self._fit_timer.timeout.connect(self._fit_now)
        self._wire_frozen()
        self._ready = True

    def _wire_frozen(self) -> None:
        frozen = self.frozen
        header, frozen_header = self.horizontalHeader(), frozen.horizontalHeader()
        assert isinstance(header, WrappingHeader)
        header.height_changed.connect(self.updateGeometries)
        header.sectionResized.connect(self._on_section_resized)
        frozen_header.sectionResized.connect(self._on_frozen_section_resized)
        header.sortIndicatorChanged.connect(self._on_sort_indicator_changed)
        frozen_header.sortIndicatorChanged.connect(self._on_frozen_sort_indicator_changed)
        self.verticalScrollBar().valueChanged.connect(frozen.verticalScrollBar().setValue)
        frozen.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        frozen.customContextMenuRequested.connect(self._on_frozen_context_menu_requested)
        self._scrolled_to = 0
        self._revealing: int | None = None  # the column scrollTo is bringing into view
        self._laying_out = False
        self.horizontalScrollBar().valueChanged.connect(self._snap_to_a_column)
        with QSignalBlocker(frozen_header):
            frozen_header.setSortIndicator(header.sortIndicatorSection(),
                                           header.sortIndicatorOrder())

    def setModel(self, model: QAbstractItemModel | None) -> None:
        if self._model is not None:
            self._model.cell_refused.disconnect(self._on_model_cell_refused)
            self._model.cell_accepted.disconnect(self._on_model_cell_accepted)
            for signal in self._shape_signals(self._model):
                signal.disconnect(self._on_model_shape_changed)
        super().setModel(model)
        self.frozen.setModel(model)
        self.frozen.setSelectionModel(self.selectionModel())
        self._model = model if isinstance(model, GradeTableModel) else None
        if self._model is not None:
            self._model.cell_refused.connect(self._on_model_cell_refused)
            self._model.cell_accepted.connect(self._on_model_cell_accepted)
            for signal in self._shape_signals(self._model):
                signal.connect(self._on_model_shape_changed)
        self._on_model_shape_changed()

    @staticmethod
    def _shape_signals(model: QAbstractItemModel) -> tuple[SignalInstance, ...]:
        return (model.modelReset, model.layoutChanged, model.rowsInserted,
                model.rowsRemoved, model.columnsInserted, model.columnsRemoved)

    @property
    def grade_model(self) -> GradeTableModel | None:
        return self._model

    # --- the frozen names, the empty note and the column widths ---------------------------

    def _on_model_shape_changed(self, *_: object) -> None:
        self.frozen.show_only_names()
        self.frozen.setColumnWidth(NAME_COLUMN, self.columnWidth(NAME_COLUMN))
        message = self._model.empty_message() if self._model is not None else None
        self.empty_note.setText(message or "")
        self.empty_note.setVisible(message is not None)
        self.empty_note.setAccessibleDescription(message or "")
        self._place_overlays()
        self._fit_timer.start()

    def _place_overlays(self) -> None:
        if not self._ready:
            return
        viewport = self.viewport().geometry()
        header = self.horizontalHeader()
        has_names = self.model() is not None and self.model().columnCount() > NAME_COLUMN
        self.frozen.setVisible(has_names)
        if has_names:
            frozen_header = self.frozen.horizontalHeader()
            if frozen_header.height() != header.height():
                frozen_header.setFixedHeight(header.height())
                self.frozen.updateGeometries()
            self.frozen.setGeometry(viewport.x(), viewport.y() - header.height(),
                                    min(self.columnWidth(NAME_COLUMN), viewport.width()),
                                    viewport.height() + header.height())
        if not self.empty_note.isHidden():
            left = self.frozen.width() if self._names_frozen() else 0
            self.empty_note.setGeometry(viewport.x() + left, viewport.y() + 12,
                                        max(120, viewport.width() - left),
                                        self.empty_note.sizeHint().height() * 2)
            self.empty_note.raise_()
        self.bubble.raise_()

    def updateGeometries(self) -> None:
        self._laying_out = True  # the scroll range is reset: no snapping half-way
        try:
            super().updateGeometries()
        finally:
            self._laying_out = False
        if self._ready:
            self._place_overlays()
            self._fit_timer.start()
            if self._names_frozen():
                # Far enough right that the last stop puts a whole column beside the names
                # (a little blank space after the last column, as a spreadsheet leaves).
                bar = self.horizontalScrollBar()
                if bar.maximum() > 0:
                    bar.setMaximum(next((stop for stop in self._column_stops()
                                         if stop >= bar.maximum()), bar.maximum()))
                self._snap(bar.value(), moving_right=True)

    def _column_stops(self) -> list[int]:
        """The horizontal offsets that put a column's left edge right beside the frozen
        names: scrolling stops only there, so no sliver of a column shows beside them."""
        header = self.horizontalHeader()
        stops, offset = [0], 0
        for visual in range(header.count()):
            logical = header.logicalIndex(visual)
            if logical == NAME_COLUMN or header.isSectionHidden(logical):
                continue
            offset += header.sectionSize(logical)
            stops.append(offset)
        return stops

    def _snap_to_a_column(self, value: int) -> None:
        moving_right, self._scrolled_to = value > self._scrolled_to, value
        if not self._laying_out:
            self._snap(value, moving_right=moving_right)

    def _snap(self, value: int, *, moving_right: bool) -> None:
        if not self._names_frozen() or value <= 0:
            return
        stops = self._column_stops()
        if value in stops:
            return
        before = max(stop for stop in stops if stop < value)
        after = next((stop for stop in stops if stop > value), before)
        snapped = min(after, self.horizontalScrollBar().maximum()) if moving_right else before
        if self._revealing is not None:
            # Bringing a cell into view: a stop that shows it whole, the nearest one.
            left = self.columnViewportPosition(self._revealing) + value
            right = left + self.columnWidth(self._revealing)
            whole = [stop for stop in stops
                     if right - self.viewport().width() <= stop <= left - self.frozen.width()]
            if whole:
                snapped = min(whole, key=lambda stop: abs(stop - value))
        if snapped != value:
            self.horizontalScrollBar().setValue(snapped)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._ready:
            self._place_overlays()
            self._fit_timer.start()

    def _on_section_resized(self, logical: int, old: int, new: int) -> None:
        if not self._ready:
            return
        if logical == NAME_COLUMN:
            self.frozen.setColumnWidth(NAME_COLUMN, new)
            self._place_overlays()
        if self._fit is not None and not self._fitting and logical in self._fit[0] \
                and QApplication.mouseButtons() & Qt.MouseButton.LeftButton:
            self._user_sized = True  # the grader set a width by hand: keep it
        elif not self._fitting:
            self._fit_timer.start()

    def _on_frozen_section_resized(self, logical: int, old: int, new: int) -> None:
        if logical == NAME_COLUMN and new > 0:
            self.setColumnWidth(NAME_COLUMN, new)

    def _on_sort_indicator_changed(self, section: int, order: Qt.SortOrder) -> None:
        with QSignalBlocker(self.frozen.horizontalHeader()):
            self.frozen.horizontalHeader().setSortIndicator(section, order)

    def _on_frozen_sort_indicator_changed(self, section: int, order: Qt.SortOrder) -> None:
        # The names view sorted the shared model already; show it on the grid's header.
        with QSignalBlocker(self.horizontalHeader()):
            self.horizontalHeader().setSortIndicator(section, order)
        self.horizontalHeader().viewport().update()

    def _on_frozen_context_menu_requested(self, position: QPoint) -> None:
        where = self.viewport().mapFromGlobal(self.frozen.viewport().mapToGlobal(position))
        self.customContextMenuRequested.emit(where)

    def _names_frozen(self) -> bool:
        return self._ready and not self.frozen.isHidden()

    def indexAt(self, point: QPoint) -> QModelIndex:
        """Under the frozen names a point is on a name, whatever is scrolled beneath."""
        model = self.model()
        if self._names_frozen() and model is not None and 0 <= point.x() < self.frozen.width():
            row = self.rowAt(point.y())
            return model.index(row, NAME_COLUMN) if row >= 0 else QModelIndex()
        return super().indexAt(point)

    def scrollTo(self, index: QModelIndex | QPersistentModelIndex,
                 hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible,
                 ) -> None:
        bar = self.horizontalScrollBar()
        if not index.isValid() or not self._names_frozen():
            super().scrollTo(index, hint)
            return
        if index.column() == NAME_COLUMN:
            # The name is always in view: only bring its row into view.
            keep = bar.value()
            super().scrollTo(index, hint)
            bar.setValue(keep)
            return
        self._revealing = index.column()
        try:
            super().scrollTo(index, hint)
            hidden = self.frozen.width() - self.visualRect(index).left()
            if hidden > 0:
                bar.setValue(bar.value() - hidden)  # not under the names
        finally:
            self._revealing = None

    def fit_columns(self, columns: Sequence[int], narrowest: int, widest: int) -> None:
        """Let ``columns`` share the width the other columns leave, each between
        ``narrowest`` and ``widest`` pixels, as the window is resized; a column the grader
        resizes by hand stops it until the next call."""
        self._fit = (tuple(columns), narrowest, widest)
        self._user_sized = False
        self._fit_now()

    def _fit_now(self) -> None:
        model = self.model()
        if self._fit is None or self._user_sized or model is None:
            return
        columns, narrowest, widest = self._fit
        flexible = [c for c in columns if c < model.columnCount() and not self.isColumnHidden(c)]
        if not flexible:
            return
        others = sum(self.columnWidth(c) for c in range(model.columnCount())
                     if c not in columns and not self.isColumnHidden(c))
        spare = self.viewport().width() - others
        width = max(narrowest, min(widest, spare // len(flexible)))
        self._fitting = True
        try:
            for column in flexible:
                if self.columnWidth(column) != width:
                    self.setColumnWidth(column, width)
        finally:
            self._fitting = False

    # --- refusals -------------------------------------------------------------------------

    def show_refusal(self, index: QModelIndex, message: str) -> None:
        self._show_bubble(index, message, refused=True)
        self.refusal_shown.emit(message)

    def _show_bubble(self, index: QModelIndex, message: str, *, refused: bool) -> None:
        rect = self.visualRect(index)
        if index.column() == NAME_COLUMN and self._names_frozen():
            rect.moveLeft(0)  # where the name is shown, whatever is scrolled beneath
        corner = rect.bottomLeft() + self.viewport().pos()
        self.bubble.show_for(corner, max(rect.width(), 260), message, refused=refused)

    def show_read_only(self, index: QModelIndex) -> None:
        """Say why typing into a column that cannot be edited did nothing."""
        if self._model is None or not index.isValid():
            return
        message = self._model.read_only_reason(index.column())
        self._show_bubble(index, message, refused=False)
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
            if self._typed_text(event) and self._current_read_only():
                current = self.currentIndex()
                if current.column() == NAME_COLUMN:
                    before = (current.row(), current.column())
                    super().keyPressEvent(event)  # typing a name jumps to that student
                    after = self.currentIndex()
                    if (after.row(), after.column()) != before:
                        return
                self.show_read_only(self.currentIndex())
                event.accept()
                return
        super().keyPressEvent(event)

    @staticmethod
    def _typed_text(event: QKeyEvent) -> bool:
        """Whether a key press types text (not a shortcut, not a navigation key)."""
        text = event.text()
        shortcut = event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                        | Qt.KeyboardModifier.AltModifier
                                        | Qt.KeyboardModifier.MetaModifier)
        return bool(text) and text.isprintable() and not shortcut

    def _current_read_only(self) -> bool:
        current = self.currentIndex()
        return current.isValid() and not current.flags() & Qt.ItemFlag.ItemIsEditable

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
            if self._current_read_only():
                self.show_read_only(self.currentIndex())  # say why nothing was cleared
            return False
        return self._model.submit_edits(edits, "Clear") is None
