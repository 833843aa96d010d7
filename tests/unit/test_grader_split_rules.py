"""The split among graders (domain.grader_split): every student to exactly one grader, the same
split for the same roster, graders and seed whatever the order students come in, the process
or the machine, and the file form a teacher edits by hand."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradedesk.domain import InputError
from gradedesk.domain.grader_split import (
    FILE_MODE,
    GraderSplit,
    SplitMode,
    SplitStudent,
    parse_graders,
    read_split_document,
    split_document,
    split_students,
)

GRADERS = ("Ana", "Ben", "Chi")
SURNAMES = ["Zhou", "Ábel", "abbott", "Müller", "Mueller", "Okafor", "Nguyen", "García",
            "Garcia", "O'Neil", "van Dijk", "Łukasz", "Smith", "Østergaard", "Íñiguez",
            "Brown", "Kowalski", "Murphy", "Lee", "Patel", "Rossi", "Dubois", "Ivanova",
            "Tanaka", "Silva"]


def roster(count: int = 25, sections: tuple[str | None, ...] = (None,)) -> list[SplitStudent]:
    return [SplitStudent(f"u{index:03d}", f"{SURNAMES[index % len(SURNAMES)]}, Kim{index}",
                         sections[index % len(sections)]) for index in range(count)]


def every_student_once(split: GraderSplit, students: list[SplitStudent]) -> None:
    listed = Counter(user_id for grader in split.graders
                     for user_id in split.students_of(grader))
    assert set(listed) == {s.user_id for s in students}
    assert set(listed.values()) == {1}
    assert set(split.assignments) == set(split.graders)


@pytest.mark.parametrize("mode", list(SplitMode))
def test_every_student_goes_to_exactly_one_grader(mode: SplitMode) -> None:
    students = roster(25, ("A", "B", "C", None))
    split = split_students(students, GRADERS, mode, seed=0)
    every_student_once(split, students)
    assert split.graders == GRADERS and split.mode == mode.value


@given(count=st.integers(1, 80), graders=st.integers(1, 7), seed=st.integers(-5, 10**6),
       mode=st.sampled_from(list(SplitMode)))
def test_coverage_and_balance_hold_for_any_roster(count: int, graders: int, seed: int,
                                                  mode: SplitMode) -> None:
    students = roster(count, ("Mon", "Tue", None))
    names = [f"Grader {n}" for n in range(graders)]
    split = split_students(students, names, mode, seed)
    every_student_once(split, students)
    if mode is not SplitMode.SECTION:
        sizes = [len(split.students_of(g)) for g in names]
        assert max(sizes) - min(sizes) <= 1
        assert sizes == sorted(sizes, reverse=True)  # the extra ones go to the first graders


@pytest.mark.parametrize("mode", list(SplitMode))
def test_the_order_students_come_in_changes_nothing(mode: SplitMode) -> None:
    students = roster(40, ("A", "B", None))
    expected = split_students(students, GRADERS, mode, seed=7)
    for shuffle_seed in range(5):
        shuffled = students[:]
        random.Random(shuffle_seed).shuffle(shuffled)
        again = split_students(shuffled, GRADERS, mode, seed=7)
        assert again.assignments == expected.assignments
        assert again.digest == expected.digest


def test_the_seed_changes_a_balanced_split_and_the_same_seed_repeats_it() -> None:
    students = roster(30)
    first = split_students(students, GRADERS, SplitMode.BALANCED, seed=0)
    assert split_students(students, GRADERS, SplitMode.BALANCED, seed=0) == first
    others = [split_students(students, GRADERS, SplitMode.BALANCED, seed=s) for s in (1, 2, 3)]
    assert all(other.assignments != first.assignments for other in others)
    assert len({other.digest for other in others} | {first.digest}) == 4


def test_the_default_is_balanced_with_seed_zero() -> None:
    students = roster(12)
    assert split_students(students, GRADERS) == split_students(
        students, GRADERS, SplitMode.BALANCED, 0)


def test_balanced_is_not_alphabetical() -> None:
    """A shuffle: Ana does not get the first third of the alphabet."""
    students = roster(60)
    split = split_students(students, GRADERS, SplitMode.BALANCED)
    by_name = split_students(students, GRADERS, SplitMode.NAME)
    assert split.assignments != by_name.assignments


def test_the_same_split_in_processes_with_different_hash_seeds() -> None:
    """No Python hash(), no set order: two processes with different PYTHONHASHSEED, given the
    roster as a set (iterated in their own orders), make the same split."""
    program = (
        "import json, sys\n"
        "from gradedesk.domain.grader_split import SplitStudent, split_students\n"
        "students = {SplitStudent(f'user-{n}', f'Name {n % 7}, X', None) for n in range(50)}\n"
        "for mode in ('name', 'balanced'):\n"
        "    split = split_students(students, ['Ana', 'Ben', 'Chi'], mode, 3)\n"
        "    print(json.dumps({g: list(split.students_of(g)) for g in split.graders}))\n")
    outputs = set()
    for hash_seed in ("1", "2", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                              env=env, check=True, timeout=60)
        outputs.add(done.stdout)
    assert len(outputs) == 1
    name_split, balanced = (json.loads(line) for line in outputs.pop().splitlines())
    assert sum(len(ids) for ids in balanced.values()) == 50
    assert name_split != balanced


def test_by_name_gives_contiguous_alphabetical_blocks_without_a_locale() -> None:
    students = [SplitStudent("1", "Zhou, Li"), SplitStudent("2", "Ábel, Anna"),
                SplitStudent("3", "abbott, Ben"), SplitStudent("4", "Adams, Cy"),
                SplitStudent("5", "Garcia, Dan"), SplitStudent("6", "García, Eva"),
                SplitStudent("7", "Østergaard, Finn")]
    split = split_students(students, ["Ana", "Ben", "Chi"], SplitMode.NAME)
    # Accents and case do not move anyone: "Ábel" sits between "abbott" and "Adams".
    assert split.students_of("Ana") == ("3", "2", "4")
    assert split.students_of("Ben") == ("5", "6")
    # Ø folds to nothing simpler, so it sorts after the Latin letters, as its code point does.
    assert split.students_of("Chi") == ("1", "7")


def test_by_section_keeps_sections_whole_and_balances_by_size() -> None:
    sizes = {"Mon": 10, "Tue": 8, "Wed": 6, "Thu": 4}
    students = [SplitStudent(f"{name}-{n}", f"Student {name} {n}", name)
                for name, size in sizes.items() for n in range(size)]
    split = split_students(students, ["Ana", "Ben"], SplitMode.SECTION)
    sections_of = {g: {s.section for s in students if s.user_id in split.students_of(g)}
                   for g in split.graders}
    assert sections_of["Ana"].isdisjoint(sections_of["Ben"])
    assert [len(split.students_of(g)) for g in split.graders] == [14, 14]  # 10+4, 8+6


def test_students_without_a_section_even_out_the_loads() -> None:
    students = [SplitStudent(f"a{n}", f"A {n}", "Big") for n in range(9)] + \
        [SplitStudent(f"b{n}", f"B {n}", "Small") for n in range(3)] + \
        [SplitStudent(f"x{n}", f"X {n}", None) for n in range(8)]
    split = split_students(students, ["Ana", "Ben"], SplitMode.SECTION)
    every_student_once(split, students)
    assert [len(split.students_of(g)) for g in split.graders] == [10, 10]
    assert set(split.students_of("Ana")) >= {f"a{n}" for n in range(9)}  # whole, with Ana


def test_by_section_without_sections_says_what_to_do() -> None:
    with pytest.raises(InputError, match="No student has a section"):
        split_students(roster(5), GRADERS, SplitMode.SECTION)


def test_more_graders_than_students_leaves_some_without_any() -> None:
    students = roster(2)
    split = split_students(students, GRADERS, SplitMode.BALANCED)
    every_student_once(split, students)
    assert [len(split.students_of(g)) for g in GRADERS] == [1, 1, 0]


@pytest.mark.parametrize(("given_text", "expected"), [
    ("Ana,Ben,Chi", ("Ana", "Ben", "Chi")),
    ("  Ana ,  Ben  Lee,Chi ", ("Ana", "Ben Lee", "Chi")),
    ("Chi,Ana", ("Chi", "Ana")),  # the order given is kept
])
def test_graders_are_trimmed_and_keep_their_order(given_text: str,
                                                  expected: tuple[str, ...]) -> None:
    assert parse_graders(given_text) == expected


@pytest.mark.parametrize(("given_text", "message"), [
    ("Ana,,Ben", "cannot be empty"), ("Ana,", "cannot be empty"), ("", "cannot be empty"),
    ("Ana,Ben,ana", "named twice"), ("Ana,A\x1bna", "control characters"),
    ("X" * 61, "at most 60"),
])
def test_bad_grader_lists_are_refused(given_text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_graders(given_text)


def test_a_split_of_no_students_is_refused() -> None:
    with pytest.raises(InputError, match="no students"):
        split_students([], GRADERS)


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(InputError, match="name, section or balanced"):
        split_students(roster(3), GRADERS, "random")


# --- the file form ---------------------------------------------------------------------------


def _document(split: GraderSplit) -> dict[str, object]:
    document = split_document(split, connection="bio", course="https://canvas.test/c/7",
                              line_item={"id": "https://canvas.test/li/31", "short_id": "31",
                                         "label": "Lab 3"},
                              names={"u000": "Zhou, Kim0"})
    return json.loads(json.dumps(document))  # as a file holds it


def test_the_file_form_round_trips() -> None:
    split = split_students(roster(25), GRADERS, SplitMode.NAME, seed=4)
    document = _document(split)
    assert document["names"] == {"u000": "Zhou, Kim0"}
    read = read_split_document(document)
    assert read.split == split
    assert read.split.digest == split.digest
    assert (read.connection, read.course, read.line_item) == (
        "bio", "https://canvas.test/c/7", "https://canvas.test/li/31")


def test_a_hand_edited_file_reads_as_edited() -> None:
    split = split_students(roster(9), GRADERS, SplitMode.BALANCED)
    document = _document(split)
    assignments = document["assignments"]
    assert isinstance(assignments, dict)
    moved = assignments["Ana"].pop()
    assignments["Ben"].append(f"  {moved} ")  # spaces from a careless edit
    assignments["Dee"] = [assignments["Chi"].pop()]  # a grader only in "assignments"
    document["line_item"] = "all"
    document["mode"] = "by hand"
    read = read_split_document(document)
    assert read.split.graders == ("Ana", "Ben", "Chi", "Dee")
    assert moved in read.split.students_of("Ben") and moved not in read.split.students_of("Ana")
    assert len(read.split.students_of("Dee")) == 1
    assert read.line_item is None and read.split.mode == FILE_MODE
    assert read.split.size == 9


def test_a_student_listed_for_two_graders_is_refused_by_name() -> None:
    document = {"version": 1, "graders": ["Ana", "Ben"],
                "assignments": {"Ana": ["u1", "u2"], "Ben": ["u3", "u1"]}}
    with pytest.raises(InputError, match=r"listed twice: Kim One \(Ana and Ben\)"):
        read_split_document(document, name_of={"u1": "Kim One"}.get)  # type: ignore[arg-type]


@pytest.mark.parametrize(("document", "message"), [
    ([], "not a GradeDesk split file"),
    ({"graders": ["Ana"]}, "not a GradeDesk split file"),
    ({"format": "other", "assignments": {}}, "its format"),
    ({"version": 2, "assignments": {"Ana": []}}, "newer GradeDesk"),
    ({"assignments": {"Ana": "u1"}}, "list of user ids"),
    ({"assignments": {"Ana": ["u1", ""]}}, "empty user id"),
    ({"assignments": {"Ana": [], "ana": []}}, "two lists"),
    ({"graders": ["Ana", "Ana"], "assignments": {}}, "named twice"),
    ({"assignments": {" ": ["u1"]}}, "cannot be empty"),
    ({"assignments": {"Ana": ["u1"]}, "line_item": 3.5}, "line_item"),
])
def test_broken_files_are_refused_with_the_reason(document: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_split_document(document)


def test_the_digest_names_who_grades_whom_not_how() -> None:
    split = split_students(roster(10), GRADERS, SplitMode.BALANCED, seed=1)
    reordered = GraderSplit(split.graders, FILE_MODE, 99,
                            {g: tuple(reversed(split.students_of(g))) for g in split.graders})
    assert reordered.digest == split.digest
    swapped = GraderSplit(("Ben", "Ana", "Chi"), split.mode, split.seed, split.assignments)
    assert swapped.digest != split.digest


def test_a_grader_is_found_in_any_letter_case() -> None:
    split = split_students(roster(4), GRADERS)
    assert split.find_grader(" ana ") == "Ana"
    with pytest.raises(InputError, match=r"'Dee' is not one of the graders \(Ana, Ben, Chi\)"):
        split.find_grader("Dee")
