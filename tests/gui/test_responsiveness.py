"""The GUI thread keeps running (a QTimer keeps firing) while a 2,000 x 60 gradebook loads and
while a push runs: the work happens on the lanes."""

from __future__ import annotations

from collections.abc import Callable

from gui_support import SandboxCourse, seed_big_gradebook, type_into_cell
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from conftest import WindowFactory
from gradedesk.ui.context import AppContext
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.views.main_window import MainWindow


def _ticking_while(busy: Callable[[], bool]) -> tuple[QTimer, list[bool]]:
    """A 10 ms timer recording, at each tick, whether the work was still running."""
    ticks: list[bool] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(busy()))
    timer.start()
    return timer, ticks


def test_big_gradebook_loads_and_scrolls_without_freezing(
        context: AppContext, make_window: WindowFactory, qtbot: QtBot) -> None:
    seed_big_gradebook(context, students=2000, line_items=60)
    window = make_window()
    window.prefer_gradebook()
    window.show()
    timer, ticks = _ticking_while(lambda: window.presenter.store_lane.busy)
    with qtbot.waitSignal(window.view_ready, timeout=60_000):
        window.start()
    timer.stop()
    model = window.gradebook_model
    assert (model.rowCount(), model.columnCount()) == (2000, 62)
    assert sum(ticks) >= 3, "the timer stalled while the store lane loaded the gradebook"
    table = window.gradebook_table
    table.scrollToBottom()
    table.horizontalScrollBar().setValue(table.horizontalScrollBar().maximum())
    qtbot.wait(20)
    assert model.index(1999, 61).data() is not None
    model.sort(61, Qt.SortOrder.DescendingOrder)
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert model.index(0, 0).data().startswith("Family000")


def test_event_loop_runs_during_a_push(window: MainWindow, course: SandboxCourse,
                                       qtbot: QtBot) -> None:
    for row in range(8):
        with qtbot.waitSignal(window.presenter.edits_saved, timeout=10_000):
            type_into_cell(qtbot, window.line_table, window.line_model.index(row, Column.SCORE),
                           "6")
    course.settings(latency_ms=150)
    timer, ticks = _ticking_while(lambda: window.presenter.busy)
    with qtbot.waitSignal(window.presenter.sync_finished, timeout=60_000):
        window.window_actions.push.trigger()
    timer.stop()
    assert sum(ticks) >= 10, "the timer stalled while the push ran"
