"""Issue 10, finding 1: two pushes at once (two terminals, or the window and a terminal) send
every grade once, and neither dies with a traceback or leaves an entry half-sent."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_support import Gradedesk, KeyFiles, SandboxProcess, add_connection_args

pytestmark = pytest.mark.usefixtures("secret_store")

STUDENTS = 20


@pytest.fixture
def slow_sandbox(keys: KeyFiles) -> Iterator[SandboxProcess]:
    running = SandboxProcess(keys.public, "--latency-ms", "40", "--students", "24")
    yield running
    running.stop()


def test_two_pushes_at_once_send_every_grade_once(tmp_path: Path, keys: KeyFiles,
                                                  slow_sandbox: SandboxProcess) -> None:
    gd = Gradedesk(tmp_path / "data")
    gd.ok(*add_connection_args("canvas", slow_sandbox.info, keys.private))
    gd.ok("pull", "canvas")
    students = [s["user_id"] for s in gd.ok("show", "canvas", "--line-item", "32",
                                               "--json").json()["students"]
                if s["name"] != "Test Student"][:STUDENTS]
    for number, user in enumerate(students):
        gd.ok("grade", "canvas", "--line-item", "32", "--user", user,
              "--score", str(number % 10 + 1), "--comment", f"Once, {number}.")

    first, second = gd.start("push", "canvas", "--json"), gd.start("push", "canvas", "--json")
    outcomes = [process.communicate(timeout=120) for process in (first, second)]
    codes = [first.returncode, second.returncode]
    for (_out, err), code in zip(outcomes, codes, strict=True):
        assert "Traceback" not in err and "unexpected error" not in err, err
        assert "StoreStateError" not in err, err
        assert code == 0 or "Another push of 'canvas' is running" in err, (code, err)

    ledger = slow_sandbox.ledger()
    assert Counter(entry["user_id"] for entry in ledger) == Counter(students)
    line_item = slow_sandbox.info["lineitems_url"] + "/32"
    for number, user in enumerate(students):
        said = [c["comment"] for c in slow_sandbox.result(line_item, user)["comments"]]
        assert said.count(f"Once, {number}.") == 1
    final = gd.run("push", "canvas", "--json")
    assert final.code == 0, final.err
    status = gd.ok("status", "canvas", "--json").json()["connections"][0]
    assert status["queued"] == status["sending"] == status["failed"] == 0
    assert len(slow_sandbox.ledger()) == STUDENTS
