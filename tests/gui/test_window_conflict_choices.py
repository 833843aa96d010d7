"""Issue 9, finding 3: in the conflict dialog Enter picks no side, Tab reaches every button and
each choice has a mnemonic; each conflict shows the value when you pulled, yours, theirs and
when theirs changed. The detail panel offers the same three choices for its cell."""

from __future__ import annotations

from pathlib import Path

from gui_support import SandboxCourse, save_shot, show_in_detail, type_into_cell
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from gradedesk.store import SyncState, drafts
from gradedesk.sync.engine import Resolution
from gradedesk.ui.dialogs.conflicts import ConflictDialog
from gradedesk.ui.models.conflicts_model import ConflictColumn
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.views.main_window import MainWindow

SYNC_MS = 60_000
SAVE_MS = 10_000


def _make_conflicts(window: MainWindow, course: SandboxCourse, qtbot: QtBot,
                    rows: range) -> list[float | None]:
    """Grade these rows 6 with a comment, let a colleague grade them 3 in Canvas, push.
    Returns the scores the platform held before (the base)."""
    model = window.line_model
    url = model.line_item.url if model.line_item else ""
    bases = [model.row_at(r).score for r in rows]
    for row in rows:
        with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
            type_into_cell(qtbot, window.line_table, model.index(row, Column.SCORE), "6")
        with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
            model.setData(model.index(row, Column.COMMENT), f"Mine {row}")
    for row in rows:
        course.change_result(url, model.row_at(row).user_id, score=3, comment=f"Theirs {row}")
    with qtbot.waitSignal(window.presenter.conflicts_loaded, timeout=SYNC_MS):
        window.window_actions.push.trigger()
    return bases


def _dialog(window: MainWindow) -> ConflictDialog:
    dialog = window.dialogs.conflicts
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_enter_picks_no_side_and_tab_and_mnemonics_reach_every_choice(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot, tmp_path: Path) -> None:
    bases = _make_conflicts(window, course, qtbot, range(0, 3))
    dialog = _dialog(window)
    assert dialog.model.rowCount() == 3
    # Each conflict: base (when you pulled), mine, theirs, and when theirs changed.
    model = dialog.model
    first = model.row_at(0)
    assert model.index(0, ConflictColumn.BASE_SCORE).data() == (
        f"{bases[0]:g}" if bases[0] is not None else "no score")
    assert model.index(0, ConflictColumn.MINE_SCORE).data() == "6"
    assert model.index(0, ConflictColumn.THEIRS_SCORE).data() == "3"
    assert model.index(0, ConflictColumn.THEIRS_COMMENT).data() == "Theirs 0"
    # Canvas's results carry no timestamp: the dialog says only that theirs moved since.
    assert model.index(0, ConflictColumn.CHANGED).data().startswith("changed since your pull")
    save_shot(dialog, "gd-conflicts.png", tmp_path)

    buttons = dialog.findChildren(QPushButton)
    assert not any(b.isDefault() or b.autoDefault() for b in buttons)
    dialog.activateWindow()
    dialog.table.setFocus()
    qtbot.waitUntil(dialog.table.hasFocus, timeout=SAVE_MS)
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        qtbot.keyClick(dialog.table, key)
        qtbot.keyClick(dialog, key)
    assert not window.presenter.busy  # no resolution started
    assert dialog.model.rowCount() == 3 and dialog.isVisible()

    # Tab leaves the table for the buttons, in reading order, and comes back round.
    order = [*dialog.row_buttons.values(), *dialog.all_buttons.values(), dialog.close_button]
    for expected in order:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is expected, expected.text()
    # Shift+Tab back to "Take theirs (selected)"; Enter presses the button the keyboard is on.
    for _ in range(len(order) - 2):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is dialog.row_buttons[Resolution.THEIRS]
    dialog.table.selectRow(0)
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Tab)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.row_buttons[Resolution.THEIRS]
    with qtbot.waitSignal(window.presenter.conflicts_loaded, timeout=SYNC_MS):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert dialog.model.rowCount() == 2
    connection = window.presenter.connection
    assert connection is not None
    assert drafts.get_draft(window.presenter.context.db, connection.id, *first.key) is None
    # Mnemonics: Alt+M keeps mine for the selected row, Alt+O keeps both for all.
    assert {b.text() for b in order} >= {"Keep &mine (selected)", "Take &theirs (selected)",
                                         "Keep &both (selected)", "Keep mine for &all",
                                         "Take theirs for a&ll", "Keep both f&or all"}
    dialog.table.selectRow(0)
    kept = dialog.model.row_at(0)
    with qtbot.waitSignal(window.presenter.conflicts_loaded, timeout=SYNC_MS):
        qtbot.keyClick(dialog, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    mine = drafts.get_draft(window.presenter.context.db, connection.id, *kept.key)
    assert mine is not None and mine.score_given == 6
    with qtbot.waitSignal(window.presenter.conflicts_loaded, timeout=SYNC_MS):
        qtbot.keyClick(dialog, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    assert dialog.model.rowCount() == 0


def test_the_detail_panel_offers_the_three_choices_for_its_cell(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot, tmp_path: Path) -> None:
    bases = _make_conflicts(window, course, qtbot, range(4, 6))
    _dialog(window).close()
    model = window.line_model
    qtbot.waitUntil(lambda: model.row_at(4).state is SyncState.CONFLICT, timeout=SAVE_MS)
    panel = window.detail
    show_in_detail(qtbot, window, 4, Column.SCORE)
    box = panel.conflict_box
    assert box.isVisible()
    shown = box.sides.text()
    base = f"{bases[0]:g}" if bases[0] is not None else "no score"
    assert "When you pulled" in shown and base in shown
    assert "Yours" in shown and "6, “Mine 4”" in shown
    assert "Theirs" in shown and "3, “Theirs 4”" in shown and "changed since your pull" in shown
    assert [b.text() for b in box.buttons.values()] == ["Keep &mine", "Take &theirs",
                                                        "Keep &both"]
    assert not any(b.isDefault() or b.autoDefault() for b in box.buttons.values())
    save_shot(window, "gd-detail-conflict.png", tmp_path)
    key = model.row_at(4).key
    with qtbot.waitSignal(window.presenter.conflicts_loaded, timeout=SYNC_MS):
        qtbot.mouseClick(box.buttons[Resolution.BOTH], Qt.MouseButton.LeftButton)
    connection = window.presenter.connection
    assert connection is not None
    both = drafts.get_draft(window.presenter.context.db, connection.id, *key)
    assert both is not None and both.score_given == 3 and both.comment == "Mine 4"
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=SAVE_MS)
    assert model.row_at(4).state is SyncState.QUEUED
    assert model.row_at(5).state is SyncState.CONFLICT  # only the panel's cell was settled
