"""Group commit: small write transactions from many threads, committed together.

Each commit waits for the disk (``synchronous = FULL``), and SQLite lets one writer in at a
time, so a push whose workers each commit on their own spends its time queueing for the write
lock. Here a thread that finds no commit under way becomes the leader: it runs the work of
every thread waiting, its own included, in one transaction, each work in a savepoint of its
own (a work that fails is undone alone), and commits once. The others wait until that commit
is on disk, so ``run`` returns only when its work is durable, as a transaction of its own
would. Batches form by themselves under contention and cost nothing without it: no timer.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from gradedesk.store.db import Database

T = TypeVar("T")
# The connection a work receives, named for layers that may not import sqlite3.
WriteConnection = sqlite3.Connection


class _Work(Generic[T]):
    __slots__ = ("done", "error", "function", "value")

    def __init__(self, function: Callable[[sqlite3.Connection], T]) -> None:
        self.function = function
        self.value: T | None = None
        self.error: BaseException | None = None
        self.done = False


class GroupCommit:
    """Runs write work from any thread; see the module's docstring. Never call ``run`` inside
    a transaction of the calling thread: its commit would then wait for that transaction's."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._changed = threading.Condition()
        self._waiting: list[_Work[object]] = []
        self._committing = False
        self.commits = 0  # how many transactions the works took (for tests and benches)

    def run(self, function: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``function(conn)`` in a write transaction, committed (maybe with other
        threads' work) before this returns; its exception, if any, is raised here."""
        work = _Work(function)
        with self._changed:
            self._waiting.append(work)  # type: ignore[arg-type]
            while not work.done and self._committing:
                self._changed.wait()
            if work.done:
                return self._outcome(work)
            self._committing = True
            batch, self._waiting = self._waiting, []
        try:
            self._commit(batch)
        finally:
            with self._changed:
                self._committing = False
                self._changed.notify_all()
        return self._outcome(work)

    def _commit(self, batch: list[_Work[object]]) -> None:
        try:
            with self._db.transaction():
                for work in batch:
                    try:
                        with self._db.transaction() as conn:  # a savepoint: undone alone
                            work.value = work.function(conn)
                    except Exception as error:  # noqa: BLE001 - handed to its own thread
                        work.error = error
            self.commits += 1
        except BaseException as error:  # noqa: BLE001 - the commit failed: none of it holds
            for work in batch:
                if work.error is None:
                    work.error, work.value = error, None
        finally:
            for work in batch:
                work.done = True

    @staticmethod
    def _outcome(work: _Work[T]) -> T:
        if work.error is not None:
            raise work.error
        return work.value  # type: ignore[return-value]
