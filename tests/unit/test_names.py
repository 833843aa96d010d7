"""Issue 9, finding 9: the names a grader can see work as input, one rule for CLI and window."""

from __future__ import annotations

import pytest

from gradedesk.domain.names import Ambiguous, PersonNames, find_person, fold, matches_filter

PEOPLE = [
    PersonNames("u-1", name="Oluwaseun Murphy", given_name="Oluwaseun", family_name="Murphy",
                sort_name="Murphy, Oluwaseun", email="o.murphy@example.edu"),
    PersonNames("u-2", name="Mateo García", given_name="Mateo", family_name="García",
                sort_name="García, Mateo", email="m.garcia@example.edu"),
    PersonNames("u-3", name="Lucía García", given_name="Lucía", family_name="García",
                sort_name="García, Lucía"),
    PersonNames("u-4"),  # a platform without Names and Roles: an id and nothing else
]


def who(query: str) -> str | None:
    found = find_person(query, PEOPLE, lambda person: person)
    return None if found is None else found.user_id


@pytest.mark.parametrize("query", [
    "Murphy, Oluwaseun", "Oluwaseun Murphy", "oluwaseun murphy", "  MURPHY,  oluwaseun ",
    "murphy", "O.Murphy@example.edu", "u-1"])
def test_every_spelling_of_a_name_finds_the_student(query: str) -> None:
    assert who(query) == "u-1"


@pytest.mark.parametrize("query", ["Mateo Garcia", "garcia, mateo", "Mateo García"])
def test_accents_are_optional(query: str) -> None:
    assert who(query) == "u-2"


def test_a_shared_surname_lists_the_candidates() -> None:
    with pytest.raises(Ambiguous) as caught:
        who("Garcia")
    assert {getattr(person, "user_id", None) for person in caught.value.candidates} == \
        {"u-2", "u-3"}


def test_nobody_and_ids_without_names() -> None:
    assert who("Nobody Atall") is None and who("") is None
    assert who("u-4") == "u-4"


def test_the_filter_is_accent_and_case_blind() -> None:
    assert [p.user_id for p in PEOPLE if matches_filter("garcia", p)] == ["u-2", "u-3"]
    assert [p.user_id for p in PEOPLE if matches_filter("GARCÍA, luc", p)] == ["u-3"]
    assert fold("  Lucía   GARCÍA ") == "lucia garcia"
