"""The engine against the sandbox over loopback and a real SQLite file, in this process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sync_support import Rig, client_for

from gradedesk.platforms.keys import generate_private_key_pem, load_private_key, public_pem
from gradedesk.sandbox import SandboxConfig, start_sandbox
from gradedesk.sandbox.server import RunningSandbox
from gradedesk.store import Database, connections, open_database


@pytest.fixture(scope="session")
def tool_pem() -> bytes:
    return generate_private_key_pem()


@pytest.fixture
def sandbox(tool_pem: bytes) -> Iterator[RunningSandbox]:
    running = start_sandbox(SandboxConfig(
        port=0, seed=1, tool_public_keys=[public_pem(load_private_key(tool_pem))]))
    running.settings(progress_step_s=0.05)
    yield running
    running.stop()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "data")
    yield database
    database.close()


@pytest.fixture
def rig(db: Database, sandbox: RunningSandbox, tool_pem: bytes) -> Iterator[Rig]:
    row = connections.add_connection(db, "sandbox", "lti", {"issuer": sandbox.info["issuer"]})
    with client_for(sandbox.info, tool_pem) as client:
        setup = Rig(db, sandbox, row, client)
        setup.engine.pull()
        setup.events.clear()
        yield setup


