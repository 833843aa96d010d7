"""Issue 14, parts 2 and 3, through real ``gradedesk`` processes against the sandbox: the split
among graders is the same in two data folders pulled separately, its file round-trips and
loads after a hand edit, ``show --mine --grader`` lists one grader's students, and
``progress`` counts what the platform holds after pushes."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from cli_support import Gradedesk, KeyFiles, SandboxProcess, add_connection_args

pytestmark = pytest.mark.usefixtures("secret_store")

LINE_ITEM = "31"
GRADERS = "Ana,Ben,Chi"


@pytest.fixture
def ana(tmp_path: Path, sandbox: SandboxProcess, keys: KeyFiles) -> Gradedesk:
    """Ana's computer: her own data folder, connection and pull."""
    return _connected(Gradedesk(tmp_path / "ana"), "bio", sandbox, keys)


@pytest.fixture
def ben(tmp_path: Path, sandbox: SandboxProcess, keys: KeyFiles) -> Gradedesk:
    """Ben's computer: another data folder, another connection name, a pull of its own."""
    return _connected(Gradedesk(tmp_path / "ben"), "biology", sandbox, keys)


def _connected(gd: Gradedesk, name: str, sandbox: SandboxProcess, keys: KeyFiles) -> Gradedesk:
    gd.ok(*add_connection_args(name, sandbox.info, keys.private))
    gd.ok("pull", name)
    return gd


def _students(gd: Gradedesk, name: str, *extra: str) -> list[dict[str, Any]]:
    shown = gd.ok("show", name, "--line-item", LINE_ITEM, *extra, "--json").json()
    students: list[dict[str, Any]] = shown["students"]
    return students


def _split(gd: Gradedesk, name: str, *args: str) -> dict[str, Any]:
    made: dict[str, Any] = gd.ok("split", name, *args, "--json").json()
    return made


def _progress(gd: Gradedesk, name: str, line_item: str = LINE_ITEM) -> dict[str, dict[str, Any]]:
    report = gd.ok("progress", name, "--line-item", line_item, "--json").json()
    (column,) = report["line_items"]
    rows: dict[str, dict[str, Any]] = {row["grader"]: row for row in column["graders"]}
    rows["Total"] = column["total"]
    return rows


def _platform_score(sandbox: SandboxProcess, user_id: str,
                    line_item: str = LINE_ITEM) -> float | None:
    """What the platform itself holds (its admin view, not GradeDesk's copy)."""
    reply = httpx.get(f"{sandbox.info['admin_url']}/result", timeout=10, params={
        "line_item": f"{sandbox.info['lineitems_url']}/{line_item}", "user_id": user_id})
    if reply.status_code == 404:
        return None
    reply.raise_for_status()
    score: float | None = reply.json()["resultScore"]
    return score


def test_the_same_split_in_two_data_folders_covers_every_student_once(
        ana: Gradedesk, ben: Gradedesk) -> None:
    roster = {s["user_id"] for s in _students(ana, "bio")}
    assert len(roster) == 25
    digests = []
    for args in (["--line-item", LINE_ITEM], ["--all", "--by", "name"],
                 ["--all", "--seed", "9"]):
        mine = _split(ana, "bio", *args, "--graders", GRADERS)
        theirs = _split(ben, "biology", *args, "--graders", " Ana , Ben,Chi")
        assert mine["assignments"] == theirs["assignments"], args
        assert mine["digest"] == theirs["digest"]
        listed = Counter(u for ids in mine["assignments"].values() for u in ids)
        assert set(listed) == roster and set(listed.values()) == {1}
        sizes = [len(mine["assignments"][grader]) for grader in ("Ana", "Ben", "Chi")]
        assert sizes == [9, 8, 8]
        digests.append(mine["digest"])
    assert len(set(digests)) == 3  # by name, and two seeds: three different splits

    said = ana.ok("split", "bio", "--line-item", LINE_ITEM, "--graders", GRADERS).out
    assert "25 students of" in said and f"Split {digests[0]}:" in said
    assert "9 students" in said.splitlines()[1] and "Ana" in said.splitlines()[1]


def test_a_split_file_round_trips_and_loads_after_a_hand_edit(
        ana: Gradedesk, ben: Gradedesk, tmp_path: Path) -> None:
    shared = tmp_path / "split.json"
    made = _split(ana, "bio", "--all", "--by", "name", "--graders", GRADERS,
                  "--out", str(shared))
    document = json.loads(shared.read_text(encoding="utf-8"))
    assert document["assignments"] == made["assignments"]
    assert document["line_item"] == "all" and document["mode"] == "name"
    assert set(document["names"]) == {u for ids in made["assignments"].values() for u in ids}

    loaded = _split(ben, "biology", "--load", str(shared), "--grader", "ben")
    assert loaded["digest"] == made["digest"] and loaded["source"] == "file"
    assert loaded["me"] == "Ben" and loaded["unknown"] == [] and loaded["missing"] == []
    ben_students = {s["user_id"] for s in _students(ben, "biology", "--mine")}
    assert ben_students == set(made["assignments"]["Ben"])

    # The teacher moves one of Ana's students to Chi, leaves one out and adds a new id.
    moved, dropped = document["assignments"]["Ana"][:2]
    document["assignments"]["Ana"] = document["assignments"]["Ana"][2:]
    document["assignments"]["Chi"].append(moved)
    document["assignments"]["Ben"].append("joined-later")
    shared.write_text(json.dumps(document, indent=2), encoding="utf-8")
    edited = ben.run("split", "biology", "--load", str(shared))
    assert edited.code == 0, edited.err
    assert "1 student(s) of the file are not on 'biology'" in edited.err
    assert "joined-later" in edited.err
    assert "1 student(s) of the roster are in no grader's list" in edited.err
    assert dropped in edited.err
    chi = {s["user_id"] for s in _students(ben, "biology", "--grader", "Chi")}
    assert moved in chi and chi == set(made["assignments"]["Chi"]) | {moved}
    progress = _progress(ben, "biology")
    assert progress["Total"]["assigned"] == 24  # the left-out student is not assigned
    report = ben.ok("progress", "biology", "--line-item", LINE_ITEM).out
    assert "1 student(s) are in no grader's list" in report
    assert "1 student(s) of the split are not on the roster here" in report

    # A student listed for two graders is refused, with a one-line reason.
    document["assignments"]["Ben"].append(moved)
    shared.write_text(json.dumps(document), encoding="utf-8")
    doubled = ben.run("split", "biology", "--load", str(shared))
    assert doubled.code == 1 and doubled.out == ""
    assert "listed twice" in doubled.err and "(Ben and Chi)" in doubled.err
    assert len(doubled.err.strip().splitlines()) == 1
    after = _students(ben, "biology", "--grader", "Chi")
    assert {s["user_id"] for s in after} == chi  # the stored split is unchanged


def test_progress_counts_match_the_platform_after_pushes(
        ana: Gradedesk, ben: Gradedesk, sandbox: SandboxProcess) -> None:
    split = _split(ana, "bio", "--all", "--graders", GRADERS, "--grader", "Ana")
    assert _split(ben, "biology", "--all", "--graders", GRADERS,
                  "--grader", "Ben")["digest"] == split["digest"]

    # In the column where most of Ana's students have no score yet, Ana grades all of them
    # but one and pushes; the last one she only drafts.
    columns = [item["short_id"] for item in ana.ok("show", "bio", "--json").json()["line_items"]]
    ungraded, column = max(
        (([u for u in split["assignments"]["Ana"] if _platform_score(sandbox, u, c) is None], c)
         for c in columns), key=lambda pair: len(pair[0]))
    assert len(ungraded) >= 3
    before = _progress(ben, "biology", column)
    assert before["Ben"]["mine"] and not before["Ana"]["mine"]
    for number, user_id in enumerate(ungraded[:-1]):
        ana.ok("grade", "bio", "--line-item", column, "--user", user_id,
               "--score", str(1 + number % 5))
    ana.ok("push", "bio")
    ana.ok("grade", "bio", "--line-item", column, "--user", ungraded[-1], "--score", "4")
    at_ana = _progress(ana, "bio", column)
    assert at_ana["Ana"]["drafted"] == 1 and at_ana["Ana"]["mine"]
    assert at_ana["Ana"]["left"] == at_ana["Ana"]["assigned"] - at_ana["Ana"]["graded"] - 1

    ben.ok("pull", "biology")
    after = _progress(ben, "biology", column)
    for grader in ("Ana", "Ben", "Chi"):
        on_platform = sum(1 for u in split["assignments"][grader]
                          if _platform_score(sandbox, u, column) is not None)
        row = after[grader]
        assert row["graded"] == on_platform, grader
        assert row["assigned"] == len(split["assignments"][grader])
        assert row["drafted"] == 0  # Ana's draft is on her computer only
        assert row["left"] == row["assigned"] - row["graded"]
    pushed = len(ungraded) - 1
    assert after["Ana"]["graded"] == before["Ana"]["graded"] + pushed
    assert after["Ben"] == before["Ben"] and after["Chi"] == before["Chi"]
    assert after["Total"]["graded"] == before["Total"]["graded"] + pushed

    table = ben.ok("progress", "biology").out
    assert "Ben (you)" in table and "Assigned  Graded  Drafted  Left" in table
    assert "All " in table and "columns:" in table  # the course's split covers every column


def test_show_mine_and_show_grader(ana: Gradedesk) -> None:
    no_split = ana.run("show", "bio", "--line-item", LINE_ITEM, "--mine")
    assert no_split.code == 1 and "No split of the students among graders" in no_split.err
    assert "gradedesk split bio" in no_split.err

    split = _split(ana, "bio", "--line-item", LINE_ITEM, "--graders", GRADERS)
    who = ana.run("show", "bio", "--line-item", LINE_ITEM, "--mine")
    assert who.code == 1 and "Which grader are you (Ana, Ben, Chi)?" in who.err

    ben_ids = [s["user_id"] for s in _students(ana, "bio", "--grader", "Ben")]
    assert set(ben_ids) == set(split["assignments"]["Ben"])
    assert ana.ok("show", "bio", "--line-item", LINE_ITEM, "--grader", "ben",
                  "--json").json()["grader"] == "Ben"

    remembered = ana.ok("split", "bio", "--grader", "chi").out
    assert "You are Chi on bio" in remembered
    mine = [s["user_id"] for s in _students(ana, "bio", "--mine")]
    assert set(mine) == set(split["assignments"]["Chi"])
    # --grader names whose students, whoever I am.
    assert {s["user_id"] for s in _students(ana, "bio", "--mine", "--grader", "Ana")} == \
        set(split["assignments"]["Ana"])
    text = ana.ok("show", "bio", "--line-item", LINE_ITEM, "--mine").out
    assert "Chi's students" in text.splitlines()[0]
    assert len(text.splitlines()) == 1 + len(split["assignments"]["Chi"])

    unknown = ana.run("show", "bio", "--line-item", LINE_ITEM, "--grader", "Dee")
    assert unknown.code == 1 and "'Dee' is not one of the graders" in unknown.err
    whole = ana.run("show", "bio", "--mine")
    assert whole.code == 1 and "add --line-item ID" in whole.err


@pytest.mark.parametrize(("args", "message"), [
    (["--line-item", LINE_ITEM], "Name the graders"),
    (["--graders", GRADERS], "--line-item ID (one column) or --all"),
    (["--all", "--graders", "Ana,,Ben"], "cannot be empty"),
    (["--all", "--graders", "Ana,Ben,ana"], "named twice"),
    (["--all", "--graders", GRADERS, "--by", "section"], "No student has a section"),
    (["--all", "--graders", GRADERS, "--grader", "Dee"], "not one of the graders"),
    (["--load", "nowhere.json", "--graders", GRADERS], "--load takes the split from the file"),
    (["--load", "nowhere.json"], "Cannot read"),
])
def test_bad_split_commands_say_why_in_one_line(ana: Gradedesk, args: list[str],
                                                message: str) -> None:
    refused = ana.run("split", "bio", *args)
    assert refused.code == 1, refused.out
    assert message in refused.err and len(refused.err.strip().splitlines()) == 1


def test_progress_without_a_split_says_how_to_make_one(ana: Gradedesk) -> None:
    refused = ana.run("progress", "bio")
    assert refused.code == 1 and "gradedesk split bio" in refused.err
    listing = ana.ok("split", "bio").out
    assert "No split yet" in listing and "Who you are is not set" in listing
