"""An unexpected error (a GradeDesk bug): say so plainly and offer a copyable traceback."""

from __future__ import annotations

import traceback

from PySide6.QtWidgets import QMessageBox, QWidget


def crash_box(parent: QWidget | None, error: BaseException) -> QMessageBox:
    """A non-modal box; the caller shows it. Never blocks a running sync."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("GradeDesk hit a bug")
    box.setText("Something went wrong that GradeDesk did not expect. Your saved grades are "
                "safe. Please report this, with the details below.")
    box.setDetailedText("".join(traceback.format_exception(error)))
    box.setAccessibleName("Unexpected error")
    box.setModal(False)
    return box
