"""Issue 11, item 4: the detail panel follows the selection. After a line item change, a
filter change or a sort it shows the cell that is current now, or says that nothing is
selected; never a student the grid no longer points at."""

from __future__ import annotations

from gui_support import show_in_detail
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from conftest import LOAD_TIMEOUT_MS
from gradedesk.ui.models.base import KEY_ROLE
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.navigation import NavTarget
from gradedesk.ui.rows import CellKey, RowFilter
from gradedesk.ui.views.main_window import MainWindow

WAIT_MS = 10_000
NOTHING = "Select a student to see details."


def _current_key(window: MainWindow) -> CellKey | None:
    table = window.line_table if window.mode == "line_item" else window.gradebook_table
    index = table.currentIndex()
    key = index.data(KEY_ROLE) if index.isValid() else None
    return key if isinstance(key, tuple) else None


def _panel_follows(window: MainWindow) -> bool:
    """The panel shows the current cell (its load has landed), or nothing when none is."""
    current = _current_key(window)
    if current is None:
        return window.detail.detail is None and window.detail.heading.text() == NOTHING
    shown = window.detail.detail
    return shown is not None and shown.key == current and \
        window.detail.heading.text().startswith(shown.student.name)


def test_a_line_item_change_shows_the_same_student_in_the_new_line_item(
        window: MainWindow, qtbot: QtBot) -> None:
    key = show_in_detail(qtbot, window, 4, Column.SCORE)
    connection = window.presenter.connection
    assert connection is not None and window.overview is not None
    other = window.overview.line_items[connection.id][2]
    with qtbot.waitSignal(window.view_ready, timeout=LOAD_TIMEOUT_MS):
        window.open_target(NavTarget(connection.name, other.url))
    qtbot.waitUntil(lambda: window.detail.key == (other.url, key[1]), timeout=WAIT_MS)
    assert _panel_follows(window)
    assert other.label in window.detail.heading.text()


def test_a_filter_that_hides_the_student_leaves_nothing_shown(window: MainWindow,
                                                              qtbot: QtBot) -> None:
    model = window.line_model
    key = show_in_detail(qtbot, window, 0, Column.SCORE)
    hidden_name = model.row_at(0).student.name
    other = next(model.row_at(r) for r in range(model.rowCount())
                 if model.row_at(r).student.name.split(",")[0]
                 not in hidden_name)
    window.filter_text.setText(other.student.name)
    assert model.visible_row_of(key) is None  # the student the panel showed is filtered out
    qtbot.waitUntil(lambda: _panel_follows(window), timeout=WAIT_MS)
    assert hidden_name not in window.detail.heading.text()


def test_a_filter_that_keeps_the_student_keeps_them_current_and_shown(
        window: MainWindow, qtbot: QtBot) -> None:
    model = window.line_model
    key = show_in_detail(qtbot, window, 3, Column.SCORE)
    window.filter_text.setText(model.row_of(key).student.name)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: _current_key(window) == key, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _panel_follows(window), timeout=WAIT_MS)
    assert window.detail.key == key


def test_a_state_filter_in_the_gradebook_leaves_no_stale_student(window: MainWindow,
                                                                 qtbot: QtBot) -> None:
    with qtbot.waitSignal(window.view_ready, timeout=LOAD_TIMEOUT_MS):
        window.window_actions.gradebook_view.trigger()
    model, table = window.gradebook_model, window.gradebook_table
    # A student with nothing waiting for a grader, then "Needs grading" hides them.
    ready = next(r for r in range(model.rowCount())
                 if RowFilter.PENDING_MANUAL not in model._filters.get(
                     model.student_at(r).user_id, ()))
    table.setCurrentIndex(model.index(ready, 2))
    qtbot.waitUntil(lambda: _panel_follows(window) and window.detail.detail is not None,
                    timeout=WAIT_MS)
    shown = window.detail.key
    position = window.filter_kind.findData(RowFilter.PENDING_MANUAL)
    window.filter_kind.setCurrentIndex(position)
    qtbot.waitUntil(lambda: _panel_follows(window), timeout=WAIT_MS)
    assert window.detail.key != shown


def test_a_sort_keeps_the_current_cell_and_the_panel_on_it(window: MainWindow,
                                                           qtbot: QtBot) -> None:
    key = show_in_detail(qtbot, window, 2, Column.SCORE)
    for order in (Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder):
        window.line_table.sortByColumn(Column.SCORE, order)
        qtbot.waitUntil(lambda: _panel_follows(window), timeout=WAIT_MS)
        assert window.detail.key == key == _current_key(window)
