"""Issue 12, item 5: commands that only read or write the local database start light. They
load neither the HTTP stack, nor the keyring, nor Qt; nor the window's entry points (the
``gui`` subcommand's flags come without them), the rotating log file's handler, the CSV code,
the push summaries or the engine; and ``show`` counts each line item in the store instead of
building the whole gradebook (no ``store.grid``). Network commands still log to the data
folder's log file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gradedesk.domain import LEARNER_ROLE, LineItem, Member, Result
from gradedesk.store import connections, open_database, snapshots

HEAVY = ("httpx", "keyring", "PySide6", "jwt", "cryptography")
# Modules a quick local command has no use for (each is a few milliseconds of every start).
NOT_NEEDED = ("gradedesk.ui.app", "logging.handlers", "gradedesk.sync.gradebook_io",
              "gradedesk.domain.gradebook_csv", "gradedesk.sync.engine", "gradedesk.bootstrap",
              "tempfile")
PROBE = """
import json, logging, sys
from gradedesk.cli import main
code = main(sys.argv[1:])
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(HEAVY))
needless = sorted(name for name in NOT_NEEDED if name in sys.modules)
log_files = [handler.baseFilename for handler in logging.getLogger().handlers
             if hasattr(handler, "baseFilename")]
print(json.dumps({"code": code, "heavy": heavy, "needless": needless, "log_files": log_files,
                  "grid": "gradedesk.store.grid" in sys.modules}), file=sys.stderr)
"""
LOCAL = [("status",), ("connection", "list"), ("status", "--json"), ("history", "course"),
         ("show", "course"), ("show", "course", "--line-item", "1", "--json"),
         ("grade", "course", "--line-item", "1", "--user", "u1", "--score", "1"),
         ("conflicts", "course")]


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A data folder with a pulled course: 2 line items, 3 students, a few results."""
    data = tmp_path / "data"
    db = open_database(data)
    try:
        row = connections.add_connection(db, "course", "lti", {"issuer": "https://canvas.test"})
        base = "https://canvas.test/api/lti/courses/1/line_items"
        items = [LineItem(id=f"{base}/{n}", label=f"Lab {n}", score_maximum=10.0)
                 for n in (1, 2)]
        snapshots.upsert_line_items(db, row.id, items)
        snapshots.upsert_members(db, row.id, [
            Member(user_id=f"u{n}", roles=(LEARNER_ROLE,), name=f"Student {n}")
            for n in (1, 2, 3)])
        snapshots.upsert_results(db, row.id, items[0].id, [
            Result(user_id="u2", result_score=7.0, result_maximum=10.0)])
    finally:
        db.close()
    return data


def _loaded(data_dir: Path, *args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\nNOT_NEEDED = {NOT_NEEDED!r}\n{PROBE}",
         "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, timeout=60, check=False)
    found: dict[str, object] = json.loads(done.stderr.strip().splitlines()[-1])
    return found


@pytest.mark.parametrize("command", LOCAL)
def test_local_commands_load_no_network_keyring_or_qt(course: Path,
                                                      command: tuple[str, ...]) -> None:
    loaded = _loaded(course, *command)
    assert loaded["code"] == 0 and loaded["heavy"] == [], loaded


@pytest.mark.parametrize("command", LOCAL)
def test_local_commands_load_only_what_they_use(course: Path,
                                                command: tuple[str, ...]) -> None:
    loaded = _loaded(course, *command)
    assert loaded["code"] == 0 and loaded["needless"] == [], loaded
    assert loaded["log_files"] == [], loaded  # nothing to keep: no log file is set up


def test_show_counts_line_items_without_building_the_gradebook(course: Path) -> None:
    loaded = _loaded(course, "show", "course")
    assert loaded["code"] == 0 and loaded["grid"] is False, loaded


def test_the_probe_sees_what_a_network_command_loads(tmp_path: Path) -> None:
    """The same probe on `pull` (which needs the HTTP stack) finds it, and the log file is
    set up for it as before: the checks above can fail."""
    loaded = _loaded(tmp_path / "data", "pull", "nobody")
    assert "httpx" in loaded["heavy"], loaded  # type: ignore[operator]
    assert "gradedesk.bootstrap" in loaded["needless"], loaded  # type: ignore[operator]
    assert loaded["log_files"] == [str(tmp_path / "data" / "logs" / "gradedesk.log")], loaded
