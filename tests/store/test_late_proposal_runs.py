"""Applying a late rule and "mark missing" on a real database file, for the cases a sandbox run
does not reach: a rejected proposal comes back, a regrade is a new base, a penalty is taken back
when the rule no longer finds the work late, a dry run writes nothing, and "missing" never
proposes a zero over anything a student or a grader put in the column."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from store_support import item_url, line_item, member, result

from gradedesk.domain import CANVAS_SUBMISSION_EXTENSION, GradingProgress, InputError, Result
from gradedesk.domain.late_policy import LateRule
from gradedesk.store import ConnectionRow, drafts, snapshots
from gradedesk.store.connections import add_connection
from gradedesk.store.db import Database
from gradedesk.store.late_rules import save_rule
from gradedesk.store.proposals import drop_proposals, list_proposals
from gradedesk.sync.late_proposals import due_date_of, propose_late, propose_missing
from gradedesk.sync.proposals import review_proposals

ITEM = item_url(1)
DUE = datetime(2026, 3, 2, 23, 59, tzinfo=UTC)
AFTER = DUE + timedelta(days=10)
M = "\u2212"
RULE = LateRule.parse("10", cap="30")


def _handed_in(user_id: str, late: timedelta, score: float | None = None) -> Result:
    when = (DUE + late).isoformat()
    return result(user_id, result_score=score, result_maximum=100.0, comment=None,
                  extra={CANVAS_SUBMISSION_EXTENSION: {"submitted_at": when}})


@pytest.fixture
def course(db: Database) -> ConnectionRow:
    row = add_connection(db, "Canvas", "lti", {"issuer": "https://canvas.test"})
    snapshots.upsert_line_items(db, row.id, [
        line_item(1, score_maximum=100.0, end_date_time=DUE), line_item(2)])
    snapshots.upsert_members(db, row.id, [member(f"u{n}") for n in range(1, 7)])
    return row


def _run(db: Database, course: ConnectionRow, rule: LateRule = RULE, *,
         dry_run: bool = False) -> dict[str, tuple[float, float, str]]:
    item = snapshots.get_line_item(db, course.id, ITEM)
    assert item is not None
    run = propose_late(db, course, item, rule, dry_run=dry_run)
    return {p.user_id: (p.was, p.score, p.working) for p in run.proposed}


def _accept_all(db: Database, course: ConnectionRow) -> None:
    review = review_proposals(db, course, list_proposals(db, course.id))
    assert review.stale == ()


def test_a_rejected_proposal_comes_back_and_an_accepted_one_does_not(
        db: Database, course: ConnectionRow) -> None:
    snapshots.upsert_results(db, course.id, ITEM, [_handed_in("u1", timedelta(hours=2), 90.0)])
    assert _run(db, course) == {"u1": (90.0, 81.0, f"90 {M} 10% late (1 day) = 81")}
    drop_proposals(db, course.id, [p.id for p in list_proposals(db, course.id)])
    assert _run(db, course) == {"u1": (90.0, 81.0, f"90 {M} 10% late (1 day) = 81")}
    _accept_all(db, course)
    assert drafts.get_draft(db, course.id, ITEM, "u1").score_given == 81.0  # type: ignore[union-attr]
    assert _run(db, course) == {}
    assert list_proposals(db, course.id) == []


def test_a_regrade_after_the_penalty_is_the_new_base(db: Database,
                                                    course: ConnectionRow) -> None:
    snapshots.upsert_results(db, course.id, ITEM, [_handed_in("u1", timedelta(hours=2), 90.0)])
    _run(db, course)
    _accept_all(db, course)
    drafts.save_draft(db, course.id, ITEM, "u1", drafts.DraftEdit(score_given=60.0))
    assert _run(db, course) == {"u1": (60.0, 54.0, f"60 {M} 10% late (1 day) = 54")}


def test_a_penalty_is_taken_back_when_the_rule_no_longer_finds_the_work_late(
        db: Database, course: ConnectionRow) -> None:
    snapshots.upsert_results(db, course.id, ITEM, [_handed_in("u1", timedelta(minutes=20), 90.0)])
    _run(db, course)
    _accept_all(db, course)
    lenient = LateRule.parse("10", cap="30", grace_minutes="30")
    assert _run(db, course, lenient) == {
        "u1": (81.0, 90.0, "within the 30-minute grace period: 81 back to 90")}
    [proposal] = list_proposals(db, course.id)
    assert proposal.comment == "Late penalty removed (within the 30-minute grace period): 90."
    _accept_all(db, course)
    assert _run(db, course, lenient) == {}
    assert _run(db, course) == {"u1": (90.0, 81.0, f"90 {M} 10% late (1 day) = 81")}


def test_a_dry_run_writes_nothing(db: Database, course: ConnectionRow) -> None:
    snapshots.upsert_results(db, course.id, ITEM, [_handed_in("u1", timedelta(days=2), 50.0)])
    assert _run(db, course, dry_run=True) == {"u1": (50.0, 40.0, f"50 {M} 20% late (2 days) = 40")}
    assert list_proposals(db, course.id) == []
    # Nothing recorded either: accepting a hand-typed 40 later is a base, not a penalty.
    drafts.save_draft(db, course.id, ITEM, "u1", drafts.DraftEdit(score_given=40.0))
    assert _run(db, course) == {"u1": (40.0, 32.0, f"40 {M} 20% late (2 days) = 32")}


def test_skips_are_counted_with_their_reasons(db: Database, course: ConnectionRow) -> None:
    snapshots.upsert_results(db, course.id, ITEM, [
        _handed_in("u1", timedelta(days=1), None),  # handed in, not graded
        result("u2", result_score=7.0),  # graded, no submitted time
        result("u3", result_score=7.0, extra={CANVAS_SUBMISSION_EXTENSION: {
            "submitted_at": "yesterday"}}),
        _handed_in("u4", -timedelta(days=1), 70.0),  # on time
    ])
    item = snapshots.get_line_item(db, course.id, ITEM)
    assert item is not None
    run = propose_late(db, course, item, RULE)
    assert run.proposed == () and run.on_time == 1 and run.late_unchanged == 0
    assert run.skipped == {"not_graded": 1, "no_submitted_time": 1,
                           "unreadable_submitted_time": 1}


def test_a_column_without_a_due_date_is_refused(db: Database, course: ConnectionRow) -> None:
    item = snapshots.get_line_item(db, course.id, item_url(2))
    assert item is not None
    with pytest.raises(InputError, match="no due date"):
        due_date_of(item, "Canvas")
    with pytest.raises(InputError, match="no due date"):
        propose_late(db, course, item, RULE)
    with pytest.raises(InputError, match="no due date"):
        propose_missing(db, course, item, now=AFTER)


def test_missing_never_proposes_a_zero_over_anything_put_in_the_column(
        db: Database, course: ConnectionRow) -> None:
    snapshots.upsert_results(db, course.id, ITEM, [
        _handed_in("u1", timedelta(days=1)),  # handed in late, not graded yet
        result("u2", result_score=None, comment=None),  # a result without a score
        result("u3", result_score=0.5),  # a score
    ])
    drafts.save_draft(db, course.id, ITEM, "u4", drafts.DraftEdit(
        grading_progress=GradingProgress.PENDING_MANUAL))
    drafts.save_draft(db, course.id, ITEM, "u5", drafts.DraftEdit(comment="Where is it?"))
    item = snapshots.get_line_item(db, course.id, ITEM)
    assert item is not None
    run = propose_missing(db, course, item, now=AFTER)
    assert [p.user_id for p in run.proposed] == ["u5", "u6"]
    assert run.skipped == {"submitted": 1, "result_without_score": 1, "graded": 1,
                           "waiting_for_grade": 1}
    assert {(p.user_id, p.score, p.reason) for p in list_proposals(db, course.id)} == {
        ("u5", 0.0, "missing"), ("u6", 0.0, "missing")}


def test_nothing_is_missing_before_the_due_date_and_its_grace(db: Database,
                                                              course: ConnectionRow) -> None:
    item = snapshots.get_line_item(db, course.id, ITEM)
    assert item is not None
    save_rule(db, course.id, ITEM, LateRule.parse("10", grace_minutes="30"))
    with pytest.raises(InputError, match="nothing is missing before then"):
        propose_missing(db, course, item, now=DUE + timedelta(minutes=30))
    assert len(propose_missing(db, course, item, now=DUE + timedelta(minutes=31)).proposed) == 6
