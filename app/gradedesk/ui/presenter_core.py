"""The presenter's shared core: its signals, the store and network lanes, the one network job
at a time, whether the platform answers, and cell refreshes after sync events.

The presenter is this core plus its parts, each a subclass (presenter_loading, _editing,
_sync, _connections), composed in presenter.py. Widgets never reach the store or the engine;
they call the presenter and listen to its signals. Every slow step runs on a lane (see
workers.py); callbacks run on the GUI thread. Results of a load that a newer selection has
overtaken are dropped (generations).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from gradedesk.domain import Cancelled, GradeDeskError, TimeLimitReached
from gradedesk.logs import log_crash
from gradedesk.platforms import TransportError
from gradedesk.store import ConnectionRow
from gradedesk.store.connections import is_sandbox
from gradedesk.sync.cancel import DEFAULT_TIME_LIMIT_S
from gradedesk.sync.events import EventKind, SyncEvent
from gradedesk.ui import loaders
from gradedesk.ui.context import AppContext
from gradedesk.ui.rows import CellKey, StatusCounts
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



class PresenterCore(QObject):
    """Signals, the two lanes, the running network job, online state and cell refreshes:
    what every part of the presenter shares.

    Every signal of the presenter is declared here: a signal declared on a part that is not
    the composed class's first base was found never to reach its slots under PySide6."""

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
    changed_elsewhere = Signal()  # another program changed the database; the views reload

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
        self.network_jobs_started = 0  # its writes are not another program's (see watch_...)
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
        # How messages name a student by user id while the window hides names (None: by
        # name). Set by the window.
        self.student_label: Callable[[str], str] | None = None
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
                log_crash(error, f"while {title[:1].lower()}{title[1:]}")
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
        return self.connection is not None and is_sandbox(self.connection)


    # --- refreshing what is on screen ------------------------------------------------------

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
        self.network_jobs_started += 1
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


    # --- shutdown ---------------------------------------------------------------------------

    def shutdown(self, timeout_ms: int = 15_000) -> None:
        """Cancel running work and wait for both lanes (blocks: only when the window closes)."""
        self._closing = True
        self._refresh_timer.stop()
        self.network_lane.cancel_all()
        self.store_lane.cancel_all()
        self.network_lane.wait_for_done(timeout_ms)
        self.store_lane.wait_for_done(timeout_ms)

