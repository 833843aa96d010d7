"""Issue 11, item 7 (the CLI's half): ``push`` and ``history`` name students (sort name) and
line items (label), not user ids and line item URLs, falling back to the id where no name is
known; ``import`` and ``export`` go through the same file functions as the window's File menu
(a workbook that is not CSV is said plainly; an export that cannot be written changes
nothing). The JSON documents keep their keys and gain the names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cli_support import Gradedesk, SandboxProcess

pytestmark = pytest.mark.usefixtures("secret_store")

PUSH_KEYS = {"connection", "ok", "confirmed", "mismatched", "conflicts", "failed", "refused",
             "recovered", "resolved", "cancelled", "progress_jobs_open", "columns_created",
             "columns_failed", "files_failed", "outbox", "time_limit_reached"}
HISTORY_KEYS = {"at", "grader", "os_user", "line_item", "user_id", "action", "summary",
                "reply_status"}


def _lab(gd: Gradedesk) -> tuple[str, str, list[dict[str, Any]]]:
    """Line item 31's URL, its label and its named students (the Test Student last)."""
    shown = gd.ok("show", "canvas", "--line-item", "31", "--json").json()
    students = sorted(shown["students"], key=lambda s: s["name"] == "Test Student")
    return shown["line_item"]["id"], shown["line_item"]["label"], students


def test_push_and_history_name_students_and_line_items(gd: Gradedesk,
                                                       sandbox: SandboxProcess) -> None:
    url, label, students = _lab(gd)
    first, second = students[0], students[1]
    test_student = next(s for s in students if s["name"] == "Test Student")
    for student, score in ((first, "7"), (second, "8"), (test_student, "5")):
        gd.ok("grade", "canvas", "--line-item", "31", "--user", str(student["user_id"]),
              "--score", score)
    # A user id no roster lists: kept by id, and named by it (there is no name to give).
    stranger = "no-roster-4711"
    gd.ok("grade", "canvas", "--line-item", "31", "--user", stranger, "--score", "3")

    pushed = gd.run("push", "canvas")
    assert pushed.code == 1  # the Test Student and the stranger are refused
    said = pushed.out + pushed.err
    assert f"Confirmed: {first['sort_name']}; {second['sort_name']} ({label})" in pushed.out \
        or f"Confirmed: {second['sort_name']}; {first['sort_name']} ({label})" in pushed.out
    assert f"refused: {test_student['sort_name']} in {label}:" in pushed.out
    assert f"{stranger} in {label}" in pushed.out  # the id where no name is known
    for student in (first, second, test_student):
        assert str(student["user_id"]) not in said
    assert url not in said

    history = gd.ok("history", "canvas").out
    assert f"{first['sort_name']} in {label}" in history
    assert f"{test_student['sort_name']} in {label}" in history
    assert f"{stranger} in {label}" in history
    assert "score.post" in history  # the action keeps its name
    assert str(first["user_id"]) not in history and url not in history

    entries = gd.ok("history", "canvas", "--user", str(first["user_id"]),
                    "--json").json()["entries"]
    assert entries and all(entry.keys() >= HISTORY_KEYS for entry in entries)
    assert {(e["student"], e["line_item_label"], e["user_id"], e["line_item"])
            for e in entries} == {(first["sort_name"], label, first["user_id"], url)}


def test_push_json_keeps_its_keys_and_names_every_grade(gd: Gradedesk) -> None:
    _, label, students = _lab(gd)
    test_student = next(s for s in students if s["name"] == "Test Student")
    for student, score in ((students[0], "6"), (test_student, "5")):
        gd.ok("grade", "canvas", "--line-item", "31", "--user", str(student["user_id"]),
              "--score", score)
    document = gd.run("push", "canvas", "--json").json()
    assert document.keys() >= PUSH_KEYS
    assert (document["confirmed"], document["failed"], document["refused"]) == (1, 1, 1)
    outcomes = {(g["student"], g["line_item_label"], g["outcome"]) for g in document["grades"]}
    assert outcomes == {(students[0]["sort_name"], label, "confirmed"),
                        (test_student["sort_name"], label, "refused")}
    [refused] = [e for e in document["outbox"] if e["state"] == "refused"]
    assert refused["user_id"] == test_student["user_id"]  # the documented keys stay
    assert (refused["student"], refused["line_item_label"]) == (test_student["sort_name"],
                                                                label)


def test_import_refuses_a_workbook_plainly_and_a_failed_export_changes_nothing(
        gd: Gradedesk, tmp_path: Path) -> None:
    workbook = tmp_path / "grades.xlsx"
    workbook.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)  # a zip, as .xlsx files are
    refused = gd.run("import", "canvas", str(workbook))
    assert refused.code == 1
    assert "spreadsheet workbook, not a CSV file" in refused.err
    assert "Traceback" not in refused.err and "unexpected error" not in refused.err
    assert gd.ok("status", "canvas", "--json").json()["connections"][0]["drafts"] == 0

    # A target that cannot be replaced (a folder of that name): a clear message, and no
    # half-written file left beside it.
    folder = tmp_path / "exports"
    (folder / "grades.csv").mkdir(parents=True)
    (folder / "grades.csv" / "inside.txt").write_text("kept\n", encoding="utf-8")
    failed = gd.run("export", "canvas", "--all", str(folder / "grades.csv"))
    assert failed.code == 1 and "Cannot write" in failed.err, failed.err
    assert [p.name for p in folder.iterdir()] == ["grades.csv"]
    assert (folder / "grades.csv" / "inside.txt").read_text(encoding="utf-8") == "kept\n"
    nowhere = gd.run("export", "canvas", "--all", str(workbook / "grades.csv"))
    assert nowhere.code == 1 and "Cannot write" in nowhere.err

    exported = tmp_path / "grades.csv"
    gd.ok("export", "canvas", "--all", str(exported))
    header = exported.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("Student,ID,SIS User ID,SIS Login ID,Section,")
