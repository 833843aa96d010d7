"""Issue 11, item 12 (the window's half): quitting with grades not sent yet asks first: Quit
(they stay saved and go with the next push), Push first, or Cancel; Enter picks none of the
first two, Escape cancels. Without unsent grades Quit closes at once."""

from __future__ import annotations

from gui_support import SandboxCourse, type_into_cell
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from gradedesk.store import OutboxState, outbox
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.views.main_window import MainWindow

SYNC_MS = 60_000
SAVE_MS = 10_000


def _grade(window: MainWindow, qtbot: QtBot, rows: range) -> None:
    for row in rows:
        with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
            type_into_cell(qtbot, window.line_table,
                           window.line_model.index(row, Column.SCORE), "6")


def _question(window: MainWindow, qtbot: QtBot) -> QMessageBox:
    qtbot.waitUntil(lambda: window.dialogs.quit_question is not None
                    and window.dialogs.quit_question.isVisible(), timeout=SAVE_MS)
    question = window.dialogs.quit_question
    assert question is not None
    return question


def _button(question: QMessageBox, text: str) -> QPushButton:
    found = [b for b in question.buttons() if b.text().replace("&", "") == text]
    assert found, [b.text() for b in question.buttons()]
    button = found[0]
    assert isinstance(button, QPushButton)
    return button


def _queued(window: MainWindow) -> int:
    connection = window.presenter.connection
    assert connection is not None
    return len(outbox.entries(window.presenter.context.db, connection.id,
                              (OutboxState.QUEUED,)))


def test_quitting_with_unsent_grades_asks_first(window: MainWindow, qtbot: QtBot) -> None:
    _grade(window, qtbot, range(0, 2))
    quit_action = window.window_actions.quit
    assert QKeySequence("Ctrl+Q") in quit_action.shortcuts()
    quit_action.trigger()
    question = _question(window, qtbot)
    assert "2 grades are not sent yet; they stay saved here and go with the next push" \
        in question.text()
    assert [_button(question, t).text().replace("&", "") for t in
            ("Quit", "Push first", "Cancel")] == ["Quit", "Push first", "Cancel"]
    default = question.defaultButton()
    assert default is not None and default.text().replace("&", "") == "Cancel"
    qtbot.keyClick(question, Qt.Key.Key_Escape)  # the keyboard's way out: nothing happens
    assert not question.isVisible()
    assert window.isVisible()
    quit_action.trigger()
    question = _question(window, qtbot)
    _button(question, "Quit").click()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=SAVE_MS)
    assert _queued(window) == 2  # kept for the next push


def test_push_first_sends_the_grades_then_quits(window: MainWindow, course: SandboxCourse,
                                                qtbot: QtBot) -> None:
    _grade(window, qtbot, range(0, 1))
    window.window_actions.quit.trigger()
    question = _question(window, qtbot)
    assert "1 grade is not sent yet; it stays saved here and goes with the next push" \
        in question.text()
    with qtbot.waitSignal(window.presenter.sync_finished, timeout=SYNC_MS):
        _button(question, "Push first").click()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=SAVE_MS)
    assert len(course.ledger()) == 1
    assert _queued(window) == 0


def test_a_failed_push_first_leaves_the_window_open(window: MainWindow, course: SandboxCourse,
                                                    qtbot: QtBot) -> None:
    _grade(window, qtbot, range(0, 1))
    course.stop()  # offline: the push cannot go
    window.window_actions.quit.trigger()
    question = _question(window, qtbot)
    with qtbot.waitSignal(window.presenter.job_finished, timeout=SYNC_MS):
        _button(question, "Push first").click()
    qtbot.waitUntil(lambda: not window._quit_after_push, timeout=SAVE_MS)  # next loop turn
    assert window.isVisible()
    assert window.alert_bar.isVisible()
    window.window_actions.quit.trigger()  # asks again: still one grade waiting
    assert "1 grade is not sent yet" in _question(window, qtbot).text()


def test_quitting_with_everything_sent_closes_at_once(window: MainWindow,
                                                      qtbot: QtBot) -> None:
    window.window_actions.quit.trigger()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=SAVE_MS)
    assert window.dialogs.quit_question is None
