"""Sync from the window: push with progress and Cancel, rows confirmed one by one, conflicts
settled each way, offline editing then sync."""

from __future__ import annotations

from gui_support import SandboxCourse, type_into_cell
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from gradedesk.store import OutboxState, SyncState, drafts, outbox
from gradedesk.sync.engine import Resolution
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.views.main_window import MainWindow

SYNC_MS = 60_000
SAVE_MS = 10_000


def _grade_rows(window: MainWindow, qtbot: QtBot, rows: range, score: str = "9") -> None:
    for row in rows:
        with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
            type_into_cell(qtbot, window.line_table, window.line_model.index(row, Column.SCORE),
                           score)


def _states(window: MainWindow, rows: range) -> list[SyncState]:
    return [window.line_model.row_at(r).state for r in rows]


def test_push_button_shows_progress_and_confirms_rows(window: MainWindow, course: SandboxCourse,
                                                      qtbot: QtBot) -> None:
    _grade_rows(window, qtbot, range(0, 6))
    assert _states(window, range(6)) == [SyncState.QUEUED] * 6
    window.job_panel.show_at_once()
    confirmed: list[str] = []
    window.presenter.rows_refreshed.connect(
        lambda rows: confirmed.extend(k[1] for k, r in rows.items()
                                      if r.state is SyncState.CONFIRMED))
    push_button = window.toolbar.widgetForAction(window.window_actions.push)
    with qtbot.waitSignal(window.presenter.sync_finished, timeout=SYNC_MS) as finished:
        qtbot.mouseClick(push_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(window.job_panel.isVisible, timeout=SYNC_MS)
        assert window.job_panel.cancel_button.isEnabled()
        assert window.job_panel.label.text().startswith("Push")
    assert finished.args[0] == "push"
    report = finished.args[1]
    assert len(report.confirmed) == 6 and report.clean
    assert not window.job_panel.isVisible()
    qtbot.waitUntil(lambda: _states(window, range(6)) == [SyncState.CONFIRMED] * 6,
                    timeout=SAVE_MS)
    assert len(set(confirmed)) == 6  # rows were refreshed as confirmations came in
    assert window.online_indicator.text().endswith("Online")
    assert window.counts_label.counts.queued == 0
    assert len(course.ledger()) == 6


def test_cancel_stops_a_push_cleanly(window: MainWindow, course: SandboxCourse,
                                     qtbot: QtBot) -> None:
    _grade_rows(window, qtbot, range(0, 12), "5")
    course.settings(latency_ms=600)  # 12 grades take 7 s: Cancel lands long before the end
    window.job_panel.show_at_once()
    with qtbot.waitSignal(window.presenter.job_finished, timeout=SYNC_MS) as finished:
        window.window_actions.push.trigger()
        qtbot.waitUntil(window.job_panel.isVisible, timeout=SYNC_MS)
        qtbot.mouseClick(window.job_panel.cancel_button, Qt.MouseButton.LeftButton)
    message, ok = finished.args
    assert not ok and "cancelled" in message.lower()
    connection = window.presenter.connection
    assert connection is not None
    entries = outbox.entries(window.presenter.context.db, connection.id)
    states = {e.state for e in entries}
    assert OutboxState.SENDING not in states  # nothing left half-sent
    assert OutboxState.QUEUED in states  # the rest waits for the next push
    assert len(course.ledger()) < 12
    qtbot.waitUntil(lambda: not window.presenter.busy)
    assert window.window_actions.push.isEnabled()


def test_conflicts_keep_mine_take_theirs_keep_both(window: MainWindow, course: SandboxCourse,
                                                   qtbot: QtBot) -> None:
    model = window.line_model
    url = model.line_item.url if model.line_item else ""
    _grade_rows(window, qtbot, range(0, 4), "6")
    for row in range(4):  # comments too, so "keep both" has something to add
        with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
            model.setData(model.index(row, Column.COMMENT), f"Mine {row}")
    for row in range(4):  # a colleague grades the same students in Canvas meanwhile
        course.change_result(url, model.row_at(row).user_id, score=3, comment=f"Theirs {row}")
    with qtbot.waitSignal(window.presenter.conflicts_loaded, timeout=SYNC_MS):
        window.window_actions.push.trigger()
    dialog = window.dialogs.conflicts
    assert dialog is not None and dialog.isVisible()
    assert dialog.model.rowCount() == 4
    first = dialog.model.row_at(0)
    assert (first.mine_score, first.theirs_score) == (6, 3)
    assert first.theirs_comment == "Theirs 0"
    qtbot.waitUntil(lambda: _states(window, range(4)) == [SyncState.CONFLICT] * 4,
                    timeout=SAVE_MS)

    def settle(resolution: Resolution, row: int | None) -> None:
        with qtbot.waitSignal(window.presenter.conflicts_loaded, timeout=SYNC_MS):
            if row is None:
                qtbot.mouseClick(dialog.all_buttons[resolution], Qt.MouseButton.LeftButton)
            else:
                dialog.table.selectRow(row)
                qtbot.mouseClick(dialog.row_buttons[resolution], Qt.MouseButton.LeftButton)

    keys = [dialog.model.row_at(i).key for i in range(4)]
    settle(Resolution.MINE, 0)
    settle(Resolution.THEIRS, 0)  # the former second row is first now
    assert dialog.model.rowCount() == 2
    settle(Resolution.BOTH, None)
    assert dialog.model.rowCount() == 0
    db = window.presenter.context.db
    connection = window.presenter.connection
    assert connection is not None
    mine = drafts.get_draft(db, connection.id, *keys[0])
    assert mine is not None and mine.score_given == 6  # re-queued over theirs
    assert drafts.get_draft(db, connection.id, *keys[1]) is None  # theirs: draft dropped
    both = drafts.get_draft(db, connection.id, *keys[2])
    assert both is not None and both.score_given == 3 and both.comment == "Mine 2"
    with qtbot.waitSignal(window.presenter.sync_finished, timeout=SYNC_MS) as finished:
        window.window_actions.push.trigger()
    assert len(finished.args[1].confirmed) == 3
    assert not finished.args[1].conflicts


def test_offline_editing_then_sync(window: MainWindow, course: SandboxCourse,
                                   qtbot: QtBot) -> None:
    course.stop()  # the platform is gone
    with qtbot.waitSignal(window.presenter.job_finished, timeout=SYNC_MS) as finished:
        window.window_actions.pull.trigger()
    assert finished.args[1] is False
    assert window.online_indicator.text().endswith("Offline")
    assert window.alert_bar.isVisible()
    _grade_rows(window, qtbot, range(0, 3), "8")  # grading goes on, as drafts
    assert window.counts_label.counts.queued == 3
    course.restart()  # back online
    with qtbot.waitSignal(window.presenter.sync_finished, timeout=SYNC_MS) as finished:
        window.window_actions.push.trigger()
    assert len(finished.args[1].confirmed) == 3
    assert window.online_indicator.text().endswith("Online")
    qtbot.waitUntil(lambda: _states(window, range(3)) == [SyncState.CONFIRMED] * 3,
                    timeout=SAVE_MS)
    assert [entry["body"]["scoreGiven"] for entry in course.ledger()] == [8, 8, 8]


def test_undo_after_a_push_queues_the_earlier_value(window: MainWindow, course: SandboxCourse,
                                                    qtbot: QtBot) -> None:
    model = window.line_model
    row = next(r for r in range(model.rowCount()) if model.row_at(r).score is not None)
    before = model.row_at(row).score
    _grade_rows(window, qtbot, range(row, row + 1), "1")
    with qtbot.waitSignal(window.presenter.sync_finished, timeout=SYNC_MS):
        window.window_actions.push.trigger()
    connection = window.presenter.connection
    assert connection is not None
    key = model.row_at(row).key
    assert drafts.get_draft(window.presenter.context.db, connection.id, *key) is None
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        window.presenter.undo_stack.undo()
    # Nothing is retracted on the platform: the old score is queued as a new edit.
    draft = drafts.get_draft(window.presenter.context.db, connection.id, *key)
    assert draft is not None and draft.score_given == before
    assert model.row_at(row).state is SyncState.QUEUED
