"""The grid area of the main window: the two tables (a line item, the whole gradebook), their
filter, the current cell and the detail panel and glance that follow it.

It keeps the grader's place across reloads (the same student stays current), loads a cell's
details shortly after the selection settles, and repaints only the cells a save or a sync
touched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject, QTimer

from gradedesk.ui.hidden_names import masked_detail
from gradedesk.ui.loaders import CellDetail
from gradedesk.ui.models.base import KEY_ROLE, FilterSpec, GradeTableModel, section_names
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.rows import (
    FILTER_LABELS,
    CellKey,
    GradebookData,
    LineItemData,
    RowFilter,
    StudentGrade,
)
from gradedesk.ui.store_cells import cells_of
from gradedesk.ui.views.grade_table import GradeTableView

if TYPE_CHECKING:
    from gradedesk.ui.views.main_window import MainWindow

LINE_ITEM_MODE = "line_item"
GRADEBOOK_MODE = "gradebook"
DETAIL_DELAY_MS = 120
GLANCE_DELAY_MS = 150


class GridArea(QObject):
    """Behaviour of the window's tables; the widgets themselves belong to the Workspace."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        ws = window.workspace
        self.line_model, self.gradebook_model = window.line_model, window.gradebook_model
        self.line_table, self.gradebook_table = ws.line_table, ws.gradebook_table
        self.detail, self.glance = ws.detail, ws.glance
        self.filter_text, self.filter_kind, self.row_count = ws.filter_text, ws.filter_kind, \
            ws.row_count
        self.pending_user: str | None = None  # select this student once the grid reloads
        self.detail_timer = QTimer(self, singleShot=True, interval=DETAIL_DELAY_MS)
        self.detail_timer.timeout.connect(self._on_detail_timer_timeout)
        self.glance_timer = QTimer(self, singleShot=True, interval=GLANCE_DELAY_MS)
        self.glance_timer.timeout.connect(self.update_glance)

        presenter = window.presenter
        presenter.rows_refreshed.connect(self._on_presenter_rows_refreshed)
        presenter.detail_loaded.connect(self._on_presenter_detail_loaded)
        presenter.comment_bank_loaded.connect(self._on_presenter_comment_bank_loaded)
        presenter.files_polled.connect(self.reload_detail)
        self.filter_text.textChanged.connect(lambda _t: self.apply_filter())
        self.filter_kind.currentIndexChanged.connect(lambda _i: self.apply_filter())
        ws.filter_section.currentIndexChanged.connect(lambda _i: self.apply_filter())
        for table in (self.line_table, self.gradebook_table):
            table.selectionModel().currentChanged.connect(self._on_table_current_changed)
        self.gradebook_table.selectionModel().currentColumnChanged.connect(
            self._on_gradebook_current_column_changed)
        self.detail.changes_requested.connect(presenter.apply_changes)
        self.detail.comment_banked.connect(presenter.bank_comment)

    @property
    def mode(self) -> str:
        return self.window.mode

    @property
    def current_table(self) -> GradeTableView:
        return self.line_table if self.mode == LINE_ITEM_MODE else self.gradebook_table

    @property
    def current_model(self) -> GradeTableModel:
        return self.line_model if self.mode == LINE_ITEM_MODE else self.gradebook_model

    # --- loads ----------------------------------------------------------------------------

    def show_line_item(self, data: LineItemData) -> None:
        keep = self.current_key(self.line_table)
        if keep is not None:
            keep = (data.line_item.url, keep[1])  # the same student in the line item shown
        column = self.line_table.currentIndex().column()  # a reload resets the current cell
        self.line_model.load(data)
        self.line_table.setColumnHidden(Column.SECTION,
                                        not any(r.student.section for r in data.rows))
        if keep is not None:
            row = self.line_model.visible_row_of(keep)
            if row is not None:
                self.line_table.setCurrentIndex(self.line_model.index(row, max(0, column)))
        if self.mode == LINE_ITEM_MODE and self.detail.key is not None \
                and self.detail.key[0] != data.line_item.url:
            self.detail_timer.start()  # the panel must not go on showing another line item
        self._offer_sections(section_names(row.student for row in data.rows))

    def show_gradebook(self, data: GradebookData) -> None:
        keep = self.current_key(self.gradebook_table)
        first_load = self.gradebook_model.columnCount() == 0
        old_items = tuple(self.gradebook_model.line_items)
        self.gradebook_model.load(data)
        if first_load or tuple(data.line_items) != old_items:
            self.window.workspace.size_gradebook_columns(data)
        if keep is not None:
            row = self.gradebook_model.visible_row_of(keep[1])
            column = self.gradebook_model.column_of(keep[0])
            if row is not None and column is not None:
                self.gradebook_table.setCurrentIndex(self.gradebook_model.index(row, column))
        self._offer_sections(section_names(data.students))

    def _offer_sections(self, sections: tuple[str, ...]) -> None:
        if self.window.workspace.set_sections(sections):
            self.apply_filter()  # the section chosen is gone: every section again

    def after_load(self, mode: str) -> None:
        if self.pending_user is not None and mode == self.mode:
            self._select_user(self.pending_user)
        self.update_row_count()
        self.glance_timer.start()

    def clear(self) -> None:
        self.line_model.load(None)
        self.gradebook_model.load(None)
        self.detail.show_detail(None)
        self._offer_sections(())

    # --- the current cell -----------------------------------------------------------------

    @staticmethod
    def current_key(table: GradeTableView) -> CellKey | None:
        index = table.currentIndex()
        key = index.data(KEY_ROLE) if index.isValid() else None
        return key if isinstance(key, tuple) else None

    def select_student(self, key: CellKey) -> None:
        """Make a student's cell current in the visible table."""
        if self.mode == LINE_ITEM_MODE:
            row = self.line_model.visible_row_of(key)
            if row is not None:
                index = self.line_model.index(row, Column.SCORE)
                self.line_table.setCurrentIndex(index)
                self.line_table.scrollTo(index)
        else:
            row = self.gradebook_model.visible_row_of(key[1])
            column = self.gradebook_model.column_of(key[0])
            if row is not None and column is not None:
                self.gradebook_table.setCurrentIndex(self.gradebook_model.index(row, column))

    def _select_user(self, user_id: str) -> None:
        if self.mode == LINE_ITEM_MODE:
            item = self.line_model.line_item
            if item is None or self.line_model.visible_row_of((item.url, user_id)) is None:
                return  # not in this load (or filtered out): try after the next one
            self.select_student((item.url, user_id))
        else:
            row = self.gradebook_model.visible_row_of(user_id)
            if row is None:
                return
            column = max(self.gradebook_table.currentIndex().column(), 0)
            index = self.gradebook_model.index(row, column)
            self.gradebook_table.setCurrentIndex(index)
            self.gradebook_table.scrollTo(index)
        self.pending_user = None

    def score_in_grid(self, key: CellKey) -> float | None:
        row = self.line_model.row_of(key)
        return row.score if row is not None else None

    def _on_table_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        self.detail_timer.start()

    def _on_detail_timer_timeout(self) -> None:
        key = self.current_key(self.current_table)
        presenter = self.window.presenter
        presenter.load_detail(key)
        if key is not None and (self.detail.detail is None or
                                self.detail.detail.key[0] != key[0]):
            presenter.load_comment_bank(key[0])

    def _on_presenter_detail_loaded(self, detail: CellDetail | None) -> None:
        # While names are hidden the panel's title (and a conflict's) says "Student 17" too.
        hidden = detail is not None and self.line_model.names_hidden
        self.detail.show_detail(masked_detail(detail) if hidden and detail else detail)

    def reload_detail(self) -> None:
        """The shown cell may have changed (a file's Progress moved, a sync ended)."""
        if self.detail.key is not None:
            self.window.presenter.load_detail(self.detail.key)

    def _on_presenter_comment_bank_loaded(self, line_item_url: str,
                                          texts: tuple[str, ...]) -> None:
        if self.detail.key is None or self.detail.key[0] == line_item_url:
            self.detail.set_comment_bank(texts)

    def _on_presenter_rows_refreshed(self, rows: dict[CellKey, StudentGrade]) -> None:
        line_item = self.line_model.line_item
        if line_item is not None:
            self.line_model.update_rows({k: r for k, r in rows.items()
                                         if k[0] == line_item.url})
        if self.gradebook_model.connection_id is not None:
            self.gradebook_model.update_cells(cells_of(rows))
        if self.detail.key is not None and self.detail.key in rows:
            self.window.presenter.load_detail(self.detail.key)
        self.glance_timer.start()
        self.update_filter_counts()

    def _on_gradebook_current_column_changed(self, *_: object) -> None:
        self.glance_timer.start()
        self.window.update_action_states()

    # --- filter, counts, glance -----------------------------------------------------------

    def apply_filter(self) -> None:
        # Stored as a StrEnum, read back from Qt as a plain str.
        kind = self.filter_kind.currentData()
        spec = FilterSpec(self.filter_text.text().strip(),
                          RowFilter(kind) if kind in set(RowFilter) else RowFilter.ALL,
                          self.window.workspace.section_choice,
                          self.window.workspace.grader_students)
        for table, model in ((self.line_table, self.line_model),
                             (self.gradebook_table, self.gradebook_model)):
            _filter_keeping_current(table, model, spec)
        # The panel shows the cell current now, or that none is: never a student filtered out.
        self.detail_timer.start()
        self.update_row_count()
        self.glance_timer.start()

    def focus_filter(self) -> None:
        self.filter_text.setFocus()
        self.filter_text.selectAll()

    def update_row_count(self) -> None:
        model = self.current_model
        total = model.source_count()
        shown = model.rowCount()
        self.row_count.setText(f"{shown} of {total} students" if shown != total
                               else f"{total} students")
        self.update_filter_counts()

    def update_filter_counts(self) -> None:
        """Each state filter says how many students it would show, so that a count in the
        status bar and what a filter shows can be compared at a glance."""
        counts = self.current_model.filter_counts()
        for position in range(self.filter_kind.count()):
            kind = self.filter_kind.itemData(position)
            if kind in set(RowFilter) and RowFilter(kind) is not RowFilter.ALL:
                self.filter_kind.setItemText(
                    position, f"{FILTER_LABELS[RowFilter(kind)]} ({counts[RowFilter(kind)]})")

    def update_glance(self) -> None:
        if self.mode == LINE_ITEM_MODE:
            item = self.line_model.line_item
            if item is None:
                self.glance.show_scores("", [], 0.0, 0)
                return
            rows = self.line_model.rows()
            scores = [r.score for r in rows if r.score is not None]
            self.glance.show_scores(item.label, scores, item.score_maximum, len(rows))
            return
        column = self.gradebook_table.currentIndex().column()
        item = self.gradebook_model.line_item_at(column) or (
            self.gradebook_model.line_items[0] if self.gradebook_model.line_items else None)
        if item is None:
            self.glance.show_scores("", [], 0.0, 0)
            return
        scores = self.gradebook_model.scores_of(item.id)
        self.glance.show_scores(item.label, scores, item.score_maximum,
                                self.gradebook_model.source_count())


def _filter_keeping_current(table: GradeTableView, model: GradeTableModel,
                            spec: FilterSpec) -> None:
    """Filter one table; its current cell stays current while its row is still shown (a
    filter resets the model, which would otherwise leave no cell current)."""
    current = table.currentIndex()
    source = model.source_row(current.row()) if current.isValid() else None
    column = current.column()
    model.set_filter(spec)
    row = model.visible_row(source) if source is not None else None
    if row is not None:
        table.setCurrentIndex(model.index(row, column))
