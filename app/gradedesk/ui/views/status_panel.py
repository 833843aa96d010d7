"""The status bar: online state, sync counts, the sandbox badge and the running job.

The job's progress appears only when it lasts longer than a moment (``SHOW_AFTER_MS``), so a
quick save or pull never flickers a progress bar; Cancel is always one click away once shown.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from gradedesk.store import SyncState
from gradedesk.ui.rows import StatusCounts
from gradedesk.ui.sync_states import state_color

SHOW_AFTER_MS = 500


class OnlineIndicator(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("onlineIndicator")
        self.setAccessibleName("Connection state")
        self.set_online(None)

    def set_online(self, online: bool | None) -> None:
        if online is None:
            text, color, tip = "○ Not checked", None, "No pull or push has run yet."
        elif online:
            text, color, tip = "● Online", state_color(SyncState.CONFIRMED), \
                "The platform answered the last request."
        else:
            text, color, tip = "○ Offline", state_color(SyncState.FAILED), \
                "The platform could not be reached. Keep grading: edits are saved here and " \
                "sent on the next push."
        self.setText(text)
        self.setToolTip(tip)
        self.setAccessibleDescription(tip)
        self.setStyleSheet(f"color: {color.name()};" if color is not None else "")


class CountsLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncCounts")
        self.setAccessibleName("Sync counts")
        self.set_counts(StatusCounts())

    def set_counts(self, counts: StatusCounts) -> None:
        self.counts = counts
        parts = [f"Drafts {counts.drafts}", f"Queued {counts.queued}",
                 f"Conflicts {counts.conflicts}", f"Failed {counts.failed}"]
        if counts.sending:
            parts.insert(2, f"Sending {counts.sending}")
        if counts.refused:
            parts.append(f"Refused {counts.refused}")
        if counts.held:
            parts.insert(2, f"Held {counts.held}")  # of the queued, kept for a release
        self.setText("   ".join(parts))
        self.setToolTip("Drafts: local changes not yet confirmed by the platform. Queued: "
                        "waiting for the next push. Held: queued in a held column, sent "
                        "when you release it (Column > Release grades). Conflicts: the "
                        "platform changed under your edit. Failed: not sent (unreachable, "
                        "or the platform said no for now); the next push tries again. "
                        "Refused: the platform will never take it; edit the grade again or "
                        "discard it (Ctrl+Shift+Backspace).")


class SandboxBadge(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("SANDBOX DATA", parent)
        self.setObjectName("sandboxBadge")
        self.setAccessibleName("Sandbox badge")
        self.setAccessibleDescription("The data shown comes from the built-in sandbox course, "
                                      "not a real platform.")
        self.setToolTip("This course is the built-in sandbox: sample students and grades on "
                        "your own machine. Nothing reaches a real platform.")
        self.setStyleSheet("QLabel#sandboxBadge { background: #8a5a00; color: white; "
                           "font-weight: bold; padding: 1px 8px; border-radius: 3px; }")
        self.hide()


class JobPanel(QWidget):
    """The running job: what it is doing, a progress bar and Cancel. Non-modal."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("jobPanel")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self)
        self.label.setAccessibleName("Running job")
        self.label.setMinimumWidth(160)
        self.label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.bar = QProgressBar(self)
        self.bar.setAccessibleName("Job progress")
        self.bar.setFixedWidth(160)
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setAccessibleName("Cancel the running job")
        self.cancel_button.setToolTip("Stop the running pull or push (grades not sent yet stay "
                                      "queued)")
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self._title = ""
        self._running = False
        self._show_timer = QTimer(self)
        self._show_timer.setSingleShot(True)
        self._show_timer.setInterval(SHOW_AFTER_MS)  # a quick job never flashes the panel
        self._show_timer.timeout.connect(self._on_show_timer_timeout)
        self.hide()

    @property
    def running(self) -> bool:
        return self._running

    def start(self, title: str) -> None:
        self._title = title
        self._running = True
        self.label.setText(f"{title}…")
        self.bar.setRange(0, 0)  # busy until the first count arrives
        self.cancel_button.setEnabled(True)
        if self._show_timer.interval() <= 0:
            self.show()
        else:
            self._show_timer.start()

    def show_at_once(self) -> None:
        """Show the panel as soon as a job starts (tests: no job needs to last half a
        second for its panel to be seen)."""
        self._show_timer.setInterval(0)

    def progress(self, done: int, total: int, message: str) -> None:
        if not self._running:
            return
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
            self.bar.setFormat(f"{min(done, total)} / {total}")
        if message:
            self.label.setText(f"{self._title}: {message}")

    def finish(self) -> None:
        self._running = False
        self._show_timer.stop()
        self.hide()

    def _on_show_timer_timeout(self) -> None:
        if self._running:
            self.show()

    def _on_cancel_button_clicked(self) -> None:
        self.cancel_button.setEnabled(False)
        self.label.setText(f"{self._title}: cancelling…")
        self.cancel_requested.emit()


def stretch() -> QWidget:
    spacer = QWidget()
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return spacer


ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight
