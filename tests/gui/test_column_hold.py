"""Issue 14, part 4, in the window: Column > Hold grades keeps a column's grades saved and
queued (a lock badge in the course tree and the gradebook header, "Held" in the counts) while
a push sends nothing of them; Release grades asks first on Canvas, where students may see the
scores at once (Cancel is the default and keeps the hold), then sends each grade once in one
push through the ordinary sync worker."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from gui_support import CONNECTION, SandboxCourse, save_shot
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from conftest import LOAD_TIMEOUT_MS
from gradedesk.store import LineItemRow, holds
from gradedesk.sync.holding import HELD_NOTE
from gradedesk.ui import sync_work
from gradedesk.ui.models.base import HEADER_TEXT_ROLE
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.models.navigation_model import HELD_ROLE
from gradedesk.ui.navigation import NavTarget
from gradedesk.ui.views.main_window import MainWindow

WAIT_MS = 60_000


def _shown_column(window: MainWindow) -> LineItemRow:
    row = window.current_column()
    assert row is not None
    return row


def _tree_badge(window: MainWindow, row: LineItemRow) -> bool:
    """Whether the course tree shows the column with the held badge (a lock icon)."""
    index = window.nav_model.index_of(NavTarget(CONNECTION, row.url))
    return bool(index.isValid() and index.data(HELD_ROLE)
                and index.data(Qt.ItemDataRole.DecorationRole) is not None)


def _hold(window: MainWindow, qtbot: QtBot) -> LineItemRow:
    row = _shown_column(window)
    assert window.window_actions.hold_column.isEnabled()
    assert not window.window_actions.release_column.isEnabled()
    with qtbot.waitSignal(window.presenter.columns.hold_changed, timeout=WAIT_MS) as held:
        window.window_actions.hold_column.trigger()
    assert held.args[0].held and held.args[0].line_item.url == row.url
    qtbot.waitUntil(lambda: _tree_badge(window, row), timeout=LOAD_TIMEOUT_MS)
    return row


def _grade(window: MainWindow, qtbot: QtBot, count: int) -> list[str]:
    """Scores for ``count`` students of the line item shown (not the Test Student, whom
    Canvas refuses); their user ids."""
    model = window.line_model
    rows = [r for r in range(model.rowCount())
            if model.row_at(r).student.name != "Test Student"][:count]
    graded = []
    for number, visible in enumerate(rows):
        with qtbot.waitSignal(window.presenter.edits_saved, timeout=WAIT_MS):
            model.setData(model.index(visible, Column.SCORE), str(number + 4))
        graded.append(model.row_at(visible).key[1])
    return graded


def _posts(course: SandboxCourse) -> Counter[tuple[str, str]]:
    return Counter((entry["line_item_id"], entry["user_id"]) for entry in course.ledger())


def test_hold_from_the_column_menu_badges_the_column_and_the_push_keeps_its_grades(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot, tmp_path: Path) -> None:
    actions = window.window_actions
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Column")
    assert {actions.hold_column, actions.release_column} <= set(menu.actions())

    row = _hold(window, qtbot)
    assert holds.is_held(window.presenter.context.db, row.connection_id, row.url)
    assert "not sent until you release it" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: actions.release_column.isEnabled(), timeout=LOAD_TIMEOUT_MS)
    assert not actions.hold_column.isEnabled()
    tip = window.nav_model.index_of(NavTarget(CONNECTION, row.url)).data(
        Qt.ItemDataRole.ToolTipRole)
    assert HELD_NOTE in tip

    graded = _grade(window, qtbot, 2)
    with qtbot.waitSignal(window.presenter.sync_finished, timeout=WAIT_MS) as pushed:
        window.presenter.push()
    report = pushed.args[1]
    assert len(report.held) == 2 and report.confirmed == []
    assert not any(url == row.url for url, _ in _posts(course))
    qtbot.waitUntil(lambda: "Held 2" in window.counts_label.text(), timeout=LOAD_TIMEOUT_MS)
    assert "Held, not sent until released: 2 grades" in window.statusBar().currentMessage()
    for user in graded:
        assert window.line_model.row_of((row.url, user)).state.value == "queued"  # type: ignore[union-attr]
    # Held on purpose: quitting does not ask about them (a push would not send them anyway).
    assert sync_work.unsent_grades(window.presenter.context) == {}

    # The gradebook's header carries the badge too: the lock, and "Held" after the points.
    with qtbot.waitSignal(window.view_ready, timeout=LOAD_TIMEOUT_MS):
        qtbot.keyClick(window.line_table, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    model = window.gradebook_model
    column = model.column_of(row.url)
    assert column is not None
    header = Qt.Orientation.Horizontal
    assert model.headerData(column, header, Qt.ItemDataRole.DecorationRole) is not None
    assert str(model.headerData(column, header, HEADER_TEXT_ROLE)).endswith("· Held")
    assert HELD_NOTE in model.headerData(column, header, Qt.ItemDataRole.ToolTipRole)
    others = [c for c in range(model.columnCount()) if c != column and model.line_item_at(c)]
    assert others and all(model.headerData(c, header, Qt.ItemDataRole.DecorationRole) is None
                          for c in others)
    assert model.headerData(column, header) == row.label  # the label itself is unchanged
    save_shot(window, "gd-column-held.png", tmp_path)

    # The course tree's menu offers what applies: Release for the held column.
    window.nav.setCurrentIndex(window.nav_model.index_of(NavTarget(CONNECTION, row.url)))
    menu_shown = window.column_commands.show_tree_menu(
        window.nav.visualRect(window.nav.currentIndex()).center())
    assert menu_shown is not None
    texts = [action.text() for action in menu_shown.actions()]
    assert actions.release_column.text() in texts and actions.hold_column.text() not in texts
    menu_shown.close()


def test_release_on_canvas_asks_first_then_sends_each_grade_once(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot, tmp_path: Path) -> None:
    row = _hold(window, qtbot)
    graded = _grade(window, qtbot, 3)
    qtbot.waitUntil(lambda: window.window_actions.release_column.isEnabled(),
                    timeout=LOAD_TIMEOUT_MS)

    # Canvas: students may see the scores at once, so the window asks; Cancel is the default
    # and keeps the hold (nothing is sent).
    window.window_actions.release_column.trigger()
    box = window.column_commands.release_box
    assert box is not None and box.isVisible()
    assert "students see these scores at once" in box.text() and "Canvas" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    save_shot(box, "gd-release-ask.png", tmp_path)
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert not window.presenter.busy
    assert holds.is_held(window.presenter.context.db, row.connection_id, row.url)
    assert course.ledger() == []

    window.window_actions.release_column.trigger()
    box = window.column_commands.release_box
    assert box is not None
    release = next(b for b in box.buttons() if b.text() == "Release and send")
    with qtbot.waitSignal(window.presenter.sync_finished, timeout=WAIT_MS) as pushed:
        release.click()
    assert pushed.args[0] == "push"
    report = pushed.args[1]
    assert len(report.confirmed) == 3 and report.held == []
    assert _posts(course) == Counter({(row.url, user): 1 for user in graded})
    assert not holds.is_held(window.presenter.context.db, row.connection_id, row.url)
    qtbot.waitUntil(lambda: not _tree_badge(window, row), timeout=LOAD_TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.window_actions.hold_column.isEnabled(),
                    timeout=LOAD_TIMEOUT_MS)
    assert "Held" not in window.counts_label.text()

    # A second push sends nothing again.
    with qtbot.waitSignal(window.presenter.sync_finished, timeout=WAIT_MS) as again:
        window.presenter.push()
    assert again.args[1].confirmed == []
    assert sum(_posts(course).values()) == 3
