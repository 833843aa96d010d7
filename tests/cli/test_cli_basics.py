"""The `gradedesk` command as the README shows it."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
from pathlib import Path

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


def test_without_a_display_gradedesk_shows_the_text_tour(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items()
           if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
    completed = subprocess.run([sys.executable, "-m", "gradedesk", "--data-dir",
                                str(tmp_path / "data")], capture_output=True, text=True,
                               env=env, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr
    assert "No display found" in completed.stderr
    assert "6 line items:" in completed.stdout


@pytest.mark.usefixtures("secret_store")
def test_gui_screenshot_on_the_sandbox_from_the_command_line(tmp_path: Path) -> None:
    picture = tmp_path / "out.png"
    env = {key: value for key, value in os.environ.items()
           if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
    completed = subprocess.run(
        [sys.executable, "-m", "gradedesk", "--data-dir", str(tmp_path / "data"), "gui",
         "--screenshot", str(picture), "--sandbox", "--size", "1280x800"],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", picture.read_bytes()[16:24])
    assert (width, height) == (1280, 800)
