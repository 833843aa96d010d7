"""Issue 11, item 7: the history of a cell in the window (what `gradedesk history --line-item
--user` prints): newest first, times in local time, the student and the line item by name, the
action in words; a cell with nothing sent says so."""

from __future__ import annotations

from pathlib import Path

from gui_support import save_shot
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from gradedesk.store import audit, drafts
from gradedesk.ui.dialogs.cell_history import EMPTY_TEXT, CellHistoryDialog, CellHistoryOpener
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.rows import CellKey
from gradedesk.ui.views.main_window import MainWindow

SYNC_MS = 60_000
SAVE_MS = 10_000


def _opener(window: MainWindow) -> CellHistoryOpener:
    assert isinstance(window.cell_history, CellHistoryOpener)
    return window.cell_history


def _open(window: MainWindow, qtbot: QtBot, key: CellKey) -> CellHistoryDialog:
    dialog = _opener(window).open(key)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.history is not None, timeout=SAVE_MS)
    return dialog


def test_the_history_of_a_pushed_grade_names_the_student_and_line_item_in_local_time(
        window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    model = window.line_model
    item = model.line_item
    assert item is not None
    grade = model.row_at(0)
    connection = window.presenter.connection
    assert connection is not None
    db = window.presenter.context.db
    for score in (7.5, 8.5):  # sent twice: two posts, two acceptances
        drafts.save_draft(db, connection.id, *grade.key, drafts.DraftEdit(score_given=score))
        with qtbot.waitSignal(window.presenter.sync_finished, timeout=SYNC_MS):
            window.window_actions.push.trigger()
    dialog = _open(window, qtbot, grade.key)
    assert dialog.isVisible()
    assert dialog.heading.text() == f"History of {grade.student.name} in {item.label}"
    assert grade.student.name in dialog.windowTitle()
    shown = dialog.texts()
    assert [what for _, what, _, _ in shown] == [
        "Accepted by the platform", "Sent to the platform"] * 2  # newest first
    assert "score 8.5/" in shown[1][3] and "score 7.5/" in shown[3][3]
    assert "(HTTP 200)" in shown[0][3]
    assert shown[1][3].startswith("Graded, score 8.5/")  # words, not the AGS value
    assert dialog.lines.topLevelItem(1).toolTip(3).startswith("FullyGraded, score 8.5/")
    entries = audit.history(db, connection_name=connection.name,
                            line_item_url=grade.key[0], user_id=grade.user_id)
    assert [when for when, _, _, _ in shown] == [
        entry.at.astimezone().strftime("%a %d %b %Y, %H:%M:%S") for entry in entries]
    assert dialog.lines.topLevelItem(1).toolTip(1) == "score.post"  # the log's own word
    for text in (dialog.heading.text(), dialog.windowTitle(), dialog.note.text(),
                 *(cell for line in shown for cell in line)):
        assert grade.user_id not in text and grade.key[0] not in text
    save_shot(dialog, "cell-history.png", tmp_path)


def test_a_grade_with_nothing_sent_says_so(window: MainWindow, qtbot: QtBot) -> None:
    grade = window.line_model.row_at(3)
    dialog = _open(window, qtbot, grade.key)
    assert dialog.note.text() == EMPTY_TEXT
    assert dialog.texts() == []
    assert grade.student.name in dialog.heading.text()
    # Opening another cell's history reuses the dialog and shows that cell.
    other = window.line_model.row_at(4)
    again = _open(window, qtbot, other.key)
    assert again is dialog and other.student.name in dialog.heading.text()


def test_the_grade_menu_the_grids_menu_and_ctrl_h_open_the_current_cells_history(
        window: MainWindow, qtbot: QtBot) -> None:
    action = window.window_actions.cell_history
    grade_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Grade")
    assert action in grade_menu.actions()
    assert action in window.grid_commands.menu.actions()  # the grid's context menu
    assert action.shortcut().toString() == "Ctrl+H"
    table, model = window.line_table, window.line_model
    # Right-click a cell: the menu acts on it, as Edit's actions do.
    cell = model.index(5, Column.SCORE)
    window.grid_commands.show_menu(table, table.visualRect(cell).center())
    qtbot.waitUntil(window.grid_commands.menu.isVisible, timeout=SAVE_MS)
    window.grid_commands.menu.close()
    action.trigger()
    opener = _opener(window)
    qtbot.waitUntil(lambda: opener.dialog is not None and opener.dialog.history is not None,
                    timeout=SAVE_MS)
    assert opener.dialog is not None and opener.dialog.key == model.row_at(5).key
    opener.dialog.close()
    # The keyboard: Ctrl+H in the grid.
    table.setCurrentIndex(model.index(2, Column.SCORE))
    window.activateWindow()
    table.setFocus()
    qtbot.waitUntil(table.hasFocus, timeout=SAVE_MS)
    qtbot.keyClick(table, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: opener.dialog is not None and opener.dialog.isVisible()
                    and opener.dialog.key == model.row_at(2).key
                    and opener.dialog.history is not None, timeout=SAVE_MS)
    assert model.row_at(2).student.name in opener.dialog.heading.text()
