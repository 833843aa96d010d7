"""Issue 9 through the ``gradedesk`` command against the sandbox: what a grader types or imports
is exactly what gets queued, and what cannot be placed is said plainly."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_support import Gradedesk, SandboxProcess

pytestmark = pytest.mark.usefixtures("secret_store")


def _students(gd: Gradedesk) -> list[dict[str, object]]:
    shown = gd.ok("show", "canvas", "--line-item", "31", "--json").json()
    return [s for s in shown["students"] if s["name"] and s["name"] != "Test Student"]


def test_a_semicolon_csv_from_a_comma_decimal_locale_imports(gd: Gradedesk,
                                                             tmp_path: Path) -> None:
    first, second = _students(gd)[:2]
    sheet = tmp_path / "grades.csv"
    sheet.write_text(
        "Student;ID;SIS User ID;SIS Login ID;Section;Lab 1: Microscopy (31)\n"
        "Points Possible;;;;;10\n"
        f"{first['sort_name']};{first['user_id']};;;;7,5\n"
        f"{second['sort_name']};{second['user_id']};;;;9\n", encoding="utf-8-sig")
    imported = gd.run("import", "canvas", str(sheet), "--json")
    assert imported.code == 0, imported.err
    assert sorted(c["new"] for c in imported.json()["changes"]) == [7.5, 9.0]
    scores = {s["user_id"]: s["score"] for s in _students(gd)}
    assert (scores[first["user_id"]], scores[second["user_id"]]) == (7.5, 9.0)


def test_an_unknown_student_is_reported_on_its_line(gd: Gradedesk, tmp_path: Path) -> None:
    known = _students(gd)[0]
    sheet = tmp_path / "grades.csv"
    sheet.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,Lab 1: Microscopy (31)\n"
        f"\"{known['sort_name']}\",{known['user_id']},,,,5\n"
        "Nobody,no-such-student,,,,6\n", encoding="utf-8")
    refused = gd.run("import", "canvas", str(sheet))
    assert refused.code == 1
    assert "line 3, column 'ID'" in refused.err and "row 0" not in refused.err
    assert gd.ok("status", "canvas", "--json").json()["connections"][0]["drafts"] == 0


def test_grade_takes_the_names_show_prints(gd: Gradedesk) -> None:
    students = _students(gd)
    accented = next(s for s in students
                    if any(ord(c) > 127 for c in str(s["name"])) and "," in str(s["sort_name"]))
    plain = str(accented["name"]).translate(str.maketrans("áéíóúñçÁÉÍÓÚ", "aeiouncAEIOU"))
    for spelling in (str(accented["sort_name"]), plain.upper(), plain):
        graded = gd.run("grade", "canvas", "--line-item", "31", "--user", spelling,
                        "--score", "4", "--json")
        assert graded.code == 0, (spelling, graded.err)
        assert graded.json()["user_id"] == accented["user_id"]


def test_absurd_scores_are_refused_and_extra_credit_is_marked(gd: Gradedesk,
                                                              tmp_path: Path) -> None:
    student = _students(gd)[0]
    typo = gd.run("grade", "canvas", "--line-item", "31", "--user", str(student["user_id"]),
                  "--score", "1e9")
    assert typo.code == 1 and "typo" in typo.err and "e+" not in typo.err
    extra = gd.run("grade", "canvas", "--line-item", "31", "--user", str(student["user_id"]),
                   "--score", "12")
    assert extra.code == 0 and "above the maximum" in extra.err
    sheet = tmp_path / "grades.csv"
    sheet.write_text("Student,ID,SIS User ID,SIS Login ID,Section,Lab 1: Microscopy (31)\n"
                     f"\"{student['sort_name']}\",{student['user_id']},,,,1000000000\n",
                     encoding="utf-8")
    refused = gd.run("import", "canvas", str(sheet))
    assert refused.code == 1 and "line 2" in refused.err and "typo" in refused.err
    listing = gd.ok("show", "canvas", "--line-item", "31").out
    assert "e+" not in listing


def _cell(gd: Gradedesk, user: object) -> dict[str, object]:
    shown = gd.ok("show", "canvas", "--line-item", "31", "--json").json()["students"]
    found: dict[str, object] = next(s for s in shown if s["user_id"] == user)
    return found


def test_a_cleared_score_is_cleared_on_the_platform_and_only_then_confirmed(
        gd: Gradedesk, sandbox: SandboxProcess) -> None:
    graded = next(s for s in _students(gd) if s["score"] is not None)
    user = graded["user_id"]
    gd.ok("grade", "canvas", "--line-item", "31", "--user", str(user), "--score", "")
    pushed = gd.run("push", "canvas", "--json")
    assert pushed.code == 0, pushed.err
    assert (pushed.json()["confirmed"], pushed.json()["mismatched"]) == (1, 0)
    held = sandbox.result(sandbox.info["lineitems_url"] + "/31", str(user))
    assert held["resultScore"] is None and held["grade"] is None
    cell = _cell(gd, user)
    assert cell["score"] is None and cell["state"] == "confirmed"


def test_after_a_colleagues_change_no_cell_claims_confirmed(gd: Gradedesk,
                                                            sandbox: SandboxProcess) -> None:
    user = _students(gd)[0]["user_id"]
    gd.ok("grade", "canvas", "--line-item", "31", "--user", str(user), "--score", "6")
    gd.ok("push", "canvas")
    assert _cell(gd, user)["state"] == "confirmed"
    sandbox.colleague_grades(sandbox.info["lineitems_url"] + "/31", str(user), 3)
    gd.ok("pull", "canvas")
    cell = _cell(gd, user)
    assert (cell["score"], cell["state"]) == (3, "clean")


def test_a_grade_the_platform_will_never_take_is_refused_once_and_can_be_discarded(
        gd: Gradedesk, sandbox: SandboxProcess) -> None:
    shown = gd.ok("show", "canvas", "--line-item", "31", "--json").json()["students"]
    test_student = next(s for s in shown if s["name"] == "Test Student")
    gd.ok("grade", "canvas", "--line-item", "31", "--user", "Test Student", "--score", "5")
    first = gd.run("push", "canvas", "--json")
    assert first.code == 1 and first.json()["refused"] == 1
    attempts = [e["attempts"] for e in first.json()["outbox"] if e["state"] == "refused"]
    again = gd.run("push", "canvas", "--json")
    assert again.code == 0 and again.json()["refused"] == 1  # listed, not retried
    assert [e["attempts"] for e in again.json()["outbox"] if e["state"] == "refused"] == attempts
    assert _cell(gd, test_student["user_id"])["state"] == "refused"
    status = gd.ok("status", "canvas").out
    assert "1 refused" in status
    dropped = gd.ok("discard", "canvas", "--user", "Test Student", "--json").json()
    assert [d["user_id"] for d in dropped["discarded"]] == [test_student["user_id"]]
    assert gd.ok("status", "canvas", "--json").json()["connections"][0]["drafts"] == 0

    # A teacher on the roster is refused at once, before anything is queued.
    roster = gd.ok("show", "canvas", "--json")  # the instructor is on NRPS, not a learner
    assert roster.code == 0
    teacher = gd.run("grade", "canvas", "--line-item", "31", "--user", "Miriam Okonkwo",
                     "--score", "5")
    assert teacher.code == 1 and "not a student" in teacher.err


def test_the_listing_and_the_students_count_needs_grading_by_one_rule(gd: Gradedesk) -> None:
    # Graded on the platform, sent back for review here: both views must count it.
    student = next(s for s in _students(gd) if s["score"] is not None)
    gd.ok("grade", "canvas", "--line-item", "31", "--user", str(student["user_id"]),
          "--grading-progress", "PendingManual")
    listing = {item["short_id"]: item for item in
               gd.ok("show", "canvas", "--json").json()["line_items"]}
    waiting = gd.ok("show", "canvas", "--line-item", "31", "--pending-manual",
                    "--json").json()["students"]
    assert listing["31"]["pending_manual"] == len(waiting)
    assert student["user_id"] in {s["user_id"] for s in waiting}
