"""Held columns on a real database file: a hold is local state that outlives pulls, follows a
column made here to its platform id, goes with its column, and never touches the snapshot
tables; grades saved in a held column are queued as usual."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from store_support import NOW, db_file, item_url, line_item, member, raw

from gradedesk.domain import InputError, LineItem
from gradedesk.store import OutboxState, columns, drafts, holds, outbox, snapshots
from gradedesk.store.connections import add_connection
from gradedesk.store.db import Database


@pytest.fixture
def course(db: Database, connection_id: int) -> int:
    """Two line items and three students, as a pull stores them."""
    snapshots.upsert_line_items(db, connection_id, [line_item(1), line_item(2)])
    snapshots.upsert_members(db, connection_id, [member(u) for u in ("u1", "u2", "u3")])
    return connection_id


def test_hold_and_release_say_whether_they_changed_anything(db: Database, course: int) -> None:
    assert not holds.is_held(db, course, item_url(1))
    assert holds.hold(db, course, item_url(1), now=NOW) is True
    assert holds.hold(db, course, item_url(1)) is False  # already held: nothing changes
    assert holds.is_held(db, course, item_url(1))
    assert not holds.is_held(db, course, item_url(2))
    assert holds.held_line_item_urls(db, course) == {item_url(1)}
    [held] = holds.held_columns(db, course)
    assert (held.url, held.label, held.short_id, held.held_at) == (item_url(1), "Lab 1", "1",
                                                                   NOW)
    assert holds.release(db, course, item_url(1)) is True
    assert holds.release(db, course, item_url(1)) is False
    assert holds.held_line_item_urls(db, course) == frozenset()
    assert holds.held_columns(db, course) == []


def test_an_unknown_column_is_a_clear_error(db: Database, course: int) -> None:
    unknown = item_url(99)
    with pytest.raises(InputError, match="Unknown line item"):
        holds.hold(db, course, unknown)
    with pytest.raises(InputError, match="Unknown line item"):
        holds.release(db, course, unknown)
    assert not holds.is_held(db, course, unknown)
    assert holds.held_line_item_urls(db, course) == frozenset()


def test_a_hold_belongs_to_its_connection(db: Database, course: int) -> None:
    other = add_connection(db, "Other course", "lti", {"issuer": "https://canvas.test"}).id
    snapshots.upsert_line_items(db, other, [line_item(1)])  # the same URL, another course
    holds.hold(db, course, item_url(1))
    assert holds.is_held(db, course, item_url(1))
    assert not holds.is_held(db, other, item_url(1))
    assert holds.held_line_item_urls(db, other) == frozenset()


def test_grades_in_a_held_column_are_saved_and_queued_and_counted(db: Database,
                                                                   course: int) -> None:
    holds.hold(db, course, item_url(1))
    for user, score in (("u1", 7.0), ("u2", 8.0)):
        drafts.save_draft(db, course, item_url(1), user, drafts.DraftEdit(score_given=score))
    drafts.save_draft(db, course, item_url(2), "u3", drafts.DraftEdit(score_given=5.0))
    queued = outbox.entries(db, course, (OutboxState.QUEUED,))
    assert sorted((e.line_item_url, e.user_id) for e in queued) == [
        (item_url(1), "u1"), (item_url(1), "u2"), (item_url(2), "u3")]
    [held] = holds.held_columns(db, course)
    assert held.queued == 2
    # A grade edited again is still one queued entry.
    drafts.save_draft(db, course, item_url(1), "u1", drafts.DraftEdit(score_given=9.0))
    assert holds.held_columns(db, course)[0].queued == 2


def test_a_hold_outlives_pulls_and_lives_outside_the_snapshot_tables(
        db: Database, course: int, data_dir: Path) -> None:
    holds.hold(db, course, item_url(1))
    # A pull that changes the column, then one that no longer lists it, then one that does.
    snapshots.upsert_line_items(db, course, [line_item(1, label="Lab 1 (final)"), line_item(2)])
    assert holds.is_held(db, course, item_url(1))
    snapshots.upsert_line_items(db, course, [line_item(2)])
    assert holds.is_held(db, course, item_url(1))
    snapshots.upsert_line_items(db, course, [line_item(1), line_item(2)])
    assert holds.is_held(db, course, item_url(1))
    with raw(db_file(data_dir)) as conn:
        line_item_columns = {row[1] for row in conn.execute("PRAGMA table_info(line_items)")}
        assert not any("hold" in name for name in line_item_columns)
        strict = conn.execute("SELECT strict FROM pragma_table_list "
                              "WHERE name = 'column_holds'").fetchone()
        assert strict == (1,)


def test_a_hold_goes_with_its_column(db: Database, course: int, data_dir: Path) -> None:
    holds.hold(db, course, item_url(1))
    columns.forget_column(db, course, item_url(1))
    assert holds.held_line_item_urls(db, course) == frozenset()
    with raw(db_file(data_dir)) as conn:
        assert conn.execute("SELECT count(*) FROM column_holds").fetchone() == (0,)
        # And the table refuses a hold of a column that does not exist.
        conn.execute("PRAGMA foreign_keys = ON")
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT INTO column_holds (line_item_id, held_at) VALUES (999, ?)",
                         ("2026-03-01T08:30:15.123+00:00",))


def test_a_held_column_made_here_stays_held_under_its_platform_id(db: Database,
                                                                   course: int) -> None:
    local = columns.add_local_column(db, course, LineItem(label="Paper", score_maximum=20))
    holds.hold(db, course, local.url)
    drafts.save_draft(db, course, local.url, "u1", drafts.DraftEdit(score_given=17))
    created = columns.column_created(
        db, course, local.id, LineItem(id=item_url(30), label="Paper", score_maximum=20,
                                       resource_id=local.resource_id))
    assert created.url == item_url(30)
    assert holds.held_line_item_urls(db, course) == {item_url(30)}
    assert holds.held_columns(db, course)[0].queued == 1


def test_a_held_column_folded_into_its_pulled_copy_stays_held(db: Database,
                                                               course: int) -> None:
    local = columns.add_local_column(db, course, LineItem(label="Paper", score_maximum=20))
    holds.hold(db, course, local.url)
    drafts.save_draft(db, course, local.url, "u1", drafts.DraftEdit(score_given=17))
    # The platform's copy is stored under its id before the local row adopts it (a pull
    # that did not recognise it): the local row's grades and its hold fold into that row.
    platform_copy = LineItem(id=item_url(31), label="Paper", score_maximum=20)
    snapshots.upsert_line_items(db, course, [platform_copy], complete=False)
    columns.column_created(db, course, local.id, platform_copy)
    assert snapshots.get_line_item(db, course, local.url) is None
    assert holds.held_line_item_urls(db, course) == {item_url(31)}
    assert holds.held_columns(db, course)[0].queued == 1
