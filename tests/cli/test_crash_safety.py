"""A push killed with SIGKILL at random moments, then run again: the platform's ledger shows
each grade once and no comment twice. The moments are random but seeded, so a failure can be
replayed; the sandbox's latency stretches the push so kills land in every phase."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_support import Gradedesk, KeyFiles, SandboxProcess, add_connection_args

pytestmark = pytest.mark.usefixtures("secret_store")

STUDENTS = 10


@pytest.fixture
def slow_sandbox(keys: KeyFiles) -> Iterator[SandboxProcess]:
    # At 600 ms a request, a push of STUDENTS grades (start, a read, the sends, a read-back)
    # outlasts the latest kill moment (1.6 s) on any machine, so the first kill always lands
    # inside a push that is sending; at 60 ms a fast push could be over before a late moment.
    running = SandboxProcess(keys.public, "--latency-ms", "600")
    yield running
    running.stop()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_push_killed_at_random_moments_sends_each_grade_once(
        tmp_path: Path, keys: KeyFiles, slow_sandbox: SandboxProcess, seed: int) -> None:
    gd = Gradedesk(tmp_path / "data")
    gd.ok(*add_connection_args("canvas", slow_sandbox.info, keys.private))
    gd.ok("pull", "canvas")
    students = [s["user_id"] for s in gd.ok("show", "canvas", "--line-item", "32",
                                               "--json").json()["students"]
                if s["name"] != "Test Student"][:STUDENTS]
    comments = {}
    for number, user in enumerate(students):
        comments[user] = f"Feedback {number} for run {seed}."
        gd.ok("grade", "canvas", "--line-item", "32", "--user", user,
              "--score", str(number + 1), "--comment", comments[user])

    rng = random.Random(seed)
    kills = 0
    for _ in range(4):
        process = gd.start("push", "canvas", "--json")
        time.sleep(rng.uniform(0.2, 1.6))
        if process.poll() is None:
            process.kill()
            kills += 1
        process.wait(timeout=30)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    final = gd.run("push", "canvas", "--json")
    assert final.code == 0, final.err
    assert final.json()["ok"] is True
    assert kills >= 1, "no push was interrupted: the test proved nothing"
    print(f"seed {seed}: {kills} kills, {len(slow_sandbox.ledger())} POSTs in the ledger, "
          f"final push recovered {final.json()['recovered']}")

    ledger = slow_sandbox.ledger()
    counts = Counter(entry["user_id"] for entry in ledger)
    assert counts == Counter(students), f"{kills} kills; ledger {counts}"
    line_item = slow_sandbox.info["lineitems_url"] + "/32"
    for user in students:
        result = slow_sandbox.result(line_item, user)
        said = [c["comment"] for c in result["comments"]]
        assert said.count(comments[user]) == 1, (user, said)
        assert result["resultScore"] == students.index(user) + 1
    status = gd.ok("status", "canvas", "--json").json()["connections"][0]
    assert status["queued"] == status["sending"] == status["failed"] == 0
    assert status["drafts"] == 0
