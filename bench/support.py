"""What the benchmarks share: a private keyring, the sandbox in its own process, timed child
processes (wall time and peak RSS of that child alone), and a data folder made ready as a user
would (``connection add``, a token fetched, drafts saved).

Copied in spirit from tests/cli_support.py and tests/keyring_plugin.py (bench imports nothing
from tests/, and nothing imports bench/).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = sys.executable  # the project's venv (gradedesk, httpx)
BENCH_VENV = BENCH / ".venv-bench"
BENCH_PYTHON = str(BENCH_VENV / "bin" / "python")  # pylti1p3 lives only here

SECRET_SERVICE_BACKEND = "keyring.backends.SecretService.Keyring"  # noqa: S105 - a class name
_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


# --- timed child processes ------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    peak_rss_mb: float
    code: int
    out: str
    err: str


def timed_run(command: Sequence[str], *, env: dict[str, str] | None = None,
              stdin_text: str | None = None, timeout: float = 900) -> Run:
    """Run a command start to exit; wall time and the peak RSS of this child alone (wait4)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(list(command), stdin=subprocess.PIPE if stdin_text else
                                   subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                                   text=True)
        if stdin_text is not None and process.stdin is not None:
            process.stdin.write(stdin_text)
            process.stdin.close()
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.002)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(seconds, usage.ru_maxrss / 1024, process.returncode, out.read(), err.read())


# --- keys -----------------------------------------------------------------------------------


@dataclass
class KeyFiles:
    private: Path
    public: Path


def make_key_files(folder: Path) -> KeyFiles:
    """A tool key pair made at run time (no key is ever committed)."""
    from gradedesk.platforms.keys import generate_private_key_pem, load_private_key, public_pem

    folder.mkdir(parents=True, exist_ok=True)
    pem = generate_private_key_pem()
    private, public = folder / "key.pem", folder / "pub.pem"
    private.write_bytes(pem)
    private.chmod(0o600)
    public.write_bytes(public_pem(load_private_key(pem)))
    return KeyFiles(private, public)


# --- a private keyring (GradeDesk refuses to run without a real one) -----------------------


class PrivateKeyring:
    """dbus-daemon + gnome-keyring-daemon on a private bus in a temp folder, for this run."""

    def __init__(self) -> None:
        dbus_daemon = shutil.which("dbus-daemon")
        keyring_daemon = shutil.which("gnome-keyring-daemon")
        if dbus_daemon is None or keyring_daemon is None:
            raise SystemExit("bench: dbus-daemon and gnome-keyring-daemon are needed "
                             "(see the README's test command for the packages)")
        self.root = Path(tempfile.mkdtemp(prefix="gd-bench-keyring-", dir="/tmp"))
        self.processes: list[subprocess.Popen[bytes]] = []
        self.logs: list[IO[bytes]] = []
        dirs = {name: self.root / name for name in ("home", "data", "config", "cache", "run")}
        for path in dirs.values():
            path.mkdir()
        dirs["run"].chmod(0o700)
        daemon_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
                      "HOME": str(dirs["home"]), "XDG_DATA_HOME": str(dirs["data"]),
                      "XDG_CONFIG_HOME": str(dirs["config"]),
                      "XDG_CACHE_HOME": str(dirs["cache"]), "XDG_RUNTIME_DIR": str(dirs["run"])}
        (self.root / "bus.conf").write_text(_BUS_CONFIG.format(socket=self.root / "bus"))
        log = open(self.root / "dbus.log", "wb")  # noqa: SIM115 - closed in stop()
        self.logs.append(log)
        bus = subprocess.Popen([dbus_daemon, f"--config-file={self.root / 'bus.conf'}",
                                "--nofork", "--print-address=1"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=log, env=daemon_env,
                               start_new_session=True)
        self.processes.append(bus)
        assert bus.stdout is not None
        self.address = bus.stdout.readline().decode().strip()
        if not self.address:
            self.stop()
            raise SystemExit("bench: dbus-daemon printed no address")
        log = open(self.root / "keyring.log", "wb")  # noqa: SIM115 - closed in stop()
        self.logs.append(log)
        daemon = subprocess.Popen([keyring_daemon, "--foreground", "--unlock",
                                   "--components=secrets"], stdin=subprocess.PIPE, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True,
                                  env={**daemon_env, "DBUS_SESSION_BUS_ADDRESS": self.address})
        self.processes.append(daemon)
        assert daemon.stdin is not None
        daemon.stdin.write(b"gradedesk-bench\n")
        daemon.stdin.close()
        self._wait_until_usable()

    def env(self) -> dict[str, str]:
        """The environment of every gradedesk child: this keyring, nothing of the user's."""
        return {**os.environ, "DBUS_SESSION_BUS_ADDRESS": self.address,
                "PYTHON_KEYRING_BACKEND": SECRET_SERVICE_BACKEND}

    def _wait_until_usable(self) -> None:
        probe = ("import keyring; keyring.set_password('GradeDesk-bench', 'probe', 'x'); "
                 "assert keyring.get_password('GradeDesk-bench', 'probe') == 'x'; "
                 "keyring.delete_password('GradeDesk-bench', 'probe')")
        deadline = time.monotonic() + 30
        while True:
            done = subprocess.run([PYTHON, "-c", probe], env=self.env(), capture_output=True,
                                  check=False)
            if done.returncode == 0:
                return
            if time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"bench: the private keyring did not start: "
                                 f"{done.stderr.decode()[-500:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        for process in reversed(self.processes):
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    process.wait(timeout=5)
                    break
                except subprocess.TimeoutExpired:
                    continue
            if process.stdout is not None:
                process.stdout.close()
        self.processes.clear()
        for log in self.logs:
            log.close()
        self.logs.clear()
        shutil.rmtree(self.root, ignore_errors=True)


# --- the sandbox ----------------------------------------------------------------------------


class Sandbox:
    """bench/sandbox_host.py in a child process: the sandbox server on its own core."""

    def __init__(self, public_key: Path, *, students: int, line_items: int,
                 latency_ms: int = 0) -> None:
        self.errors = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [PYTHON, str(BENCH / "sandbox_host.py"), "--students", str(students),
             "--line-items", str(line_items), "--latency-ms", str(latency_ms),
             "--tool-public-key", str(public_key)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(timeout=30)
            self.errors.seek(0)
            raise RuntimeError(f"the sandbox did not start: {self.errors.read()[-2000:]}")
        self.info: dict[str, Any] = json.loads(line)
        self.http = httpx.Client(timeout=60)

    def knobs(self, **knobs: Any) -> None:
        reply = self.http.patch(f"{self.info['admin_url']}/settings", json=knobs)
        reply.raise_for_status()

    def ledger(self) -> list[dict[str, Any]]:
        reply = self.http.get(self.info["ledger_url"])
        reply.raise_for_status()
        entries: list[dict[str, Any]] = reply.json()
        return entries

    def line_items(self) -> list[dict[str, Any]]:
        reply = self.http.get(f"{self.info['admin_url']}/line_items")
        reply.raise_for_status()
        found: list[dict[str, Any]] = reply.json()
        return found

    def roster(self) -> list[dict[str, Any]]:
        reply = self.http.get(self.info["roster_url"])
        reply.raise_for_status()
        found: list[dict[str, Any]] = reply.json()
        return found

    def stats(self) -> dict[str, Any]:
        """{"throttled": 403s so far, "requests": {"GET other": n, "POST scores": n, ...}}"""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("stats\n")
        self.process.stdin.flush()
        found: dict[str, Any] = json.loads(self.process.stdout.readline())
        return found

    def throttled(self) -> int:
        return int(self.stats()["throttled"])

    def stop(self) -> None:
        self.http.close()
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.errors.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def fetch_token(info: dict[str, Any], private_key: Path) -> str:
    """A bearer token for every scope, as the bare clients use (fetched outside the timing)."""
    import uuid

    import jwt

    now = int(time.time())
    assertion = jwt.encode({"iss": info["client_id"], "sub": info["client_id"],
                            "aud": info["token_url"], "iat": now, "exp": now + 300,
                            "jti": uuid.uuid4().hex}, private_key.read_bytes(),
                           algorithm="RS256")
    scopes = " ".join([
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"])
    reply = httpx.post(info["token_url"], data={
        "grant_type": "client_credentials", "client_assertion": assertion,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "scope": scopes}, timeout=30)
    reply.raise_for_status()
    return str(reply.json()["access_token"])


# --- GradeDesk as a user runs it ------------------------------------------------------------


class Gradedesk:
    """``python -m gradedesk --data-dir DIR ...`` in child processes, with the private keyring.
    With ``phases`` set, push and pull run through bench/phases.py (a timing breakdown)."""

    phases = False

    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.data_dir, self.env = data_dir, env

    def command(self, *args: str) -> list[str]:
        if self.phases and args and args[0] in ("push", "pull"):
            return [PYTHON, str(BENCH / "phases.py"), "--data-dir", str(self.data_dir), *args]
        return [PYTHON, "-m", "gradedesk", "--data-dir", str(self.data_dir), *args]

    def ok(self, *args: str) -> str:
        done = subprocess.run(self.command(*args), capture_output=True, text=True,
                              env=self.env, timeout=900, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"gradedesk {' '.join(args)} -> {done.returncode}\n"
                               f"{done.stderr[-3000:]}")
        return done.stdout

    def timed(self, *args: str) -> Run:
        run = timed_run(self.command(*args), env=self.env)
        for line in run.err.splitlines():
            if line.startswith("PHASES "):
                print(f"    {' '.join(args[:1])}: {line[7:]}", file=sys.stderr, flush=True)
        return run

    def add_connection(self, name: str, info: dict[str, Any], key: Path) -> None:
        """The generic LTI form (every URL the sandbox printed), the key read into the keyring.
        Canvas's own form derives the same URLs from the course address."""
        self.ok("connection", "add", name, "--canvas", info["course_url"], "--issuer",
                info["issuer"], "--client-id", info["client_id"], "--private-key-file",
                str(key))


def save_drafts(data_dir: Path, connection: str, cells: Sequence[tuple[str, str]],
                round_number: int) -> int:
    """Queue one graded score with a comment per (line item URL, user id), as the window or
    ``gradedesk grade`` would, in this process (1,000 ``grade`` processes would take minutes).
    Returns how many were saved."""
    from gradedesk.domain import ActivityProgress, GradingProgress
    from gradedesk.store import connections, open_database
    from gradedesk.store.drafts import DraftEdit
    from gradedesk.sync.grading import save_grade

    db = open_database(data_dir)
    try:
        row = connections.require_connection(db, connection)
        for n, (item, user) in enumerate(cells):
            save_grade(db, row, item, user, DraftEdit(
                score_given=float((n + round_number) % 10 + 1),
                comment=f"Bench round {round_number}: well argued, see page {n % 7 + 1}.",
                activity_progress=ActivityProgress.COMPLETED,
                grading_progress=GradingProgress.FULLY_GRADED))
    finally:
        db.close()
    return len(cells)


def score_body(item: str, user: str, n: int, round_number: int, maximum: float) -> dict[str, Any]:
    """The Score the bare clients POST for the n-th cell: the same values GradeDesk sends."""
    from datetime import UTC, datetime

    stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {"userId": user, "scoreGiven": float((n + round_number) % 10 + 1),
            "scoreMaximum": maximum, "activityProgress": "Completed",
            "gradingProgress": "FullyGraded", "timestamp": stamp,
            "comment": f"Bench round {round_number}: well argued, see page {n % 7 + 1}."}
