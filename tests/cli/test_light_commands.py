"""Issue 12, item 5 (a first step): commands that only read or write the local database load
neither the HTTP stack, nor the keyring, nor Qt, so they start in a fraction of the time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("httpx", "keyring", "PySide6", "jwt", "cryptography")
PROBE = """
import json, sys
from gradedesk.cli import main
code = main(sys.argv[1:])
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(HEAVY))
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


def _loaded(data_dir: Path, *args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{PROBE}", "--data-dir",
         str(data_dir), *args], capture_output=True, text=True, timeout=60, check=False)
    found: dict[str, object] = json.loads(done.stderr.strip().splitlines()[-1])
    return found


@pytest.mark.parametrize("command", [
    ("status",), ("connection", "list"), ("status", "--json"), ("history", "nobody"),
    ("show", "nobody"), ("grade", "nobody", "--line-item", "1", "--user", "u", "--score", "1")])
def test_local_commands_load_no_network_keyring_or_qt(tmp_path: Path,
                                                      command: tuple[str, ...]) -> None:
    loaded = _loaded(tmp_path / "data", *command)
    assert loaded["heavy"] == [], loaded


def test_the_probe_sees_what_a_network_command_loads(tmp_path: Path) -> None:
    """The same probe on `pull` (which needs the HTTP stack) finds it: the check can fail."""
    loaded = _loaded(tmp_path / "data", "pull", "nobody")
    assert "httpx" in loaded["heavy"], loaded  # type: ignore[operator]
