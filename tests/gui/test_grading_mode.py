"""Issue 11, item 10: grading mode, a page of the window (not a dialog) for the submissions
that need grading, across all line items or one: a list of students with progress ("2 of 3
done"), the submission large, score, comment and the comment bank; Ctrl+Enter grades (one
undoable edit) and moves on; at the end, push now or the next line item. The review dialog's
bugs are gone: no "Student 4 of 3", and an empty queue shows no one."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from grading_support import line_items, set_pending
from gui_support import SandboxCourse, save_shot
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gradedesk.domain import GradingProgress
from gradedesk.store import SyncState, drafts
from gradedesk.ui.context import AppContext
from gradedesk.ui.navigation import NavTarget
from gradedesk.ui.sync_states import READABLE_CONTRAST, contrast_ratio
from gradedesk.ui.views.grading_mode import GradingMode
from gradedesk.ui.views.main_window import MainWindow

LOAD_MS = 20_000
SYNC_MS = 60_000
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier

OpenWindow = Callable[[dict[int, int]], tuple[MainWindow, dict[str, list[str]]]]


@pytest.fixture
def open_window(course: SandboxCourse, make_window: Callable[..., MainWindow],
                qtbot: QtBot) -> OpenWindow:
    """The window on the first line item, after making ``{line item position: count}``
    submissions wait in those line items (the others keep the sandbox's own)."""

    def made(per_item: dict[int, int]) -> tuple[MainWindow, dict[str, list[str]]]:
        items = line_items(course)
        waiting = set_pending(course, {items[i].url: n for i, n in per_item.items()})
        window = make_window()
        window.show()
        with qtbot.waitSignal(window.view_ready, timeout=LOAD_MS):
            window.start()
        qtbot.waitUntil(lambda: window.line_model.rowCount() > 0, timeout=LOAD_MS)
        return window, waiting

    return made


def _open(window: MainWindow, qtbot: QtBot) -> GradingMode:
    mode = window.grading
    with qtbot.waitSignal(mode.queue_loaded, timeout=LOAD_MS):
        window.window_actions.grading_mode.trigger()  # Grade > Grading mode
    assert window.pages.currentWidget() is mode
    return mode


def _grade(window: MainWindow, qtbot: QtBot, mode: GradingMode, score: str) -> None:
    mode.score.setFocus()
    mode.score.selectAll()
    qtbot.keyClicks(mode.score, score)
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=LOAD_MS):
        qtbot.keyClick(mode.score, Qt.Key.Key_Return, CTRL)


def _name(mode: GradingMode) -> str:
    current = mode.queue.current() if mode.queue is not None else None
    assert current is not None
    return current.student.name


def test_a_page_of_the_window_with_progress_and_one_undoable_grade(
        open_window: OpenWindow, qtbot: QtBot) -> None:
    window, waiting = open_window({0: 3, 1: 2})
    item = window.line_model.line_item
    assert item is not None and len(waiting[item.url]) == 3
    mode = _open(window, qtbot)
    assert not mode.isWindow()  # in the window, not a dialog
    assert window.window_actions.grading_mode.isChecked()
    assert mode.scope == item.url  # opened on the line item shown
    assert mode.progress_text.text() == "0 of 3 done"
    assert mode.position.text() == "Submission 1 of 3"
    assert mode.students.count() == 3  # one line item: no headings
    queue = mode.queue
    assert queue is not None
    assert [row.user_id for row in queue.entries] == waiting[item.url]  # roster order
    first = queue.entries[0]
    assert mode.student.text() == first.student.name
    assert QApplication.focusWidget() is mode.score  # ready to type
    qtbot.waitUntil(lambda: mode.submission.toPlainText() != "Loading…", timeout=LOAD_MS)
    # The comment bank: keep a comment, then add it to an empty comment.
    mode.comment.setPlainText("Explain the mechanism in your own words.")
    with qtbot.waitSignal(window.presenter.comment_bank_loaded, timeout=LOAD_MS):
        qtbot.mouseClick(mode.keep, Qt.MouseButton.LeftButton)
    assert mode.bank.count() == 2
    mode.comment.clear()
    mode.bank.activated.emit(1)
    assert mode.comment.toPlainText() == "Explain the mechanism in your own words."
    # Score, comment and Graded in one step; the next student comes up.
    _grade(window, qtbot, mode, "7")
    presenter = window.presenter
    connection = presenter.connection
    assert connection is not None
    saved = drafts.get_draft(presenter.context.db, connection.id, *first.key)
    assert saved is not None
    assert (saved.score_given, saved.grading_progress, saved.comment) == \
        (7, GradingProgress.FULLY_GRADED, "Explain the mechanism in your own words.")
    assert presenter.undo_stack.undoText() == f"Grade {first.student.name}"
    assert presenter.undo_stack.count() == 1  # one undoable edit
    assert mode.progress_text.text() == "1 of 3 done"
    assert mode.position.text() == "Submission 2 of 3"
    assert mode.student.text() == queue.entries[1].student.name
    assert mode.students.item(0).text().startswith("✓")
    assert mode.students.item(1).text().startswith("○")
    # The grid behind follows: the row no longer needs grading.
    qtbot.waitUntil(lambda: not window.line_model.row_of(first.key).pending_manual,
                    timeout=LOAD_MS)
    # Back and forth by keyboard; a graded one says so and shows its grade.
    qtbot.keyClick(mode.score, Qt.Key.Key_Left, ALT)
    assert _name(mode) == first.student.name
    assert mode.status_badge.text() == "✓ Graded"
    assert mode.score.text() == "7"
    assert mode.platform.text().startswith("On the platform: no comment.")
    assert "Your grade here:" in mode.platform.text()
    qtbot.keyClick(mode.score, Qt.Key.Key_Right, ALT)
    assert _name(mode) == queue.entries[1].student.name
    # A refused score stores nothing and says why.
    mode.score.setText("abc")
    qtbot.keyClick(mode.score, Qt.Key.Key_Return, CTRL)
    assert "not a number" in mode.error.text()
    assert drafts.get_draft(presenter.context.db, connection.id,
                            *queue.entries[1].key) is None
    assert mode.progress_text.text() == "1 of 3 done"
    # Escape: back to the grid, on the student last shown.
    qtbot.keyClick(mode.score, Qt.Key.Key_Escape)
    assert window.pages.currentWidget() is window.workspace
    assert not window.window_actions.grading_mode.isChecked()
    current = window.line_table.currentIndex()
    assert window.line_model.row_at(current.row()).key == queue.entries[1].key


def test_undo_puts_a_graded_submission_back_in_the_queue(
        open_window: OpenWindow, qtbot: QtBot) -> None:
    window, _waiting = open_window({0: 2})
    mode = _open(window, qtbot)
    _grade(window, qtbot, mode, "9")
    assert mode.progress_text.text() == "1 of 2 done"
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=LOAD_MS):
        window.window_actions.undo.trigger()  # Ctrl+Z, from the Edit menu
    qtbot.waitUntil(lambda: mode.progress_text.text() == "0 of 2 done", timeout=LOAD_MS)
    assert mode.students.item(0).text().startswith("○")
    # The toolbar's Grading mode button leaves too (it shows the mode is on).
    window.window_actions.grading_mode.trigger()
    assert window.pages.currentWidget() is window.workspace


def test_the_marks_read_at_4_5_to_1(open_window: OpenWindow, qtbot: QtBot) -> None:
    window, _waiting = open_window({0: 2})
    mode = _open(window, qtbot)
    _grade(window, qtbot, mode, "9")
    palette = mode.students.palette()
    base = palette.color(QPalette.ColorRole.Base)
    done = mode.students.item(0).foreground().color()
    assert mode.students.item(0).text().startswith("✓")
    assert contrast_ratio(done, base) >= READABLE_CONTRAST
    badge = QColor(mode.status_badge.styleSheet().split("color: ")[1].split(";")[0])
    assert contrast_ratio(badge, palette.color(QPalette.ColorRole.Window)) >= READABLE_CONTRAST


def test_the_end_offers_push_or_the_next_line_item_never_4_of_3(
        open_window: OpenWindow, course: SandboxCourse, qtbot: QtBot) -> None:
    window, waiting = open_window({0: 3, 1: 2})
    items = line_items(course)
    mode = _open(window, qtbot)
    for score in ("5", "6", "7"):
        _grade(window, qtbot, mode, score)
    # Past the last one: the end page, no student, no position beyond the queue.
    assert mode.pages.currentWidget() is mode.end_page
    assert mode.position.text() == "" and mode.student.text() == ""
    assert mode.progress_text.text() == "3 of 3 done"
    assert mode.end_title.text() == f"All 3 graded in {items[0].label}."
    assert QApplication.focusWidget() is mode.push_button
    assert mode.next_item_button.isVisible()
    assert mode.next_item_button.text().replace("&", "") == \
        f"Next line item: {items[1].label} (2 to grade)"
    # Alt+Left from the end page: the last one, graded (no "Submission 4 of 3").
    qtbot.keyClick(mode.push_button, Qt.Key.Key_Left, ALT)
    assert mode.position.text() == "Submission 3 of 3"
    qtbot.keyClick(mode.score, Qt.Key.Key_Right, ALT)
    assert mode.pages.currentWidget() is mode.end_page
    with qtbot.waitSignal(mode.queue_loaded, timeout=LOAD_MS):
        qtbot.mouseClick(mode.next_item_button, Qt.MouseButton.LeftButton)
    assert mode.scope == items[1].url
    assert mode.progress_text.text() == "0 of 2 done"
    assert [row.user_id for row in mode.queue.entries] == waiting[items[1].url]  # type: ignore[union-attr]
    for score in ("8", "9"):
        _grade(window, qtbot, mode, score)
    assert mode.pages.currentWidget() is mode.end_page
    with qtbot.waitSignal(window.presenter.sync_finished, timeout=SYNC_MS) as pushed:
        qtbot.mouseClick(mode.push_button, Qt.MouseButton.LeftButton)
    assert pushed.args[0] == "push" and len(pushed.args[1].confirmed) == 5
    assert "Pushed" in mode.end_status.text()
    ledger = sorted(entry["body"]["scoreGiven"] for entry in course.ledger())
    assert ledger == [5, 6, 7, 8, 9]
    model = window.line_model
    qtbot.waitUntil(lambda: all(model.row_of((items[0].url, user)).state  # type: ignore[union-attr]
                                is SyncState.CONFIRMED for user in waiting[items[0].url]),
                    timeout=SYNC_MS)


def test_an_empty_queue_shows_no_one(open_window: OpenWindow, course: SandboxCourse,
                                     qtbot: QtBot) -> None:
    window, _waiting = open_window({0: 2, 1: 0})
    items = line_items(course)
    mode = _open(window, qtbot)
    assert mode.student.text() != ""  # someone is shown...
    index = mode.scope_box.findData(items[1].url)
    assert mode.scope_box.itemText(index) == f"{items[1].label} (0 to grade)"
    with qtbot.waitSignal(mode.queue_loaded, timeout=LOAD_MS):
        mode.scope_box.setCurrentIndex(index)
        mode.scope_box.activated.emit(index)
    # ...and no longer: an empty line item says so, with nobody's score or submission.
    assert mode.pages.currentWidget() is mode.end_page
    assert mode.end_title.text() == f"Nothing needs grading in {items[1].label}."
    assert mode.student.text() == "" and mode.position.text() == ""
    assert mode.progress_text.text() == "Nothing to grade"
    assert not mode.push_button.isVisible()
    assert mode.next_item_button.isVisible()  # on to where work waits
    assert mode.queue is not None and mode.queue.current() is None
    qtbot.keyClick(mode.next_item_button, Qt.Key.Key_Right, ALT)  # nothing to go back to
    assert mode.pages.currentWidget() is mode.end_page


def test_across_all_line_items_with_a_chooser(open_window: OpenWindow, course: SandboxCourse,
                                              qtbot: QtBot) -> None:
    window, _waiting = open_window({0: 2, 1: 0})
    items = line_items(course)
    # From a line item with nothing waiting, grading mode takes every line item.
    with qtbot.waitSignal(window.view_ready, timeout=LOAD_MS):
        window.open_target(NavTarget(window.presenter.connection_name or "", items[1].url))
    mode = _open(window, qtbot)
    assert mode.scope is None
    queue = mode.queue
    assert queue is not None
    spans = list(dict.fromkeys(row.line_item_url for row in queue.entries))
    assert len(spans) >= 2 and spans == [item.url for item in items if item.url in spans]
    # Each line item's label heads its students in the list.
    assert mode.students.count() == queue.total + len(spans)
    assert mode.students.item(0).text() == items[0].label
    assert not mode.students.item(0).flags() & Qt.ItemFlag.ItemIsSelectable
    total = queue.total
    assert mode.scope_box.itemText(0) == f"All line items ({total} to grade)"
    assert mode.progress_text.text() == f"0 of {total} done"
    # The chooser narrows it to one line item; the sandbox's own submissions have text.
    own = next(item for item in items[2:]
               if mode.scope_box.itemText(mode.scope_box.findData(item.url))
               != f"{item.label} (0 to grade)")
    index = mode.scope_box.findData(own.url)
    with qtbot.waitSignal(mode.queue_loaded, timeout=LOAD_MS):
        mode.scope_box.setCurrentIndex(index)
        mode.scope_box.activated.emit(index)
    assert mode.scope == own.url
    assert {row.line_item_url for row in mode.queue.entries} == {own.url}  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: "osmosis" in mode.submission.toPlainText(), timeout=LOAD_MS)
    assert "submitted" in mode.submission_meta.text()


def test_hidden_names_in_grading_mode(open_window: OpenWindow, qtbot: QtBot) -> None:
    window, _waiting = open_window({0: 3})
    mode = _open(window, qtbot)
    window.window_actions.hide_names.trigger()
    assert re.fullmatch(r"Student \d+", mode.student.text())
    queue = mode.queue
    assert queue is not None
    numbers = [row.student.number for row in queue.entries]
    assert numbers == sorted(numbers)  # by number: the roster's order would tell
    shown = [mode.students.item(i).text().split("  ", 1)[1] for i in range(queue.total)]
    assert shown == [f"Student {n}" for n in numbers]
    label = mode.student.text()
    _grade(window, qtbot, mode, "8")
    assert window.presenter.undo_stack.undoText() == f"Grade {label}"
    window.window_actions.hide_names.trigger()
    assert not re.fullmatch(r"Student \d+", mode.student.text())


def test_screenshot_of_grading_mode(context: AppContext, make_window: Callable[..., MainWindow],
                                    qtbot: QtBot, tmp_path: Path) -> None:
    """resources/grading-mode.png: a class's essays, at 1280x800 (GRADEDESK_SHOTS_DIR)."""
    course = SandboxCourse(context, students=30, line_items=6, seed=3).start()
    try:
        course.pull()
        window = make_window()
        window.show()
        with qtbot.waitSignal(window.view_ready, timeout=LOAD_MS):
            window.start()
        mode = window.grading
        with qtbot.waitSignal(mode.queue_loaded, timeout=LOAD_MS):
            window.window_actions.grading_mode.trigger()
        with qtbot.waitSignal(mode.queue_loaded, timeout=LOAD_MS):
            mode.start(None)  # every line item: the list shows its headings
        qtbot.waitUntil(lambda: "osmosis" in mode.submission.toPlainText(), timeout=LOAD_MS)
        for score in ("17", "14.5"):
            _grade(window, qtbot, mode, score)
        qtbot.waitUntil(lambda: "osmosis" in mode.submission.toPlainText(), timeout=LOAD_MS)
        window.presenter.bank_comment(mode._bank_url, "Good use of the data; name the "
                                      "membrane in your answer.")
        qtbot.waitUntil(lambda: mode.bank.count() == 2, timeout=LOAD_MS)
        mode.score.setText("16")
        mode.comment.setPlainText("Clear and correct. Name the membrane: it is what lets "
                                  "water through and keeps the solute back.")
        mode.score.setFocus()
        window.resize(1280, 800)
        assert (window.width(), window.height()) == (1280, 800)
        save_shot(window, "grading-mode.png", tmp_path)
        window.close()
    finally:
        course.stop()
