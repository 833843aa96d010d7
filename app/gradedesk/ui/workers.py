"""Background lanes: the GUI thread never waits on SQLite, the keyring or the network.

Two lanes, each a ``QThreadPool`` of one thread so that jobs on a lane run in the order they were
submitted: the *store lane* (draft saves and table queries) and the *network lane* (one sync job
at a time: pull, push, poll, resolving conflicts, testing a connection, starting the sandbox).

A job is a plain callable ``work(job) -> result`` that runs on the lane's thread. It reports
through a :class:`_Relay`, a QObject that lives on the GUI thread: the worker emits the relay's
signals, Qt queues them, and the relay calls the caller's callbacks on the GUI thread. Callbacks
therefore may touch widgets; ``work`` never may.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from gradedesk.domain import Cancelled
from gradedesk.sync.cancel import CancelToken

log = logging.getLogger(__name__)

T = TypeVar("T")

DoneCallback = Callable[[Any], None]
FailedCallback = Callable[[BaseException], None]
EventCallback = Callable[[Any], None]


class Job(Generic[T]):
    """A handle on one submitted job: its cancel token and a way to report events.

    ``emit`` is called from the worker thread; the event reaches ``on_event`` on the GUI thread.
    """

    def __init__(self, title: str, relay: _Relay, *,
                 time_limit_s: float | None = None) -> None:
        self.title = title
        self.token = CancelToken(time_limit_s=time_limit_s)
        self._relay = relay

    def emit(self, event: object) -> None:
        self._relay.event_emitted.emit(event)

    def cancel(self) -> None:
        self.token.cancel()

    @property
    def cancelled(self) -> bool:
        return self.token.cancelled


class _Relay(QObject):
    """Carries one job's outcome from its worker thread to the GUI thread (queued signals)."""

    event_emitted = Signal(object)
    succeeded = Signal(object)
    errored = Signal(object)

    def __init__(self, lane: Lane, on_done: DoneCallback | None, on_failed: FailedCallback | None,
                 on_event: EventCallback | None) -> None:
        super().__init__(lane)
        self._lane = lane
        self._on_done = on_done
        self._on_failed = on_failed
        self._on_event = on_event
        # Connected to this object's own slots: the relay lives on the GUI thread, so Qt
        # queues every emission from the worker and runs the slot on the GUI thread.
        self.event_emitted.connect(self._on_relay_event_emitted)
        self.succeeded.connect(self._on_relay_succeeded)
        self.errored.connect(self._on_relay_errored)

    @Slot(object)
    def _on_relay_event_emitted(self, event: object) -> None:
        if self._on_event is not None:
            self._on_event(event)

    @Slot(object)
    def _on_relay_succeeded(self, result: object) -> None:
        try:
            if self._on_done is not None:
                self._on_done(result)
        finally:
            self._lane._forget(self)

    @Slot(object)
    def _on_relay_errored(self, error: object) -> None:
        try:
            assert isinstance(error, BaseException)
            if self._on_failed is not None:
                self._on_failed(error)
            elif not isinstance(error, Cancelled):
                self._lane.job_crashed.emit(error)
        finally:
            self._lane._forget(self)


class _Runnable(QRunnable):
    def __init__(self, work: Callable[[Job[Any]], Any], job: Job[Any], relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._job = job
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._work(self._job)
        except BaseException as error:
            if not isinstance(error, Cancelled):
                log.debug("job %r failed", self._job.title, exc_info=error)
            self._relay.errored.emit(error)
        else:
            self._relay.succeeded.emit(result)


class Lane(QObject):
    """A serial background lane. Create and use it on the GUI thread only."""

    busy_changed = Signal(bool)
    job_crashed = Signal(object)  # an error no caller asked to handle (GradeDesk bug or not)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        # One thread for the lane's life: its SQLite connection is per thread, and a thread
        # retired after 30 idle seconds would leave its connection open and start another.
        self._pool.setExpiryTimeout(-1)
        self._pool.setObjectName(f"{name}-pool")
        self._in_flight: set[_Relay] = set()
        self._jobs: dict[_Relay, Job[Any]] = {}

    def submit(self, title: str, work: Callable[[Job[Any]], T], *,
               on_done: Callable[[T], None] | None = None,
               on_failed: FailedCallback | None = None,
               on_event: EventCallback | None = None,
               time_limit_s: float | None = None) -> Job[T]:
        """Queue ``work`` on this lane. Callbacks run later, on the GUI thread. With
        ``time_limit_s`` the job's token counts as cancelled once that much time has passed."""
        relay = _Relay(self, on_done, on_failed, on_event)
        job: Job[T] = Job(title, relay, time_limit_s=time_limit_s)
        self._in_flight.add(relay)
        self._jobs[relay] = job
        if len(self._in_flight) == 1:
            self.busy_changed.emit(True)
        self._pool.start(_Runnable(work, job, relay))
        return job

    @property
    def busy(self) -> bool:
        return bool(self._in_flight)

    def cancel_all(self) -> None:
        for job in self._jobs.values():
            job.cancel()

    def wait_for_done(self, timeout_ms: int = 30_000) -> bool:
        """Block until the lane is idle. Only for shutdown and tests: it blocks the caller."""
        return bool(self._pool.waitForDone(timeout_ms))

    def _forget(self, relay: _Relay) -> None:
        self._in_flight.discard(relay)
        self._jobs.pop(relay, None)
        relay.deleteLater()
        if not self._in_flight:
            self.busy_changed.emit(False)
