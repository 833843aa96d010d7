"""Finding 3: every pull and push has a total deadline, and Ctrl-C stops a push within
seconds even while a request hangs; what was not sent stays queued and goes exactly once."""

from __future__ import annotations

import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from cli_support import Gradedesk, KeyFiles, SandboxProcess, add_connection_args
from gradedesk.domain import Cancelled, TimeLimitReached
from gradedesk.sync.cancel import CancelToken

pytestmark = pytest.mark.usefixtures("secret_store")

HANG_MS = 30_000  # far longer than any limit below: only the deadline can end the wait


def _graded(tmp_path: Path, keys: KeyFiles, sandbox: SandboxProcess,
            count: int = 4) -> tuple[Gradedesk, list[str]]:
    gd = Gradedesk(tmp_path / "data")
    gd.ok(*add_connection_args("canvas", sandbox.info, keys.private))
    gd.ok("pull", "canvas")
    students = [s["user_id"] for s in gd.ok("show", "canvas", "--line-item", "31",
                                               "--json").json()["students"]
                if s["name"] != "Test Student"][:count]
    for number, user in enumerate(students):
        gd.ok("grade", "canvas", "--line-item", "31", "--user", user, "--score", str(number),
              "--comment", f"Deadline check {number}.")
    return gd, students


def _lands_once(gd: Gradedesk, sandbox: SandboxProcess, students: list[str]) -> None:
    sandbox.set_knobs(latency_ms=0)
    final = gd.run("push", "canvas", "--json")
    assert final.code == 0, final.err
    assert Counter(entry["user_id"] for entry in sandbox.ledger()) == Counter(students)


def test_a_push_stops_at_its_time_limit_and_keeps_the_grades(
        tmp_path: Path, keys: KeyFiles, sandbox: SandboxProcess) -> None:
    gd, students = _graded(tmp_path, keys, sandbox)
    sandbox.set_knobs(latency_ms=HANG_MS)
    started = time.monotonic()
    stopped = gd.run("push", "canvas", "--time-limit", "2", timeout=60)
    took = time.monotonic() - started
    assert stopped.code == 1, stopped.err
    assert took < 15, f"the push took {took:.1f} s past a 2 s limit"
    assert "time limit" in stopped.err
    assert "Traceback" not in stopped.err and "unexpected error" not in stopped.err
    assert "stay queued" in stopped.err
    _lands_once(gd, sandbox, students)


def test_a_pull_stops_at_its_time_limit(tmp_path: Path, keys: KeyFiles,
                                        sandbox: SandboxProcess) -> None:
    gd, _ = _graded(tmp_path, keys, sandbox, count=1)
    sandbox.set_knobs(latency_ms=HANG_MS)
    started = time.monotonic()
    stopped = gd.run("pull", "canvas", "--time-limit", "2", timeout=60)
    assert stopped.code == 1
    assert time.monotonic() - started < 15
    assert "time limit of 2 seconds" in stopped.err
    assert "Traceback" not in stopped.err and "unexpected error" not in stopped.err


def test_ctrl_c_stops_a_hanging_push_within_seconds(tmp_path: Path, keys: KeyFiles,
                                                    sandbox: SandboxProcess) -> None:
    gd, students = _graded(tmp_path, keys, sandbox)
    sandbox.set_knobs(latency_ms=HANG_MS)
    process = gd.start("push", "canvas")
    time.sleep(2.0)  # the push is now waiting on a request that will not answer in time
    assert process.poll() is None
    interrupted = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    took = time.monotonic() - interrupted
    assert process.returncode == 130, err
    assert took < 10, f"Ctrl-C took {took:.1f} s to stop the push"
    assert "Traceback" not in err and "unexpected error" not in err
    _lands_once(gd, sandbox, students)


def test_bad_time_limits_are_refused_by_the_parser(tmp_path: Path) -> None:
    gd = Gradedesk(tmp_path / "data")
    for given in ("abc", "-1", "inf", "nan"):
        refused = gd.run("push", "canvas", "--time-limit", given)
        assert refused.code == 2, given
        assert "seconds" in refused.err


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_token_past_its_limit_counts_as_cancelled_and_says_why() -> None:
    clock = FakeClock()
    token = CancelToken(time_limit_s=90, clock=clock)
    token.raise_if_cancelled()
    assert not token.cancelled and token.job_deadline() == 190
    clock.now = 190
    assert token.cancelled and token.timed_out
    with pytest.raises(TimeLimitReached, match=r"1\.5 minutes"):
        token.raise_if_cancelled()
    with pytest.raises(TimeLimitReached):
        token.wait(5)


def test_a_wait_ends_at_the_limit_not_after_the_whole_sleep() -> None:
    token = CancelToken(time_limit_s=0.2)
    started = time.monotonic()
    with pytest.raises(TimeLimitReached):
        token.wait(30)
    assert time.monotonic() - started < 5
    plain = CancelToken()
    plain.cancel()
    with pytest.raises(Cancelled) as caught:
        plain.wait(30)
    assert not isinstance(caught.value, TimeLimitReached)


def test_a_read_timeout_out_of_range_is_refused(tmp_path: Path) -> None:
    gd = Gradedesk(tmp_path / "data")
    assert gd.run("connection", "set", "canvas", "--read-timeout", "abc").code == 2
    refused = gd.run("connection", "set", "canvas", "--read-timeout", "0.5")
    assert refused.code == 1 and "between 1 and 600 seconds" in refused.err
