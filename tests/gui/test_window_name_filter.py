"""Issue 9, finding 9 (the window's half): the student filter follows the CLI's naming rule
(domain.names.matches_filter): "garcia", "García, Mateo" and "mateo garcia" all find Mateo
García, in the line item and in the gradebook."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gui_support import SandboxCourse, save_shot
from pytestqt.qtbot import QtBot

from gradedesk.ui.context import AppContext
from gradedesk.ui.views.main_window import MainWindow

LOAD_MS = 20_000


@pytest.fixture
def course(context: AppContext) -> Iterator[SandboxCourse]:
    """A course whose only García is Mateo García (seed 171)."""
    started = SandboxCourse(context, seed=171).start()
    started.pull()
    yield started
    started.stop()


@pytest.mark.parametrize("typed", ["garcia", "García, Mateo", "mateo garcia", "GARCÍA",
                                   "Garcia, Mateo", "mateo"])
def test_the_name_filter_finds_mateo_garcia_however_he_is_written(
        window: MainWindow, qtbot: QtBot, typed: str, tmp_path: Path) -> None:
    model = window.line_model
    assert any(row.student.name == "García, Mateo" for row in model.rows())
    window.filter_text.setText(typed)
    assert [model.row_at(r).student.name for r in range(model.rowCount())] == ["García, Mateo"]
    assert window.row_count.text() == f"1 of {model.source_count()} students"
    if typed == "garcia":
        save_shot(window, "gd-name-filter.png", tmp_path)
    with qtbot.waitSignal(window.view_ready, timeout=LOAD_MS):
        window.window_actions.gradebook_view.trigger()
    grid = window.gradebook_model
    assert [grid.student_at(r).name for r in range(grid.rowCount())] == ["García, Mateo"]


def test_the_name_filter_still_narrows_and_clears(window: MainWindow) -> None:
    model = window.line_model
    window.filter_text.setText("garcia mateo nobody")
    assert model.rowCount() == 0
    window.filter_text.setText("")
    assert model.rowCount() == model.source_count()
