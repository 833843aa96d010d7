"""open_database on a real file: a private folder and files, WAL, foreign keys on every
connection, and the files it refuses to touch."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from store_support import (
    add_raw_connection,
    count,
    db_file,
    mode,
    opened,
    pragma,
    raw,
    side_file,
    tables,
)

from gradedesk.domain import GradeDeskError
from gradedesk.store.db import APPLICATION_ID, DB_FILENAME, Database, open_database
from gradedesk.store.errors import StoreKnownError, StoreStateError
from gradedesk.store.migrations import latest_version


@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """The process umask for one test (0 proves the modes do not come from the umask)."""
    wanted: int = request.param
    previous = os.umask(wanted)
    try:
        yield wanted
    finally:
        os.umask(previous)


def _write(db: Database, name: str = "Canvas") -> None:
    with db.transaction() as conn:
        add_raw_connection(conn, name)


class TestCreation:
    def test_creates_the_folder_0700_and_the_file_0600(self, tmp_path: Path,
                                                       umask: int) -> None:
        data_dir = tmp_path / "nested" / "data"
        with opened(data_dir) as db:
            assert db.path == data_dir / DB_FILENAME
            assert mode(data_dir) == 0o700
            assert mode(db.path) == 0o600

    def test_wal_and_shm_files_are_0600_after_writes(self, data_dir: Path, umask: int) -> None:
        with opened(data_dir) as db:
            _write(db)
            wal, shm = side_file(db.path, "-wal"), side_file(db.path, "-shm")
            assert wal.stat().st_size > 0, "the write should still be in the WAL"
            assert mode(wal) == 0o600
            assert mode(shm) == 0o600

    def test_an_existing_0755_folder_and_0644_file_are_tightened(self, data_dir: Path) -> None:
        with opened(data_dir) as db:
            _write(db)
        os.chmod(data_dir, 0o755)  # noqa: S103 - the loose mode GradeDesk must tighten
        os.chmod(db_file(data_dir), 0o644)
        with opened(data_dir) as db:
            assert mode(data_dir) == 0o700
            assert mode(db.path) == 0o600
            with db.read() as conn:
                assert count(conn, "connections") == 1

    def test_a_loose_wal_file_of_another_open_process_is_tightened(self,
                                                                   data_dir: Path) -> None:
        with opened(data_dir) as first:
            _write(first)
            wal = side_file(first.path, "-wal")
            os.chmod(wal, 0o644)
            with opened(data_dir):
                assert mode(wal) == 0o600

    def test_a_fresh_file_is_a_gradedesk_database_at_the_latest_schema(self,
                                                                      db: Database) -> None:
        assert db.schema_version == latest_version()
        with db.read() as conn:
            assert pragma(conn, "application_id") == APPLICATION_ID
            assert "connections" in tables(conn)

    def test_every_connection_has_wal_foreign_keys_and_full_sync(self, db: Database) -> None:
        def settings() -> tuple[str, int, int]:
            with db.read() as conn:
                return (pragma(conn, "journal_mode"), pragma(conn, "foreign_keys"),
                        pragma(conn, "synchronous"))

        expected = ("wal", 1, 2)  # synchronous 2 = FULL
        assert settings() == expected
        with ThreadPoolExecutor(max_workers=1) as pool:
            assert pool.submit(settings).result() == expected

    def test_foreign_keys_are_enforced(self, db: Database) -> None:
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"), \
                db.transaction() as conn:
            conn.execute(
                "INSERT INTO line_items (connection_id, url, label, score_maximum, wire_json, "
                "content_hash, fetched_at) VALUES (999, 'u', 'l', 1, '{}', 'h', 't')")
        with db.read() as conn:
            assert count(conn, "line_items") == 0

    def test_data_survives_a_reopen(self, data_dir: Path) -> None:
        with opened(data_dir) as db:
            _write(db, "Kept")
        with opened(data_dir) as db, db.read() as conn:
            assert conn.execute("SELECT name FROM connections").fetchall() == [("Kept",)]

    def test_an_empty_file_is_taken_as_a_new_database(self, data_dir: Path) -> None:
        data_dir.mkdir(mode=0o700)
        db_file(data_dir).touch(mode=0o600)
        with opened(data_dir) as db:
            assert db.schema_version == latest_version()


class TestRefusals:
    @pytest.mark.parametrize(("app_id", "user_version"), [
        (0x12345678, 7),  # another application that marks its files
        (0x12345678, 0),  # ... even before it set a schema version
        (0, 3),  # an unmarked file with a schema version of its own
    ])
    def test_a_foreign_sqlite_file_is_refused_untouched(self, data_dir: Path, app_id: int,
                                                        user_version: int) -> None:
        data_dir.mkdir(mode=0o700)
        path = db_file(data_dir)
        with raw(path) as conn:
            conn.execute(f"PRAGMA application_id = {app_id}")
            conn.execute(f"PRAGMA user_version = {user_version}")
            conn.executescript("CREATE TABLE connections (x); INSERT INTO connections VALUES (1);")
        os.chmod(path, 0o600)
        before = path.read_bytes()

        with pytest.raises(StoreKnownError, match="is not a GradeDesk database") as caught:
            open_database(data_dir)

        assert str(path) in caught.value.user_message
        assert path.read_bytes() == before  # not even switched to WAL
        assert sorted(os.listdir(data_dir)) == [DB_FILENAME]

    def test_a_file_that_is_not_sqlite_is_refused_untouched(self, data_dir: Path) -> None:
        data_dir.mkdir(mode=0o700)
        path = db_file(data_dir)
        path.write_bytes(b"This is a grade export, not a database.\n" * 200)
        os.chmod(path, 0o600)
        before = path.read_bytes()

        with pytest.raises(StoreKnownError, match="not a database"):
            open_database(data_dir)

        assert path.read_bytes() == before

    def test_a_database_from_a_newer_gradedesk_is_refused_untouched(self,
                                                                   data_dir: Path) -> None:
        with opened(data_dir) as db:
            _write(db)
        path = db_file(data_dir)
        with raw(path) as conn:
            conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
        before = path.read_bytes()

        with pytest.raises(StoreKnownError) as caught:
            open_database(data_dir)

        message = caught.value.user_message
        assert "newer GradeDesk" in message
        assert "Update GradeDesk" in message
        assert f"schema {latest_version() + 1}" in message
        assert path.read_bytes() == before

    def test_a_data_dir_that_is_a_file_is_refused(self, tmp_path: Path) -> None:
        not_a_dir = tmp_path / "data"
        not_a_dir.write_text("notes")

        with pytest.raises(StoreKnownError) as caught:
            open_database(not_a_dir)

        assert str(not_a_dir) in caught.value.user_message
        assert not_a_dir.read_text() == "notes"

    def test_a_data_dir_below_a_regular_file_cannot_be_created(self, tmp_path: Path) -> None:
        # A folder nobody can create, not even root (root ignores permission bits).
        blocker = tmp_path / "blocker"
        blocker.write_text("x")
        data_dir = blocker / "data"

        with pytest.raises(StoreKnownError, match="cannot use its data folder") as caught:
            open_database(data_dir)

        assert str(data_dir) in caught.value.user_message
        assert "Not a directory" in caught.value.user_message

    def test_a_database_path_that_is_a_folder_is_refused(self, data_dir: Path) -> None:
        db_file(data_dir).mkdir(parents=True)

        with pytest.raises(StoreKnownError, match="cannot create its database"):
            open_database(data_dir)

    @pytest.mark.parametrize("target", [-1, latest_version() + 1])
    def test_a_schema_version_that_does_not_exist_is_a_bug(self, data_dir: Path,
                                                           target: int) -> None:
        with pytest.raises(StoreStateError, match="No schema version"):
            open_database(data_dir, schema_version=target)

    def test_store_known_errors_carry_a_user_message(self) -> None:
        assert issubclass(StoreKnownError, GradeDeskError)
        assert not issubclass(StoreStateError, GradeDeskError)


def test_data_version_moves_for_another_programs_commit_not_for_our_own(data_dir: Path) -> None:
    """What the window watches to notice the CLI's edits: a second open of the file stands in
    for the other program."""
    ours = open_database(data_dir)
    theirs = open_database(data_dir)
    try:
        before = ours.data_version()
        _write(ours, "Ours")
        assert ours.data_version() == before
        _write(theirs, "Theirs")
        assert ours.data_version() != before
    finally:
        ours.close()
        theirs.close()


def test_connections_of_ended_threads_are_closed_when_new_threads_come(
        data_dir: Path) -> None:
    """Each push and pull runs its requests on fresh worker threads; their connections are
    closed once those threads have ended, not kept open until the app quits."""
    with ThreadPoolExecutor(max_workers=1) as opener:  # a thread that ends: not this one
        db = opener.submit(open_database, data_dir).result()
    try:
        worker = threading.Thread(target=lambda: db.schema_version)
        worker.start()
        worker.join()
        assert len(db._connections) == 1  # the worker's: the opener's closed as it came
        assert db.schema_version == latest_version()  # this thread's first use
        assert len(db._connections) == 1  # this thread's: the worker's closed in turn
    finally:
        db.close()
