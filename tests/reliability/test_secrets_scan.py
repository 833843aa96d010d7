"""Secrets live in the OS keyring and nowhere else, even after a whole session.

The session is what a user does, every step in a child process of its own (``gradedesk``
commands, and the real window offscreen), on one data folder:

* connections: an LTI one with a private key file made at run time (``--private-key-file``),
  a Canvas one whose key GradeDesk generates (its configuration pasted into the sandbox as an
  administrator does), an LTIAAS one (API key and service key files), and one with a wrong
  client id;
* requests that fail, so the error paths log too: the token endpoint refusing the wrong client
  id and the not yet registered key (``connection check``), a revoked LTIAAS service key, and
  a pull under injected 5xx replies;
* pull, grades with comments, push; a push SIGKILLed mid-way (a copy of the data folder and the
  temp folder is taken right then, -wal and -shm files included), the push run again;
* the window, offscreen: it opens the connection, a grade is typed, Push is clicked, and it is
  closed, so its QSettings file and its log lines are written;
* debug-level logging: some commands run with ``--verbose`` (and the window's driver calls
  ``configure_logging(..., verbose=True)``, as ``--verbose`` does);
* access tokens live 2 s on the sandbox, so many are issued along the way.

Then every regular file under the data folder (logs included), the XDG config, state, cache
and data folders (where the window's QSettings file is), the children's own HOME,
XDG_RUNTIME_DIR and TMPDIR, the copies taken after the kill, and everything the commands
printed is read as raw bytes (so SQLite files, -wal and -journal files are searched as they
lie on disk) and searched for: any 40-character run of the private keys' base64 (the PEM bodies,
and the secret numbers d, p, q, ... in base64, base64url and hex at every alignment), those
numbers as raw bytes, a ``BEGIN ... PRIVATE KEY`` line, every access token the keyring kept,
anything shaped like a JWT (an access token or a client assertion), the LTIAAS API and service
keys, and ``Bearer``/``SERVICE-AUTH-V1`` or ``access_token``/``client_assertion`` followed by
a value. The keyring is checked to hold the keys and tokens (the secrets went somewhere, so
the scan is not vacuous), and the scanner is shown to find each of those secrets in the files
they came from, and a token planted in a log file.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from cli_support import CliResult, Gradedesk, KeyFiles, SandboxProcess, add_connection_args
from gradedesk.domain import GradeDeskError
from gradedesk.paths import log_dir
from gradedesk.platforms.keys import generate_private_key_pem, load_private_key, public_pem
from gradedesk.secrets import SecretKind, SecretStore
from gradedesk.store.db import DB_FILENAME

pytestmark = pytest.mark.usefixtures("secret_store")

# --- the scanner -------------------------------------------------------------------------------

RUN = 40  # this many characters of a key's base64 (or hex) in a row count as a leak
CHUNK, STRIDE = 24, 12  # raw key bytes: any 36 bytes in a row hold one whole chunk
_TEXT_RUN = re.compile(rb"[A-Za-z0-9+/_-]{%d,}" % RUN)
# Secrets recognised by their shape, whatever their value.
SHAPES: tuple[tuple[str, re.Pattern[bytes]], ...] = (
    ("a PEM private key line",
     re.compile(rb"-----BEGIN (?:RSA |EC |DSA |ENCRYPTED |OPENSSH )?PRIVATE KEY-----")),
    ("a JWT (an access token or a client assertion)",
     re.compile(rb"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.")),
    ("'Bearer' and a token", re.compile(rb"Bearer\s+(?!\[redacted)[A-Za-z0-9._~+/=-]{16,}")),
    ("an LTIAAS Authorization value", re.compile(
        rb"(?i)(?:SERVICE-AUTH-V1|LTIK-AUTH-V[12])\s+(?!\[redacted)[A-Za-z0-9._:~+/=-]{16,}")),
    ("an OAuth field and its value", re.compile(
        rb"(?i)(?:access_token|client_assertion)[\"']?\s*[:=]\s*[\"']?(?!\[redacted)"
        rb"[A-Za-z0-9._~+/=-]{16,}")),
)


@dataclass(frozen=True, slots=True)
class Finding:
    path: Path
    offset: int
    what: str

    def __str__(self) -> str:
        return f"{self.path} (byte {self.offset}): {self.what}"


def _aligned_encodings(raw: bytes) -> Iterator[bytes]:
    """The bytes as base64, base64url and hex wherever they sit in a larger blob: base64 at
    each of the three alignments, less the last characters (they depend on what follows)."""
    for shift in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            yield encode(raw[shift:]).rstrip(b"=")[:-3]
    yield raw.hex().encode()
    yield raw.hex().upper().encode()


def _windows(text: bytes) -> Iterator[bytes]:
    for start in range(len(text) - RUN + 1):
        yield text[start:start + RUN]


def _unsigned(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


@dataclass
class Secrets:
    """Everything that must be found nowhere but in the keyring."""

    exact: dict[bytes, str] = field(default_factory=dict)  # tokens, LTIAAS keys
    runs: dict[bytes, str] = field(default_factory=dict)  # RUN-long pieces of a key's text
    chunks: dict[bytes, str] = field(default_factory=dict)  # pieces of a key's raw numbers

    def add_value(self, label: str, value: str) -> None:
        assert len(value) >= 16, f"{label} is too short to search for"
        self.exact[value.encode()] = label

    def add_private_key(self, label: str, pem: bytes) -> None:
        """A private key: its PEM body, and its secret numbers in any common encoding. Pieces
        that the public key's encodings also hold (the modulus) are not secret: left out."""
        key = load_private_key(pem)
        body = b"".join(line.strip() for line in pem.splitlines()
                        if line.strip() and not line.startswith(b"-----"))
        public: set[bytes] = set()
        numbers = key.private_numbers()
        public_der = [key.public_key().public_bytes(serialization.Encoding.DER, form)
                      for form in (serialization.PublicFormat.SubjectPublicKeyInfo,
                                   serialization.PublicFormat.PKCS1)]
        for blob in (_unsigned(numbers.public_numbers.n), *public_der):
            for text in _aligned_encodings(blob):
                public.update(_windows(text))
        for piece in _windows(body):
            if piece not in public:
                self.runs[piece] = f"{label}: a run of its PEM body"
        pkcs1 = key.private_bytes(serialization.Encoding.DER,
                                  serialization.PrivateFormat.TraditionalOpenSSL,
                                  serialization.NoEncryption())
        secret_numbers = {"d": numbers.d, "p": numbers.p, "q": numbers.q,
                          "dmp1": numbers.dmp1, "dmq1": numbers.dmq1, "iqmp": numbers.iqmp}
        for name, blob in (("PKCS#1 DER", pkcs1),
                           *((name, _unsigned(value)) for name, value in secret_numbers.items())):
            for text in _aligned_encodings(blob):
                for piece in _windows(text):
                    if piece not in public:
                        self.runs.setdefault(piece, f"{label}: its {name}, encoded")
        for name, value in secret_numbers.items():
            raw = _unsigned(value)
            for start in range(0, len(raw) - CHUNK + 1, STRIDE):
                self.chunks[raw[start:start + CHUNK]] = f"{label}: its {name}, raw bytes"


def scan_bytes(data: bytes, secrets: Secrets) -> list[tuple[int, str]]:
    """(offset, what) for each kind of secret in ``data``, once per kind."""
    found: dict[str, int] = {}
    for value, label in secrets.exact.items():
        at = data.find(value)
        if at >= 0:
            found.setdefault(label, at)
    for label, pattern in SHAPES:
        match = pattern.search(data)
        if match:
            found.setdefault(label, match.start())
    for match in _TEXT_RUN.finditer(data):
        text = match.group()
        for start in range(len(text) - RUN + 1):
            label = secrets.runs.get(text[start:start + RUN])
            if label is not None:
                found.setdefault(label, match.start() + start)
                break
    for chunk, label in secrets.chunks.items():
        at = data.find(chunk)
        if at >= 0:
            found.setdefault(label, at)
    return sorted((at, label) for label, at in found.items())


def files_under(roots: Iterable[Path]) -> list[Path]:
    """Every regular file under the roots (symbolic links are not followed: a link's target
    outside the roots is not what GradeDesk wrote)."""
    seen: dict[Path, None] = {}
    for root in roots:
        if root.is_file():
            seen[root] = None
        for top, _, names in os.walk(root):
            for name in names:
                path = Path(top) / name
                if path.is_file() and not path.is_symlink():
                    seen[path] = None
    return list(seen)


def scan(roots: Iterable[Path], secrets: Secrets) -> tuple[list[Path], list[Finding]]:
    """The files read and every secret found in them (raw bytes: no decoding can hide one)."""
    files = files_under(roots)
    findings = [Finding(path, at, what) for path in files
                for at, what in scan_bytes(path.read_bytes(), secrets)]
    return files, findings


# --- the scanner finds what it should, and only that ------------------------------------------


def test_the_scanner_finds_a_token_planted_in_a_log_and_nothing_in_clean_files(
        tmp_path: Path) -> None:
    """A scratch data folder: a clean log and database give no finding (a public key, URLs,
    ids and "[redacted]" markers are not secrets); a token planted in a log line, a key's
    40-character run in a file, an LTIAAS key in a SQLite -wal file and raw key bytes are each
    found, in the file they were planted in. So a clean session scan means something."""
    pem = generate_private_key_pem()
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMDAwMDAwMDAwMDAwMSJ9.c2lnbmF0dXJlLWJ5dGVz"
    api_key = "0123456789abcdef0123456789abcdef"
    secrets = Secrets()
    secrets.add_private_key("the planted key", pem)
    secrets.add_value("an access token", "A" * 8 + "not-a-jwt-token-value")
    secrets.add_value("the LTIAAS API key", api_key)
    scratch = tmp_path / "scratch"
    logs = scratch / "logs"
    logs.mkdir(parents=True)
    clean = ("2026-01-01 10:00:00 INFO gradedesk.platforms.http: POST "
             "/api/lti/courses/1/line_items/31/scores -> 200 (remaining 700)\n"
             "2026-01-01 10:00:01 WARNING gradedesk.sync: refused: Bearer [redacted], "
             "SERVICE-AUTH-V1 [redacted], access_token=[redacted], [redacted JWT]\n")
    (logs / "gradedesk.log").write_text(clean, encoding="utf-8")
    (scratch / "pub.pem").write_bytes(public_pem(load_private_key(pem)))
    database = scratch / DB_FILENAME
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE settings (name TEXT, value TEXT)")
    conn.execute("INSERT INTO settings VALUES ('url', 'http://127.0.0.1:9/ltiaas')")
    conn.commit()
    conn.close()
    assert scan([scratch], secrets)[1] == []

    with (logs / "gradedesk.log").open("a", encoding="utf-8") as log:
        log.write(f"2026-01-01 10:00:02 DEBUG gradedesk.platforms.http: token {token}\n")
    body = b"".join(pem.splitlines()[1:-1])
    (scratch / "notes.txt").write_bytes(b"pasted: " + body[600:640] + b"\n")  # within d
    (scratch / "blob.bin").write_bytes(
        b"\x00" * 7 + _unsigned(load_private_key(pem).private_numbers().d)[50:90])
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("INSERT INTO settings VALUES ('api', ?)", (api_key,))
    conn.commit()
    try:  # the connection stays open: the row is only in the -wal file
        assert (scratch / f"{DB_FILENAME}-wal").stat().st_size > 0
        files, findings = scan([scratch], secrets)
    finally:
        conn.close()
    assert len(files) >= 5
    where = {(finding.path.name, finding.what.split(":")[0]) for finding in findings}
    assert ("gradedesk.log", "a JWT (an access token or a client assertion)") in where
    assert ("notes.txt", "the planted key") in where
    assert ("blob.bin", "the planted key") in where
    assert (f"{DB_FILENAME}-wal", "the LTIAAS API key") in where
    assert not [f for f in findings if f.path.name in ("pub.pem", DB_FILENAME)], findings


# --- the session -------------------------------------------------------------------------------

TOKEN_LIFETIME_S = 2
KILL_LATENCY_MS = 150
WINDOW_TIMEOUT_S = 60.0
WRONG_CLIENT_ID = "10000000000099"

# The window as a user opens it: its own QSettings file (window_settings(), under the XDG
# config folder), the connection, one grade typed into the grid, Push clicked, then closed.
# Logging is set up as the CLI does, at debug level.
WINDOW_DRIVER = """
import json, os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from pathlib import Path
from PySide6.QtCore import QTimer
from gradedesk.logs import configure_logging
from gradedesk.paths import log_dir
from gradedesk.ui.app import application, window_settings
from gradedesk.ui.context import AppContext
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.presenter import Presenter
from gradedesk.ui.views.main_window import MainWindow

spec = json.loads(sys.argv[1])
data = Path(spec["data_dir"])
configure_logging(log_dir(data), verbose=True)
app = application()
context = AppContext.open(data)
presenter = Presenter(context)
settings = window_settings()
window = MainWindow(presenter, settings)
window.resize(1280, 800)
window.request_connection(spec["connection"])
window.line_item_hint = spec["line_item"]
state = {"stage": "loading", "saves": 0}


def say(event, **details):
    print(json.dumps({"event": event, **details}), flush=True)


def on_ready(mode):
    model = window.line_model
    if state["stage"] != "loading" or model.line_item is None or model.rowCount() == 0:
        return
    state["stage"] = "typing"
    rows = {model.row_at(row).user_id: row for row in range(model.rowCount())}
    row = rows[spec["user_id"]]
    model.setData(model.index(row, Column.SCORE), str(spec["score"]))
    model.setData(model.index(row, Column.COMMENT), spec["comment"])


def on_saved(outcome):
    state["saves"] += 1
    if outcome.errors:
        say("refused", errors=[str(e) for e in outcome.errors.values()])
    if state["stage"] == "typing" and state["saves"] >= 2:
        state["stage"] = "push"
        window.window_actions.push.trigger()


def on_finished(phase, report):
    if phase == "push":
        say("finished", clean=report.clean, confirmed=len(report.confirmed))
        window.close()
        settings.sync()
        app.quit()


window.view_ready.connect(on_ready)
presenter.edits_saved.connect(on_saved)
presenter.sync_finished.connect(on_finished)
presenter.error_raised.connect(lambda title, message: say("error", message=message))
presenter.crashed.connect(lambda error: say("crashed", error=repr(error)))
QTimer.singleShot(int(spec["timeout_s"] * 1000), app.quit)  # never outlive the test
window.show()
window.start()
code = app.exec()
context.close()
sys.exit(code)
"""


@dataclass
class VerboseGradedesk(Gradedesk):
    """``gradedesk --verbose``: debug-level logging, to the log file and to stderr."""

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "gradedesk", "--verbose", "--data-dir",
                str(self.data_dir), *args]


@dataclass
class Session:
    """The user's session: every command's output is kept (it is scanned too), and after each
    command the access tokens the keyring holds are collected."""

    plain: Gradedesk
    verbose: VerboseGradedesk
    console: Path
    store: SecretStore
    names: list[str] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    steps: int = 0

    def run(self, *args: str, verbose: bool = False, ok: bool = True) -> CliResult:
        result = (self.verbose if verbose else self.plain).run(*args)
        self.keep_output(args[0], result.out, result.err)
        if ok:
            assert result.code == 0, f"gradedesk {' '.join(args)} -> {result.code}\n{result.err}"
        return result

    def keep_output(self, label: str, out: str, err: str) -> None:
        self.steps += 1
        (self.console / f"{self.steps:02d}-{label}.out").write_text(out, encoding="utf-8")
        (self.console / f"{self.steps:02d}-{label}.err").write_text(err, encoding="utf-8")
        self.collect_tokens()

    def collect_tokens(self) -> None:
        for name in self.names:
            try:
                kept = json.loads(self.store.get(name, SecretKind.ACCESS_TOKENS))
            except GradeDeskError:
                continue
            self.tokens.update(entry[0] for entry in kept["tokens"].values())


def _course(sandbox: SandboxProcess) -> tuple[list[str], list[str]]:
    """The tool's line item URLs and the learners, as the platform itself lists them."""
    info = sandbox.info
    items = httpx.get(f"{info['admin_url']}/line_items", timeout=10).json()
    roster = httpx.get(info["roster_url"], timeout=10).json()
    urls = [f"{info['lineitems_url']}/{item['number']}" for item in items
            if not item["deleted"] and item["client_id"] == info["client_id"]]
    learners = [person["user_id"] for person in roster
                if any(role.endswith("membership#Learner") for role in person["roles"])
                and person["name"] != "Test Student"]
    return urls, learners


def _new_score(sandbox: SandboxProcess, item: str, user: str, wanted: int) -> int:
    """``wanted``, or another score if the platform already holds it (typing the score a cell
    shows changes nothing, and the session must send something)."""
    try:
        held = sandbox.result(item, user)["resultScore"]
    except httpx.HTTPStatusError:  # no result yet
        held = None
    return wanted if wanted != held else wanted + 1


def _grade(session: Session, sandbox: SandboxProcess, name: str, item: str, user: str,
           wanted: int) -> None:
    score = _new_score(sandbox, item, user, wanted)
    session.run("grade", name, "--line-item", item, "--user", user, "--score", str(score),
                "--comment", f"{name}: a comment on {user[:6]}, score {score}.")


def _copy(source: Path, target: Path) -> None:
    if source.exists():
        shutil.copytree(source, target, symlinks=True)


def _killed_push(session: Session, sandbox: SandboxProcess, snapshot: Path,
                 folders: dict[str, Path]) -> None:
    """``push`` SIGKILLed once a grade has landed (or after 3 s): the data folder and the temp
    folders are copied at once, as the kill left them."""
    before = len(sandbox.ledger())
    sandbox.set_knobs(latency_ms=KILL_LATENCY_MS)
    process = session.verbose.start("push", "course", "--json")
    deadline = time.monotonic() + 3
    while len(sandbox.ledger()) == before and time.monotonic() < deadline \
            and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    out, err = process.communicate(timeout=30)
    for label, folder in folders.items():
        _copy(folder, snapshot / label)
    sandbox.set_knobs(latency_ms=0)
    session.keep_output("killed-push", out, err)
    assert process.returncode == -signal.SIGKILL, "the push ended before the kill"


def _push_until_done(session: Session, name: str) -> None:
    for _ in range(4):
        result = session.run("push", name, "--json", verbose=True, ok=False)
        assert "Traceback" not in result.err and "unexpected error" not in result.err, result.err
        if result.code == 0 and result.json()["ok"] is True:
            return
    raise AssertionError(f"push {name} not done after 4 runs: {result.err}")


def _window(session: Session, tmp_path: Path, spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The driver above in a child process, with the session's environment."""
    script = tmp_path / "driver" / "window_driver.py"
    script.write_text(WINDOW_DRIVER, encoding="utf-8")
    env = dict(session.plain.env, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, str(script), json.dumps(spec)], capture_output=True,
                          text=True, env=env, timeout=WINDOW_TIMEOUT_S + 30, check=False)
    session.keep_output("window", done.stdout, done.stderr)
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def _session(tmp_path: Path, keys: KeyFiles, sandbox: SandboxProcess,
             store: SecretStore) -> tuple[Session, dict[str, Path]]:
    """The whole session; returns it and the folders the children could write to."""
    info = sandbox.info
    child = {name: tmp_path / "child" / name for name in ("home", "runtime", "tmp")}
    for folder in child.values():
        folder.mkdir(parents=True, mode=0o700)
    env = dict(os.environ, HOME=str(child["home"]), XDG_RUNTIME_DIR=str(child["runtime"]),
               TMPDIR=str(child["tmp"]))
    data = tmp_path / "data"
    (tmp_path / "driver").mkdir()
    console = tmp_path / "console"
    console.mkdir()
    session = Session(Gradedesk(data, env=env), VerboseGradedesk(data, env=env), console, store)
    session.names = ["course", "bio", "school", "wrong"]
    # Short-lived tokens, so many are issued; no throttle (each token costs 200 units).
    sandbox.set_knobs(token_lifetime_s=TOKEN_LIFETIME_S, throttle=False)
    items, learners = _course(sandbox)

    # Connections: a key file, a generated key, LTIAAS keys, a wrong client id.
    session.run(*add_connection_args("course", info, keys.private))
    session.run("connection", "add", "bio", "--canvas", info["course_url"], "--client-id",
                info["client_id"])
    refused = session.run("connection", "check", "bio", "--json", verbose=True, ok=False)
    assert refused.code == 1  # the key is not registered yet: the token endpoint refuses it
    configuration = session.run("connection", "config", "bio").json()
    httpx.post(f"{info['admin_url']}/developer_keys", json=configuration,
               timeout=10).raise_for_status()
    session.run("connection", "check", "bio", verbose=True)
    given = tmp_path / "given"  # the files the LTIAAS administrator handed over
    given.mkdir()
    (given / "api.txt").write_text(info["ltiaas_api_key"] + "\n", encoding="utf-8")
    (given / "service.txt").write_text(info["ltiaas_service_key"] + "\n", encoding="utf-8")
    session.run("connection", "add", "school", "--ltiaas", "--url", info["ltiaas_url"],
                "--api-key-file", str(given / "api.txt"),
                "--service-key-file", str(given / "service.txt"))
    wrong = add_connection_args("wrong", info, keys.private)
    wrong[wrong.index("--client-id") + 1] = WRONG_CLIENT_ID
    session.run(*wrong)

    # Pulls, failing ones among them.
    assert session.run("pull", "wrong", verbose=True, ok=False).code == 1
    assert session.run("connection", "check", "wrong", ok=False).code == 1
    session.run("pull", "course")
    sandbox.set_knobs(error_rate=0.3)
    session.run("pull", "bio", verbose=True, ok=False)  # retried 5xx replies, logged
    sandbox.set_knobs(error_rate=0.0)
    session.run("pull", "bio")
    sandbox.set_knobs(ltiaas_service_key_revoked=True)
    assert session.run("pull", "school", verbose=True, ok=False).code == 1
    sandbox.set_knobs(ltiaas_service_key_revoked=False)
    session.run("pull", "school", verbose=True)

    # Grades with comments; a push killed mid-way, then pushed again after the token expired.
    for number, user in enumerate(learners[:6]):
        _grade(session, sandbox, "course", items[number % 2], user, number + 2)
    for user in learners[6:8]:
        _grade(session, sandbox, "bio", items[2], user, 7)
    for user in learners[8:10]:
        _grade(session, sandbox, "school", items[3], user, 5)
    folders = {"data": data, **child}
    _killed_push(session, sandbox, tmp_path / "snapshot-after-kill", folders)
    time.sleep(TOKEN_LIFETIME_S + 0.2)
    _push_until_done(session, "course")
    session.run("push", "bio", "--json")
    session.run("push", "school", "--json", verbose=True)

    # The window: one grade typed and pushed; its QSettings and log lines are written.
    events = _window(session, tmp_path, {
        "data_dir": str(data), "connection": "course", "line_item": items[4],
        "user_id": learners[10], "score": _new_score(sandbox, items[4], learners[10], 9),
        "comment": "Typed in the window.",
        "timeout_s": WINDOW_TIMEOUT_S})
    finished = [event for event in events if event["event"] == "finished"]
    assert finished and finished[0]["clean"] and finished[0]["confirmed"] == 1, events
    # What a user reads back: the audit log and the connections' settings.
    for name in ("course", "bio", "school"):
        session.run("history", name, "--json")
    session.run("connection", "list", "--json")
    status = session.run("status", "--json").json()["connections"]
    left = {c["connection"]: c for c in status if c["connection"] != "wrong"
            and (c["drafts"] or c["queued"] or c["sending"] or c["failed"])}
    assert not left, left
    return session, folders


def _keyring_secrets(session: Session, keys: KeyFiles, info: dict[str, Any]) -> Secrets:
    """The secrets the session handled, read back from the keyring: proof that they were
    stored where they belong (and what the scan must not find anywhere else)."""
    store = session.store
    secrets = Secrets()
    given = load_private_key(keys.private.read_bytes()).private_numbers()
    kept = store.get("course", SecretKind.PRIVATE_KEY).encode("ascii")
    assert load_private_key(kept).private_numbers() == given, "the keyring holds another key"
    secrets.add_private_key("the key from --private-key-file", keys.private.read_bytes())
    generated = store.get("bio", SecretKind.PRIVATE_KEY).encode("ascii")
    assert isinstance(load_private_key(generated), rsa.RSAPrivateKey)
    secrets.add_private_key("the key GradeDesk generated", generated)
    for kind, value in ((SecretKind.LTIAAS_API_KEY, info["ltiaas_api_key"]),
                        (SecretKind.LTIAAS_SERVICE_KEY, info["ltiaas_service_key"])):
        assert store.get("school", kind) == value, f"the keyring lacks the {kind}"
        secrets.add_value(f"the {kind}", value)
    for name in ("course", "bio"):
        assert store.has(name, SecretKind.ACCESS_TOKENS), f"no access token kept for {name}"
    session.collect_tokens()
    # Short-lived tokens: many were issued, and every one kept is a JWT (the shape check
    # would catch those the scan does not know by value).
    assert len(session.tokens) >= 4, session.tokens
    for number, token in enumerate(sorted(session.tokens)):
        assert token.startswith("eyJ") and token.count(".") == 2
        secrets.add_value(f"access token #{number}", token)
    # Each secret, wherever it came from, is recognised in its own text.
    for label, text in (("the key from --private-key-file", keys.private.read_bytes()),
                        ("the key GradeDesk generated", generated),
                        ("the ltiaas-api-key", info["ltiaas_api_key"].encode()),
                        ("the ltiaas-service-key", info["ltiaas_service_key"].encode()),
                        *((f"access token #{number}", token.encode())
                          for number, token in enumerate(sorted(session.tokens)))):
        assert label in {what.split(":")[0] for _, what in scan_bytes(text, secrets)}, label
    return secrets


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_after_a_whole_session_no_secret_is_outside_the_keyring(
        tmp_path: Path, keys: KeyFiles, sandbox: SandboxProcess,
        secret_store: SecretStore) -> None:
    """Add (key file, generated key, LTIAAS, a wrong client id), pull, grade, push, a push
    killed mid-way, push again, failing requests, the window: then no key, token, assertion,
    API key or service key is in any file GradeDesk or its children could have written, nor
    in anything they printed; the keyring holds them all."""
    started = time.monotonic()
    session, folders = _session(tmp_path, keys, sandbox, secret_store)
    secrets = _keyring_secrets(session, keys, sandbox.info)

    # The scanner knows these secrets: it finds each in the file it was given in.
    _, inputs = scan([keys.private, tmp_path / "given"], secrets)
    assert {f.what for f in inputs} >= {"the key from --private-key-file: a run of its PEM body",
                                        "a PEM private key line", "the ltiaas-api-key",
                                        "the ltiaas-service-key"}, inputs

    data = folders["data"]
    xdg = [Path(os.environ[name]) for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME",
                                               "XDG_CACHE_HOME", "XDG_DATA_HOME",
                                               "GRADEDESK_DATA_DIR")]
    roots = [data, log_dir(data), *xdg, *folders.values(), tmp_path / "snapshot-after-kill",
             session.console]
    files, findings = scan(roots, secrets)
    took = time.monotonic() - started

    # What was scanned holds what the issue names: the database (and its side files as the
    # kill left them), the log, the window's QSettings file, the commands' output.
    names = {path.name for path in files}
    log_file = log_dir(data) / "gradedesk.log"
    settings_file = Path(os.environ["XDG_CONFIG_HOME"]) / "GradeDesk" / "window.ini"
    assert log_file in files and "POST" in log_file.read_text(encoding="utf-8")
    assert settings_file in files and "view" in settings_file.read_text(encoding="utf-8")
    assert data / DB_FILENAME in files and f"{DB_FILENAME}-wal" in names, sorted(names)
    # The stored grades are readable in the raw bytes scanned (nothing hides text there).
    databases = [path for path in files if path.name.startswith(DB_FILENAME)]
    assert any(b"course: a comment on" in path.read_bytes() for path in databases)
    per_root = {str(root): len(files_under([root])) for root in roots}
    sizes = sum(path.stat().st_size for path in files)
    print(f"\nsession and scan took {took:.1f} s; {len(session.tokens)} access tokens known "
          f"by value; {len(files)} files ({sizes // 1024} KiB) scanned:\n  "
          + "\n  ".join(f"{count:3} under {root}" for root, count in per_root.items())
          + f"\n  SQLite files: {', '.join(sorted({p.name for p in databases}))}")
    assert not findings, "secrets outside the keyring:\n" + "\n".join(map(str, findings))
