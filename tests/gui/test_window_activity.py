"""Issue 11, item 3: messages that tell the truth now. An error banner goes away when the next
attempt succeeds; push results, refusals and failures stay readable in the activity list
(View > Activity: time and message, newest first); an unreachable platform is said in plain
words ("Can't reach the platform; your 3 grades stay queued..."), not as a transport error."""

from __future__ import annotations

import re
from pathlib import Path

from gui_support import SandboxCourse, save_shot, type_into_cell
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.views.main_window import MainWindow

SYNC_MS = 60_000
SAVE_MS = 10_000
TIME = re.compile(r"^\d\d:\d\d:\d\d$")


def _grade(window: MainWindow, qtbot: QtBot, rows: range, score: str) -> None:
    for row in rows:
        with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
            type_into_cell(qtbot, window.line_table,
                           window.line_model.index(row, Column.SCORE), score)


def _pull(window: MainWindow, qtbot: QtBot) -> bool:
    with qtbot.waitSignal(window.presenter.job_finished, timeout=SYNC_MS) as finished:
        window.window_actions.pull.trigger()
    return bool(finished.args[1])


def test_offline_is_said_in_plain_words_and_the_banner_goes_when_a_pull_succeeds(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot) -> None:
    _grade(window, qtbot, range(0, 3), "7")
    course.stop()  # the platform is gone
    assert _pull(window, qtbot) is False
    banner = window.alert_bar.label.text()
    assert window.alert_bar.isVisible()
    assert "Can't reach the platform; your 3 grades stay queued and go with the next push" \
        in banner
    assert "Could not reach" not in banner and "ConnectError" not in banner
    assert window.online_indicator.text().endswith("Offline")
    course.restart()  # back online: the next attempt succeeds
    assert _pull(window, qtbot) is True
    assert not window.alert_bar.isVisible()
    texts = window.activity.texts()
    assert texts[0].startswith("Pulled ")  # newest first
    assert any("Can't reach the platform; your 3 grades" in text for text in texts)
    assert not any("Could not reach" in text for text in texts)


def test_a_failed_save_banner_goes_when_the_next_edit_is_saved(window: MainWindow,
                                                               qtbot: QtBot) -> None:
    key = window.line_model.row_at(0).key
    window.presenter.edit_refused.emit(key, "the platform keeps no score for this column")
    assert window.alert_bar.isVisible()
    assert window.activity.texts()[0].startswith("Not saved (")
    _grade(window, qtbot, range(1, 2), "6")
    assert not window.alert_bar.isVisible()


def test_push_results_and_refusals_stay_in_the_activity_list(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot, tmp_path: Path) -> None:
    model = window.line_model
    # A refusal where it is typed (an absurd score), kept after its bubble went.
    editor = type_into_cell(qtbot, window.line_table, model.index(3, Column.SCORE), "1e9")
    assert isinstance(editor, QLineEdit)
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    # Canvas refuses a grade for its Test Student: the push result says "1 failed".
    test_student = next(r for r in range(model.rowCount())
                        if model.row_at(r).student.name == "Student, Test")
    _grade(window, qtbot, range(test_student, test_student + 1), "5")
    for row in [r for r in range(model.rowCount()) if r != test_student][:2]:
        _grade(window, qtbot, range(row, row + 1), "8")
    with qtbot.waitSignal(window.presenter.sync_finished, timeout=SYNC_MS):
        window.window_actions.push.trigger()
    qtbot.waitUntil(lambda: window.counts_label.counts.queued == 0, timeout=SAVE_MS)
    window.statusBar().clearMessage()  # the status bar moved on; the list has not
    assert not window.activity.isVisible()
    window.window_actions.activity.trigger()  # View > Activity (Ctrl+Shift+Y)
    assert window.activity.isVisible()
    assert QApplication.focusWidget() is window.activity.messages
    texts = window.activity.texts()
    assert texts[0].startswith("Pushed: 2 confirmed")
    assert "1 failed" in texts[0]
    assert any(text.startswith("Not saved:") and "maximum" in text for text in texts)
    # The refused grade is named: the student and the line item, with the platform's reason.
    label = model.line_item.label if model.line_item is not None else "?"
    assert any(text.startswith(f"Not sent (Student, Test, {label}):") for text in texts)
    shown = window.activity.messages
    assert shown.topLevelItemCount() == len(texts)
    assert TIME.match(shown.topLevelItem(0).text(0))
    assert shown.topLevelItem(0).text(1).endswith(texts[0])
    times = [entry.when for entry in window.activity.entries]
    assert times == sorted(times, reverse=True)  # newest first
    assert window.window_actions.activity.shortcut().toString() == "Ctrl+Shift+Y"
    # Ctrl+C copies the selected messages with their times (for a colleague or a ticket).
    shown.setCurrentItem(shown.topLevelItem(0))
    shown.topLevelItem(1).setSelected(True)
    qtbot.keyClick(shown, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    copied = QApplication.clipboard().text().splitlines()
    assert len(copied) == 2 and copied[0].endswith(f"\t{texts[0]}")
    assert TIME.match(copied[0].split("\t")[0])
    shown.clearSelection()
    # Closed with its own button: the menu item follows.
    window.activity.close()
    assert not window.window_actions.activity.isChecked()
    window.window_actions.activity.trigger()
    window.resize(1280, 800)
    assert window.activity.height() < window.height() * 0.4  # the grid keeps most of it
    window.update_glance()  # as its timer would
    save_shot(window, "activity.png", tmp_path)  # $GRADEDESK_SHOTS_DIR keeps it
