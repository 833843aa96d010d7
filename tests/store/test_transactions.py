"""Database.transaction and read on a real file: rollback, savepoints, threads, the write
lock, a process killed half-way through a write, and the append-only audit log."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from store_support import add_raw_connection, count, db_file, opened, pragma, raw, side_file

from gradedesk.store.connections import add_connection, remove_connection
from gradedesk.store.db import Database
from gradedesk.store.errors import StoreKnownError, StoreStateError


class Boom(Exception):
    pass


def _names(db: Database) -> list[str]:
    with db.read() as conn:
        return [row[0] for row in conn.execute("SELECT name FROM connections ORDER BY id")]


class TestTransactions:
    def test_an_exception_rolls_everything_back_and_propagates(self, db: Database) -> None:
        with pytest.raises(Boom), db.transaction() as conn:
            add_raw_connection(conn, "A")
            add_raw_connection(conn, "B")
            raise Boom
        assert _names(db) == []
        # The connection is usable again, outside any transaction.
        with db.transaction() as conn:
            add_raw_connection(conn, "C")
        assert _names(db) == ["C"]

    def test_a_committed_transaction_is_seen_by_another_thread(self, db: Database) -> None:
        with db.transaction() as conn:
            add_raw_connection(conn, "A")
        with ThreadPoolExecutor(max_workers=1) as pool:
            assert pool.submit(_names, db).result() == ["A"]

    def test_a_failed_nested_transaction_is_a_savepoint_rolled_back_alone(
            self, db: Database) -> None:
        with db.transaction() as outer:
            add_raw_connection(outer, "outer-before")
            with pytest.raises(Boom), db.transaction() as inner:
                assert inner is outer
                add_raw_connection(inner, "inner")
                raise Boom
            add_raw_connection(outer, "outer-after")
        assert _names(db) == ["outer-before", "outer-after"]

    def test_nested_successes_commit_with_the_outer_one(self, db: Database) -> None:
        with db.transaction() as conn:
            add_raw_connection(conn, "1")
            with db.transaction() as conn2:
                add_raw_connection(conn2, "2")
                with db.transaction() as conn3:
                    add_raw_connection(conn3, "3")
                with pytest.raises(Boom), db.transaction() as conn3:
                    add_raw_connection(conn3, "3-lost")
                    raise Boom
        assert _names(db) == ["1", "2", "3"]

    def test_a_failure_escaping_the_outer_transaction_loses_the_nested_work_too(
            self, db: Database) -> None:
        with pytest.raises(Boom), db.transaction():
            with db.transaction() as inner:
                add_raw_connection(inner, "inner")
            raise Boom
        assert _names(db) == []

    def test_a_write_inside_a_read_block_is_refused(self, db: Database) -> None:
        with db.read() as conn:
            with pytest.raises(StoreStateError, match="inside a read block"), \
                    db.transaction():
                pass  # pragma: no cover - never entered
            assert count(conn, "connections") == 0
        with db.transaction() as conn:  # the thread is not stuck in a half-open state
            add_raw_connection(conn, "A")
        assert _names(db) == ["A"]

    def test_a_read_inside_a_transaction_sees_its_uncommitted_writes(self,
                                                                     db: Database) -> None:
        with db.transaction() as conn:
            add_raw_connection(conn, "A")
            assert _names(db) == ["A"]

    def test_a_read_block_is_one_snapshot(self, db: Database) -> None:
        def write(name: str) -> None:
            with db.transaction() as conn:
                add_raw_connection(conn, name)

        write("before")
        with ThreadPoolExecutor(max_workers=1) as pool, db.read() as conn:
            assert count(conn, "connections") == 1
            pool.submit(write, "during").result()  # committed by another connection
            assert count(conn, "connections") == 1  # still the snapshot the block began with
        assert _names(db) == ["before", "during"]

    def test_a_reader_is_not_blocked_by_an_open_write_transaction(self, db: Database) -> None:
        holding, release = threading.Event(), threading.Event()

        def slow_writer() -> None:
            with db.transaction() as conn:
                add_raw_connection(conn, "uncommitted")
                holding.set()
                assert release.wait(10)

        with ThreadPoolExecutor(max_workers=1) as pool:
            future = pool.submit(slow_writer)
            assert holding.wait(10)
            try:
                started = time.monotonic()
                assert _names(db) == []  # WAL: the reader sees the last commit, at once
                assert time.monotonic() - started < 1
            finally:
                release.set()
            future.result()
        assert _names(db) == ["uncommitted"]

    def test_two_threads_write_at_the_same_time_on_their_own_connections(
            self, db: Database) -> None:
        per_thread = 40
        start = threading.Barrier(2)

        def writer(prefix: str) -> int:
            start.wait(10)
            seen: set[int] = set()
            for number in range(per_thread):
                with db.transaction() as conn:
                    seen.add(id(conn))
                    add_raw_connection(conn, f"{prefix}-{number}")
            (only,) = seen
            return only

        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = [pool.submit(writer, prefix) for prefix in ("a", "b")]
            connections = {future.result() for future in futures}
        assert len(connections) == 2  # each thread had its own sqlite3.Connection
        names = _names(db)
        assert len(names) == 2 * per_thread
        for prefix in ("a", "b"):
            assert [n for n in names if n.startswith(prefix)] == \
                [f"{prefix}-{number}" for number in range(per_thread)]

    def test_a_writer_waits_for_the_lock_and_then_succeeds(self, data_dir: Path) -> None:
        with opened(data_dir, busy_timeout_s=10) as db:
            holding = threading.Event()

            def holder() -> None:
                with db.transaction() as conn:
                    add_raw_connection(conn, "first")
                    holding.set()
                    time.sleep(0.2)

            with ThreadPoolExecutor(max_workers=1) as pool:
                future = pool.submit(holder)
                assert holding.wait(10)
                with db.transaction() as conn:  # BEGIN IMMEDIATE waits for the holder
                    add_raw_connection(conn, "second")
                future.result()
            assert _names(db) == ["first", "second"]

    def test_a_lock_held_past_the_busy_timeout_is_a_known_error(self, data_dir: Path) -> None:
        # Two Database objects on one file stand for two GradeDesk processes.
        with opened(data_dir) as first, opened(data_dir, busy_timeout_s=0.1) as second:
            with first.transaction() as conn:
                add_raw_connection(conn, "holder")
                with second.read() as waiting:  # it waits this long before giving up
                    assert pragma(waiting, "busy_timeout") == 100
                with pytest.raises(StoreKnownError, match=r"busy|locked") as caught, \
                        second.transaction():
                    pass  # pragma: no cover - never entered
            assert str(second.path) in caught.value.user_message
            with second.transaction() as conn:  # free again once the holder committed
                add_raw_connection(conn, "second")
            assert _names(second) == ["holder", "second"]

    def test_a_closed_database_refuses_new_threads(self, data_dir: Path) -> None:
        db = open_and_close(data_dir)
        with ThreadPoolExecutor(max_workers=1) as pool, \
                pytest.raises(StoreStateError, match="closed"):
            pool.submit(_names, db).result()

    def test_a_closed_database_refuses_the_thread_that_used_it(self, data_dir: Path) -> None:
        db = open_and_close(data_dir)
        with pytest.raises(StoreStateError, match="closed"):
            _names(db)


def open_and_close(data_dir: Path) -> Database:
    with opened(data_dir) as db:
        _names(db)
    return db


class TestAuditLog:
    def _entry(self, db: Database) -> None:
        with db.transaction() as conn:
            conn.execute(
                "INSERT INTO audit_log (at, grader, os_user, connection_name, action, summary) "
                "VALUES ('2026-03-01T08:30:15.123+00:00', 'Ms Grader', 'grader', 'Canvas', "
                "'push', 'score 8/10 for u1')")

    @pytest.mark.parametrize("statement", [
        "UPDATE audit_log SET summary = 'rewritten'",
        "DELETE FROM audit_log",
    ])
    def test_entries_cannot_be_changed_or_deleted(self, db: Database, statement: str) -> None:
        self._entry(db)
        with pytest.raises(sqlite3.IntegrityError, match="append-only"), \
                db.transaction() as conn:
            conn.execute(statement)
        with db.read() as conn:
            assert conn.execute("SELECT summary FROM audit_log").fetchall() == \
                [("score 8/10 for u1",)]

    def test_entries_outlive_their_connection(self, db: Database) -> None:
        add_connection(db, "Canvas", "lti", {})
        self._entry(db)
        assert remove_connection(db, "Canvas")
        with db.read() as conn:
            assert count(conn, "audit_log") == 1


# --- A process killed in the middle of a write -------------------------------------------

_CRASHING_WRITER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from gradedesk.store.db import open_database

    db = open_database(Path(sys.argv[1]))
    with db.transaction() as conn:
        conn.execute("INSERT INTO connections (name, kind, created_at) "
                     "VALUES ('committed', 'lti', '2026-03-01T08:30:15.123+00:00')")
    with db.transaction() as conn:
        # A tiny page cache makes SQLite spill uncommitted pages into the WAL before COMMIT.
        conn.execute("PRAGMA cache_size = 2")
        connection_id = conn.execute("SELECT id FROM connections").fetchone()[0]
        for number in range(400):
            conn.execute(
                "INSERT INTO line_items (connection_id, url, label, score_maximum, "
                "wire_json, content_hash, fetched_at) VALUES (?, ?, ?, 10, '{}', 'h', 't')",
                (connection_id, f"https://canvas.test/li/{number}", "x" * 500))
        conn.execute("INSERT INTO connections (name, kind, created_at) "
                     "VALUES ('uncommitted', 'lti', '2026-03-01T08:30:15.123+00:00')")
        sys.stdout.write("about to die\\n")
        sys.stdout.flush()
        if sys.argv[2] == "sigkill":
            os.kill(os.getpid(), signal.SIGKILL)
        os._exit(1)
""")


@pytest.mark.parametrize("how", ["sigkill", "os_exit"])
def test_a_process_killed_mid_write_leaves_a_consistent_database(data_dir: Path,
                                                                 how: str) -> None:
    completed = subprocess.run([sys.executable, "-c", _CRASHING_WRITER, str(data_dir), how],
                               capture_output=True, text=True, timeout=60, check=False,
                               cwd=data_dir.parent)
    assert completed.stdout == "about to die\n", completed.stderr
    assert completed.returncode == (-signal.SIGKILL if how == "sigkill" else 1)
    path = db_file(data_dir)
    # The dead process left its WAL behind, with uncommitted pages in it.
    assert side_file(path, "-wal").stat().st_size > 100_000

    with raw(path) as conn:  # a plain reader first: recovery, not GradeDesk, must fix it
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    with opened(data_dir) as db, db.read() as conn:
        assert conn.execute("SELECT name FROM connections").fetchall() == [("committed",)]
        assert count(conn, "line_items") == 0
    with opened(data_dir) as db, db.transaction() as conn:  # and it takes writes again
        add_raw_connection(conn, "after")
    assert os.listdir(data_dir) == [path.name]  # a clean close removed -wal and -shm
