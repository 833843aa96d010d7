"""What the window tells the grader: the status bar (job, counts, online, sandbox), the alert
bar and the activity list (View > Activity), which keeps every message that matters.

A message is said once in each place it belongs: the status bar for a glance, the activity
list to read later, the alert bar for what needs acting on (cleared when the next attempt
succeeds).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt

from gradedesk.ui.presenter import UNREACHABLE_LEAD
from gradedesk.ui.rows import CellKey
from gradedesk.ui.views.activity import ActivityPanel, Level
from gradedesk.ui.views.status_panel import CountsLabel, JobPanel, OnlineIndicator, SandboxBadge

if TYPE_CHECKING:
    from gradedesk.ui.views.main_window import MainWindow

OFFLINE_ALERT = "offline"  # what an unreachable-platform alert is about: any job that answers
CELL_FAILURES_LISTED = 20  # per job, in the activity list; the Failed filter has them all
ACTIVITY_ROWS = 11  # the activity dock's height when shown first, in lines of text
ACTIVITY_MAX_SHARE = 0.3  # ... when it would take more of the window's height than this


class WindowMessages(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        bar = window.statusBar()
        self.status_bar = bar
        bar.setAccessibleName("Status bar")
        self.job_panel = JobPanel(bar)
        self.counts_label = CountsLabel(bar)
        self.online_indicator = OnlineIndicator(bar)
        self.sandbox_badge = SandboxBadge(bar)
        for widget in (self.job_panel, self.counts_label, self.online_indicator,
                       self.sandbox_badge):
            bar.addPermanentWidget(widget)
        self.activity = ActivityPanel(window)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.activity)
        self.activity.hide()  # until View > Activity (or the saved layout) shows it
        self.alert_bar = window.workspace.alert_bar
        self.running_job: str | None = None  # the network job's title, while it runs
        self._cell_failures = 0  # cells the running job could not send

        p = window.presenter
        p.counts_changed.connect(self.counts_label.set_counts)
        p.online_changed.connect(self.online_indicator.set_online)
        p.job_progressed.connect(self.job_panel.progress)
        p.job_started.connect(self._on_presenter_job_started)
        p.job_finished.connect(self._on_presenter_job_finished)
        p.message_posted.connect(self.show_brief)
        p.warning_posted.connect(self._on_presenter_warning_posted)
        p.error_raised.connect(self._on_presenter_error_raised)
        p.crashed.connect(self._on_presenter_crashed)
        p.edit_refused.connect(self._on_presenter_edit_refused)
        p.edits_saved.connect(self._on_presenter_edits_saved)
        p.cell_not_sent.connect(self._on_presenter_cell_not_sent)
        self.job_panel.cancel_requested.connect(p.cancel_job)
        actions = window.window_actions
        actions.activity.toggled.connect(self._on_activity_toggled)
        self.activity.visibilityChanged.connect(self.sync_activity_action)
        for table in (window.workspace.line_table, window.workspace.gradebook_table):
            table.refusal_shown.connect(self._on_table_refusal_shown)

    # --- saying things --------------------------------------------------------------------

    def show_brief(self, text: str) -> None:
        """A short status-bar message, kept in the activity list."""
        self.status_bar.showMessage(text, 8000)
        self.activity.add(text)

    def show_message(self, text: str) -> None:
        """A status-bar message long enough to read a sentence (kept in the activity list)."""
        self.status_bar.showMessage(text, 15000)
        self.activity.add(text)

    def _on_table_refusal_shown(self, text: str) -> None:
        self.status_bar.showMessage(f"Not saved: {text}", 8000)
        self.activity.add(f"Not saved: {text}", Level.WARNING)

    def _on_presenter_warning_posted(self, text: str) -> None:
        self.alert_bar.alert(text)
        self.status_bar.showMessage(f"⚠ {text}", 15000)
        self.activity.add(text, Level.WARNING)

    def _on_presenter_edit_refused(self, key: CellKey, reason: str) -> None:
        self.alert_bar.alert(f"Not saved: {reason}", about="Saving")
        self.activity.add(f"Not saved ({self.window.describe_cell(key)}): {reason}",
                          Level.WARNING)

    def _on_presenter_edits_saved(self, outcome: object) -> None:
        if not getattr(outcome, "errors", None):
            self.alert_bar.settle("Saving")  # the next edit went through

    def _on_presenter_cell_not_sent(self, key: CellKey, reason: str) -> None:
        self._cell_failures += 1
        if self._cell_failures <= CELL_FAILURES_LISTED:
            self.activity.add(f"Not sent ({self.window.describe_cell(key)}): {reason}",
                              Level.WARNING)

    def _on_presenter_job_started(self, title: str) -> None:
        self.running_job = title
        self._cell_failures = 0
        self.job_panel.start(title)

    def _on_presenter_job_finished(self, message: str, ok: bool) -> None:
        title, self.running_job = self.running_job, None
        self.job_panel.finish()
        self.status_bar.showMessage(message, 10000)
        more = self._cell_failures - CELL_FAILURES_LISTED
        if more > 0:
            self.activity.add(f"…and {more} more grade{'s' if more != 1 else ''} not sent; "
                              "the Failed filter lists them all.", Level.WARNING)
        self.activity.add(message, Level.INFO if ok else Level.WARNING)
        if ok:
            # The platform answered and the attempt went through: older alerts about it
            # (or about being offline) are no longer true.
            self.alert_bar.settle(OFFLINE_ALERT)
            if title is not None:
                self.alert_bar.settle(title)

    def _on_presenter_error_raised(self, title: str, message: str) -> None:
        offline = message.startswith(UNREACHABLE_LEAD)
        self.alert_bar.alert(f"{title}: {message}", about=OFFLINE_ALERT if offline else title)
        self.status_bar.showMessage(f"{title}: {message}", 10000)
        self.activity.add(f"{title}: {message}", Level.WARNING if offline else Level.ERROR)

    def _on_presenter_crashed(self, error: object) -> None:
        if isinstance(error, BaseException):
            self.activity.add(f"GradeDesk hit a bug: {type(error).__name__}: {error}",
                              Level.ERROR)

    # --- the activity list ----------------------------------------------------------------

    def show_activity(self) -> None:
        """Show the activity list and put the keyboard in it."""
        window = self.window
        window.window_actions.activity.setChecked(True)
        self.activity.show()
        if self.activity.height() > window.height() * ACTIVITY_MAX_SHARE:
            # Qt's first guess takes a third of the window from the grid: a few lines do.
            rows = window.fontMetrics().height() * ACTIVITY_ROWS
            window.resizeDocks([self.activity], [rows], Qt.Orientation.Vertical)
        self.activity.raise_()
        self.activity.messages.setFocus()

    def _on_activity_toggled(self, checked: bool) -> None:
        if checked:
            self.show_activity()
        else:
            self.activity.hide()

    def sync_activity_action(self, *_: object) -> None:
        # Closed with its own button, or shown by the saved layout: the menu follows.
        action = self.window.window_actions.activity
        if self.activity.isHidden() == action.isChecked():
            blocker = action.blockSignals(True)
            action.setChecked(not self.activity.isHidden())
            action.blockSignals(blocker)
