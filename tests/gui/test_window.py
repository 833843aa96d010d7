"""The window as a whole: accessible names, the legend, connections, window state kept."""

from __future__ import annotations

import json
from pathlib import Path

from gui_support import SandboxCourse
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QTabBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from conftest import LOAD_TIMEOUT_MS, WindowFactory
from gradedesk.store import SyncState
from gradedesk.ui.navigation import NavTarget
from gradedesk.ui.sync_states import LOOKS
from gradedesk.ui.views.main_window import GRADEBOOK_MODE, MainWindow

_CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView, QProgressBar,
             QPlainTextEdit)


def _inside_combo_box(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox):
            return True
        parent = parent.parentWidget()
    return False


def _unnamed_controls(root: QWidget) -> list[str]:
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, _CONTROLS) or isinstance(widget, QHeaderView):
            continue
        parent = widget.parentWidget()
        if _inside_combo_box(widget):
            continue  # a combo box's popup list: the combo box carries the name
        # Qt's own parts (scroll-bar corners, a table's corner button, a tab bar's scrollers,
        # a combo box's popup, a line edit's clear button) are named by Qt itself.
        qt_part = isinstance(parent, QTabBar | QComboBox | QLineEdit)
        if widget.objectName().startswith("qt_") or qt_part \
                or (parent is not None and parent.objectName().startswith("qt_")) \
                or type(widget).__name__ in ("QComboBoxListView", "QToolBarExtension"):
            continue
        if isinstance(parent, QAbstractItemView) and isinstance(widget, QAbstractButton):
            continue  # the table's corner button
        if not widget.accessibleName():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} "
                           f"text={getattr(widget, 'text', lambda: '')()!r}")
    return missing


def test_every_control_has_an_accessible_name(window: MainWindow, qtbot: QtBot) -> None:
    window.open_connections()
    window.show_legend()
    window.presenter.load_conflicts(open_dialog=True)
    qtbot.waitUntil(lambda: window.dialogs.conflicts is not None, timeout=5_000)
    assert window.open_grading_mode() is window.grading  # a page of the window: checked there
    new_column = window.column_commands.new_column()
    assert _unnamed_controls(window) == []
    for dialog in (window.dialogs.connections, window.dialogs.conflicts,
                   window.dialogs.legend, new_column):
        assert dialog is not None
        assert _unnamed_controls(dialog) == [], type(dialog).__name__


def test_sync_state_is_never_colour_alone(window: MainWindow) -> None:
    labels = {LOOKS[state].label for state in SyncState}
    assert len(labels) == len(SyncState)  # a distinct word for every state
    legend_words = {label.text() for label in window.legend.findChildren(
        type(window.title)) if label.text()}
    assert labels <= legend_words
    model = window.line_model
    index = model.index(0, 2)
    assert index.data() in labels
    assert not index.data(Qt.ItemDataRole.DecorationRole).isNull()  # and an icon


def test_connections_dialog_adds_copies_and_tests(window: MainWindow, course: SandboxCourse,
                                                  qtbot: QtBot, tmp_path: Path) -> None:
    dialog = window.open_connections()
    assert dialog.connections.count() == 1
    dialog.connections.setCurrentRow(0)
    with qtbot.waitSignal(window.presenter.connection_tested, timeout=30_000) as tested:
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert tested.args[1] is True and "4 line items" in dialog.outcome.text()
    setup = dialog.setup
    assert dialog.tabs.currentWidget() is setup  # connecting a course comes first
    setup.platform_choices["other"].setChecked(True)
    setup.name.setText("Second course")
    for key in ("issuer", "client_id", "deployment_id", "token_url", "lineitems_url",
                "nrps_url"):
        setup.other.fields[key].setText(str(course.info[key]))
    assert setup.other.generate_key.isChecked()
    with qtbot.waitSignal(window.presenter.setup.admin_setup_loaded, timeout=30_000):
        qtbot.mouseClick(setup.add_button, Qt.MouseButton.LeftButton)
    document = json.loads(setup.admin.config_text.toPlainText())
    jwk = document["public_jwk"]  # Canvas's URLs: Canvas's developer key JSON
    assert jwk["kty"] == "RSA" and "d" not in jwk
    qtbot.mouseClick(setup.admin.copy_button, Qt.MouseButton.LeftButton)
    assert json.loads(QGuiApplication.clipboard().text()) == document
    qtbot.waitUntil(lambda: dialog.connections.count() == 2, timeout=LOAD_TIMEOUT_MS)
    # A bad setting is refused with the reason, and nothing is saved.
    setup.show_step(0)
    setup.name.setText("Broken")
    setup.other.fields["token_url"].setText("ftp://nowhere")
    with qtbot.waitSignal(window.presenter.error_raised, timeout=30_000):
        qtbot.mouseClick(setup.add_button, Qt.MouseButton.LeftButton)
    assert setup.error.text().startswith("⚠")
    assert setup.name.text() == "Broken"  # what was typed stays
    setup.platform_choices["ltiaas"].setChecked(True)
    setup.name.setText("Via LTIAAS")
    setup.ltiaas.url.setText(str(course.info["ltiaas_url"]))
    setup.ltiaas.api_key.setText(str(course.info["ltiaas_api_key"]))
    setup.ltiaas.service_key.setText(str(course.info["ltiaas_service_key"]))
    with qtbot.waitSignal(window.presenter.connection_added, timeout=30_000):
        qtbot.mouseClick(setup.add_button, Qt.MouseButton.LeftButton)
    assert setup.ltiaas.api_key.text() == ""  # no secret lingers in the form
    assert setup.pages.currentIndex() == 2  # LTIAAS: nothing to paste, straight to the check
    # Import the sandbox course's own key from a PEM file: the new connection then works.
    pem = tmp_path / "tool.pem"
    pem.write_bytes(course.pem)
    setup.show_step(0)
    setup.platform_choices["other"].setChecked(True)
    setup.name.setText("Imported key")
    setup.other.fields["token_url"].setText(str(course.info["token_url"]))
    setup.other.key_path.setText(str(pem))
    setup.other.import_key.setChecked(True)
    with qtbot.waitSignal(window.presenter.connection_added, timeout=30_000):
        qtbot.mouseClick(setup.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.connections.count() == 4, timeout=LOAD_TIMEOUT_MS)
    imported = next(i for i in range(dialog.connections.count())
                    if dialog.connections.item(i).text().startswith("Imported key"))
    dialog.connections.setCurrentRow(imported)
    with qtbot.waitSignal(window.presenter.connection_tested, timeout=30_000) as tested:
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert tested.args[1] is True, tested.args[2]


def test_window_state_and_last_view_are_kept(window: MainWindow, make_window: WindowFactory,
                                             qtbot: QtBot) -> None:
    connection = window.presenter.connection
    assert connection is not None and window.overview is not None
    second = window.overview.line_items[connection.id][1]
    with qtbot.waitSignal(window.view_ready, timeout=LOAD_TIMEOUT_MS):
        window.open_target(NavTarget(connection.name, second.url))
    window.resize(760, 640)  # within the offscreen screen (800 x 800): restored unclamped
    window.window_actions.toggle_detail.setChecked(False)
    closed_size = window.size()  # the resize may have stopped at the window's minimum width
    window.close()
    again = make_window(restore=True)
    again.show()
    with qtbot.waitSignal(again.view_ready, timeout=LOAD_TIMEOUT_MS):
        again.start()
    qtbot.waitUntil(lambda: again.line_model.line_item is not None, timeout=LOAD_TIMEOUT_MS)
    assert again.line_model.line_item.url == second.url  # type: ignore[union-attr]
    assert not again.detail.isVisible()
    assert again.size() == closed_size
    with qtbot.waitSignal(again.view_ready, timeout=LOAD_TIMEOUT_MS):
        again.window_actions.gradebook_view.trigger()
    assert again.mode == GRADEBOOK_MODE
