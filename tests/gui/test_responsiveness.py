"""The GUI thread keeps running while a 2,000 x 60 gradebook loads and while a push runs: the
work happens on the lanes.

Deterministic, not timed: the work itself waits at a gate that only the GUI thread's event
loop can open (a timer). Were the work on the GUI thread, or the GUI thread blocked waiting
for it, the gate would never open and the work would give up, failing the test; however fast
or slow the machine, a free event loop opens it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from gui_support import SandboxCourse, seed_big_gradebook, type_into_cell
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from conftest import WindowFactory
from gradedesk.ui import loaders, sync_work
from gradedesk.ui.context import AppContext
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.views.main_window import MainWindow

GATE_WAIT_S = 30.0


class Gate:
    """Opened by a GUI-thread timer; work behind it records the threads it ran on."""

    def __init__(self) -> None:
        self.opened = threading.Event()
        self.work_threads: list[threading.Thread] = []
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self.opened.set)

    def wrap(self, work: Callable[..., Any]) -> Callable[..., Any]:
        def gated(*args: Any, **kwargs: Any) -> Any:
            self.work_threads.append(threading.current_thread())
            self.opened.clear()
            if not self.opened.wait(GATE_WAIT_S):
                raise AssertionError("the GUI thread's timer never fired during the work")
            return work(*args, **kwargs)
        return gated


@contextmanager
def gated(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> Iterator[Gate]:
    gate = Gate()
    monkeypatch.setattr(module, name, gate.wrap(getattr(module, name)))
    gate.timer.start()
    try:
        yield gate
    finally:
        gate.timer.stop()


def test_big_gradebook_loads_and_scrolls_without_freezing(
        context: AppContext, make_window: WindowFactory, qtbot: QtBot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    seed_big_gradebook(context, students=2000, line_items=60)
    window = make_window()
    window.prefer_gradebook()
    window.show()
    with gated(monkeypatch, loaders, "load_gradebook") as gate, \
            qtbot.waitSignal(window.view_ready, timeout=60_000):
        window.start()
    assert gate.work_threads and threading.main_thread() not in gate.work_threads
    model = window.gradebook_model
    assert (model.rowCount(), model.columnCount()) == (2000, 62)
    table = window.gradebook_table
    table.scrollToBottom()
    table.horizontalScrollBar().setValue(table.horizontalScrollBar().maximum())
    qtbot.wait(20)
    assert model.index(1999, 61).data() is not None
    model.sort(61, Qt.SortOrder.DescendingOrder)
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert model.index(0, 0).data().startswith("Family000")


def test_event_loop_runs_during_a_push(window: MainWindow, course: SandboxCourse,
                                       qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    for row in range(8):
        with qtbot.waitSignal(window.presenter.edits_saved, timeout=10_000):
            type_into_cell(qtbot, window.line_table, window.line_model.index(row, Column.SCORE),
                           "6")
    with gated(monkeypatch, sync_work, "push") as gate, \
            qtbot.waitSignal(window.presenter.sync_finished, timeout=60_000) as finished:
        window.window_actions.push.trigger()
    assert gate.work_threads and threading.main_thread() not in gate.work_threads
    assert len(finished.args[1].confirmed) == 8
