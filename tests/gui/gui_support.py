"""Helpers for the window tests: a sandbox course that can go offline and come back on the
same port with the same key, and small ways to reach into the sandbox's admin hooks."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from gradedesk.bootstrap import add_lti_connection, engine_for
from gradedesk.platforms.keys import generate_private_key_pem, load_private_key, public_pem
from gradedesk.sandbox import RunningSandbox, SandboxConfig, start_sandbox
from gradedesk.store import ConnectionRow
from gradedesk.ui.context import AppContext

CONNECTION = "Sandbox course"


@dataclass
class SandboxCourse:
    """A sandbox course this test started, connected and pulled."""

    context: AppContext
    students: int = 12
    line_items: int = 4
    seed: int = 3
    latency_ms: int = 0
    pem: bytes = field(default_factory=generate_private_key_pem)
    sandbox: RunningSandbox | None = None
    connection: ConnectionRow | None = None
    port: int = 0

    def start(self) -> SandboxCourse:
        key = public_pem(load_private_key(self.pem))
        self.sandbox = start_sandbox(SandboxConfig(
            port=self.port, seed=self.seed, students=self.students, line_items=self.line_items,
            latency_ms=self.latency_ms, tool_public_keys=[key], throttle=False))
        self.port = int(self.sandbox.base_url.rsplit(":", 1)[1])
        if self.connection is None:
            info = self.sandbox.info
            self.connection = add_lti_connection(
                self.context.db, self.context.secrets, CONNECTION,
                {key: info[key] for key in ("issuer", "client_id", "deployment_id",
                                            "token_url", "lineitems_url", "nrps_url")},
                private_key_pem=self.pem, sandbox=True).row
        return self

    def pull(self) -> None:
        with engine_for(self.context.db, self.context.secrets, CONNECTION) as engine:
            engine.pull()

    def stop(self) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None

    def restart(self) -> None:
        """Come back online: the same seeded course on the same port, trusting the same key.
        (The sandbox keeps its course in memory, so graded results start from the seed.)"""
        self.stop()
        self.start()

    @property
    def info(self) -> dict[str, Any]:
        assert self.sandbox is not None
        return self.sandbox.info

    def change_result(self, line_item_url: str, user_id: str, *, score: float | None = None,
                      comment: str | None = None) -> dict[str, Any]:
        """A teacher grades in Canvas behind the app's back (POST /sandbox/admin/results)."""
        body: dict[str, Any] = {"line_item_id": line_item_url, "user_id": user_id}
        if score is not None:
            body["score_given"] = score
        if comment is not None:
            body["comment"] = comment
        return _post(f"{self.info['admin_url']}/results", body)

    def ledger(self) -> list[dict[str, Any]]:
        with urllib.request.urlopen(self.info["ledger_url"], timeout=10) as reply:  # noqa: S310
            result: list[dict[str, Any]] = json.loads(reply.read())
        return result

    def settings(self, **knobs: Any) -> dict[str, Any]:
        assert self.sandbox is not None
        return self.sandbox.settings(**knobs)


def _post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 - the test's own loopback sandbox
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as reply:  # noqa: S310
        result: dict[str, Any] = json.loads(reply.read())
    return result


def seed_big_gradebook(context: AppContext, *, students: int = 2000, line_items: int = 60,
                       name: str = "Big course") -> ConnectionRow:
    """A connection with ``students`` x ``line_items`` server copies, written straight into the
    store (pulling that much through the throttled sandbox takes minutes)."""
    from gradedesk.domain import LEARNER_ROLE, LineItem, Member, Result
    from gradedesk.store import snapshots
    from gradedesk.store.connections import add_connection

    base = "https://canvas.test/api/lti/courses/1"
    row = add_connection(context.db, name, "lti", {"issuer": "https://canvas.test"})
    items = [LineItem(id=f"{base}/line_items/{n}", label=f"Assignment {n:02d}",
                      score_maximum=float(10 + n % 5 * 10)) for n in range(1, line_items + 1)]
    snapshots.upsert_line_items(context.db, row.id, items)
    members = [Member(user_id=f"user-{i:05d}", roles=(LEARNER_ROLE,),
                      name=f"Student {i:05d}", given_name=f"Given{i:05d}",
                      family_name=f"Family{i % 997:03d}") for i in range(students)]
    snapshots.upsert_members(context.db, row.id, members)
    for n, item in enumerate(items):
        results = [Result(user_id=member.user_id, result_score=float((i * 7 + n) % 11),
                          result_maximum=item.score_maximum)
                   for i, member in enumerate(members) if (i + n) % 4]
        snapshots.upsert_results(context.db, row.id, item.id, results)
    return row


def type_into_cell(qtbot: Any, table: Any, index: Any, text: str, *,
                   finish: Any = None) -> Any:
    """Type into a cell as a grader does: the first key opens the editor, the rest go to it,
    then ``finish`` (a Qt key; Enter by default, None to leave the editor open). Returns the
    editor."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QLineEdit

    table.setFocus()
    table.setCurrentIndex(index)
    qtbot.keyClick(table, text[0])
    editor = QApplication.focusWidget()
    if not isinstance(editor, QLineEdit):
        found = table.viewport().findChildren(QLineEdit)
        assert found, "typing did not open an editor"
        editor = found[0]
    if len(text) > 1:
        qtbot.keyClicks(editor, text[1:])
    key = Qt.Key.Key_Return if finish is None else finish
    if key is not False:
        qtbot.keyClick(editor, key)
    return editor


def start_platform(*, profile: str = "canvas", students: int = 6,
                   line_items: int = 2) -> RunningSandbox:
    """A sandbox that trusts no key of GradeDesk's yet: the connection's own key must reach it
    the way an administrator does it (``paste_developer_key``)."""
    stranger = public_pem(load_private_key(generate_private_key_pem()))
    return start_sandbox(SandboxConfig(port=0, seed=5, students=students, line_items=line_items,
                                       throttle=False, tool_public_keys=[stranger],
                                       profile=profile))


def paste_developer_key(info: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """The administrator pastes the developer key JSON into Canvas (Developer Keys)."""
    return _post(f"{info['admin_url']}/developer_keys", config)


def platform_line_items(info: dict[str, Any]) -> list[dict[str, Any]]:
    """The columns the platform holds now (deleted ones left out)."""
    with urllib.request.urlopen(f"{info['admin_url']}/line_items",  # noqa: S310
                                timeout=10) as reply:
        found: list[dict[str, Any]] = json.loads(reply.read())
    return [item for item in found if not item["deleted"]]


def save_shot(widget: Any, name: str, fallback_dir: Any) -> Any:
    """Render a widget offscreen to ``name`` (a PNG) in $GRADEDESK_SHOTS_DIR, else in
    ``fallback_dir``, the way ``gradedesk gui --screenshot`` does (``grab``); returns the
    path. Set the variable to look at the pictures after a run."""
    import os
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

    folder = Path(os.environ.get("GRADEDESK_SHOTS_DIR") or fallback_dir)
    folder.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    path = folder / name
    assert widget.grab().save(str(path), "PNG"), path
    return path


def show_in_detail(qtbot: Any, window: Any, row: int, column: int) -> Any:
    """Make a line-item cell current and wait until the detail panel shows it (a load that
    was already on its way for another cell does not count). Returns the cell's key."""
    model = window.line_model
    key = model.row_at(row).key
    window.line_table.setCurrentIndex(model.index(row, column))
    qtbot.waitUntil(lambda: window.detail.detail is not None
                    and window.detail.detail.key == key
                    and window.detail.detail.grade.state is model.row_at(row).state,
                    timeout=20_000)
    return key
