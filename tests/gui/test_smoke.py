from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from gradedesk.ui.views.main_window import MainWindow


def test_window_opens_on_first_line_item(window: MainWindow, qtbot: QtBot,
                                         tmp_path: Path) -> None:
    assert window.line_model.rowCount() == 13  # 12 + the Test Student
    assert window.line_model.line_item is not None
    assert window.sandbox_badge.isVisible()
    shot = tmp_path / "smoke.png"
    assert window.grab().save(str(shot)) and shot.stat().st_size > 0
