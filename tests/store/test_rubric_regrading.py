"""Grading with a rubric and editing the rubric afterwards, on a real database file: a rubric
grade is a queued draft (total as score, levels leading the comment); an edited rubric only
*proposes* the recomputed grades of the cells it changes, and follows what became of them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from store_support import item_url, line_item, member, result

from gradedesk.domain import InputError
from gradedesk.domain.rubrics import Rubric, rubric_from_json
from gradedesk.store import ConnectionRow, Database, drafts, outbox, snapshots
from gradedesk.store.connections import add_connection
from gradedesk.store.proposals import list_proposals
from gradedesk.sync.grading import save_grade
from gradedesk.sync.proposals import accept_proposals
from gradedesk.sync.rubric_grading import grade_with_rubric, replace_rubric

ITEM = item_url(1)
ESSAY: dict[str, Any] = {"criteria": [
    {"name": "Clarity", "levels": [{"points": 3, "description": "Clear thesis"},
                                   {"points": 1, "description": "Muddled"}]},
    {"name": "Evidence", "levels": [{"points": 4, "description": "Strong"},
                                    {"points": 2, "description": "Some support"},
                                    {"points": 0, "description": "None"}]}]}


def _rubric(**points: float) -> Rubric:
    """The essay rubric with some levels' points changed: ``Some_support=3``."""
    edited = json.loads(json.dumps(ESSAY))
    for criterion in edited["criteria"]:
        for level in criterion["levels"]:
            level["points"] = points.get(level["description"].replace(" ", "_"),
                                         level["points"])
    return rubric_from_json(edited)


@pytest.fixture
def course(db: Database) -> ConnectionRow:
    connection = add_connection(db, "Canvas", "lti", {"issuer": "https://canvas.test"})
    snapshots.upsert_line_items(db, connection.id, [line_item(1)])
    snapshots.upsert_members(db, connection.id, [member(f"u{n}") for n in range(1, 6)])
    # u5 holds a platform grade already: a rubric grade is a correction of it.
    snapshots.upsert_results(db, connection.id, ITEM, [result("u5", comment=None)])
    replace_rubric(db, connection, ITEM, _rubric())
    return connection


def _drafts(db: Database, connection: ConnectionRow) -> dict[str, tuple[float | None, str | None,
                                                                        int]]:
    return {d.user_id: (d.score_given, d.comment, d.revision)
            for d in drafts.list_drafts(db, connection.id)}


def test_a_rubric_grade_is_a_queued_draft_with_the_total_and_the_levels(
        db: Database, course: ConnectionRow) -> None:
    graded = grade_with_rubric(db, course, ITEM, "u5", "Clarity=3, evidence=#2",
                               own_comment="Good start.")
    assert graded.draft.score_given == 5 and graded.choice.total == 5
    assert graded.draft.comment == ("Clarity: 3/3 — Clear thesis\n"
                                    "Evidence: 2/4 — Some support\n\nGood start.")
    assert graded.draft.base.present and graded.draft.base.score == 7.5  # a correction
    entries = outbox.entries(db, course.id)
    assert [(e.user_id, e.state.value) for e in entries] == [("u5", "queued")]


@pytest.mark.parametrize(("choice", "said"), [
    ("Clarity=3", "No level chosen for Evidence"),
    ("Clarity=3,Evidence=5", "no level is worth that"),
    ("Clarity=3,Evidence=2,Style=1", "no criterion 'Style'"),
])
def test_a_partial_or_wrong_choice_saves_nothing(db: Database, course: ConnectionRow,
                                                 choice: str, said: str) -> None:
    with pytest.raises(InputError, match=said):
        grade_with_rubric(db, course, ITEM, "u1", choice)
    assert _drafts(db, course) == {}


def test_a_column_without_a_rubric_says_how_to_give_it_one(db: Database,
                                                           course: ConnectionRow) -> None:
    snapshots.upsert_line_items(db, course.id, [line_item(1), line_item(2)])
    with pytest.raises(InputError, match="gradedesk rubric import Canvas"):
        grade_with_rubric(db, course, item_url(2), "u1", "Clarity=3,Evidence=2")


def test_an_edited_level_proposes_the_affected_cells_only(db: Database,
                                                          course: ConnectionRow) -> None:
    grade_with_rubric(db, course, ITEM, "u1", "Clarity=3,Evidence=2", own_comment="Mine.")
    grade_with_rubric(db, course, ITEM, "u2", "Clarity=1,Evidence=4")
    grade_with_rubric(db, course, ITEM, "u3", "Clarity=3,Evidence=#2")
    before = _drafts(db, course)

    change = replace_rubric(db, course, ITEM, _rubric(Some_support=3))

    assert change.replaced and change.unchanged == ("u2",)
    assert [(p.user_id, p.old_total, p.new_total, p.working) for p in change.proposed] == [
        ("u1", 5, 6, "Evidence 2→3: 5 → 6"), ("u3", 5, 6, "Evidence 2→3: 5 → 6")]
    proposals = {p.user_id: p for p in list_proposals(db, course.id, ITEM)}
    assert set(proposals) == {"u1", "u3"}
    assert proposals["u1"].reason == "rubric" and proposals["u1"].score == 6
    assert proposals["u1"].working == "Evidence 2→3: 5 → 6"
    assert proposals["u1"].comment == ("Clarity: 3/3 — Clear thesis\n"
                                       "Evidence: 3/4 — Some support\n\nMine.")
    assert _drafts(db, course) == before, "nothing is queued until a person accepts"


def test_an_accepted_proposal_is_the_base_of_the_next_edit(db: Database,
                                                           course: ConnectionRow) -> None:
    grade_with_rubric(db, course, ITEM, "u1", "Clarity=3,Evidence=2")
    replace_rubric(db, course, ITEM, _rubric(Some_support=3))
    accepted = accept_proposals(db, course, list_proposals(db, course.id, ITEM))
    assert [(d.user_id, d.score_given) for d in accepted] == [("u1", 6)]

    change = replace_rubric(db, course, ITEM, _rubric(Some_support=3, Clear_thesis=2))
    assert [(p.user_id, p.working) for p in change.proposed] == [
        ("u1", "Clarity 3→2: 6 → 5")]


def test_edits_before_review_are_worked_from_the_grade_the_student_has(
        db: Database, course: ConnectionRow) -> None:
    grade_with_rubric(db, course, ITEM, "u1", "Clarity=3,Evidence=2")
    replace_rubric(db, course, ITEM, _rubric(Some_support=3))
    change = replace_rubric(db, course, ITEM, _rubric(Some_support=3, Clear_thesis=2))
    # 2 + 3 is the total u1 has: nothing to propose, and the earlier proposal is gone.
    assert change.unchanged == ("u1",) and change.proposed == ()
    assert list_proposals(db, course.id, ITEM) == []

    # The levels now point at that rubric: the next edit is worked from it.
    change = replace_rubric(db, course, ITEM, _rubric(Some_support=3.5, Clear_thesis=2))
    assert [p.working for p in change.proposed] == ["Evidence 3→3.5: 5 → 5.5"]


def test_a_grade_changed_by_other_means_is_left_alone(db: Database,
                                                      course: ConnectionRow) -> None:
    grade_with_rubric(db, course, ITEM, "u1", "Clarity=3,Evidence=2")
    save_grade(db, course, ITEM, "u1", drafts.DraftEdit(score_given=4.5))  # typed over
    change = replace_rubric(db, course, ITEM, _rubric(Some_support=3))
    assert change.changed_since == ("u1",) and change.proposed == ()
    assert list_proposals(db, course.id, ITEM) == []


def test_a_new_criterion_needs_a_level_and_proposes_nothing(db: Database,
                                                            course: ConnectionRow) -> None:
    grade_with_rubric(db, course, ITEM, "u1", "Clarity=3,Evidence=2")
    replace_rubric(db, course, ITEM, _rubric(Some_support=3))
    wider = json.loads(json.dumps(ESSAY))
    wider["criteria"].append({"name": "Style", "levels": [{"points": 1}, {"points": 0}]})
    change = replace_rubric(db, course, ITEM, rubric_from_json(wider))
    assert change.needs_levels == (("u1", ("Style",)),) and change.proposed == ()
    assert list_proposals(db, course.id, ITEM) == [], "the earlier proposal is out of date"


def test_grading_again_by_rubric_ends_the_cells_rubric_proposal(
        db: Database, course: ConnectionRow) -> None:
    grade_with_rubric(db, course, ITEM, "u1", "Clarity=3,Evidence=2")
    grade_with_rubric(db, course, ITEM, "u2", "Clarity=3,Evidence=2")
    replace_rubric(db, course, ITEM, _rubric(Some_support=3))
    regraded = grade_with_rubric(db, course, ITEM, "u1", "Clarity=1,Evidence=3")
    assert regraded.draft.score_given == 4
    assert [p.user_id for p in list_proposals(db, course.id, ITEM)] == ["u2"]
    change = replace_rubric(db, course, ITEM, _rubric(Some_support=3, Muddled=0))
    assert [(p.user_id, p.working) for p in change.proposed] == [
        ("u1", "Clarity 1→0: 4 → 3"), ("u2", "Evidence 2→3: 5 → 6")]
