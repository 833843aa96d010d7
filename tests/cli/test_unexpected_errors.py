"""Issue 13: a GradeDesk bug in a command is one plain line on stderr naming the log file, a
distinct exit status (70) and the redacted traceback in the log; ``--verbose`` (before or
after the command's name) shows the traceback on stderr too and logs even local commands.

The bug is a real one, in a real process: a member row whose roles are valid JSON but not a
list (a database changed behind GradeDesk's back) breaks ``show --line-item``.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from gradedesk.cli import build_parser
from gradedesk.cli.crash import EXIT_BUG
from gradedesk.domain import LEARNER_ROLE, LineItem, Member
from gradedesk.paths import log_dir
from gradedesk.store import connections, open_database, snapshots
from gradedesk.store.db import DB_FILENAME

BASE = "https://canvas.test/api/lti/courses/1/line_items"
LINE = "gradedesk: unexpected error (TypeError); nothing saved was lost. Details: {}"


def _gradedesk(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gradedesk", "--data-dir", str(data), *args],
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A course with one line item and two students, pulled earlier."""
    folder = tmp_path / "data"
    db = open_database(folder)
    try:
        row = connections.add_connection(db, "course", "lti", {"issuer": "https://canvas.test"})
        snapshots.upsert_line_items(db, row.id, [
            LineItem(id=f"{BASE}/1", label="Lab 1", score_maximum=10.0)])
        snapshots.upsert_members(db, row.id, [
            Member(user_id=f"u{n}", roles=(LEARNER_ROLE,), name=f"Student {n}")
            for n in (1, 2)])
    finally:
        db.close()
    return folder


def _damage_roles(data: Path) -> None:
    with sqlite3.connect(data / DB_FILENAME) as db:
        db.execute("UPDATE members SET roles_json = '5'")
    db.close()


def test_a_bug_is_one_line_naming_the_log_and_the_traceback_is_logged(data: Path) -> None:
    assert _gradedesk(data, "show", "course", "--line-item", "1").returncode == 0
    _damage_roles(data)
    broken = _gradedesk(data, "show", "course", "--line-item", "1")
    log_file = log_dir(data) / "gradedesk.log"
    assert broken.returncode == EXIT_BUG == 70
    assert broken.stderr.splitlines() == [LINE.format(log_file)]
    logged = log_file.read_text(encoding="utf-8")
    assert "ERROR gradedesk.crash: Unexpected error (TypeError) in `gradedesk show`" in logged
    assert "Traceback (most recent call last)" in logged
    assert "TypeError: 'int' object is not iterable" in logged
    # What was saved is still there: the other commands go on working.
    assert _gradedesk(data, "show", "course").returncode == 0


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_shows_the_traceback_on_stderr_too(data: Path, where: str) -> None:
    _damage_roles(data)
    command = ["show", "course", "--line-item", "1"]
    broken = _gradedesk(data, *(["--verbose", *command] if where == "before"
                                else [*command, "--verbose"]))
    assert broken.returncode == EXIT_BUG
    assert "Traceback (most recent call last)" in broken.stderr
    assert broken.stderr.rstrip().splitlines()[-1] == LINE.format(log_dir(data) / "gradedesk.log")


def test_a_bug_with_no_log_to_write_prints_the_traceback(data: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    log_dir(data).symlink_to(elsewhere)  # refused: GradeDesk writes no log through a link
    _damage_roles(data)
    broken = _gradedesk(data, "show", "course", "--line-item", "1")
    assert broken.returncode == EXIT_BUG
    assert "Traceback (most recent call last)" in broken.stderr
    assert broken.stderr.rstrip().splitlines()[-1] == (
        "gradedesk: unexpected error (TypeError); nothing saved was lost. The log file could "
        "not be written; the details are above.")
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("argv", [["--verbose", "status"], ["status", "--verbose"],
                                  ["--data-dir", "d", "--verbose", "pull", "x"],
                                  ["pull", "x", "--verbose", "--data-dir", "d"]])
def test_verbose_is_taken_before_and_after_the_command(argv: list[str]) -> None:
    assert build_parser(argv).parse_args(argv).verbose is True
    plain = [word for word in argv if word != "--verbose"]
    assert build_parser(plain).parse_args(plain).verbose is False


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_gives_a_local_command_a_log_file(data: Path, where: str) -> None:
    log_file = log_dir(data) / "gradedesk.log"
    assert _gradedesk(data, "status").returncode == 0
    assert not log_file.exists()  # a local command keeps no log file
    done = _gradedesk(data, *(["--verbose", "status"] if where == "before"
                              else ["status", "--verbose"]))
    assert done.returncode == 0, done.stderr
    assert log_file.exists()
