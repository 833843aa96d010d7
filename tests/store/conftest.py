"""Fixtures for the store: a real database file in tmp_path, always closed after the test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from store_support import opened

from gradedesk.store.connections import add_connection
from gradedesk.store.db import Database


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def db(data_dir: Path) -> Iterator[Database]:
    with opened(data_dir) as database:
        yield database


@pytest.fixture
def connection_id(db: Database) -> int:
    return add_connection(db, "Canvas", "lti", {"issuer": "https://canvas.test"}).id
