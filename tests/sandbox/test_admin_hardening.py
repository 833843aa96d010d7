"""Issue 10, finding 8: the sandbox's admin endpoints refuse what would break it, and its demo
key does not outlive it."""

from __future__ import annotations

from pathlib import Path

import httpx

from gradedesk.sandbox import SandboxConfig, start_sandbox


def test_the_sandbox_refuses_bad_settings_and_keeps_serving(tmp_path: Path) -> None:
    with start_sandbox(SandboxConfig(port=0, throttle=False)) as sandbox:
        demo_key = Path(sandbox.info["demo_private_key_file"])
        url = f"{sandbox.base_url}/sandbox/admin/settings"
        as_text = httpx.patch(url, content=b'{"latency_ms": 5}',
                              headers={"Content-Type": "text/plain"})
        assert as_text.status_code == 415
        for bad in ({"latency_ms": "slow"}, {"fault_rate": -1}, {"course_state": 5},
                    {"max_attempts": "many"}):
            assert httpx.patch(url, json=bad).status_code == 400, bad
        assert httpx.get(sandbox.info["lineitems_url"]).status_code == 401  # still serving
        assert demo_key.exists()
    assert not demo_key.exists() and not demo_key.parent.exists()
