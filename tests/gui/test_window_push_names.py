"""Issue 11, item 7: a push's summary in the window names students (sort name) and line items
(label), not user ids and line item URLs: in the activity list, kept after the status bar
moved on. A student no roster names keeps their id."""

from __future__ import annotations

from pathlib import Path

from gui_support import save_shot, type_into_cell
from pytestqt.qtbot import QtBot

from gradedesk.store import drafts, snapshots
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.views.main_window import MainWindow

SYNC_MS = 60_000
SAVE_MS = 10_000


def _grade(window: MainWindow, qtbot: QtBot, row: int, score: str) -> None:
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        type_into_cell(qtbot, window.line_table, window.line_model.index(row, Column.SCORE),
                       score)


def test_the_activity_list_names_who_a_push_confirmed_and_refused(
        window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    model = window.line_model
    item = model.line_item
    assert item is not None
    test_student = next(r for r in range(model.rowCount())
                        if model.row_at(r).student.name == "Student, Test")
    graded = [r for r in range(model.rowCount()) if r != test_student][:2]
    for row in graded:
        _grade(window, qtbot, row, "6.5")
    _grade(window, qtbot, test_student, "5.5")  # Canvas refuses its Test Student
    # A user id the roster does not list (typed by a grader): no name to give but its id.
    connection = window.presenter.connection
    assert connection is not None
    db = window.presenter.context.db
    snapshots.add_typed_member(db, connection.id, "no-roster-4711")
    drafts.save_draft(db, connection.id, item.url, "no-roster-4711",
                      drafts.DraftEdit(score_given=3))
    with qtbot.waitSignal(window.presenter.job_finished, timeout=SYNC_MS) as finished:
        window.window_actions.push.trigger()
    message, ok = finished.args
    assert not ok
    names = sorted(model.row_at(r).student.name for r in graded)
    assert message.startswith("Pushed: 2 confirmed, 0 conflicts, 2 failed.")
    assert f"Confirmed: {names[0]}; {names[1]} ({item.label})." in message
    assert f"Refused: no-roster-4711; Student, Test ({item.label})." in message
    pushed = next(text for text in window.activity.texts() if text.startswith("Pushed:"))
    assert pushed == message  # kept in the activity list
    for row in (*graded, test_student):
        assert model.row_at(row).user_id not in pushed
    assert item.url not in pushed
    window.show_activity()
    save_shot(window, "activity-push-names.png", tmp_path)  # $GRADEDESK_SHOTS_DIR keeps it
