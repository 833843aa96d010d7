"""Issue 11, item 4: the detail panel shows a cell's comment thread, every platform comment
seen and every local edit with its time and (where known) author, oldest first, not only the
platform's latest comment; a conflicted cell's thread shows both sides and keeps its choices."""

from __future__ import annotations

from pathlib import Path

from gui_support import SandboxCourse, save_shot, show_in_detail, type_into_cell
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from gradedesk.store import SyncState
from gradedesk.sync.engine import Resolution
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.thread_lines import PLATFORM, YOU
from gradedesk.ui.views.main_window import MainWindow

SYNC_MS = 60_000
WAIT_MS = 10_000


def _thread(window: MainWindow) -> list[tuple[str, str]]:
    return [(line.who, line.body) for line in window.detail.thread_lines]


def _sync(window: MainWindow, qtbot: QtBot, action: str) -> None:
    with qtbot.waitSignal(window.presenter.sync_finished, timeout=SYNC_MS):
        getattr(window.window_actions, action).trigger()


def _mine_landed(window: MainWindow) -> bool:
    """A local edit of the thread reads "on the platform" (pushed and read back)."""
    return any(line.mine and line.about.endswith("· on the platform")
               for line in window.detail.thread_lines)


def _uncommented_row(window: MainWindow) -> int:
    model = window.line_model
    return next(r for r in range(model.rowCount())
                if not model.row_at(r).server_comment and not model.row_at(r).has_draft)


def test_the_thread_keeps_every_comment_oldest_first(window: MainWindow, course: SandboxCourse,
                                                     qtbot: QtBot, tmp_path: Path) -> None:
    model = window.line_model
    row = _uncommented_row(window)
    url, user = model.row_at(row).key
    course.change_result(url, user, score=5, comment="Cite the second source.")
    _sync(window, qtbot, "pull")
    key = show_in_detail(qtbot, window, model.visible_row_of((url, user)) or 0, Column.SCORE)
    panel = window.detail
    qtbot.waitUntil(lambda: _thread(window) == [(PLATFORM, "“Cite the second source.”")],
                    timeout=WAIT_MS)
    assert "latest on the platform" in panel.thread_lines[0].about
    assert panel.thread_lines[0].about.startswith("seen ")  # Canvas's results carry no time

    edit = panel.comment_edit
    window.activateWindow()
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus, timeout=WAIT_MS)
    qtbot.keyClicks(edit, "Cited now: well done.")
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=WAIT_MS):
        qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(panel.thread_lines) == 2, timeout=WAIT_MS)
    mine = panel.thread_lines[1]
    assert (mine.who, mine.mine) == (YOU, True)
    assert mine.body == "5 / " + mine.body.split(" / ")[1]  # the score it keeps, and the comment
    assert mine.body.endswith("“Cited now: well done.”")
    assert "waiting for the next push" in mine.about

    _sync(window, qtbot, "push")
    qtbot.waitUntil(lambda: _mine_landed(window), timeout=WAIT_MS)
    assert len(panel.thread_lines) == 2 and panel.thread_lines[1].mine
    # Sent and confirmed, the draft is gone: the field the grader typed it in is empty again,
    # so leaving it does not queue the same comment a second time.
    assert edit.hasFocus() and edit.toPlainText() == ""
    assert not panel.commit_comment()
    # Read back, our comment is the pushed entry, not a second platform comment; the
    # colleague's comment before it stays, though its draft (which remembered it) is gone.
    assert _thread(window)[0] == (PLATFORM, "“Cite the second source.”")
    assert "latest" not in panel.thread_lines[0].about

    course.change_result(url, user, comment="Agreed with the TA.")
    _sync(window, qtbot, "pull")
    qtbot.waitUntil(lambda: len(panel.thread_lines) == 3, timeout=WAIT_MS)
    assert [who for who, _ in _thread(window)] == [PLATFORM, YOU, PLATFORM]
    assert _thread(window)[2] == (PLATFORM, "“Agreed with the TA.”")
    assert "latest on the platform" in panel.thread_lines[2].about
    assert window.detail.key == key
    text = panel.comment_thread.text()
    assert text.index("Cite the second") < text.index("Cited now") < text.index("Agreed with")
    # The thread's label has grown to hold the third entry before the picture is taken.
    shown = panel.comment_thread
    qtbot.waitUntil(lambda: shown.height() >= shown.heightForWidth(shown.width()),
                    timeout=WAIT_MS)
    save_shot(window, "gd-detail-thread.png", tmp_path)


def test_a_conflicted_cell_shows_both_sides_and_keep_both_still_works(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot) -> None:
    model = window.line_model
    row = _uncommented_row(window)
    url, user = model.row_at(row).key
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=WAIT_MS):
        type_into_cell(qtbot, window.line_table, model.index(row, Column.SCORE), "6")
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=WAIT_MS):
        model.setData(model.index(row, Column.COMMENT), "Mine: redo part b.")
    course.change_result(url, user, score=3, comment="Theirs: see rubric.")
    with qtbot.waitSignal(window.presenter.conflicts_loaded, timeout=SYNC_MS):
        window.window_actions.push.trigger()
    window.dialogs.conflicts.close()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: model.row_at(row).state is SyncState.CONFLICT, timeout=WAIT_MS)
    panel = window.detail
    show_in_detail(qtbot, window, row, Column.SCORE)
    assert panel.conflict_box.isVisible()
    assert _thread(window) == [(YOU, "6 / " + panel.thread_lines[0].body.split(" / ")[1]),
                               (PLATFORM, "“Theirs: see rubric.”")]
    assert "Mine: redo part b." in panel.thread_lines[0].body
    assert "in conflict" in panel.thread_lines[0].about

    with qtbot.waitSignal(window.presenter.conflicts_loaded, timeout=SYNC_MS):
        qtbot.mouseClick(panel.conflict_box.buttons[Resolution.BOTH],
                         Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.conflict_box.isVisible(), timeout=WAIT_MS)
    _sync(window, qtbot, "push")
    qtbot.waitUntil(lambda: _mine_landed(window), timeout=WAIT_MS)
    assert len(panel.thread_lines) == 2
    # Keep both: their score with my comment added after theirs.
    assert _thread(window)[0] == (PLATFORM, "“Theirs: see rubric.”")
    assert panel.thread_lines[1].body.startswith("3 / ")
    assert panel.thread_lines[1].body.endswith("“Mine: redo part b.”")
