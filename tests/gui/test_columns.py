"""Issue 8's columns and students in the window: a column made offline (badge, grading in it,
created by the push), one made, renamed, re-pointed and deleted on the platform (asking first,
Cancel by default), a student added by user id, and what a platform without Names and Roles or
with Moodle's FullyGraded rule shows."""

from __future__ import annotations

from pathlib import Path

from gui_support import (
    CONNECTION,
    SandboxCourse,
    platform_line_items,
    save_shot,
    type_into_cell,
)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from conftest import LOAD_TIMEOUT_MS, WindowFactory
from gradedesk.bootstrap import add_lti_connection, engine_for
from gradedesk.domain import LEARNER_ROLE, LineItem, Member, Result
from gradedesk.platforms.keys import generate_private_key_pem, load_private_key, public_pem
from gradedesk.sandbox import SandboxConfig, start_sandbox
from gradedesk.store import snapshots
from gradedesk.store.connections import add_connection
from gradedesk.ui.context import AppContext
from gradedesk.ui.models.base import KEY_ROLE
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.navigation import NavTarget
from gradedesk.ui.platform_notes import NAMES_UNAVAILABLE
from gradedesk.ui.views.main_window import MainWindow

WAIT_MS = 60_000


def _shown(window: MainWindow, label: str) -> bool:
    item = window.line_model.line_item
    return item is not None and item.label == label and window.line_model.rowCount() > 0


def _labels(course: SandboxCourse) -> list[str]:
    return [item["label"] for item in platform_line_items(course.info)]


def test_a_column_made_offline_shows_a_badge_and_the_push_creates_it(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot, tmp_path: Path) -> None:
    dialog = window.column_commands.new_column()
    assert dialog is not None and dialog.isVisible()
    dialog.label.setText("Paper test 1")
    dialog.points.setValue(20)
    dialog.tag.setText("paper")
    dialog.offline.setChecked(True)
    with qtbot.waitSignal(window.presenter.columns.column_added, timeout=WAIT_MS) as added:
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    made = added.args[0]
    assert not made.on_platform and made.row.pending_create and made.row.short_id == "new"
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: _shown(window, "Paper test 1"), timeout=LOAD_TIMEOUT_MS)
    assert window.column_badge.isVisibleTo(window)
    assert "new: not yet on the platform" in window.column_badge.text()
    assert "next push creates it" in window.statusBar().currentMessage()
    tree = window.nav_model.index_of(NavTarget(CONNECTION, made.row.url))
    assert "[new]" in tree.data()
    assert "Paper test 1" not in _labels(course)

    # Grading in it works like any column.
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=WAIT_MS):
        type_into_cell(qtbot, window.line_table, window.line_model.index(0, Column.SCORE), "17")
    window.line_table.setCurrentIndex(window.line_model.index(0, Column.SCORE))
    qtbot.waitUntil(lambda: window.detail.detail is not None
                    and window.detail.detail.line_item.label == "Paper test 1",
                    timeout=LOAD_TIMEOUT_MS)
    window.update_glance()
    save_shot(window, "gd-columns.png", tmp_path)

    with qtbot.waitSignal(window.presenter.sync_finished, timeout=WAIT_MS) as pushed:
        window.presenter.push()
    report = pushed.args[1]
    assert len(report.columns_created) == 1 and len(report.confirmed) == 1
    assert _labels(course).count("Paper test 1") == 1
    # The view follows the column to its platform id; the badge goes.
    qtbot.waitUntil(lambda: window.line_model.line_item is not None
                    and window.line_model.line_item.url == report.columns_created[0],
                    timeout=LOAD_TIMEOUT_MS)
    assert not window.column_badge.isVisibleTo(window)
    assert window.line_model.row_at(0).score == 17


def test_in_the_gradebook_a_new_column_is_marked_until_the_push(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot) -> None:
    with qtbot.waitSignal(window.view_ready, timeout=LOAD_TIMEOUT_MS):
        qtbot.keyClick(window.line_table, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    model = window.gradebook_model
    before = model.columnCount()
    dialog = window.column_commands.new_column()
    assert dialog is not None
    dialog.label.setText("Oral exam")
    dialog.offline.setChecked(True)
    with qtbot.waitSignal(window.presenter.columns.column_added, timeout=WAIT_MS):
        dialog.submit()
    qtbot.waitUntil(lambda: model.columnCount() == before + 1, timeout=LOAD_TIMEOUT_MS)

    def header(label: str) -> int | None:
        return next((c for c in range(model.columnCount())
                     if str(model.headerData(c, Qt.Orientation.Horizontal)).startswith(label)),
                    None)

    column = header("Oral exam")
    assert column is not None
    assert model.headerData(column, Qt.Orientation.Horizontal) == "Oral exam [new]"
    assert "not yet on the platform" in model.headerData(
        column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    window.gradebook_table.setCurrentIndex(model.index(0, column))
    assert window.current_column() is not None
    assert window.current_column().label == "Oral exam"  # type: ignore[union-attr]
    assert window.window_actions.rename_column.isEnabled()
    with qtbot.waitSignal(window.presenter.sync_finished, timeout=WAIT_MS):
        window.presenter.push()
    qtbot.waitUntil(lambda: model.headerData(header("Oral exam") or 0,
                                             Qt.Orientation.Horizontal) == "Oral exam",
                    timeout=LOAD_TIMEOUT_MS)
    assert window.mode == "gradebook"  # the push did not move the grader elsewhere
    assert "Oral exam" in _labels(course)


def test_the_column_commands_have_keys_and_a_menu(window: MainWindow, qtbot: QtBot) -> None:
    actions = window.window_actions
    assert actions.new_column.shortcut().toString() == "Ctrl+Shift+L"
    assert actions.add_student.shortcut().toString() == "Ctrl+Shift+U"
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Column")
    assert {actions.new_column, actions.rename_column, actions.column_points,
            actions.delete_column, actions.add_student} <= set(menu.actions())
    window.activateWindow()
    window.line_table.setFocus()
    qtbot.waitUntil(window.line_table.hasFocus, timeout=5_000)
    qtbot.keyClick(window.line_table, Qt.Key.Key_L,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = window.column_commands.new_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(dialog.label.hasFocus, timeout=5_000)  # type straight away
    qtbot.keyClick(dialog.label, Qt.Key.Key_Escape)
    assert not dialog.isVisible()

    # The courses tree's context menu acts on the item under it.
    connection = window.presenter.connection
    assert connection is not None and window.overview is not None
    other = window.overview.line_items[connection.id][1]
    index = window.nav_model.index_of(NavTarget(CONNECTION, other.url))
    menu = window.column_commands.show_tree_menu(window.nav.visualRect(index).center())
    assert menu is not None
    texts = [action.text() for action in menu.actions()]
    assert {"&New column…", "&Rename column…", "Change &points…", "&Delete column…"} <= set(texts)
    next(a for a in menu.actions() if a.text() == "&Rename column…").trigger()
    menu.close()
    rename = window.column_commands.rename_dialog
    assert rename is not None and rename.textValue() == other.label
    rename.reject()


def test_a_column_is_made_renamed_re_pointed_and_deleted_on_the_platform(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot, tmp_path: Path) -> None:
    columns = window.presenter.columns
    window.window_actions.new_column.trigger()
    dialog = window.column_commands.new_dialog
    assert dialog is not None
    dialog.label.setText("Oral exam")
    dialog.points.setValue(10)
    with qtbot.waitSignal(columns.column_added, timeout=WAIT_MS) as added:
        qtbot.keyClick(dialog.label, Qt.Key.Key_Return)  # Enter creates
    assert added.args[0].on_platform
    made = [item for item in platform_line_items(course.info) if item["label"] == "Oral exam"]
    assert len(made) == 1 and made[0]["resource_id"].startswith("gradedesk-")
    qtbot.waitUntil(lambda: _shown(window, "Oral exam"), timeout=LOAD_TIMEOUT_MS)
    assert not window.column_badge.isVisibleTo(window)

    rename = window.column_commands.rename_column()
    assert rename is not None and rename.textValue() == "Oral exam"
    rename.setTextValue("Oral exam (May)")
    with qtbot.waitSignal(columns.column_changed, timeout=WAIT_MS):
        rename.accept()
    assert "Oral exam (May)" in _labels(course) and "Oral exam" not in _labels(course)
    qtbot.waitUntil(lambda: window.title.text().startswith("Oral exam (May)"),
                    timeout=LOAD_TIMEOUT_MS)

    points = window.column_commands.change_points()
    assert points is not None and points.doubleValue() == 10
    points.setDoubleValue(15)
    with qtbot.waitSignal(columns.column_changed, timeout=WAIT_MS):
        points.accept()
    changed = [i for i in platform_line_items(course.info) if i["label"] == "Oral exam (May)"]
    assert changed[0]["score_maximum"] == 15

    # Deleting asks first, in the core's words; Cancel is the default and keeps it.
    with qtbot.waitSignal(columns.removal_explained, timeout=WAIT_MS):
        window.window_actions.delete_column.trigger()
    box = window.column_commands.delete_box
    assert box is not None and box.isVisible()
    assert "assignment" in box.text() and "Canvas" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    save_shot(box, "gd-delete.png", tmp_path)
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert not window.presenter.busy
    assert "Oral exam (May)" in _labels(course)

    with qtbot.waitSignal(columns.removal_explained, timeout=WAIT_MS):
        window.window_actions.delete_column.trigger()
    box = window.column_commands.delete_box
    assert box is not None
    delete = next(b for b in box.buttons() if b.text() == "Delete column")
    with qtbot.waitSignal(columns.column_removed, timeout=WAIT_MS):
        delete.click()
    assert "Oral exam (May)" not in _labels(course)
    # The window moves on to another column.
    qtbot.waitUntil(lambda: window.line_model.line_item is not None
                    and window.line_model.line_item.label != "Oral exam (May)",
                    timeout=LOAD_TIMEOUT_MS)


def test_a_student_added_by_user_id_appears_in_the_grid(window: MainWindow,
                                                         qtbot: QtBot) -> None:
    dialog = window.column_commands.add_student()
    assert dialog is not None
    assert "not on the roster" in dialog.labelText().lower()
    assert "at push whether it knows them" in dialog.labelText()
    dialog.setTextValue("typed-user-7")
    with qtbot.waitSignal(window.presenter.columns.student_added, timeout=WAIT_MS):
        dialog.accept()
    item = window.line_model.line_item
    assert item is not None
    key = (item.url, "typed-user-7")
    qtbot.waitUntil(lambda: window.line_model.row_of(key) is not None, timeout=LOAD_TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.line_table.currentIndex().data(KEY_ROLE) == key,
                    timeout=LOAD_TIMEOUT_MS)
    assert "not on the roster" in window.statusBar().currentMessage().lower()
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=WAIT_MS):
        window.line_model.setData(window.line_model.index(
            window.line_table.currentIndex().row(), Column.SCORE), "9")
    assert window.line_model.row_of(key).score == 9  # type: ignore[union-attr]


def test_without_names_and_roles_the_window_says_students_go_by_user_id(
        make_window: WindowFactory, context: AppContext, qtbot: QtBot) -> None:
    pem = generate_private_key_pem()
    running = start_sandbox(SandboxConfig(
        port=0, seed=5, students=4, line_items=1, throttle=False, profile="minimal",
        tool_public_keys=[public_pem(load_private_key(pem))]))
    try:
        info = running.info
        add_lti_connection(context.db, context.secrets, "Spec course", {
            key: info[key] for key in ("issuer", "client_id", "token_url", "lineitems_url")},
            private_key_pem=pem)
        with engine_for(context.db, context.secrets, "Spec course") as engine:
            engine.pull()
        window = make_window()
        window.show()
        with qtbot.waitSignal(window.view_ready, timeout=LOAD_TIMEOUT_MS):
            window.start()
        qtbot.waitUntil(lambda: window.roster_note.isVisibleTo(window), timeout=LOAD_TIMEOUT_MS)
        assert window.roster_note.text() == NAMES_UNAVAILABLE
    finally:
        running.stop()


def test_on_moodle_a_score_without_fully_graded_is_warned_about(
        make_window: WindowFactory, context: AppContext, qtbot: QtBot) -> None:
    base = "https://moodle.test/mod/lti/services.php/2"
    row = add_connection(context.db, "Moodle course", "lti", {
        "platform": "moodle", "issuer": "https://moodle.test",
        "lineitems_url": f"{base}/lineitems?type_id=1"})
    item = LineItem(id=f"{base}/lineitems/5/lineitem?type_id=1", label="Essay",
                    score_maximum=10.0)
    snapshots.upsert_line_items(context.db, row.id, [item])
    snapshots.upsert_members(context.db, row.id, [
        Member(user_id=f"u{n}", roles=(LEARNER_ROLE,), name=f"Student {n}") for n in (1, 2)])
    snapshots.upsert_results(context.db, row.id, item.id, [
        Result(user_id="u1", result_score=7.0, result_maximum=10.0)])
    window = make_window()
    window.show()
    with qtbot.waitSignal(window.view_ready, timeout=LOAD_TIMEOUT_MS):
        window.start()
    qtbot.waitUntil(lambda: window.line_model.rowCount() == 2, timeout=LOAD_TIMEOUT_MS)
    model = window.line_model
    scored = next(r for r in range(2) if model.row_at(r).score is not None)
    unscored = 1 - scored
    warnings: list[str] = []
    window.presenter.warning_posted.connect(warnings.append)
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=WAIT_MS):
        model.setData(model.index(unscored, Column.GRADING), "Pending")
    assert warnings == []  # no score to lose
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=WAIT_MS):
        model.setData(model.index(scored, Column.GRADING), "PendingManual")
    assert len(warnings) == 1 and "FullyGraded" in warnings[0] and "Moodle" in warnings[0]
    assert "FullyGraded" in window.alert_bar.label.text()
    assert window.alert_bar.isVisibleTo(window)
