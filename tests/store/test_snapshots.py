"""Server copies of line items, members and results: what a pull stores, what it reports as
changed, and the drafts it reports as moved under."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from store_support import NOW, count, item_url, line_item, member, result

from gradedesk.domain import INSTRUCTOR_ROLE, LEARNER_ROLE, InputError, Member, Result
from gradedesk.domain.clock import parse_timestamp
from gradedesk.store._sql import db_time
from gradedesk.store.connections import add_connection
from gradedesk.store.db import Database
from gradedesk.store.rows import SnapshotChanges
from gradedesk.store.snapshots import (
    get_line_item,
    get_result,
    list_line_items,
    list_members,
    list_results,
    member_wire,
    result_hash,
    upsert_line_items,
    upsert_members,
    upsert_result,
    upsert_results,
)

NO_CHANGE = SnapshotChanges()
T = "2026-03-01T08:30:15.123+00:00"


def _recent(value: datetime | None) -> bool:
    return value is not None and abs(datetime.now(UTC) - value) < timedelta(minutes=5)


# --- Line items -----------------------------------------------------------------------------


class TestLineItems:
    def test_a_first_listing_adds_every_item(self, db: Database, connection_id: int) -> None:
        items = [line_item(2, label="Essay"), line_item(1, label="Lab"), line_item(3,
                 label="Quiz", extra={"https://canvas.test/ext": {"points_possible": 10}})]

        changes = upsert_line_items(db, connection_id, items)

        assert changes == SnapshotChanges(added=(item_url(2), item_url(1), item_url(3)))
        rows = list_line_items(db, connection_id)
        assert [row.label for row in rows] == ["Essay", "Lab", "Quiz"]
        assert [row.wire for row in rows] == [item.to_wire() for item in items]  # extras kept
        assert all(row.missing_since is None and _recent(row.fetched_at) for row in rows)
        assert rows[0].url == item_url(2) and rows[0].score_maximum == 10.0

    def test_the_same_listing_again_changes_nothing(self, db: Database,
                                                    connection_id: int) -> None:
        items = [line_item(1), line_item(2)]
        upsert_line_items(db, connection_id, items)
        hashes = [row.content_hash for row in list_line_items(db, connection_id)]

        changes = upsert_line_items(db, connection_id, items)

        assert changes == NO_CHANGE and not changes.changed
        assert [row.content_hash for row in list_line_items(db, connection_id)] == hashes

    def test_a_changed_item_is_updated(self, db: Database, connection_id: int) -> None:
        upsert_line_items(db, connection_id, [line_item(1), line_item(2)])

        changes = upsert_line_items(db, connection_id, [
            line_item(1, label="Lab 1 (revised)", score_maximum=20.0), line_item(2)])

        assert changes == SnapshotChanges(updated=(item_url(1),))
        row = get_line_item(db, connection_id, item_url(1))
        assert row is not None
        assert (row.label, row.score_maximum, row.wire["scoreMaximum"]) == \
            ("Lab 1 (revised)", 20.0, 20.0)

    def test_an_item_gone_from_a_complete_listing_is_kept_as_missing(
            self, db: Database, connection_id: int) -> None:
        upsert_line_items(db, connection_id, [line_item(1), line_item(2), line_item(3)])

        changes = upsert_line_items(db, connection_id, [line_item(2)])

        assert changes == SnapshotChanges(removed=(item_url(1), item_url(3)))
        assert [row.url for row in list_line_items(db, connection_id)] == [item_url(2)]
        everything = list_line_items(db, connection_id, include_missing=True)
        assert [row.url for row in everything] == [item_url(1), item_url(2), item_url(3)]
        gone = get_line_item(db, connection_id, item_url(1))
        assert gone is not None and _recent(gone.missing_since)
        # Reported once: the next identical listing changes nothing.
        assert upsert_line_items(db, connection_id, [line_item(2)]) == NO_CHANGE

    def test_an_item_that_comes_back_is_restored(self, db: Database,
                                                 connection_id: int) -> None:
        upsert_line_items(db, connection_id, [line_item(1), line_item(2)])
        upsert_line_items(db, connection_id, [line_item(2)])

        changes = upsert_line_items(db, connection_id, [line_item(1), line_item(2)])

        assert changes == SnapshotChanges(updated=(item_url(1),))
        restored = get_line_item(db, connection_id, item_url(1))
        assert restored is not None and restored.missing_since is None

    def test_a_partial_listing_marks_nothing_missing(self, db: Database,
                                                     connection_id: int) -> None:
        upsert_line_items(db, connection_id, [line_item(1), line_item(2)])

        changes = upsert_line_items(db, connection_id, [line_item(3)], complete=False)

        assert changes == SnapshotChanges(added=(item_url(3),))
        assert len(list_line_items(db, connection_id)) == 3

    def test_an_item_without_an_id_refuses_the_whole_listing(self, db: Database,
                                                             connection_id: int) -> None:
        with pytest.raises(InputError, match="has no id"):
            upsert_line_items(db, connection_id, [line_item(1), line_item(2, id="")])
        assert list_line_items(db, connection_id, include_missing=True) == []

    def test_connections_do_not_share_line_items(self, db: Database,
                                                 connection_id: int) -> None:
        other = add_connection(db, "Other", "ltiaas", {}).id
        upsert_line_items(db, connection_id, [line_item(1), line_item(2)])

        changes = upsert_line_items(db, other, [line_item(1, label="Other's lab")])

        assert changes == SnapshotChanges(added=(item_url(1),))
        assert [row.label for row in list_line_items(db, connection_id)] == ["Lab 1", "Lab 2"]
        assert [row.label for row in list_line_items(db, other)] == ["Other's lab"]


# --- Members --------------------------------------------------------------------------------


def _roster() -> list[Member]:
    return [
        member("u1", given_name="Zoë", family_name="Zola", name="Zoë Zola"),
        member("u2", given_name="Ann", family_name="de Vries", name="Ann de Vries"),
        member("t1", given_name="Tom", family_name="Adams", name="Tom Adams",
               roles=(INSTRUCTOR_ROLE,)),
        member("u3", given_name=None, family_name=None, name=None, email=None,
               roles=("Learner",)),
    ]


class TestMembers:
    def test_a_roster_is_stored_with_sections(self, db: Database, connection_id: int) -> None:
        changes = upsert_members(db, connection_id, _roster(), sections={"u1": "A", "u2": "B"})

        assert changes == SnapshotChanges(added=("u1", "u2", "t1", "u3"))
        rows = list_members(db, connection_id)
        # By sort name, ignoring case ("de Vries" between "Adams" and "Zola").
        assert [row.sort_name for row in rows] == \
            ["Adams, Tom", "de Vries, Ann", "User u3", "Zola, Zoë"]
        by_id = {row.user_id: row for row in rows}
        assert by_id["u1"].section == "A" and by_id["t1"].section is None
        assert by_id["u1"].roles == (LEARNER_ROLE,) and by_id["u1"].is_learner
        assert by_id["t1"].roles == (INSTRUCTOR_ROLE,) and not by_id["t1"].is_learner
        assert by_id["u3"].is_learner  # the short role name counts too
        assert (by_id["u3"].name, by_id["u3"].email) == (None, None)
        assert by_id["u1"].email == "u1@school.test"
        assert all(_recent(row.fetched_at) and row.missing_since is None for row in rows)

    def test_learners_only(self, db: Database, connection_id: int) -> None:
        upsert_members(db, connection_id, _roster())
        assert [row.user_id for row in list_members(db, connection_id, learners_only=True)] \
            == ["u2", "u3", "u1"]

    def test_a_changed_section_alone_is_an_update(self, db: Database,
                                                  connection_id: int) -> None:
        upsert_members(db, connection_id, _roster(), sections={"u1": "A"})
        assert upsert_members(db, connection_id, _roster(), sections={"u1": "A"}) == NO_CHANGE

        changes = upsert_members(db, connection_id, _roster(), sections={"u1": "B", "u2": "C"})

        assert changes == SnapshotChanges(updated=("u1", "u2"))
        sections = {row.user_id: row.section for row in list_members(db, connection_id)}
        assert sections == {"u1": "B", "u2": "C", "t1": None, "u3": None}

    def test_a_changed_member_is_an_update(self, db: Database, connection_id: int) -> None:
        upsert_members(db, connection_id, _roster())
        roster = _roster()
        roster[0] = member("u1", given_name="Zoë", family_name="Zola-Ørsted",
                           name="Zoë Zola-Ørsted", status="Inactive")

        assert upsert_members(db, connection_id, roster) == SnapshotChanges(updated=("u1",))
        row = next(r for r in list_members(db, connection_id) if r.user_id == "u1")
        assert (row.sort_name, row.status) == ("Zola-Ørsted, Zoë", "Inactive")

    def test_members_gone_from_a_complete_roster_are_missing_until_they_return(
            self, db: Database, connection_id: int) -> None:
        upsert_members(db, connection_id, _roster())
        without_u3 = [m for m in _roster() if m.user_id != "u3"]

        assert upsert_members(db, connection_id, without_u3) == SnapshotChanges(removed=("u3",))
        assert "u3" not in {row.user_id for row in list_members(db, connection_id)}
        missing = [row for row in list_members(db, connection_id, include_missing=True)
                   if row.user_id == "u3"]
        assert len(missing) == 1 and _recent(missing[0].missing_since)
        assert upsert_members(db, connection_id, [member("u9")], complete=False) == \
            SnapshotChanges(added=("u9",))

        assert upsert_members(db, connection_id, [*_roster(), member("u9")]) == \
            SnapshotChanges(updated=("u3",))
        assert {row.user_id for row in list_members(db, connection_id)} == \
            {"u1", "u2", "t1", "u3", "u9"}

    def test_the_wire_copy_keeps_unknown_fields_in_snake_case(self) -> None:
        camel = Member.from_wire({"userId": "u1", "givenName": "Ann", "familyName": "Lee",
                                  "roles": ["Learner"], "custom_grade_level": "10"})
        assert member_wire(camel) == {"user_id": "u1", "given_name": "Ann",
                                      "family_name": "Lee", "roles": ["Learner"],
                                      "status": "Active", "custom_grade_level": "10"}


# --- Results --------------------------------------------------------------------------------


@pytest.fixture
def item(db: Database, connection_id: int) -> str:
    upsert_line_items(db, connection_id, [line_item(1)])
    return item_url(1)


def _versions(db: Database, connection_id: int, url: str) -> dict[str, int]:
    return {row.user_id: row.version for row in list_results(db, connection_id, url)}


class TestResults:
    def test_results_are_stored_as_the_server_sent_them(self, db: Database,
                                                        connection_id: int, item: str) -> None:
        extra = {"https://canvas.instructure.com/lti/submission": {"submitted_at": T}}
        results = [result("u2", comment=None, result_score=None, timestamp=None),
                   result("u1", extra=extra)]

        changes = upsert_results(db, connection_id, item, results)

        assert changes == SnapshotChanges(added=("u2", "u1"))
        rows = list_results(db, connection_id, item)
        assert [row.user_id for row in rows] == ["u1", "u2"]
        u1, u2 = rows
        assert (u1.score, u1.maximum, u1.comment) == (7.5, 10.0, "Good work.")
        assert u1.result_url == f"{item}/results/u1"
        assert u1.server_timestamp == T and u1.version == 1
        assert u1.wire == results[1].to_wire()
        assert u1.content_hash == result_hash(results[1])
        assert (u2.score, u2.comment, u2.server_timestamp) == (None, None, None)
        assert get_result(db, connection_id, item, "u1") == u1
        assert get_result(db, connection_id, item, "nobody") is None
        assert u1.as_base().present and u1.as_base().content_hash == u1.content_hash

    def test_the_version_grows_only_when_what_a_grader_sees_changes(
            self, db: Database, connection_id: int, item: str) -> None:
        upsert_results(db, connection_id, item, [result("u1"), result("u2")])
        assert upsert_results(db, connection_id, item, [result("u1"), result("u2")]) == \
            NO_CHANGE
        assert _versions(db, connection_id, item) == {"u1": 1, "u2": 1}

        steps: list[dict[str, Any]] = [{"result_score": 9.0}, {"comment": "Better."},
                                       {"result_maximum": 20.0},
                                       {"timestamp": NOW + timedelta(seconds=1)}]
        for number, change in enumerate(steps, start=2):
            changes = upsert_results(db, connection_id, item,
                                     [result("u1", **change), result("u2")])
            assert changes == SnapshotChanges(updated=("u1",)), change
            assert _versions(db, connection_id, item) == {"u1": number, "u2": 1}
            # The same listing again is no change and no new version.
            assert upsert_results(db, connection_id, item,
                                  [result("u1", **change), result("u2")]) == NO_CHANGE
            assert _versions(db, connection_id, item) == {"u1": number, "u2": 1}

    def test_a_new_result_url_or_extra_field_is_stored_without_a_new_version(
            self, db: Database, connection_id: int, item: str) -> None:
        upsert_results(db, connection_id, item, [result("u1")])

        changes = upsert_results(db, connection_id, item, [
            result("u1", id=f"{item}/results/moved", extra={"x-note": "server detail"})])

        assert changes == NO_CHANGE
        (row,) = list_results(db, connection_id, item)
        assert row.version == 1
        assert row.result_url == f"{item}/results/moved"
        assert row.wire["x-note"] == "server detail"

    def test_the_same_instant_in_another_offset_is_no_change(self, db: Database,
                                                            connection_id: int,
                                                            item: str) -> None:
        upsert_results(db, connection_id, item, [result("u1")])
        shifted = NOW.astimezone(timezone(timedelta(hours=-5)))

        assert upsert_results(db, connection_id, item, [result("u1", timestamp=shifted)]) == \
            NO_CHANGE
        row = get_result(db, connection_id, item, "u1")
        assert row is not None and row.server_timestamp == T  # stored in UTC

    def test_a_complete_listing_deletes_results_the_server_no_longer_has(
            self, db: Database, connection_id: int, item: str) -> None:
        upsert_results(db, connection_id, item, [result("u1"), result("u2"), result("u3")])

        changes = upsert_results(db, connection_id, item, [result("u2")])

        assert changes == SnapshotChanges(removed=("u1", "u3"))
        assert [row.user_id for row in list_results(db, connection_id, item)] == ["u2"]
        # Back again: a new server copy, counted from 1.
        assert upsert_results(db, connection_id, item, [result("u1", comment="New."),
                                                        result("u2")]) == \
            SnapshotChanges(added=("u1",))
        assert _versions(db, connection_id, item) == {"u1": 1, "u2": 1}

    def test_a_partial_listing_deletes_nothing(self, db: Database, connection_id: int,
                                               item: str) -> None:
        upsert_results(db, connection_id, item, [result("u1")])
        assert upsert_results(db, connection_id, item, [result("u2")], complete=False) == \
            SnapshotChanges(added=("u2",))
        assert [row.user_id for row in list_results(db, connection_id, item)] == ["u1", "u2"]

    def test_results_stay_with_their_line_item(self, db: Database, connection_id: int,
                                               item: str) -> None:
        upsert_line_items(db, connection_id, [line_item(1), line_item(2)])
        upsert_results(db, connection_id, item, [result("u1")])
        upsert_results(db, connection_id, item_url(2), [result("u1", 2, result_score=1.0)])
        assert [r.score for r in list_results(db, connection_id, item)] == [7.5]
        assert [r.score for r in list_results(db, connection_id, item_url(2))] == [1.0]

    def test_results_for_an_unknown_line_item_are_refused(self, db: Database,
                                                          connection_id: int) -> None:
        unknown = item_url(99)
        with pytest.raises(InputError, match="pull the connection first"):
            upsert_results(db, connection_id, unknown, [result("u1", 99)])
        with pytest.raises(InputError, match="Unknown line item"):
            upsert_result(db, connection_id, unknown, "u1", result("u1", 99))
        with pytest.raises(InputError, match="Unknown line item"):
            list_results(db, connection_id, unknown)
        with pytest.raises(InputError, match="Unknown line item"):
            get_result(db, connection_id, unknown, "u1")
        with db.read() as conn:
            assert count(conn, "server_results") == 0

    def test_a_line_item_of_another_connection_is_unknown(self, db: Database,
                                                          connection_id: int, item: str) -> None:
        other = add_connection(db, "Other", "lti", {}).id
        with pytest.raises(InputError, match="Unknown line item"):
            upsert_results(db, other, item, [result("u1")])

    def test_one_read_back_result(self, db: Database, connection_id: int, item: str) -> None:
        assert upsert_result(db, connection_id, item, "u1", result("u1")) == \
            SnapshotChanges(added=("u1",))
        assert upsert_result(db, connection_id, item, "u1", result("u1")) == NO_CHANGE
        assert upsert_result(db, connection_id, item, "u1", result("u1", comment="x")) == \
            SnapshotChanges(updated=("u1",))
        assert _versions(db, connection_id, item) == {"u1": 2}
        assert upsert_result(db, connection_id, item, "u1", None) == \
            SnapshotChanges(removed=("u1",))
        assert upsert_result(db, connection_id, item, "u1", None) == NO_CHANGE
        assert list_results(db, connection_id, item) == []

    def test_a_read_back_result_of_another_user_is_refused(self, db: Database,
                                                           connection_id: int,
                                                           item: str) -> None:
        with pytest.raises(InputError, match="not 'u1'"):
            upsert_result(db, connection_id, item, "u1", result("u2"))
        assert list_results(db, connection_id, item) == []

    def test_a_missing_line_item_keeps_its_results(self, db: Database, connection_id: int,
                                                   item: str) -> None:
        upsert_results(db, connection_id, item, [result("u1")])
        upsert_line_items(db, connection_id, [line_item(2)])  # item 1 is gone from the server
        assert [row.user_id for row in list_results(db, connection_id, item)] == ["u1"]


# --- Drafts the server moved under (drafts written with plain SQL) --------------------------


def _draft(db: Database, item: str, user_id: str, base: Result | None) -> int:
    """A draft based on ``base`` (None: the platform had no result), as save_draft makes it."""
    stamp = None if base is None or base.timestamp is None else db_time(base.timestamp)
    with db.transaction() as conn:
        line_item_id = conn.execute("SELECT id FROM line_items WHERE url = ?",
                                    (item,)).fetchone()[0]
        cursor = conn.execute(
            "INSERT INTO drafts (line_item_id, user_id, score_given, score_maximum, "
            "activity_progress, grading_progress, base_present, base_score, base_maximum, "
            "base_comment, base_timestamp, base_hash, score_timestamp, edited_at) "
            "VALUES (?, ?, 9, 10, 'Completed', 'FullyGraded', ?, ?, ?, ?, ?, ?, ?, ?)",
            (line_item_id, user_id, int(base is not None),
             base.result_score if base else None, base.result_maximum if base else None,
             base.comment if base else None, stamp, result_hash(base), T, T))
        assert cursor.lastrowid is not None
        return cursor.lastrowid


def _push(db: Database, draft_id: int, state: str) -> None:
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO outbox (draft_id, draft_revision, line_item_id, user_id, payload_json, "
            "state, created_at, updated_at) SELECT id, revision, line_item_id, user_id, '{}', "
            "?, ?, ? FROM drafts WHERE id = ?", (state, T, T, draft_id))


class TestMovedDrafts:
    def test_a_draft_on_the_current_copy_is_no_conflict(self, db: Database,
                                                        connection_id: int, item: str) -> None:
        upsert_results(db, connection_id, item, [result("u1"), result("u2")])
        _draft(db, item, "u1", result("u1"))

        changes = upsert_results(db, connection_id, item, [result("u1"), result("u2", comment="x")])

        assert changes == SnapshotChanges(updated=("u2",))

    @pytest.mark.parametrize("listing", [
        pytest.param([result("u1", result_score=3.0)], id="changed"),
        pytest.param([], id="deleted"),
    ])
    def test_a_draft_whose_server_copy_moved_is_a_conflict(
            self, db: Database, connection_id: int, item: str, listing: list[Result]) -> None:
        upsert_results(db, connection_id, item, [result("u1")])
        _draft(db, item, "u1", result("u1"))

        changes = upsert_results(db, connection_id, item, listing)

        assert changes.conflicts == ("u1",)
        with db.read() as conn:  # a pull never touches drafts
            assert conn.execute("SELECT score_given, base_hash FROM drafts").fetchall() == \
                [(9.0, result_hash(result("u1")))]

    def test_a_draft_made_when_there_was_no_result_conflicts_with_a_new_one(
            self, db: Database, connection_id: int, item: str) -> None:
        _draft(db, item, "u1", None)
        assert upsert_results(db, connection_id, item, [result("u2")]).conflicts == ()
        assert upsert_result(db, connection_id, item, "u1", result("u1")).conflicts == ("u1",)

    @pytest.mark.parametrize(("state", "conflict"), [
        ("queued", True), ("failed", True), ("conflict", True),
        ("sending", False), ("sent", False), ("confirmed", False),
    ])
    def test_a_draft_in_flight_or_done_is_not_flagged(self, db: Database, connection_id: int,
                                                      item: str, state: str,
                                                      conflict: bool) -> None:
        upsert_results(db, connection_id, item, [result("u1")])
        _push(db, _draft(db, item, "u1", result("u1")), state)

        changes = upsert_results(db, connection_id, item, [result("u1", result_score=9.0)])

        assert changes.conflicts == (("u1",) if conflict else ())


# --- Round trips of arbitrary text ----------------------------------------------------------

_TEXT = st.text(max_size=60)
_FINITE = st.floats(allow_nan=False, allow_infinity=False)
_POSITIVE = st.floats(min_value=0, allow_nan=False, allow_infinity=False)
_JSON = st.recursive(st.none() | st.booleans() | _FINITE | st.integers(-(2**53), 2**53) | _TEXT,
                     lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(_TEXT, inner, max_size=3), max_leaves=6)
_OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
_TIMES = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1),
                      timezones=_OFFSETS).map(
    lambda value: value.replace(microsecond=value.microsecond // 1000 * 1000))
_RESULTS = st.lists(
    # A Result is what the spec allows: a non-blank user, scores of 0 or more.
    st.builds(Result, user_id=st.text(min_size=1, max_size=30).filter(str.strip),
              id=st.just(""), result_score=st.none() | _POSITIVE,
              result_maximum=st.none() | _POSITIVE,
              comment=st.none() | st.text(max_size=300), timestamp=st.none() | _TIMES,
              extra=st.dictionaries(st.text(min_size=1, max_size=10).map(lambda k: "x-" + k),
                                    _JSON, max_size=3)),
    max_size=6, unique_by=lambda r: r.user_id)


def test_any_results_round_trip_exactly(db: Database, connection_id: int) -> None:
    numbers = itertools.count(1)

    @settings(max_examples=60, deadline=None)
    @given(results=_RESULTS)
    def round_trip(results: list[Result]) -> None:
        url = item_url(next(numbers))  # a fresh line item per example: versions start at 1
        upsert_line_items(db, connection_id, [line_item(1, id=url)], complete=False)

        changes = upsert_results(db, connection_id, url, results)

        assert changes == SnapshotChanges(added=tuple(r.user_id for r in results))
        rows = list_results(db, connection_id, url)
        expected = sorted(results, key=lambda r: r.user_id)
        assert [row.user_id for row in rows] == [r.user_id for r in expected]
        for row, sent in zip(rows, expected, strict=True):
            assert row.comment == sent.comment
            assert row.score == sent.result_score
            assert row.maximum == sent.result_maximum
            assert row.wire == json.loads(json.dumps(sent.to_wire()))
            assert row.content_hash == result_hash(sent)
            assert row.version == 1 and row.result_url is None
            if sent.timestamp is None:
                assert row.server_timestamp is None
            else:
                assert row.server_timestamp is not None
                assert parse_timestamp(row.server_timestamp) == sent.timestamp
        assert upsert_results(db, connection_id, url, results) == NO_CHANGE

    round_trip()


def test_any_member_names_round_trip_exactly(db: Database, connection_id: int) -> None:
    names = st.none() | st.text(min_size=1, max_size=40)

    @settings(max_examples=40, deadline=None)
    @given(given_name=names, family_name=names, name=names, email=names,
           section=st.none() | _TEXT)
    def round_trip(given_name: str | None, family_name: str | None, name: str | None,
                   email: str | None, section: str | None) -> None:
        sent = member("u1", given_name=given_name, family_name=family_name, name=name,
                      email=email)
        upsert_members(db, connection_id, [sent], sections={"u1": section} if section else {})
        (row,) = list_members(db, connection_id)
        got: dict[str, Any] = {"given": row.given_name, "family": row.family_name,
                               "name": row.name, "email": row.email, "sort": row.sort_name,
                               "section": row.section}
        assert got == {"given": given_name, "family": family_name, "name": name,
                       "email": email, "sort": sent.sort_name, "section": section or None}

    round_trip()
