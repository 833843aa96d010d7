"""The sync engine: pull server copies, push drafts exactly once, poll Progress, resolve conflicts.

No Qt and no SQL here: the engine talks to a :class:`GradebookPlatform` and the store's modules.
Every step reports a :class:`SyncEvent`; the CLI prints them and the window shows them.

Exactly once: an outbox entry is committed as ``sending`` before its POST goes out. If the reply
is lost, or the process dies, the next run finds the entry still ``sending``, reads the result
back and decides with :func:`did_it_land` whether the POST reached the platform. Only a POST
that provably did not land is sent again.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from queue import SimpleQueue
from typing import Any

from gradedesk.domain import (
    LEARNER_ROLE,
    Cancelled,
    GradeDeskError,
    Member,
    Result,
    Score,
    ScoreReceipt,
    TimeLimitReached,
    format_score,
    format_timestamp,
    utc_now,
)
from gradedesk.platforms import (
    AuthError,
    GradebookPlatform,
    MalformedReply,
    NotFound,
    PermissionDenied,
    PlatformConfigError,
    PlatformError,
    Rejected,
    ServerError,
    StaleTimestamp,
    TransportError,
)
from gradedesk.store import (
    Database,
    OutboxEntry,
    OutboxState,
    audit,
    columns,
    drafts,
    holds,
    jobs,
    outbox,
    snapshots,
)
from gradedesk.store.group_commit import GroupCommit, WriteConnection
from gradedesk.store.locks import push_lock
from gradedesk.store.rows import BaseCopy, ConnectionRow, DraftRow, ServerResultRow
from gradedesk.sync.cancel import CancelToken
from gradedesk.sync.conflicts import (
    NOTHING,
    Landing,
    ServerCopy,
    did_it_land,
    server_changed,
    what_the_platform_kept,
)
from gradedesk.sync.events import EventKind, SyncEvent
from gradedesk.sync.grading import save_grade
from gradedesk.sync.outgoing import PushOptions, outgoing_score

__all__ = ["ColumnFailure", "PullReport", "PushOptions", "PushReport", "Resolution",
           "SyncEngine", "resolve_conflicts", "save_grade"]

log = logging.getLogger(__name__)

EventSink = Callable[[SyncEvent], None]

# Threads for a pull's listings, a push's POSTs and its read-backs. How many requests are in
# flight at once is the client's rate limiter's call (from X-Rate-Limit-Remaining, up to
# RateLimitPolicy.max_concurrency, 11): there are more threads than that, so the limiter's
# slots stay full while some threads are between requests (claiming, marking sent, waiting
# for their group commit). Measured on a 1,000-score push (bench/phases.py): with 16 threads
# all 11 slots were busy 80% of the time, with 24 threads 90%.
DEFAULT_WORKERS = 24
# Confirmations are committed this many at a time.
CONFIRM_BATCH = 200
# Up to this many grades of one line item are read back one student at a time.
PER_STUDENT_READ_BACK = 5
# A second push (another terminal, the window) waits this long for the first to finish.
DEFAULT_LOCK_WAIT_S = 10.0
# A POST whose reply was lost may still be applied by a slow platform after we gave up on it.
# Its outcome is judged from a read-back only this long after the loss: a re-send sooner could
# land beside the original (Canvas accepts an equal timestamp), doubling the comment.
LOST_REPLY_SETTLE_S = 10.0
# Rounds of "wait, read back, re-send what did not land" at the end of one push.
LOST_REPLY_ROUNDS = 3
POLL_FIRST_DELAY_S = 0.5
POLL_MAX_DELAY_S = 30.0
POLL_MAX_ATTEMPTS = 60


class Resolution(StrEnum):
    """How a grader settles a conflict."""

    MINE = "mine"  # re-send my draft with a fresh timestamp over their change
    THEIRS = "theirs"  # drop my draft; nothing is sent
    BOTH = "both"  # keep their grade; my comment is added beside theirs


@dataclass(frozen=True, slots=True)
class ColumnFailure:
    """A column made in GradeDesk that a push could not create (yet)."""

    label: str
    url: str
    message: str
    unreachable: bool  # the platform could not be reached: worth trying again later


@dataclass(slots=True)
class PushReport:
    """What a push did, per outbox entry id."""

    confirmed: list[int] = field(default_factory=list)
    conflicts: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    recovered: list[int] = field(default_factory=list)
    # Accepted, but the read-back differs from what was sent (what it kept is recorded).
    mismatched: list[int] = field(default_factory=list)
    # Sent with no reply, and not settled by the end of the push: the next push reads them back.
    unsettled: list[int] = field(default_factory=list)
    cancelled: bool = False
    # Stopped by the job's time limit rather than by the user (``cancelled`` is set too).
    time_limit: TimeLimitReached | None = None
    # Columns made in GradeDesk: created on the platform (or found there) by this push, and
    # those that could not be (their grades stay queued behind them).
    columns_created: list[str] = field(default_factory=list)
    columns_failed: list[ColumnFailure] = field(default_factory=list)
    # Queued grades of held columns, left queued when the push ended (a release sends them).
    # Holding is what the grader asked for, so these do not make a push unclean.
    held: list[int] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.conflicts or self.failed or self.cancelled or self.columns_failed
                    or self.mismatched or self.unsettled)


@dataclass(slots=True)
class PullReport:
    line_items: int = 0
    members: int = 0
    results: int = 0
    conflicts: list[tuple[str, str]] = field(default_factory=list)  # (line item, user)
    # False on a platform without Names and Roles: students are known by user id only.
    names_available: bool = True


def score_of(entry: OutboxEntry) -> Score:
    """The Score an outbox entry sent (its payload is the exact body that went out; LTIAAS's
    has no timestamp, which LTIAAS adds itself: the moment of sending stands in)."""
    body = dict(entry.payload)
    body.setdefault("timestamp", format_timestamp(entry.sending_at or entry.updated_at))
    return Score.from_wire(body)


class _PushTasks:
    """The push's waiting requests, taken by its workers: reads before sends, each in the
    order added. ``take`` waits for one, or returns None once closed."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._reads: deque[tuple[str, str, Any]] = deque()
        self._sends: deque[tuple[str, str, Any]] = deque()
        self._closed = False

    def add_reads(self, tasks: Iterable[tuple[str, str, Any]]) -> None:
        with self._changed:
            self._reads.extend(tasks)
            self._changed.notify_all()

    def add_sends(self, tasks: Iterable[tuple[str, str, Any]]) -> None:
        with self._changed:
            self._sends.extend(tasks)
            self._changed.notify_all()

    def take(self) -> tuple[str, str, Any] | None:
        with self._changed:
            while not (self._closed or self._reads or self._sends):
                self._changed.wait()
            if self._closed:
                return None
            return self._reads.popleft() if self._reads else self._sends.popleft()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._reads.clear()
            self._sends.clear()
            self._changed.notify_all()


@dataclass(frozen=True)
class _Claim:
    """What claiming an entry found: a state to report as it is (nothing to send), or the
    draft with the payload claimed, or with why this platform cannot take it."""

    state: OutboxState | None = None
    draft: DraftRow | None = None
    payload: bytes = b""
    unsendable: PlatformError | None = None


class SyncEngine:
    """One connection's sync work. Thread-safe for one run at a time per connection."""

    def __init__(self, db: Database, connection: ConnectionRow, platform: GradebookPlatform, *,
                 on_event: EventSink | None = None, cancel: CancelToken | None = None,
                 grader: str | None = None, workers: int = DEFAULT_WORKERS,
                 clock: Callable[[], datetime] = utc_now,
                 lock_wait_s: float = DEFAULT_LOCK_WAIT_S,
                 lost_reply_settle_s: float = LOST_REPLY_SETTLE_S) -> None:
        self.db = db
        self.lost_reply_settle_s = lost_reply_settle_s
        self.connection = connection
        self.platform = platform
        self.cancel = cancel or CancelToken()
        self.grader = grader
        self.workers = max(1, workers)
        self.lock_wait_s = lock_wait_s
        self._emit_to = on_event
        self._clock = clock
        self._emit_lock = threading.Lock()
        # The workers' claim and sent marks, committed together (a disk flush each otherwise).
        self._writes = GroupCommit(db)

    # --- events ---------------------------------------------------------------------------

    def _emit(self, kind: EventKind, phase: str, **details: Any) -> None:
        if self._emit_to is None:
            return
        with self._emit_lock:
            self._emit_to(SyncEvent(kind, phase, **details))

    # --- pull -----------------------------------------------------------------------------

    def pull(self) -> PullReport:
        """Refresh line items, members and every line item's results. Drafts are untouched;
        drafts whose base the server moved away from are reported as conflicts."""
        report = PullReport()
        self._emit(EventKind.STARTED, "pull", message="Fetching line items and students")
        try:
            items = self.platform.list_line_items()
            self.cancel.raise_if_cancelled()
            snapshots.upsert_line_items(self.db, self.connection.id, items)
            report.line_items = len(items)
            report.names_available = self.platform.has_roster
            total = len(items)
            done = 0
            graded_users: set[str] = set()

            def fetch(item_id: str) -> tuple[str, list[Result]]:
                self.cancel.raise_if_cancelled()
                return item_id, self.platform.list_results(item_id)

            # The roster's pages and every line item's results are fetched side by side (the
            # rate limiter paces them); the store takes the roster first, then each listing
            # in the order they arrive.
            with ThreadPoolExecutor(self.workers, thread_name_prefix="pull") as pool:
                roster = pool.submit(self.platform.list_members) \
                    if self.platform.has_roster else None
                futures = [pool.submit(fetch, item.id) for item in items]
                try:
                    if roster is not None:
                        members = roster.result().members
                        snapshots.upsert_members(self.db, self.connection.id, members)
                        report.members = len(members)
                    self._emit(EventKind.PROGRESS, "pull", done=0, total=total,
                               message=f"{total} line items" + (
                                   f", {report.members} people" if roster is not None else ""))
                    # Stored as they arrive: the last listing to come is the only write left
                    # when the fetching is over.
                    for future in as_completed(futures):
                        item_id, results = future.result()
                        graded_users.update(result.user_id for result in results)
                        changes = snapshots.upsert_results(self.db, self.connection.id, item_id,
                                                           results)
                        report.results += len(results)
                        report.conflicts.extend((item_id, user) for user in changes.conflicts)
                        done += 1
                        self._emit(EventKind.PROGRESS, "pull", done=done, total=total,
                                   line_item_id=item_id)
                except BaseException:
                    self.cancel.cancel()
                    for future in futures:
                        future.cancel()
                    if roster is not None:
                        roster.cancel()
                    raise
            if not self.platform.has_roster:
                # AGS without Names and Roles: the students are the people the results name.
                snapshots.upsert_members(
                    self.db, self.connection.id,
                    [Member(user_id=user, roles=(LEARNER_ROLE,)) for user in sorted(graded_users)],
                    source="results")
                report.members = len(graded_users)
            self._mark_conflicts(report.conflicts, "pull")
        except Cancelled as exc:
            self._emit(EventKind.FAILED, "pull", message="Pull cancelled." if not isinstance(
                exc, TimeLimitReached) else f"Pull stopped at its time limit of {exc.limit_text}.")
            raise
        except GradeDeskError as exc:
            if self.cancel.timed_out:
                # The request gave up because the job's time ran out: say that, not "timeout".
                stopped = TimeLimitReached(self.cancel.time_limit_s or 0.0)
                self._emit(EventKind.FAILED, "pull",
                           message=f"Pull stopped at its time limit of {stopped.limit_text}.")
                raise stopped from None
            self._emit(EventKind.FAILED, "pull", message=exc.user_message)
            raise
        self._emit(EventKind.FINISHED, "pull", done=report.line_items, total=report.line_items,
                   message=f"{report.line_items} line items, {report.members} people, "
                           f"{report.results} results")
        return report

    def _mark_conflicts(self, cells: Iterable[tuple[str, str]], phase: str) -> None:
        """Queued drafts whose base the server moved away from become conflicts."""
        for line_item_url, user_id in cells:
            draft = drafts.get_draft(self.db, self.connection.id, line_item_url, user_id)
            if draft is None:
                continue
            waiting = [e for e in outbox.entries(self.db, self.connection.id,
                                                 (OutboxState.QUEUED, OutboxState.FAILED),
                                                 line_item_url=line_item_url)
                       if e.draft_id == draft.id]
            for entry in waiting:
                with self.db.transaction() as conn:
                    outbox.transition(conn, entry.id, OutboxState.CONFLICT,
                                      error="Someone changed this grade on the platform after "
                                            "your edit.")
                self._emit(EventKind.CONFLICT, phase, line_item_id=line_item_url,
                           user_id=user_id, state="conflict")

    # --- push -----------------------------------------------------------------------------

    def push(self, options: PushOptions | None = None) -> PushReport:
        """Recover interrupted pushes, check every queued draft for conflicts, send the rest,
        confirm them by reading the results back, and record Progress jobs for files."""
        options = options or PushOptions()
        report = PushReport()
        with push_lock(self.db, self.connection.id, self.connection.name,
                       wait_s=self.lock_wait_s, wait=self._wait_for_lock):
            return self._push_locked(options, report)

    def _wait_for_lock(self, seconds: float) -> None:
        self.cancel.wait(seconds)
        self.cancel.raise_if_cancelled()

    def _push_locked(self, options: PushOptions, report: PushReport) -> PushReport:
        cid = self.connection.id
        try:
            self.create_columns(report)
            self._retry_failed()
            self._recover(report)
            # Settle what already went out first: a newer edit of the same grade then builds
            # on it instead of looking like a colleague's change.
            self._confirm_sent(report)
            # Grades in a column the platform does not have yet wait for its creation; those
            # of a held column wait for its release. A hold taken after this point stops the
            # next claim at the latest (``_claim`` asks again as it claims).
            held = holds.held_line_item_urls(self.db, cid)
            waiting = outbox.entries(self.db, cid, (OutboxState.QUEUED,))
            queued = [entry for entry in waiting if not columns.is_local_url(entry.line_item_url)
                      and entry.line_item_url not in held]
            kept = sum(1 for entry in waiting if entry.line_item_url in held)
            self._emit(EventKind.STARTED, "push", total=len(queued),
                       message=f"Sending {len(queued)} grade{'s' if len(queued) != 1 else ''}"
                               + (f"; {kept} held" if kept else ""))
            self._send_by_line_item(queued, options, report)
            self._settle_lost_replies(report, options)
            self._confirm_sent(report)
            self._note_held(report)
        except Cancelled as exc:
            return self._stopped(report, exc)
        except GradeDeskError as exc:
            if self.cancel.timed_out:
                return self._stopped(report, TimeLimitReached(self.cancel.time_limit_s or 0.0))
            self._emit(EventKind.FAILED, "push", message=exc.user_message)
            raise
        self._emit(EventKind.FINISHED, "push", done=len(report.confirmed),
                   total=len(report.confirmed) + len(report.conflicts) + len(report.failed),
                   message=f"{len(report.confirmed)} confirmed, {len(report.conflicts)} "
                           f"conflicts, {len(report.failed)} failed"
                           + (f", {len(report.held)} held" if report.held else ""))
        return report

    def _note_held(self, report: PushReport) -> None:
        """Record the queued grades of held columns as the push ends (a column held while
        the push ran counts too)."""
        held = holds.held_line_item_urls(self.db, self.connection.id)
        report.held = [entry.id for entry in outbox.entries(
            self.db, self.connection.id, (OutboxState.QUEUED,)) if entry.line_item_url in held]

    def _stopped(self, report: PushReport, why: Cancelled) -> PushReport:
        report.cancelled = True
        self._note_held(report)
        if isinstance(why, TimeLimitReached):
            report.time_limit = why
        said = f"stopped at its time limit of {why.limit_text}" \
            if isinstance(why, TimeLimitReached) else "cancelled"
        self._emit(EventKind.FAILED, "push", message=f"Push {said}; unsent grades stay queued.")
        return report

    def create_columns(self, report: PushReport | None = None) -> PushReport:
        """Create the columns made in GradeDesk, each exactly once: a column whose creation
        may already have gone out (a crash, a lost reply) is looked up by its resourceId
        first, and created only if the platform does not have it."""
        report = report if report is not None else PushReport()
        for row in columns.pending_columns(self.db, self.connection.id):
            self.cancel.raise_if_cancelled()
            wanted = columns.line_item_of(row)
            try:
                created = None
                if row.create_attempted_at is not None and wanted.resource_id:
                    found = self.platform.list_line_items(resource_id=wanted.resource_id)
                    created = found[0] if found else None
                if created is None:
                    columns.mark_create_attempt(self.db, row.id)
                    created = self.platform.create_line_item(wanted)
            except PlatformError as exc:
                # Whether or not the request went out, the next push looks the column up
                # before creating it; its grades stay queued behind it.
                report.columns_failed.append(ColumnFailure(
                    row.label, row.url, exc.user_message,
                    unreachable=isinstance(exc, TransportError)))
                self._emit(EventKind.FAILED, "push", line_item_id=row.url,
                           message=f"{row.label}: {exc.user_message}")
                continue
            stored = columns.column_created(self.db, self.connection.id, row.id, created)
            with self.db.transaction() as conn:
                audit.append(conn, connection_name=self.connection.name,
                             action="lineitem.create",
                             summary=f"column {stored.label!r} created "
                                     f"(out of {format_score(stored.score_maximum)})",
                             grader=self.grader, line_item_url=stored.url)
            report.columns_created.append(stored.url)
            self._emit(EventKind.ITEM_DONE, "push", line_item_id=stored.url, state="created",
                       message=f"Column {stored.label!r} created")
        return report

    def _retry_failed(self) -> None:
        """A push tries failed grades again: most failures (network, throttling, a platform
        outage) are gone by the next try. A refusal that will not change is left alone."""
        for entry in outbox.entries(self.db, self.connection.id, (OutboxState.FAILED,)):
            if entry.refused:
                continue
            with self.db.transaction() as conn:
                outbox.transition(conn, entry.id, OutboxState.QUEUED)

    def _read_back(self, entries: Iterable[OutboxEntry]) -> None:
        """Fetch the current results of these entries' cells into the store (``_reads_for``).
        The requests run side by side (the rate limiter paces them); the store is written
        here, in order."""
        reads = _reads_for(entries)
        if not reads:
            return
        with ThreadPoolExecutor(min(self.workers, len(reads)),
                                thread_name_prefix="read-back") as pool:
            futures = [pool.submit(self._fetch_read, read) for read in reads]
            try:
                for read, future in zip(reads, futures, strict=True):
                    self._store_read(read, future.result())
            except BaseException:
                for future in futures:
                    future.cancel()
                raise

    def _fetch_read(self, read: Read) -> list[Result]:
        self.cancel.raise_if_cancelled()
        url, user = read
        return self.platform.list_results(url, user_id=user) if user is not None \
            else self.platform.list_results(url)

    def _store_read(self, read: Read, results: list[Result]) -> None:
        url, user = read
        if user is not None:
            snapshots.upsert_result(self.db, self.connection.id, url, user,
                                    results[0] if results else None)
        else:
            snapshots.upsert_results(self.db, self.connection.id, url, results)

    def _send_by_line_item(self, queued: Sequence[OutboxEntry], options: PushOptions,
                           report: PushReport) -> None:
        """Per line item: read its results, turn drafts a colleague has overtaken into
        conflicts, send the rest, and read the line item back once its last score is
        answered. The line items overlap, so the reads before and after run while other
        line items' scores are sent. The workers take their next request themselves (reads
        ahead of sends) and never wait for this thread, which only judges what they bring."""
        by_item = {url: group for url, group in sorted(group_by_line_item(queued).items())}
        tasks = _PushTasks()
        finished: SimpleQueue[tuple[str, str, Any, Any, BaseException | None]] = SimpleQueue()
        reads_left: dict[tuple[str, str], int] = {}
        sends_left: dict[str, int] = {}
        outstanding, total, done = 0, len(queued), 0

        def add_reads(stage: str, url: str, entries: Sequence[OutboxEntry]) -> None:
            nonlocal outstanding
            reads = _reads_for(entries)
            reads_left[(stage, url)] = len(reads)
            outstanding += len(reads)
            tasks.add_reads([(stage, url, read) for read in reads])

        def worker() -> None:
            while (task := tasks.take()) is not None:
                stage, url, work = task
                try:
                    outcome = self._send_one(work, options) if stage == "send" \
                        else self._fetch_read(work)
                except BaseException as error:  # noqa: BLE001 - raised by the judging thread
                    finished.put((stage, url, work, None, error))
                else:
                    finished.put((stage, url, work, outcome, None))

        for url, group in by_item.items():
            add_reads("check", url, group)
        with ThreadPoolExecutor(self.workers, thread_name_prefix="push") as pool:
            for _ in range(self.workers):
                pool.submit(worker)
            try:
                while outstanding:
                    stage, url, work, outcome, error = finished.get()
                    outstanding -= 1
                    if error is not None:
                        raise error
                    if stage == "send":
                        entry_id, state = outcome
                        done += 1
                        if state is OutboxState.CONFLICT:
                            report.conflicts.append(entry_id)
                        elif state is OutboxState.FAILED:
                            report.failed.append(entry_id)
                        self._emit(EventKind.PROGRESS, "push", done=done, total=total)
                        sends_left[url] -= 1
                        if not sends_left[url]:
                            add_reads("confirm", url, self._sent_in(url))
                        continue
                    self._store_read(work, outcome)
                    reads_left[(stage, url)] -= 1
                    if reads_left[(stage, url)]:
                        continue
                    if stage == "check":
                        ready = self._judge_queued(by_item[url], report)
                        done += len(by_item[url]) - len(ready)
                        sends_left[url] = len(ready)
                        outstanding += len(ready)
                        tasks.add_sends([("send", url, entry) for entry in ready])
                    else:
                        self._judge_sent(self._sent_in(url), report)
            finally:
                tasks.close()  # the workers finish what they hold and stop

    def _sent_in(self, line_item_url: str) -> list[OutboxEntry]:
        return outbox.entries(self.db, self.connection.id, (OutboxState.SENT,),
                              line_item_url=line_item_url)

    def _wait_until_settled(self, entries: Sequence[OutboxEntry]) -> None:
        """Give the platform time to finish POSTs whose replies were lost (cancellable)."""
        lost = [entry.reply_lost_at for entry in entries if entry.reply_lost_at is not None]
        if not lost:
            return
        due = max(lost) + timedelta(seconds=self.lost_reply_settle_s)
        left = (due - self._clock()).total_seconds()
        if left > 0:
            self._emit(EventKind.PROGRESS, "recover",
                       message=f"Waiting {left:.0f} s for the platform to finish "
                               f"{len(lost)} request{'s' if len(lost) != 1 else ''} "
                               "that did not answer")
            self.cancel.wait(left)

    def _settle_lost_replies(self, report: PushReport, options: PushOptions) -> None:
        """POSTs with lost replies: once the platform has had time to finish them, read them
        back; those that did not land go again. Bounded; what is left waits for the next push."""
        for _ in range(LOST_REPLY_ROUNDS):
            lost = [entry for entry in outbox.entries(self.db, self.connection.id,
                                                      (OutboxState.SENDING,))
                    if entry.reply_lost_at is not None]
            if not lost:
                return
            self._wait_until_settled(lost)
            again = []
            for entry in lost:
                try:
                    state = self._recover_one(entry)
                except PlatformError as exc:
                    # The class and status only: a platform's words may name the student.
                    log.info("could not read back a grade with a lost reply: %s (HTTP %s)",
                             type(exc).__name__, exc.status)
                    continue
                report.recovered.append(entry.id)
                if state is OutboxState.QUEUED:
                    again.append(outbox.entry(self.db, entry.id))
            for entry in again:
                entry_id, state = self._send_one(entry, options)
                if state is OutboxState.CONFLICT:
                    report.conflicts.append(entry_id)
                elif state is OutboxState.FAILED:
                    report.failed.append(entry_id)
        report.unsettled.extend(entry.id for entry in outbox.entries(
            self.db, self.connection.id, (OutboxState.SENDING,)))

    def _recover(self, report: PushReport) -> None:
        """Entries left ``sending`` by a crash or a lost reply: did their POST land?"""
        stuck = outbox.entries(self.db, self.connection.id, (OutboxState.SENDING,))
        if not stuck:
            return
        self._wait_until_settled(stuck)
        self._emit(EventKind.STARTED, "recover", total=len(stuck),
                   message=f"Checking {len(stuck)} grades whose sending was interrupted")
        for entry in stuck:
            try:
                self._recover_one(entry)
            except PlatformError as exc:
                # Unknown still: it stays sending, is never re-sent blind, and is checked
                # again at the end of this push or by the next one.
                log.info("could not read back an interrupted grade: %s (HTTP %s)",
                         type(exc).__name__, exc.status)
                continue
            report.recovered.append(entry.id)

    def _recover_one(self, entry: OutboxEntry) -> OutboxState:
        self.cancel.raise_if_cancelled()
        live = self.platform.list_results(entry.line_item_url, user_id=entry.user_id)
        result = live[0] if live else None
        sent = score_of(entry)
        with self.db.transaction() as conn:
            draft = drafts.draft_by_id(conn, entry.draft_id) if entry.draft_id else None
            before = draft.base.as_copy() if draft is not None else NOTHING
            landing = did_it_land(sent, before, ServerCopy.of(result))
            if landing is Landing.LANDED:
                outbox.transition(conn, entry.id, OutboxState.SENT,
                                  error=None, receipt={"recovered": True})
                state = OutboxState.SENT
            else:
                outbox.transition(conn, entry.id, OutboxState.QUEUED)
                state = OutboxState.QUEUED
            audit.append(conn, connection_name=self.connection.name, action="recover",
                         summary="interrupted push " + ("landed" if state is OutboxState.SENT
                                                        else "did not land; queued again"),
                         grader=self.grader, line_item_url=entry.line_item_url,
                         user_id=entry.user_id, outbox_id=entry.id)
        snapshots.upsert_result(self.db, self.connection.id, entry.line_item_url,
                                entry.user_id, result)
        self._emit(EventKind.ITEM_DONE, "recover", line_item_id=entry.line_item_url,
                   user_id=entry.user_id, state=state.value)
        return state

    def _judge_queued(self, queued: Sequence[OutboxEntry],
                      report: PushReport) -> list[OutboxEntry]:
        """With the line item's results just read back: a draft whose base no longer
        matches the server becomes a conflict instead of being sent; the rest are ready."""
        ready = []
        drafts_now = self._drafts_of(queued)
        servers = self._server_copies(queued)
        for entry in queued:
            draft = drafts_now.get(entry.id)
            if draft is None:
                continue
            server = servers.get((entry.line_item_url, entry.user_id))
            live = NOTHING if server is None else server.as_copy()
            if server_changed(draft.base.as_copy(), live):
                with self.db.transaction() as conn:
                    outbox.transition(conn, entry.id, OutboxState.CONFLICT,
                                      error="Someone changed this grade on the platform after "
                                            "your edit.")
                report.conflicts.append(entry.id)
                self._emit(EventKind.CONFLICT, "push", line_item_id=entry.line_item_url,
                           user_id=entry.user_id, state="conflict")
            else:
                ready.append(entry)
        return ready

    def _drafts_of(self, entries: Sequence[OutboxEntry]) -> dict[int, DraftRow]:
        """Each entry's draft as it is now (by entry id), in one read."""
        found = {}
        with self.db.read() as conn:
            for entry in entries:
                draft = drafts.draft_by_id(conn, entry.draft_id) if entry.draft_id else None
                if draft is not None:
                    found[entry.id] = draft
        return found

    def _server_copies(self, entries: Sequence[OutboxEntry]
                       ) -> dict[tuple[str, str], ServerResultRow]:
        """The stored server copy of each entry's cell, by (line item URL, user id): a whole
        line item's results in one query, not one query a grade."""
        copies: dict[tuple[str, str], ServerResultRow] = {}
        for url, group in group_by_line_item(entries).items():
            if len(group) <= PER_STUDENT_READ_BACK:
                for entry in group:
                    row = snapshots.get_result(self.db, self.connection.id, url, entry.user_id)
                    if row is not None:
                        copies[(url, entry.user_id)] = row
            else:
                copies.update(((url, row.user_id), row) for row in
                              snapshots.list_results(self.db, self.connection.id, url))
        return copies

    def _send_one(self, entry: OutboxEntry, options: PushOptions) -> tuple[int, OutboxState]:
        self.cancel.raise_if_cancelled()
        claim = self._writes.run(lambda conn: self._claim(conn, entry, options))
        if claim.state is not None:
            return entry.id, claim.state
        draft, payload, unsendable = claim.draft, claim.payload, claim.unsendable
        assert draft is not None
        if unsendable is not None:
            return entry.id, self._settle(entry, OutboxState.FAILED, unsendable)
        try:
            receipt = self.platform.post_score_payload(entry.line_item_url, payload)
        except StaleTimestamp as exc:
            # Refused as older than the platform's copy: our own earlier, delayed copy of
            # this very POST may be what is there. Only a read-back tells.
            try:
                if self._recover_one(outbox.entry(self.db, entry.id)) is OutboxState.SENT:
                    return entry.id, OutboxState.SENT
            except PlatformError:
                return entry.id, OutboxState.SENDING  # still unknown: the next push decides
            return entry.id, self._settle(outbox.entry(self.db, entry.id),
                                          OutboxState.CONFLICT, exc)
        except (TransportError, ServerError, MalformedReply) as exc:
            if isinstance(exc, TransportError) and exc.never_sent:
                return entry.id, self._settle(entry, OutboxState.FAILED, exc)
            # The POST may have landed, or may still land (a 5xx can come from a gateway in
            # front of a platform that goes on working; a garbled 2xx reply did land): judged
            # later from a read-back.
            log.info("no reply to a score POST; its outcome is checked later")
            with self.db.transaction() as conn:
                outbox.note_lost_reply(conn, entry.id, error=exc.user_message)
            return entry.id, OutboxState.SENDING
        except PlatformError as exc:
            return entry.id, self._settle(entry, OutboxState.FAILED, exc)
        self._writes.run(lambda conn: self._mark_sent(conn, entry, draft, receipt))
        self._emit(EventKind.ITEM_DONE, "push", line_item_id=entry.line_item_url,
                   user_id=entry.user_id, state="sent")
        return entry.id, OutboxState.SENT

    def _claim(self, conn: WriteConnection, entry: OutboxEntry,
               options: PushOptions) -> _Claim:
        """The draft as it is now (a grader may have edited it since the queue was read), and
        exactly the bytes that go out, claimed (``sending``) before they do. Never the
        grade of a held column: asked here, in the claim's own transaction, so a hold
        committed while the push runs stops every claim after it."""
        if holds.is_held_in(conn, entry.line_item_id):
            return _Claim(state=OutboxState.QUEUED)  # stays queued until the release
        draft = drafts.draft_by_id(conn, entry.draft_id) if entry.draft_id else None
        if draft is None:
            return _Claim(state=entry.state)
        score = outgoing_score(draft, options, canvas_extensions=self.platform.supports_progress)
        try:
            payload = self.platform.score_payload(score)
        except PlatformError as exc:  # this platform cannot take it (LTIAAS and files)
            return _Claim(draft=draft, unsendable=exc)
        if not outbox.claim(conn, entry.id, draft_revision=draft.revision,
                            payload_text=payload.decode("utf-8")):
            return _Claim(state=outbox.entry_in(conn, entry.id).state)
        audit.append(conn, connection_name=self.connection.name, action="score.post",
                     summary=_summary(score), grader=self.grader,
                     line_item_url=entry.line_item_url, user_id=entry.user_id,
                     outbox_id=entry.id)
        return _Claim(draft=draft, payload=payload)

    def _mark_sent(self, conn: WriteConnection, entry: OutboxEntry, draft: DraftRow,
                   receipt: ScoreReceipt) -> None:
        outbox.transition(conn, entry.id, OutboxState.SENT, result_url=receipt.result_url,
                          receipt={"resultUrl": receipt.result_url,
                                   "progress": list(receipt.progress_urls)})
        titles = {item.url: item.title for item in draft.attachments}
        jobs.add_jobs(conn, entry.id, [
            (item.progress_url, item.title or titles.get(item.url))
            for item in receipt.content_items if item.progress_url])
        audit.append(conn, connection_name=self.connection.name, action="score.accepted",
                     summary="the platform accepted the score", grader=self.grader,
                     line_item_url=entry.line_item_url, user_id=entry.user_id,
                     reply_status=200, outbox_id=entry.id)

    def _settle(self, entry: OutboxEntry, state: OutboxState,
                exc: PlatformError) -> OutboxState:
        refused = state is OutboxState.FAILED and is_final_refusal(exc)
        with self.db.transaction() as conn:
            outbox.transition(conn, entry.id, state, error=exc.user_message, refused=refused)
            audit.append(conn, connection_name=self.connection.name, action="score.refused",
                         summary=exc.user_message, grader=self.grader,
                         line_item_url=entry.line_item_url, user_id=entry.user_id,
                         reply_status=exc.status, outbox_id=entry.id)
        kind = EventKind.CONFLICT if state is OutboxState.CONFLICT else EventKind.FAILED
        self._emit(kind, "push", line_item_id=entry.line_item_url, user_id=entry.user_id,
                   state=state.value, message=exc.user_message)
        return state

    def _confirm_sent(self, report: PushReport) -> None:
        """Read back every sent entry's cell, then confirm each entry whose read-back holds
        what was sent; the others are recorded with what the platform kept instead."""
        sent = outbox.entries(self.db, self.connection.id, (OutboxState.SENT,))
        if not sent:
            return
        self._read_back(sent)
        self._judge_sent(sent, report)

    def _judge_sent(self, sent: Sequence[OutboxEntry], report: PushReport) -> None:
        """With their cells just read back: confirm each sent entry whose read-back holds what
        was sent; the others are recorded with what the platform kept instead."""
        for start in range(0, len(sent), CONFIRM_BATCH):
            batch = sent[start:start + CONFIRM_BATCH]
            judged = []
            servers = self._server_copies(batch)
            for entry in batch:
                server = servers.get((entry.line_item_url, entry.user_id))
                live = NOTHING if server is None else server.as_copy()
                judged.append((entry, server, what_the_platform_kept(score_of(entry), live)))
            # One transaction per batch, not per grade (each commit waits for the disk); the
            # events follow the commit, so whoever refreshes on them reads the confirmation.
            with self.db.transaction() as conn:
                for entry, server, kept in judged:
                    outbox.confirm(conn, entry.id, kept=kept,
                                   result_version=None if server is None else server.version)
            for entry, _server, kept in judged:
                if kept is None:
                    report.confirmed.append(entry.id)
                    self._emit(EventKind.ITEM_DONE, "push", line_item_id=entry.line_item_url,
                               user_id=entry.user_id, state="confirmed")
                else:
                    report.mismatched.append(entry.id)
                    self._emit(EventKind.FAILED, "push", line_item_id=entry.line_item_url,
                               user_id=entry.user_id, state="mismatch",
                               message="The platform accepted the grade but kept "
                                       f"{_kept_text(kept)}.")

    # --- Progress polling -----------------------------------------------------------------

    def poll(self, *, wait: bool = False, timeout_s: float = 120.0) -> int:
        """Poll every due Progress job once (``wait``: until all are final or ``timeout_s``).
        Returns how many jobs are still open."""
        cid = self.connection.id
        deadline = self._clock() + timedelta(seconds=timeout_s)
        first = True
        while True:
            open_jobs = jobs.open_jobs(self.db, cid)
            if not open_jobs:
                return 0
            if first:
                self._emit(EventKind.STARTED, "poll", total=len(open_jobs),
                           message=f"Waiting for {len(open_jobs)} file "
                                   f"upload{'s' if len(open_jobs) != 1 else ''}")
                first = False
            now = self._clock()
            for job in open_jobs:
                self.cancel.raise_if_cancelled()
                if job.next_poll_at > now:
                    continue
                delay = min(POLL_MAX_DELAY_S, POLL_FIRST_DELAY_S * (2 ** min(job.attempts, 6)))
                try:
                    progress = self.platform.get_progress(job.progress_url)
                except PlatformError as exc:
                    # A Progress URL on another host, or one the platform refuses, will not
                    # change: a final failure, not minutes of waiting.
                    give_up = job.attempts + 1 >= POLL_MAX_ATTEMPTS or \
                        isinstance(exc, PlatformConfigError) or is_final_refusal(exc)
                    jobs.record_poll_error(self.db, job.id, message=exc.user_message,
                                           next_poll_at=now + timedelta(seconds=delay),
                                           give_up=give_up)
                    continue
                jobs.record_poll(self.db, job.id, progress.workflow_state,
                                 message=progress.message,
                                 next_poll_at=now + timedelta(seconds=delay))
                if progress.is_final:
                    kind = EventKind.ITEM_DONE if progress.workflow_state.value == "completed" \
                        else EventKind.FAILED
                    cell = outbox.entry(self.db, job.outbox_id)
                    self._emit(kind, "poll", state=progress.workflow_state.value,
                               line_item_id=cell.line_item_url, user_id=cell.user_id,
                               message=f"{job.file_title or 'file'}: "
                                       f"{progress.message or progress.workflow_state.value}")
            remaining = jobs.open_jobs(self.db, cid)
            if not remaining:
                self._emit(EventKind.FINISHED, "poll", message="Every file is settled.")
                return 0
            if not wait or self._clock() >= deadline:
                return len(remaining)
            soonest = min(job.next_poll_at for job in remaining)
            self.cancel.wait(min(2.0, max(0.05, (soonest - self._clock()).total_seconds())))

    # --- conflicts ------------------------------------------------------------------------

    def resolve(self, resolution: Resolution, *, entry_ids: Iterable[int] | None = None
                ) -> list[int]:
        """Settle conflicts; see :func:`resolve_conflicts`."""
        return resolve_conflicts(self.db, self.connection, resolution, entry_ids=entry_ids,
                                 grader=self.grader, now=self._clock())


def resolve_conflicts(db: Database, connection: ConnectionRow, resolution: Resolution, *,
                      entry_ids: Iterable[int] | None = None, grader: str | None = None,
                      now: datetime | None = None) -> list[int]:
    """Settle conflicts (all of the connection's, or the given entries) from the local copies;
    needs no network. ``mine`` re-queues with a fresh timestamp over the server's copy;
    ``theirs`` drops the draft and sends nothing; ``both`` keeps their grade and adds my
    comment. Returns the entries settled."""
    conflicts = outbox.entries(db, connection.id, (OutboxState.CONFLICT,))
    wanted = None if entry_ids is None else set(entry_ids)
    settled = []
    moment = now or utc_now()
    for entry in conflicts:
        if wanted is not None and entry.id not in wanted:
            continue
        with db.transaction() as conn:
            draft = drafts.draft_by_id(conn, entry.draft_id) if entry.draft_id else None
            server = snapshots.get_result(db, connection.id, entry.line_item_url,
                                          entry.user_id)
            base = server.as_base() if server is not None else BaseCopy(False)
            if resolution is Resolution.THEIRS or draft is None or (
                    resolution is Resolution.BOTH and not draft.comment):
                outbox.drop_for_theirs(conn, entry.id)
            else:
                outbox.requeue_rebased(conn, entry.id, base=base, now=moment,
                                       keep_their_score=resolution is Resolution.BOTH)
            audit.append(conn, connection_name=connection.name,
                         action=f"conflict.{resolution.value}",
                         summary=f"conflict resolved: {resolution.value}", grader=grader,
                         line_item_url=entry.line_item_url, user_id=entry.user_id,
                         outbox_id=entry.id)
        settled.append(entry.id)
    return settled


def is_final_refusal(error: PlatformError) -> bool:
    """A refusal the platform will repeat whatever happens: the user is not a student (422),
    the line item is gone (404), the tool may not grade it (401/403). Transport problems,
    throttling and server errors are not: they pass."""
    return isinstance(error, NotFound | AuthError | PermissionDenied) or (
        isinstance(error, Rejected) and error.status == 422)


def _kept_text(kept: dict[str, object]) -> str:
    score = kept.get("score")
    shown = "no score" if not isinstance(score, int | float) else \
        f"the score {format_score(score)}"
    comment = kept.get("comment")
    return shown + (f" and the comment {comment!r}" if comment else "")


def _summary(score: Score) -> str:
    parts = [f"{score.grading_progress.value}"]
    if score.score_given is not None:
        parts.append(f"score {format_score(score.score_given)}/"
                     f"{format_score(score.score_maximum)}")
    if score.comment:
        parts.append("with a comment")
    if score.content_items:
        parts.append(f"{len(score.content_items)} file(s)")
    return ", ".join(parts)


Read = tuple[str, str | None]  # (line item URL, one student's id, or None: the whole listing)


def _reads_for(entries: Iterable[OutboxEntry]) -> list[Read]:
    """The requests that read these entries' cells back: one listing per line item, or one
    small request per student when only a few are concerned (a 2,000-student listing is 20
    pages of throttle cost for one grade)."""
    reads: list[Read] = []
    for url, group in sorted(group_by_line_item(entries).items()):
        users = sorted({entry.user_id for entry in group})
        if len(users) <= PER_STUDENT_READ_BACK:
            reads.extend((url, user) for user in users)
        else:
            reads.append((url, None))
    return reads


def group_by_line_item(entries: Iterable[OutboxEntry]) -> dict[str, list[OutboxEntry]]:
    grouped: dict[str, list[OutboxEntry]] = defaultdict(list)
    for entry in entries:
        grouped[entry.line_item_url].append(entry)
    return grouped
