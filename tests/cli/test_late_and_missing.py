"""Late and missing work through the ``gradedesk`` command against the sandbox: the late rule's
proposals match a worked example exactly, nothing is sent until a person accepts them, a run
again never penalises twice (even after Canvas dropped the submitted time from the graded
result), a changed rule starts from the grade before the penalty, and "missing" proposes 0
only for students with nothing handed in."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cli_support import Gradedesk, KeyFiles, SandboxProcess, add_connection_args
from gradedesk.domain import (
    ActivityProgress,
    CanvasSubmission,
    GradingProgress,
    Score,
    utc_now,
)
from gradedesk.platforms.lti_advantage import LtiAdvantageClient, LtiAdvantageConfig

pytestmark = pytest.mark.usefixtures("secret_store")

EXTENSION = "https://canvas.instructure.com/lti/submission"
MINUS = "\u2212"


@pytest.fixture
def gd(tmp_path: Path) -> Gradedesk:
    return Gradedesk(tmp_path / "data")


def _tool(sandbox: SandboxProcess, keys: KeyFiles) -> LtiAdvantageClient:
    """The tool itself, as the place students hand work in: it posts each submission to the
    platform with the time it was made."""
    info = sandbox.info
    config = LtiAdvantageConfig(issuer=info["issuer"], client_id=info["client_id"],
                                deployment_id=info["deployment_id"],
                                token_url=info["token_url"],
                                lineitems_url=info["lineitems_url"], nrps_url=info["nrps_url"])
    return LtiAdvantageClient(config, keys.private.read_bytes())


def _hand_in(tool: LtiAdvantageClient, line_item: str, user_id: str, submitted: datetime,
             score: float | None = None) -> None:
    """A submission made at ``submitted``; with ``score``, the tool graded it automatically."""
    graded = score is not None
    tool.post_score(line_item, Score(
        user_id=user_id,
        activity_progress=ActivityProgress.COMPLETED if graded else ActivityProgress.SUBMITTED,
        grading_progress=(GradingProgress.FULLY_GRADED if graded
                          else GradingProgress.PENDING_MANUAL),
        timestamp=utc_now(), score_given=score, score_maximum=100.0 if graded else None,
        submitted_at=submitted,
        canvas=CanvasSubmission(new_submission=True, submission_type="online_text_entry",
                                submission_data="My lab report.", submitted_at=submitted)))


def _students(gd: Gradedesk) -> dict[str, dict[str, Any]]:
    shown = gd.ok("show", "canvas", "--line-item", "31", "--json").json()
    return {student["user_id"]: student for student in shown["students"]}


def _proposals(gd: Gradedesk, reason: str) -> dict[str, dict[str, Any]]:
    listed = gd.ok("proposals", "canvas", "--line-item", "31", "--json").json()["proposals"]
    return {p["user_id"]: p for p in listed if p["reason"] == reason}


def test_the_late_rule_proposes_a_worked_example_and_never_penalises_twice(
        gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles) -> None:
    gd.ok(*add_connection_args("canvas", sandbox.info, keys.private))
    gd.ok("pull", "canvas")
    line_item = sandbox.info["lineitems_url"] + "/31"
    due = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=20)
    gd.ok("column", "edit", "canvas", "31", "--points", "100",
          "--end", due.strftime("%Y-%m-%dT%H:%M:%SZ"))

    before = _students(gd)
    chosen = sorted(uid for uid, s in before.items() if s["sort_name"] != "Student, Test")[:8]
    on_time, in_grace, a_bit, a_day, a_day_on, capped, to_grade, ungraded = chosen
    minute, day = timedelta(minutes=1), timedelta(days=1)
    with _tool(sandbox, keys) as tool:
        _hand_in(tool, line_item, on_time, due - 60 * minute, 90)
        _hand_in(tool, line_item, in_grace, due + 10 * minute, 90)   # within 15 minutes' grace
        _hand_in(tool, line_item, a_bit, due + 20 * minute, 90)      # part of a day: 1 day
        _hand_in(tool, line_item, a_day, due + day, 85.5)            # exactly 1 day
        _hand_in(tool, line_item, a_day_on, due + day + minute, 90)  # a minute more: 2 days
        _hand_in(tool, line_item, capped, due + 5 * day, 90)         # 50%, capped at 30%
        _hand_in(tool, line_item, to_grade, due + 2 * 60 * minute)   # graded below, by hand
        _hand_in(tool, line_item, ungraded, due + 3 * 60 * minute)   # not graded yet
    gd.ok("pull", "canvas")
    gd.ok("grade", "canvas", "--line-item", "31", "--user", to_grade, "--score", "70")

    # What the sandbox seeded in the other cells: graded without a submitted time (never
    # judged late), or handed in and waiting for a grade.
    others = [s for uid, s in before.items() if uid not in chosen and s["server"] is not None]
    seeded_graded = sum(1 for s in others if s["server"]["score"] is not None)
    seeded_waiting = sum(1 for s in others if s["server"]["score"] is None
                         and (s["submission"] or {}).get("submitted_at"))
    assert seeded_graded + seeded_waiting == len(others)

    late = gd.ok("late", "canvas", "--line-item", "31", "--percent", "10", "--per", "day",
                 "--cap", "30", "--grace", "15", "--json").json()
    assert late["rule"] == {"percent": 10, "per": "day", "cap": 30, "grace_minutes": 15}
    worked = {p["user_id"]: (p["was"], p["score"], p["late"], p["working"])
              for p in late["proposed"]}
    assert worked == {
        a_bit: (90, 81, 1, f"90 {MINUS} 10% late (1 day) = 81"),
        a_day: (85.5, 76.95, 1, f"85.5 {MINUS} 10% late (1 day) = 76.95"),
        a_day_on: (90, 72, 2, f"90 {MINUS} 20% late (2 days) = 72"),
        capped: (90, 63, 5, f"90 {MINUS} 30% late (5 days, cap 30%) = 63"),
        to_grade: (70, 63, 1, f"70 {MINUS} 10% late (1 day) = 63"),
    }
    assert late["on_time"] == 2 and late["late_unchanged"] == 0
    assert late["skipped"] == {"no_submitted_time": seeded_graded,
                               "not_graded": seeded_waiting + 1,
                               "unreadable_submitted_time": 0}
    comments = {p["user_id"]: p["comment"] for p in late["proposed"]}
    assert comments[capped] == (f"Late penalty: 30% (5 days late, capped at 30%): "
                                f"90 {MINUS} 30% = 63")

    listed = _proposals(gd, "late")
    assert {uid: (p["score"], p["working"]) for uid, p in listed.items()} == \
        {uid: (score, working) for uid, (_, score, _, working) in worked.items()}

    # Proposals are not grades: a push sends the grade typed by hand and nothing else.
    sent_before = len(sandbox.ledger())
    gd.ok("push", "canvas")
    sent = sandbox.ledger()[sent_before:]
    assert [(e["user_id"], e["body"]["scoreGiven"]) for e in sent] == [(to_grade, 70)]
    assert _students(gd)[a_bit]["score"] == 90

    accepted = gd.ok("accept", "canvas", "--line-item", "31", "--json").json()
    assert len(accepted["accepted"]) == 5 and accepted["stale"] == []
    sent_before = len(sandbox.ledger())
    assert gd.ok("push", "canvas", "--json").json()["confirmed"] == 5
    sent = {e["user_id"]: e["body"] for e in sandbox.ledger()[sent_before:]}
    assert {uid: body["scoreGiven"] for uid, body in sent.items()} == \
        {uid: score for uid, (_, score, _, _) in worked.items()}  # each once
    assert comments[a_bit] in sent[a_bit]["comment"]

    # Canvas replaced the submission extension with GradeDesk's own: the graded result no
    # longer carries its submitted time. GradeDesk kept it, and sees the penalty is in.
    gd.ok("pull", "canvas")
    after = _students(gd)
    assert "submitted_at" not in (after[a_bit]["submission"] or {})
    assert after[a_bit]["score"] == 81
    again = gd.ok("late", "canvas", "--line-item", "31", "--json").json()
    assert again["proposed"] == [] and again["late_unchanged"] == 5 and again["on_time"] == 2
    assert _proposals(gd, "late") == {}

    # A changed rule starts from the grade before the penalty, not from the penalised one.
    changed = gd.ok("late", "canvas", "--line-item", "31", "--percent", "5", "--json").json()
    assert changed["rule"] == {"percent": 5, "per": "day", "cap": 30, "grace_minutes": 15}
    assert {p["user_id"]: (p["was"], p["base"], p["score"], p["working"])
            for p in changed["proposed"]} == {
        a_bit: (81, 90, 85.5, f"90 {MINUS} 5% late (1 day) = 85.5"),
        a_day: (76.95, 85.5, 81.23, f"85.5 {MINUS} 5% late (1 day) = 81.23"),
        a_day_on: (72, 90, 81, f"90 {MINUS} 10% late (2 days) = 81"),
        capped: (63, 90, 67.5, f"90 {MINUS} 25% late (5 days) = 67.5"),
        to_grade: (63, 70, 66.5, f"70 {MINUS} 5% late (1 day) = 66.5"),
    }
    shown = gd.ok("late", "canvas", "--line-item", "31", "--show", "--json").json()
    assert shown["rule"] == changed["rule"]
    assert shown["due"] == due.isoformat()


def test_missing_proposes_zero_only_for_students_without_a_submission(
        gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles) -> None:
    gd.ok(*add_connection_args("canvas", sandbox.info, keys.private))
    gd.ok("pull", "canvas")
    line_item = sandbox.info["lineitems_url"] + "/31"
    due = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=3)
    gd.ok("column", "edit", "canvas", "31", "--end", due.strftime("%Y-%m-%dT%H:%M:%SZ"))
    before = _students(gd)
    nothing = sorted(uid for uid, s in before.items() if s["server"] is None)
    # Three of them: one hands work in late, one gets a grade typed here, one a comment only
    # (not Canvas's Test Student, whose grades the platform refuses).
    late_one, graded_here, comment_only = [uid for uid in nothing
                                           if before[uid]["sort_name"] != "Student, Test"][:3]
    with _tool(sandbox, keys) as tool:
        _hand_in(tool, line_item, late_one, due + timedelta(days=1))
    gd.ok("pull", "canvas")
    gd.ok("grade", "canvas", "--line-item", "31", "--user", graded_here, "--score", "4")
    gd.ok("grade", "canvas", "--line-item", "31", "--user", comment_only,
          "--comment", "Where is it?")

    result = gd.ok("missing", "canvas", "--line-item", "31", "--json").json()
    missing = {p["user_id"] for p in result["proposed"]}
    assert missing == set(nothing) - {late_one, graded_here}
    assert comment_only in missing  # a comment is not a submission
    due_words = due.strftime("%Y-%m-%d %H:%M UTC")
    assert {(p["score"], p["working"]) for p in result["proposed"]} == \
        {(0.0, f"no submission by {due_words}")}
    skipped = result["skipped"]
    assert skipped["submitted"] >= 1 and skipped["result_without_score"] == 0
    assert sum(skipped.values()) + len(missing) == len(before)  # every student, once

    listed = _proposals(gd, "missing")
    assert set(listed) == missing
    assert {p["score"] for p in listed.values()} == {0}
    assert listed[comment_only]["comment"] == \
        f"Missing: no submission by {due_words}, so the score is 0."

    # Nothing proposed is sent: the push carries the two grades typed here, no zero.
    sent_before = len(sandbox.ledger())
    gd.ok("push", "canvas")
    sent = sandbox.ledger()[sent_before:]
    assert sorted(e["user_id"] for e in sent) == sorted([graded_here, comment_only])
    assert all(e["body"].get("scoreGiven") != 0 for e in sent)


def test_late_and_missing_refuse_nonsense_with_one_line(
        gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles) -> None:
    gd.ok(*add_connection_args("canvas", sandbox.info, keys.private))
    gd.ok("pull", "canvas")
    gd.ok("column", "add", "canvas", "--label", "Oral exam", "--points", "10", "--offline")
    refusals = {
        ("late", "--line-item", "31", "--percent", "-5"): "must be 0 or more",
        ("late", "--line-item", "31", "--percent", "10", "--per", "week"): "Unknown unit",
        ("late", "--line-item", "31", "--percent", "10", "--cap", "150"): "between 0 and 100",
        ("late", "--line-item", "31", "--percent", "ten"): "is not a number",
        ("late", "--line-item", "31", "--percent", "10", "--grace", "1.5"):
            "not a whole number of minutes",
        ("late", "--line-item", "31"): "no late rule yet",
        ("late", "--line-item", "31", "--show", "--percent", "5"): "take no rule flags",
        ("late", "--line-item", "new", "--percent", "10"): "has no due date",
        ("missing", "--line-item", "new"): "has no due date",
    }
    for args, message in refusals.items():
        command, *rest = args
        refused = gd.run(command, "canvas", *rest)
        assert refused.code == 1, (args, refused.err)
        lines = refused.err.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], (args, refused.err)
    # A refused rule is not kept.
    shown = gd.ok("late", "canvas", "--line-item", "31", "--show", "--json").json()
    assert shown["rule"] is None

    # Work cannot be missing before it is due.
    soon = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    gd.ok("column", "edit", "canvas", "31", "--end", soon)
    early = gd.run("missing", "canvas", "--line-item", "31")
    assert early.code == 1 and "nothing is missing before then" in early.err


HEAVY = ("httpx", "keyring", "PySide6", "jwt", "cryptography")
PROBE = f"""
import json, sys
from gradedesk.cli import main
code = main(sys.argv[1:])
heavy = sorted({{name.split(".")[0] for name in sys.modules}} & set({HEAVY!r}))
print(json.dumps({{"code": code, "heavy": heavy}}), file=sys.stderr)
"""


def test_late_and_missing_are_local_and_start_light(
        gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles) -> None:
    """Neither command loads the HTTP stack, the keyring or Qt: they work offline."""
    gd.ok(*add_connection_args("canvas", sandbox.info, keys.private))
    gd.ok("pull", "canvas")
    sandbox.stop()  # offline from here on
    for args in (("late", "canvas", "--line-item", "31", "--percent", "10"),
                 ("late", "canvas", "--line-item", "31", "--show"),
                 ("missing", "canvas", "--line-item", "31", "--dry-run")):
        done = subprocess.run([sys.executable, "-c", PROBE, "--data-dir", str(gd.data_dir),
                               *args], capture_output=True, text=True, timeout=60,
                              check=False, env=gd.env)
        loaded = json.loads(done.stderr.strip().splitlines()[-1])
        assert loaded == {"code": 0, "heavy": []}, (args, done.stderr)
