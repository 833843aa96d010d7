"""On Windows, stat gives no owner uid and no POSIX mode bits (a file reads 0o666, a folder
0o777) and chmod cannot take group or world access away: the owner and mode checks are
POSIX's. Windows cannot run here, so its stat is imitated (the one corner case a mock is for):
the store must open, and the push lock work, where every mode looks loose."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from store_support import opened

from gradedesk.store import db as store_db
from gradedesk.store.connections import add_connection
from gradedesk.store.errors import StoreKnownError
from gradedesk.store.locks import push_lock


def test_posix_refuses_a_folder_it_cannot_make_private(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    monkeypatch.setattr(store_db.os, "chmod", lambda *args, **kwargs: None)  # as on Windows
    with pytest.raises(StoreKnownError, match="cannot be made private"), opened(folder):
        pass


def test_without_posix_modes_the_store_opens_and_pushes_are_still_one_at_a_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    monkeypatch.setattr(store_db, "POSIX", False)
    monkeypatch.setattr(store_db.os, "chmod", lambda *args, **kwargs: None)
    with opened(folder) as db:
        connection = add_connection(db, "Canvas", "lti", {"issuer": "https://canvas.test"})
        with push_lock(db, connection.id, "Canvas"):
            pass
    assert os.stat(folder).st_mode & 0o777 == 0o755  # left as the system keeps it
