"""Rubric grading by keyboard in grading mode (issue 14): number keys pick a level of the
current criterion, Tab moves to the next, the total is the score and the chosen levels lead
the comment; an incomplete rubric saves nothing; the levels are kept for a later change of the
rubric, and what is pushed is exactly that score and comment."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from grading_support import line_items, set_pending
from gui_support import SandboxCourse, save_shot
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gradedesk.domain.rubrics import parse_rubric
from gradedesk.store import drafts, rubrics
from gradedesk.ui.views.main_window import MainWindow

WAIT_MS = 60_000
CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = CTRL | Qt.KeyboardModifier.ShiftModifier
RUBRIC = """{"criteria": [
  {"name": "Clarity", "levels": [{"points": 3, "description": "Clear thesis"},
                                 {"points": 2, "description": "Mostly clear"},
                                 {"points": 0, "description": "Unclear"}]},
  {"name": "Evidence", "levels": [{"points": 4, "description": "Strong"},
                                  {"points": 2, "description": "Some"},
                                  {"points": 0, "description": "None"}]}]}"""


def _key(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.
         NoModifier) -> None:
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    qtbot.keyClick(target, key, modifier)


def test_number_keys_and_tab_grade_with_the_rubric(
        course: SandboxCourse, make_window: Callable[..., MainWindow], qtbot: QtBot,
        tmp_path: Path) -> None:
    context, connection = course.context, course.connection
    assert connection is not None
    first = line_items(course)[0]
    waiting = set_pending(course, {first.url: 2})[first.url]
    rubrics.save_rubric(context.db, connection.id, first.url, parse_rubric(RUBRIC))
    window = make_window()
    window.show()
    with qtbot.waitSignal(window.view_ready, timeout=WAIT_MS):
        window.start()
    qtbot.waitUntil(lambda: window.line_model.rowCount() > 0, timeout=WAIT_MS)
    window.activateWindow()
    window.line_table.setFocus()
    qtbot.waitUntil(window.line_table.hasFocus, timeout=5_000)
    mode = window.grading
    with qtbot.waitSignal(mode.queue_loaded, timeout=WAIT_MS):
        _key(qtbot, Qt.Key.Key_R, CTRL_SHIFT)
    panel = mode.rubric_panel
    qtbot.waitUntil(lambda: panel.isVisible() and panel.hasFocus(), timeout=WAIT_MS)
    assert mode.score.isReadOnly()

    _key(qtbot, Qt.Key.Key_1)  # Clarity: level 1, 3 points
    assert mode.score.text() == ""  # Evidence not chosen yet: no score
    _key(qtbot, Qt.Key.Key_Tab)
    assert panel.hasFocus() and panel.current == 1
    _key(qtbot, Qt.Key.Key_2)  # Evidence: level 2, 2 points
    assert mode.score.text() == "5"
    save_shot(window, "gd-rubric-grading.png", tmp_path)
    _key(qtbot, Qt.Key.Key_Tab)  # past the last criterion: on to the comment
    assert QApplication.focusWidget() is mode.comment
    qtbot.keyClicks(mode.comment, "Good start.")
    first_user = mode.queue.current().key[1] if mode.queue and mode.queue.current() else None
    assert first_user in waiting
    _key(qtbot, Qt.Key.Key_Return, CTRL)

    qtbot.waitUntil(lambda: rubrics.rubric_grade(context.db, connection.id, first.url,
                                                 str(first_user)) is not None,
                    timeout=WAIT_MS)
    draft = drafts.get_draft(context.db, connection.id, first.url, str(first_user))
    assert draft is not None and draft.score_given == 5
    assert draft.comment == ("Clarity: 3/3 — Clear thesis\nEvidence: 2/4 — Some\n\n"
                             "Good start.")
    kept = rubrics.rubric_grade(context.db, connection.id, first.url, str(first_user))
    assert kept is not None and kept.own_comment == "Good start."
    assert [level.points for level in kept.choice.levels] == [3, 2]

    # The next student: one criterion only, then Ctrl+Enter saves nothing and says why.
    qtbot.waitUntil(lambda: panel.hasFocus() and not panel.positions, timeout=WAIT_MS)
    second_user = mode.queue.current().key[1] if mode.queue and mode.queue.current() else None
    assert second_user in waiting and second_user != first_user
    _key(qtbot, Qt.Key.Key_3)  # Clarity: 0 points
    _key(qtbot, Qt.Key.Key_Return, CTRL)
    assert "No level chosen for Evidence" in mode.error.text()
    assert drafts.get_draft(context.db, connection.id, first.url, str(second_user)) is None

    with qtbot.waitSignal(window.presenter.sync_finished, timeout=WAIT_MS):
        window.presenter.push()
    sent = [entry["body"] for entry in course.ledger() if entry["user_id"] == first_user]
    assert [(body["scoreGiven"], body["comment"]) for body in sent] == [
        (5, "Clarity: 3/3 — Clear thesis\nEvidence: 2/4 — Some\n\nGood start.")]
