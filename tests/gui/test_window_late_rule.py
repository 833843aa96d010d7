"""Column > Late and missing… in the window: the dialog keeps the column's rule, proposes the
penalties it gives and zeros for missing work (the review of proposed grades opens; nothing is
queued), and a column without a due date offers neither."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from gui_support import SandboxCourse, save_shot
from pytestqt.qtbot import QtBot

from gradedesk.domain import LineItem, format_score
from gradedesk.domain.late_policy import LateRule
from gradedesk.store import LineItemRow, OutboxState, columns, drafts, outbox, snapshots
from gradedesk.store.late_rules import get_rule, late_cells
from gradedesk.store.proposals import list_proposals
from gradedesk.ui.dialogs.late_rule import LateRuleDialog
from gradedesk.ui.views.main_window import MainWindow

WAIT_MS = 20_000
M = "\u2212"


def _open(window: MainWindow, qtbot: QtBot, row: LineItemRow) -> LateRuleDialog:
    with qtbot.waitSignal(window.late_commands.presenter.loaded, timeout=WAIT_MS):
        dialog = window.late_commands.open_late_rule(row)
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_the_dialog_proposes_penalties_and_zeros_for_review(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot, tmp_path: Path) -> None:
    db, connection = window.presenter.context.db, course.connection
    assert connection is not None
    # The menu opens the dialog for the column in view.
    current = window.current_column()
    assert current is not None and window.window_actions.late_rule.isEnabled()
    with qtbot.waitSignal(window.late_commands.presenter.loaded, timeout=WAIT_MS):
        window.window_actions.late_rule.trigger()
    assert window.late_commands.dialog is not None
    assert current.label in window.late_commands.dialog.windowTitle()

    row = snapshots.get_line_item(db, connection.id, course.info["lineitems_url"] + "/31")
    assert row is not None
    due = datetime.fromisoformat(str(row.wire["endDateTime"]).replace("Z", "+00:00"))
    # Handed in more than three days late and graded here with full marks: 10% a day, at
    # most 30%, takes 30% off whatever the exact days.
    late = [cell.user_id for cell in late_cells(db, connection.id, row.url)
            if cell.submitted_at is not None and cell.platform_score is None
            and datetime.fromisoformat(cell.submitted_at) > due + timedelta(days=3)]
    assert late
    full = row.score_maximum
    for user_id in late:
        drafts.save_draft(db, connection.id, row.url, user_id,
                          drafts.DraftEdit(score_given=full))
    queued_before = len(outbox.entries(db, connection.id, (OutboxState.QUEUED,)))

    dialog = _open(window, qtbot, row)
    assert dialog.apply_button.isEnabled() and "Due 20" in dialog.due.text()
    dialog.percent.setValue(10)
    dialog.cap_on.setChecked(True)
    dialog.cap.setValue(30)
    assert dialog.words.text().startswith("10% of the score per day late")
    with qtbot.waitSignal(window.late_commands.presenter.proposed, timeout=WAIT_MS):
        dialog.apply_button.click()
    assert get_rule(db, connection.id, row.url) == LateRule.parse("10", cap="30")
    penalised = format_score(float(Decimal(repr(full)) * Decimal("0.7")))
    proposals = {p.user_id: p for p in list_proposals(db, connection.id, row.url)}
    assert set(proposals) == set(late)
    for proposal in proposals.values():
        assert proposal.reason == "late" and format_score(proposal.score) == penalised
        assert proposal.working.startswith(f"{format_score(full)} {M} 30% late (")
        assert proposal.working.endswith(f" days, cap 30%) = {penalised}")
    assert f"Proposed {len(late)} late penalt" in dialog.outcome.text()
    qtbot.waitUntil(lambda: window.dialogs.proposals is not None
                    and window.dialogs.proposals.isVisible(), timeout=WAIT_MS)
    save_shot(dialog, "gd-late-rule.png", tmp_path)

    # Mark missing: a zero for each student with nothing at all in the column.
    held = {cell.user_id for cell in late_cells(db, connection.id, row.url)}
    nothing = {m.user_id for m in snapshots.list_members(db, connection.id, learners_only=True)
               if m.user_id not in held}
    assert nothing
    with qtbot.waitSignal(window.late_commands.presenter.proposed, timeout=WAIT_MS):
        dialog.missing_button.click()
    zeros = {p.user_id: p.score for p in list_proposals(db, connection.id, row.url)
             if p.reason == "missing"}
    assert zeros == dict.fromkeys(nothing, 0.0)
    # Proposals only: nothing more was queued.
    assert len(outbox.entries(db, connection.id, (OutboxState.QUEUED,))) == queued_before


def test_a_column_without_a_due_date_offers_neither(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot) -> None:
    db, connection = window.presenter.context.db, course.connection
    assert connection is not None
    row = columns.add_local_column(db, connection.id, LineItem(label="Oral exam",
                                                               score_maximum=10.0))
    dialog = _open(window, qtbot, row)
    assert "no due date" in dialog.due.text()
    assert not dialog.apply_button.isEnabled() and not dialog.missing_button.isEnabled()
