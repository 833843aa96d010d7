"""The lanes: work runs off the GUI thread, in order; callbacks come back on the GUI thread."""

from __future__ import annotations

import threading
from pathlib import Path

from pytestqt.qtbot import QtBot

from gradedesk.domain import Cancelled, InputError
from gradedesk.store.db import open_database
from gradedesk.ui.workers import Job, Lane


def test_work_runs_in_order_off_the_gui_thread(qtbot: QtBot) -> None:
    lane = Lane("test")
    gui = threading.get_ident()
    ran_on: list[int] = []
    done: list[tuple[int, int]] = []
    for number in range(5):
        lane.submit(f"job {number}", lambda job, n=number: (ran_on.append(threading.get_ident()),
                                                            n)[1],
                    on_done=lambda n: done.append((n, threading.get_ident())))
    qtbot.waitUntil(lambda: len(done) == 5, timeout=5_000)
    assert [n for n, _ in done] == [0, 1, 2, 3, 4]  # one thread per lane: submission order
    assert all(thread == gui for _, thread in done)
    assert gui not in ran_on
    assert lane.wait_for_done()


def test_errors_events_and_cancel(qtbot: QtBot) -> None:
    lane = Lane("test")
    events: list[object] = []
    failures: list[BaseException] = []
    gate = threading.Event()

    def work(job: Job[None]) -> None:
        job.emit("started")
        gate.wait(5)
        job.token.raise_if_cancelled()

    running = lane.submit("cancellable", work, on_failed=failures.append, on_event=events.append)
    qtbot.waitUntil(lambda: events == ["started"], timeout=5_000)
    running.cancel()
    gate.set()
    qtbot.waitUntil(lambda: bool(failures), timeout=5_000)
    assert isinstance(failures[0], Cancelled)

    def refuse(job: Job[None]) -> None:
        raise InputError("no")

    crashes: list[object] = []
    lane.job_crashed.connect(crashes.append)
    with qtbot.waitSignal(lane.busy_changed, timeout=5_000):
        lane.submit("unhandled", refuse)
    qtbot.waitUntil(lambda: bool(crashes), timeout=5_000)
    assert isinstance(crashes[0], InputError)
    assert lane.wait_for_done()


def test_a_lane_keeps_one_database_connection_across_its_jobs(qtbot: QtBot,
                                                              tmp_path: Path) -> None:
    """Qt's pool thread gets a fresh Python thread state per job: a connection kept in a
    threading.local was opened anew (and left open) for every job, hundreds an hour."""
    db = open_database(tmp_path)
    try:
        lane = Lane("store")
        opened = len(db._connections)  # the opening thread's own
        done: list[int] = []
        for _ in range(20):
            lane.submit("read", lambda job: db.schema_version, on_done=done.append)
        qtbot.waitUntil(lambda: len(done) == 20, timeout=10_000)
        assert len(db._connections) == opened + 1
        assert lane.wait_for_done()
    finally:
        db.close()
