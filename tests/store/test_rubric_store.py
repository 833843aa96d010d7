"""Rubrics and chosen levels on a real database file (schema 10): kept per column across
reopening and pulls, replaced in place (the chosen levels stay), gone with their column."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from store_support import count, db_file, item_url, line_item, member, opened, raw

from gradedesk.domain import InputError, LineItem
from gradedesk.domain.rubrics import parse_choice, rubric_from_json
from gradedesk.store import columns, snapshots
from gradedesk.store.connections import add_connection, remove_connection
from gradedesk.store.db import Database
from gradedesk.store.rubrics import (
    CarriedGrade,
    carry_rubric_grades,
    forget_rubric_grade,
    get_rubric,
    line_items_with_rubrics,
    record_rubric_grade,
    rubric_grade,
    rubric_grades,
    save_rubric,
)

RUBRIC = rubric_from_json({"title": "Lab", "criteria": [
    {"name": "Method", "levels": [{"points": 3, "description": "Sound"},
                                  {"points": 1, "description": "Shaky"}]},
    {"name": "Result", "levels": [{"points": 2, "description": "Right"}, {"points": 0}]}]})
EDITED = rubric_from_json({"criteria": [
    {"name": "Method", "levels": [{"points": 4, "description": "Sound"},
                                  {"points": 1, "description": "Shaky"}]},
    {"name": "Result", "levels": [{"points": 2, "description": "Right"}, {"points": 0}]}]})
ITEM, OTHER = item_url(1), item_url(2)


def _course(db: Database) -> int:
    connection_id = add_connection(db, "Canvas", "lti", {"issuer": "https://canvas.test"}).id
    snapshots.upsert_line_items(db, connection_id, [line_item(1), line_item(2)])
    snapshots.upsert_members(db, connection_id, [member("u1"), member("u2")])
    return connection_id


def test_a_rubric_and_chosen_levels_outlive_the_process_and_a_pull(data_dir: Path) -> None:
    choice = parse_choice(RUBRIC, "Method=1,Result=2")
    with opened(data_dir) as db:
        connection_id = _course(db)
        assert get_rubric(db, connection_id, ITEM) is None
        save_rubric(db, connection_id, ITEM, RUBRIC)
        record_rubric_grade(db, connection_id, ITEM, "u1", choice, "  Check units.  ")
    with opened(data_dir) as db:
        # A pull rewrites the line items' server copies; the rubric is not one of them.
        snapshots.upsert_line_items(db, connection_id, [line_item(1, label="Lab 1 (v2)"),
                                                        line_item(2)])
        assert get_rubric(db, connection_id, ITEM) == RUBRIC
        assert get_rubric(db, connection_id, ITEM).extras == {"title": "Lab"}  # type: ignore[union-attr]
        assert get_rubric(db, connection_id, OTHER) is None
        assert line_items_with_rubrics(db, connection_id) == {ITEM}
        kept = rubric_grade(db, connection_id, ITEM, "u1")
        assert kept is not None and kept.choice == choice and kept.proposed is None
        assert kept.own_comment == "Check units." and kept.line_item_url == ITEM
        assert rubric_grade(db, connection_id, ITEM, "u2") is None
        assert rubric_grade(db, connection_id, OTHER, "u1") is None


def test_the_tables_are_strict_and_reject_what_is_not_json(db: Database,
                                                           data_dir: Path) -> None:
    connection_id = _course(db)
    save_rubric(db, connection_id, ITEM, RUBRIC)
    with raw(db_file(data_dir)) as conn:
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE rubrics SET rubric_json = 'not json'")
        with pytest.raises(sqlite3.IntegrityError):  # STRICT: no text in an integer column
            conn.execute("INSERT INTO rubric_grades (line_item_id, user_id, choice_json, "
                         "graded_at, updated_at) VALUES ('x', 'u1', '[]', 't', 't')")


def test_replacing_a_rubric_keeps_the_chosen_levels(db: Database) -> None:
    connection_id = _course(db)
    save_rubric(db, connection_id, ITEM, RUBRIC)
    record_rubric_grade(db, connection_id, ITEM, "u1", parse_choice(RUBRIC, "Method=3,Result=0"),
                        None)
    save_rubric(db, connection_id, ITEM, EDITED)
    assert get_rubric(db, connection_id, ITEM) == EDITED
    assert [row.user_id for row in rubric_grades(db, connection_id, ITEM)] == ["u1"]


def test_carrying_records_the_proposal_and_a_new_grade_clears_it(db: Database) -> None:
    connection_id = _course(db)
    save_rubric(db, connection_id, ITEM, RUBRIC)
    graded = parse_choice(RUBRIC, "Method=3,Result=0")
    record_rubric_grade(db, connection_id, ITEM, "u1", graded, "Mine.")
    proposed = parse_choice(EDITED, "Method=4,Result=0")
    changed = carry_rubric_grades(db, connection_id, ITEM, [
        CarriedGrade("u1", graded, proposed), CarriedGrade("nobody", graded, None)])
    assert changed == 1
    row = rubric_grade(db, connection_id, ITEM, "u1")
    assert row is not None and row.choice == graded and row.proposed == proposed
    assert row.own_comment == "Mine."  # carrying keeps the grader's words
    regraded = parse_choice(EDITED, "Method=1,Result=2")
    record_rubric_grade(db, connection_id, ITEM, "u1", regraded, None)
    row = rubric_grade(db, connection_id, ITEM, "u1")
    assert row is not None and row.choice == regraded and row.proposed is None
    assert row.own_comment is None


def test_forgetting_a_cell_and_an_unknown_column(db: Database) -> None:
    connection_id = _course(db)
    save_rubric(db, connection_id, ITEM, RUBRIC)
    record_rubric_grade(db, connection_id, ITEM, "u1", parse_choice(RUBRIC, "Method=3,Result=0"),
                        None)
    assert forget_rubric_grade(db, connection_id, ITEM, "u1") is True
    assert forget_rubric_grade(db, connection_id, ITEM, "u1") is False
    with pytest.raises(InputError, match="Unknown line item"):
        save_rubric(db, connection_id, item_url(9), RUBRIC)
    with pytest.raises(InputError, match="Unknown line item"):
        get_rubric(db, connection_id, item_url(9))


def test_rubrics_go_with_their_connection(db: Database, data_dir: Path) -> None:
    connection_id = _course(db)
    save_rubric(db, connection_id, ITEM, RUBRIC)
    record_rubric_grade(db, connection_id, ITEM, "u1", parse_choice(RUBRIC, "Method=3,Result=0"),
                        None)
    assert remove_connection(db, "Canvas")
    with raw(db_file(data_dir)) as conn:
        assert count(conn, "rubrics") == 0 and count(conn, "rubric_grades") == 0


def test_the_stored_rubric_is_the_shared_file_form(db: Database, data_dir: Path) -> None:
    connection_id = _course(db)
    save_rubric(db, connection_id, ITEM, RUBRIC)
    with raw(db_file(data_dir)) as conn:
        stored = json.loads(conn.execute("SELECT rubric_json FROM rubrics").fetchone()[0])
    assert stored["title"] == "Lab"
    assert stored["criteria"][0]["levels"][0] == {"points": 3, "description": "Sound"}


@pytest.mark.parametrize("folded", [False, True], ids=["adopted", "folded"])
def test_a_column_made_here_keeps_its_rubric_under_its_platform_id(db: Database,
                                                                  folded: bool) -> None:
    connection_id = _course(db)
    local = columns.add_local_column(db, connection_id,
                                     LineItem(label="Paper", score_maximum=5))
    save_rubric(db, connection_id, local.url, RUBRIC)
    choice = parse_choice(RUBRIC, "Method=3,Result=2")
    record_rubric_grade(db, connection_id, local.url, "u1", choice, None)
    platform_copy = LineItem(id=item_url(30), label="Paper", score_maximum=5)
    if folded:  # stored under its platform id first: the local row folds into that one
        snapshots.upsert_line_items(db, connection_id, [platform_copy], complete=False)
    columns.column_created(db, connection_id, local.id, platform_copy)
    assert snapshots.get_line_item(db, connection_id, local.url) is None
    assert get_rubric(db, connection_id, item_url(30)) == RUBRIC
    kept = rubric_grade(db, connection_id, item_url(30), "u1")
    assert kept is not None and kept.choice == choice
