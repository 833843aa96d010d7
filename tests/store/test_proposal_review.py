"""Proposed grades on a real database file: stored one per cell, never queued; accepting one
makes an ordinary queued draft; one whose cell moved since it was proposed is left alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_support import item_url, line_item, member, opened, result

from gradedesk.domain import InputError
from gradedesk.store import ConnectionRow, OutboxState, drafts, outbox, snapshots
from gradedesk.store.connections import add_connection
from gradedesk.store.db import Database
from gradedesk.store.proposals import (
    NewProposal,
    count_proposals,
    drop_proposals,
    list_proposals,
    propose,
)
from gradedesk.sync.proposals import review_proposals

ITEM = item_url(1)
OTHER_ITEM = item_url(2)


@pytest.fixture
def course(db: Database) -> ConnectionRow:
    row = add_connection(db, "Canvas", "lti", {"issuer": "https://canvas.test"})
    snapshots.upsert_line_items(db, row.id, [line_item(1), line_item(2)])
    snapshots.upsert_members(db, row.id, [member("u1"), member("u2"), member("u3")])
    snapshots.upsert_results(db, row.id, ITEM, [result("u1", result_score=90.0)])
    return row


def _late(user: str, score: float, item: str = ITEM) -> NewProposal:
    return NewProposal(item, user, score, "Late penalty: 10% (1 day late)", "late",
                       f"90 - 10% late = {score:g}")


def test_a_proposal_is_stored_per_cell_and_queues_nothing(db: Database,
                                                          course: ConnectionRow) -> None:
    assert propose(db, course.id, [_late("u1", 81.0), _late("u2", 0.0, OTHER_ITEM)]) == 2
    # A newer proposal for the same cell replaces the older one.
    propose(db, course.id, [_late("u1", 72.0)])
    rows = list_proposals(db, course.id)
    assert [(r.line_item_url, r.user_id, r.score) for r in rows] == [
        (ITEM, "u1", 72.0), (OTHER_ITEM, "u2", 0.0)]
    assert rows[0].based_on.present and rows[0].based_on.score == 90.0
    assert not rows[1].based_on.present  # u2 had nothing in the other column
    assert [r.user_id for r in list_proposals(db, course.id, OTHER_ITEM)] == ["u2"]
    assert list_proposals(db, course.id, user_id="u3") == []
    assert count_proposals(db, course.id) == 2
    assert drafts.list_drafts(db, course.id) == []
    assert outbox.entries(db, course.id, (OutboxState.QUEUED,)) == []


def test_nonsense_is_refused_and_nothing_is_stored(db: Database, course: ConnectionRow) -> None:
    with pytest.raises(InputError, match="reason"):
        propose(db, course.id, [_late("u1", 81.0), NewProposal(ITEM, "u2", 1.0, None, "curve",
                                                               "x")])
    with pytest.raises(InputError, match="0 or more"):
        propose(db, course.id, [NewProposal(ITEM, "u2", -1.0, None, "late", "x")])
    assert list_proposals(db, course.id) == []


def test_accepting_makes_a_queued_draft_and_drops_the_proposal(db: Database,
                                                                course: ConnectionRow) -> None:
    propose(db, course.id, [_late("u1", 81.0)])
    review = review_proposals(db, course, list_proposals(db, course.id))
    assert review.stale == ()
    [draft] = review.accepted
    assert (draft.user_id, draft.score_given) == ("u1", 81.0)
    assert draft.comment == "Late penalty: 10% (1 day late)"
    assert [e.user_id for e in outbox.entries(db, course.id, (OutboxState.QUEUED,))] == ["u1"]
    assert list_proposals(db, course.id) == []


def test_a_late_note_is_added_after_the_graders_own_words(db: Database,
                                                           course: ConnectionRow) -> None:
    drafts.save_draft(db, course.id, ITEM, "u1", drafts.DraftEdit(score_given=90.0,
                                                                  comment="Well argued."))
    propose(db, course.id, [_late("u1", 81.0)])
    [draft] = review_proposals(db, course, list_proposals(db, course.id)).accepted
    assert draft.comment == "Well argued.\n\nLate penalty: 10% (1 day late)"


def test_a_proposal_whose_cell_moved_is_left_alone(db: Database, course: ConnectionRow) -> None:
    propose(db, course.id, [_late("u1", 81.0), _late("u3", 0.0)])
    # A colleague's newer grade arrives for u1 after the proposal was worked out.
    snapshots.upsert_results(db, course.id, ITEM, [result("u1", result_score=95.0)])
    review = review_proposals(db, course, list_proposals(db, course.id))
    assert [d.user_id for d in review.accepted] == ["u3"]
    assert [p.user_id for p in review.stale] == ["u1"]
    assert drafts.get_draft(db, course.id, ITEM, "u1") is None
    assert [p.user_id for p in list_proposals(db, course.id)] == ["u1"]


def test_rejecting_drops_only_this_connections_proposals(data_dir: Path, db: Database,
                                                         course: ConnectionRow) -> None:
    other = add_connection(db, "Moodle", "lti", {"issuer": "https://moodle.test"})
    snapshots.upsert_line_items(db, other.id, [line_item(1)])
    snapshots.upsert_members(db, other.id, [member("u1")])
    propose(db, other.id, [_late("u1", 5.0)])
    propose(db, course.id, [_late("u1", 81.0)])
    theirs = list_proposals(db, other.id)
    assert drop_proposals(db, course.id, [p.id for p in theirs]) == 0
    assert drop_proposals(db, course.id, [p.id for p in list_proposals(db, course.id)]) == 1
    assert list_proposals(db, course.id) == [] and len(list_proposals(db, other.id)) == 1
    with opened(data_dir) as again:  # kept on disk
        assert len(list_proposals(again, other.id)) == 1


def test_a_changed_rules_note_replaces_the_one_not_sent_yet(db: Database,
                                                             course: ConnectionRow) -> None:
    drafts.save_draft(db, course.id, ITEM, "u1", drafts.DraftEdit(score_given=90.0,
                                                                  comment="Well argued."))
    propose(db, course.id, [_late("u1", 81.0)])
    review_proposals(db, course, list_proposals(db, course.id))
    # The rule changes before the push: the new note replaces the first, the words stay.
    propose(db, course.id, [NewProposal(ITEM, "u1", 72.0, "Late penalty: 20% (2 days late)",
                                        "late", "90 - 20% late = 72")])
    [draft] = review_proposals(db, course, list_proposals(db, course.id)).accepted
    assert draft.comment == "Well argued.\n\nLate penalty: 20% (2 days late)"


def test_only_a_notes_own_kind_is_replaced_never_the_graders_words(
        db: Database, course: ConnectionRow) -> None:
    drafts.save_draft(db, course.id, ITEM, "u2", drafts.DraftEdit(
        comment="Missing units in table 2.\n\nLate penalty talk: see me."))
    propose(db, course.id, [NewProposal(ITEM, "u2", 0.0, "Missing: no submission by 1 March.",
                                        "missing", "no submission by 1 March")])
    [draft] = review_proposals(db, course, list_proposals(db, course.id)).accepted
    assert draft.comment == ("Missing units in table 2.\n\nLate penalty talk: see me.\n\n"
                             "Missing: no submission by 1 March.")
