"""Proposed grades in the window: the review lists each with the grade now, the grade proposed
and the working; Enter accepts nothing; accepting the selected rows queues exactly those (the
cells show them as edited), rejecting drops the rest, and a push sends only the accepted."""

from __future__ import annotations

from pathlib import Path

from gui_support import SandboxCourse, save_shot
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from gradedesk.store import OutboxState, outbox
from gradedesk.store.proposals import NewProposal, list_proposals, propose
from gradedesk.ui.dialogs.proposals import ProposalsDialog
from gradedesk.ui.views.main_window import MainWindow

WAIT_MS = 20_000


def _open(window: MainWindow, qtbot: QtBot) -> ProposalsDialog:
    with qtbot.waitSignal(window.presenter.proposals.loaded, timeout=WAIT_MS):
        window.window_actions.review_proposals.trigger()
    dialog = window.dialogs.proposals
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_review_accepts_the_selected_and_rejects_the_rest(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot, tmp_path: Path) -> None:
    db, connection = window.presenter.context.db, course.connection
    assert connection is not None
    model = window.line_model
    assert model.line_item is not None
    url = model.line_item.url
    first, second = model.row_at(0), model.row_at(1)
    propose(db, connection.id, [
        NewProposal(url, first.user_id, 4.5, "Late penalty: 10% (1 day late)", "late",
                    "5 - 10% late = 4.5"),
        NewProposal(url, second.user_id, 0.0, "Missing: no submission", "missing",
                    "no submission by the due date")])
    dialog = _open(window, qtbot)
    table = dialog.table
    assert table.rowCount() == 2
    shown = {table.item(r, 0).text(): [table.item(r, c).text() for c in range(1, 6)]
             for r in range(2)}
    assert shown[first.student.name][2:] == ["4.5", "Late rule", "5 - 10% late = 4.5"]
    assert shown[second.student.name][2:4] == ["0", "Missing"]
    save_shot(dialog, "gd-proposals.png", tmp_path)

    # Enter in the table accepts nothing.
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert len(list_proposals(db, connection.id)) == 2

    row_of_first = next(r for r in range(2) if table.item(r, 0).text() == first.student.name)
    table.selectRow(row_of_first)
    with qtbot.waitSignal(window.presenter.proposals.reviewed, timeout=WAIT_MS):
        dialog.accept_selected.click()
    qtbot.waitUntil(lambda: table.rowCount() == 1, timeout=WAIT_MS)
    queued = outbox.entries(db, connection.id, (OutboxState.QUEUED,))
    assert [(e.user_id, e.line_item_url) for e in queued] == [(first.user_id, url)]
    qtbot.waitUntil(lambda: model.row_at(0).score == 4.5, timeout=WAIT_MS)

    table.selectRow(0)
    with qtbot.waitSignal(window.presenter.proposals.reviewed, timeout=WAIT_MS):
        dialog.reject_selected.click()
    qtbot.waitUntil(lambda: table.rowCount() == 0, timeout=WAIT_MS)
    assert list_proposals(db, connection.id) == []
    assert not dialog.accept_all.isEnabled()

    with qtbot.waitSignal(window.presenter.sync_finished, timeout=60_000):
        window.window_actions.push.trigger()
    sent = [(e["user_id"], e["body"].get("scoreGiven")) for e in course.ledger()]
    assert sent == [(first.user_id, 4.5)]  # once, and never the rejected zero
