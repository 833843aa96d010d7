"""Issue 11, item 11: Hide names (anonymous grading, on this computer only). View > Hide names
shows every student as "Student 17" in both grids, the detail panel's title and grading mode,
with the same number everywhere and in the next session; the name column sorts, filters and
copies by the label shown, and typing a real name into the filter finds no one."""

from __future__ import annotations

import re
from pathlib import Path

from gui_support import SandboxCourse, show_in_detail
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from gradedesk.ui.models.gradebook_model import NAME_COLUMN
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.views.main_window import MainWindow

LOAD_MS = 20_000
LABEL = re.compile(r"^Student \d+$")


def _names(window: MainWindow) -> list[str]:
    model = window.line_model
    return [model.index(r, Column.NAME).data() for r in range(model.rowCount())]


def _gradebook_names(window: MainWindow) -> list[str]:
    model = window.gradebook_model
    return [model.index(r, NAME_COLUMN).data() for r in range(model.rowCount())]


def _hide(window: MainWindow, hidden: bool) -> None:
    action = window.window_actions.hide_names
    if action.isChecked() != hidden:
        action.trigger()  # View > Hide names
    assert action.isChecked() == hidden


def _label_of(window: MainWindow) -> dict[str, str]:
    """Each user id's label as the line-item grid shows it."""
    model = window.line_model
    return {model.row_at(r).user_id: model.index(r, Column.NAME).data()
            for r in range(model.rowCount())}


def test_hidden_names_read_student_n_in_both_grids_and_the_detail_title(
        window: MainWindow, qtbot: QtBot) -> None:
    real = {row.user_id: row.student.name for row in window.line_model.rows()}
    assert "Hide names" in window.window_actions.hide_names.text().replace("&", "")
    _hide(window, True)
    shown = _names(window)
    assert shown and all(LABEL.match(name) for name in shown)
    assert not set(shown) & set(real.values())
    # Unsorted, the rows go by number: the roster's alphabetical order would give names away.
    assert [int(name.split()[1]) for name in shown] == sorted(int(n.split()[1]) for n in shown)
    labels = _label_of(window)
    assert len(set(labels.values())) == len(labels)  # one number each
    # The detail panel's title says the label too.
    key = show_in_detail(qtbot, window, 0, Column.SCORE)
    assert window.detail.heading.text().startswith(f"{labels[key[1]]} — ")
    assert real[key[1]] not in window.detail.heading.text()
    # The gradebook: the same student, the same number.
    with qtbot.waitSignal(window.view_ready, timeout=LOAD_MS):
        window.window_actions.gradebook_view.trigger()
    grid = window.gradebook_model
    for row in range(grid.rowCount()):
        student = grid.student_at(row)
        assert grid.index(row, NAME_COLUMN).data() == labels[student.user_id]
    assert not set(_gradebook_names(window)) & set(real.values())
    # Revealed: the names are back, in the roster's order.
    _hide(window, False)
    assert _gradebook_names(window) == sorted(_gradebook_names(window),
                                              key=lambda name: name.casefold())
    assert set(_gradebook_names(window)) <= set(real.values())


def test_sort_filter_and_copy_use_the_label_only(window: MainWindow, qtbot: QtBot) -> None:
    model = window.line_model
    someone = model.rows()[2]
    _hide(window, True)
    label = _label_of(window)[someone.user_id]
    # A real name, an email part or a user id finds no one while names are hidden.
    given = someone.student.name.split(", ")[-1]
    for typed in (someone.student.name, given, someone.user_id):
        window.filter_text.setText(typed)
        assert model.rowCount() == 0, typed
    window.filter_text.setText(label)
    assert [model.index(r, Column.NAME).data() for r in range(model.rowCount())] == [label]
    window.filter_text.setText("")
    # The name column sorts by the label: Student 2 before Student 10, both ways.
    window.line_table.sortByColumn(Column.NAME, Qt.SortOrder.DescendingOrder)
    numbers = [int(name.split()[1]) for name in _names(window)]
    assert numbers == sorted(numbers, reverse=True)
    window.line_table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
    numbers = [int(name.split()[1]) for name in _names(window)]
    assert numbers == sorted(numbers)
    # A copy carries the label, never the name.
    row = model.visible_row_of(someone.key)
    assert row is not None
    window.line_table.setCurrentIndex(model.index(row, Column.NAME))
    window.line_table.selectionModel().select(
        model.index(row, Column.NAME),
        window.line_table.selectionModel().SelectionFlag.ClearAndSelect)
    assert window.line_table.copy_selection() == label
    assert QGuiApplication.clipboard().text() == label
    # In the gradebook too.
    with qtbot.waitSignal(window.view_ready, timeout=LOAD_MS):
        window.window_actions.gradebook_view.trigger()
    window.filter_text.setText(someone.student.name)
    assert window.gradebook_model.rowCount() == 0
    window.filter_text.setText(label)
    assert _gradebook_names(window) == [label]


def test_the_numbers_and_the_setting_outlast_the_session(
        window: MainWindow, course: SandboxCourse, make_window: object, qtbot: QtBot,
        tmp_path: Path) -> None:
    _hide(window, True)
    before = _label_of(window)
    window.close()  # saves the window settings
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    assert settings.value("view/hide_names") in (True, "true")
    again = make_window()  # type: ignore[operator]
    assert isinstance(again, MainWindow)
    assert again.window_actions.hide_names.isChecked()  # remembered
    again.show()
    with qtbot.waitSignal(again.view_ready, timeout=LOAD_MS):
        again.start()
    qtbot.waitUntil(lambda: again.line_model.rowCount() > 0, timeout=LOAD_MS)
    assert _label_of(again) == before  # the same student, the same number


def test_a_push_summary_names_no_one_while_names_are_hidden(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot) -> None:
    _hide(window, True)
    labels = _label_of(window)
    model = window.line_model
    real = [model.row_at(r).student.name for r in (0, 1)]
    for row in (0, 1):
        with qtbot.waitSignal(window.presenter.edits_saved, timeout=LOAD_MS):
            model.setData(model.index(row, Column.SCORE), "7", Qt.ItemDataRole.EditRole)
    with qtbot.waitSignal(window.presenter.job_finished, timeout=60_000) as finished:
        window.window_actions.push.trigger()
    message = finished.args[0]
    assert message.startswith("Pushed: 2 confirmed")
    for name in real:
        assert name not in message
    for row in (0, 1):
        assert labels[model.row_at(row).user_id] in message
    assert not any(name in text for text in window.activity.texts() for name in real)


def test_conflicts_and_history_name_no_one_while_names_are_hidden(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot) -> None:
    _hide(window, True)
    labels = _label_of(window)
    model = window.line_model
    item = model.line_item
    assert item is not None
    grade = model.row_at(2)
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=LOAD_MS):
        model.setData(model.index(2, Column.SCORE), "6", Qt.ItemDataRole.EditRole)
    course.change_result(item.url, grade.user_id, score=3, comment="A colleague's")
    with qtbot.waitSignal(window.presenter.conflicts_loaded, timeout=60_000) as loaded:
        window.window_actions.push.trigger()  # the colleague's grade came first: a conflict
    rows = loaded.args[0]
    assert [row.student for row in rows] == [labels[grade.user_id]]
    dialog = window.cell_history.open(grade.key)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.history is not None, timeout=LOAD_MS)
    shown = [dialog.heading.text(), dialog.windowTitle()]
    assert all(labels[grade.user_id] in text for text in shown)
    assert not any(grade.student.name in text for text in shown)
