"""Issue 13: an unexpected error in the window says what happened in plain words, where the
log is and that no draft was lost; Copy details copies a report with no secret in it. The
error reaches the dialog and the log from a real background job, and the drafts entered
before it are in the database, as the dialog promises."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from gui_support import type_into_cell
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from gradedesk import __version__
from gradedesk.logs import configure_logging
from gradedesk.store import drafts
from gradedesk.ui.dialogs.crash import crash_box
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.views.main_window import MainWindow

# Made at run time: no token-shaped text stands in the file.
FAKE_TOKEN = "eyJ" + "hbGciOiJSUzI1NiJ9" + "." + "eyJzdWIiOiJ0ZWFjaGVyIn0" + ".c2lnbmF0dXJl"
SAVE_MS = 10_000
CRASH_MS = 10_000


@pytest.fixture
def log_folder(tmp_path: Path) -> Iterator[Path]:
    """Logging set up as the window does it, into a temp folder; put back afterwards."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    folder = tmp_path / "logs"
    configure_logging(folder)
    yield folder
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in before:
        root.addHandler(handler)
    root.setLevel(level)


def _raised(message: str) -> ValueError:
    try:
        raise ValueError(message)
    except ValueError as error:
        return error


def test_the_dialog_names_the_log_and_says_no_draft_was_lost(log_folder: Path,
                                                             qtbot: QtBot) -> None:
    dialog = crash_box(None, _raised("the grid lost its place"))
    qtbot.addWidget(dialog)
    dialog.show()
    text = dialog.message.text()
    log_file = str(log_folder / "gradedesk.log")
    assert log_file.replace(str(Path.home()), "~", 1) in text  # the home folder shows as ~
    assert "No draft was lost" in text
    assert "ValueError" in text and "bug in GradeDesk" in text
    assert not dialog.isModal()


def test_copy_details_puts_a_redacted_report_on_the_clipboard(log_folder: Path,
                                                              qtbot: QtBot) -> None:
    error = _raised(f"refused: Authorization: Bearer {FAKE_TOKEN} for the platform")
    dialog = crash_box(None, error)
    qtbot.addWidget(dialog)
    dialog.show()
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("something else")
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    report = clipboard.text()
    assert report, "nothing was copied"
    assert FAKE_TOKEN not in report and "c2lnbmF0dXJl" not in report
    assert "Bearer [redacted]" in report
    assert f"GradeDesk {__version__}" in report
    assert "Python: " in report and "Qt: " in report and "System: " in report
    assert "Traceback (most recent call last)" in report and "ValueError: refused" in report
    assert dialog.isVisible()  # copying does not close it
    assert FAKE_TOKEN not in dialog.details.toPlainText()


def test_an_unexpected_error_in_a_job_is_logged_and_shown_and_drafts_stay(
        window: MainWindow, log_folder: Path, qtbot: QtBot) -> None:
    model = window.line_model
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        type_into_cell(qtbot, window.line_table, model.index(0, Column.SCORE), "6.5")
    key = model.row_at(0).key

    def broken() -> None:
        raise ZeroDivisionError("a bug in a store job")

    with qtbot.waitSignal(window.presenter.crashed, timeout=CRASH_MS):
        window.presenter.run_store("Counting", broken, lambda _result: None)
    dialog = window.dialogs.crash
    assert dialog is not None and dialog.isVisible()
    assert "ZeroDivisionError" in dialog.message.text()
    # A second error while the dialog is open is logged, not shown in another dialog.
    with qtbot.waitSignal(window.presenter.crashed, timeout=CRASH_MS):
        window.presenter.run_store("Counting", broken, lambda _result: None)
    assert window.dialogs.crash is dialog

    for handler in logging.getLogger().handlers:
        handler.flush()
    logged = (log_folder / "gradedesk.log").read_text(encoding="utf-8")
    assert logged.count("Unexpected error (ZeroDivisionError) while counting") == 2
    assert "Traceback (most recent call last)" in logged and "a bug in a store job" in logged

    connection = window.presenter.connection
    assert connection is not None
    draft = drafts.get_draft(window.presenter.context.db, connection.id, key[0], key[1])
    assert draft is not None and draft.score_given == 6.5  # as the dialog says: not lost
