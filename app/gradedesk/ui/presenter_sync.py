"""Pull, push, conflicts and the sample course: the jobs that talk to the platform and what
the window reloads after them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer

from gradedesk.store import ConnectionRow
from gradedesk.store.connections import SANDBOX_CONNECTION, is_sandbox
from gradedesk.ui import loaders, sync_work
from gradedesk.ui.presenter_loading import LoadingPart
from gradedesk.ui.rows import CellKey
from gradedesk.ui.workers import Job

if TYPE_CHECKING:
    from gradedesk.sync.engine import PullReport, PushReport, Resolution
    from gradedesk.sync.summaries import PushSummary

# How often the window looks whether another program changed the database (one tiny query).
OUTSIDE_CHECK_MS = 1000


class SyncPart(LoadingPart):
    _checking_outside = False  # a data-version query is on the store lane
    _outside_watch: QTimer | None = None  # the timer looking for other programs' edits

    def pull(self) -> Job[Any] | None:
        connection = self.connection
        if connection is None:
            return None
        context = self.context

        def work(job: Job[Any]) -> PullReport:
            return sync_work.pull(context, connection, job.emit, job.token)

        def done(report: PullReport) -> None:
            self.job_finished.emit(f"Pulled {report.line_items} line items, {report.members} "
                                   f"people, {report.results} results.", True)
            self._after_sync("pull", report, bool(report.conflicts))

        return self._network("Pull", work, done, connection_name=connection.name)

    def push(self) -> Job[Any] | None:
        connection = self.connection
        if connection is None:
            return None
        context = self.context

        def work(job: Job[Any]) -> tuple[PushReport, PushSummary]:
            from gradedesk.sync.summaries import summarize_push

            report = sync_work.push(context, connection, job.emit, job.token)
            # Named here, off the UI thread: the message says who, in which line item.
            return report, summarize_push(context.db, connection, report)

        def done(result: tuple[PushReport, PushSummary]) -> None:
            report, summary = result
            if self.student_label is not None:
                summary = summary.with_students(self.student_label)
            named = "".join(f" {sentence}." for sentence in summary.sentences())
            if report.time_limit is not None:
                self.job_finished.emit(f"Push stopped at its time limit of "
                                       f"{report.time_limit.limit_text}; unsent grades stay "
                                       f"queued.{named}", False)
            elif report.cancelled:
                self.job_finished.emit(f"Push cancelled; unsent grades stay queued.{named}",
                                       False)
            else:
                self.job_finished.emit(summary.message(), report.clean)
            if report.columns_created or report.columns_failed:
                # A column made here got its platform id (or failed): the tree and the
                # gradebook's columns show it.
                self.refresh_overview()
                self.load_gradebook()
                for failure in report.columns_failed:
                    self.error_raised.emit("Push", f"Column {failure.label!r} was not "
                                           f"created: {failure.message}")
            self._after_sync("push", report, bool(report.conflicts))

        return self._network("Push", work, done, connection_name=connection.name)

    def _after_sync(self, phase: str, report: object, conflicts: bool) -> None:
        if self._stale_keys:
            self._on_refresh_timer_timeout()
        self.refresh_counts()
        if phase in ("pull", "sandbox"):
            self.refresh_overview()
            self.reload_views()
        self.sync_finished.emit(phase, report)
        if conflicts:
            self.load_conflicts(open_dialog=True)

    def watch_for_outside_changes(self, ready: Callable[[], bool], *,
                                  interval_ms: int = OUTSIDE_CHECK_MS) -> None:
        """Notice edits another program (the ``gradedesk`` command, a second window) commits
        to the database, and reload what is on screen. ``ready`` says whether reloading now
        is safe (not while the grader is typing in a cell; the next check tries again).
        Not while a network job runs: its end refreshes what it touched. Once per presenter:
        a second call changes nothing."""
        if self._outside_watch is not None:
            return
        db = self.context.db
        seen: list[int | None] = [None]  # the data version last looked at

        def looked(version: int, jobs_before: int) -> None:
            if self._closing:
                return
            if self.busy or self.network_jobs_started != jobs_before:
                # A network job wrote meanwhile and moves the number too: look afresh once it
                # is over (an edit another program makes during a push shows at the next
                # change or pull; the push itself refreshes what it touched).
                seen[0] = None
                return
            before = seen[0]
            if before is None or version == before:
                seen[0] = version
                return
            if self.connection is None or not ready():
                return  # keep the old number: the change is picked up once ready
            seen[0] = version
            self.refresh_overview()
            self.reload_views()
            self.refresh_counts()
            self.changed_elsewhere.emit()

        def check() -> None:
            if self._closing or self._checking_outside:
                return
            if self.busy:
                seen[0] = None
                return
            jobs_before = self.network_jobs_started

            def done(version: int) -> None:
                self._checking_outside = False
                looked(version, jobs_before)

            self._checking_outside = True
            self.store_lane.submit("Looking for outside changes",
                                   lambda _job: db.data_version(), on_done=done,
                                   on_failed=self._outside_check_failed)

        timer = self._outside_watch = QTimer(self)
        timer.setInterval(interval_ms)
        timer.timeout.connect(check)
        timer.start()
        check()

    def _outside_check_failed(self, error: BaseException) -> None:
        self._checking_outside = False
        self._report_failure("Looking for outside changes")(error)

    def reload_views(self) -> None:
        """Reload what is on screen (after a pull replaced the server copies)."""
        if self.line_item_url is not None:
            self.load_line_item(self.line_item_url)
        self.load_gradebook()

    def load_conflicts(self, *, open_dialog: bool = False) -> None:
        connection = self.connection
        if connection is None:
            return
        db = self.context.db
        def done(rows: tuple[loaders.ConflictRow, ...]) -> None:
            label = self.student_label
            if label is not None:  # names hidden: as the grids call them
                rows = tuple(replace(row, student=label(row.key[1])) for row in rows)
            self.conflicts_loaded.emit(rows, open_dialog)

        self._store("Loading conflicts", lambda: loaders.load_conflicts(db, connection), done)

    def resolve(self, resolution: Resolution, entry_ids: Sequence[int] | None,
                keys: Sequence[CellKey]) -> Job[Any] | None:
        """Settle conflicts (the given outbox entries, or all). Runs on the network lane so it
        never overlaps a push."""
        connection = self.connection
        if connection is None:
            return None
        context = self.context

        def work(job: Job[Any]) -> list[int]:
            return sync_work.resolve(context, connection, resolution, entry_ids, job.token)

        def done(settled: list[int]) -> None:
            verb = {"mine": "kept yours", "theirs": "took theirs",
                    "both": "kept both"}[resolution.value]
            self.job_finished.emit(f"{len(settled)} conflict(s) settled: {verb}.", True)
            self.refresh_cells(list(keys))
            self.load_conflicts(open_dialog=False)

        return self._network("Resolving conflicts", work, done,
                             connection_name=connection.name)

    # --- connections ------------------------------------------------------------------------

    def start_sandbox(self, *, seed: int = 1, students: int | None = None,
                      line_items: int | None = None, latency_ms: int = 0,
                      fresh: bool = True) -> Job[Any] | None:
        """Start the built-in sandbox course, connect to it and pull it (network lane).
        ``fresh``: start over (a new course; the old one's local data goes); without it, the
        course kept in the data folder is resumed as it was (see resume_sandbox)."""
        context = self.context

        def work(job: Job[Any]) -> sync_work.SandboxStart:
            return sync_work.start_sandbox(context, job.emit, job.token, seed=seed,
                                           students=students, line_items=line_items,
                                           latency_ms=latency_ms, fresh=fresh)

        def done(started: sync_work.SandboxStart) -> None:
            report = started.report
            if report is None:
                # Resumed as it was: the data here is current, nothing to reload.
                self.job_finished.emit("Sample course resumed where you left it.", True)
                return
            said = "Sample course ready" if fresh else \
                "The sample course could not be resumed, so it started over"
            self.job_finished.emit(f"{said}: {report.members} people, {report.line_items} "
                                   "line items.", True)
            self.refresh_overview()
            self.sync_finished.emit("sandbox", started.name)

        title = "Starting the sandbox" if fresh else "Resuming the sample course"
        return self._network(title, work, done, connection_name=SANDBOX_CONNECTION)

    def _connection_opened(self, row: ConnectionRow) -> None:
        """Reopening GradeDesk on the sample course brings its platform back quietly, with
        the course as it was left (grades, comments, drafts). Only the window's own sandbox,
        only when nothing serves it already (another window, a test's course)."""
        if not is_sandbox(row) or row.name != SANDBOX_CONNECTION \
                or row.name in self._resume_checked \
                or self.context.sandbox_of(row.name) is not None:
            return
        self._resume_checked.add(row.name)
        context = self.context

        def done(options: sync_work.SandboxOptions | None) -> None:
            if options is None or self._closing or context.sandbox_of(row.name) is not None:
                return
            self.start_sandbox(seed=options.seed, students=options.students,
                               line_items=options.line_items, fresh=False)

        self._store("Looking for the sample course",
                    lambda: sync_work.sandbox_to_resume(context, row), done)
