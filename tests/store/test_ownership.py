"""Issue 10, findings 4 and 8: a data folder, database or log that is a symbolic link or
another user's is refused (never chmod-ed through a link); loose log modes are tightened."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from store_support import opened

from gradedesk.domain import GradeDeskError
from gradedesk.logs import configure_logging
from gradedesk.store import StoreKnownError
from gradedesk.store.db import DB_FILENAME


def test_a_symlinked_database_is_refused_and_its_target_left_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    target = tmp_path / "elsewhere.sqlite3"
    target.write_bytes(b"")
    target.chmod(0o644)
    (data / DB_FILENAME).symlink_to(target)
    with pytest.raises(StoreKnownError, match="symbolic link"), opened(data):
        pass
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_symlinked_data_folder_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    (tmp_path / "data").symlink_to(real, target_is_directory=True)
    with pytest.raises(StoreKnownError, match="symbolic link"), opened(tmp_path / "data"):
        pass


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user "
                                              "(CI runs as root)")
def test_another_users_database_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with opened(data):
        pass
    os.chown(data / DB_FILENAME, 65534, 65534)
    with pytest.raises(StoreKnownError, match="another user"), opened(data):
        pass


def test_logs_refuse_links_and_tighten_loose_modes(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir(mode=0o755)
    (logs / "gradedesk.log").write_text("old\n")
    (logs / "gradedesk.log").chmod(0o644)
    logs.chmod(0o755)
    configure_logging(logs)
    assert stat.S_IMODE(logs.stat().st_mode) == 0o700
    assert stat.S_IMODE((logs / "gradedesk.log").stat().st_mode) == 0o600
    linked = tmp_path / "linked-logs"
    linked.symlink_to(logs, target_is_directory=True)
    with pytest.raises(GradeDeskError, match="symbolic link"):
        configure_logging(linked)
    configure_logging(None)
