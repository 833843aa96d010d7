"""Proposed grades through the ``gradedesk`` command against the sandbox: listed for review,
never sent by a push until accepted, then sent once like any grade; rejected ones and stale
ones never reach the platform."""

from __future__ import annotations

import pytest

from cli_support import Gradedesk
from gradedesk.store import open_database
from gradedesk.store.connections import require_connection
from gradedesk.store.proposals import NewProposal, propose

pytestmark = pytest.mark.usefixtures("secret_store")


def _column(gd: Gradedesk) -> tuple[str, list[dict[str, object]]]:
    shown = gd.ok("show", "canvas", "--line-item", "31", "--json").json()
    students = [s for s in shown["students"] if s["name"] and s["name"] != "Test Student"]
    return shown["line_item"]["id"], students


def _propose(gd: Gradedesk, *proposals: NewProposal) -> None:
    """What a late rule or a rubric change stores (those commands are tested on their own)."""
    db = open_database(gd.data_dir)
    try:
        propose(db, require_connection(db, "canvas").id, proposals)
    finally:
        db.close()


def _platform_score(gd: Gradedesk, user_id: object) -> object:
    gd.ok("pull", "canvas")
    return next(s["score"] for s in _column(gd)[1] if s["user_id"] == user_id)


def test_proposals_wait_for_review_then_go_once(gd: Gradedesk) -> None:
    url, students = _column(gd)
    first, second = students[0]["user_id"], students[1]["user_id"]
    before = _platform_score(gd, second)
    _propose(gd, NewProposal(url, str(first), 6.5, "Late penalty: 10% (1 day late)", "late",
                             "7 - 10% late = 6.3, rounded to 6.5"),
             NewProposal(url, str(second), 0.0, "Missing", "missing", "no submission"))
    listed = gd.ok("proposals", "canvas", "--json").json()["proposals"]
    assert [(p["user_id"], p["score"], p["reason"]) for p in listed] == sorted(
        [(first, 6.5, "late"), (second, 0.0, "missing")], key=lambda p: str(p[0]))
    # A push sends none of them, and says they wait.
    pushed = gd.run("push", "canvas")
    assert pushed.code == 0, pushed.err
    assert "2 proposed grade(s) wait for review" in pushed.out
    assert gd.ok("status", "canvas", "--json").json()["connections"][0]["proposals"] == 2

    accepted = gd.ok("accept", "canvas", "--user", str(first), "--json").json()
    assert [(a["user_id"], a["score"]) for a in accepted["accepted"]] == [(first, 6.5)]
    assert gd.ok("reject", "canvas", "--user", str(second), "--json").json()["rejected"] == 1
    sent = gd.ok("push", "canvas", "--json").json()
    assert sent["confirmed"] == 1
    assert gd.ok("push", "canvas", "--json").json()["confirmed"] == 0  # sent once
    assert _platform_score(gd, first) == 6.5
    assert _platform_score(gd, second) == before  # the rejected zero never went
    assert gd.ok("proposals", "canvas", "--json").json()["proposals"] == []


def test_a_proposal_for_a_grade_changed_since_is_not_accepted(gd: Gradedesk) -> None:
    url, students = _column(gd)
    student = str(students[0]["user_id"])
    _propose(gd, NewProposal(url, student, 3.0, None, "late", "5 - 40% late = 3"))
    gd.ok("grade", "canvas", "--line-item", "31", "--user", student, "--score", "9")
    refused = gd.run("accept", "canvas")
    assert refused.code == 1
    assert "changed since it was proposed" in refused.out
    status = gd.ok("status", "canvas", "--json").json()["connections"][0]
    assert status["proposals"] == 1
    assert [e["user_id"] for e in status["outbox"]] == [student]
    gd.ok("push", "canvas")
    assert _platform_score(gd, student) == 9.0


def test_unknown_names_are_clear_errors(gd: Gradedesk) -> None:
    missing = gd.run("accept", "canvas")
    assert missing.code == 1 and "No proposed grades match" in missing.err
    assert gd.run("proposals", "nowhere").code == 1
    assert gd.ok("proposals", "canvas").out.startswith("No proposed grades")
