"""Window tests: pytest-qt offscreen, against the sandbox over loopback, waiting on signals.

Every test gets its own data folder, a private keyring (``secret_store``) and its own window
settings file; the sandbox and the database are closed after the window.
"""

from __future__ import annotations

import os

# Before pytest-qt creates the QApplication: no display is needed or used.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from gui_support import SandboxCourse
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from gradedesk.secrets import SecretStore
from gradedesk.ui.context import AppContext
from gradedesk.ui.presenter import Presenter
from gradedesk.ui.views.main_window import MainWindow

LOAD_TIMEOUT_MS = 20_000


@pytest.fixture
def context(tmp_path: Path, secret_store: SecretStore) -> Iterator[AppContext]:
    ctx = AppContext.open(tmp_path / "data", secret_store)
    yield ctx
    ctx.close()


@pytest.fixture
def course(context: AppContext) -> Iterator[SandboxCourse]:
    """A small sandbox course (12 students x 4 line items), connected and pulled."""
    started = SandboxCourse(context).start()
    started.pull()
    yield started
    started.stop()


WindowFactory = Callable[..., MainWindow]


@pytest.fixture
def make_window(qtbot: QtBot, context: AppContext,
                tmp_path: Path) -> Iterator[WindowFactory]:
    """Build the window (not started). Closed before the course and the database."""
    made: list[MainWindow] = []

    def make(*, restore: bool = False) -> MainWindow:
        """``restore``: keep the size the settings file restored (else 1280 x 800)."""
        settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
        window = MainWindow(Presenter(context), settings)
        if not restore:
            window.resize(1280, 800)
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()  # waits for its lanes: nothing touches the store after this


@pytest.fixture
def window(course: SandboxCourse, make_window: WindowFactory, qtbot: QtBot) -> MainWindow:
    """The window on the sandbox course's first line item, loaded."""
    made = make_window()
    made.show()
    with qtbot.waitSignal(made.view_ready, timeout=LOAD_TIMEOUT_MS):
        made.start()
    qtbot.waitUntil(lambda: made.line_model.rowCount() > 0, timeout=LOAD_TIMEOUT_MS)
    return made
