"""Issue 9, finding 8: undoing a change that already went out queues a new edit restoring the
earlier value and says so; it never sends again a score or comment the platform already holds
("already as before"), and says that an attached file cannot be un-attached."""

from __future__ import annotations

from gui_support import SandboxCourse, show_in_detail, type_into_cell
from pytestqt.qtbot import QtBot

from gradedesk.domain import format_score
from gradedesk.store import DraftRow, SyncState, drafts
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.rows import CellKey
from gradedesk.ui.views.main_window import MainWindow

SYNC_MS = 60_000
SAVE_MS = 10_000


def _draft(window: MainWindow, key: CellKey) -> DraftRow | None:
    connection = window.presenter.connection
    assert connection is not None
    return drafts.get_draft(window.presenter.context.db, connection.id, *key)


def _graded_row(window: MainWindow) -> int:
    model = window.line_model
    return next(r for r in range(model.rowCount()) if model.row_at(r).score is not None)


def _push(window: MainWindow, qtbot: QtBot) -> None:
    with qtbot.waitSignal(window.presenter.sync_finished, timeout=SYNC_MS):
        window.window_actions.push.trigger()


def _undo(window: MainWindow, qtbot: QtBot) -> str:
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        window.window_actions.undo.trigger()
    return window.statusBar().currentMessage()


def test_undo_after_a_push_queues_a_new_edit_restoring_the_earlier_value(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot) -> None:
    model = window.line_model
    row = _graded_row(window)
    before = model.row_at(row).score
    key = model.row_at(row).key
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        type_into_cell(qtbot, window.line_table, model.index(row, Column.SCORE), "9")
    _push(window, qtbot)
    assert _draft(window, key) is None
    message = _undo(window, qtbot)
    assert message == (f"Undo: queued a new edit restoring {format_score(before)} "
                       "(the platform has 9)")
    restoring = _draft(window, key)
    assert restoring is not None and restoring.score_given == before
    assert model.row_at(row).state is SyncState.QUEUED
    # Redo: the platform has 9 already, so the restoring edit goes and nothing is queued.
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        window.window_actions.redo.trigger()
    assert _draft(window, key) is None
    assert model.index(row, Column.SCORE).data() == "9"
    _push(window, qtbot)
    assert [entry["body"]["scoreGiven"] for entry in course.ledger()] == [9]  # 9 sent once


def test_undo_after_a_push_sends_nothing_the_platform_already_holds(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot) -> None:
    model = window.line_model
    row = _graded_row(window)
    before = model.row_at(row).score
    assert before is not None
    key = model.row_at(row).key
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        type_into_cell(qtbot, window.line_table, model.index(row, Column.SCORE), "9")
    _push(window, qtbot)
    # A colleague puts the earlier score back in Canvas, and a pull brings it.
    course.change_result(key[0], key[1], score=before)
    with qtbot.waitSignal(window.presenter.sync_finished, timeout=SYNC_MS):
        window.window_actions.pull.trigger()
    message = _undo(window, qtbot)
    assert message == f"Undo: already as before (the platform has {format_score(before)})"
    assert _draft(window, key) is None


def test_undo_of_a_sent_comment_does_not_send_the_score_again(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot) -> None:
    model = window.line_model
    row = _graded_row(window)
    key = model.row_at(row).key
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        model.setData(model.index(row, Column.COMMENT), "Good work.")
    _push(window, qtbot)
    assert len(course.ledger()) == 1
    message = _undo(window, qtbot)
    assert message.startswith("Undo: already as before")
    assert "the comment already sent stays on the platform" in message
    assert _draft(window, key) is None  # no draft re-sending the same score
    _push(window, qtbot)
    assert len(course.ledger()) == 1


def test_undo_of_an_attached_file_says_it_cannot_be_un_attached(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot) -> None:
    model = window.line_model
    row = _graded_row(window)
    key = model.row_at(row).key
    show_in_detail(qtbot, window, row, Column.SCORE)
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        assert window.detail.attach_file(f"{course.info['files_url']}/report.pdf", "Report")
    _push(window, qtbot)
    message = _undo(window, qtbot)
    assert "an attached file cannot be un-attached" in message
    assert _draft(window, key) is None
    # Redo does not attach it a second time.
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        window.window_actions.redo.trigger()
    assert _draft(window, key) is None
    assert "attached already" in window.statusBar().currentMessage()
