"""No connection yet: the first screen offers the sandbox; the entry points render screenshots."""

from __future__ import annotations

import argparse
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from conftest import WindowFactory
from gradedesk.bootstrap import SANDBOX_CONNECTION
from gradedesk.secrets import SecretStore
from gradedesk.ui import app
from gradedesk.ui.context import AppContext
from gradedesk.ui.views.main_window import MainWindow

START_MS = 60_000


def test_first_run_tries_the_sandbox(make_window: WindowFactory, context: AppContext,
                                     qtbot: QtBot) -> None:
    window = make_window()
    window.show()
    with qtbot.waitSignal(window.presenter.overview_loaded, timeout=START_MS):
        window.start()
    assert window.pages.currentWidget() is window.first_run
    assert not window.window_actions.push.isEnabled()
    with qtbot.waitSignal(window.view_ready, timeout=START_MS):
        qtbot.mouseClick(window.first_run.sandbox_button, Qt.MouseButton.LeftButton)
        assert not window.first_run.sandbox_button.isEnabled()  # busy while it starts
    qtbot.waitUntil(lambda: window.line_model.rowCount() > 0, timeout=START_MS)
    assert window.pages.currentWidget() is window.workspace
    assert window.sandbox_badge.isVisible() and window.grid_badge.isVisible()
    assert window.presenter.connection_name == SANDBOX_CONNECTION
    assert context.sandbox_of(SANDBOX_CONNECTION) is not None  # stopped with the context
    assert window.online_indicator.text().endswith("Online")


def _args(*argv: str) -> argparse.Namespace:
    return app.add_gui_arguments(argparse.ArgumentParser()).parse_args(list(argv))


def test_screenshot_of_the_sandbox(tmp_path: Path, secret_store: SecretStore,
                                   qtbot: QtBot) -> None:
    shot = tmp_path / "gradedesk.png"
    code = app.run_gui(_args("--screenshot", str(shot), "--sandbox", "--size", "1280x800",
                             "--data-dir", str(tmp_path / "data"), "--line-item", "Lab 2: Osmosis"))
    assert code == 0
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1280, 800)


def test_main_with_no_connection_shows_first_run(tmp_path: Path, secret_store: SecretStore,
                                                 qtbot: QtBot) -> None:
    shot = tmp_path / "first-run.png"
    assert app.main(["--screenshot", str(shot), "--data-dir", str(tmp_path / "data")]) == 0
    assert not QImage(str(shot)).isNull()


def test_size_flag_is_checked() -> None:
    assert app.parse_size("1280x800") == (1280, 800)
    for bad in ("big", "10x10", "1280"):
        try:
            app.parse_size(bad)
        except argparse.ArgumentTypeError:
            continue
        raise AssertionError(f"{bad!r} accepted")


def test_restarting_the_sandbox_asks_first(window: MainWindow, qtbot: QtBot) -> None:
    window.start_sandbox()  # the fixture's course is a sandbox course already
    question = window.dialogs.sandbox_question
    assert question is not None and question.isVisible()
    assert not window.presenter.busy  # nothing starts before the answer
    question.reject()
    assert not window.presenter.busy


def test_main_runs_the_window_until_it_closes(tmp_path: Path, secret_store: SecretStore,
                                              qtbot: QtBot) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    closed: list[MainWindow] = []

    def close_when_ready() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible() and \
                    widget.pages.currentWidget() is widget.first_run:
                closed.append(widget)
                widget.close()

    timer = QTimer()
    timer.timeout.connect(close_when_ready)
    timer.start(100)
    assert app.main(["--data-dir", str(tmp_path / "data")]) == 0
    timer.stop()
    assert closed  # it showed the first-run screen (no connection yet), then quit
