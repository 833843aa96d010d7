"""Issue 13: ``gradedesk doctor [--json]`` and the start-up refusals in plain words, through
the real command: separate processes, a real data folder, the private keyring (or none at
all), and the sandbox over loopback."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

import pytest

from cli_support import CliResult, Gradedesk, KeyFiles, SandboxProcess, add_connection_args
from gradedesk.secrets import DOCTOR_SERVICE
from gradedesk.store.migrations import latest_version
from keyring_plugin import FAIL_BACKEND, wipe_service

SKEW = re.compile(r"\(([+-]\d+\.\d) s[,)]")
# What a JWT (the sandbox's access tokens, the signed client assertion) starts with.
JWT_START = "eyJ"


@pytest.fixture
def gd(tmp_path: Path) -> Gradedesk:
    return Gradedesk(tmp_path / "data")


def _without_keyring(gd: Gradedesk) -> Gradedesk:
    """The same data folder, run where keyring finds no usable backend."""
    return Gradedesk(gd.data_dir, env={**gd.env, "PYTHON_KEYRING_BACKEND": FAIL_BACKEND})


def _checks(result: CliResult) -> dict[str, dict[str, Any]]:
    report = result.json()
    assert set(report) == {"ok", "checks"}
    for check in report["checks"]:
        assert set(check) == {"name", "status", "detail", "fix"}
        assert check["status"] in ("ok", "warning", "error")
        assert check["detail"]
        # One fix sentence for anything not ok.
        assert (check["status"] == "ok") == (check["fix"] is None), check
    assert report["ok"] == all(check["status"] != "error" for check in report["checks"])
    assert result.code == (0 if report["ok"] else 1)
    return {check["name"]: check for check in report["checks"]}


def _no_traceback(result: CliResult) -> None:
    assert "Traceback" not in result.err and "Traceback" not in result.out, result.err


@pytest.mark.usefixtures("secret_store")
def test_a_healthy_set_up_passes_with_a_real_keyring_round_trip_and_sign_in(
        gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles) -> None:
    gd.ok(*add_connection_args("canvas", sandbox.info, keys.private))
    gd.ok("pull", "canvas")  # keeps an access token in the keyring: doctor must not use it

    result = gd.run("doctor", "--json")
    assert result.code == 0, result.out + result.err
    checks = _checks(result)
    assert result.json()["ok"] is True
    assert checks["keyring"]["status"] == "ok"
    assert "Secret Service" in checks["keyring"]["detail"]
    assert "written, read back and deleted" in checks["keyring"]["detail"]
    assert wipe_service(DOCTOR_SERVICE) == 0  # the test secret did not stay behind
    assert checks["connection canvas"]["status"] == "ok"
    assert "fresh access token" in checks["connection canvas"]["detail"]
    clock = checks["clock vs canvas"]
    assert clock["status"] == "ok"
    skew = SKEW.search(clock["detail"])
    assert skew is not None and abs(float(skew.group(1))) < 5, clock
    assert checks["database"]["status"] == "ok"
    assert f"schema {latest_version()}, the newest" in checks["database"]["detail"]
    assert checks["data folder"]["status"] == "ok" and "0700" in checks["data folder"]["detail"]
    assert checks["database file"]["status"] == "ok"
    assert str(gd.data_dir / "logs" / "gradedesk.log") in checks["log"]["detail"]
    assert checks["python"]["status"] == checks["qt"]["status"] == "ok"
    assert checks["display"]["status"] in ("ok", "warning")  # the CLI works either way
    assert JWT_START not in result.out + result.err  # no token, no assertion

    # The same for people: one aligned line per check, then the summary.
    human = gd.run("doctor")
    assert human.code == 0, human.err
    lines = human.out.splitlines()
    assert len([line for line in lines if not line.startswith(" ")]) == len(checks) + 1
    assert re.match(r"^ok {7}connection canvas +Signed in", next(
        line for line in lines if "connection canvas" in line))
    assert lines[-1].startswith(("All ", f"{len(checks)} checks: "))
    assert JWT_START not in human.out + human.err


@pytest.mark.usefixtures("secret_store")
def test_a_key_switched_off_is_found_even_with_a_token_kept_from_before(
        gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles) -> None:
    gd.ok(*add_connection_args("canvas", sandbox.info, keys.private))
    gd.ok("pull", "canvas")
    sandbox.set_knobs(key_active=False)

    result = gd.run("doctor", "--json")
    _no_traceback(result)
    checks = _checks(result)
    assert result.code == 1
    assert checks["connection canvas"]["status"] == "error"
    assert "developer key" in checks["connection canvas"]["detail"] + \
        checks["connection canvas"]["fix"]
    # The platform answered, so its clock is still read (without signing in).
    assert checks["clock vs canvas"]["status"] == "ok"


@pytest.mark.usefixtures("secret_store")
def test_an_ltiaas_connection_is_checked_with_its_keys(
        gd: Gradedesk, sandbox: SandboxProcess, tmp_path: Path) -> None:
    info = sandbox.info
    api_key, service_key = tmp_path / "api.txt", tmp_path / "service.txt"
    api_key.write_text(info["ltiaas_api_key"] + "\n")
    service_key.write_text(info["ltiaas_service_key"] + "\n")
    gd.ok("connection", "add", "school", "--ltiaas", "--url", info["ltiaas_url"],
          "--api-key-file", str(api_key), "--service-key-file", str(service_key))

    checks = _checks(gd.run("doctor", "--json"))
    assert checks["connection school"]["status"] == "ok"
    assert "LTIAAS accepted its keys" in checks["connection school"]["detail"]
    assert checks["clock vs school"]["status"] == "ok"

    sandbox.set_knobs(ltiaas_service_key_revoked=True)
    result = gd.run("doctor", "--json")
    _no_traceback(result)
    assert _checks(result)["connection school"]["status"] == "error"
    assert info["ltiaas_service_key"] not in result.out + result.err


def test_without_a_keyring_doctor_says_so_and_changes_nothing(gd: Gradedesk) -> None:
    result = _without_keyring(gd).run("doctor", "--json")
    _no_traceback(result)
    checks = _checks(result)
    assert result.code == 1
    keyring = checks["keyring"]
    assert keyring["status"] == "error"
    assert keyring["detail"].startswith("GradeDesk cannot keep its keys in the keyring")
    assert "keyring.backends.fail.Keyring" in keyring["detail"]
    assert "gnome-keyring-daemon --unlock" in keyring["fix"] and "KWallet" in keyring["fix"]
    # A data folder that is not there yet is fine, and the doctor does not make it.
    assert checks["data folder"]["status"] == "ok"
    assert checks["database file"]["status"] == "ok"
    assert "not created yet" in checks["database file"]["detail"]
    assert not gd.data_dir.exists()

    human = _without_keyring(gd).run("doctor")
    assert human.code == 1
    keyring_line = human.out.splitlines().index(
        next(line for line in human.out.splitlines() if line.startswith("error    keyring")))
    assert human.out.splitlines()[keyring_line + 1].lstrip().startswith("fix: Install")


@pytest.mark.usefixtures("secret_store")
def test_without_a_keyring_a_saved_connection_points_to_the_keyring(
        gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles) -> None:
    gd.ok(*add_connection_args("canvas", sandbox.info, keys.private))

    result = _without_keyring(gd).run("doctor", "--json")
    _no_traceback(result)
    checks = _checks(result)
    assert checks["keyring"]["status"] == "error"
    assert checks["connection canvas"]["status"] == "error"
    assert "keyring" in checks["connection canvas"]["fix"]
    assert checks["clock vs canvas"]["status"] == "ok"  # read without any credential


def test_a_command_refused_for_want_of_a_keyring_speaks_plain_words_first(
        gd: Gradedesk) -> None:
    result = _without_keyring(gd).run(
        "connection", "add", "canvas", "--lti", "--issuer", "https://canvas.example.edu",
        "--client-id", "10000000000042", "--token-url", "https://canvas.example.edu/login/token",
        "--lineitems-url", "https://canvas.example.edu/api/lti/courses/7/line_items",
        "--generate-key")
    assert result.code == 1
    _no_traceback(result)
    message = result.err.strip()
    assert message.startswith("gradedesk: GradeDesk cannot reach your system's keyring, "
                              "where it keeps"), message
    assert "`gradedesk doctor`" in message
    assert "gnome-keyring-daemon --unlock" in message  # the advice is kept


def test_the_keyring_refusal_no_longer_leads_with_the_backend_class(gd: Gradedesk) -> None:
    """Before issue 13 the message began "The OS keyring cannot be used:
    keyring.backends.fail.Keyring is not a secure keyring (priority 0)"."""
    result = _without_keyring(gd).run(
        "connection", "add", "canvas", "--lti", "--issuer", "https://canvas.example.edu",
        "--client-id", "1", "--token-url", "https://canvas.example.edu/login/token",
        "--lineitems-url", "https://canvas.example.edu/api/lti/courses/7/line_items")
    assert result.code == 1
    message = result.err.strip()
    first_sentence = message.split(". ", 1)[0]
    assert "keyring.backends" not in first_sentence and "priority" not in first_sentence
    # The technical detail is still there, after the plain words and the advice.
    detail = message.index("keyring.backends.fail.Keyring")
    assert detail > message.index("`gradedesk doctor`") > message.index("GradeDesk cannot reach")


def test_the_window_without_a_display_is_refused_in_plain_words(gd: Gradedesk) -> None:
    env = {key: value for key, value in gd.env.items()
           if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = Gradedesk(gd.data_dir, env=env).run("gui")
    assert result.code == 1, result.err  # not Qt's abort (134)
    message = result.err.strip()
    assert message.startswith("gradedesk: GradeDesk cannot open its window"), message
    assert "`gradedesk doctor`" in message
    assert "qt.qpa" not in message  # Qt was never started
    assert message.index("DISPLAY") > message.index("`gradedesk doctor`")


@pytest.mark.usefixtures("secret_store")
def test_loose_modes_are_a_warning_with_the_fix_and_left_as_they_are(
        gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles) -> None:
    gd.ok(*add_connection_args("canvas", sandbox.info, keys.private))
    gd.data_dir.chmod(0o755)
    database = gd.data_dir / "gradedesk.sqlite3"
    database.chmod(0o644)

    result = gd.run("doctor", "--json")
    checks = _checks(result)
    assert result.code == 0, result.out  # warnings only
    folder = checks["data folder"]
    assert folder["status"] == "warning" and "0755" in folder["detail"]
    assert f"chmod 700 {gd.data_dir}" in folder["fix"]
    file = checks["database file"]
    assert file["status"] == "warning" and "0644" in file["detail"]
    assert f"chmod 600 {database}" in file["fix"]
    # The doctor reports; it does not quietly fix (open_database would have tightened both).
    assert stat.S_IMODE(gd.data_dir.stat().st_mode) == 0o755
    assert stat.S_IMODE(database.stat().st_mode) == 0o644
    assert checks["database"]["status"] == "ok"


def test_a_corrupt_database_is_an_error_not_a_crash(gd: Gradedesk) -> None:
    gd.data_dir.mkdir(mode=0o700)
    database = gd.data_dir / "gradedesk.sqlite3"
    garbage = bytes(range(256)) * 64
    database.write_bytes(garbage)
    database.chmod(0o600)

    result = _without_keyring(gd).run("doctor", "--json")
    _no_traceback(result)
    checks = _checks(result)
    assert result.code == 1
    found = checks["database"]
    assert found["status"] == "error"
    assert "not a database" in found["detail"]
    assert f"{database}.damaged" in found["fix"]
    assert database.read_bytes() == garbage  # untouched
    assert sorted(os.listdir(gd.data_dir)) == ["gradedesk.sqlite3"]


@pytest.mark.usefixtures("secret_store")
def test_an_unreachable_platform_is_an_error_with_a_fix(
        gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles) -> None:
    gd.ok(*add_connection_args("canvas", sandbox.info, keys.private))
    sandbox.stop()

    result = gd.run("doctor", "--json")
    _no_traceback(result)
    checks = _checks(result)
    assert result.code == 1
    connection = checks["connection canvas"]
    assert connection["status"] == "error"
    assert "Could not reach 127.0.0.1" in connection["detail"]
    assert "network" in connection["fix"]
    assert "clock vs canvas" not in checks  # nothing answered to tell the time
    human = gd.run("doctor")
    _no_traceback(human)
    assert human.code == 1 and "fix: Check the course address" in human.out


@pytest.mark.usefixtures("secret_store")
def test_the_window_s_own_sample_course_asleep_is_no_error(gd: Gradedesk, tmp_path: Path) -> None:
    """The window starts its built-in sandbox course when it opens, and it stops with it: a
    doctor run in between must not call that unreachable."""
    env = {key: value for key, value in gd.env.items()
           if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
    Gradedesk(gd.data_dir, env=env).ok("gui", "--screenshot", str(tmp_path / "shot.png"),
                                       "--sandbox")

    result = gd.run("doctor", "--json")
    _no_traceback(result)
    checks = _checks(result)
    sample = checks["connection Sandbox course"]
    assert sample["status"] == "ok" and "not running now" in sample["detail"]
    assert result.code == 0, result.out
