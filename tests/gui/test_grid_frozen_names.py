"""Names always visible (issue 11, item 1): the student column stays in view while the grid
scrolls right, in the line item view and the gradebook; line item headers show the whole label
and the points possible; the columns use the window's width; at 1280x800 the gradebook shows
at least six line items."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gui_support import SandboxCourse, save_shot
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from gradedesk.domain import format_score
from gradedesk.ui.context import AppContext
from gradedesk.ui.models.gradebook_model import FIXED_COLUMNS
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.views.grade_table import GradeTableView, WrappingHeader
from gradedesk.ui.views.main_window import MainWindow

LOAD_MS = 20_000


@pytest.fixture
def course(context: AppContext) -> Iterator[SandboxCourse]:
    """Ten line items: more than a 1280-pixel window shows at once."""
    started = SandboxCourse(context, students=24, line_items=10).start()
    started.pull()
    yield started
    started.stop()


def _show_gradebook(window: MainWindow, qtbot: QtBot) -> None:
    with qtbot.waitSignal(window.view_ready, timeout=LOAD_MS):
        window.window_actions.gradebook_view.trigger()
    qtbot.waitUntil(lambda: window.gradebook_table.frozen.isVisible(), timeout=LOAD_MS)


def _fully_shown_columns(table: GradeTableView) -> list[int]:
    """The columns right of the names whose whole width is in view."""
    left, right = table.frozen.width(), table.viewport().width()
    model = table.model()
    return [c for c in range(1, model.columnCount()) if not table.isColumnHidden(c)
            and table.columnViewportPosition(c) >= left
            and table.columnViewportPosition(c) + table.columnWidth(c) <= right]


def _scroll_right(table: GradeTableView, qtbot: QtBot) -> None:
    bar = table.horizontalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5_000)
    bar.setValue(bar.maximum())


def _name_under_the_left_edge(table: GradeTableView, row: int) -> str:
    frozen = table.frozen
    y = frozen.visualRect(table.model().index(row, 0)).center().y()
    return str(frozen.indexAt(QPoint(4, y)).data())


def test_gradebook_at_1280_shows_six_line_items_and_keeps_names_scrolled_right(
        window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    assert window.size().width() == 1280 and window.size().height() == 800
    _show_gradebook(window, qtbot)
    table, model = window.gradebook_table, window.gradebook_model
    qtbot.waitUntil(lambda: len(_fully_shown_columns(table)) >= 6, timeout=5_000)
    assert model.columnCount() - FIXED_COLUMNS == 10
    _scroll_right(table, qtbot)
    assert table.columnViewportPosition(0) < 0  # the grid's own name column is scrolled away
    frozen = table.frozen
    assert frozen.isVisible() and frozen.x() == table.viewport().x()
    assert frozen.width() == table.columnWidth(0)
    assert all(frozen.isColumnHidden(c) for c in range(1, model.columnCount()))
    for row in (0, 5):
        assert _name_under_the_left_edge(table, row) == model.index(row, 0).data()
    # What the grader points at on the left is the name, not the cell scrolled beneath it.
    assert table.indexAt(QPoint(4, 4)).column() == 0
    # A cell at the right edge made current: the names stay, the detail panel follows.
    last_column = model.columnCount() - 1
    row = next((r for r in range(model.rowCount())
                if model.index(r, last_column).data() == "Needs grading"), 0)
    table.setCurrentIndex(model.index(row, last_column))
    qtbot.waitUntil(lambda: window.detail.detail is not None, timeout=LOAD_MS)
    assert table.columnViewportPosition(0) < 0
    assert _name_under_the_left_edge(table, row) == model.index(row, 0).data()
    # Scrolling stops at whole columns: beside the names no sliver of one, and the current
    # cell whole at the right.
    first = next(c for c in range(1, model.columnCount())
                 if table.columnViewportPosition(c) + table.columnWidth(c) > frozen.width())
    assert table.columnViewportPosition(first) == frozen.width()
    current = table.visualRect(model.index(row, last_column))
    assert current.left() >= frozen.width() and current.right() < table.viewport().width()
    label = model.line_item_at(last_column).label  # the glance follows the current column
    qtbot.waitUntil(lambda: window.glance.title.text() == f"At a glance: {label}",
                    timeout=LOAD_MS)
    save_shot(window, "gradebook-scrolled.png", tmp_path)
    # Scrolling down moves the names with the rows.
    table.verticalScrollBar().setValue(table.verticalScrollBar().maximum())
    assert frozen.verticalScrollBar().value() == table.verticalScrollBar().value()
    last = model.rowCount() - 1
    assert _name_under_the_left_edge(table, last) == model.index(last, 0).data()


def test_moving_left_keeps_the_cell_clear_of_the_names(window: MainWindow,
                                                       qtbot: QtBot) -> None:
    _show_gradebook(window, qtbot)
    table, model = window.gradebook_table, window.gradebook_model
    _scroll_right(table, qtbot)
    table.setFocus()
    table.setCurrentIndex(model.index(2, model.columnCount() - 1))
    for _ in range(model.columnCount() - FIXED_COLUMNS - 1):
        qtbot.keyClick(table, Qt.Key.Key_Left)
    current = table.currentIndex()
    assert current.column() == FIXED_COLUMNS
    assert table.visualRect(current).left() >= table.frozen.width()  # not under the names
    qtbot.keyClick(table, Qt.Key.Key_Home)  # to the name: the names stay where they are
    assert table.currentIndex().column() in (0, 1)


def test_line_item_view_keeps_names_too(window: MainWindow, qtbot: QtBot,
                                        tmp_path: Path) -> None:
    window.resize(900, 800)
    table, model = window.line_table, window.line_model
    _scroll_right(table, qtbot)
    assert table.columnViewportPosition(Column.NAME) < 0
    assert table.frozen.isVisible()
    assert _name_under_the_left_edge(table, 3) == model.index(3, Column.NAME).data()
    save_shot(window, "line-item-scrolled.png", tmp_path)


def test_headers_show_the_whole_label_and_the_points(window: MainWindow, qtbot: QtBot) -> None:
    _show_gradebook(window, qtbot)
    table, model = window.gradebook_table, window.gradebook_model
    header = table.horizontalHeader()
    assert isinstance(header, WrappingHeader)
    for column in range(FIXED_COLUMNS, model.columnCount()):
        item = model.line_item_at(column)
        assert item is not None
        full = f"{item.label} ({format_score(item.score_maximum)} pts)"
        assert header.label(column) == full
        assert " ".join(header.lines_of(column)) == full  # wrapped, nothing cut off
        tip = model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
        assert item.label in tip and f"{format_score(item.score_maximum)} pts" in tip
    assert max(len(header.lines_of(c)) for c in range(model.columnCount())) > 1
    assert header.height() >= 2 * header.fontMetrics().lineSpacing()
    assert table.frozen.horizontalHeader().height() == header.height()


def test_sorting_from_the_frozen_names_header(window: MainWindow, qtbot: QtBot) -> None:
    _show_gradebook(window, qtbot)
    table, model = window.gradebook_table, window.gradebook_model
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    frozen_header = table.frozen.horizontalHeader()
    for _ in range(2):
        qtbot.mouseClick(frozen_header.viewport(), Qt.MouseButton.LeftButton,
                         pos=QPoint(frozen_header.sectionSize(0) // 2, 5))
        order = frozen_header.sortIndicatorOrder()
        shown = [model.index(r, 0).data() for r in range(model.rowCount())]
        assert shown == sorted(names, key=str.casefold,
                               reverse=order == Qt.SortOrder.DescendingOrder)
        assert table.horizontalHeader().sortIndicatorSection() == 0
        assert table.horizontalHeader().sortIndicatorOrder() == order


def _used(table: GradeTableView) -> int:
    model = table.model()
    return sum(table.columnWidth(c) for c in range(model.columnCount())
               if not table.isColumnHidden(c))


def test_columns_use_the_window_width(window: MainWindow, qtbot: QtBot) -> None:
    table = window.line_table
    qtbot.waitUntil(lambda: _used(table) >= table.viewport().width() - 2, timeout=5_000)
    comment = table.columnWidth(Column.COMMENT)
    window.resize(2200, 800)  # room to spare: the comment takes it, no empty band is left
    qtbot.waitUntil(lambda: table.columnWidth(Column.COMMENT) > comment
                    and abs(_used(table) - table.viewport().width()) <= 2, timeout=5_000)
    _show_gradebook(window, qtbot)
    book = window.gradebook_table
    wide = book.columnWidth(FIXED_COLUMNS)
    window.resize(1280, 800)  # the line items narrow to share what is left, and scroll
    qtbot.waitUntil(lambda: book.columnWidth(FIXED_COLUMNS) < wide, timeout=5_000)
    assert _used(book) >= book.viewport().width()
