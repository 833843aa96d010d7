"""Issue 10, finding 8: the smaller holes, each with its test."""

from __future__ import annotations

import json
import logging
import sqlite3
import stat
from pathlib import Path

import pytest
from store_support import opened

from gradedesk.logs import configure_logging
from gradedesk.platforms.http import is_loopback_host
from gradedesk.store import StoreKnownError
from gradedesk.store.connections import add_connection, list_connections
from gradedesk.store.db import DB_FILENAME, Database


def test_a_foreign_sqlite_file_is_refused_not_extended(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    with sqlite3.connect(data / DB_FILENAME) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
    (data / DB_FILENAME).chmod(0o600)
    with pytest.raises(StoreKnownError, match="not a GradeDesk database"), opened(data):
        pass
    with sqlite3.connect(data / DB_FILENAME) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert tables == {"recipes"}


def test_a_tampered_settings_row_is_a_clear_error(db: Database, data_dir: Path) -> None:
    add_connection(db, "Canvas", "lti", {"issuer": "https://c.edu"})
    with sqlite3.connect(data_dir / DB_FILENAME) as conn:
        conn.execute("UPDATE connections SET settings_json = ?", (json.dumps([1, 2]),))
    with pytest.raises(StoreKnownError, match="damaged"):
        list_connections(db)


def test_localhost_with_the_root_dot_is_not_loopback() -> None:
    assert is_loopback_host("localhost") and is_loopback_host("127.0.0.1")
    assert not is_loopback_host("localhost.")


def test_httpx_does_not_log_full_urls_and_logs_rotate_privately(tmp_path: Path) -> None:
    configure_logging(tmp_path / "logs")
    try:
        assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
        handler = next(h for h in logging.getLogger().handlers
                       if isinstance(h, logging.handlers.RotatingFileHandler))
        assert handler.maxBytes > 0 and handler.backupCount > 0
        handler.doRollover()
        for path in (tmp_path / "logs").iterdir():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    finally:
        configure_logging(None)
