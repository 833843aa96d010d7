"""Issue 9, finding 6 (a check): after a colleague changes a pushed grade and a pull brings it,
no cell claims Confirmed for a value the platform no longer holds: it reads Synced, with the
colleague's value, in the line item and in the gradebook."""

from __future__ import annotations

from pathlib import Path

from gui_support import SandboxCourse, save_shot, type_into_cell
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from gradedesk.store import SyncState
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.views.main_window import MainWindow

SYNC_MS = 60_000
SAVE_MS = 10_000


def test_a_confirmed_cell_reads_synced_with_the_colleagues_value_after_a_pull(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot, tmp_path: Path) -> None:
    model = window.line_model
    key = model.row_at(3).key
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        type_into_cell(qtbot, window.line_table, model.index(3, Column.SCORE), "9")
    with qtbot.waitSignal(window.presenter.sync_finished, timeout=SYNC_MS):
        window.window_actions.push.trigger()
    qtbot.waitUntil(lambda: model.row_at(3).state is SyncState.CONFIRMED, timeout=SAVE_MS)
    assert model.index(3, Column.SYNC).data() == "Confirmed"
    course.change_result(key[0], key[1], score=4)  # POST {admin_url}/results
    with qtbot.waitSignal(window.view_ready, timeout=SYNC_MS):
        window.window_actions.pull.trigger()
    qtbot.waitUntil(lambda: model.row_at(3).score == 4, timeout=SAVE_MS)
    assert model.row_at(3).state is SyncState.CLEAN
    assert model.index(3, Column.SYNC).data() == "Synced"
    assert model.index(3, Column.SCORE).data() == "4"
    assert window.line_table.currentIndex().column() == Column.SCORE  # the reload kept it
    save_shot(window, "gd-after-colleague.png", tmp_path)
    with qtbot.waitSignal(window.view_ready, timeout=SAVE_MS):
        window.window_actions.gradebook_view.trigger()
    grid = window.gradebook_model
    row = grid.visible_row_of(key[1])
    column = grid.column_of(key[0])
    assert row is not None and column is not None
    cell = grid.index(row, column)
    assert cell.data() == "4"
    tip = cell.data(Qt.ItemDataRole.ToolTipRole)
    assert "Synced" in tip and "Confirmed" not in tip
