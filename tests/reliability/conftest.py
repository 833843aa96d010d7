"""Fixtures for the reliability trials: a tool key pair made at run time and the sandbox in its
own process (so it can be stopped, restarted and killed like a real platform)."""

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
