"""The layer contracts in pyproject.toml hold (import-linter), as part of every test run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept() -> None:
    # A subprocess, so that modules this test run already imported cannot hide a violation.
    linter = Path(sys.executable).with_name("lint-imports")
    completed = subprocess.run(
        [str(linter), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=ROOT, capture_output=True, text=True, timeout=110, check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "broken" not in completed.stdout.lower().replace("0 broken", "")
