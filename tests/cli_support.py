"""Running ``gradedesk`` and ``gradedesk sandbox`` as a user would: separate processes, a real
data folder, the private keyring from tests/keyring_plugin.py and the sandbox over loopback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from gradedesk.platforms.keys import generate_private_key_pem, load_private_key, public_pem


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@dataclass
class Gradedesk:
    """``gradedesk --data-dir DIR ...`` in a child process."""

    data_dir: Path
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "gradedesk", "--data-dir", str(self.data_dir), *args]

    def run(self, *args: str, timeout: float = 120) -> CliResult:
        done = subprocess.run(self.command(*args), capture_output=True, text=True,
                              timeout=timeout, env=self.env, check=False)
        return CliResult(done.returncode, done.stdout, done.stderr)

    def ok(self, *args: str, timeout: float = 120) -> CliResult:
        result = self.run(*args, timeout=timeout)
        assert result.code == 0, f"gradedesk {' '.join(args)} -> {result.code}\n{result.err}"
        return result

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(self.command(*args), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=self.env)


@dataclass
class KeyFiles:
    private: Path
    public: Path


def make_key_files(folder: Path) -> KeyFiles:
    """A tool key pair made at run time (no key is ever committed)."""
    folder.mkdir(parents=True, exist_ok=True)
    pem = generate_private_key_pem()
    private, public = folder / "key.pem", folder / "pub.pem"
    private.write_bytes(pem)
    private.chmod(0o600)
    public.write_bytes(public_pem(load_private_key(pem)))
    return KeyFiles(private, public)


class SandboxProcess:
    """``gradedesk sandbox`` in a child process; ``info`` is its JSON line."""

    def __init__(self, public_key: Path, *extra: str, port: int = 0) -> None:
        self.public_key, self.extra = public_key, extra
        # Its messages go to a file: a pipe nobody reads fills up and freezes the server.
        self.errors = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gradedesk", "sandbox", "--port", str(port), "--seed", "1",
             "--tool-public-key", str(public_key), *extra],
            stdout=subprocess.PIPE, stderr=self.errors, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(timeout=10)
            self.errors.seek(0)
            raise AssertionError(f"the sandbox did not start: {self.errors.read()}")
        self.info: dict[str, Any] = json.loads(line)
        self.port = int(self.info["base_url"].rsplit(":", 1)[1])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.errors.close()

    def restart(self) -> SandboxProcess:
        """The same course on the same port (the sandbox is seeded, so ids are the same)."""
        self.stop()
        deadline = time.monotonic() + 10
        while True:
            try:
                return SandboxProcess(self.public_key, *self.extra, port=self.port)
            except (AssertionError, json.JSONDecodeError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def set_knobs(self, **knobs: Any) -> None:
        """Change the sandbox's run-time knobs (latency, faults, throttle, ...)."""
        reply = httpx.patch(f"{self.info['admin_url']}/settings", json=knobs, timeout=10)
        reply.raise_for_status()

    def ledger(self) -> list[dict[str, Any]]:
        reply = httpx.get(self.info["ledger_url"], timeout=10)
        reply.raise_for_status()
        entries: list[dict[str, Any]] = reply.json()
        return entries

    def colleague_grades(self, line_item_url: str, user_id: str, score: float,
                         comment: str | None = None) -> None:
        """A change made in the platform's own gradebook, behind GradeDesk's back."""
        body: dict[str, Any] = {"line_item_id": line_item_url, "user_id": user_id,
                                "score_given": score}
        if comment is not None:
            body["comment"] = comment
        reply = httpx.post(f"{self.info['admin_url']}/results", json=body, timeout=10)
        reply.raise_for_status()

    def result(self, line_item_url: str, user_id: str) -> dict[str, Any]:
        """Everything the platform holds for one result (comments and attempts included)."""
        reply = httpx.get(f"{self.info['admin_url']}/result",
                          params={"line_item": line_item_url, "user_id": user_id}, timeout=10)
        reply.raise_for_status()
        found: dict[str, Any] = reply.json()
        return found


def add_connection_args(name: str, info: dict[str, Any], key: Path) -> list[str]:
    return ["connection", "add", name, "--lti", "--issuer", info["issuer"],
            "--client-id", info["client_id"], "--deployment-id", info["deployment_id"],
            "--token-url", info["token_url"], "--private-key-file", str(key),
            "--lineitems-url", info["lineitems_url"], "--nrps-url", info["nrps_url"]]
