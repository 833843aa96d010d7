"""Issue 11, item 12: the sandbox keeps what the grader did. A stand-alone ``gradedesk sandbox
--state-dir DIR`` keeps its course, the developer key "the administrator" pasted and its demo
key across a restart, so the README's walk-through goes on working (before, every push after a
restart failed with "JWS signature invalid")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cli_support import Gradedesk, KeyFiles, SandboxProcess

pytestmark = pytest.mark.usefixtures("secret_store")


@pytest.fixture
def kept_sandbox(keys: KeyFiles, tmp_path: Path) -> Iterator[list[SandboxProcess]]:
    running = [SandboxProcess(keys.public, "--state-dir", str(tmp_path / "sandbox"))]
    yield running
    running[-1].stop()


def test_the_walk_through_survives_a_sandbox_restart(tmp_path: Path,
                                                     kept_sandbox: list[SandboxProcess]) -> None:
    sandbox = kept_sandbox[0]
    gd = Gradedesk(tmp_path / "data")
    gd.ok("connection", "add", "bio", "--canvas", sandbox.info["course_url"], "--client-id",
          sandbox.info["client_id"])
    pasted = httpx.post(f"{sandbox.info['admin_url']}/developer_keys",
                        json=gd.ok("connection", "config", "bio").json(), timeout=10)
    assert pasted.status_code == 200, pasted.text
    gd.ok("pull", "bio")
    students = [s["user_id"] for s in gd.ok("show", "bio", "--line-item", "31",
                                               "--json").json()["students"]][:2]
    gd.ok("grade", "bio", "--line-item", "31", "--user", students[0], "--score", "6",
          "--comment", "Before the restart.")
    gd.ok("push", "bio")

    restarted = sandbox.restart()
    kept_sandbox.append(restarted)
    item = restarted.info["lineitems_url"] + "/31"
    assert restarted.result(item, students[0])["comment"] == "Before the restart."
    gd.ok("grade", "bio", "--line-item", "31", "--user", students[1], "--score", "8",
          "--comment", "After the restart.")
    after = gd.run("push", "bio")
    assert after.code == 0, after.err
    assert restarted.result(item, students[1])["comment"] == "After the restart."
    assert [entry["user_id"] for entry in restarted.ledger()] == students
