"""``gradedesk doctor [--json]``: check what GradeDesk needs, one finding per check, and say
in one sentence how to fix anything that is not ok.

It must run where everything else refuses to start: without a keyring, without a display,
with a damaged database. So it never goes through ``open_database`` (which creates, tightens
and migrates: the doctor reports and changes nothing, bar a throw-away keyring entry it deletes
again and, like any sign-in, the fresh access token kept in the keyring), and each check turns
its own failures into a finding rather than an exit. No token or key is ever printed.

Exit status: 0 when no check is an error (warnings included), 1 otherwise. Heavy modules
(keyring, the HTTP stack, the store) load inside the checks: this module is imported only
when ``doctor`` runs.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

# The same ok / warning / error as `connection check`'s steps (doctor never skips a check).
from gradedesk.platforms.check import CheckStatus as Status

if TYPE_CHECKING:
    from gradedesk.store import ConnectionRow
    from gradedesk.store.health import DatabaseHealth

MIN_PYTHON = (3, 11)  # pyproject.toml's requires-python
MIN_PYSIDE6 = (6, 6)
# pyproject.toml excludes it: CPython 3.11 aborts after a few hundred signal emits.
BROKEN_PYSIDE6 = frozenset({"6.12.0"})

# The clock: a JWT client assertion is stamped with this computer's time. Canvas refuses one
# issued more than 30 s ahead of its own clock (the same line `connection check` warns at);
# beyond 5 minutes either way every platform we know refuses it (it looks not yet valid, or
# expired) and the timestamps GradeDesk puts on scores are visibly wrong: an error.
CLOCK_WARNING_S = 30.0
CLOCK_ERROR_S = 300.0

LOG_FILENAME = "gradedesk.log"  # the file gradedesk.logs writes in paths.log_dir

# The modes the store makes (gradedesk.store.db's DIR_MODE, FILE_MODE): anything in the group
# or world bits is too loose for a folder of grades and names.
# Windows has no owner uid or POSIX mode bits in stat (ACLs decide; AppData is the user's
# own): the owner and mode checks are POSIX's.
_POSIX = os.name == "posix"
_PRIVATE_BITS = 0o077 if _POSIX else 0


@dataclass(frozen=True, slots=True)
class Finding:
    """One check: what was found, and (when not ok) the one sentence that fixes it."""

    name: str
    status: Status
    detail: str
    fix: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status.value, "detail": self.detail,
                "fix": self.fix}


def _ok(name: str, detail: str) -> Finding:
    return Finding(name, Status.OK, detail)


def _warning(name: str, detail: str, fix: str) -> Finding:
    return Finding(name, Status.WARNING, detail, fix)


def _error(name: str, detail: str, fix: str) -> Finding:
    return Finding(name, Status.ERROR, detail, fix)


# --- the command ------------------------------------------------------------------------------


def run_doctor(args: argparse.Namespace) -> int:
    """Run every check for the data folder ``args`` names; print them; 1 if any is an error."""
    from gradedesk.cli.output import emit_json
    from gradedesk.logs import configure_logging
    from gradedesk.paths import data_dir

    # Warnings on stderr, redacted; no log file: the doctor reports on the log, it does not
    # write one (and must work where the log folder cannot be used).
    configure_logging(None, verbose=bool(getattr(args, "verbose", False)))
    findings = diagnose(data_dir(getattr(args, "data_dir", None)))
    healthy = all(finding.status is not Status.ERROR for finding in findings)
    if getattr(args, "json", False):
        emit_json({"ok": healthy, "checks": [finding.to_json() for finding in findings]})
    else:
        print(render(findings))
    return 0 if healthy else 1


def diagnose(folder: Path) -> list[Finding]:
    """Every check, in the order a person would fix things: the install, the keyring, the
    data folder and database, the log, then each saved connection."""
    from gradedesk.store.db import DB_FILENAME

    findings = [python_check(), qt_check(), display_check(), keyring_check(),
                data_folder_check(folder)]
    database = folder / DB_FILENAME
    file_finding, readable = database_file_check(database)
    findings.append(file_finding)
    connections: tuple[ConnectionRow, ...] = ()
    # Whether the saved connections are known (none when there is no database yet: the one
    # case where the file check is ok and the file is not to be read).
    listed = not readable and file_finding.status is Status.OK
    if readable:
        from gradedesk.store.health import inspect_database

        health = inspect_database(database)
        checked = database_check(health)
        findings.append(checked)
        connections = health.connections
        listed = checked.status is Status.OK
    findings.append(log_check(folder))
    if listed and not connections:
        findings.append(_ok("connections", "None saved yet: `gradedesk connection add` "
                                           "connects a course."))
    for connection in connections:
        findings.extend(connection_checks(connection))
    return findings


def render(findings: list[Finding]) -> str:
    """One aligned line per check, the fix indented under each that is not ok, a summary."""
    from gradedesk.domain.redaction import redact

    width = min(max(len(finding.name) for finding in findings), 28)
    lines = []
    for finding in findings:
        lines.append(f"{finding.status.value:<7}  {finding.name:<{width}}  "
                     f"{redact(finding.detail)}")
        if finding.fix and finding.status is not Status.OK:
            lines.append(f"{'':<7}  {'':<{width}}  fix: {redact(finding.fix)}")
    lines.append(summary(findings))
    return "\n".join(lines)


def summary(findings: list[Finding]) -> str:
    errors = sum(finding.status is Status.ERROR for finding in findings)
    warnings = sum(finding.status is Status.WARNING for finding in findings)
    if not errors and not warnings:
        return f"All {len(findings)} checks passed."
    counted = ", ".join(part for part in (_count(errors, "error"), _count(warnings, "warning"))
                        if part)
    verdict = ("GradeDesk will not work fully until the errors are fixed." if errors
               else "GradeDesk works; the warnings say what may go wrong.")
    return f"{len(findings)} checks: {counted}. {verdict}"


def _count(number: int, noun: str) -> str:
    return "" if not number else f"{number} {noun}{'' if number == 1 else 's'}"


# --- the install ------------------------------------------------------------------------------


def python_check() -> Finding:
    import platform

    version = platform.python_version()
    if sys.version_info < MIN_PYTHON:
        needed = ".".join(map(str, MIN_PYTHON))
        return _error("python", f"Python {version}: GradeDesk needs {needed} or newer.",
                      f"Install Python {needed} or newer and reinstall GradeDesk with it.")
    return _ok("python", f"Python {version} ({sys.executable}).")


def qt_check() -> Finding:
    """PySide6's version from its package metadata: Qt itself is not loaded (the commands
    never load it, and loading it can abort the process without a display)."""
    from importlib import metadata

    reinstall = ("Reinstall GradeDesk with its dependencies (`pip install -e .` in a clone), "
                 "or run `pip install 'pyside6>=6.6,!=6.12.0'`.")
    try:
        version = metadata.version("PySide6")
    except metadata.PackageNotFoundError:
        return _error("qt", "PySide6 (Qt for Python) is not installed: the window cannot open "
                            "(the commands work without it).", reinstall)
    if version in BROKEN_PYSIDE6:
        return _error("qt", f"PySide6 {version} is known to crash GradeDesk's window after a "
                            "few hundred updates.", reinstall)
    try:
        too_old = tuple(int(part) for part in version.split(".")[:2]) < MIN_PYSIDE6
    except ValueError:
        too_old = False  # a local build's version string: trust it
    if too_old:
        return _error("qt", f"PySide6 {version} is older than GradeDesk needs "
                            f"({'.'.join(map(str, MIN_PYSIDE6))}).", reinstall)
    return _ok("qt", f"PySide6 {version}.")


def display_check() -> Finding:
    """A missing display is a warning: every command works without one, only the window
    cannot open."""
    from gradedesk.ui.arguments import has_display, headless_qt_platform

    if has_display():
        shown = os.environ.get("WAYLAND_DISPLAY") or os.environ.get("DISPLAY")
        return _ok("display", f"The window can open (display {shown})." if shown
                   else "The window can open.")
    headless = headless_qt_platform()
    if headless is not None:
        return _ok("display", f"No display, but QT_QPA_PLATFORM={headless} lets the window "
                              "draw without one.")
    return _warning("display", "No display (neither DISPLAY nor WAYLAND_DISPLAY is set): the "
                               "window cannot open here; every other command works.",
                    "Run GradeDesk in a desktop session to use the window; `gradedesk gui "
                    "--screenshot out.png` renders it to a picture without one.")


# --- the keyring ------------------------------------------------------------------------------


def keyring_check() -> Finding:
    from gradedesk.secrets import FIX_SENTENCE, keyring_health

    health = keyring_health()
    if health.problem is None:
        return _ok("keyring", f"{health.backend}: a test secret was written, read back and "
                              "deleted.")
    return _error("keyring", f"GradeDesk cannot keep its keys in the keyring (backend: "
                             f"{health.backend}). Details: {health.problem.reason}.",
                  FIX_SENTENCE)


# --- the data folder, the database, the log ---------------------------------------------------


def _not_own(name: str, path: Path, info: os.stat_result, what: str, fix: str
             ) -> Finding | None:
    """The error for a symbolic link or someone else's file or folder (GradeDesk refuses
    both), else None."""
    if stat.S_ISLNK(info.st_mode):
        return _error(name, f"The {what} {path} is a symbolic link; GradeDesk refuses it.", fix)
    if _POSIX and info.st_uid != os.geteuid():
        return _error(name, f"The {what} {path} belongs to another user (uid {info.st_uid}); "
                            "GradeDesk uses only your own.", fix)
    return None


def data_folder_check(folder: Path) -> Finding:
    name = "data folder"
    elsewhere = "Give GradeDesk a real folder of your own with --data-dir DIR (or " \
                "$GRADEDESK_DATA_DIR)."
    try:
        info = folder.lstat()
    except FileNotFoundError:
        return _ok(name, f"{folder} does not exist yet; the first command makes it, private "
                         "(0700).")
    except OSError as exc:
        return _error(name, f"{folder} cannot be examined: {exc.strerror or exc}.", elsewhere)
    refused = _not_own(name, folder, info, "data folder", elsewhere)
    if refused is not None:
        return refused
    if not stat.S_ISDIR(info.st_mode):
        return _error(name, f"{folder} is not a folder.", elsewhere)
    mode = stat.S_IMODE(info.st_mode)
    if not os.access(folder, os.W_OK | os.X_OK):
        return _error(name, f"{folder} is not writable by you (mode {mode:04o}).",
                      f"Run `chmod 700 {folder}`.")
    if mode & _PRIVATE_BITS:
        return _warning(name, f"{folder} has mode {mode:04o}: other users can look inside, "
                              "and it holds grades and names.",
                        f"Run `chmod 700 {folder}` (GradeDesk also tightens it the next time "
                        "it opens its database).")
    return _ok(name, f"{folder}: yours, private ({mode:04o}).")


def database_file_check(path: Path) -> tuple[Finding, bool]:
    """The database file's owner and modes (its -wal and -shm files too); and whether it is
    a regular file of the user's own, so that opening it is safe."""
    name = "database file"
    move = f"Move {path} away; GradeDesk makes a new one (your connections must be added again)."
    try:
        info = path.lstat()
    except FileNotFoundError:
        return _ok(name, f"{path} is not created yet (the first command makes it)."), False
    except OSError as exc:
        return _error(name, f"{path} cannot be examined: {exc.strerror or exc}.", move), False
    refused = _not_own(name, path, info, "database", move)
    if refused is not None:
        return refused, False
    if not stat.S_ISREG(info.st_mode):
        return _error(name, f"{path} is not a file.", move), False
    loose = []
    for candidate in (path, path.with_name(path.name + "-wal"),
                      path.with_name(path.name + "-shm")):
        try:
            mode = stat.S_IMODE(candidate.lstat().st_mode)
        except OSError:
            continue
        if mode & _PRIVATE_BITS:
            loose.append((candidate, mode))
    if loose:
        listed = ", ".join(f"{candidate.name} {mode:04o}" for candidate, mode in loose)
        paths = " ".join(str(candidate) for candidate, _ in loose)
        return _warning(name, f"Other users can read the database ({listed}).",
                        f"Run `chmod 600 {paths}` (GradeDesk also tightens them the next time "
                        "it opens the database)."), True
    return _ok(name, f"{path}: yours, private ({stat.S_IMODE(info.st_mode):04o}, "
                     f"{info.st_size // 1024} KB)."), True


def database_check(health: DatabaseHealth) -> Finding:
    """Integrity and schema version; a damaged or foreign file is an error, not a crash."""
    name, path = "database", health.path
    aside = (f"Restore {path.name} from a backup, or move it aside (`mv {path} "
             f"{path}.damaged`) and add your connections again: grades already sent are safe "
             "on the platform.")
    if health.unreadable is not None:
        return _error(name, health.unreadable, aside)
    if health.foreign:
        return _error(name, f"{path} is not a GradeDesk database; GradeDesk will not change "
                            "it.", f"Move it away (`mv {path} {path}.other`), or choose "
                                   "another --data-dir.")
    if health.newer:
        return _error(name, f"Written by a newer GradeDesk (schema {health.schema_version}; "
                            f"this one knows up to {health.latest_version}).",
                      "Update GradeDesk, or use another --data-dir.")
    if health.damage:
        return _error(name, f"The integrity check found damage: {'; '.join(health.damage)}.",
                      aside)
    if not health.schema_version:
        return _ok(name, "Empty: GradeDesk sets it up the next time it opens it.")
    if health.schema_version < health.latest_version:
        return _ok(name, f"Intact; schema {health.schema_version}, upgraded to "
                         f"{health.latest_version} the next time GradeDesk opens it.")
    return _ok(name, f"Intact (integrity check ok); schema {health.schema_version}, the "
                     "newest.")


def log_check(folder: Path) -> Finding:
    from gradedesk.paths import log_dir

    name, logs = "log", log_dir(folder)
    log_file = logs / LOG_FILENAME
    away = f"Move {logs} away; GradeDesk makes a new, private one."
    for path, what in ((logs, "log folder"), (log_file, "log file")):
        try:
            info = path.lstat()
        except FileNotFoundError:
            return _ok(name, f"{log_file} (none yet: the commands that talk to a platform "
                             "write it).")
        except OSError as exc:
            return _error(name, f"{path} cannot be examined: {exc.strerror or exc}.", away)
        refused = _not_own(name, path, info, what, away)
        if refused is not None:
            return refused
        mode = stat.S_IMODE(info.st_mode)
        if mode & _PRIVATE_BITS:
            wanted = "700" if path == logs else "600"
            return _warning(name, f"The {what} {path} has mode {mode:04o}: other users can "
                                  "read what GradeDesk logged.",
                            f"Run `chmod {wanted} {path}` (GradeDesk also tightens it the next "
                            "time it logs).")
    size = log_file.stat().st_size
    return _ok(name, f"{log_file} ({size // 1024} KB).")


# --- each saved connection --------------------------------------------------------------------


def connection_checks(connection: ConnectionRow) -> list[Finding]:
    """Sign in to the platform (a fresh token, never shown); then its clock against ours."""
    from gradedesk.platforms.clock import platform_clock_skew
    from gradedesk.platforms.errors import PlatformError

    signed_in, reached, skew = _sign_in_check(connection)
    findings = [signed_in]
    address = connection.settings.get("token_url") or connection.settings.get("url")
    if skew is None and reached and address:
        try:
            skew = platform_clock_skew(str(address))
        except PlatformError:
            skew = None  # the finding above already says what is wrong with the platform
    if skew is not None:
        findings.append(clock_check(connection.name, skew))
    return findings


def _sign_in_check(connection: ConnectionRow) -> tuple[Finding, bool, float | None]:
    """(the finding, whether the platform answered at all, the clock skew if known)."""
    from gradedesk import bootstrap
    from gradedesk.domain import GradeDeskError
    from gradedesk.platforms.check import CheckContext, explain
    from gradedesk.platforms.clock import sign_in
    from gradedesk.platforms.errors import PlatformError, TransportError
    from gradedesk.secrets import SecretMissing, SecretStore, SecretsUnavailable
    from gradedesk.store import ConnectionKind

    label, who = f"connection {connection.name}", connection.name
    lti = connection.kind is ConnectionKind.LTI
    if lti and not connection.settings.get("client_id"):
        return (_warning(label, "Not set up yet: it has no client id.",
                         f"Enter the client id your administrator gives you: `gradedesk "
                         f"connection set {who} --client-id ID`."), True, None)
    profile = bootstrap.profile_for(connection)
    context = CheckContext(who, client_id=connection.settings.get("client_id"),
                           platform_title=profile.title if profile else "LTIAAS")
    try:
        with bootstrap.platform_for(connection, SecretStore()) as platform:
            skew = sign_in(platform)
    except TransportError as error:
        if bootstrap.is_sandbox(connection):
            return (_ok(label, "The built-in sample course is not running now; GradeDesk starts "
                               "it with the window."), False, None)
        detail, fix = explain(error, "token" if lti else "line items", context)
        return _error(label, detail, fix), False, None
    except PlatformError as error:
        detail, fix = explain(error, "token" if lti else "line items", context)
        return _error(label, detail, fix), True, None
    except SecretsUnavailable:
        return (_error(label, "Cannot sign in: its key is in the keyring, which GradeDesk "
                              "cannot use (see the keyring line).",
                       "Fix the keyring first, then run `gradedesk doctor` again."), True, None)
    except SecretMissing as error:
        return (_error(label, error.user_message,
                       f"Remove it (`gradedesk connection remove {who}`) and add it again."),
                True, None)
    except GradeDeskError as error:  # settings changed behind GradeDesk's back, ...
        return (_error(label, error.user_message,
                       f"If you changed its settings yourself, remove it (`gradedesk "
                       f"connection remove {who}`) and add it again; if not, find out who "
                       "can write to your data folder."), True, None)
    done = "the platform issued a fresh access token" if lti else "LTIAAS accepted its keys"
    return _ok(label, f"Signed in: {done}."), True, skew


def clock_check(connection: str, skew_s: float) -> Finding:
    """This computer's clock against the platform's (positive: ahead)."""
    name = f"clock vs {connection}"
    size = abs(skew_s)
    said = (f"This computer's clock is {size:.1f} s {'ahead of' if skew_s > 0 else 'behind'} "
            f"the platform's ({skew_s:+.1f} s)")
    fix = ("Set the clock to update itself from the network (on Linux: `timedatectl set-ntp "
           "true`), then run `gradedesk doctor` again.")
    if size > CLOCK_ERROR_S:
        return _error(name, f"{said}: beyond {CLOCK_ERROR_S / 60:g} minutes platforms refuse "
                            "GradeDesk's sign-in, and grades get wrong timestamps.", fix)
    if size > CLOCK_WARNING_S:
        return _warning(name, f"{said}: Canvas refuses a sign-in from a clock more than "
                              f"{CLOCK_WARNING_S:g} s ahead of its own.", fix)
    if size < 2:
        # A Date header counts whole seconds (and a server may stamp it a moment early).
        return _ok(name, f"In step with the platform's clock ({skew_s:+.1f} s, as near as its "
                         "Date header, in whole seconds, can tell).")
    return _ok(name, f"{said}.")
