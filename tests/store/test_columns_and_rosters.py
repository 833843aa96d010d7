"""Columns made in GradeDesk, short ids that stay put, and rosters from results or typed ids,
on a real database file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from store_support import db_file, raw

from gradedesk.domain import InputError, LineItem, Member
from gradedesk.domain.models import LEARNER_ROLE
from gradedesk.store import columns, drafts, outbox, snapshots
from gradedesk.store.db import Database

MOODLE = "https://moodle.test/mod/lti/services.php/2/lineitems"


def moodle_item(number: int, label: str) -> LineItem:
    return LineItem(id=f"{MOODLE}/{number}/lineitem?type_id=1", label=label, score_maximum=10)


def test_moodle_shaped_ids_get_unique_short_ids_that_survive_pulls(
        db: Database, connection_id: int) -> None:
    items = [moodle_item(3, "Lab"), moodle_item(4, "Quiz"), moodle_item(13, "Essay")]
    snapshots.upsert_line_items(db, connection_id, items)
    first = {row.url: row.short_id for row in snapshots.list_line_items(db, connection_id)}
    assert sorted(first.values()) == ["13", "3", "4"]
    # A pull that lists them in another order, with a new item that collides.
    collider = LineItem(id="https://moodle.test/other/3", label="Other", score_maximum=1)
    snapshots.upsert_line_items(db, connection_id, [collider, *reversed(items)])
    again = {row.url: row.short_id for row in snapshots.list_line_items(db, connection_id)}
    assert {url: again[url] for url in first} == first
    assert again[collider.id] == "3-2"


def test_a_schema_2_row_without_a_short_id_gets_one_at_the_next_pull(
        db: Database, connection_id: int, data_dir: Path) -> None:
    snapshots.upsert_line_items(db, connection_id, [moodle_item(7, "Lab")])
    with raw(db_file(data_dir)) as conn:
        conn.execute("UPDATE line_items SET short_id = NULL")
    assert snapshots.list_line_items(db, connection_id)[0].short_id == "7"  # derived meanwhile
    snapshots.upsert_line_items(db, connection_id, [moodle_item(7, "Lab")])
    with raw(db_file(data_dir)) as conn:
        assert conn.execute("SELECT short_id FROM line_items").fetchone()[0] == "7"


def test_a_local_column_holds_drafts_and_is_kept_by_pulls(db: Database,
                                                          connection_id: int) -> None:
    snapshots.upsert_members(db, connection_id, [Member("u-1", roles=(LEARNER_ROLE,))])
    local = columns.add_local_column(db, connection_id, LineItem(label="Paper", score_maximum=20))
    assert local.pending_create and local.short_id == "new"
    assert local.resource_id is not None and local.resource_id.startswith("gradedesk-")
    drafts.save_draft(db, connection_id, local.url, "u-1", drafts.DraftEdit(score_given=17))
    snapshots.upsert_line_items(db, connection_id, [moodle_item(3, "Lab")])  # complete pull
    kept = snapshots.get_line_item(db, connection_id, local.url)
    assert kept is not None and kept.missing_since is None and kept.pending_create
    assert columns.pending_columns(db, connection_id) == [kept]


def test_a_pull_that_finds_the_column_by_resource_id_adopts_it(db: Database,
                                                               connection_id: int) -> None:
    snapshots.upsert_members(db, connection_id, [Member("u-1", roles=(LEARNER_ROLE,))])
    local = columns.add_local_column(db, connection_id, LineItem(label="Paper", score_maximum=20))
    drafts.save_draft(db, connection_id, local.url, "u-1", drafts.DraftEdit(score_given=17))
    columns.mark_create_attempt(db, local.id)
    on_platform = replace(moodle_item(44, "Paper"), score_maximum=20,
                          resource_id=local.resource_id)
    snapshots.upsert_line_items(db, connection_id, [on_platform])
    rows = snapshots.list_line_items(db, connection_id)
    assert [(row.id, row.url, row.short_id, row.pending_create) for row in rows] == \
        [(local.id, on_platform.id, "44", False)]
    draft = drafts.get_draft(db, connection_id, on_platform.id, "u-1")
    assert draft is not None and draft.score_given == 17
    assert [e.line_item_url for e in outbox.entries(db, connection_id)] == [on_platform.id]


def test_a_local_column_can_be_changed_and_forgotten(db: Database, connection_id: int) -> None:
    local = columns.add_local_column(db, connection_id, LineItem(label="Paper", score_maximum=20))
    changed = columns.update_local_column(
        db, connection_id, local.url, LineItem(label="Paper 1", score_maximum=25))
    assert (changed.label, changed.score_maximum, changed.resource_id) == \
        ("Paper 1", 25, local.resource_id)
    assert columns.forget_column(db, connection_id, local.url) == 0
    assert snapshots.list_line_items(db, connection_id) == []
    with pytest.raises(InputError):
        columns.add_local_column(db, connection_id, moodle_item(1, "Has an id"))


def test_typed_ids_stay_on_the_roster_and_results_rosters_are_replaced(
        db: Database, connection_id: int) -> None:
    typed = snapshots.add_typed_member(db, connection_id, "u-typed")
    assert (typed.source, typed.is_learner, typed.named) == ("typed", True, False)
    snapshots.upsert_members(db, connection_id, [Member("u-1", roles=(LEARNER_ROLE,))],
                             source="results")
    snapshots.upsert_members(db, connection_id, [Member("u-2", roles=(LEARNER_ROLE,))],
                             source="results")
    listed = {m.user_id: m.source for m in snapshots.list_members(db, connection_id)}
    assert listed == {"u-typed": "typed", "u-2": "results"}
    with pytest.raises(InputError):
        snapshots.add_typed_member(db, connection_id, "bad\x1bid")
