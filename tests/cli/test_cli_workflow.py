"""The grading workflow through the ``gradedesk`` command, as issue 4's acceptance describes it:
separate processes, a real data folder, the real (private) keyring, the sandbox over loopback."""

from __future__ import annotations

import signal
import stat
import time
from pathlib import Path

import httpx
import pytest

from cli_support import (
    Gradedesk,
    KeyFiles,
    SandboxProcess,
    add_connection_args,
)
from keys_support import pem_with_body

pytestmark = pytest.mark.usefixtures("secret_store")


@pytest.fixture
def gd(tmp_path: Path) -> Gradedesk:
    return Gradedesk(tmp_path / "data")


def _connected(gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles) -> None:
    gd.ok(*add_connection_args("canvas", sandbox.info, keys.private))
    gd.ok("pull", "canvas")


def _students(gd: Gradedesk, line_item: str = "31") -> list[dict[str, object]]:
    shown = gd.ok("show", "canvas", "--line-item", line_item, "--json").json()
    students: list[dict[str, object]] = shown["students"]
    return students


def test_add_pull_grade_three_push_and_see_it(gd: Gradedesk, sandbox: SandboxProcess,
                                              keys: KeyFiles) -> None:
    _connected(gd, sandbox, keys)
    students = _students(gd)
    assert len(students) == 25 and all(s["user_id"] for s in students)  # + Test Student
    first, second, third = (str(s["user_id"]) for s in students[:3])
    pdf = sandbox.info["files_url"] + "/lab-report.pdf"
    gd.ok("grade", "canvas", "--line-item", "31", "--user", first, "--score", "9.5",
          "--comment", "Careful drawings.")
    gd.ok("grade", "canvas", "--line-item", "31", "--user", second, "--score", "7")
    gd.ok("grade", "canvas", "--line-item", "31", "--user", third, "--score", "8",
          "--attach", pdf)

    pushed = gd.run("push", "canvas", "--json")
    assert pushed.code == 0, pushed.err
    report = pushed.json()
    assert report["confirmed"] == 3 and report["ok"] is True
    assert report["conflicts"] == 0 and report["failed"] == 0
    assert report["progress_jobs_open"] == 0 and report["files_failed"] == []

    status = gd.ok("status", "canvas", "--json").json()["connections"][0]
    assert status["drafts"] == 0 and status["queued"] == 0
    assert status["progress_jobs"] == {"open": 0, "completed": 1, "failed": 0}

    after = {s["user_id"]: s for s in _students(gd)}
    assert after[first]["score"] == 9.5 and after[first]["comment"] == "Careful drawings."
    assert after[second]["score"] == 7 and after[third]["score"] == 8
    assert {after[u]["state"] for u in (first, second, third)} == {"confirmed"}

    ledger = sandbox.ledger()
    assert sorted(entry["user_id"] for entry in ledger) == sorted([first, second, third])
    by_user = {entry["user_id"]: entry["body"] for entry in ledger}
    extension = "https://canvas.instructure.com/lti/submission"
    # A correction is not a new attempt; files are.
    assert by_user[first][extension]["new_submission"] is False
    assert by_user[third][extension]["new_submission"] is True
    assert sandbox.result(sandbox.info["lineitems_url"] + "/31", third)["attempts"] >= 1

    audit = gd.ok("history", "canvas", "--user", first, "--json").json()["entries"]
    assert [e["action"] for e in audit] == ["score.accepted", "score.post"]  # newest first
    assert audit[0]["reply_status"] == 200 and audit[0]["user_id"] == first
    assert "score 9.5/10" in audit[1]["summary"] and audit[1]["grader"]
    everything = gd.ok("history", "canvas").out
    assert everything.count("score.post") == 3


def test_a_grade_made_offline_is_queued_and_sent_once_back_online(
        gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles) -> None:
    _connected(gd, sandbox, keys)
    student = str(_students(gd)[4]["user_id"])
    sandbox.stop()

    gd.ok("grade", "canvas", "--line-item", "31", "--user", student, "--score", "6",
          "--comment", "Graded on the train.")
    status = gd.ok("status", "--json").json()["connections"][0]
    assert status["queued"] == 1 and status["drafts"] == 1
    assert status["outbox"][0]["user_id"] == student
    offline_push = gd.run("push", "canvas", "--json")
    assert offline_push.code != 0
    assert offline_push.err.count("Could not reach 127.0.0.1") == 1

    back = sandbox.restart()
    try:
        gd.ok("push", "canvas")
        gd.ok("push", "canvas")  # nothing left: sends nothing
        assert [entry["user_id"] for entry in back.ledger()] == [student]
        result = back.result(back.info["lineitems_url"] + "/31", student)
        assert result["resultScore"] == 6
        assert [c["comment"] for c in result["comments"]].count("Graded on the train.") == 1
    finally:
        back.stop()


def test_a_colleagues_change_is_a_conflict_until_resolved(
        gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles) -> None:
    _connected(gd, sandbox, keys)
    students = [str(s["user_id"]) for s in _students(gd)]
    line_item = sandbox.info["lineitems_url"] + "/31"
    gd.ok("grade", "canvas", "--line-item", "31", "--user", students[0], "--score", "5")
    gd.ok("grade", "canvas", "--line-item", "31", "--user", students[1], "--score", "6",
          "--comment", "Mine.")
    sandbox.colleague_grades(line_item, students[0], 9, "Regraded in Canvas.")
    sandbox.colleague_grades(line_item, students[1], 8, "Theirs.")

    pushed = gd.run("push", "canvas", "--json")
    assert pushed.code == 1
    assert pushed.json()["conflicts"] == 2
    listed = gd.ok("conflicts", "canvas", "--json")
    views = {v["user_id"]: v for v in listed.json()["conflicts"]}
    assert views[students[0]]["mine"]["score"] == 5
    assert views[students[0]]["theirs"] == {"score": 9, "comment": "Regraded in Canvas."}
    assert sandbox.ledger() == []

    gd.ok("push", "canvas", "--resolve", "theirs")
    assert sandbox.ledger() == [], "taking theirs sends nothing"
    assert gd.ok("conflicts", "canvas", "--json").json()["conflicts"] == []
    assert {s["user_id"]: s["score"] for s in _students(gd)}[students[0]] == 9


def test_keep_mine_and_keep_both(gd: Gradedesk, sandbox: SandboxProcess,
                                 keys: KeyFiles) -> None:
    _connected(gd, sandbox, keys)
    students = [str(s["user_id"]) for s in _students(gd)]
    line_item = sandbox.info["lineitems_url"] + "/31"
    gd.ok("grade", "canvas", "--line-item", "31", "--user", students[2], "--score", "4",
          "--comment", "Mine wins.")
    sandbox.colleague_grades(line_item, students[2], 9, "Theirs loses.")
    assert gd.run("push", "canvas").code == 1
    gd.ok("push", "canvas", "--resolve", "mine")
    result = sandbox.result(line_item, students[2])
    assert result["resultScore"] == 4
    assert [c["comment"] for c in result["comments"]][-2:] == ["Theirs loses.", "Mine wins."]

    gd.ok("grade", "canvas", "--line-item", "31", "--user", students[3], "--score", "3",
          "--comment", "Also look at figure 2.")
    sandbox.colleague_grades(line_item, students[3], 7, "Good lab.")
    assert gd.run("push", "canvas").code == 1
    gd.ok("push", "canvas", "--resolve", "both")
    result = sandbox.result(line_item, students[3])
    assert result["resultScore"] == 7, "keep both keeps their grade"
    comments = [c["comment"] for c in result["comments"]]
    assert "Good lab." in comments and comments[-1] == "Also look at figure 2."


def test_no_secret_on_disk_and_the_database_is_private(
        gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles) -> None:
    _connected(gd, sandbox, keys)
    student = str(_students(gd)[0]["user_id"])
    gd.ok("grade", "canvas", "--line-item", "31", "--user", student, "--score", "5")
    gd.ok("push", "canvas")
    keys.private.unlink()  # the key file is not needed again: it lives in the keyring
    gd.ok("pull", "canvas")
    for path in gd.data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"PRIVATE KEY" not in data, path
            assert b"eyJ" not in data, f"a JWT in {path}"
    database = gd.data_dir / "gradedesk.sqlite3"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(gd.data_dir.stat().st_mode) == 0o700


def test_connection_commands(gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles) -> None:
    gd.ok(*add_connection_args("canvas", sandbox.info, keys.private))
    again = gd.run(*add_connection_args("canvas", sandbox.info, keys.private))
    assert again.code == 1 and "already exists" in again.err
    listed = gd.ok("connection", "list", "--json").json()["connections"]
    assert [c["name"] for c in listed] == ["canvas"]
    assert "private" not in str(listed[0]["settings"]).lower()
    verdict = gd.ok("connection", "test", "canvas", "--json").json()
    assert verdict["ok"] is True and verdict["line_items"] == 6
    jwks = gd.ok("connection", "jwks", "canvas").json()
    assert jwks["keys"][0]["kty"] == "RSA" and jwks["keys"][0]["kid"]
    gd.ok("connection", "remove", "canvas")
    assert gd.ok("connection", "list", "--json").json()["connections"] == []
    gone = gd.run("pull", "canvas")
    assert gone.code == 1 and "No connection named 'canvas'" in gone.err


def test_generate_key_prints_a_jwks_and_keeps_the_key_in_the_keyring(
        gd: Gradedesk, sandbox: SandboxProcess) -> None:
    info = sandbox.info
    added = gd.ok("connection", "add", "fresh", "--lti", "--issuer", info["issuer"],
                  "--client-id", info["client_id"], "--deployment-id", info["deployment_id"],
                  "--token-url", info["token_url"], "--generate-key",
                  "--lineitems-url", info["lineitems_url"])
    jwks = added.json()
    assert set(jwks["keys"][0]) >= {"kty", "n", "e", "kid", "alg", "use"}
    assert jwks == gd.ok("connection", "jwks", "fresh").json()


def test_bad_input_is_refused_clearly_and_nothing_is_stored(
        gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles, tmp_path: Path) -> None:
    bad_pem = tmp_path / "bad.pem"
    bad_pem.write_text(pem_with_body("not a key"))
    refused = gd.run(*add_connection_args("canvas", sandbox.info, bad_pem))
    assert refused.code == 1 and "key" in refused.err.lower()
    assert "not a key" not in refused.err
    assert gd.ok("connection", "list", "--json").json()["connections"] == []

    insecure = add_connection_args("canvas", sandbox.info, keys.private)
    insecure[insecure.index("--token-url") + 1] = "http://canvas.example.edu/login/oauth2/token"
    refused = gd.run(*insecure)
    assert refused.code == 1 and "https" in refused.err

    _connected(gd, sandbox, keys)
    student = str(_students(gd)[0]["user_id"])
    for score, reason in (("abc", "is not a number"), ("-5", "0 or more")):
        bad = gd.run("grade", "canvas", "--line-item", "31", "--user", student,
                     "--score", score)
        assert bad.code == 1 and reason in bad.err
    # A name that matches nobody is a typo; a user id the roster lacks is taken with a warning.
    nobody = gd.run("grade", "canvas", "--line-item", "31", "--user", "Nobody Atall",
                    "--score", "1")
    assert nobody.code == 1 and "No one called" in nobody.err
    assert gd.ok("status", "canvas", "--json").json()["connections"][0]["drafts"] == 0


def test_the_same_workflow_through_ltiaas(gd: Gradedesk, sandbox: SandboxProcess,
                                          tmp_path: Path) -> None:
    info = sandbox.info
    api_key, service_key = tmp_path / "api.txt", tmp_path / "service.txt"
    api_key.write_text(info["ltiaas_api_key"] + "\n")
    service_key.write_text(info["ltiaas_service_key"] + "\n")
    gd.ok("connection", "add", "school", "--ltiaas", "--url", info["ltiaas_url"],
          "--api-key-file", str(api_key), "--service-key-file", str(service_key))
    settings = gd.ok("connection", "list", "--json").json()["connections"][0]["settings"]
    assert settings == {"url": info["ltiaas_url"]}
    gd.ok("pull", "school")
    items = gd.ok("show", "school", "--json").json()["line_items"]
    assert len(items) == 6
    shown = gd.ok("show", "school", "--line-item", "Lab 1: Microscopy", "--json").json()
    user = next(s["user_id"] for s in shown["students"] if s["name"] != "Test Student")
    gd.ok("grade", "school", "--line-item", "Lab 1: Microscopy", "--user", user,
          "--score", "4", "--comment", "Through LTIAAS.")
    report = gd.ok("push", "school", "--json").json()
    assert report["confirmed"] == 1 and report["ok"] is True
    ledger = sandbox.ledger()
    assert [(e["user_id"], e["via"]) for e in ledger] == [(user, "ltiaas")]
    again = gd.ok("show", "school", "--line-item", "Lab 1: Microscopy", "--json").json()
    assert {s["user_id"]: s["score"] for s in again["students"]}[user] == 4


def test_ctrl_c_cancels_a_push_and_leaves_the_rest_queued(
        gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles) -> None:
    _connected(gd, sandbox, keys)
    # More grades than requests fly at once (the platform's bucket lets 11): some stay queued.
    students = [str(s["user_id"]) for s in _students(gd) if s["name"] != "Test Student"]
    assert len(students) >= 20
    for user in students:
        gd.ok("grade", "canvas", "--line-item", "31", "--user", user, "--score", "3")
    httpx.patch(f"{sandbox.info['admin_url']}/settings", json={"latency_ms": 400},
                timeout=10).raise_for_status()
    process = gd.start("push", "canvas")
    deadline = time.monotonic() + 30
    while not sandbox.ledger() and time.monotonic() < deadline:
        time.sleep(0.05)  # wait until the first grade has gone out
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "stay queued" in err
    sent = len(sandbox.ledger())
    status = gd.ok("status", "canvas", "--json").json()["connections"][0]
    assert 1 <= sent < len(students)
    assert status["queued"] + status["sending"] + sent >= len(students)
    httpx.patch(f"{sandbox.info['admin_url']}/settings", json={"latency_ms": 0},
                timeout=10).raise_for_status()
    gd.ok("push", "canvas")
    assert sorted(e["user_id"] for e in sandbox.ledger()) == sorted(students)


def test_a_second_ctrl_c_stops_at_once_and_nothing_is_sent_twice(
        gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles) -> None:
    # Issue 10, finding 3: Ctrl-C at 5 s still ran until 402 s; a second one now stops now.
    _connected(gd, sandbox, keys)
    students = [str(s["user_id"]) for s in _students(gd) if s["name"] != "Test Student"]
    for user in students[:6]:
        gd.ok("grade", "canvas", "--line-item", "31", "--user", user, "--score", "3",
              "--comment", "Once only.")
    httpx.patch(f"{sandbox.info['admin_url']}/settings", json={"latency_ms": 3000},
                timeout=10).raise_for_status()
    process = gd.start("push", "canvas")
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    time.sleep(0.3)
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert time.monotonic() - started < 2.0
    assert "Traceback" not in err and "unexpected error" not in err
    httpx.patch(f"{sandbox.info['admin_url']}/settings", json={"latency_ms": 0},
                timeout=10).raise_for_status()
    gd.ok("push", "canvas")
    assert sorted(e["user_id"] for e in sandbox.ledger()) == sorted(students[:6])
    for user in students[:6]:
        said = [c["comment"] for c in sandbox.result(sandbox.info["lineitems_url"] + "/31",
                                                     user)["comments"]]
        assert said.count("Once only.") == 1


def test_conflicts_are_settled_one_student_at_a_time(
        gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles) -> None:
    _connected(gd, sandbox, keys)
    students = [str(s["user_id"]) for s in _students(gd) if s["name"] != "Test Student"]
    line_item = sandbox.info["lineitems_url"] + "/31"
    for user in students[:2]:
        gd.ok("grade", "canvas", "--line-item", "31", "--user", user, "--score", "2")
        sandbox.colleague_grades(line_item, user, 9)
    assert gd.run("push", "canvas").code == 1
    nobody = gd.run("resolve", "canvas", "mine", "--user", students[5])
    assert nobody.code == 1 and "No conflict matches" in nobody.err
    settled = gd.ok("resolve", "canvas", "mine", "--user", students[0], "--json").json()
    assert [c["user_id"] for c in settled["resolved"]] == [students[0]]
    left = gd.ok("conflicts", "canvas", "--json").json()["conflicts"]
    assert [c["user_id"] for c in left] == [students[1]]
    gd.ok("resolve", "canvas", "theirs", "--line-item", "31")
    gd.ok("push", "canvas")
    assert [e["user_id"] for e in sandbox.ledger()] == [students[0]]
    assert sandbox.result(line_item, students[0])["resultScore"] == 2
    assert sandbox.result(line_item, students[1])["resultScore"] == 9
