"""The presenter: widgets ask it for things, it runs them on the lanes and announces results.

Widgets never reach the store or the engine; they call these methods and listen to the
signals. Every slow step runs on a lane (see workers.py); the callbacks here run on the GUI
thread. Results of a load that a newer selection has overtaken are dropped (generations).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from gradedesk import bootstrap
from gradedesk.domain import Cancelled, GradeDeskError, TimeLimitReached
from gradedesk.platforms import TransportError
from gradedesk.store import ConnectionRow
from gradedesk.store import connections as connection_store
from gradedesk.sync.cancel import DEFAULT_TIME_LIMIT_S
from gradedesk.sync.engine import PullReport, PushReport, Resolution
from gradedesk.sync.events import EventKind, SyncEvent
from gradedesk.ui import edits, loaders, sync_work
from gradedesk.ui.column_presenter import ColumnPresenter
from gradedesk.ui.context import AppContext
from gradedesk.ui.edits import Replay
from gradedesk.ui.platform_notes import fully_graded_warning
from gradedesk.ui.rows import CellKey, GradebookData, LineItemData, StatusCounts
from gradedesk.ui.setup_presenter import SetupPresenter
from gradedesk.ui.undo import DiscardCommand, EditCellsCommand, describe
from gradedesk.ui.undo_values import CellChange
from gradedesk.ui.workers import Job, Lane

log = logging.getLogger(__name__)

T = TypeVar("T")

# Row refreshes triggered by sync events are batched this long, so a 500-row push repaints in
# a few steps rather than 500.
REFRESH_BATCH_MS = 80
# Every network job (pull, push, a check) stops after this long, as the CLI's do: what was not
# done stays queued. Read as each job starts (a test lowers it).
NETWORK_TIME_LIMIT_S = DEFAULT_TIME_LIMIT_S

# How an unreachable platform is said (the transport error's text goes to the log only).
UNREACHABLE_LEAD = "Can't reach the platform"



def unreachable_text(unsent: int | None) -> str:
    """The plain words for "offline": what happens to the grader's work (``unsent``: grades
    waiting for a push, None when not known)."""
    if unsent is None:
        return f"{UNREACHABLE_LEAD}; your grades stay queued and go with the next push."
    if unsent == 0:
        return (f"{UNREACHABLE_LEAD}; keep grading: your changes are saved here and go with "
                "the next push.")
    if unsent == 1:
        return f"{UNREACHABLE_LEAD}; your 1 grade stays queued and goes with the next push."
    return f"{UNREACHABLE_LEAD}; your {unsent} grades stay queued and go with the next push."


class Presenter(QObject):
    overview_loaded = Signal(object)  # loaders.Overview
    connection_changed = Signal(object)  # ConnectionRow | None
    line_item_loaded = Signal(object)  # LineItemData
    gradebook_loaded = Signal(object)  # GradebookData
    rows_refreshed = Signal(object)  # dict[CellKey, StudentGrade]
    counts_changed = Signal(object)  # StatusCounts
    online_changed = Signal(object)  # True, False, or None (not checked yet)
    job_started = Signal(str)  # title
    job_progressed = Signal(int, int, str)  # done, total (0: unknown), message
    job_finished = Signal(str, bool)  # message, succeeded
    sync_finished = Signal(str, object)  # phase ("pull", "push", "sandbox"), report
    conflicts_loaded = Signal(object, bool)  # rows, whether the dialog should open
    detail_loaded = Signal(object)  # loaders.CellDetail | None
    edits_saved = Signal(object)  # edits.SaveOutcome
    drafts_discarded = Signal(object)  # edits.DiscardOutcome (a discard, or its undo)
    files_polled = Signal()  # a file's Progress moved (the engine's poll events name no cell)
    edit_refused = Signal(object, str)  # CellKey, reason
    cell_not_sent = Signal(object, str)  # CellKey, the platform's reason (a push's failure)
    comment_bank_loaded = Signal(str, object)  # line item URL, tuple[str, ...]
    connection_added = Signal(object)  # bootstrap.NewConnection
    connection_tested = Signal(str, bool, str)  # name, ok, message
    message_posted = Signal(str)  # a short status-bar message
    warning_posted = Signal(str)  # worth reading before the next push (e.g. a score dropped)
    error_raised = Signal(str, str)  # title, user message (a GradeDeskError)
    crashed = Signal(object)  # an unexpected exception: a bug

    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.store_lane = Lane("store", self)
        self.network_lane = Lane("network", self)
        self.store_lane.job_crashed.connect(self.crashed)
        self.network_lane.job_crashed.connect(self.crashed)
        self.undo_stack = QUndoStack(self)
        self.connection: ConnectionRow | None = None
        self.line_item_url: str | None = None
        self.online: bool | None = None
        self._online_of: dict[str, bool] = {}  # per connection name: how its last job went
        self.counts = StatusCounts()
        self._network_job: Job[Any] | None = None
        self._generation = {"line_item": 0, "gradebook": 0, "detail": 0, "connection": 0}
        self._stale_keys: set[CellKey] = set()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_BATCH_MS)
        self._refresh_timer.timeout.connect(self._on_refresh_timer_timeout)
        self._closing = False
        # Scores the grid shows, by cell: the warning about platforms that keep a score only
        # when FullyGraded needs to know whether a cell has one. Set by the window.
        self.score_of: Callable[[CellKey], float | None] | None = None
        self.setup = SetupPresenter(self)
        self.columns = ColumnPresenter(self)
        # Sandbox connections looked at for a quiet resume (once each per run).
        self._resume_checked: set[str] = set()

    # --- helpers ----------------------------------------------------------------------------

    def _next(self, what: str) -> int:
        self._generation[what] += 1
        return self._generation[what]

    def _current(self, what: str, generation: int) -> bool:
        return not self._closing and self._generation[what] == generation

    def _report_failure(self, title: str) -> Callable[[BaseException], None]:
        def failed(error: BaseException) -> None:
            if isinstance(error, Cancelled) or self._closing:
                return
            if isinstance(error, GradeDeskError):
                self.error_raised.emit(title, error.user_message)
            else:
                log.error("%s failed", title, exc_info=error)
                self.crashed.emit(error)
        return failed

    def _store(self, title: str, work: Callable[[], T], done: Callable[[T], None]) -> Job[T]:
        return self.store_lane.submit(title, lambda job: work(), on_done=done,
                                      on_failed=self._report_failure(title))

    def run_store(self, title: str, work: Callable[[], T], done: Callable[[T], None], *,
                  on_refused: Callable[[str], None] | None = None) -> Job[T]:
        """Run ``work`` on the store lane. With ``on_refused``, a GradeDeskError's message goes
        there (e.g. under a dialog's field) instead of the window's alert bar."""
        report = self._report_failure(title)

        def failed(error: BaseException) -> None:
            if on_refused is not None and isinstance(error, GradeDeskError) \
                    and not isinstance(error, Cancelled) and not self._closing:
                on_refused(error.user_message)
            else:
                report(error)

        return self.store_lane.submit(title, lambda job: work(), on_done=done, on_failed=failed)

    def run_network(self, title: str, work: Callable[[Job[Any]], T], done: Callable[[T], None],
                    *, on_refused: Callable[[str], None] | None = None,
                    connection_name: str | None = None) -> Job[T] | None:
        """Run one network job for a connection (default: the current one). None: another
        job runs, and the grader has been told. With ``on_refused``, a GradeDeskError's
        message goes there instead of the window's alert bar."""
        return self._network(
            title, work, done, connection_name=connection_name or self.connection_name,
            on_refused=(lambda error: on_refused(error.user_message)) if on_refused else None,
            report_refusals=on_refused is None)

    @property
    def busy(self) -> bool:
        """True while a network job (pull, push, sandbox start...) runs."""
        return self._network_job is not None

    @property
    def connection_name(self) -> str | None:
        return self.connection.name if self.connection is not None else None

    @property
    def is_sandbox(self) -> bool:
        return self.connection is not None and bootstrap.is_sandbox(self.connection)

    # --- navigation -------------------------------------------------------------------------

    def refresh_overview(self) -> None:
        db = self.context.db
        self._store("Loading courses", lambda: loaders.load_overview(db),
                    self.overview_loaded.emit)

    def select_connection(self, name: str | None) -> None:
        """Make a connection current (None: none). Emits connection_changed and new counts."""
        generation = self._next("connection")
        if name is None:
            self.connection = None
            self.line_item_url = None
            self.connection_changed.emit(None)
            return
        db = self.context.db

        def done(row: ConnectionRow | None) -> None:
            if not self._current("connection", generation):
                return
            if row is None:
                self.error_raised.emit("Connection", f"No connection named {name!r}.")
                return
            changed = self.connection is None or self.connection.id != row.id
            self.connection = row
            if changed:
                self.undo_stack.clear()  # its commands name another connection's cells
                self._set_online(self._online_of.get(row.name))
            self.connection_changed.emit(row)
            self.refresh_counts()
            if changed:
                self._resume_sandbox_if_stopped(row)

        self._store("Opening connection", lambda: connection_store.get_connection(db, name), done)

    def load_line_item(self, line_item_url: str) -> None:
        connection = self.connection
        if connection is None:
            return
        self.line_item_url = line_item_url
        generation = self._next("line_item")
        db = self.context.db

        def done(data: LineItemData) -> None:
            if self._current("line_item", generation):
                self.line_item_loaded.emit(data)

        self._store("Loading line item",
                    lambda: loaders.load_line_item(db, connection.id, line_item_url), done)

    def load_gradebook(self) -> None:
        connection = self.connection
        if connection is None:
            return
        generation = self._next("gradebook")
        db = self.context.db

        def done(data: GradebookData) -> None:
            if self._current("gradebook", generation):
                self.gradebook_loaded.emit(data)

        self._store("Loading gradebook", lambda: loaders.load_gradebook(db, connection.id), done)

    def refresh_counts(self) -> None:
        connection = self.connection
        if connection is None:
            return
        db = self.context.db

        def done(counts: StatusCounts) -> None:
            if self.connection is not None and self.connection.id == connection.id:
                self.counts = counts
                self.counts_changed.emit(counts)

        self._store("Counting", lambda: loaders.load_counts(db, connection.id), done)

    def load_detail(self, key: CellKey | None) -> None:
        generation = self._next("detail")
        connection = self.connection
        if key is None or connection is None:
            self.detail_loaded.emit(None)
            return
        db = self.context.db

        def done(detail: loaders.CellDetail | None) -> None:
            if self._current("detail", generation):
                self.detail_loaded.emit(detail)

        self._store("Loading details", lambda: loaders.load_detail(db, connection, key), done)

    def fetch_detail(self, key: CellKey,
                     done: Callable[[loaders.CellDetail | None], None]) -> None:
        """Load one cell's details for a caller other than the detail panel."""
        connection = self.connection
        if connection is None:
            return
        db = self.context.db
        self._store("Loading details", lambda: loaders.load_detail(db, connection, key), done)

    def refresh_cells(self, keys: Sequence[CellKey]) -> None:
        """Reload these cells from the store and repaint them (e.g. after a sync event)."""
        connection = self.connection
        if connection is None or not keys:
            return
        db = self.context.db
        wanted = list(keys)

        def done(result: tuple[dict[CellKey, Any], StatusCounts]) -> None:
            rows, counts = result
            if self.connection is not None and self.connection.id == connection.id:
                self.rows_refreshed.emit(rows)
                self.counts = counts
                self.counts_changed.emit(counts)

        self._store("Refreshing", lambda: (loaders.reload_cells(db, connection.id, wanted),
                                           loaders.load_counts(db, connection.id)), done)

    def _on_refresh_timer_timeout(self) -> None:
        keys, self._stale_keys = list(self._stale_keys), set()
        self.refresh_cells(keys)

    # --- editing ----------------------------------------------------------------------------

    def apply_changes(self, changes: Sequence[CellChange], text: str) -> None:
        """Record a grader's edit on the undo stack; pushing it saves it (store lane)."""
        if not changes or self.connection is None:
            return
        warning = fully_graded_warning(bootstrap.profile_for(self.connection), changes,
                                       self.score_of)
        if warning is not None:
            self.warning_posted.emit(warning)  # before the edit is queued
        self.undo_stack.push(EditCellsCommand(describe(changes, text), changes,
                                              self._save_changes))

    def _save_changes(self, command: EditCellsCommand, changes: Sequence[CellChange],
                      replay: Replay) -> None:
        connection = self.connection
        if connection is None:
            return
        db = self.context.db
        sent = command.sent

        def done(outcome: edits.SaveOutcome) -> None:
            if replay is Replay.UNDO:
                command.note_sent(outcome.sent)  # a plain attribute: safe once the stack let go
            if self.connection is None or self.connection.id != connection.id:
                return
            self.rows_refreshed.emit(outcome.rows)
            for key, reason in outcome.errors.items():
                self.edit_refused.emit(key, reason)
            self.counts = outcome.counts
            self.counts_changed.emit(outcome.counts)
            if outcome.notes:
                more = len(outcome.notes) - 1
                self.message_posted.emit(outcome.notes[0] if not more else
                                         f"{outcome.notes[0]}; and {more} more cell"
                                         f"{'s' if more != 1 else ''} alike")
            self.edits_saved.emit(outcome)

        self._store("Saving", lambda: edits.apply_changes(db, connection, changes,
                                                          replay=replay, sent=sent), done)

    def discard(self, keys: Sequence[CellKey]) -> None:
        """Drop the local drafts of these cells; one undo step brings them back."""
        connection = self.connection
        if connection is None or not keys:
            return
        db = self.context.db
        wanted = list(dict.fromkeys(keys))

        def done(outcome: edits.DiscardOutcome) -> None:
            if self.connection is None or self.connection.id != connection.id:
                return
            self._show_discard(outcome)
            count = len(outcome.removed)
            if count:
                self.undo_stack.push(DiscardCommand(outcome.removed, self._replay_discard))
                self.message_posted.emit(
                    f"Discarded {count} local change{'s' if count != 1 else ''}; nothing was "
                    f"sent. Undo (Ctrl+Z) brings {'it' if count == 1 else 'them'} back.")
            elif not outcome.errors:
                self.message_posted.emit("Nothing to discard: no local change in the "
                                         "selected cells.")
            self.drafts_discarded.emit(outcome)

        self._store("Discarding", lambda: edits.discard_drafts(db, connection, wanted), done)

    def _replay_discard(self, command: DiscardCommand, undo: bool) -> None:
        connection = self.connection
        if connection is None:
            return
        db = self.context.db
        removed = dict(command.removed)

        def work() -> edits.DiscardOutcome:
            if undo:
                return edits.restore_drafts(db, connection, removed)
            return edits.discard_drafts(db, connection, list(removed))

        def done(outcome: edits.DiscardOutcome) -> None:
            if not undo:
                command.removed = dict(outcome.removed)  # the restored drafts, dropped again
            if self.connection is None or self.connection.id != connection.id:
                return
            self._show_discard(outcome)
            count = len(outcome.removed)
            self.message_posted.emit(
                f"Undo: {count} local change{'s' if count != 1 else ''} back, queued again."
                if undo else f"Redo: discarded {count} local change{'s' if count != 1 else ''}.")
            self.drafts_discarded.emit(outcome)

        self._store("Restoring" if undo else "Discarding", work, done)

    def _show_discard(self, outcome: edits.DiscardOutcome) -> None:
        self.rows_refreshed.emit(outcome.rows)
        for key, reason in outcome.errors.items():
            self.edit_refused.emit(key, reason)
        self.counts = outcome.counts
        self.counts_changed.emit(outcome.counts)

    def load_comment_bank(self, line_item_url: str) -> None:
        connection = self.connection
        if connection is None:
            return
        db = self.context.db
        self._store("Loading comments",
                    lambda: loaders.load_comment_bank(db, connection.id, line_item_url),
                    lambda texts: self.comment_bank_loaded.emit(line_item_url, texts))

    def bank_comment(self, line_item_url: str, text: str) -> None:
        connection = self.connection
        if connection is None or not text.strip():
            return
        db = self.context.db
        self._store("Keeping comment",
                    lambda: loaders.bank_comment(db, connection.id, line_item_url, text),
                    lambda texts: self.comment_bank_loaded.emit(line_item_url, texts))

    # --- network jobs -----------------------------------------------------------------------

    def _network(self, title: str, work: Callable[[Job[Any]], T], done: Callable[[T], None],
                 *, on_refused: Callable[[GradeDeskError], None] | None = None,
                 connection_name: str | None = None,
                 report_refusals: bool = True) -> Job[T] | None:
        """Run one network job; refuse (with a message) while another runs. ``on_refused``
        hears of a GradeDeskError besides the usual error report."""
        if self._network_job is not None:
            self.message_posted.emit(f"Wait for “{self._network_job.title}” to finish, or "
                                     "cancel it.")
            return None

        def finished(result: T) -> None:
            self._network_job = None
            if self._closing:
                return
            self._note_online(connection_name, True)
            done(result)

        def failed(error: BaseException) -> None:
            self._network_job = None
            if self._closing:
                return
            if isinstance(error, TimeLimitReached):
                self.job_finished.emit(f"{title}: {error.user_message} Nothing is lost; try "
                                       "again.", False)
                self.refresh_counts()
                return
            if isinstance(error, Cancelled):
                self.job_finished.emit(f"{title}: cancelled.", False)
                self.refresh_counts()
                return
            if isinstance(error, TransportError):
                self._note_online(connection_name, False)
            self.job_finished.emit(f"{title} failed.", False)
            if on_refused is not None and isinstance(error, GradeDeskError):
                on_refused(error)
                if not report_refusals:
                    self.refresh_counts()
                    return
            if isinstance(error, TransportError):
                self._report_unreachable(title, connection_name, error)
            else:
                self._report_failure(title)(error)
            self.refresh_counts()

        job = self.network_lane.submit(title, work, on_done=finished, on_failed=failed,
                                       on_event=self._on_sync_event,
                                       time_limit_s=NETWORK_TIME_LIMIT_S)
        self._network_job = job
        self.job_started.emit(title)
        return job

    def _report_unreachable(self, title: str, connection_name: str | None,
                            error: TransportError) -> None:
        """Offline in plain words: what becomes of the grader's work, not a socket error."""
        log.info("%s: %s", title, error.user_message)
        unsent = None
        if connection_name is None or connection_name == self.connection_name:
            counts = self.counts
            unsent = counts.queued + counts.sending + counts.failed
        self.error_raised.emit(title, unreachable_text(unsent))

    def note_online(self, online: bool) -> None:
        """A job that succeeded found the current platform out of reach (it kept the work
        here instead of failing)."""
        self._note_online(None, online)

    def _note_online(self, connection_name: str | None, online: bool) -> None:
        """Record whether a connection's platform answered; show it if it is current."""
        name = connection_name or self.connection_name
        if name is not None:
            self._online_of[name] = online
        if name is None or name == self.connection_name:
            self._set_online(online)

    def _set_online(self, online: bool | None) -> None:
        if self.online != online:
            self.online = online
            self.online_changed.emit(online)

    def cancel_job(self) -> None:
        if self._network_job is not None:
            self._network_job.cancel()
            self.message_posted.emit(f"Cancelling “{self._network_job.title}”…")

    def _on_sync_event(self, event: object) -> None:
        if not isinstance(event, SyncEvent) or self._closing:
            return
        self.job_progressed.emit(event.done, event.total, event.message)
        if event.phase == "poll" and event.kind in (EventKind.ITEM_DONE, EventKind.FAILED):
            self.files_polled.emit()
        if event.kind is EventKind.FAILED and event.phase == "push" and event.line_item_id \
                and event.user_id and event.message:
            self.cell_not_sent.emit((event.line_item_id, event.user_id), event.message)
        if event.line_item_id and event.user_id and event.kind in (
                EventKind.ITEM_DONE, EventKind.CONFLICT, EventKind.FAILED):
            self._stale_keys.add((event.line_item_id, event.user_id))
            if not self._refresh_timer.isActive():
                self._refresh_timer.start()

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

        def work(job: Job[Any]) -> PushReport:
            return sync_work.push(context, connection, job.emit, job.token)

        def done(report: PushReport) -> None:
            if report.time_limit is not None:
                self.job_finished.emit(f"Push stopped at its time limit of "
                                       f"{report.time_limit.limit_text}; unsent grades stay "
                                       "queued.", False)
            elif report.cancelled:
                self.job_finished.emit("Push cancelled; unsent grades stay queued.", False)
            else:
                self.job_finished.emit(
                    f"Pushed: {len(report.confirmed)} confirmed, {len(report.conflicts)} "
                    f"conflicts, {len(report.failed)} failed.", report.clean)
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
        self._store("Loading conflicts", lambda: loaders.load_conflicts(db, connection),
                    lambda rows: self.conflicts_loaded.emit(rows, open_dialog))

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
            verb = {Resolution.MINE: "kept yours", Resolution.THEIRS: "took theirs",
                    Resolution.BOTH: "kept both"}[resolution]
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
        return self._network(title, work, done, connection_name=bootstrap.SANDBOX_CONNECTION)

    def _resume_sandbox_if_stopped(self, row: ConnectionRow) -> None:
        """Reopening GradeDesk on the sample course brings its platform back quietly, with
        the course as it was left (grades, comments, drafts). Only the window's own sandbox,
        only when nothing serves it already (another window, a test's course)."""
        if not bootstrap.is_sandbox(row) or row.name != bootstrap.SANDBOX_CONNECTION \
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

    def count_unsent(self, done: Callable[[dict[str, int]], None]) -> None:
        """Grades not sent yet, per connection name (only those with some), for ``done``."""
        context = self.context
        self._store("Counting unsent grades", lambda: sync_work.unsent_grades(context), done)

    def add_lti_connection(self, name: str, settings: Mapping[str, str | None], *,
                           private_key_file: Path | None, generate_key: bool) -> None:
        """Add an LTI Advantage connection; the PEM file is read on the store lane, once."""
        context = self.context

        def work() -> bootstrap.NewConnection:
            return sync_work.add_lti_connection(context, name, settings,
                                                private_key_file=private_key_file,
                                                generate_key=generate_key)

        self._store("Adding connection", work, self._on_connection_added)

    def add_ltiaas_connection(self, name: str, url: str, *, api_key: str,
                              service_key: str) -> None:
        context = self.context

        def work() -> bootstrap.NewConnection:
            return sync_work.add_ltiaas_connection(context, name, url, api_key=api_key,
                                                   service_key=service_key)

        self._store("Adding connection", work, self._on_connection_added)

    def _on_connection_added(self, added: bootstrap.NewConnection) -> None:
        self.connection_added.emit(added)
        self.refresh_overview()

    def remove_connection(self, name: str) -> None:
        context = self.context

        def done(removed: bool) -> None:
            if self.connection is not None and self.connection.name == name:
                self.select_connection(None)
            self.refresh_overview()
            self.message_posted.emit(f"Removed {name}." if removed else f"No {name} to remove.")

        self._store("Removing connection",
                    lambda: bootstrap.remove_connection(context.db, context.secrets, name), done)

    def test_connection(self, name: str) -> Job[Any] | None:
        context = self.context

        def work(job: Job[Any]) -> str:
            return sync_work.check_connection(context, name, job.token)

        def done(message: str) -> None:
            self.job_finished.emit(message, True)
            self.connection_tested.emit(name, True, message)

        def refused(error: GradeDeskError) -> None:
            self.connection_tested.emit(name, False, error.user_message)

        return self._network(f"Testing {name}", work, done, on_refused=refused,
                             connection_name=name)

    # --- shutdown ---------------------------------------------------------------------------

    def shutdown(self, timeout_ms: int = 15_000) -> None:
        """Cancel running work and wait for both lanes (blocks: only when the window closes)."""
        self._closing = True
        self._refresh_timer.stop()
        self.network_lane.cancel_all()
        self.store_lane.cancel_all()
        self.network_lane.wait_for_done(timeout_ms)
        self.store_lane.wait_for_done(timeout_ms)
