"""Issue 11, item 12 (the window's half): closing and reopening GradeDesk on the sample course
keeps the course, its grades and the drafts: the window resumes the course kept in the data
folder quietly, in the background. "Reset sample course" starts over on purpose, after asking.
A sandbox that something else serves already (a test's course) is left alone."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from gui_support import SandboxCourse
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from conftest import LOAD_TIMEOUT_MS, WindowFactory
from gradedesk import bootstrap
from gradedesk.store import ConnectionRow, SyncState, drafts, snapshots
from gradedesk.store.drafts import DraftEdit
from gradedesk.sync.engine import save_grade
from gradedesk.ui.context import AppContext
from gradedesk.ui.views.main_window import MainWindow

SYNC_MS = 60_000
COURSE = {"students": 6, "line_items": 2}


class Closed:
    """The sample course as the previous session left it: one grade sent, one draft not."""

    def __init__(self, context: AppContext) -> None:
        sandbox, self.row = bootstrap.start_sandbox_connection(context.db, context.secrets,
                                                               **COURSE)
        try:
            with bootstrap.engine_for(context.db, context.secrets, self.row.name) as engine:
                engine.pull()
                self.item = snapshots.list_line_items(context.db, self.row.id)[0]
                self.learners = [m.user_id for m in snapshots.list_members(
                    context.db, self.row.id, learners_only=True)]
                save_grade(context.db, self.row, self.item.url, self.learners[0],
                           DraftEdit(score_given=4, comment="Sent before closing."))
                assert engine.push().clean
                save_grade(context.db, self.row, self.item.url, self.learners[1],
                           DraftEdit(score_given=5, comment="Left for tomorrow."))
        finally:
            sandbox.stop()  # GradeDesk closed: the course is saved in the data folder


@pytest.fixture
def closed(context: AppContext) -> Iterator[Closed]:
    yield Closed(context)


def _open(make_window: WindowFactory, qtbot: QtBot) -> MainWindow:
    window = make_window()
    window.show()
    with qtbot.waitSignal(window.view_ready, timeout=LOAD_TIMEOUT_MS):
        window.start()
    return window


def _connection(context: AppContext) -> ConnectionRow:
    from gradedesk.store import connections

    row = connections.get_connection(context.db, bootstrap.SANDBOX_CONNECTION)
    assert row is not None
    return row


def test_reopening_resumes_the_sample_course_with_its_grades_and_drafts(
        closed: Closed, context: AppContext, make_window: WindowFactory, qtbot: QtBot) -> None:
    assert context.sandbox_of(bootstrap.SANDBOX_CONNECTION) is None  # nothing runs it
    window = _open(make_window, qtbot)
    qtbot.waitUntil(lambda: context.sandbox_of(bootstrap.SANDBOX_CONNECTION) is not None
                    and not window.presenter.busy, timeout=SYNC_MS)
    assert window.online_indicator.text().endswith("Online")
    assert _connection(context) == closed.row  # the same connection, not a new one
    assert drafts.get_draft(context.db, closed.row.id, closed.item.url,
                            closed.learners[1]) is not None
    assert "Sample course resumed" in window.activity.texts()[0]
    model = window.line_model
    qtbot.waitUntil(lambda: model.line_item is not None, timeout=LOAD_TIMEOUT_MS)
    if model.line_item is not None and model.line_item.url == closed.item.url:
        states = {model.row_at(r).user_id: model.row_at(r).state
                  for r in range(model.rowCount())}
        assert states[closed.learners[1]] is SyncState.QUEUED
    # The kept draft goes with the next push, to the same course on the same port.
    with qtbot.waitSignal(window.presenter.sync_finished, timeout=SYNC_MS) as finished:
        window.window_actions.push.trigger()
    assert len(finished.args[1].confirmed) == 1 and finished.args[1].clean
    sandbox = context.sandbox_of(bootstrap.SANDBOX_CONNECTION)
    assert sandbox is not None
    ledger = sandbox.state.course.ledger  # type: ignore[attr-defined]
    assert [entry["user_id"] for entry in ledger] == closed.learners[:2]


def test_reset_sample_course_asks_then_starts_over(
        closed: Closed, context: AppContext, make_window: WindowFactory, qtbot: QtBot) -> None:
    window = _open(make_window, qtbot)
    qtbot.waitUntil(lambda: context.sandbox_of(bootstrap.SANDBOX_CONNECTION) is not None
                    and not window.presenter.busy, timeout=SYNC_MS)
    actions = window.window_actions
    assert actions.reset_sandbox.isVisible() and not actions.try_sandbox.isVisible()
    actions.reset_sandbox.trigger()
    question = window.dialogs.sandbox_question
    assert question is not None and question.isVisible()
    default = question.defaultButton()
    assert default is question.button(QMessageBox.StandardButton.Cancel)  # Enter keeps it
    assert not window.presenter.busy  # nothing starts before the answer
    with qtbot.waitSignal(window.presenter.sync_finished, timeout=SYNC_MS) as finished:
        question.button(QMessageBox.StandardButton.Yes).click()
    assert finished.args[0] == "sandbox"
    fresh = _connection(context)
    assert fresh.created_at > closed.row.created_at  # a new connection, to a new course
    assert drafts.list_drafts(context.db, fresh.id) == []
    # The old course's sandbox stopped before the new one started: its last save did not
    # land on top of the new course (whose ledger is empty).
    kept = bootstrap.sandbox_state_dir(context.db) / "course.json"
    assert not kept.exists() or json.loads(kept.read_text(encoding="utf-8"))["ledger"] == []


def test_a_sandbox_served_already_is_left_alone(window: MainWindow, course: SandboxCourse,
                                                context: AppContext, qtbot: QtBot) -> None:
    # The fixture's course runs in this test, not in the window's context: no second one.
    qtbot.waitUntil(lambda: not window.presenter.store_lane.busy, timeout=SYNC_MS)
    assert not window.presenter.busy
    assert context.sandbox_of(bootstrap.SANDBOX_CONNECTION) is None
    assert window.window_actions.reset_sandbox.isVisible()
