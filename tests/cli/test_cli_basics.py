"""The `gradedesk` command as the README shows it."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from gradedesk import __version__
from gradedesk.cli import main
from gradedesk.cli.tour import run_tour


def test_version() -> None:
    completed = subprocess.run([sys.executable, "-m", "gradedesk", "--version"],
                               capture_output=True, text=True, check=True, timeout=60)
    assert completed.stdout.strip() == f"gradedesk {__version__}"


def test_the_tour_pulls_the_sandbox_course_through_the_client() -> None:
    out = io.StringIO()
    assert run_tour(seed=1, out=out) == 0
    text = out.getvalue()
    assert "Biology 101" in text and "6 line items:" in text
    assert "Lab 1: Microscopy" in text and "graded" in text


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["frobnicate"])
    assert exited.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
