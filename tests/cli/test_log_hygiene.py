"""Issue 13: after a whole session through the ``gradedesk`` command (real processes, the
sandbox over loopback, the private keyring), the log folder holds a line for every platform
request (method, URL without query, status, milliseconds) and nothing a secret or a student
can be recognised by: no access token, no key, no assertion, no student id or name, no
comment text, no query string."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from cli_support import CliResult, Gradedesk, KeyFiles, SandboxProcess, add_connection_args
from gradedesk.paths import log_dir
from gradedesk.secrets import SecretKind, SecretStore

pytestmark = pytest.mark.usefixtures("secret_store")

# Recognisable phrases in the comments: they must reach the platform and never the log.
COMMENTS = {"course": "Quokka-shaped diagrams, well labelled.",
            "school": "Marmalade hypothesis, tested twice."}
LINE_ITEM = "Lab 1: Microscopy"
REQUEST_LINE = re.compile(
    r" INFO gradedesk\.platforms\.http: (GET|POST|PUT|DELETE) (\S+) -> (\d{3}) in (\d+) ms$")


def _session(gd: Gradedesk, sandbox: SandboxProcess, keys: KeyFiles,
             tmp_path: Path) -> list[CliResult]:
    """Connect an LTI course and an LTIAAS one, check, pull, grade with comments, push and
    show, some commands with --verbose; returns every command's result."""
    info = sandbox.info
    given = tmp_path / "given"
    given.mkdir()
    (given / "api.txt").write_text(info["ltiaas_api_key"] + "\n", encoding="utf-8")
    (given / "service.txt").write_text(info["ltiaas_service_key"] + "\n", encoding="utf-8")
    done = [gd.ok(*add_connection_args("course", info, keys.private)),
            gd.ok("connection", "add", "school", "--ltiaas", "--url", info["ltiaas_url"],
                  "--api-key-file", str(given / "api.txt"),
                  "--service-key-file", str(given / "service.txt")),
            gd.ok("connection", "check", "course"),
            gd.ok("pull", "course", "--verbose"),
            gd.ok("--verbose", "pull", "school")]
    # Both connections reach the same course: each grades a student of its own.
    for number, (name, comment) in enumerate(COMMENTS.items()):
        shown = gd.ok("show", name, "--line-item", LINE_ITEM, "--json")
        user = [s["user_id"] for s in shown.json()["students"]
                if s["name"] != "Test Student"][number]
        done += [shown, gd.ok("grade", name, "--line-item", LINE_ITEM, "--user", user,
                              "--score", "8", "--comment", comment)]
        sent = gd.ok("push", name, "--json", *(["--verbose"] if name == "school" else []))
        assert sent.json()["confirmed"] == 1, sent.out
        landed = sandbox.result(f"{info['lineitems_url']}/31", user)
        assert comment in [c["comment"] for c in landed["comments"]]  # the comment went out
        done += [sent, gd.ok("show", name, "--line-item", LINE_ITEM)]
    done.append(gd.ok("pull", "course"))
    return done


def _kept_tokens(store: SecretStore) -> set[str]:
    kept = json.loads(store.get("course", SecretKind.ACCESS_TOKENS))
    return {str(entry[0]) for entry in kept["tokens"].values()}


def _students(sandbox: SandboxProcess) -> tuple[set[str], set[str]]:
    """Every id and every name the platform holds for a person of the course."""
    roster = httpx.get(sandbox.info["roster_url"], timeout=10).json()
    ids = {str(p["user_id"]) for p in roster} | {f"{p['canvas_id']:040x}" for p in roster}
    names = {str(p["name"]) for p in roster if p["name"]}
    return ids, names


def test_the_log_has_request_lines_and_nothing_secret_or_about_students(
        tmp_path: Path, sandbox: SandboxProcess, keys: KeyFiles,
        secret_store: SecretStore) -> None:
    data = tmp_path / "data"
    results = _session(Gradedesk(data), sandbox, keys, tmp_path)
    folder = log_dir(data)
    assert folder == data / "logs"  # --data-dir keeps the log with the database
    files = sorted(path for path in folder.iterdir() if path.is_file())
    assert files, "no log file was written"
    logged = "\n".join(path.read_text(encoding="utf-8") for path in files)

    requests = [match for line in logged.splitlines()
                if (match := REQUEST_LINE.search(line)) is not None]
    seen = {(method, url.split("//", 1)[1].split("/", 1)[1]) for method, url, _, _ in
            (m.groups() for m in requests)}
    # The token request, the AGS and Names and Roles calls, and the LTIAAS ones all logged.
    assert ("POST", "login/oauth2/token") in seen, seen
    assert any(m == "GET" and p.endswith("/line_items") for m, p in seen), seen
    assert any(m == "GET" and p.endswith("/results") for m, p in seen), seen
    assert any(m == "GET" and p.endswith("/names_and_roles") for m, p in seen), seen
    assert any(m == "POST" and p.endswith("/scores") and not p.startswith("ltiaas")
               for m, p in seen), seen
    assert any(m == "POST" and p.startswith("ltiaas/api/lineitems/") and p.endswith("/scores")
               for m, p in seen), seen
    assert any(m == "GET" and p == "ltiaas/api/memberships" for m, p in seen), seen
    assert all(status.isdigit() and int(ms) >= 0 for _, _, status, ms in
               (m.groups() for m in requests))
    assert not any("?" in url or "#" in url for _, url, _, _ in (m.groups() for m in requests))
    assert " DEBUG " in logged  # the --verbose runs logged at debug level too

    # No secret.
    tokens = _kept_tokens(secret_store)
    assert tokens and all(token.startswith("eyJ") for token in tokens)  # the check is real
    for token in tokens:
        assert token not in logged
    assert "Bearer" not in logged and "eyJ" not in logged
    assert "PRIVATE KEY" not in logged and "client_assertion" not in logged
    pem_lines = [line for line in keys.private.read_text().splitlines()
                 if line and not line.startswith("-----")]
    assert pem_lines and not any(line in logged for line in pem_lines)
    for value in (sandbox.info["ltiaas_api_key"], sandbox.info["ltiaas_service_key"]):
        assert value not in logged
    # Nothing about students: no id the roster holds, no name, no comment, no query string.
    ids, names = _students(sandbox)
    assert len(ids) > 20 and len(names) > 10
    assert not [found for found in ids | names if found in logged]
    for comment in COMMENTS.values():
        assert comment not in logged and comment.split(",")[0] not in logged
    assert "user_id=" not in logged and "userId=" not in logged

    # What the commands printed on stderr (debug lines with --verbose) holds no secret either.
    stderr = "\n".join(result.err for result in results)
    assert "GET " in stderr  # --verbose showed request lines there
    assert "Bearer" not in stderr and "eyJ" not in stderr
    assert not any(token in stderr for token in tokens)
