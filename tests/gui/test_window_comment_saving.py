"""Issue 9, finding 2: a comment typed in the detail panel is saved when the grader leaves the
field, presses Ctrl+Enter, selects another student or line item, or closes the window."""

from __future__ import annotations

from pathlib import Path

from gui_support import save_shot, show_in_detail
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from conftest import LOAD_TIMEOUT_MS
from gradedesk.store import DraftRow, drafts
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.navigation import NavTarget
from gradedesk.ui.rows import CellKey
from gradedesk.ui.views.main_window import MainWindow

WAIT_MS = 10_000


def _draft(window: MainWindow, key: CellKey) -> DraftRow | None:
    connection = window.presenter.connection
    assert connection is not None
    return drafts.get_draft(window.presenter.context.db, connection.id, *key)


def _show(window: MainWindow, qtbot: QtBot, row: int) -> CellKey:
    key: CellKey = show_in_detail(qtbot, window, row, Column.SCORE)
    return key


def _type_comment(window: MainWindow, qtbot: QtBot, text: str) -> None:
    edit = window.detail.comment_edit
    window.activateWindow()
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus, timeout=WAIT_MS)
    qtbot.keyClicks(edit, text)


def test_a_comment_is_saved_when_the_grader_clicks_another_student(
        window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    first = _show(window, qtbot, 1)
    _type_comment(window, qtbot, "Careful with the units.")
    save_shot(window, "gd-comment-typed.png", tmp_path)
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=WAIT_MS):
        window.line_table.setFocus()  # the click that selects another student
        window.line_table.setCurrentIndex(window.line_model.index(4, Column.SCORE))
    saved = _draft(window, first)
    assert saved is not None and saved.comment == "Careful with the units."
    assert window.line_model.index(1, Column.COMMENT).data() == "Careful with the units."
    assert window.presenter.undo_stack.undoText() == "Edit comment"
    qtbot.waitUntil(lambda: window.detail.key == window.line_model.row_at(4).key,
                    timeout=WAIT_MS)
    assert window.detail.comment_edit.toPlainText() == ""  # the other student's (none)


def test_ctrl_enter_saves_and_a_selection_made_elsewhere_saves_too(
        window: MainWindow, qtbot: QtBot) -> None:
    first = _show(window, qtbot, 2)
    _type_comment(window, qtbot, "Good structure.")
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=WAIT_MS):
        qtbot.keyClick(window.detail.comment_edit, Qt.Key.Key_Return,
                       Qt.KeyboardModifier.ControlModifier)
    saved = _draft(window, first)
    assert saved is not None and saved.comment == "Good structure."
    assert window.detail.comment_edit.hasFocus()  # still writing
    assert window.detail.comment_edit.toPlainText() == "Good structure."  # no newline added
    # More text, then another student chosen without leaving the field (the review queue
    # does this): the panel saves before it shows them.
    qtbot.keyClicks(window.detail.comment_edit, " Cite more.")
    second = window.line_model.row_at(6).key
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=WAIT_MS):
        window.select_student(second)
    saved = _draft(window, first)
    assert saved is not None and saved.comment == "Good structure. Cite more."
    assert window.presenter.undo_stack.count() == 2


def test_a_comment_is_saved_when_the_line_item_changes(window: MainWindow,
                                                        qtbot: QtBot) -> None:
    first = _show(window, qtbot, 3)
    _type_comment(window, qtbot, "See me about question 3.")
    connection = window.presenter.connection
    assert connection is not None and window.overview is not None
    other = window.overview.line_items[connection.id][1]
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=WAIT_MS):
        window.open_target(NavTarget(connection.name, other.url))
    saved = _draft(window, first)
    assert saved is not None and saved.comment == "See me about question 3."


def test_a_comment_is_saved_when_the_window_closes(window: MainWindow, qtbot: QtBot) -> None:
    first = _show(window, qtbot, 5)
    _type_comment(window, qtbot, "Late, but thorough.")
    window.close()  # waits for the store lane: the save is done when close returns
    saved = _draft(window, first)
    assert saved is not None and saved.comment == "Late, but thorough."


def test_a_filter_typed_after_a_comment_does_not_lose_it(window: MainWindow,
                                                         qtbot: QtBot) -> None:
    first = _show(window, qtbot, 7)
    _type_comment(window, qtbot, "Excellent analysis.")
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=LOAD_TIMEOUT_MS):
        window.window_actions.find.trigger()  # Ctrl+F: the focus goes to the filter
        qtbot.keyClicks(window.filter_text, "zzz")
    saved = _draft(window, first)
    assert saved is not None and saved.comment == "Excellent analysis."
