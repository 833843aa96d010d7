"""Splits among graders and "who I am" in a real database file (schema 8): kept per column and
for the course, untouched by pulls, gone with their column or connection."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from store_support import item_url, line_item, member, opened, raw, result

from gradedesk.domain import InputError
from gradedesk.domain.grader_split import GraderSplit, SplitMode, split_students
from gradedesk.domain.grader_split import SplitStudent as Student
from gradedesk.store import drafts, snapshots
from gradedesk.store.connections import add_connection, remove_connection
from gradedesk.store.db import DB_FILENAME, Database
from gradedesk.store.grader_split import (
    drop_split,
    get_split,
    identity,
    list_splits,
    save_split,
    scored_cells,
    set_identity,
    split_for,
)

STUDENTS = [Student(f"u{n}", f"Family{n}, Given{n}") for n in range(1, 8)]


@pytest.fixture
def pulled(db: Database, connection_id: int) -> int:
    snapshots.upsert_line_items(db, connection_id, [line_item(1), line_item(2)])
    snapshots.upsert_members(db, connection_id, [member(s.user_id) for s in STUDENTS])
    return connection_id


def _split(mode: SplitMode = SplitMode.BALANCED, seed: int = 0,
           graders: tuple[str, ...] = ("Ana", "Ben", "Chi")) -> GraderSplit:
    return split_students(STUDENTS, graders, mode, seed)


def test_a_split_reads_back_as_stored(db: Database, pulled: int) -> None:
    split = _split(SplitMode.NAME)
    stored = save_split(db, pulled, item_url(1), split)
    assert stored.split == split
    assert stored.line_item_url == item_url(1) and not stored.course_wide
    assert stored.source == "computed"
    again = get_split(db, pulled, item_url(1))
    assert again is not None and again.split == split
    assert again.split.students_of("Ana") == split.students_of("Ana")  # order kept
    assert get_split(db, pulled, None) is None
    assert get_split(db, pulled, item_url(2)) is None


def test_a_columns_own_split_overrides_the_courses(db: Database, pulled: int) -> None:
    course = save_split(db, pulled, None, _split(seed=1), source="file")
    own = save_split(db, pulled, item_url(2), _split(graders=("Dee", "Eli")))
    found_1 = split_for(db, pulled, item_url(1))
    found_2 = split_for(db, pulled, item_url(2))
    assert found_1 is not None and found_1.id == course.id and found_1.course_wide
    assert found_1.source == "file"
    assert found_2 is not None and found_2.id == own.id
    assert [s.id for s in list_splits(db, pulled)] == [course.id, own.id]  # course first


def test_splitting_again_replaces_the_split_of_that_scope_only(db: Database,
                                                              pulled: int) -> None:
    save_split(db, pulled, None, _split(seed=1))
    save_split(db, pulled, item_url(1), _split(seed=2))
    newer = save_split(db, pulled, item_url(1), _split(graders=("Ana", "Ben"), seed=3))
    splits = list_splits(db, pulled)
    assert len(splits) == 2
    column = get_split(db, pulled, item_url(1))
    assert column is not None and column.id == newer.id
    assert column.split.graders == ("Ana", "Ben") and column.split.seed == 3
    with opened(db.path.parent) as other, other.read() as conn:
        assert conn.execute("SELECT count(*) FROM grader_assignments").fetchone()[0] == 14


def test_one_student_cannot_have_two_graders_in_a_split(db: Database, pulled: int,
                                                        data_dir: Path) -> None:
    stored = save_split(db, pulled, None, _split())
    user_id = stored.split.students_of("Ana")[0]
    with raw(data_dir / DB_FILENAME) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO grader_assignments (split_id, user_id, grader, position) "
                     "VALUES (?, ?, 'Ben', 99)", (stored.id, user_id))


def test_a_pull_leaves_splits_and_identity_alone(db: Database, pulled: int) -> None:
    save_split(db, pulled, item_url(1), _split())
    set_identity(db, pulled, "Ben")
    snapshots.upsert_line_items(db, pulled, [line_item(1, label="Lab 1 renamed")])
    snapshots.upsert_members(db, pulled, [member("u1"), member("u9")])
    snapshots.upsert_results(db, pulled, item_url(1), [result("u1")])
    stored = get_split(db, pulled, item_url(1))
    assert stored is not None and stored.split == _split()
    assert identity(db, pulled) == "Ben"


def test_students_the_roster_does_not_have_are_kept(db: Database, pulled: int) -> None:
    split = GraderSplit(("Ana",), "file", 0, {"Ana": ("u1", "not-pulled-yet")})
    save_split(db, pulled, None, split, source="file")
    stored = get_split(db, pulled, None)
    assert stored is not None and stored.split.students_of("Ana") == ("u1", "not-pulled-yet")


def test_a_split_goes_with_its_column_and_everything_with_the_connection(
        db: Database, pulled: int, data_dir: Path) -> None:
    save_split(db, pulled, None, _split())
    save_split(db, pulled, item_url(1), _split())
    set_identity(db, pulled, "Ana")
    with raw(data_dir / DB_FILENAME) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("DELETE FROM line_items WHERE url = ?", (item_url(1),))
    assert [s.course_wide for s in list_splits(db, pulled)] == [True]
    assert remove_connection(db, "Canvas")
    with db.read() as conn:
        for table in ("grader_splits", "grader_assignments", "grader_identity"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0  # noqa: S608


def test_dropping_a_split(db: Database, pulled: int) -> None:
    save_split(db, pulled, item_url(1), _split())
    assert drop_split(db, pulled, item_url(1))
    assert not drop_split(db, pulled, item_url(1))
    assert list_splits(db, pulled) == []


def test_a_split_for_a_column_never_pulled_is_refused(db: Database, pulled: int) -> None:
    with pytest.raises(InputError, match="pull the connection first"):
        save_split(db, pulled, item_url(99), _split())


def test_who_i_am_is_kept_per_connection(db: Database, pulled: int) -> None:
    other = add_connection(db, "Moodle", "lti", {}).id
    assert identity(db, pulled) is None
    set_identity(db, pulled, "  Ana ")
    set_identity(db, other, "Ben")
    set_identity(db, pulled, "Chi")
    assert (identity(db, pulled), identity(db, other)) == ("Chi", "Ben")
    set_identity(db, pulled, None)
    assert identity(db, pulled) is None and identity(db, other) == "Ben"
    with pytest.raises(InputError, match="cannot be empty"):
        set_identity(db, other, " ")


def test_scored_cells_tell_the_platforms_scores_from_local_drafts(db: Database,
                                                                  pulled: int) -> None:
    snapshots.upsert_results(db, pulled, item_url(1), [
        result("u1"), result("u2", result_score=None), result("u3")])
    drafts.save_draft(db, pulled, item_url(1), "u2", drafts.DraftEdit(score_given=6.0))
    drafts.save_draft(db, pulled, item_url(2), "u4", drafts.DraftEdit(comment="no score yet"))
    cells = scored_cells(db, pulled)
    first = snapshots.get_line_item(db, pulled, item_url(1))
    assert first is not None
    assert cells.on_platform == {(first.id, "u1"), (first.id, "u3")}
    assert cells.drafted == {(first.id, "u2")}
