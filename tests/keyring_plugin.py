"""A private keyring for the test session: its own D-Bus session bus and GNOME Keyring.

No test may read or write the developer's own keyring, so:

* From the start of the run, keyring is pointed at its ``fail`` backend, in this process and
  (through ``PYTHON_KEYRING_BACKEND``) in every subprocess. A test that touches secrets without
  asking for ``private_keyring`` gets SecretsUnavailable instead of the developer's keys.
* ``private_keyring`` (session scope) starts ``dbus-daemon`` on a socket in a temp dir, from a
  bus config with no service directories (nothing is D-Bus-activated behind our back, so a
  missing daemon is an error at once rather than a stray keyring or a prompt), then
  ``gnome-keyring-daemon --foreground --unlock`` on that bus, with the password on stdin and
  HOME / XDG_DATA_HOME / XDG_RUNTIME_DIR in the temp dir, so its keyring file is a temp file.
  It waits until a probe item can be set, read and deleted, then points this process and every
  later subprocess (the CLI tests run ``gradedesk``) at it: DBUS_SESSION_BUS_ADDRESS and
  PYTHON_KEYRING_BACKEND in os.environ, ``keyring.set_keyring`` in process. The client side
  needs nothing else, which is why the per-test XDG_* changes in conftest.py do not affect it.
* ``secret_store`` (function scope) gives a ``SecretStore`` on the default "GradeDesk" service
  and afterwards deletes every "GradeDesk" item in the private keyring, whoever made it (this
  process or a subprocess), so tests cannot see each other's entries. Wiping the whole service
  is safe only because the keyring is private to this run.

Missing daemons fail the run (never skip): a skipped keyring test would hide a broken
feature. Install them with the README's test command.
"""

from __future__ import annotations

import gc
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import keyring
import keyring.backends.fail
import keyring.backends.SecretService
import pytest
import secretstorage

from gradedesk.secrets import SERVICE, SecretStore

KEYRING_PASSWORD = "gradedesk-test"
SECRET_SERVICE_BACKEND = "keyring.backends.SecretService.Keyring"
FAIL_BACKEND = "keyring.backends.fail.Keyring"
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 5.0
_POLL_S = 0.05
# AF_UNIX socket paths are limited to 108 bytes; a deep TMPDIR would not fit the bus socket.
_MAX_TMPDIR_LEN = 60
_PROBE_USERNAME = "keyring-plugin-probe"

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

_ENV_KEYS = ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND")
_INSTALL_HINT = "install dbus and gnome-keyring: see the README's test command"


@dataclass(frozen=True, slots=True)
class PrivateKeyring:
    """What the session's private keyring is, for tests that want to check on it."""

    bus_address: str
    previous_bus_address: str | None  # the developer's session bus, if there was one
    root: Path  # temp dir holding the bus socket, the daemon's HOME and its keyring files
    backend: keyring.backends.SecretService.Keyring
    startup_s: float


# --- the guard: nothing reaches the developer's keyring, with or without the fixture ---------

_saved_env: dict[str, str | None] = {}


def pytest_configure(config: pytest.Config) -> None:
    _saved_env["PYTHON_KEYRING_BACKEND"] = os.environ.get("PYTHON_KEYRING_BACKEND")
    os.environ["PYTHON_KEYRING_BACKEND"] = FAIL_BACKEND
    keyring.set_keyring(keyring.backends.fail.Keyring())


def pytest_unconfigure(config: pytest.Config) -> None:
    _restore_env(_saved_env)


# --- the private keyring ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def private_keyring() -> Iterator[PrivateKeyring]:
    """A GNOME Keyring on a private session bus for the whole run; see the module docstring."""
    dbus_daemon = shutil.which("dbus-daemon")
    keyring_daemon = shutil.which("gnome-keyring-daemon")
    if dbus_daemon is None or keyring_daemon is None:
        missing = [name for name, path in (("dbus-daemon", dbus_daemon),
                                           ("gnome-keyring-daemon", keyring_daemon)) if not path]
        pytest.fail(f"{', '.join(missing)} not found on PATH; {_INSTALL_HINT}", pytrace=False)

    started = time.monotonic()
    tmp_base = tempfile.gettempdir()
    root = Path(tempfile.mkdtemp(prefix="gd-keyring-",
                                 dir=tmp_base if len(tmp_base) <= _MAX_TMPDIR_LEN else "/tmp"))
    saved_env = {key: os.environ.get(key) for key in _ENV_KEYS}
    processes: list[subprocess.Popen[bytes]] = []
    logs: list[IO[bytes]] = []
    try:
        daemon_env = _daemon_environment(root)
        (root / "bus.conf").write_text(_BUS_CONFIG.format(socket=root / "bus"), encoding="utf-8")

        bus_log = open(root / "dbus-daemon.log", "wb")  # noqa: SIM115 - closed in finally
        logs.append(bus_log)
        bus = subprocess.Popen(
            [dbus_daemon, f"--config-file={root / 'bus.conf'}", "--nofork", "--print-address=1"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=bus_log,
            env=daemon_env, start_new_session=True,
        )
        processes.append(bus)
        address = _read_bus_address(bus, root, started + START_TIMEOUT_S)

        keyring_log = open(root / "gnome-keyring-daemon.log", "wb")  # noqa: SIM115 - as above
        logs.append(keyring_log)
        daemon = subprocess.Popen(
            [keyring_daemon, "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE, stdout=keyring_log, stderr=subprocess.STDOUT,
            env={**daemon_env, "DBUS_SESSION_BUS_ADDRESS": address}, start_new_session=True,
        )
        processes.append(daemon)
        assert daemon.stdin is not None
        # --unlock reads the login keyring's password from stdin, creating the keyring if new.
        # If it already exited, the wait below reports that with its log.
        with suppress(BrokenPipeError):
            daemon.stdin.write(f"{KEYRING_PASSWORD}\n".encode())
            daemon.stdin.flush()
        with suppress(BrokenPipeError):
            daemon.stdin.close()

        # From here on this process and its subprocesses talk only to the private bus.
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
        os.environ["PYTHON_KEYRING_BACKEND"] = SECRET_SERVICE_BACKEND
        backend = keyring.backends.SecretService.Keyring()
        _wait_until_usable(backend, processes, root, started + START_TIMEOUT_S)
        keyring.set_keyring(backend)

        yield PrivateKeyring(
            bus_address=address,
            previous_bus_address=saved_env["DBUS_SESSION_BUS_ADDRESS"],
            root=root,
            backend=backend,
            startup_s=time.monotonic() - started,
        )
    finally:
        keyring.set_keyring(keyring.backends.fail.Keyring())
        _restore_env(saved_env)
        for process in reversed(processes):
            _stop(process)
        for log in logs:
            log.close()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def secret_store(private_keyring: PrivateKeyring) -> Iterator[SecretStore]:
    """A SecretStore on the private keyring; every "GradeDesk" item is removed afterwards."""
    keyring.set_keyring(private_keyring.backend)
    yield SecretStore()
    # A test may have swapped the backend (fail, fakes): later tests get the private one again.
    keyring.set_keyring(private_keyring.backend)
    wipe_service(SERVICE)


def wipe_service(service: str) -> int:
    """Delete every item of a service in the private keyring; returns how many there were."""
    with closing(secretstorage.dbus_init()) as connection:
        collection = secretstorage.get_default_collection(connection)
        items = list(collection.search_items({"service": service}))
        for item in items:
            item.delete()
    return len(items)


# --- helpers ----------------------------------------------------------------------------------


def _daemon_environment(root: Path) -> dict[str, str]:
    """A minimal environment: nothing of the developer's session (DISPLAY, their bus, HOME)."""
    dirs = {name: root / name for name in ("home", "data", "config", "cache", "runtime")}
    for path in dirs.values():
        path.mkdir()
    dirs["runtime"].chmod(0o700)  # XDG_RUNTIME_DIR must be private to its user
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": str(dirs["home"]),
        "XDG_DATA_HOME": str(dirs["data"]),
        "XDG_CONFIG_HOME": str(dirs["config"]),
        "XDG_CACHE_HOME": str(dirs["cache"]),
        "XDG_RUNTIME_DIR": str(dirs["runtime"]),
    }


def _read_bus_address(bus: subprocess.Popen[bytes], root: Path, deadline: float) -> str:
    assert bus.stdout is not None
    ready, _, _ = select.select([bus.stdout], [], [], max(0.0, deadline - time.monotonic()))
    line = bus.stdout.readline().decode().strip() if ready else ""
    if not line:
        bus.poll()
        pytest.fail(f"dbus-daemon printed no address (exit code {bus.returncode}).\n"
                    f"{_logs(root)}\n{_INSTALL_HINT}", pytrace=False)
    return line


def _wait_until_usable(backend: keyring.backends.SecretService.Keyring,
                       processes: list[subprocess.Popen[bytes]], root: Path,
                       deadline: float) -> None:
    """Poll until a probe item round-trips through the Secret Service, or fail with the logs."""
    last_error = "never tried"
    # A failed attempt can leave a half-opened D-Bus socket to the garbage collector; its
    # ResourceWarning would otherwise surface later as an error in some unrelated test.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            while True:
                dead = [p for p in processes if p.poll() is not None]
                if dead:
                    pytest.fail(f"{' and '.join(str(p.args[0]) for p in dead)} exited "
                                f"(code {dead[0].returncode}) before the keyring was usable.\n"
                                f"{_logs(root)}", pytrace=False)
                try:
                    backend.set_password(SERVICE, _PROBE_USERNAME, "probe")
                    if backend.get_password(SERVICE, _PROBE_USERNAME) == "probe":
                        backend.delete_password(SERVICE, _PROBE_USERNAME)
                        return
                    last_error = "the probe item read back wrong"
                except Exception as exc:  # any failure just means "not ready yet"
                    last_error = f"{type(exc).__name__}: {exc}"
                if time.monotonic() > deadline:
                    pytest.fail(f"The private Secret Service was not usable after "
                                f"{START_TIMEOUT_S:g} s (last error: {last_error}).\n"
                                f"{_logs(root)}", pytrace=False)
                time.sleep(_POLL_S)
        finally:
            gc.collect()


def _logs(root: Path) -> str:
    parts = []
    for name in ("dbus-daemon.log", "gnome-keyring-daemon.log"):
        path = root / name
        text = path.read_text(errors="replace").strip() if path.exists() else ""
        parts.append(f"--- {name} ---\n{text or '(empty)'}")
    return "\n".join(parts)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the daemon's whole process group (helpers included), then reap it."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
            break
        except subprocess.TimeoutExpired:
            continue
    process.wait()  # reaped either way: no "still running" ResourceWarning
    if process.stdout is not None:
        process.stdout.close()


def _restore_env(saved: dict[str, str | None]) -> None:
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
