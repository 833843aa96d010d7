"""Words, not enums (issue 11, item 6): the grids and the filters say "Graded", "Needs grading",
"Not submitted"… with the raw AGS value in the tooltip; ungraded students sort last both ways;
an empty filter result says so in the table area."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from gradedesk.domain import GradingProgress
from gradedesk.store import drafts
from gradedesk.ui.models.gradebook_model import FIXED_COLUMNS
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.rows import RowFilter
from gradedesk.ui.views.main_window import MainWindow

SAVE_MS = 10_000
ENUMS = {member.value for member in GradingProgress} | {
    "Initialized", "Started", "InProgress"}


def _show_gradebook(window: MainWindow, qtbot: QtBot) -> None:
    with qtbot.waitSignal(window.view_ready, timeout=SAVE_MS):
        window.window_actions.gradebook_view.trigger()


def _choose_filter(window: MainWindow, kind: RowFilter) -> None:
    window.filter_kind.setCurrentIndex(window.filter_kind.findData(kind))


def test_progress_columns_say_words_and_keep_the_value_in_the_tooltip(
        window: MainWindow) -> None:
    model = window.line_model
    rows = [model.row_at(r) for r in range(model.rowCount())]
    shown = {model.index(r, Column.GRADING).data() for r in range(model.rowCount())} | {
        model.index(r, Column.ACTIVITY).data() for r in range(model.rowCount())}
    assert not shown & ENUMS, shown  # no CamelCase value left in a cell
    pending = next(r for r, row in enumerate(rows) if row.grading == "PendingManual")
    index = model.index(pending, Column.GRADING)
    assert index.data() == "Needs grading"
    assert "PendingManual" in index.data(Qt.ItemDataRole.ToolTipRole)
    graded = next(r for r, row in enumerate(rows) if row.grading == "FullyGraded")
    assert model.index(graded, Column.GRADING).data() == "Graded"
    assert "FullyGraded" in model.index(graded, Column.GRADING).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(graded, Column.ACTIVITY).data() == "Completed"
    missing = [r for r, row in enumerate(rows) if not row.has_server_result]
    for row in missing:
        assert model.index(row, Column.GRADING).data() == "Not submitted"
        assert model.index(row, Column.ACTIVITY).data() == "Not submitted"
    labels = [window.filter_kind.itemText(i) for i in range(window.filter_kind.count())]
    assert any(text.startswith("Needs grading") for text in labels), labels
    assert not any("manual grading" in text.lower() for text in labels), labels


def test_progress_list_offers_words_and_stores_the_value(window: MainWindow,
                                                         qtbot: QtBot) -> None:
    model = window.line_model
    table = window.line_table
    index = model.index(3, Column.GRADING)
    table.setFocus()
    table.setCurrentIndex(index)
    table.edit(index)
    combo = table.viewport().findChildren(QComboBox)[0]
    words = [combo.itemText(i) for i in range(combo.count())]
    assert "Needs grading" in words and "Graded" in words and not set(words) & ENUMS
    combo.setCurrentIndex(combo.findText("Needs grading"))
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        qtbot.keyClick(combo, Qt.Key.Key_Return)
    connection = window.presenter.connection
    assert connection is not None
    key = model.row_at(3).key
    draft = drafts.get_draft(window.presenter.context.db, connection.id, *key)
    assert draft is not None and draft.grading_progress is GradingProgress.PENDING_MANUAL
    # The word typed or pasted works as well as the value.
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        assert model.setData(model.index(3, Column.GRADING), "graded")
    draft = drafts.get_draft(window.presenter.context.db, connection.id, *key)
    assert draft is not None and draft.grading_progress is GradingProgress.FULLY_GRADED


def test_gradebook_cells_say_needs_grading(window: MainWindow, qtbot: QtBot) -> None:
    _show_gradebook(window, qtbot)
    model = window.gradebook_model
    texts = {model.index(r, c).data(): (r, c) for r in range(model.rowCount())
             for c in range(FIXED_COLUMNS, model.columnCount())}
    assert "to grade" not in texts
    assert "Needs grading" in texts
    row, column = texts["Needs grading"]
    tip = model.index(row, column).data(Qt.ItemDataRole.ToolTipRole)
    assert "Needs grading" in tip and "PendingManual" in tip


def test_ungraded_students_sort_last_both_ways(window: MainWindow, qtbot: QtBot) -> None:
    model = window.line_model
    assert any(model.row_at(r).score is None for r in range(model.rowCount()))
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        window.line_table.sortByColumn(Column.SCORE, order)
        scores = [model.row_at(r).score for r in range(model.rowCount())]
        graded = [s for s in scores if s is not None]
        assert scores[:len(graded)] == graded, (order, scores)  # every None after them
        assert graded == sorted(graded, reverse=order == Qt.SortOrder.DescendingOrder)
    _show_gradebook(window, qtbot)
    book = window.gradebook_model
    column = FIXED_COLUMNS
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        window.gradebook_table.sortByColumn(column, order)
        texts = [book.index(r, column).data(Qt.ItemDataRole.EditRole)
                 for r in range(book.rowCount())]
        filled = [t for t in texts if t]
        assert filled and len(filled) < len(texts)
        assert texts[:len(filled)] == filled, (order, texts)


def test_an_empty_filter_result_says_so(window: MainWindow, qtbot: QtBot) -> None:
    note = window.line_table.empty_note
    assert not note.isVisible()
    window.filter_text.setText("xyz")
    assert window.line_model.rowCount() == 0
    assert note.isVisible() and note.text() == "No students match 'xyz'"
    assert window.line_table.frozen.isVisible()  # the note sits beside the (empty) names
    assert note.geometry().intersects(window.line_table.viewport().geometry())
    window.filter_text.clear()
    assert not note.isVisible()
    # Grade everyone who waits for it; then the "Needs grading" filter has no one left.
    model = window.line_model
    pending = [r for r in range(model.rowCount()) if model.row_at(r).pending_manual]
    assert pending
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        assert model.submit_edits([(r, Column.SCORE, "5") for r in pending], "Grade") is None
    qtbot.waitUntil(lambda: not any(row.pending_manual for row in model.rows()),
                    timeout=SAVE_MS)
    _choose_filter(window, RowFilter.PENDING_MANUAL)
    assert model.rowCount() == 0
    assert note.isVisible() and note.text() == "No one needs grading here"
    _choose_filter(window, RowFilter.ALL)
    assert not note.isVisible() and model.rowCount() == model.source_count()
