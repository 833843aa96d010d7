"""GroupCommit: many threads' small writes share commits, each durable when ``run`` returns,
and a failing one is undone alone."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from gradedesk.store.db import Database
from gradedesk.store.group_commit import GroupCommit


@pytest.fixture
def notes(db: Database) -> Database:
    with db.transaction() as conn:
        conn.execute("CREATE TABLE bench_notes (n INTEGER PRIMARY KEY)")
    return db


def _insert(n: int) -> object:
    def work(conn: sqlite3.Connection) -> int:
        conn.execute("INSERT INTO bench_notes (n) VALUES (?)", (n,))
        return n
    return work


def _seen_by_another_connection(path: Path) -> set[int]:
    other = sqlite3.connect(path)
    try:
        return {row[0] for row in other.execute("SELECT n FROM bench_notes")}
    finally:
        other.close()


def test_each_work_is_on_disk_when_run_returns(notes: Database) -> None:
    group = GroupCommit(notes)
    missing: list[int] = []

    def worker(first: int) -> None:
        for n in range(first, first + 20):
            assert group.run(_insert(n)) == n  # type: ignore[arg-type]
            if n not in _seen_by_another_connection(notes.path):
                missing.append(n)

    threads = [threading.Thread(target=worker, args=(k * 100,)) for k in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert missing == []
    assert len(_seen_by_another_connection(notes.path)) == 120


def _wait_for(condition: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_works_that_wait_during_a_commit_share_the_next_one(notes: Database) -> None:
    group = GroupCommit(notes)
    release = threading.Event()

    def held(conn: sqlite3.Connection) -> int:
        release.wait(10)  # the leader's commit is under way while the others arrive
        conn.execute("INSERT INTO bench_notes (n) VALUES (0)")
        return 0

    leader = threading.Thread(target=group.run, args=(held,))
    leader.start()
    _wait_for(lambda: group._committing)
    followers = [threading.Thread(target=group.run, args=(_insert(n),)) for n in range(1, 6)]
    for thread in followers:
        thread.start()
    _wait_for(lambda: len(group._waiting) == 5)
    release.set()
    for thread in [leader, *followers]:
        thread.join()
    assert group.commits == 2  # the leader's own, then the five waiting ones together
    assert _seen_by_another_connection(notes.path) == {0, 1, 2, 3, 4, 5}


def test_a_failing_work_is_undone_alone_and_raises_in_its_own_thread(notes: Database) -> None:
    group = GroupCommit(notes)
    release = threading.Event()
    errors: dict[int, BaseException] = {}

    def held(conn: sqlite3.Connection) -> None:
        release.wait(10)

    def half_done_then_fails(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO bench_notes (n) VALUES (99)")
        raise ValueError("this grade's write failed")

    def call(n: int, work: object) -> None:
        try:
            group.run(work)  # type: ignore[arg-type]
        except ValueError as error:
            errors[n] = error

    leader = threading.Thread(target=group.run, args=(held,))
    leader.start()
    _wait_for(lambda: group._committing)
    threads = [threading.Thread(target=call, args=(1, _insert(1))),
               threading.Thread(target=call, args=(2, half_done_then_fails)),
               threading.Thread(target=call, args=(3, _insert(3)))]
    for count, thread in enumerate(threads, start=1):
        thread.start()
        _wait_for(lambda count=count: len(group._waiting) == count)
    release.set()
    for thread in [leader, *threads]:
        thread.join()
    assert list(errors) == [2] and "failed" in str(errors[2])
    assert _seen_by_another_connection(notes.path) == {1, 3}  # 99 was rolled back
    assert group.commits == 2
