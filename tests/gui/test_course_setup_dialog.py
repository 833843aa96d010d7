"""Issue 8 in the window: connect a Canvas course from its address and client id, give the
administrator the developer key JSON (the test pastes it into the sandbox, as an administrator
would), and check every step; a wrong address is refused under its field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from gui_support import paste_developer_key, save_shot, start_platform
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from conftest import LOAD_TIMEOUT_MS, WindowFactory
from gradedesk.platforms.check import CheckStatus
from gradedesk.platforms.keys import load_private_key, public_jwk
from gradedesk.sandbox import RunningSandbox
from gradedesk.secrets import SecretKind, SecretStore
from gradedesk.ui.dialogs.connections import ConnectionsDialog
from gradedesk.ui.views.main_window import MainWindow

WAIT_MS = 30_000


@pytest.fixture
def platform() -> Iterator[RunningSandbox]:
    running = start_platform()
    yield running
    running.stop()


@pytest.fixture
def window(make_window: WindowFactory, qtbot: QtBot) -> MainWindow:
    """The window with no connection yet (the first-run page)."""
    made = make_window()
    made.show()
    with qtbot.waitSignal(made.presenter.overview_loaded, timeout=LOAD_TIMEOUT_MS):
        made.start()
    return made


def _click(qtbot: QtBot, widget: object) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def _check(window: MainWindow, dialog: ConnectionsDialog, qtbot: QtBot) -> dict[str, str]:
    """Press Check; the status of each step by name."""
    with qtbot.waitSignal(window.presenter.setup.check_finished, timeout=WAIT_MS) as checked:
        _click(qtbot, dialog.setup.checking.check_button)
    return {step.step: step.status.value for step in checked.args[1].steps}


def test_a_canvas_course_from_its_address_and_client_id(
        window: MainWindow, platform: RunningSandbox, secret_store: SecretStore, qtbot: QtBot,
        tmp_path: Path) -> None:
    info = platform.info
    dialog = window.open_connections()
    setup = dialog.setup
    assert dialog.tabs.currentWidget() is setup
    assert setup.platform_choices["canvas"].isChecked()
    assert setup.canvas.course_url.placeholderText() == "https://school.instructure.com/courses/7"
    assert setup.canvas.issuer.isHidden()  # under "Advanced"
    setup.name.setText("bio")
    setup.canvas.course_url.setText(info["course_url"])
    setup.canvas.client_id.setText(info["client_id"])
    with qtbot.waitSignal(window.presenter.setup.course_added, timeout=WAIT_MS):
        _click(qtbot, setup.add_button)

    # Step 2: the developer key JSON, with the public half of the key in the keyring.
    assert setup.pages.currentIndex() == 1
    config = json.loads(setup.admin.config_text.toPlainText())
    pem = secret_store.get("bio", SecretKind.PRIVATE_KEY)
    mine = public_jwk(load_private_key(pem.encode("ascii")))
    assert (config["public_jwk"]["n"], config["public_jwk"]["e"]) == (mine["n"], mine["e"])
    assert setup.admin.config_text.isReadOnly()
    assert "Paste JSON" in setup.admin.where.text() and "By Client ID" in setup.admin.where.text()
    assert setup.admin.client_id_box.isHidden()  # given already
    _click(qtbot, setup.admin.copy_button)
    assert json.loads(QGuiApplication.clipboard().text()) == config
    save_shot(dialog, "gd-setup.png", tmp_path)

    # Step 3 before the administrator has pasted it: sign-in fails, with the fix.
    _click(qtbot, setup.admin.next_button)
    assert setup.pages.currentIndex() == 2
    before = _check(window, dialog, qtbot)
    assert before["token"] == CheckStatus.ERROR.value
    first = setup.checking.results.item(0).text()
    assert "Sign-in: Failed" in first and "Fix:" in first
    assert "gradedesk connection" not in first  # the fix names the window's controls
    assert "not ready" in setup.checking.summary.text()
    save_shot(dialog, "gd-check-failed.png", tmp_path)

    paste_developer_key(info, config)  # the administrator pastes the JSON
    after = _check(window, dialog, qtbot)
    assert set(after.values()) == {CheckStatus.OK.value}, after
    results = setup.checking.results
    assert all(": OK" in results.item(i).text() for i in range(results.count()))
    assert "is ready" in setup.checking.summary.text()
    save_shot(dialog, "gd-check.png", tmp_path)

    _click(qtbot, setup.checking.done_button)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: window.presenter.connection_name == "bio", timeout=LOAD_TIMEOUT_MS)
    assert setup.pages.currentIndex() == 0  # ready for the next course


def test_a_wrong_address_is_refused_under_its_field(window: MainWindow, qtbot: QtBot,
                                                    tmp_path: Path) -> None:
    dialog = window.open_connections()
    setup = dialog.setup
    setup.name.setText("bio")
    setup.canvas.course_url.setText("https://school.instructure.com/dashboard")
    with qtbot.waitSignal(window.presenter.setup.field_refused, timeout=WAIT_MS) as refused:
        qtbot.keyClick(setup.canvas.course_url, Qt.Key.Key_Return)  # Enter adds
    assert refused.args[0] == "course_url"
    error = setup.canvas.errors["course_url"]
    assert "not a Canvas course address" in error.text() and error.isVisibleTo(dialog)
    assert dialog.isVisible() and setup.pages.currentIndex() == 0
    assert setup.canvas.course_url.text() == "https://school.instructure.com/dashboard"
    assert setup.add_button.isEnabled()
    assert window.presenter.connection_name is None  # nothing was saved
    setup.canvas.advanced.setChecked(True)
    save_shot(dialog, "gd-setup-refused.png", tmp_path)
    setup.canvas.advanced.setChecked(False)

    # Moodle: the address is fine, the tool's type id is not.
    setup.platform_choices["moodle"].setChecked(True)
    setup.moodle.course_url.setText("https://moodle.school.edu/course/view.php?id=42")
    setup.moodle.type_id.setText("five")
    with qtbot.waitSignal(window.presenter.setup.field_refused, timeout=WAIT_MS) as refused:
        _click(qtbot, setup.add_button)
    assert refused.args[0] == "type_id"
    assert setup.moodle.errors["type_id"].isVisibleTo(dialog)
    assert not setup.moodle.errors["course_url"].isVisibleTo(dialog)


def test_the_client_id_can_come_after_the_administrator_made_the_key(
        window: MainWindow, platform: RunningSandbox, qtbot: QtBot, tmp_path: Path) -> None:
    info = platform.info
    dialog = window.open_connections()
    setup = dialog.setup
    setup.name.setText("bio")
    setup.canvas.course_url.setText(info["course_url"])
    with qtbot.waitSignal(window.presenter.setup.course_added, timeout=WAIT_MS):
        _click(qtbot, setup.add_button)
    assert not setup.admin.client_id_box.isHidden()
    paste_developer_key(info, json.loads(setup.admin.config_text.toPlainText()))
    _click(qtbot, setup.admin.next_button)
    with qtbot.waitSignal(window.presenter.setup.check_refused, timeout=WAIT_MS):
        _click(qtbot, setup.checking.check_button)  # no client id yet: says where to enter it
    assert "Client ID field" in setup.checking.summary.text()
    _click(qtbot, setup.checking.done_button)

    # Later, with the client id: Saved connections > Set up… continues where it stopped.
    dialog = window.open_connections()
    qtbot.waitUntil(lambda: dialog.connections.count() == 1, timeout=LOAD_TIMEOUT_MS)
    assert "waiting for the client id" in dialog.connections.item(0).text()
    dialog.connections.setCurrentRow(0)
    with qtbot.waitSignal(window.presenter.setup.admin_setup_loaded, timeout=WAIT_MS):
        _click(qtbot, dialog.set_up_button)
    assert dialog.tabs.currentWidget() is setup and setup.pages.currentIndex() == 1
    assert not setup.admin.client_id_box.isHidden()
    save_shot(dialog, "gd-setup-client-id.png", tmp_path)
    setup.admin.client_id.setText(info["client_id"])
    with qtbot.waitSignal(window.presenter.setup.client_id_saved, timeout=WAIT_MS):
        qtbot.keyClick(setup.admin.client_id, Qt.Key.Key_Return)
    assert "Saved client id" in setup.admin.client_id_message.text()
    _click(qtbot, setup.admin.next_button)
    assert set(_check(window, dialog, qtbot).values()) == {CheckStatus.OK.value}


def test_the_set_up_is_reachable_by_keyboard(window: MainWindow, qtbot: QtBot) -> None:
    """Tab goes from the platform choice through the fields to Add; nothing Enter presses by
    default can remove anything."""
    dialog = window.open_connections()
    dialog.activateWindow()
    setup = dialog.setup
    setup.platform_choices["canvas"].setFocus()
    qtbot.waitUntil(lambda: setup.platform_choices["canvas"].hasFocus(), timeout=5_000)
    seen = []
    for _ in range(12):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    order = [setup.name, setup.canvas.course_url, setup.canvas.client_id,
             setup.canvas.advanced, setup.add_button]
    assert [widget for widget in seen if widget in order][:len(order)] == order
    for button in (dialog.remove_button, dialog.test_button, setup.add_button):
        assert not button.isDefault() and not button.autoDefault()


def test_a_moodle_course_shows_the_tool_settings_to_enter(window: MainWindow, qtbot: QtBot,
                                                          tmp_path: Path) -> None:
    dialog = window.open_connections()
    setup = dialog.setup
    setup.platform_choices["moodle"].setChecked(True)
    assert setup.moodle.course_url.isVisibleTo(dialog)
    assert not setup.canvas.course_url.isVisibleTo(dialog)
    setup.name.setText("maths")
    setup.moodle.course_url.setText("https://moodle.school.edu/course/view.php?id=42")
    setup.moodle.type_id.setText("5")
    with qtbot.waitSignal(window.presenter.setup.course_added, timeout=WAIT_MS) as added:
        _click(qtbot, setup.add_button)
    assert added.args[0].connection.settings["lineitems_url"].endswith("lineitems?type_id=5")
    text = setup.admin.config_text.toPlainText()
    assert "Public key:\n-----BEGIN PUBLIC KEY-----" in text
    assert "LTI version: LTI 1.3" in text
    assert "Manage tools" in setup.admin.where.text()
    assert not setup.admin.client_id_box.isHidden()
    save_shot(dialog, "gd-setup-moodle.png", tmp_path)
