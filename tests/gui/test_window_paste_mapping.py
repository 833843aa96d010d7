"""Issue 9, finding 4: pasted columns land on the editable columns in view order (read-only
ones skipped), and a block that does not fit is refused whole, with one message saying what
and why: nothing is dropped silently."""

from __future__ import annotations

from pathlib import Path

from gui_support import save_shot
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from gradedesk.store import DraftRow, drafts
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.rows import CellKey
from gradedesk.ui.views.main_window import MainWindow

SAVE_MS = 10_000


def _draft(window: MainWindow, key: CellKey) -> DraftRow | None:
    connection = window.presenter.connection
    assert connection is not None
    return drafts.get_draft(window.presenter.context.db, connection.id, *key)


def _put(window: MainWindow, row: int, column: int) -> None:
    table = window.line_table
    table.setCurrentIndex(window.line_model.index(row, column))
    table.selectionModel().select(window.line_model.index(row, column),
                                  QItemSelectionModel.SelectionFlag.ClearAndSelect)


def test_score_and_comment_block_skips_the_read_only_out_of(window: MainWindow,
                                                            qtbot: QtBot) -> None:
    model = window.line_model
    _put(window, 0, Column.SCORE)
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        assert window.line_table.paste("9\tNeat lab book\n8\tCheck units")
    first, second = (_draft(window, model.row_at(r).key) for r in (0, 1))
    assert first is not None and (first.score_given, first.comment) == (9, "Neat lab book")
    assert second is not None and (second.score_given, second.comment) == (8, "Check units")
    assert model.index(0, Column.COMMENT).data() == "Neat lab book"


def test_paste_follows_the_columns_as_the_grader_sees_them(window: MainWindow,
                                                           qtbot: QtBot) -> None:
    header = window.line_table.horizontalHeader()
    # The grader dragged Comment to the left of Score.
    header.moveSection(header.visualIndex(Column.COMMENT), header.visualIndex(Column.SCORE))
    _put(window, 2, Column.COMMENT)
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        assert window.line_table.paste("Well argued\t7")
    saved = _draft(window, window.line_model.row_at(2).key)
    assert saved is not None and (saved.comment, saved.score_given) == ("Well argued", 7)


def test_a_block_longer_than_the_rows_left_is_refused_whole(window: MainWindow, qtbot: QtBot,
                                                            tmp_path: Path) -> None:
    model = window.line_model
    last = model.rowCount() - 1
    _put(window, last - 1, Column.SCORE)
    assert not window.line_table.paste("5\n6\n7\n8\n9")
    bubble = window.line_table.bubble
    assert bubble.isVisible()
    assert "3 rows did not fit below the last student; nothing was pasted" in bubble.text()
    assert "nothing was pasted" in window.statusBar().currentMessage()
    save_shot(window, "gd-paste-refused.png", tmp_path)
    assert all(_draft(window, model.row_at(r).key) is None for r in range(last - 1, last + 1))
    assert window.presenter.undo_stack.count() == 0
    # Blank lines at the end of a copied block carry nothing: they are not "rows left over".
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        assert window.line_table.paste("5\n6\n\n\n")


def test_a_block_wider_than_the_editable_columns_is_refused_whole(window: MainWindow) -> None:
    _put(window, 0, Column.ACTIVITY)  # the last column one can type in
    assert not window.line_table.paste("Completed\tsurplus")
    text = window.line_table.bubble.text()
    assert "1 column did not fit right of Activity" in text and "nothing was pasted" in text
    assert _draft(window, window.line_model.row_at(0).key) is None
    _put(window, 0, Column.SUBMISSION)  # read-only, and nothing editable right of it
    assert not window.line_table.paste("8")
    assert "no column there can be typed in" in window.line_table.bubble.text()


def test_gradebook_paste_maps_onto_line_items_and_refuses_what_does_not_fit(
        window: MainWindow, qtbot: QtBot) -> None:
    with qtbot.waitSignal(window.view_ready, timeout=SAVE_MS):
        window.window_actions.gradebook_view.trigger()
    model = window.gradebook_model
    table = window.gradebook_table
    table.setCurrentIndex(model.index(0, 0))  # the student's name: read-only
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        assert table.paste("4\t5")
    connection = window.presenter.connection
    assert connection is not None
    for column, score in ((2, 4), (3, 5)):  # the first two line items (Section is hidden)
        key = model.key_at(0, column)
        assert key is not None
        saved = drafts.get_draft(window.presenter.context.db, connection.id, *key)
        assert saved is not None and saved.score_given == score
    last = model.columnCount() - 1
    table.setCurrentIndex(model.index(1, last))
    assert not table.paste("1\t2\t3")
    assert "2 columns did not fit right of" in table.bubble.text()
    key = model.key_at(1, last)
    assert key is not None
    assert drafts.get_draft(window.presenter.context.db, connection.id, *key) is None
    qtbot.keyClick(table, Qt.Key.Key_Escape)
    assert not table.bubble.isVisible()
