"""Fixtures for the CLI tests: a tool key pair made at run time and a sandbox that knows it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_support import KeyFiles, SandboxProcess, make_key_files


@pytest.fixture
def keys(tmp_path: Path) -> KeyFiles:
    return make_key_files(tmp_path / "keys")


@pytest.fixture
def sandbox(keys: KeyFiles) -> Iterator[SandboxProcess]:
    running = SandboxProcess(keys.public)
    yield running
    running.stop()
