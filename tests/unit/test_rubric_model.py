"""Rubrics in the domain: the file form read strictly and written back, choices as graders type
them, the comment lead, and a choice carried onto an edited rubric."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradedesk.domain import InputError
from gradedesk.domain.rubrics import (
    RubricChoice,
    carry_choice,
    choose,
    comment_lead,
    criterion_key,
    parse_choice,
    parse_rubric,
    require_complete,
    rubric_comment,
    rubric_from_json,
    rubric_text,
    rubric_to_json,
    working,
)

ESSAY: dict[str, Any] = {
    "title": "Essay rubric",  # a field GradeDesk does not know: kept
    "criteria": [
        {"name": "Clarity", "levels": [
            {"points": 3, "description": "Clear thesis"},
            {"points": 1, "description": "Muddled"}]},
        {"name": "Evidence", "id": "ev-1", "levels": [
            {"points": 4, "description": "Strong"},
            {"points": 2, "description": "Some support"},
            {"points": 0, "description": "None", "color": "red"}]},
        {"name": "Grammar, spelling", "levels": [{"points": 1.5}, {"points": 0}]},
    ],
}


def _essay() -> Any:
    return parse_rubric(json.dumps(ESSAY))


def _edited(criterion: int, level: int, points: float) -> Any:
    changed = json.loads(json.dumps(ESSAY))
    changed["criteria"][criterion]["levels"][level]["points"] = points
    return rubric_from_json(changed)


def test_a_rubric_reads_and_writes_back_with_its_extra_fields() -> None:
    rubric = _essay()
    assert [c.name for c in rubric.criteria] == ["Clarity", "Evidence", "Grammar, spelling"]
    assert rubric.maximum == 3 + 4 + 1.5
    assert rubric.criteria[2].levels[0].description == ""
    written = json.loads(rubric_text(rubric))
    assert written["title"] == "Essay rubric" and written["criteria"][1]["id"] == "ev-1"
    assert written["criteria"][1]["levels"][2]["color"] == "red"
    assert written["criteria"][0]["levels"][0] == {"points": 3, "description": "Clear thesis"}
    assert parse_rubric(rubric_text(rubric)) == rubric
    assert rubric_from_json(rubric_to_json(rubric)) == rubric


@pytest.mark.parametrize(("text", "said"), [
    ("{", "not valid JSON: Expecting property name"),
    ("[]", 'a JSON object with a "criteria" list'),
    ("{}", 'has no "criteria"'),
    ('{"criteria": {}}', '"criteria" must be a list, not an object'),
    ('{"criteria": []}', "list is empty"),
    ('{"criteria": ["Clarity"]}', "Criterion 1 must be an object"),
    ('{"criteria": [{"levels": [{"points": 1}]}]}', 'Criterion 1 needs a "name"'),
    ('{"criteria": [{"name": 7, "levels": [{"points": 1}]}]}', "not the number 7"),
    ('{"criteria": [{"name": "A"}]}', 'Criterion 1 (A) has no "levels"'),
    ('{"criteria": [{"name": "A", "levels": []}]}', "Criterion 1 (A) has no levels"),
    ('{"criteria": [{"name": "A", "levels": [{"description": "x"}]}]}',
     'level 1 has no "points"'),
    ('{"criteria": [{"name": "A", "levels": [{"points": "3"}]}]}',
     "\"points\" must be a number, not the text '3'"),
    ('{"criteria": [{"name": "A", "levels": [{"points": true}]}]}', "not true/false"),
    ('{"criteria": [{"name": "A", "levels": [{"points": 2}, {"points": -1}]}]}',
     "Criterion 1 (A), level 2: \"points\" must be 0 or more, not -1"),
    ('{"criteria": [{"name": "A", "levels": [{"points": NaN}]}]}', "NaN is not a JSON number"),
    ('{"criteria": [{"name": "A", "levels": [{"points": 1, "description": 5}]}]}',
     '"description" must be text'),
    ('{"criteria": [{"name": "A", "levels": [{"points": 1}, {"points": 1.0}]}]}',
     "levels 1 and 2 are both worth 1 point;"),
    ('{"criteria": [{"name": "Clarity", "levels": [{"points": 1}]}, '
     '{"name": " clarity ", "levels": [{"points": 1}]}]}', "Criteria 1 and 2 are both called"),
    ('{"criteria": [{"name": "A=B", "levels": [{"points": 1}]}]}', 'cannot contain "="'),
])
def test_every_malformed_shape_is_a_clear_error(text: str, said: str) -> None:
    with pytest.raises(InputError) as error:
        parse_rubric(text)
    assert said in error.value.user_message


def test_names_and_descriptions_lose_control_characters_and_line_breaks() -> None:
    rubric = parse_rubric(json.dumps({"criteria": [{"name": "  Clar\x1b[2Jity\n ", "levels": [
        {"points": 1, "description": "one\nline"}]}]}))
    assert rubric.criteria[0].name == "Clar[2Jity"
    assert rubric.criteria[0].levels[0].description == "one line"


def test_a_choice_by_points_or_level_number_any_case_gives_the_total_and_the_lead() -> None:
    rubric = _essay()
    choice = parse_choice(rubric, " evidence = #2 ,CLARITY=3, grammar,spelling=1.5")
    assert [level.criterion for level in choice.levels] == [
        "Clarity", "Evidence", "Grammar, spelling"]  # the rubric's order, its spelling
    assert choice.total == 6.5
    require_complete(rubric, choice)
    assert comment_lead(rubric, choice) == ("Clarity: 3/3 — Clear thesis\n"
                                            "Evidence: 2/4 — Some support\n"
                                            "Grammar, spelling: 1.5/1.5")
    assert rubric_comment(rubric, choice, "  Well argued.  ") == (
        comment_lead(rubric, choice) + "\n\nWell argued.")
    assert rubric_comment(rubric, choice, "  ") == comment_lead(rubric, choice)
    assert choose(rubric, {"CLARITY": 0, "Evidence": 1, "grammar, spelling": 0}) == choice


@pytest.mark.parametrize(("text", "said"), [
    ("", "No levels given: write them as Clarity=3,Evidence=4,Grammar, spelling=1.5"),
    ("Style=1", "The rubric has no criterion 'Style'; its criteria are Clarity, Evidence"),
    ("Clarity=2", "Clarity=2: no level is worth that; Clarity takes 3 or 1 points, or #1 to "
                  "#2"),
    ("Clarity=#3", "Clarity=#3: there is no such level"),
    ("Clarity=#0", "Clarity=#0: there is no such level"),
    ("Clarity=three", "Clarity=three: no level is worth that"),
    ("Clarity=", "Clarity=(nothing): no level is worth that"),
    ("Clarity=3,clarity=1", "Clarity is given twice"),
    ("Clarity, Evidence=2", "No level given for Clarity: write Clarity=POINTS"),
    ("Evidence=2, Clarity", "No level given for Clarity: write Clarity=POINTS"),
    ("=3", "names no criterion"),
])
def test_a_wrong_choice_is_a_clear_error(text: str, said: str) -> None:
    with pytest.raises(InputError) as error:
        parse_choice(_essay(), text)
    assert said in error.value.user_message


def test_a_partial_choice_is_kept_but_is_no_score() -> None:
    rubric = _essay()
    partial = parse_choice(rubric, "Evidence=0,,")
    assert partial.total == 0 and partial.missing(rubric) == ("Clarity", "Grammar, spelling")
    with pytest.raises(InputError) as error:
        require_complete(rubric, partial)
    assert "No level chosen for Clarity, Grammar, spelling" in error.value.user_message


def test_a_choice_survives_storage_as_json() -> None:
    choice = parse_choice(_essay(), "Clarity=1,Evidence=4,Grammar, spelling=0")
    assert RubricChoice.from_json(json.loads(json.dumps(choice.to_json()))) == choice


def test_an_edited_level_is_found_again_with_its_new_points() -> None:
    choice = parse_choice(_essay(), "Clarity=3,Evidence=2,Grammar, spelling=0")
    edited = _edited(1, 1, 3)  # "Some support" is now worth 3
    carried = carry_choice(choice, edited)
    assert carried.complete and carried.choice.total == 6
    assert carried.choice.level_for("evidence") is not None
    assert working(choice, carried) == "Evidence 2→3: 5 → 6"
    assert "Evidence: 3/4 — Some support" in comment_lead(edited, carried.choice)


def test_levels_are_found_by_description_then_position_then_points() -> None:
    choice = parse_choice(_essay(), "Clarity=1,Evidence=#2,Grammar, spelling=1.5")
    shuffled = json.loads(json.dumps(ESSAY))
    shuffled["criteria"][1]["levels"].reverse()  # reordered: found by its description
    shuffled["criteria"][0]["levels"][1]["description"] = "Unclear"  # renamed: same place
    shuffled["criteria"][2]["levels"].insert(0, {"points": 2})  # one more: same points
    carried = carry_choice(choice, rubric_from_json(shuffled))
    assert [(level.position, level.points) for level in carried.choice.levels] == [
        (1, 1), (1, 2), (1, 1.5)]


def test_a_removed_criterion_drops_out_and_a_new_one_needs_a_level() -> None:
    choice = parse_choice(_essay(), "Clarity=3,Evidence=2,Grammar, spelling=1.5")
    fewer = json.loads(json.dumps(ESSAY))
    del fewer["criteria"][2]
    carried = carry_choice(choice, rubric_from_json(fewer))
    assert carried.complete and carried.choice.total == 5
    assert working(choice, carried) == "Grammar, spelling removed: 6.5 → 5"
    more = json.loads(json.dumps(ESSAY))
    more["criteria"].append({"name": "Style", "levels": [{"points": 1}]})
    more["criteria"][1]["levels"] = [{"points": 9, "description": "Other"}]
    unsure = carry_choice(choice, rubric_from_json(more))
    assert unsure.unchosen == ("Evidence", "Style") and not unsure.complete


_names = st.text(st.characters(categories=("L", "N"), include_characters=" ,-"), min_size=1,
                 max_size=12).filter(lambda name: name.strip(" ,") == name and name.strip())


@st.composite
def _rubrics(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(_names, min_size=1, max_size=5,
                          unique_by=criterion_key))
    return {"criteria": [
        {"name": name, "levels": [{"points": points, "description": f"level {points}"}
                                  for points in draw(st.lists(
                                      st.integers(0, 20), min_size=1, max_size=5,
                                      unique=True))]}
        for name in names]}


@given(_rubrics(), st.data())
def test_any_rubric_round_trips_and_any_written_choice_reads_back(
        raw: dict[str, Any], data: st.DataObject) -> None:
    rubric = rubric_from_json(raw)
    assert parse_rubric(rubric_text(rubric)) == rubric
    picks = {criterion.name: data.draw(st.integers(0, len(criterion.levels) - 1))
             for criterion in rubric.criteria}
    choice = choose(rubric, picks)
    text = ", ".join(f"{level.criterion}={level.points:g}" for level in choice.levels)
    assert parse_choice(rubric, text) == choice
    assert choice.total == sum(rubric.criteria[i].levels[p].points
                               for i, p in enumerate(picks.values()))
