"""Issue 10, finding 3, in the window: a push or pull started from the window has the same
total time limit as the CLI's; past it, the job stops, says so, and what was not sent stays
queued for the next push."""

from __future__ import annotations

import pytest
from gui_support import SandboxCourse
from pytestqt.qtbot import QtBot
from test_sync import SYNC_MS, _grade_rows

from gradedesk.store import OutboxState, outbox
from gradedesk.ui import presenter_core as presenter_module
from gradedesk.ui.views.main_window import MainWindow


def test_a_push_from_the_window_stops_at_its_time_limit(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _grade_rows(window, qtbot, range(0, 6), "4")
    monkeypatch.setattr(presenter_module, "NETWORK_TIME_LIMIT_S", 1.0)
    course.settings(latency_ms=700)  # six sends and their reads take longer than a second
    with qtbot.waitSignal(window.presenter.job_finished, timeout=SYNC_MS) as finished:
        window.window_actions.push.trigger()
    message, ok = finished.args
    assert not ok and "time limit of 1 second" in message, message
    connection = window.presenter.connection
    assert connection is not None
    states = {e.state for e in outbox.entries(window.presenter.context.db, connection.id)}
    assert OutboxState.QUEUED in states or OutboxState.SENDING in states  # waits, not lost
    course.settings(latency_ms=0)
    monkeypatch.setattr(presenter_module, "NETWORK_TIME_LIMIT_S", 3600.0)
    qtbot.waitUntil(lambda: not window.presenter.busy, timeout=SYNC_MS)
    with qtbot.waitSignal(window.presenter.sync_finished, timeout=SYNC_MS) as pushed:
        window.window_actions.push.trigger()
    assert pushed.args[1].clean
    users = [entry["user_id"] for entry in course.ledger()]
    assert len(users) == len(set(users)) == 6  # each grade once, none lost
