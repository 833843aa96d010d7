"""Issue 11, item 8: the window notices edits the ``gradedesk`` command makes meanwhile (the
database changed under it) and shows them, without a restart and without losing the grader's
place."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gui_support import SandboxCourse
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView
from pytestqt.qtbot import QtBot

from gradedesk.store import SyncState
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.views.main_window import MainWindow

NOTICE_MS = 15_000


def _gradedesk(data_dir: Path, *args: str) -> None:
    """The real CLI in its own process, on the window's data folder."""
    done = subprocess.run([sys.executable, "-m", "gradedesk", "--data-dir", str(data_dir),
                           *args], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


def test_a_grade_saved_by_the_cli_shows_in_the_open_window(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot) -> None:
    model = window.line_model
    connection = window.presenter.connection
    assert connection is not None
    current = model.index(4, Column.COMMENT)
    window.line_table.setCurrentIndex(current)
    key = model.row_at(4).key
    row = model.row_at(2)
    _gradedesk(window.presenter.context.data_dir, "grade", connection.name,
               "--line-item", row.key[0], "--user", row.key[1], "--score", "7.5",
               "--comment", "Marked from the terminal")
    qtbot.waitUntil(lambda: model.row_at(2).score == 7.5, timeout=NOTICE_MS)
    changed = model.row_at(2)
    assert changed.state is SyncState.QUEUED
    assert changed.shown_comment == "Marked from the terminal"
    qtbot.waitUntil(lambda: window.presenter.counts.queued == 1, timeout=NOTICE_MS)
    assert any("outside this window" in text for text in window.activity.texts())
    # The grader's place is kept: same student, same column.
    assert model.row_at(window.line_table.currentIndex().row()).key == key
    assert window.line_table.currentIndex().column() == Column.COMMENT


def test_no_reload_while_a_cell_is_being_typed_in(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot) -> None:
    table = window.line_table
    index = window.line_model.index(1, Column.SCORE)
    table.setCurrentIndex(index)
    table.edit(index)
    assert table.state() == QAbstractItemView.State.EditingState
    assert not window._ready_for_outside_changes()  # the check waits for the editor
    editor = table.indexWidget(index)
    assert editor is not None
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(window._ready_for_outside_changes, timeout=NOTICE_MS)
