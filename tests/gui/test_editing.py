"""Editing like a spreadsheet: type and Enter, refused input, paste, fill, set a selection,
progress lists, comments, undo and redo. Every edit is a draft in the store at once."""

from __future__ import annotations

from gui_support import type_into_cell
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from gradedesk.domain import GradingProgress
from gradedesk.store import drafts
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.views.main_window import MainWindow

SAVE_MS = 10_000


def _draft(window: MainWindow, row: int):  # type: ignore[no-untyped-def]
    model = window.line_model
    key = model.row_at(row).key
    connection = window.presenter.connection
    assert connection is not None
    return drafts.get_draft(window.presenter.context.db, connection.id, key[0], key[1])


def _select(window: MainWindow, top: int, left: int, bottom: int, right: int) -> None:
    model = window.line_model
    selection = QItemSelection(model.index(top, left), model.index(bottom, right))
    window.line_table.selectionModel().select(
        selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    window.line_table.selectionModel().setCurrentIndex(
        model.index(top, left), QItemSelectionModel.SelectionFlag.NoUpdate)


def test_type_a_score_and_enter_moves_down(window: MainWindow, qtbot: QtBot) -> None:
    model = window.line_model
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        type_into_cell(qtbot, window.line_table, model.index(2, Column.SCORE), "7.5")
    assert window.line_table.currentIndex().row() == 3
    assert window.line_table.currentIndex().column() == Column.SCORE
    draft = _draft(window, 2)
    assert draft is not None and draft.score_given == 7.5
    assert draft.grading_progress is GradingProgress.FULLY_GRADED
    assert model.index(2, Column.SCORE).data() == "7.5"
    assert model.index(2, Column.SYNC).data() == "Queued"
    assert window.counts_label.counts.drafts == 1


def test_decimal_comma_is_a_score(window: MainWindow, qtbot: QtBot) -> None:
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        type_into_cell(qtbot, window.line_table, window.line_model.index(0, Column.SCORE), "8,5")
    draft = _draft(window, 0)
    assert draft is not None and draft.score_given == 8.5


def test_refused_scores_keep_the_editor_and_store_nothing(window: MainWindow,
                                                          qtbot: QtBot) -> None:
    model = window.line_model
    before = model.index(1, Column.SCORE).data()
    editor = type_into_cell(qtbot, window.line_table, model.index(1, Column.SCORE), "abc")
    bubble = window.line_table.bubble
    assert bubble.isVisible()
    assert "'abc' is not a number" in bubble.text()
    assert isinstance(editor, QLineEdit) and editor.isVisible() and editor.text() == "abc"
    assert window.line_table.currentIndex().row() == 1  # Enter did not move on
    editor.selectAll()
    qtbot.keyClicks(editor, "-5")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert "0 or more" in bubble.text()
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert _draft(window, 1) is None
    assert model.index(1, Column.SCORE).data() == before
    # Through the model too (a paste or a script): refused, reason kept at the cell.
    assert not model.setData(model.index(1, Column.SCORE), "twelve")
    assert "not a number" in model.index(1, Column.SCORE).data(Qt.ItemDataRole.ToolTipRole)
    assert window.presenter.undo_stack.count() == 0
    assert _draft(window, 1) is None


def test_paste_a_block_onto_a_range(window: MainWindow, qtbot: QtBot) -> None:
    # A spreadsheet's score and comment columns: the comments skip the read-only "Out of".
    QGuiApplication.clipboard().setText("6\tWell argued\n7\tCite more\n8\t\n")
    _select(window, 0, Column.SCORE, 0, Column.SCORE)
    window.line_table.setFocus()
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        qtbot.keyClick(window.line_table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    scores = [_draft(window, row) for row in range(3)]
    assert [d.score_given for d in scores if d] == [6, 7, 8]
    assert [d.comment for d in scores if d] == ["Well argued", "Cite more", None]
    assert window.presenter.undo_stack.count() == 1  # one paste, one undo step
    assert window.presenter.undo_stack.undoText() == "Paste (3 cells)"


def test_paste_with_a_bad_value_stores_nothing(window: MainWindow, qtbot: QtBot) -> None:
    _select(window, 0, Column.SCORE, 0, Column.SCORE)
    assert not window.line_table.paste("5\n-1\n6")
    assert window.line_table.bubble.isVisible()
    assert all(_draft(window, row) is None for row in range(3))


def test_fill_down_and_set_value_for_selection(window: MainWindow, qtbot: QtBot) -> None:
    model = window.line_model
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        type_into_cell(qtbot, window.line_table, model.index(4, Column.SCORE), "9")
    _select(window, 4, Column.SCORE, 7, Column.SCORE)
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        qtbot.keyClick(window.line_table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert [(_draft(window, r) or drafts).score_given for r in range(4, 8)] == [9, 9, 9, 9]
    # Ctrl+Enter in the editor sets every selected cell.
    _select(window, 8, Column.SCORE, 10, Column.SCORE)
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        editor = type_into_cell(qtbot, window.line_table, model.index(8, Column.SCORE), "4",
                                finish=False)
        _select(window, 8, Column.SCORE, 10, Column.SCORE)
        qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert [(_draft(window, r) or drafts).score_given for r in range(8, 11)] == [4, 4, 4]


def test_undo_and_redo(window: MainWindow, qtbot: QtBot) -> None:
    model = window.line_model
    stack = window.presenter.undo_stack
    shown = model.index(5, Column.SCORE).data()
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        type_into_cell(qtbot, window.line_table, model.index(5, Column.SCORE), "3")
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        type_into_cell(qtbot, window.line_table, model.index(5, Column.SCORE), "4")
    assert _draft(window, 5).score_given == 4  # type: ignore[union-attr]
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        window.window_actions.undo.trigger()
    assert _draft(window, 5).score_given == 3  # type: ignore[union-attr]
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        stack.undo()
    assert _draft(window, 5) is None  # the first edit made the draft: undo drops it
    assert model.index(5, Column.SCORE).data() == shown
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        window.window_actions.redo.trigger()
    assert _draft(window, 5).score_given == 3  # type: ignore[union-attr]
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        stack.redo()
    assert _draft(window, 5).score_given == 4  # type: ignore[union-attr]
    assert model.index(5, Column.SCORE).data() == "4"


def test_progress_from_a_list_and_comment_editor(window: MainWindow, qtbot: QtBot) -> None:
    model = window.line_model
    table = window.line_table
    index = model.index(3, Column.GRADING)
    table.setFocus()
    table.setCurrentIndex(index)
    table.edit(index)
    combo = table.viewport().findChildren(QComboBox)[0]
    assert combo.accessibleName() == "Grading progress editor"
    combo.setCurrentIndex(combo.findData("PendingManual"))  # shown as "Needs grading"
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        qtbot.keyClick(combo, Qt.Key.Key_Return)
    assert _draft(window, 3).grading_progress is GradingProgress.PENDING_MANUAL  # type: ignore[union-attr]
    # The detail panel's comment editor.
    with qtbot.waitSignal(window.presenter.detail_loaded, timeout=SAVE_MS):
        table.setCurrentIndex(model.index(3, Column.SCORE))
    window.detail.comment_edit.setPlainText("Strong conclusion.")
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        qtbot.mouseClick(window.detail.save_comment_button, Qt.MouseButton.LeftButton)
    assert _draft(window, 3).comment == "Strong conclusion."  # type: ignore[union-attr]
    assert model.index(3, Column.COMMENT).data() == "Strong conclusion."


def test_delete_clears_scores(window: MainWindow, qtbot: QtBot) -> None:
    model = window.line_model
    graded = next(r for r in range(model.rowCount()) if model.row_at(r).score is not None)
    _select(window, graded, Column.SCORE, graded, Column.SCORE)
    window.line_table.setFocus()
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        qtbot.keyClick(window.line_table, Qt.Key.Key_Delete)
    draft = _draft(window, graded)
    assert draft is not None and draft.score_given is None


def test_copy_selection_as_tab_separated(window: MainWindow) -> None:
    _select(window, 0, Column.NAME, 1, Column.SCORE)
    text = window.line_table.copy_selection()
    lines = text.split("\n")
    assert len(lines) == 2 and lines[0].count("\t") == Column.SCORE - Column.NAME
    assert QApplication.clipboard().text() == text


def test_type_a_score_in_the_gradebook(window: MainWindow, qtbot: QtBot) -> None:
    with qtbot.waitSignal(window.view_ready, timeout=SAVE_MS):
        window.window_actions.gradebook_view.trigger()
    model = window.gradebook_model
    table = window.gradebook_table
    index = model.index(0, 3)  # the first student, the second line item
    key = model.key_at(0, 3)
    assert key is not None
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        type_into_cell(qtbot, table, index, "4.5")
    assert table.currentIndex().row() == 1  # Enter moved down here too
    connection = window.presenter.connection
    assert connection is not None
    draft = drafts.get_draft(window.presenter.context.db, connection.id, *key)
    assert draft is not None and draft.score_given == 4.5
    assert model.index(0, 3).data() == "4.5"
    assert "Queued" in model.index(0, 3).data(Qt.ItemDataRole.ToolTipRole)
    type_into_cell(qtbot, table, model.index(2, 3), "x")
    assert "not a number" in table.bubble.text()


def test_undo_a_progress_change(window: MainWindow, qtbot: QtBot) -> None:
    model = window.line_model
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        model.setData(model.index(6, Column.SCORE), "2")
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        model.setData(model.index(6, Column.GRADING), "pendingmanual")  # any letter case
    assert _draft(window, 6).grading_progress is GradingProgress.PENDING_MANUAL  # type: ignore[union-attr]
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        window.presenter.undo_stack.undo()
    assert _draft(window, 6).grading_progress is GradingProgress.FULLY_GRADED  # type: ignore[union-attr]
    assert model.index(6, Column.GRADING).data() == "Graded"  # FullyGraded, in words


def test_moving_to_another_row_while_editing_lands_there(window: MainWindow,
                                                         qtbot: QtBot) -> None:
    model = window.line_model
    table = window.line_table
    type_into_cell(qtbot, table, model.index(2, Column.SCORE), "6", finish=False)
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        table.setCurrentIndex(model.index(7, Column.SCORE))  # a click elsewhere commits
    assert table.currentIndex().row() == 7  # not 8: only Enter moves down
    assert _draft(window, 2).score_given == 6  # type: ignore[union-attr]
