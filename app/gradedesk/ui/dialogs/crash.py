"""An unexpected error (a GradeDesk bug): say so plainly, say where the log is and that the
grader's work is safe, and offer a report to copy that holds no secret.

The promise about drafts holds because every grade and comment is written to the database on
the store lane as soon as it is entered (each cell in a transaction of its own), and an error
in a slot or a job does not end the window. Only the change whose own saving failed may be
missing, and the text says so."""

from __future__ import annotations

import platform
import traceback
from datetime import UTC, datetime
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from gradedesk import __version__
from gradedesk.domain.redaction import redact
from gradedesk.logs import current_log_file


def crash_report(error: BaseException, log_file: Path | None) -> str:
    """What "Copy details" copies: versions, system and the traceback, with secrets redacted
    and the home folder (the user's login name) shown as ``~``."""
    lines = [
        f"GradeDesk {__version__}: unexpected error ({type(error).__name__})",
        f"When: {datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}",
        f"System: {platform.platform()}",
        f"Python: {platform.python_version()} ({platform.python_implementation()})",
        f"Qt: {qVersion()} (PySide6 {pyside_version})",
        f"Log file: {log_file if log_file is not None else 'none'}",
        "",
        "".join(traceback.format_exception(error)).rstrip(),
    ]
    return _without_home(redact("\n".join(lines)))


def _without_home(text: str) -> str:
    home = str(Path.home())
    return text.replace(home, "~") if len(home) > 1 else text


class CrashDialog(QDialog):
    """Non-modal: the window (and any sync) goes on while it is open."""

    def __init__(self, parent: QWidget | None, error: BaseException,
                 log_file: Path | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("GradeDesk hit a bug")
        self.setAccessibleName("Unexpected error")
        self.setModal(False)
        self.report = crash_report(error, log_file)

        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(48, 48))
        where = (f"The details are in the log file:\n{_without_home(str(log_file))}"
                 if log_file is not None else
                 "GradeDesk keeps no log file this time: Copy details holds everything.")
        self.message = QLabel(
            f"Something went wrong that GradeDesk did not expect ({type(error).__name__}). "
            "This is a bug in GradeDesk, not something you did.\n\n"
            "No draft was lost: GradeDesk saves each grade and comment on this computer as "
            "soon as you enter it, and the window stays open, so you can go on. If this "
            "happened just as you entered a change, check that the change shows.\n\n"
            f"{where}\n\n"
            "Copy details copies a report for the GradeDesk developers, without keys or "
            "tokens; read it before you send it.", self)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.details = QPlainTextEdit(self.report, self)
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Error details")
        self.details.setVisible(False)

        buttons = QDialogButtonBox(self)
        self.copy_button = QPushButton("&Copy details", self)
        self.details_button = QPushButton("Show &details", self)
        self.details_button.setCheckable(True)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.details_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.details_button.toggled.connect(self._on_details_button_toggled)
        buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(icon, 0)
        top.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.report)
        self.copy_button.setText("Copied")

    def _on_details_button_toggled(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.details_button.setText("Hide &details" if shown else "Show &details")


def crash_box(parent: QWidget | None, error: BaseException) -> CrashDialog:
    """The crash dialog for ``error``, naming the current log file; the caller shows it."""
    return CrashDialog(parent, error, current_log_file())

