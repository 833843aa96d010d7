"""Issue 11's acceptance with the keyboard alone: in grading mode, grade ten submissions that
need grading across two line items, push, and read in the activity list who was sent, by name
and line item. Every step is a key press where the keyboard focus is."""

from __future__ import annotations

from collections.abc import Callable

from grading_support import line_items, set_pending
from gui_support import SandboxCourse
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gradedesk.domain import GradingProgress
from gradedesk.store import drafts, snapshots
from gradedesk.ui.views.main_window import MainWindow

WAIT_MS = 60_000
NONE = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
CTRL_SHIFT = CTRL | Qt.KeyboardModifier.ShiftModifier


def _key(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = NONE) -> None:
    """A key press delivered where the keyboard focus is, as a user's would be."""
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    qtbot.keyClick(target, key, modifier)


def _type(qtbot: QtBot, text: str) -> None:
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    qtbot.keyClicks(target, text)


def test_grade_ten_across_two_line_items_push_and_read_them_in_the_activity_list(
        course: SandboxCourse, make_window: Callable[..., MainWindow], qtbot: QtBot) -> None:
    items = line_items(course)
    first, second = items[0], items[1]
    waiting = set_pending(course, {first.url: 5, second.url: 5})
    window = make_window()
    window.show()
    with qtbot.waitSignal(window.view_ready, timeout=WAIT_MS):
        window.start()
    qtbot.waitUntil(lambda: window.line_model.rowCount() > 0, timeout=WAIT_MS)
    assert window.line_model.line_item is not None
    assert window.line_model.line_item.url == first.url
    window.activateWindow()
    window.line_table.setFocus()
    qtbot.waitUntil(window.line_table.hasFocus, timeout=5_000)
    mode = window.grading

    with qtbot.waitSignal(mode.queue_loaded, timeout=WAIT_MS):
        _key(qtbot, Qt.Key.Key_R, CTRL_SHIFT)  # Grade > Grading mode
    assert window.pages.currentWidget() is mode
    assert mode.progress_text.text() == "0 of 5 done"
    scores = iter(["6", "7", "8.5", "9", "10", "4", "5", "6.5", "7", "8"])
    for line_item in (first, second):
        for number in range(5):
            assert QApplication.focusWidget() is mode.score
            _type(qtbot, next(scores))
            if number == 0:  # a comment for the first of each: Tab to it, type
                _key(qtbot, Qt.Key.Key_Tab)
                assert QApplication.focusWidget() is mode.comment
                _type(qtbot, "Well argued.")
            with qtbot.waitSignal(window.presenter.edits_saved, timeout=WAIT_MS):
                _key(qtbot, Qt.Key.Key_Return, CTRL)  # grade and go on
        assert mode.progress_text.text() == "5 of 5 done"
        assert mode.pages.currentWidget() is mode.end_page
        assert QApplication.focusWidget() is mode.push_button
        if line_item is first:
            with qtbot.waitSignal(mode.queue_loaded, timeout=WAIT_MS):
                _key(qtbot, Qt.Key.Key_N, ALT)  # Next line item
            assert mode.scope == second.url

    with qtbot.waitSignal(window.presenter.sync_finished, timeout=WAIT_MS) as finished:
        _key(qtbot, Qt.Key.Key_Return)  # Push now (the focused button)
    assert finished.args[0] == "push" and finished.args[1].clean
    assert len(finished.args[1].confirmed) == 10
    _key(qtbot, Qt.Key.Key_Escape)  # back to the gradebook
    assert window.pages.currentWidget() is window.workspace
    _key(qtbot, Qt.Key.Key_Y, CTRL_SHIFT)  # View > Activity
    assert window.activity.isVisible()
    assert QApplication.focusWidget() is window.activity.messages

    # The activity list names every student graded, with the line item's label.
    context, connection = course.context, course.connection
    assert connection is not None
    names = {member.user_id: member.sort_name
             for member in snapshots.list_members(context.db, connection.id)}
    said = " ".join(window.activity.texts())
    for line_item in (first, second):
        pushed = next(text for text in window.activity.texts()
                      if text.startswith("Pushed:"))
        assert f"({line_item.label})" in pushed
        for user_id in waiting[line_item.url]:
            assert names[user_id] in said, names[user_id]
            saved = drafts.get_draft(context.db, connection.id, line_item.url, user_id)
            assert saved is None or saved.grading_progress is GradingProgress.FULLY_GRADED
    ledger = course.ledger()
    assert sorted(entry["body"]["scoreGiven"] for entry in ledger) == \
        [4, 5, 6, 6.5, 7, 7, 8, 8.5, 9, 10]
    assert {entry["body"]["gradingProgress"] for entry in ledger} == {"FullyGraded"}
    assert sum(entry["body"].get("comment") == "Well argued." for entry in ledger) == 2
