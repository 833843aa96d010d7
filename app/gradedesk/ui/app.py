"""Entry points: ``main(argv)`` opens the window; ``add_gui_arguments``/``run_gui`` implement
``gradedesk gui [--screenshot PNG] [--sandbox] [--connection NAME] [--line-item ID]
[--size WxH] [--data-dir DIR]``.

With ``--screenshot`` the window renders offscreen when there is no display, pulls first when
``--sandbox`` is given, saves the PNG once the grid and the detail panel show data, and exits.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from gradedesk.domain import GradeDeskError
from gradedesk.logs import configure_logging, log_crash, open_pending_log_file
from gradedesk.paths import data_dir, log_dir

# The flags and the display check live apart: the CLI reads them without this module.
from gradedesk.ui.arguments import (
    NO_DISPLAY_REFUSAL,
    add_gui_arguments,
    has_display,
    headless_qt_platform,
)
from gradedesk.ui.arguments import parse_size as parse_size

if TYPE_CHECKING:  # Qt is imported lazily at run time (see run_gui)
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QWidget

DEFAULT_SIZE = (1280, 800)
SCREENSHOT_TIMEOUT_S = 90.0


def main(argv: Sequence[str] | None = None) -> int:
    """Open the window (with no connection yet: the first-run screen). Returns the exit code."""
    parser = argparse.ArgumentParser(prog="gradedesk gui",
                                     description="Open the GradeDesk window.")
    add_gui_arguments(parser)
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    return run_gui(args)


def run_gui(args: argparse.Namespace) -> int:
    """Run the window as the flags say; returns the process exit code."""
    screenshot: Path | None = getattr(args, "screenshot", None)
    if screenshot is not None and not has_display():
        # Must be decided before the QApplication exists; harmless when one already does.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    elif not has_display() and headless_qt_platform() is None:
        # Qt would abort the process with its own words about platform plugins.
        print(f"gradedesk: {NO_DISPLAY_REFUSAL}", file=sys.stderr)
        return 1
    # Qt is imported only now, so `gradedesk --help` and the CLI never load it.
    from PySide6.QtCore import QSettings

    from gradedesk.ui.context import AppContext
    from gradedesk.ui.presenter import Presenter
    from gradedesk.ui.views.main_window import MainWindow

    app = application()
    verbose = bool(getattr(args, "verbose", False))
    try:
        folder = data_dir(getattr(args, "data_dir", None))
        # The same log file as the commands'. Opened once the first frame is up (the file
        # handler's imports would delay it); a screenshot run has no frame to wait for.
        configure_logging(log_dir(folder), verbose=verbose,
                          open_file_later=screenshot is None)
        context = AppContext.open(folder)
    except GradeDeskError as error:
        print(f"gradedesk: {error.user_message}", file=sys.stderr)
        return 1
    if screenshot is not None:
        # A throwaway settings file: a screenshot neither reads nor changes the user's layout.
        import tempfile

        settings_dir = tempfile.mkdtemp(prefix="gradedesk-shot-")
        settings = QSettings(str(Path(settings_dir) / "window.ini"), QSettings.Format.IniFormat)
    else:
        settings = window_settings()
    presenter = Presenter(context)
    window = MainWindow(presenter, settings)
    size = getattr(args, "size", None) or (DEFAULT_SIZE if screenshot is not None else None)
    if size is not None:
        window.resize(*size)
    window.line_item_hint = getattr(args, "line_item", None)
    if getattr(args, "gradebook", False):
        window.prefer_gradebook()
    if getattr(args, "connection", None):
        window.request_connection(str(args.connection))
    try:
        if screenshot is not None:
            from gradedesk.ui.screenshot import take_screenshot

            return take_screenshot(app, window, presenter, screenshot,
                                   sandbox=bool(getattr(args, "sandbox", False)),
                                   timeout_s=SCREENSHOT_TIMEOUT_S)
        window.show()
        _after_first_paint(window, open_pending_log_file)
        if getattr(args, "sandbox", False):
            window.start_sandbox()
        else:
            window.start()
        previous_hook = sys.excepthook

        def show_bug(kind: type[BaseException], error: BaseException,
                     trace: TracebackType | None) -> None:
            # An exception escaping a slot is a GradeDesk bug: the traceback goes to the log
            # (and stderr with --verbose), one line to stderr, and the crash box says so.
            log_file = log_crash(error, "in the window")
            if not verbose and log_file is not None:
                print(f"gradedesk: unexpected error ({kind.__name__}); nothing saved was "
                      f"lost. Details: {log_file}", file=sys.stderr)
            window.dialogs.show_crash(error)

        sys.excepthook = show_bug
        try:
            return int(app.exec())
        finally:
            sys.excepthook = previous_hook
    finally:
        if window.isVisible():
            window.close()
        else:
            presenter.shutdown()
        context.close()
        open_pending_log_file()  # a window closed before its first frame: keep its lines


def _after_first_paint(widget: QWidget, action: Callable[[], None]) -> None:
    """Run ``action`` once, from the event loop, after ``widget`` has painted for the first
    time (so the first frame never waits for it)."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                widget.removeEventFilter(self)
                self.deleteLater()
                QTimer.singleShot(0, action)
            return False

    widget.installEventFilter(FirstPaint(widget))


def application() -> QApplication:
    """The QApplication, created once with GradeDesk's names and high-DPI policy."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from gradedesk.ui.icons import app_icon

    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    # Fractional scale factors (125 %, 150 %) as they are: sharp text and icons on high DPI.
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication(sys.argv[:1])
    app.setApplicationName("GradeDesk")
    app.setOrganizationName("GradeDesk")
    app.setApplicationDisplayName("GradeDesk")
    app.setDesktopFileName("gradedesk")
    app.setWindowIcon(app_icon())
    return app


def window_settings() -> QSettings:
    """Window layout and last view, in an ini file in the user's config folder (no secrets)."""
    from PySide6.QtCore import QSettings, QStandardPaths

    base = QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.GenericConfigLocation)
    return QSettings(str(Path(base) / "GradeDesk" / "window.ini"), QSettings.Format.IniFormat)
