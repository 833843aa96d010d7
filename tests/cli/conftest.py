"""Fixtures for the CLI tests: a tool key pair made at run time, a sandbox that knows it, and
``gd``: a data folder connected to that sandbox as "canvas" and pulled. A test module that
wants a tool with no connection yet defines its own ``gd``, which takes precedence."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_support import Gradedesk, KeyFiles, SandboxProcess, add_connection_args, make_key_files


@pytest.fixture
def keys(tmp_path: Path) -> KeyFiles:
    return make_key_files(tmp_path / "keys")


@pytest.fixture
def sandbox(keys: KeyFiles) -> Iterator[SandboxProcess]:
    running = SandboxProcess(keys.public)
    yield running
    running.stop()


@pytest.fixture
def gd(tmp_path: Path, sandbox: SandboxProcess, keys: KeyFiles) -> Gradedesk:
    tool = Gradedesk(tmp_path / "data")
    tool.ok(*add_connection_args("canvas", sandbox.info, keys.private))
    tool.ok("pull", "canvas")
    return tool
