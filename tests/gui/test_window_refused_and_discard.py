"""Issue 9, finding 7 (the window's half): the filters and counts tell failed cells (tried again
by the next push) and refused ones (the platform will never take them) apart and show both;
"Discard my change" (Edit menu, the grid's context menu, the detail panel) drops the local
draft of the selected cells, and undo brings it back."""

from __future__ import annotations

from pathlib import Path

from gui_support import SandboxCourse, save_shot, show_in_detail, type_into_cell
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from gradedesk.store import DraftRow, OutboxState, SyncState, drafts, outbox
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.rows import FILTER_LABELS, CellKey, RowFilter
from gradedesk.ui.views.main_window import MainWindow

SYNC_MS = 60_000
SAVE_MS = 10_000


def _draft(window: MainWindow, key: CellKey) -> DraftRow | None:
    connection = window.presenter.connection
    assert connection is not None
    return drafts.get_draft(window.presenter.context.db, connection.id, *key)


def _row_of(window: MainWindow, name: str) -> int:
    model = window.line_model
    return next(r for r in range(model.rowCount()) if model.row_at(r).student.name == name)


def _shown(window: MainWindow, kind: RowFilter) -> list[str]:
    window.filter_kind.setCurrentIndex(window.filter_kind.findData(kind))
    model = window.current_model
    if model is window.line_model:
        return [window.line_model.row_at(r).student.name for r in range(model.rowCount())]
    return [window.gradebook_model.student_at(r).name for r in range(model.rowCount())]


def _failed_and_refused(window: MainWindow, qtbot: QtBot) -> tuple[CellKey, CellKey]:
    """Canvas refuses a grade for its Test Student (422: refused, never retried); a grade that
    could not be sent this time (failed, tried again by the next push) is set in the store."""
    model = window.line_model
    test_student = _row_of(window, "Student, Test")
    refused_key = model.row_at(test_student).key
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        type_into_cell(qtbot, window.line_table, model.index(test_student, Column.SCORE), "5")
    with qtbot.waitSignal(window.presenter.sync_finished, timeout=SYNC_MS):
        window.window_actions.push.trigger()
    failed_key = model.row_at(0).key
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        type_into_cell(qtbot, window.line_table, model.index(0, Column.SCORE), "4")
    connection = window.presenter.connection
    assert connection is not None
    db = window.presenter.context.db
    queued = next(e for e in outbox.entries(db, connection.id, (OutboxState.QUEUED,))
                  if (e.line_item_url, e.user_id) == failed_key)
    with db.transaction() as conn:
        outbox.transition(conn, queued.id, OutboxState.FAILED,
                          error="The platform could not be reached.")
    with qtbot.waitSignal(window.presenter.rows_refreshed, timeout=SAVE_MS):
        window.presenter.refresh_cells([failed_key, refused_key])
    qtbot.waitUntil(lambda: model.row_at(0).state is SyncState.FAILED, timeout=SAVE_MS)
    assert model.row_at(test_student).state is SyncState.REFUSED
    return failed_key, refused_key


def test_failed_and_refused_are_counted_and_each_has_its_filter(
        window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    _failed_and_refused(window, qtbot)
    counts = window.counts_label
    assert "Failed 1" in counts.text() and "Refused 1" in counts.text()
    texts = [window.filter_kind.itemText(i) for i in range(window.filter_kind.count())]
    assert f"{FILTER_LABELS[RowFilter.FAILED]} (1)" in texts
    assert f"{FILTER_LABELS[RowFilter.REFUSED]} (1)" in texts
    assert f"{FILTER_LABELS[RowFilter.HAS_DRAFT]} (2)" in texts
    failed_name = window.line_model.row_at(0).student.name
    assert _shown(window, RowFilter.FAILED) == [failed_name]
    assert _shown(window, RowFilter.REFUSED) == ["Student, Test"]
    assert sorted(_shown(window, RowFilter.HAS_DRAFT)) == sorted([failed_name, "Student, Test"])
    save_shot(window, "gd-refused-filter.png", tmp_path)
    with qtbot.waitSignal(window.view_ready, timeout=SAVE_MS):
        window.window_actions.gradebook_view.trigger()
    assert _shown(window, RowFilter.FAILED) == [failed_name]
    assert _shown(window, RowFilter.REFUSED) == ["Student, Test"]


def test_discard_my_change_from_the_menu_the_context_menu_and_the_panel_and_undo(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot, tmp_path: Path) -> None:
    failed_key, refused_key = _failed_and_refused(window, qtbot)
    model = window.line_model
    table = window.line_table
    discard = window.window_actions.discard
    assert discard in window.grid_commands.menu.actions()  # the grid's context menu
    edit_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    assert discard in edit_menu.actions()
    # The refused cell: right-click it, then Discard my change (as in Edit) settles it.
    row = _row_of(window, "Student, Test")
    cell = model.index(row, Column.SCORE)
    window.grid_commands.show_menu(table, table.visualRect(cell).center())
    assert table.currentIndex() == cell  # the menu acts where the click was
    qtbot.waitUntil(window.grid_commands.menu.isVisible, timeout=SAVE_MS)
    window.grid_commands.menu.close()
    with qtbot.waitSignal(window.presenter.drafts_discarded, timeout=SAVE_MS):
        discard.trigger()
    assert _draft(window, refused_key) is None
    assert model.row_at(row).state is SyncState.CLEAN
    assert "Refused" not in window.counts_label.text()
    assert "Ctrl+Z" in window.statusBar().currentMessage()
    assert window.presenter.undo_stack.undoText() == "Discard my change"
    # Undo brings the draft back, queued again; redo drops it again.
    with qtbot.waitSignal(window.presenter.drafts_discarded, timeout=SAVE_MS):
        window.window_actions.undo.trigger()
    back = _draft(window, refused_key)
    assert back is not None and back.score_given == 5
    assert model.row_at(row).state is SyncState.QUEUED
    with qtbot.waitSignal(window.presenter.drafts_discarded, timeout=SAVE_MS):
        window.window_actions.redo.trigger()
    assert _draft(window, refused_key) is None
    # Two cells at once, one without a draft: one undo step for the one there was.
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        type_into_cell(qtbot, table, model.index(2, Column.SCORE), "3")
    selection = QItemSelection(model.index(1, Column.SCORE), model.index(2, Column.SCORE))
    table.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    steps = window.presenter.undo_stack.count()
    window.activateWindow()
    table.setFocus()
    qtbot.waitUntil(table.hasFocus, timeout=SAVE_MS)
    with qtbot.waitSignal(window.presenter.drafts_discarded, timeout=SAVE_MS):
        qtbot.keyClick(table, Qt.Key.Key_Backspace,  # Edit > Discard my change's shortcut
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert _draft(window, model.row_at(2).key) is None
    assert window.presenter.undo_stack.count() == steps + 1
    # The detail panel's button, on the failed cell.
    show_in_detail(qtbot, window, 0, Column.SCORE)
    button = window.detail.discard_button
    assert button.isEnabled()
    save_shot(window, "gd-discard-panel.png", tmp_path)
    with qtbot.waitSignal(window.presenter.drafts_discarded, timeout=SAVE_MS):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert _draft(window, failed_key) is None
    qtbot.waitUntil(lambda: not button.isEnabled(), timeout=SAVE_MS)
    assert "Failed 0" in window.counts_label.text()
    with qtbot.waitSignal(window.presenter.drafts_discarded, timeout=SAVE_MS):
        window.presenter.undo_stack.undo()
    restored = _draft(window, failed_key)
    assert restored is not None and restored.score_given == 4
    # Nothing discarded was ever sent (the ledger lists the grades Canvas took).
    assert course.ledger() == []
