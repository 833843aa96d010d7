"""The checks behind ``gradedesk doctor`` one by one, on real folders, real SQLite files and
the session's private keyring; fakes only for keyrings that misbehave in ways no real one can
be made to on demand (one that forgets what it was given, one that cannot delete)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from keyring.backend import KeyringBackend

from gradedesk.cli.doctor import (
    CLOCK_ERROR_S,
    CLOCK_WARNING_S,
    Finding,
    Status,
    clock_check,
    data_folder_check,
    database_check,
    database_file_check,
    display_check,
    log_check,
    render,
    summary,
)
from gradedesk.secrets import (
    DOCTOR_SERVICE,
    SecretStore,
    SecretsUnavailable,
    keyring_health,
)
from gradedesk.store import connections, open_database
from gradedesk.store.db import DB_FILENAME
from gradedesk.store.health import inspect_database
from gradedesk.store.migrations import latest_version
from keyring_plugin import PrivateKeyring, wipe_service

# --- the clock ------------------------------------------------------------------------------


@pytest.mark.parametrize(("skew", "status"), [
    (0.4, Status.OK), (-1.5, Status.OK), (CLOCK_WARNING_S - 1, Status.OK),
    (CLOCK_WARNING_S + 1, Status.WARNING), (-(CLOCK_WARNING_S + 1), Status.WARNING),
    (CLOCK_ERROR_S + 1, Status.ERROR), (-(CLOCK_ERROR_S + 1), Status.ERROR)])
def test_the_clock_is_judged_by_how_far_off_it_is(skew: float, status: Status) -> None:
    finding = clock_check("bio", skew)
    assert finding.name == "clock vs bio"
    assert finding.status is status
    assert f"{skew:+.1f} s" in finding.detail
    assert (finding.fix is None) == (status is Status.OK)
    if status is not Status.OK:
        assert ("ahead of" if skew > 0 else "behind") in finding.detail
        assert "timedatectl" in (finding.fix or "")


# --- the report -----------------------------------------------------------------------------


def test_the_report_aligns_its_columns_and_indents_each_fix() -> None:
    findings = [Finding("python", Status.OK, "Python 3.11."),
                Finding("connection biology", Status.ERROR, "Could not reach it.",
                        "Check the network."),
                Finding("display", Status.WARNING, "No display.", "Use a desktop.")]
    lines = render(findings).splitlines()
    assert lines[0] == "ok       python              Python 3.11."
    assert lines[1] == "error    connection biology  Could not reach it."
    assert lines[2] == "                             fix: Check the network."
    assert lines[3] == "warning  display             No display."
    assert lines[4] == "                             fix: Use a desktop."
    assert lines[5] == "3 checks: 1 error, 1 warning. GradeDesk will not work fully until " \
                       "the errors are fixed."
    assert summary(findings[:1]) == "All 1 checks passed."
    assert summary([findings[0], findings[2]]).startswith("2 checks: 1 warning. GradeDesk "
                                                          "works")


def test_the_report_never_shows_a_token_a_platform_quoted() -> None:
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    shown = render([Finding("connection x", Status.ERROR, f"Refused: Bearer {token}", "Fix.")])
    assert token not in shown


# --- the data folder, the database file, the log ------------------------------------------


def test_the_data_folder_missing_private_loose_or_not_ours(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    missing = data_folder_check(folder)
    assert missing.status is Status.OK and "does not exist yet" in missing.detail
    assert not folder.exists()  # looked at, not made
    folder.mkdir(mode=0o700)
    folder.chmod(0o700)
    assert data_folder_check(folder).status is Status.OK
    folder.chmod(0o750)
    loose = data_folder_check(folder)
    assert loose.status is Status.WARNING and "0750" in loose.detail
    assert loose.fix is not None and f"chmod 700 {folder}" in loose.fix
    link = tmp_path / "link"
    link.symlink_to(folder)
    linked = data_folder_check(link)
    assert linked.status is Status.ERROR and "symbolic link" in linked.detail
    a_file = tmp_path / "file"
    a_file.write_text("")
    assert data_folder_check(a_file).status is Status.ERROR


def test_the_database_file_and_its_side_files_must_be_private(tmp_path: Path) -> None:
    open_database(tmp_path).close()
    path = tmp_path / DB_FILENAME
    finding, readable = database_file_check(path)
    assert finding.status is Status.OK and readable and "0600" in finding.detail
    side = path.with_name(path.name + "-wal")
    side.write_bytes(b"")
    side.chmod(0o644)
    finding, readable = database_file_check(path)
    assert finding.status is Status.WARNING and readable
    assert "gradedesk.sqlite3-wal 0644" in finding.detail
    assert finding.fix is not None and str(side) in finding.fix
    side.unlink()
    moved = tmp_path / "elsewhere.sqlite3"
    path.rename(moved)
    path.symlink_to(moved)
    finding, readable = database_file_check(path)
    assert finding.status is Status.ERROR and not readable  # never opened through a link


def test_the_log_folder_missing_or_loose(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    absent = log_check(data)
    assert absent.status is Status.OK and "none yet" in absent.detail
    logs = data / "logs"
    logs.mkdir(mode=0o700)
    (logs / "gradedesk.log").write_text("x" * 3000)
    (logs / "gradedesk.log").chmod(0o600)
    logs.chmod(0o700)
    assert log_check(data).status is Status.OK
    (logs / "gradedesk.log").chmod(0o644)
    loose = log_check(data)
    assert loose.status is Status.WARNING and loose.fix is not None
    assert "chmod 600" in loose.fix


# --- the database -----------------------------------------------------------------------------


def _inspected(folder: Path) -> tuple[Finding, int | None]:
    health = inspect_database(folder / DB_FILENAME)
    return database_check(health), health.schema_version


def test_a_current_database_is_intact_and_its_connections_are_read(tmp_path: Path) -> None:
    db = open_database(tmp_path)
    connections.add_connection(db, "bio", "lti", {"issuer": "https://canvas.test"})
    db.close()
    before = (tmp_path / DB_FILENAME).read_bytes()
    health = inspect_database(tmp_path / DB_FILENAME)
    finding = database_check(health)
    assert finding.status is Status.OK
    assert f"schema {latest_version()}, the newest" in finding.detail
    assert [row.name for row in health.connections] == ["bio"]
    # Looked at, not changed: same bytes, no -wal or -shm left behind.
    assert (tmp_path / DB_FILENAME).read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == [DB_FILENAME]


def test_an_older_schema_is_fine_and_is_not_migrated_by_the_look(tmp_path: Path) -> None:
    open_database(tmp_path, schema_version=3).close()
    finding, version = _inspected(tmp_path)
    assert finding.status is Status.OK and version == 3
    assert f"upgraded to {latest_version()}" in finding.detail
    assert _inspected(tmp_path)[1] == 3


def test_a_newer_foreign_or_garbage_file_is_an_error(tmp_path: Path) -> None:
    newer = tmp_path / "newer"
    open_database(newer).close()
    with sqlite3.connect(newer / DB_FILENAME) as conn:
        conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    finding, _ = _inspected(newer)
    assert finding.status is Status.ERROR and "newer GradeDesk" in finding.detail
    assert finding.fix is not None and "Update GradeDesk" in finding.fix

    foreign = tmp_path / "foreign"
    foreign.mkdir()
    with sqlite3.connect(foreign / DB_FILENAME) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
    finding, _ = _inspected(foreign)
    assert finding.status is Status.ERROR and "not a GradeDesk database" in finding.detail

    garbage = tmp_path / "garbage"
    garbage.mkdir()
    (garbage / DB_FILENAME).write_bytes(os.urandom(8192))
    finding, _ = _inspected(garbage)
    assert finding.status is Status.ERROR and "not a database" in finding.detail
    assert finding.fix is not None and ".damaged" in finding.fix


def test_a_damaged_page_is_found_by_the_integrity_check(tmp_path: Path) -> None:
    db = open_database(tmp_path)
    for number in range(300):
        connections.add_connection(db, f"course {number}", "lti",
                                   {"issuer": "https://canvas.test", "note": "x" * 200})
    db.close()
    path = tmp_path / DB_FILENAME
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 8 * page
    # Scribble over the middle of the file, past the header page: the b-tree pages break.
    data[3 * page:6 * page] = b"\xa5" * (3 * page)
    path.write_bytes(bytes(data))
    finding, _ = _inspected(tmp_path)
    assert finding.status is Status.ERROR, finding
    assert finding.fix is not None and "backup" in finding.fix


# --- the display and Qt ----------------------------------------------------------------------


def test_no_display_is_a_warning_unless_qt_is_told_to_draw_without_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    if not sys.platform.startswith("linux"):
        pytest.fail("these checks are written for Linux, where a display is needed")
    none = display_check()
    assert none.status is Status.WARNING and none.fix is not None
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert display_check().status is Status.OK
    monkeypatch.delenv("QT_QPA_PLATFORM")
    monkeypatch.setenv("DISPLAY", ":0")
    shown = display_check()
    assert shown.status is Status.OK and ":0" in shown.detail


def test_doctor_reads_the_qt_version_without_loading_qt(tmp_path: Path) -> None:
    probe = ("import json, sys\nfrom gradedesk.cli import main\ncode = main(sys.argv[1:])\n"
             "print(json.dumps({'code': code, 'qt': 'PySide6' in sys.modules}), "
             "file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe, "--data-dir", str(tmp_path / "d"),
                           "doctor", "--json"], capture_output=True, text=True, timeout=60,
                          check=False, env={**os.environ,
                                            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail."
                                                                      "Keyring"})
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert loaded == {"code": 1, "qt": False}  # 1: no keyring here
    qt = next(c for c in json.loads(done.stdout)["checks"] if c["name"] == "qt")
    from importlib import metadata

    assert qt["status"] == "ok" and metadata.version("PySide6") in qt["detail"]


def test_other_commands_do_not_load_the_doctor(tmp_path: Path) -> None:
    probe = ("import sys\nfrom gradedesk.cli import main\nmain(sys.argv[1:])\n"
             "print('gradedesk.cli.doctor' in sys.modules, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe, "--data-dir", str(tmp_path / "d"),
                           "status"], capture_output=True, text=True, timeout=60, check=False)
    assert done.stderr.strip().splitlines()[-1] == "False"


# --- the keyring ------------------------------------------------------------------------------


class _ForgetfulKeyring(KeyringBackend):
    """Accepts every write and keeps nothing."""

    priority = 5
    viable = False

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        return None


class _UndeletableKeyring(KeyringBackend):
    """Keeps what it is given, and deleting does nothing."""

    priority = 5
    viable = False

    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.kept.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.kept[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        return None


@pytest.fixture
def real_keyring(private_keyring: PrivateKeyring) -> Iterator[PrivateKeyring]:
    """The private Secret Service for this test (others may swap in a fake), then again."""
    keyring.set_keyring(private_keyring.backend)
    yield private_keyring
    keyring.set_keyring(private_keyring.backend)
    wipe_service(DOCTOR_SERVICE)


def test_the_round_trip_passes_on_a_real_keyring_and_leaves_nothing(
        real_keyring: PrivateKeyring) -> None:
    health = keyring_health()
    assert health.problem is None
    assert health.backend.startswith("Secret Service")
    assert wipe_service(DOCTOR_SERVICE) == 0


@pytest.mark.usefixtures("real_keyring")
def test_a_keyring_that_forgets_or_cannot_delete_fails_the_round_trip() -> None:
    keyring.set_keyring(_ForgetfulKeyring())
    with pytest.raises(SecretsUnavailable, match="read back differently"):
        SecretStore(DOCTOR_SERVICE).round_trip_test()
    assert keyring_health().problem is not None
    undeletable = _UndeletableKeyring()
    keyring.set_keyring(undeletable)
    with pytest.raises(SecretsUnavailable, match="could still be read"):
        SecretStore(DOCTOR_SERVICE).round_trip_test()
    # Only the doctor's own entry was ever written.
    assert {service for service, _ in undeletable.kept} == {DOCTOR_SERVICE}


@pytest.mark.usefixtures("real_keyring")
def test_no_keyring_is_named_in_plain_words() -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    health = keyring_health()
    assert health.backend == "none that works here"
    assert health.problem is not None
    assert "keyring.backends.fail.Keyring" in health.problem.reason


def test_the_keyring_refusal_leads_with_plain_words() -> None:
    message = SecretsUnavailable("keyring.backends.fail.Keyring is not a secure keyring "
                                 "(priority 0)").user_message
    assert message.startswith("GradeDesk cannot reach your system's keyring, where it keeps")
    assert message.index("gnome-keyring-daemon") < message.index("`gradedesk doctor`") \
        < message.index("keyring.backends.fail.Keyring")
