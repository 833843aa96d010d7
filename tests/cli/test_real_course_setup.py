"""Issue 8 through the ``gradedesk`` command: a course connected from its URL and a client id,
the administrator's configuration pasted into the platform, ``connection check`` explaining each
failure; columns made offline created exactly once; a spec-only platform worked end to end."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cli_support import Gradedesk, KeyFiles, SandboxProcess, make_key_files
from gradedesk.platforms.keys import load_private_key, public_jwk
from gradedesk.secrets import SecretKind, SecretStore

pytestmark = pytest.mark.usefixtures("secret_store")


@pytest.fixture
def other_keys(tmp_path: Path) -> KeyFiles:
    """A key the sandbox knows that is not GradeDesk's: the connection's own key must be
    registered the way an administrator does it."""
    return make_key_files(tmp_path / "other-keys")


@pytest.fixture
def sandbox(other_keys: KeyFiles) -> Iterator[SandboxProcess]:
    running = SandboxProcess(other_keys.public)
    yield running
    running.stop()


@pytest.fixture
def minimal(other_keys: KeyFiles) -> Iterator[SandboxProcess]:
    # One line item: a quarter of the students have no result, so no name on this platform.
    running = SandboxProcess(other_keys.public, "--profile", "minimal", "--line-items", "1")
    yield running
    running.stop()


@pytest.fixture
def gd(tmp_path: Path) -> Gradedesk:
    return Gradedesk(tmp_path / "data")


def paste_developer_key(sandbox: SandboxProcess, config: dict[str, Any]) -> None:
    """What the administrator does with ``connection config``'s output."""
    reply = httpx.post(f"{sandbox.info['admin_url']}/developer_keys", json=config, timeout=10)
    assert reply.status_code == 200, reply.text


def check_steps(result: Any) -> dict[str, dict[str, Any]]:
    return {step["step"]: step for step in result.json()["steps"]}


def platform_line_items(sandbox: SandboxProcess) -> list[dict[str, Any]]:
    reply = httpx.get(f"{sandbox.info['admin_url']}/line_items", timeout=10)
    reply.raise_for_status()
    return [item for item in reply.json() if not item["deleted"]]


def test_a_canvas_course_from_its_url_and_client_id(gd: Gradedesk,
                                                    sandbox: SandboxProcess) -> None:
    info = sandbox.info
    added = gd.run("connection", "add", "bio", "--canvas", info["course_url"],
                   "--client-id", info["client_id"])
    assert added.code == 0, added.err
    assert "connection config bio" in added.err

    # Not registered yet: the check says so, and what to do.
    before = gd.run("connection", "check", "bio", "--json")
    assert before.code == 1
    steps = check_steps(before)
    assert steps["token"]["status"] == "error"
    assert "connection config bio" in steps["token"]["fix"]
    assert steps["line items"]["status"] == "skipped"

    config = gd.ok("connection", "config", "bio").json()
    pem = SecretStore().get("bio", SecretKind.PRIVATE_KEY)
    mine = public_jwk(load_private_key(pem.encode("ascii")))
    assert (config["public_jwk"]["n"], config["public_jwk"]["e"]) == (mine["n"], mine["e"])
    assert "https://canvas.instructure.com/lti-ags/progress/scope/show" in config["scopes"]
    paste_developer_key(sandbox, config)

    after = gd.run("connection", "check", "bio", "--json")
    assert after.code == 0, after.out
    assert {step["status"] for step in after.json()["steps"]} == {"ok"}

    gd.ok("pull", "bio")
    students = gd.ok("show", "bio", "--line-item", "31", "--json").json()["students"]
    student = next(s for s in students if s["name"] and s["name"] != "Test Student")
    gd.ok("grade", "bio", "--line-item", "31", "--user", student["user_id"], "--score", "7.5")
    pushed = gd.run("push", "bio", "--json")
    assert pushed.code == 0, pushed.err
    assert pushed.json()["confirmed"] == 1
    assert sandbox.result(info["lineitems_url"] + "/31", student["user_id"])["resultScore"] == 7.5


def test_the_client_id_can_come_after_the_administrator_has_the_key(
        gd: Gradedesk, sandbox: SandboxProcess) -> None:
    gd.ok("connection", "add", "bio", "--canvas", sandbox.info["course_url"])
    waiting = gd.run("pull", "bio")
    assert waiting.code == 1 and "connection set bio --client-id" in waiting.err
    paste_developer_key(sandbox, gd.ok("connection", "config", "bio").json())
    gd.ok("connection", "set", "bio", "--client-id", sandbox.info["client_id"])
    assert gd.run("connection", "check", "bio").code == 0


@pytest.mark.parametrize(("knobs", "step", "says"), [
    ({"key_active": False}, "token", "developer key is off"),
    ({"tool_installed": False}, "line items", "By Client ID"),
    ({"course_state": "deleted"}, "line items", "copy its address again"),
    ({"key_enabled_for_account": False}, "line items", "for the account"),
])
def test_check_turns_each_failure_into_a_fix(gd: Gradedesk, sandbox: SandboxProcess,
                                            knobs: dict[str, Any], step: str,
                                            says: str) -> None:
    gd.ok("connection", "add", "bio", "--canvas", sandbox.info["course_url"],
          "--client-id", sandbox.info["client_id"])
    paste_developer_key(sandbox, gd.ok("connection", "config", "bio").json())
    sandbox_settings(sandbox, **knobs)
    checked = gd.run("connection", "check", "bio", "--json")
    assert checked.code == 1
    found = check_steps(checked)[step]
    assert found["status"] == "error"
    assert says in f"{found['detail']} {found['fix']}", found
    text = gd.run("connection", "check", "bio")
    assert "fix:" in text.out and "not ready" in text.out


def test_check_names_a_scope_the_key_lacks(gd: Gradedesk, sandbox: SandboxProcess) -> None:
    gd.ok("connection", "add", "bio", "--canvas", sandbox.info["course_url"],
          "--client-id", sandbox.info["client_id"])
    config = gd.ok("connection", "config", "bio").json()
    config["scopes"] = [s for s in config["scopes"] if "progress" not in s]
    paste_developer_key(sandbox, config)
    token = check_steps(gd.run("connection", "check", "bio", "--json"))["token"]
    assert token["status"] == "error"
    assert "progress/scope/show" in token["detail"] and "enables" in token["fix"]


def sandbox_settings(sandbox: SandboxProcess, **knobs: Any) -> None:
    reply = httpx.patch(f"{sandbox.info['admin_url']}/settings", json=knobs, timeout=10)
    reply.raise_for_status()


def _connect_canvas(gd: Gradedesk, sandbox: SandboxProcess) -> None:
    gd.ok("connection", "add", "bio", "--canvas", sandbox.info["course_url"],
          "--client-id", sandbox.info["client_id"])
    paste_developer_key(sandbox, gd.ok("connection", "config", "bio").json())
    gd.ok("pull", "bio")


def _three_students(gd: Gradedesk) -> list[str]:
    students = gd.ok("show", "bio", "--line-item", "31", "--json").json()["students"]
    return [s["user_id"] for s in students if s["name"] and s["name"] != "Test Student"][:3]


def test_a_column_made_offline_is_created_once_with_its_grades(
        gd: Gradedesk, sandbox: SandboxProcess) -> None:
    _connect_canvas(gd, sandbox)
    students = _three_students(gd)
    made = gd.ok("column", "add", "bio", "--label", "Paper test 1", "--points", "20",
                 "--tag", "paper", "--offline", "--json").json()
    assert made["on_platform"] is False and made["id"] is None
    local_id = made["short_id"]
    for number, user in enumerate(students):
        gd.ok("grade", "bio", "--line-item", local_id, "--user", user,
              "--score", str(15 + number), "--comment", f"Paper {number}")
    assert all(item["label"] != "Paper test 1" for item in platform_line_items(sandbox))

    pushed = gd.run("push", "bio", "--json")
    assert pushed.code == 0, pushed.err
    assert pushed.json()["confirmed"] == 3
    created = [item for item in platform_line_items(sandbox) if item["label"] == "Paper test 1"]
    assert len(created) == 1
    assert created[0]["submission_type"] == {"type": "none"}  # a plain column on Canvas
    assert created[0]["resource_id"].startswith("gradedesk-")
    ledger = sandbox.ledger()
    assert Counter(entry["user_id"] for entry in ledger) == Counter(students)
    shown = gd.ok("show", "bio", "--json").json()["line_items"]
    column = next(item for item in shown if item["label"] == "Paper test 1")
    assert column["short_id"] == str(created[0]["number"])

    gd.ok("pull", "bio")  # a later pull keeps one column, under the platform's id
    again = [item for item in gd.ok("show", "bio", "--json").json()["line_items"]
             if item["label"] == "Paper test 1"]
    assert [item["short_id"] for item in again] == [column["short_id"]]


def test_a_push_killed_right_after_the_create_creates_the_column_once(
        gd: Gradedesk, sandbox: SandboxProcess) -> None:
    _connect_canvas(gd, sandbox)
    students = _three_students(gd)
    gd.ok("column", "add", "bio", "--label", "Oral exam", "--points", "10", "--offline")
    for user in students:
        gd.ok("grade", "bio", "--line-item", "new", "--user", user, "--score", "8")
    # The platform applies the create and holds its reply back; the push dies meanwhile.
    sandbox_settings(sandbox, reply_delay_ms=5000)
    process = gd.start("push", "bio", "--json")
    deadline = time.monotonic() + 30
    while not any(item["label"] == "Oral exam" for item in platform_line_items(sandbox)):
        assert time.monotonic() < deadline, "the column was never created"
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    process.kill()
    process.communicate(timeout=30)
    sandbox_settings(sandbox, reply_delay_ms=0)
    assert sandbox.ledger() == []

    pushed = gd.run("push", "bio", "--json")
    assert pushed.code == 0, pushed.err
    assert pushed.json()["confirmed"] == 3
    assert [item["label"] for item in platform_line_items(sandbox)].count("Oral exam") == 1
    assert Counter(entry["user_id"] for entry in sandbox.ledger()) == Counter(students)
    status = gd.ok("status", "bio", "--json").json()["connections"][0]
    assert status["queued"] == status["sending"] == status["failed"] == 0


def test_columns_are_made_changed_and_removed_online(gd: Gradedesk,
                                                    sandbox: SandboxProcess) -> None:
    _connect_canvas(gd, sandbox)
    made = gd.ok("column", "add", "bio", "--label", "Quiz 9", "--points", "5",
                 "--json").json()
    assert made["on_platform"] is True and made["id"].startswith(sandbox.info["lineitems_url"])
    edited = gd.ok("column", "edit", "bio", made["short_id"], "--label", "Quiz 9 (retake)",
                   "--points", "6", "--json").json()
    assert (edited["label"], edited["score_maximum"]) == ("Quiz 9 (retake)", 6.0)
    on_platform = {item["label"]: item for item in platform_line_items(sandbox)}
    assert on_platform["Quiz 9 (retake)"]["score_maximum"] == 6.0
    gd.ok("column", "remove", "bio", made["short_id"], "--yes")
    assert "Quiz 9 (retake)" not in {item["label"] for item in platform_line_items(sandbox)}

    # Canvas refuses to delete a column its own assignment made: said plainly.
    refused = gd.run("column", "remove", "bio", "31", "--yes")
    assert refused.code == 1
    assert "belongs to an assignment" in refused.err
    assert any(item["number"] == 31 for item in platform_line_items(sandbox))


def test_a_spec_only_platform_end_to_end(gd: Gradedesk, minimal: SandboxProcess) -> None:
    info = minimal.info
    assert info["nrps_url"] is None
    gd.ok("connection", "add", "ags", "--lti", "--issuer", info["issuer"],
          "--client-id", info["client_id"], "--token-url", info["token_url"],
          "--lineitems-url", info["lineitems_url"])
    registration = gd.ok("connection", "config", "ags").json()
    assert registration["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert not any("canvas" in scope for scope in registration["scopes"])
    paste_developer_key(minimal, registration)
    pulled = gd.run("pull", "ags", "--json")
    assert pulled.code == 0, pulled.err
    assert pulled.json()["names_available"] is False
    assert "names are unavailable" in pulled.err
    listing = gd.ok("show", "ags", "--json").json()["line_items"]
    short_ids = [item["short_id"] for item in listing]
    assert len(set(short_ids)) == len(short_ids) and "31" in short_ids
    assert gd.ok("connection", "list", "--json").json()["connections"][0]["settings"][
        "refused_query_params"]  # limit was refused once, and is not sent again

    graded = gd.ok("show", "ags", "--line-item", "31", "--json").json()["students"]
    assert graded and all(s["user_id"] for s in graded)
    roster = httpx.get(info["roster_url"], timeout=10).json()
    known = {s["user_id"] for s in graded}
    ungraded = next(p["user_id"] for p in roster
                    if p["roles"] and p["roles"][0].endswith("#Learner")
                    and p["name"] != "Test Student" and p["user_id"] not in known)
    typed = gd.run("grade", "ags", "--line-item", "31", "--user", ungraded, "--score", "4")
    assert typed.code == 0 and "not on" in typed.err
    first = graded[0]["user_id"]
    gd.ok("grade", "ags", "--line-item", "31", "--user", first, "--score", "3",
          "--comment", "Spec only.")
    pushed = gd.run("push", "ags", "--json")
    assert pushed.code == 0, pushed.err
    assert pushed.json()["confirmed"] == 2
    assert minimal.result(info["lineitems_url"].split("?")[0] + "/31/lineitem",
                          ungraded)["resultScore"] == 4

    # A colleague's newer grade becomes a conflict, not an overwrite.
    gd.ok("grade", "ags", "--line-item", "31", "--user", first, "--score", "5")
    minimal.colleague_grades(info["lineitems_url"].split("?")[0] + "/31/lineitem", first, 9)
    conflicted = gd.run("push", "ags", "--json")
    assert conflicted.code == 1 and conflicted.json()["conflicts"] == 1
    assert minimal.result(info["lineitems_url"].split("?")[0] + "/31/lineitem",
                          first)["resultScore"] == 9


def test_a_score_moodle_would_drop_is_warned_about_before_it_is_queued(gd: Gradedesk) -> None:
    from gradedesk.domain import LEARNER_ROLE, LineItem, Member
    from gradedesk.store import connections, open_database, snapshots

    site = "https://moodle.school.edu/mod/lti/services.php"
    db = open_database(gd.data_dir)
    try:
        row = connections.add_connection(db, "m", "lti", {
            "platform": "moodle", "issuer": "https://moodle.school.edu", "client_id": "abc",
            "token_url": "https://moodle.school.edu/mod/lti/token.php",
            "lineitems_url": f"{site}/42/lineitems?type_id=5"})
        snapshots.upsert_line_items(db, row.id, [LineItem(
            id=f"{site}/42/lineitems/3/lineitem?type_id=5", label="Essay", score_maximum=10)])
        snapshots.upsert_members(db, row.id, [Member("u-1", roles=(LEARNER_ROLE,), name="Ada")])
    finally:
        db.close()
    warned = gd.ok("grade", "m", "--line-item", "3", "--user", "u-1", "--score", "6",
                   "--grading-progress", "PendingManual")
    assert "keeps a score only when its grading progress is FullyGraded" in warned.err
    quiet = gd.ok("grade", "m", "--line-item", "3", "--user", "u-1", "--score", "6")
    assert "warning" not in quiet.err

    # A rubric grade's score is dropped the same way, and said the same way.
    rubric = gd.data_dir.parent / "essay.json"
    rubric.write_text('{"criteria": [{"name": "Clarity", "levels": [{"points": 6}, '
                      '{"points": 0}]}]}', encoding="utf-8")
    gd.ok("rubric", "import", "m", "--line-item", "3", str(rubric))
    by_rubric = gd.ok("grade", "m", "--line-item", "3", "--user", "u-1", "--rubric",
                      "Clarity=6", "--grading-progress", "PendingManual")
    assert "keeps a score only when its grading progress is FullyGraded" in by_rubric.err
    assert "the score 6 will be dropped" in by_rubric.err
