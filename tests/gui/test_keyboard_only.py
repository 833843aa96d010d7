"""Issue 5's acceptance with the keyboard alone: grade five students, attach a file to one of
them and push, then see the rows confirmed and the file attached."""

from __future__ import annotations

from gui_support import SandboxCourse
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gradedesk.store import SyncState
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.views.main_window import MainWindow

WAIT_MS = 60_000
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _key(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
         ) -> None:
    """A key press delivered where the keyboard focus is, as a user's would be."""
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    qtbot.keyClick(target, key, modifier)


def test_grade_five_attach_a_file_and_push_with_the_keyboard_alone(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot) -> None:
    window.activateWindow()
    table = window.line_table
    table.setFocus()
    qtbot.waitUntil(table.hasFocus, timeout=5_000)
    _key(qtbot, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    for _ in range(10):  # right until the Score column (hidden columns are skipped)
        if table.currentIndex().column() == Column.SCORE:
            break
        _key(qtbot, Qt.Key.Key_Right)
    assert (table.currentIndex().row(), table.currentIndex().column()) == (0, Column.SCORE)

    for score in ("6", "7", "8.5", "9", "10"):
        with qtbot.waitSignal(window.presenter.edits_saved, timeout=WAIT_MS):
            for char in score:  # the first key opens the editor, which takes the rest
                target = QApplication.focusWidget()
                assert target is not None
                qtbot.keyClicks(target, char)
            _key(qtbot, Qt.Key.Key_Return)
    assert table.currentIndex().row() == 5
    for _ in range(5):
        _key(qtbot, Qt.Key.Key_Up)
    qtbot.waitUntil(lambda: window.detail.detail is not None
                    and window.detail.detail.key == window.line_model.row_at(0).key,
                    timeout=WAIT_MS)

    _key(qtbot, Qt.Key.Key_A, CTRL_SHIFT)  # Grade > Attach file…
    assert QApplication.focusWidget() is window.detail.file_url
    qtbot.keyClicks(window.detail.file_url, f"{course.info['files_url']}/lab-report.pdf")
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=WAIT_MS):
        _key(qtbot, Qt.Key.Key_Return)

    with qtbot.waitSignal(window.presenter.sync_finished, timeout=WAIT_MS) as finished:
        _key(qtbot, Qt.Key.Key_P, CTRL_SHIFT)  # Sync > Push
    assert finished.args[1].clean and len(finished.args[1].confirmed) == 5
    model = window.line_model
    qtbot.waitUntil(lambda: all(model.row_at(r).state is SyncState.CONFIRMED
                                for r in range(5)), timeout=WAIT_MS)
    detail = window.detail
    qtbot.waitUntil(lambda: any("completed" in detail.files.item(i).text()
                                for i in range(detail.files.count())), timeout=WAIT_MS)
    ledger = course.ledger()
    assert sorted(entry["body"]["scoreGiven"] for entry in ledger) == [6, 7, 8.5, 9, 10]
