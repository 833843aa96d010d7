"""The TA's review queue: PendingManual results one at a time, all by keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from gradedesk.domain import GradingProgress
from gradedesk.store import drafts
from gradedesk.ui.navigation import NavTarget
from gradedesk.ui.views.main_window import MainWindow

SAVE_MS = 10_000


def _open_line_item_with_pending(window: MainWindow, qtbot: QtBot, at_least: int) -> None:
    connection = window.presenter.connection
    assert connection is not None and window.overview is not None
    for item in window.overview.line_items[connection.id]:
        with qtbot.waitSignal(window.view_ready, timeout=SAVE_MS):
            window.open_target(NavTarget(connection.name, item.url))
        if sum(row.pending_manual for row in window.line_model.rows()) >= at_least:
            return
    raise AssertionError("no line item has enough submissions awaiting grading")


def test_review_queue_by_keyboard(window: MainWindow, qtbot: QtBot) -> None:
    _open_line_item_with_pending(window, qtbot, at_least=2)
    pending = [row for row in window.line_model.rows() if row.pending_manual]
    dialog = window.open_review_queue()
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.submission.toPlainText() not in ("", "Loading…"),
                    timeout=SAVE_MS)
    assert "osmosis" in dialog.submission.toPlainText()  # the Canvas submission_data
    assert dialog.left == len(pending)
    assert f"{len(pending)} left" in dialog.progress.text()
    first = dialog.current_row()
    assert first is not None and first.key == pending[0].key
    # The comment bank: keep a comment, then insert it.
    dialog.comment.setPlainText("Explain the mechanism in your own words.")
    with qtbot.waitSignal(window.presenter.comment_bank_loaded, timeout=SAVE_MS):
        qtbot.mouseClick(dialog.keep, Qt.MouseButton.LeftButton)
    assert dialog.bank.count() == 2
    dialog.comment.clear()
    dialog.bank.activated.emit(1)
    assert dialog.comment.toPlainText() == "Explain the mechanism in your own words."
    # Score, comment and FullyGraded in one step; the next student comes up.
    dialog.score.setFocus()
    dialog.score.setText("7")
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        qtbot.keyClick(dialog.score, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    connection = window.presenter.connection
    assert connection is not None
    saved = drafts.get_draft(window.presenter.context.db, connection.id, *first.key)
    assert saved is not None
    assert (saved.score_given, saved.grading_progress) == (7, GradingProgress.FULLY_GRADED)
    assert saved.comment == "Explain the mechanism in your own words."
    assert dialog.left == len(pending) - 1
    assert dialog.current_row().key == pending[1].key  # type: ignore[union-attr]
    assert window.presenter.undo_stack.undoText() == f"Grade {first.student.name}"
    # Back and forth by keyboard.
    qtbot.keyClick(dialog.score, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert dialog.current_row().key == pending[0].key  # type: ignore[union-attr]
    assert "(graded)" in dialog.student.text()
    qtbot.keyClick(dialog.score, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert dialog.current_row().key == pending[1].key  # type: ignore[union-attr]
    # A refused score stores nothing and says why.
    dialog.score.setText("abc")
    assert not dialog.grade_and_next()
    assert "not a number" in dialog.error.text()
    assert drafts.get_draft(window.presenter.context.db, connection.id, *pending[1].key) is None
