"""Issue 14, part 1: rubrics through the ``gradedesk`` command, as separate processes with a
real data folder, the private keyring and the sandbox over loopback. A rubric grade reaches the
platform as the levels' total with the levels written out in its comment; an edited rubric
proposes the recomputed grades and sends nothing until they are accepted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli_support import Gradedesk, KeyFiles, SandboxProcess, add_connection_args

pytestmark = pytest.mark.usefixtures("secret_store")

LINE_ITEM = "31"  # out of 10 in the seeded course
ESSAY: dict[str, Any] = {
    "title": "Lab report",  # more fields may be added: kept and exported again
    "criteria": [
        {"name": "Clarity", "levels": [{"points": 4, "description": "Clear thesis"},
                                       {"points": 2, "description": "Muddled"},
                                       {"points": 0, "description": "Missing"}]},
        {"name": "Evidence", "weight": "core", "levels": [
            {"points": 6, "description": "Strong"},
            {"points": 3, "description": "Some support"},
            {"points": 0, "description": "None"}]},
    ],
}


@pytest.fixture
def gd(tmp_path: Path) -> Gradedesk:
    return Gradedesk(tmp_path / "data")


def _connected(gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles) -> list[str]:
    gd.ok(*add_connection_args("canvas", sandbox.info, keys.private))
    gd.ok("pull", "canvas")
    return [str(s["user_id"]) for s in _students(gd).values()]


def _students(gd: Gradedesk) -> dict[str, dict[str, Any]]:
    shown = gd.ok("show", "canvas", "--line-item", LINE_ITEM, "--json").json()
    return {str(s["user_id"]): s for s in shown["students"]}


def _write(path: Path, rubric: dict[str, Any] | str) -> Path:
    path.write_text(rubric if isinstance(rubric, str) else json.dumps(rubric),
                    encoding="utf-8")
    return path


def _edited(points: float) -> dict[str, Any]:
    """The essay rubric with "Some support" worth ``points``."""
    edited = json.loads(json.dumps(ESSAY))
    edited["criteria"][1]["levels"][1]["points"] = points
    return edited


def _line_item_url(sandbox: SandboxProcess) -> str:
    return f"{sandbox.info['lineitems_url']}/{LINE_ITEM}"


def _platform_comments(sandbox: SandboxProcess, user: str) -> list[str]:
    return [c["comment"] for c in sandbox.result(_line_item_url(sandbox), user)["comments"]]


def test_a_rubric_grade_reaches_the_platform_as_the_sum_with_the_levels(
        gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles, tmp_path: Path) -> None:
    students = _connected(gd, sandbox, keys)
    first, second = students[0], students[1]
    imported = gd.ok("rubric", "import", "canvas", "--line-item", LINE_ITEM,
                     str(_write(tmp_path / "essay.json", ESSAY)), "--json").json()
    assert imported["criteria"] == 2 and imported["maximum"] == 10
    assert imported["replaced"] is False and imported["proposed"] == []

    graded = gd.ok("grade", "canvas", "--line-item", LINE_ITEM, "--user", first,
                   "--rubric", "clarity=4, Evidence=3", "--comment", "Cite the data.",
                   "--json").json()
    assert graded["score"] == 7 and graded["state"] == "queued"
    assert graded["rubric"]["total"] == 7 and [
        (level["criterion"], level["points"], level["level"])
        for level in graded["rubric"]["levels"]] == [("Clarity", 4, 1), ("Evidence", 3, 2)]
    said = gd.ok("grade", "canvas", "--line-item", LINE_ITEM, "--user", second,
                 "--rubric", "Clarity=#2,Evidence=#1")
    assert "score 8 (Clarity 2, Evidence 6)" in said.out

    pushed = gd.run("push", "canvas", "--json")
    assert pushed.code == 0, pushed.err
    assert pushed.json()["confirmed"] == 2
    gd.ok("pull", "canvas")
    after = _students(gd)
    lead = "Clarity: 4/4 — Clear thesis\nEvidence: 3/6 — Some support"
    assert after[first]["score"] == 7 and after[first]["comment"] == f"{lead}\n\nCite the data."
    assert after[second]["score"] == 8
    assert after[second]["comment"] == "Clarity: 2/4 — Muddled\nEvidence: 6/6 — Strong"
    assert sandbox.result(_line_item_url(sandbox), first)["resultScore"] == 7
    assert _platform_comments(sandbox, first) == [f"{lead}\n\nCite the data."]


def test_an_exported_rubric_is_the_file_imported(gd: Gradedesk, sandbox: SandboxProcess,
                                                 keys: KeyFiles, tmp_path: Path) -> None:
    _connected(gd, sandbox, keys)
    gd.ok("rubric", "import", "canvas", "--line-item", LINE_ITEM,
          str(_write(tmp_path / "essay.json", ESSAY)))
    target = tmp_path / "shared.json"
    gd.ok("rubric", "export", "canvas", "--line-item", LINE_ITEM, str(target))
    assert json.loads(target.read_text(encoding="utf-8")) == ESSAY
    printed = gd.ok("rubric", "export", "canvas", "--line-item", LINE_ITEM, "-")
    assert json.loads(printed.out) == ESSAY
    # A colleague imports the shared file into a data folder of their own: the same rubric.
    colleague = Gradedesk(tmp_path / "colleague")
    colleague.ok(*add_connection_args("canvas", sandbox.info, keys.private))
    colleague.ok("pull", "canvas")
    colleague.ok("rubric", "import", "canvas", "--line-item", LINE_ITEM, str(target))
    shown = colleague.ok("rubric", "show", "canvas", "--line-item", LINE_ITEM, "--json").json()
    assert shown["rubric"] == ESSAY and shown["maximum"] == 10
    text = colleague.ok("rubric", "show", "canvas", "--line-item", LINE_ITEM).out
    assert "Evidence (up to 6)" in text and "#2  3  Some support" in text


def test_a_changed_rubric_proposes_the_affected_grades_and_sends_nothing_until_accepted(
        gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles, tmp_path: Path) -> None:
    students = _connected(gd, sandbox, keys)
    affected, unaffected, pushed_before = students[2], students[3], students[4]
    gd.ok("rubric", "import", "canvas", "--line-item", LINE_ITEM,
          str(_write(tmp_path / "essay.json", ESSAY)))
    gd.ok("grade", "canvas", "--line-item", LINE_ITEM, "--user", pushed_before,
          "--rubric", "Clarity=2,Evidence=3")
    gd.ok("push", "canvas")
    gd.ok("grade", "canvas", "--line-item", LINE_ITEM, "--user", affected,
          "--rubric", "Clarity=4,Evidence=3", "--comment", "Mine.")
    gd.ok("grade", "canvas", "--line-item", LINE_ITEM, "--user", unaffected,
          "--rubric", "Clarity=4,Evidence=6")
    gd.ok("push", "canvas")
    ledger_before = len(sandbox.ledger())

    changed = gd.ok("rubric", "import", "canvas", "--line-item", LINE_ITEM,
                    str(_write(tmp_path / "edited.json", _edited(4))), "--json").json()
    assert changed["replaced"] is True and changed["unchanged"] == [unaffected]
    assert {(p["user_id"], p["old_total"], p["new_total"], p["working"])
            for p in changed["proposed"]} == {
        (affected, 7, 8, "Evidence 3→4: 7 → 8"), (pushed_before, 5, 6, "Evidence 3→4: 5 → 6")}
    listed = gd.ok("proposals", "canvas", "--line-item", LINE_ITEM, "--json").json()
    proposals = {p["user_id"]: p for p in listed["proposals"]}
    assert set(proposals) == {affected, pushed_before}
    assert proposals[affected]["score"] == 8 and proposals[affected]["reason"] == "rubric"
    assert proposals[affected]["comment"] == (
        "Clarity: 4/4 — Clear thesis\nEvidence: 4/6 — Some support\n\nMine.")

    status = gd.ok("status", "canvas", "--json").json()["connections"][0]
    assert status["queued"] == 0
    gd.ok("push", "canvas")
    assert len(sandbox.ledger()) == ledger_before, "a proposal is not sent"
    assert sandbox.result(_line_item_url(sandbox), affected)["resultScore"] == 7

    gd.ok("accept", "canvas", "--line-item", LINE_ITEM, "--user", affected)
    pushed = gd.run("push", "canvas", "--json")
    assert pushed.code == 0, pushed.err
    assert [g["user_id"] for g in pushed.json()["grades"]] == [affected]
    assert sandbox.result(_line_item_url(sandbox), affected)["resultScore"] == 8
    assert _platform_comments(sandbox, affected)[-1].startswith(
        "Clarity: 4/4 — Clear thesis\nEvidence: 4/6 — Some support")
    assert sandbox.result(_line_item_url(sandbox), pushed_before)["resultScore"] == 5
    remaining = gd.ok("proposals", "canvas", "--json").json()["proposals"]
    assert [p["user_id"] for p in remaining] == [pushed_before]


@pytest.mark.parametrize(("content", "said"), [
    ("{not json", "bad.json: The rubric is not valid JSON"),
    ('{"criteria": []}', "bad.json: The rubric's \"criteria\" list is empty"),
    ('{"criteria": [{"name": "Clarity", "levels": []}]}',
     "bad.json: Criterion 1 (Clarity) has no levels"),
    ('{"criteria": [{"name": "Clarity", "levels": [{"points": "four"}]}]}',
     "\"points\" must be a number, not the text 'four'"),
    ('{"criteria": [{"name": "Clarity", "levels": [{"points": 1}]}, '
     '{"name": "clarity", "levels": [{"points": 1}]}]}', "Criteria 1 and 2 are both called"),
])
def test_a_malformed_file_is_a_clear_error_and_changes_nothing(
        gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles, tmp_path: Path,
        content: str, said: str) -> None:
    students = _connected(gd, sandbox, keys)
    gd.ok("rubric", "import", "canvas", "--line-item", LINE_ITEM,
          str(_write(tmp_path / "essay.json", ESSAY)))
    gd.ok("grade", "canvas", "--line-item", LINE_ITEM, "--user", students[0],
          "--rubric", "Clarity=4,Evidence=3")
    before = gd.ok("rubric", "export", "canvas", "--line-item", LINE_ITEM, "-").out

    failed = gd.run("rubric", "import", "canvas", "--line-item", LINE_ITEM,
                    str(_write(tmp_path / "bad.json", content)))
    assert failed.code == 1 and failed.out == ""
    assert said in failed.err and failed.err.count("\n") == 1, failed.err
    assert gd.ok("rubric", "export", "canvas", "--line-item", LINE_ITEM, "-").out == before
    assert gd.ok("proposals", "canvas", "--json").json()["proposals"] == []


def test_grade_with_a_rubric_refuses_what_is_not_a_whole_rubric_grade(
        gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles, tmp_path: Path) -> None:
    students = _connected(gd, sandbox, keys)
    grade = ("grade", "canvas", "--line-item", LINE_ITEM, "--user", students[0])
    no_rubric = gd.run(*grade, "--rubric", "Clarity=4,Evidence=3")
    assert no_rubric.code == 1
    assert "has no rubric yet: import one with `gradedesk rubric import canvas" in no_rubric.err
    assert gd.run("rubric", "show", "canvas", "--line-item", LINE_ITEM).code == 1

    gd.ok("rubric", "import", "canvas", "--line-item", LINE_ITEM,
          str(_write(tmp_path / "essay.json", ESSAY)))
    for extra, said in [
            (("--rubric", "Clarity=4"), "No level chosen for Evidence"),
            (("--rubric", "Clarity=4,Evidence=5"), "Evidence=5: no level is worth that"),
            (("--rubric", "Clarity=4,Style=1"), "no criterion 'Style'"),
            (("--rubric", "Clarity=4,Evidence=3", "--score", "7"),
             "Give --rubric or --score, not both")]:
        refused = gd.run(*grade, *extra)
        assert refused.code == 1 and said in refused.err, (extra, refused.err)
    # Nothing was saved, and a user id typed for an unknown student was not kept either.
    assert gd.ok("status", "canvas", "--json").json()["connections"][0]["drafts"] == 0
    typed = gd.run("grade", "canvas", "--line-item", LINE_ITEM, "--user", "nobody-42",
                   "--rubric", "Clarity=4")
    assert typed.code == 1 and "No level chosen for Evidence" in typed.err
    assert "nobody-42" not in _students(gd)


def test_a_rubric_whose_maximum_is_not_the_columns_is_kept_with_a_warning(
        gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles, tmp_path: Path) -> None:
    students = _connected(gd, sandbox, keys)
    bigger = json.loads(json.dumps(ESSAY))
    bigger["criteria"][1]["levels"][0]["points"] = 8  # out of 12, the column out of 10
    imported = gd.ok("rubric", "import", "canvas", "--line-item", LINE_ITEM,
                     str(_write(tmp_path / "bigger.json", bigger)))
    assert "warning:" in imported.err and "at most 12 points" in imported.err
    assert "out of 10" in imported.err
    graded = gd.ok("grade", "canvas", "--line-item", LINE_ITEM, "--user", students[0],
                   "--rubric", "Clarity=4,Evidence=8")
    assert "12 is above the maximum" in graded.err
    assert _students(gd)[students[0]]["score"] == 12
