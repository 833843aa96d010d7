"""Late and missing work in the store, on a real database file: one rule per column, kept
exactly; the submitted time of each submission remembered from every server copy (and kept when
a later copy no longer carries it); the cells a late rule reads; the penalties it records."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from store_support import NOW, item_url, line_item, member, opened, raw, result

from gradedesk.domain import (
    CANVAS_SUBMISSION_EXTENSION,
    GradingProgress,
    InputError,
    LineItem,
    Result,
)
from gradedesk.domain.late_policy import LateRule, LateUnit
from gradedesk.store import ConnectionRow, columns, drafts, snapshots
from gradedesk.store.connections import add_connection
from gradedesk.store.db import DB_FILENAME, Database
from gradedesk.store.late_rules import (
    NewPenalty,
    get_rule,
    late_cells,
    record_penalties,
    remove_rule,
    save_rule,
)

ITEM, OTHER = item_url(1), item_url(2)
SUBMITTED = "2026-03-03T00:19:00.000+00:00"
LATER = "2026-03-04T08:00:00Z"


@pytest.fixture
def course(db: Database) -> ConnectionRow:
    row = add_connection(db, "Canvas", "lti", {"issuer": "https://canvas.test"})
    snapshots.upsert_line_items(db, row.id, [line_item(1), line_item(2)])
    snapshots.upsert_members(db, row.id, [member("u1"), member("u2"), member("u3")])
    return row


def _handed_in(user_id: str, when: str, score: float | None = None) -> Result:
    return result(user_id, result_score=score, comment=None,
                  extra={CANVAS_SUBMISSION_EXTENSION: {"submission_type": "online_text_entry",
                                                       "submitted_at": when}})


def _cells(db: Database, course: ConnectionRow) -> dict[str, tuple[object, ...]]:
    return {c.user_id: (c.has_result, c.platform_score, c.has_draft, c.draft_score,
                        c.submitted_at) for c in late_cells(db, course.id, ITEM)}


def test_a_rule_is_kept_exactly_one_per_column(db: Database, course: ConnectionRow) -> None:
    assert get_rule(db, course.id, ITEM) is None
    rule = LateRule.parse("12.5", "hour", cap="30", grace_minutes="15")
    save_rule(db, course.id, ITEM, rule)
    assert get_rule(db, course.id, ITEM) == rule
    assert get_rule(db, course.id, ITEM).percent == Decimal("12.5")  # type: ignore[union-attr]
    assert get_rule(db, course.id, OTHER) is None
    replaced = LateRule.parse("5")
    save_rule(db, course.id, ITEM, replaced)
    assert get_rule(db, course.id, ITEM) == replaced
    assert replaced.cap is None and replaced.per is LateUnit.DAY
    assert remove_rule(db, course.id, ITEM) is True
    assert remove_rule(db, course.id, ITEM) is False
    assert get_rule(db, course.id, ITEM) is None


def test_a_rule_needs_a_known_column(db: Database, course: ConnectionRow) -> None:
    with pytest.raises(InputError, match="pull the connection first"):
        save_rule(db, course.id, item_url(9), LateRule.parse("10"))


def test_the_table_refuses_what_the_domain_refuses(db: Database, course: ConnectionRow,
                                                   data_dir: Path) -> None:
    save_rule(db, course.id, ITEM, LateRule.parse("10"))
    with raw(data_dir / DB_FILENAME) as conn:
        for change in ("percent = '101'", "per = 'week'", "cap = '150'", "grace_minutes = -1"):
            with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
                conn.execute(f"UPDATE late_rules SET {change}")  # noqa: S608 - constants


def test_a_column_removed_takes_its_rule_and_records_with_it(db: Database,
                                                             course: ConnectionRow) -> None:
    save_rule(db, course.id, ITEM, LateRule.parse("10"))
    snapshots.upsert_results(db, course.id, ITEM, [_handed_in("u1", SUBMITTED, 90.0)])
    record_penalties(db, course.id, ITEM, [NewPenalty("u1", 90.0, 81.0, SUBMITTED, "w")])
    with db.transaction() as conn:
        conn.execute("DELETE FROM line_items WHERE url = ?", (ITEM,))
        left = [conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
                for table in ("late_rules", "late_penalties", "submission_times")]
    assert left == [0, 0, 0]


def test_the_submitted_time_is_remembered_from_every_server_copy(
        db: Database, course: ConnectionRow) -> None:
    snapshots.upsert_results(db, course.id, ITEM, [
        _handed_in("u1", SUBMITTED), result("u2", result_score=9.0)])
    assert _cells(db, course) == {"u1": (True, None, False, None, SUBMITTED),
                                  "u2": (True, 9.0, False, None, None)}
    # Graded afterwards: Canvas replaces the submission extension with the grader's own, so
    # the copy no longer says when the work was handed in. The time stays known.
    snapshots.upsert_result(db, course.id, ITEM, "u1", result(
        "u1", result_score=8.0, extra={CANVAS_SUBMISSION_EXTENSION: {"new_submission": False}}))
    assert _cells(db, course)["u1"] == (True, 8.0, False, None, SUBMITTED)
    # A later submission (a new attempt) is the one that counts.
    snapshots.upsert_results(db, course.id, ITEM, [_handed_in("u1", LATER, 8.0)])
    assert _cells(db, course)["u1"][4] == LATER
    # Even when the platform no longer lists the result at all.
    snapshots.upsert_results(db, course.id, ITEM, [])
    assert _cells(db, course)["u1"] == (False, None, False, None, LATER)
    # A time that is not text is not a submitted time.
    snapshots.upsert_results(db, course.id, OTHER, [result(
        "u3", number=2, extra={CANVAS_SUBMISSION_EXTENSION: {"submitted_at": 12}})])
    assert [c.submitted_at for c in late_cells(db, course.id, OTHER)] == [None]


def test_a_cell_shows_its_drafts_score_before_the_platforms(db: Database,
                                                            course: ConnectionRow) -> None:
    snapshots.upsert_results(db, course.id, ITEM, [_handed_in("u1", SUBMITTED, 90.0)])
    drafts.save_draft(db, course.id, ITEM, "u1", drafts.DraftEdit(score_given=70.0), now=NOW)
    drafts.save_draft(db, course.id, ITEM, "u2", drafts.DraftEdit(
        comment="Where is it?"), now=NOW)
    cells = {c.user_id: c for c in late_cells(db, course.id, ITEM)}
    assert set(cells) == {"u1", "u2"}  # u3 has nothing in the column
    assert cells["u1"].score == 70.0 and cells["u1"].platform_score == 90.0
    assert cells["u2"].score is None and cells["u2"].has_draft and not cells["u2"].has_result
    assert cells["u2"].draft_grading is GradingProgress.PENDING
    # A draft that clears the platform's score shows no score.
    drafts.save_draft(db, course.id, ITEM, "u1", drafts.DraftEdit(score_given=None), now=NOW)
    assert {c.user_id: c.score for c in late_cells(db, course.id, ITEM)}["u1"] is None


def test_a_penalty_record_replaces_the_cells_earlier_one(db: Database,
                                                        course: ConnectionRow) -> None:
    snapshots.upsert_results(db, course.id, ITEM, [_handed_in("u1", SUBMITTED, 90.0)])
    assert record_penalties(db, course.id, ITEM, [
        NewPenalty("u1", 90.0, 81.0, SUBMITTED, "90 - 10% late (1 day) = 81")], now=NOW) == 1
    record_penalties(db, course.id, ITEM, [
        NewPenalty("u1", 90.0, 85.5, SUBMITTED, "90 - 5% late (1 day) = 85.5")], now=NOW)
    [cell] = late_cells(db, course.id, ITEM)
    assert cell.penalty is not None
    assert (cell.penalty.base_score, cell.penalty.penalised_score) == (90.0, 85.5)
    assert cell.penalty.working == "90 - 5% late (1 day) = 85.5"
    assert cell.penalty.proposed_at == NOW


def test_an_older_database_learns_the_submitted_times_it_already_holds(data_dir: Path) -> None:
    with opened(data_dir, schema_version=10) as old:
        connection = add_connection(old, "Canvas", "lti", {"issuer": "https://canvas.test"})
        snapshots.upsert_line_items(old, connection.id, [line_item(1)])
        snapshots.upsert_results(old, connection.id, ITEM, [
            _handed_in("u1", SUBMITTED, 90.0), result("u2")])
        with old.read() as conn:
            assert conn.execute("SELECT name FROM sqlite_master WHERE name = "
                                "'submission_times'").fetchone() is None
    with opened(data_dir) as db:
        assert {c.user_id: c.submitted_at for c in late_cells(db, connection.id, ITEM)} == \
            {"u1": SUBMITTED, "u2": None}


def test_a_column_made_here_keeps_its_rule_when_the_platform_has_it(
        db: Database, course: ConnectionRow) -> None:
    local = columns.add_local_column(db, course.id, LineItem(label="Oral exam",
                                                             score_maximum=10.0))
    rule = LateRule.parse("10", grace_minutes="5")
    save_rule(db, course.id, local.url, rule)
    # A pull found the platform's copy under its id before the creation reply came back: the
    # local row folds into that one.
    created = line_item(3, resource_id="elsewhere")
    snapshots.upsert_line_items(db, course.id, [created], complete=False)
    columns.column_created(db, course.id, local.id, created)
    assert get_rule(db, course.id, item_url(3)) == rule
