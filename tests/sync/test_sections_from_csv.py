"""Issue 11, item 5: sections come from the Section column of an imported gradebook CSV (no
platform's Names and Roles reply carries one), stay through later pulls and are exported
again. Against the sandbox over loopback and a real SQLite file."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from sync_support import Rig

from gradedesk.domain import Member
from gradedesk.domain.gradebook_csv import GradebookCsvError
from gradedesk.sandbox.course import SECTIONS
from gradedesk.store import snapshots
from gradedesk.sync.gradebook_io import (
    MAX_SECTION_LENGTH,
    apply_sections,
    export_gradebook,
    import_sections,
    plan_gradebook_import,
)


def _sections(rig: Rig) -> dict[str, str | None]:
    return {m.user_id: m.section for m in snapshots.list_members(rig.db, rig.connection.id,
                                                                 learners_only=True)}


def _exported(rig: Rig) -> list[dict[str, str]]:
    out = io.StringIO()
    export_gradebook(rig.db, rig.connection, out)
    return [row for row in csv.DictReader(io.StringIO(out.getvalue()))
            if row["Student"] != "Points Possible"]


def test_the_course_csv_sets_sections_that_pulls_keep_and_export_writes(rig: Rig) -> None:
    # Canvas's Names and Roles sends no section, and neither does the sandbox's.
    page = httpx.get(rig.sandbox.info["roster_url"], timeout=10).json()
    expected = {p["user_id"]: p["section"] for p in page if p["section"]}
    assert set(expected.values()) == set(SECTIONS)
    assert not any(_sections(rig).values())
    assert all(row["Section"] == "" for row in _exported(rig))

    course_csv = httpx.get(rig.sandbox.info["course_csv_url"], timeout=10).text
    assert course_csv == rig.sandbox.course_csv()
    assert import_sections(rig.db, rig.connection, io.StringIO(course_csv)) == len(expected)
    assert {u: s for u, s in _sections(rig).items() if s} == expected

    rig.engine.pull()  # the platform gives no section: the file's stay
    assert {u: s for u, s in _sections(rig).items() if s} == expected
    exported = {row["ID"]: row["Section"] for row in _exported(rig)}
    assert {u: s for u, s in exported.items() if s} == expected
    # Importing the same file again changes nothing.
    assert import_sections(rig.db, rig.connection, io.StringIO(course_csv)) == 0


def test_a_gradebook_file_plans_its_section_changes_beside_its_scores(rig: Rig) -> None:
    out = io.StringIO()
    export_gradebook(rig.db, rig.connection, out)
    table = list(csv.reader(io.StringIO(out.getvalue())))
    section = table[0].index("Section")
    moved, blank = table[2], table[3]
    moved[section] = "  Lab group\n2 "  # spreadsheet noise: spaces and a line break
    blank[section] = ""
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(table)

    plan = plan_gradebook_import(rig.db, rig.connection, io.StringIO(text.getvalue()))
    assert plan.problems == () and plan.changes == () and plan.can_apply
    [change] = plan.sections
    assert (change.user_id, change.old_section, change.new_section) == (
        moved[1], None, "Lab group 2")
    assert change.to_json()["new"] == "Lab group 2"
    assert apply_sections(rig.db, rig.connection, plan.sections) == 1
    assert _sections(rig)[moved[1]] == "Lab group 2" and _sections(rig)[blank[1]] is None

    # A section a platform gave is the platform's: the file's is not planned over it.
    members = snapshots.list_members(rig.db, rig.connection.id)
    roster = [Member(m.user_id, roles=m.roles, name=m.name) for m in members]
    snapshots.upsert_members(rig.db, rig.connection.id, roster,
                             sections={moved[1]: "Platform section"})
    again = plan_gradebook_import(rig.db, rig.connection, io.StringIO(text.getvalue()))
    assert again.sections == () and not again.can_apply


def test_a_section_too_long_to_be_one_is_refused_and_nothing_changes(rig: Rig) -> None:
    out = io.StringIO()
    export_gradebook(rig.db, rig.connection, out)
    table = list(csv.reader(io.StringIO(out.getvalue())))
    table[2][table[0].index("Section")] = "x" * (MAX_SECTION_LENGTH + 1)
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(table)
    plan = plan_gradebook_import(rig.db, rig.connection, io.StringIO(text.getvalue()))
    assert [(p.line, p.column) for p in plan.problems] == [(3, "Section")]
    assert not plan.can_apply
    with pytest.raises(GradebookCsvError, match="at most 200 characters"):
        import_sections(rig.db, rig.connection, io.StringIO(text.getvalue()))
    assert not any(_sections(rig).values())
