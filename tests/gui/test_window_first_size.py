"""Issue 11, item 2: the first window. On a first run it opens at a sensible size for the
screen (not Qt's 960 x 375), the courses pane keeps its width as the window or the detail
panel changes, and the toolbar's buttons stay put as Undo and Redo change what they would do
(the detail is in their tooltips)."""

from __future__ import annotations

from gui_support import type_into_cell
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QToolButton
from pytestqt.qtbot import QtBot

from conftest import LOAD_TIMEOUT_MS, WindowFactory
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.views.main_window import MainWindow
from gradedesk.ui.views.window_state import first_window_size

SAVE_MS = 10_000


def test_the_first_size_suits_the_screen() -> None:
    assert first_window_size(QRect(0, 0, 1920, 1040)) == QSize(1536, 832)
    assert first_window_size(QRect(0, 0, 1366, 728)) == QSize(1100, 700)  # at least this
    assert first_window_size(QRect(0, 0, 2560, 1400)) == QSize(2048, 1120)
    assert first_window_size(QRect(0, 0, 1024, 600)) == QSize(1024, 600)  # the whole screen


def test_a_first_window_opens_at_that_size(make_window: WindowFactory,
                                           qtbot: QtBot) -> None:
    window = make_window(restore=True)  # an empty settings file: a first run
    window.show()
    screen = window.screen()
    assert screen is not None
    available = screen.availableGeometry()
    wanted = first_window_size(available)
    assert window.height() == wanted.height()
    assert window.width() >= wanted.width()  # never narrower (the window's minimum may win)
    assert window.height() >= min(700, available.height())
    assert window.size() != QSize(960, 375)
    assert available.contains(window.geometry().center())


def test_the_courses_pane_keeps_its_width(make_window: WindowFactory, qtbot: QtBot,
                                          window: MainWindow) -> None:
    panes = window.workspace
    left = panes.widget(0).width()
    assert 160 <= left <= 400
    window.resize(1600, 900)
    qtbot.waitUntil(lambda: window.width() == 1600, timeout=LOAD_TIMEOUT_MS)
    assert panes.widget(0).width() == left  # the grid takes the room
    window.window_actions.toggle_detail.setChecked(False)
    qtbot.wait(0)
    assert panes.widget(0).width() == left
    window.window_actions.toggle_detail.setChecked(True)
    window.resize(1180, 760)
    qtbot.waitUntil(lambda: window.width() == 1180, timeout=LOAD_TIMEOUT_MS)
    assert panes.widget(0).width() == left
    # Kept across runs, as the grader left it (the offscreen screen is 800 x 800: without
    # the detail panel, a wider courses pane fits).
    window.resize(790, 700)
    qtbot.waitUntil(lambda: window.width() == 790, timeout=LOAD_TIMEOUT_MS)
    window.window_actions.toggle_detail.setChecked(False)
    panes.setSizes([300, 480, 0])
    left = panes.widget(0).width()
    assert left == 300
    window.close()
    again = make_window(restore=True)
    again.show()
    with qtbot.waitSignal(again.view_ready, timeout=LOAD_TIMEOUT_MS):
        again.start()
    assert again.workspace.widget(0).width() == left


def _button_places(window: MainWindow) -> dict[str, QRect]:
    places = {}
    for action in window.toolbar.actions():
        button = window.toolbar.widgetForAction(action)
        if isinstance(button, QToolButton):
            places[action.text()] = button.geometry()
    return places


def test_toolbar_buttons_stay_put_as_undo_and_redo_change(window: MainWindow,
                                                          qtbot: QtBot) -> None:
    actions = window.window_actions
    before = _button_places(window)
    assert actions.undo.text().replace("&", "") == "Undo"
    model = window.line_model
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        type_into_cell(qtbot, window.line_table, model.index(0, Column.SCORE), "7")
    assert actions.undo.isEnabled()
    assert actions.undo.text().replace("&", "") == "Undo"
    undo_text = window.presenter.undo_stack.undoText()
    assert undo_text and actions.undo.toolTip().startswith(f"Undo: {undo_text}")  # on hover
    assert _button_places(window) == before
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        actions.undo.trigger()
    assert actions.redo.isEnabled() and not actions.undo.isEnabled()
    assert actions.redo.text().replace("&", "") == "Redo"
    assert actions.redo.toolTip().startswith("Redo: ")
    assert _button_places(window) == before
