"""Issue 9, finding 5 (the window's half): a score above the maximum is marked on its cell; an
absurd one (a typo: 1e9 for 9) is refused with the core's reason, typed in a cell, pasted or
entered in grading mode, and the typed text stays; no score is ever shown in scientific
notation; long decimals are kept and shown rounded."""

from __future__ import annotations

import re
from pathlib import Path

from gui_support import save_shot, show_in_detail, type_into_cell
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from gradedesk.store import DraftRow, drafts
from gradedesk.ui.models.base import EXTRA_CREDIT_ROLE
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.rows import CellKey
from gradedesk.ui.views.main_window import MainWindow

SAVE_MS = 10_000
SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")
TYPO = "more than 10 times the maximum"


def _draft(window: MainWindow, key: CellKey) -> DraftRow | None:
    connection = window.presenter.connection
    assert connection is not None
    return drafts.get_draft(window.presenter.context.db, connection.id, *key)


def test_an_absurd_score_is_refused_where_it_is_typed_and_the_text_stays(
        window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    model = window.line_model
    table = window.line_table
    editor = type_into_cell(qtbot, table, model.index(1, Column.SCORE), "1e9")
    assert TYPO in table.bubble.text()
    assert isinstance(editor, QLineEdit) and editor.isVisible() and editor.text() == "1e9"
    save_shot(window, "gd-absurd-score.png", tmp_path)
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert _draft(window, model.row_at(1).key) is None
    # Pasted, or through the model: refused whole, with the same reason at the cell.
    table.setCurrentIndex(model.index(2, Column.SCORE))
    assert not table.paste("9\n900")
    assert TYPO in table.bubble.text()
    assert _draft(window, model.row_at(2).key) is None
    assert window.presenter.undo_stack.count() == 0
    # The gradebook too.
    with qtbot.waitSignal(window.view_ready, timeout=SAVE_MS):
        window.window_actions.gradebook_view.trigger()
    grid = window.gradebook_model
    type_into_cell(qtbot, window.gradebook_table, grid.index(0, 2), "1e9")
    assert TYPO in window.gradebook_table.bubble.text()


def test_grading_mode_refuses_an_absurd_score_and_keeps_it_typed(
        window: MainWindow, qtbot: QtBot) -> None:
    with qtbot.waitSignal(window.grading.queue_loaded, timeout=SAVE_MS):
        mode = window.open_grading_mode()
    assert mode is not None and mode.queue is not None
    row = mode.queue.current()
    assert row is not None and row.maximum is not None
    typed = f"{row.maximum * 50:g}"
    mode.score.setText(typed)
    assert not mode.grade_and_next()
    assert TYPO in mode.error.text()
    assert mode.score.text() == typed
    assert _draft(window, row.key) is None


def test_extra_credit_is_marked_and_long_decimals_are_kept_but_shown_rounded(
        window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    model = window.line_model
    maximum = model.row_at(0).maximum
    assert maximum == 20
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        type_into_cell(qtbot, window.line_table, model.index(0, Column.SCORE), "23")
    score = model.index(0, Column.SCORE)
    assert score.data(EXTRA_CREDIT_ROLE) is True
    assert "Extra credit: above the maximum of 20" in score.data(Qt.ItemDataRole.ToolTipRole)
    assert not model.index(1, Column.SCORE).data(EXTRA_CREDIT_ROLE)
    # A spreadsheet's long decimals and a tiny value: kept whole, shown rounded, never 1e-05.
    window.line_table.setCurrentIndex(model.index(1, Column.SCORE))
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        assert window.line_table.paste("7.333333333333\n0.000012")
    first, second = (_draft(window, model.row_at(r).key) for r in (1, 2))
    assert first is not None and first.score_given == 7.333333333333
    assert second is not None and second.score_given == 0.000012
    assert model.index(1, Column.SCORE).data() == "7.33"
    assert model.index(1, Column.SCORE).data(Qt.ItemDataRole.EditRole) == "7.333333333333"
    assert model.index(2, Column.SCORE).data(Qt.ItemDataRole.EditRole) == "0.000012"
    # Opening the editor on a rounded cell and pressing Enter changes nothing.
    steps = window.presenter.undo_stack.count()
    table = window.line_table
    table.setCurrentIndex(model.index(1, Column.SCORE))
    table.edit(model.index(1, Column.SCORE))
    editor = table.viewport().findChildren(QLineEdit)[0]
    assert editor.text() == "7.333333333333"
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.currentIndex().row() == 2, timeout=SAVE_MS)  # moved down
    assert window.presenter.undo_stack.count() == steps
    # Nowhere in the window: grid, gradebook, glance, detail panel.
    show_in_detail(qtbot, window, 1, Column.SCORE)
    assert window.detail.compare["score"][1].text() == "7.33 / 20"
    qtbot.waitUntil(lambda: "Graded" in window.glance.summary, timeout=SAVE_MS)
    texts = [model.index(r, c).data(role) or "" for r in range(model.rowCount())
             for c in (Column.SCORE, Column.MAXIMUM)
             for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole,
                          Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole)]
    texts += [window.glance.summary, window.title.text()]
    texts += [label.text() for pair in window.detail.compare.values() for label in pair]
    save_shot(window, "gd-extra-credit.png", tmp_path)
    with qtbot.waitSignal(window.view_ready, timeout=SAVE_MS):
        window.window_actions.gradebook_view.trigger()
    grid = window.gradebook_model
    column = grid.column_of(model.row_at(0).key[0])
    assert column is not None
    texts += [grid.index(r, column).data(role) or "" for r in range(grid.rowCount())
              for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole,
                           Qt.ItemDataRole.ToolTipRole)]
    assert not [text for text in texts if SCIENTIFIC.search(str(text))]
    row = grid.visible_row_of(model.row_at(0).user_id)
    assert row is not None and grid.index(row, column).data(EXTRA_CREDIT_ROLE) is True
    save_shot(window, "gd-gradebook-extra-credit.png", tmp_path)
    assert "Extra credit" in grid.index(row, column).data(Qt.ItemDataRole.ToolTipRole)


def test_the_glance_histogram_takes_absurd_platform_scores() -> None:
    """Issue 10, finding 7: 1e308 over a maximum of 0.5 overflowed int() and broke the glance."""
    from gradedesk.ui.views.glance import histogram

    assert histogram([1e308, 0.25, -3.0, float("nan"), float("inf")], 0.5) == \
        [1, 0, 0, 0, 0, 1, 0, 0, 0, 2]
