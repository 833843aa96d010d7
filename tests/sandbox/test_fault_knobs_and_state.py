"""The sandbox's fault knobs do what the reliability trials rely on, and ``--state-dir`` keeps
the course (grades, comments, ledger) and the demo key across restarts, as issue 11's "the
sandbox trial keeps what the grader did" asks."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from pathlib import Path

import httpx
import pytest
from wire_support import bearer, new_key, public_pem

from gradedesk.sandbox import SandboxConfig, start_sandbox
from gradedesk.sandbox.persist import STATE_FILE
from gradedesk.sandbox.server import InjectedFaultsFilter
from gradedesk.sandbox.state import FAULT_PREFIX


def test_each_fault_knob_does_what_it_says() -> None:
    key = new_key()
    with start_sandbox(SandboxConfig(port=0, throttle=False,
                                     tool_public_keys=[public_pem(key)])) as sandbox:
        headers = bearer(sandbox.info, key)
        url = sandbox.info["lineitems_url"]
        sandbox.settings(error_rate=1.0)
        statuses = {httpx.get(url, headers=headers).status_code for _ in range(12)}
        assert statuses <= {500, 502, 503, 504} and statuses
        sandbox.settings(error_rate=0.0, drop_rate=1.0)
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(url, headers=headers)
        sandbox.settings(drop_rate=0.0, hang_rate=1.0, hang_s=0.4)
        started = time.monotonic()
        assert httpx.get(url, headers=headers).status_code == 200  # late, but served
        assert time.monotonic() - started >= 0.4
        for bad in ({"error_rate": 1.5}, {"hang_rate": -0.1}, {"hang_s": "long"}):
            refused = httpx.patch(f"{sandbox.base_url}/sandbox/admin/settings", json=bad)
            assert refused.status_code == 400, bad


def _grade(sandbox_url: str, info: dict[str, object], user: str) -> None:
    reply = httpx.post(f"{sandbox_url}/sandbox/admin/results", json={
        "line_item_id": f"{info['lineitems_url']}/31", "user_id": user, "score_given": 7,
        "comment": "Kept across a restart."})
    reply.raise_for_status()


def test_a_state_folder_keeps_the_course_and_the_demo_key(tmp_path: Path) -> None:
    config = SandboxConfig(port=0, throttle=False, state_dir=tmp_path / "state")
    with start_sandbox(config) as first:
        key_text = Path(first.info["demo_private_key_file"]).read_text()
        user = httpx.get(first.info["roster_url"]).json()[0]["user_id"]
        _grade(first.base_url, first.info, user)
        before = httpx.get(f"{first.info['admin_url']}/result", params={
            "line_item": f"{first.info['lineitems_url']}/31", "user_id": user}).json()
    assert (tmp_path / "state" / STATE_FILE).stat().st_mode & 0o077 == 0
    with start_sandbox(config) as second:
        assert Path(second.info["demo_private_key_file"]).read_text() == key_text
        after = httpx.get(f"{second.info['admin_url']}/result", params={
            "line_item": f"{second.info['lineitems_url']}/31", "user_id": user}).json()
    assert after["comments"] == before["comments"]
    assert after["resultScore"] == 7


def test_a_damaged_or_foreign_state_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    with start_sandbox(SandboxConfig(port=0, throttle=False, state_dir=folder)):
        pass
    with pytest.raises(ValueError, match="other options"):
        start_sandbox(SandboxConfig(port=0, throttle=False, state_dir=folder, students=5))
    (folder / STATE_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="move the file away"):
        start_sandbox(SandboxConfig(port=0, throttle=False, state_dir=folder))


def test_injected_faults_stay_out_of_the_error_log() -> None:
    """A thousand cut connections wrote a thousand tracebacks to a pipe nobody read, until the
    pipe was full and the sandbox froze mid-trial."""
    def record(error: BaseException) -> logging.LogRecord:
        return logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1,
                                 "Exception in ASGI application", None,
                                 (type(error), error, None))

    only = InjectedFaultsFilter()
    assert not only.filter(record(ConnectionAbortedError(f"{FAULT_PREFIX} dropped connection")))
    assert only.filter(record(ConnectionAbortedError("a real one")))
    assert only.filter(record(KeyError("a bug")))


def test_a_sandbox_holding_a_request_still_stops_promptly() -> None:
    """Stopping the sandbox (Ctrl-C, or a test's teardown) while it holds a request for the
    hang knob gives that request a moment, not the whole hang: it used to wait out the 30 s
    (the reliability trials' teardowns took 10 s each, cut off by their own time limit)."""
    key = new_key()
    sandbox = start_sandbox(SandboxConfig(port=0, throttle=False,
                                          tool_public_keys=[public_pem(key)]))
    headers = bearer(sandbox.info, key)
    sandbox.settings(hang_rate=1.0, hang_s=30.0)
    held = threading.Thread(target=_give_up_quietly, args=(sandbox.info["lineitems_url"],
                                                           headers), daemon=True)
    held.start()
    time.sleep(0.3)  # the request is in, and held
    started = time.monotonic()
    sandbox.stop()
    assert time.monotonic() - started < 5.0


def _give_up_quietly(url: str, headers: dict[str, str]) -> None:
    with contextlib.suppress(httpx.HTTPError):
        httpx.get(url, headers=headers, timeout=40)
