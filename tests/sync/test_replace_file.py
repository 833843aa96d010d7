"""Files a grader asks for are replaced whole or not at all, with the access rights a grader
expects: an existing file keeps its own, a new private one (it names students) is readable by
its owner alone, any other new one follows the umask; a failing write leaves the old file."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TextIO

import pytest

from gradedesk.domain import InputError
from gradedesk.sync.files import replace_file


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_files_get_the_rights_asked_for(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        assert replace_file(tmp_path / "split.json", lambda out: out.write("{}"),
                            private=True) == 2
        replace_file(tmp_path / "rubric.json", lambda out: out.write("{}"))
    finally:
        os.umask(old)
    assert _mode(tmp_path / "split.json") == 0o600
    assert _mode(tmp_path / "rubric.json") == 0o640
    assert (tmp_path / "rubric.json").read_text(encoding="utf-8") == "{}"


def test_a_replaced_file_keeps_its_rights(tmp_path: Path) -> None:
    target = tmp_path / "grades.csv"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    replace_file(target, lambda out: out.write("new"), private=True)
    assert target.read_text(encoding="utf-8") == "new" and _mode(target) == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_leftovers(tmp_path: Path) -> None:
    target = tmp_path / "grades.csv"
    target.write_text("old", encoding="utf-8")

    def half_then_fail(out: TextIO) -> None:
        out.write("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(InputError, match="No space left on device"):
        replace_file(target, half_then_fail)
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grades.csv"]
    with pytest.raises(InputError, match="Cannot write"):
        replace_file(tmp_path / "no-such-folder" / "x.json", lambda out: out.write("{}"))
