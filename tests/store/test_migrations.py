"""Numbered migrations: every earlier schema version migrates to the latest with its data
intact and ends with exactly the schema of a fresh database."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from store_support import count, opened, pragma, schema, tables

import gradedesk.store.db as db_module
import gradedesk.store.migrations as migrations_module
from gradedesk.store.db import APPLICATION_ID, Database, open_database
from gradedesk.store.migrations import Migration, all_migrations, latest_version

LATEST = latest_version()
T = "2026-03-01T08:30:15.123+00:00"
ITEM = "https://canvas.test/api/lti/courses/101/line_items/7"

# One representative row per table, in foreign-key order, with the awkward values real data has
# (non-ASCII text, NULLs, JSON). A migration that adds a table must add its row here.
SEEDS: list[tuple[str, dict[str, Any]]] = [
    ("connections", {"id": 1, "name": "Canvas — Biologie 101 ✓", "kind": "lti",
                     "settings_json": '{"client_id":"10000000000001","issuer":"https://canvas.test"}',
                     "created_at": T}),
    ("connections", {"id": 2, "name": "LTIAAS", "kind": "ltiaas", "created_at": T}),
    ("line_items", {"id": 1, "connection_id": 1, "url": ITEM, "label": "Lab 1: Zellen",
                    "score_maximum": 10.0, "wire_json": '{"id":"' + ITEM + '","label":"Lab 1"}',
                    "content_hash": "a" * 64, "fetched_at": T, "missing_since": None}),
    ("line_items", {"id": 2, "connection_id": 1, "url": ITEM + "0", "label": "Gone",
                    "score_maximum": 5.5, "wire_json": "{}", "content_hash": "b" * 64,
                    "fetched_at": T, "missing_since": T}),
    ("members", {"connection_id": 1, "user_id": "u1", "name": "Zoë Ørsted",
                 "given_name": "Zoë", "family_name": "Ørsted", "sort_name": "Ørsted, Zoë",
                 "email": "zoe@school.test", "roles_json": '["Learner"]', "is_learner": 1,
                 "status": "Active", "section": "A", "wire_json": '{"user_id":"u1"}',
                 "content_hash": "c" * 64, "fetched_at": T, "missing_since": None}),
    ("members", {"connection_id": 1, "user_id": "t1", "name": None, "given_name": None,
                 "family_name": None, "sort_name": "User t1", "email": None,
                 "roles_json": '["Instructor"]', "is_learner": 0, "status": "Inactive",
                 "section": None, "wire_json": "{}", "content_hash": "d" * 64,
                 "fetched_at": T, "missing_since": T}),
    ("server_results", {"line_item_id": 1, "user_id": "u1", "result_url": ITEM + "/results/1",
                        "score": 7.5, "maximum": 10.0, "comment": "Gut gemacht —\nweiter so",
                        "server_timestamp": T, "wire_json": '{"userId":"u1"}',
                        "content_hash": "e" * 64, "version": 3, "fetched_at": T}),
    ("drafts", {"id": 1, "line_item_id": 1, "user_id": "u1", "revision": 2, "score_given": 8.0,
                "score_maximum": 10.0, "comment": "Überarbeitet", "activity_progress":
                "Completed", "grading_progress": "FullyGraded", "attachments_json": "[]",
                "base_present": 1, "base_score": 7.5, "base_maximum": 10.0,
                "base_comment": "Gut gemacht", "base_timestamp": T, "base_hash": "e" * 64,
                "score_timestamp": T, "edited_at": T}),
    ("outbox", {"id": 1, "draft_id": 1, "draft_revision": 2, "line_item_id": 1, "user_id": "u1",
                "payload_json": '{"scoreGiven":8.0}', "state": "sent", "attempts": 1,
                "last_error": None, "result_url": ITEM + "/results/1", "receipt_json": "{}",
                "created_at": T, "updated_at": T, "sending_at": T, "sent_at": T,
                "confirmed_at": None}),
    ("progress_jobs", {"id": 1, "outbox_id": 1, "progress_url": "https://canvas.test/p/5",
                       "file_title": "essay.pdf", "state": "running", "final": 0,
                       "attempts": 1, "next_poll_at": T, "message": None, "created_at": T,
                       "updated_at": T}),
    ("audit_log", {"id": 1, "at": T, "grader": "Ms Grader", "os_user": "grader",
                   "connection_name": "Canvas — Biologie 101 ✓", "line_item_url": ITEM,
                   "user_id": "u1", "action": "push", "summary": "score 8/10",
                   "reply_status": 200, "outbox_id": 1}),
    ("comment_bank", {"id": 1, "connection_id": 1, "line_item_id": 1,
                      "text": "Well argued — cite your sources.", "created_at": T}),
    # id 9: migration 6 fills the first ids from the drafts and server copies it finds.
    ("platform_comments", {"id": 9, "line_item_id": 1, "user_id": "u1",
                           "comment": "Siehe Frage 3 ✓", "server_timestamp": None,
                           "seen_at": T}),
    ("proposals", {"id": 1, "line_item_id": 1, "user_id": "u1", "score": 7.2,
                   "comment": "Verspätet — 10 %", "reason": "late",
                   "working": "8 \u2212 10% late = 7.2", "based_on_present": 1,
                   "based_on_score": 8.0, "proposed_at": T}),
    ("grader_splits", {"id": 1, "connection_id": 1, "line_item_id": 1,
                       "graders_json": '["Ána","Ben"]', "mode": "balanced", "seed": 0,
                       "source": "computed", "made_at": T}),
    ("grader_assignments", {"split_id": 1, "user_id": "u1", "grader": "Ána", "position": 0}),
    ("grader_identity", {"connection_id": 1, "grader": "Ána", "set_at": T}),
    ("column_holds", {"line_item_id": 1, "held_at": T}),
    ("rubrics", {"line_item_id": 1, "connection_id": 1, "updated_at": T, "rubric_json":
                 '{"criteria":[{"levels":[{"description":"Klar — präzise","points":3}],'
                 '"name":"Klarheit"}]}'}),
    ("rubric_grades", {"line_item_id": 1, "user_id": "u1", "own_comment": "Gut ✓",
                       "choice_json": '[{"criterion":"Klarheit","description":"Klar — '
                                      'präzise","level_count":1,"points":3,"position":0}]',
                       "proposed_json": None, "graded_at": T, "updated_at": T}),
    ("late_rules", {"line_item_id": 1, "percent": "12.5", "per": "hour", "cap": "30",
                    "grace_minutes": 15, "updated_at": T}),
    ("late_penalties", {"line_item_id": 1, "user_id": "u1", "base_score": 8.0,
                        "penalised_score": 7.2, "submitted_at": "2026-03-02T00:19:00Z",
                        "working": "8 \u2212 10% late (1 day) = 7.2", "proposed_at": T}),
    ("submission_times", {"line_item_id": 1, "user_id": "u1",
                          "submitted_at": "2026-03-02T00:19:00.000+00:00", "seen_at": T}),
]


def _seed(conn: sqlite3.Connection, only: set[str]) -> None:
    for table, row in SEEDS:
        if table in only:
            columns = ", ".join(row)
            marks = ", ".join("?" * len(row))
            insert = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
            conn.execute(insert, tuple(row.values()))


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def _dump(conn: sqlite3.Connection, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    selected = ", ".join(columns)
    query = f"SELECT {selected} FROM {table} ORDER BY {selected}"  # noqa: S608
    return conn.execute(query).fetchall()


@pytest.fixture(scope="module")
def fresh_schema(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    with opened(tmp_path_factory.mktemp("fresh")) as db, db.read() as conn:
        return schema(conn)


def test_migrations_are_numbered_from_1_without_gaps() -> None:
    migrations = all_migrations()
    assert LATEST == len(migrations) >= 1
    assert [m.version for m in migrations] == list(range(1, LATEST + 1))
    for migration in migrations:
        assert migration.name.startswith(f"{migration.version:04d}_")
        assert migration.sql.strip()


def test_every_sql_file_shipped_is_a_migration() -> None:
    # A misnamed file ("3_add_x.sql") would be skipped silently; make that loud here.
    shipped = {entry.name for entry in resources.files(migrations_module).iterdir()
               if entry.name.endswith(".sql")}
    assert shipped == {m.name for m in all_migrations()}


def test_a_gap_in_the_numbering_is_refused(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("0001_first.sql", "0003_third.sql"):
        (tmp_path / name).write_text("SELECT 1;", encoding="utf-8")
    monkeypatch.setattr(migrations_module, "_folder", lambda: tmp_path)
    with pytest.raises(RuntimeError, match="without gaps"):
        all_migrations.__wrapped__()


def test_the_seed_rows_cover_every_table_of_the_latest_schema(db: Database) -> None:
    with db.read() as conn:
        assert {table for table, _ in SEEDS} == tables(conn)


@pytest.mark.parametrize("version", range(LATEST))
def test_every_earlier_version_migrates_to_the_latest_with_its_data(
        data_dir: Path, version: int, fresh_schema: list[Any]) -> None:
    with opened(data_dir, schema_version=version) as old:
        assert old.schema_version == version
        with old.transaction() as conn:
            present = tables(conn)
            _seed(conn, present)
            columns = {table: _columns(conn, table) for table in present}
            before = {table: _dump(conn, table, columns[table]) for table in present}
            assert all(before.values()), "every table present at this version holds data"

    with opened(data_dir) as db:
        assert db.schema_version == LATEST
        with db.transaction() as conn:
            assert pragma(conn, "application_id") == APPLICATION_ID
            assert schema(conn) == fresh_schema
            for table in present:
                assert _dump(conn, table, columns[table]) == before[table], table
            # The tables the migration added take rows that point at the migrated ones.
            _seed(conn, tables(conn) - present)
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


@pytest.mark.parametrize("version", range(LATEST + 1))
def test_schema_version_stops_the_migration_there(data_dir: Path, version: int) -> None:
    with opened(data_dir, schema_version=version) as db, db.read() as conn:
        assert pragma(conn, "user_version") == version
        assert pragma(conn, "application_id") == (APPLICATION_ID if version else 0)
        if version == 0:
            assert tables(conn) == set()


def test_an_existing_newer_file_is_not_downgraded(data_dir: Path) -> None:
    with opened(data_dir):
        pass
    with opened(data_dir, schema_version=1) as db:
        assert db.schema_version == LATEST


def test_reopening_at_the_latest_version_changes_nothing(data_dir: Path,
                                                         fresh_schema: list[Any]) -> None:
    with opened(data_dir) as db, db.transaction() as conn:
        _seed(conn, tables(conn))
    with opened(data_dir) as db, db.read() as conn:
        assert schema(conn) == fresh_schema
        assert count(conn, "connections") == 2


def test_a_failing_migration_leaves_the_previous_version_whole(
        data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No shipped migration fails; a broken one is the only way to see a step roll back.
    broken = Migration(LATEST + 1, f"{LATEST + 1:04d}_broken.sql",
                       "CREATE TABLE half_done (x INTEGER);\n"
                       "INSERT INTO half_done VALUES (1);\n"
                       "INSERT INTO no_such_table VALUES (1);")
    with opened(data_dir) as db, db.transaction() as conn:
        _seed(conn, tables(conn))
    monkeypatch.setattr(db_module, "all_migrations", lambda: (*all_migrations(), broken))
    monkeypatch.setattr(db_module, "latest_version", lambda: LATEST + 1)

    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        open_database(data_dir)

    monkeypatch.undo()
    with opened(data_dir) as db, db.read() as conn:
        assert pragma(conn, "user_version") == LATEST
        assert "half_done" not in tables(conn)
        assert count(conn, "connections") == 2


def test_processes_opening_a_new_file_at_once_all_get_the_latest_schema(
        data_dir: Path, fresh_schema: list[Any]) -> None:
    start = threading.Barrier(4)

    def open_at_once() -> int:
        start.wait(10)
        with opened(data_dir) as db:
            return db.schema_version

    with ThreadPoolExecutor(max_workers=4) as pool:
        versions = [f.result() for f in [pool.submit(open_at_once) for _ in range(4)]]
    assert versions == [LATEST] * 4
    with opened(data_dir) as db, db.read() as conn:
        assert schema(conn) == fresh_schema
