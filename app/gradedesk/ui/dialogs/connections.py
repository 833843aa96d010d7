"""Connections: first, connect a course (the guided set-up, see course_setup.py); then the saved
connections, to test, continue setting up, or remove. Keys go to the OS keyring through the
presenter; nothing secret stays in a widget after it is saved."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gradedesk.platforms.profiles import profile_of
from gradedesk.store import ConnectionKind, ConnectionRow
from gradedesk.store.connections import is_sandbox
from gradedesk.ui.dialogs.course_setup import CourseSetup
from gradedesk.ui.dialogs.setup_forms import button
from gradedesk.ui.loaders import Overview
from gradedesk.ui.presenter import Presenter

CONNECT_TAB, SAVED_TAB = 0, 1


class ConnectionsDialog(QDialog):
    course_ready = Signal(str)  # a connection the guided set-up finished with (Done)

    def __init__(self, presenter: Presenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.presenter = presenter
        self.setWindowTitle("Connections")
        self.setAccessibleName("Connections")
        self.setModal(False)
        self.resize(760, 680)
        layout = QVBoxLayout(self)

        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Connections")
        self.setup = CourseSetup(presenter, self.tabs)
        self.setup.finished.connect(self._on_setup_finished)
        self.tabs.addTab(self.setup, "Connect a course")
        self.tabs.addTab(self._saved_tab(), "Saved connections")
        layout.addWidget(self.tabs, 1)

        self.outcome = QLabel(self)
        self.outcome.setAccessibleName("Connection result")
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = button("Close", "Close connections", self)
        self.close_button.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.outcome, 1)
        bottom.addWidget(self.close_button)
        layout.addLayout(bottom)

        presenter.overview_loaded.connect(self.show_overview)
        presenter.connection_tested.connect(self._on_presenter_connection_tested)
        presenter.error_raised.connect(self._on_presenter_error_raised)
        self.connections.currentItemChanged.connect(self._update_buttons)
        self._update_buttons()

    def _saved_tab(self) -> QWidget:
        tab = QWidget(self)
        row = QHBoxLayout(tab)
        self.connections = QListWidget(tab)
        self.connections.setAccessibleName("Saved connections")
        side = QVBoxLayout()
        self.test_button = button("&Test connection", "Test the selected connection", tab)
        self.test_button.setToolTip("A quick test: list the columns and the students")
        self.test_button.clicked.connect(self._on_test_button_clicked)
        self.set_up_button = button("&Set up…", "Continue setting up the selected connection",
                                    tab)
        self.set_up_button.setToolTip("What the administrator pastes, the client id, and a "
                                      "check of every step")
        self.set_up_button.clicked.connect(self._on_set_up_button_clicked)
        self.remove_button = button("&Remove", "Remove the selected connection", tab)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        side.addWidget(self.test_button)
        side.addWidget(self.set_up_button)
        side.addStretch(1)
        side.addWidget(self.remove_button)  # apart from the others: it forgets local data
        row.addWidget(self.connections, 1)
        row.addLayout(side)
        return tab

    def show_overview(self, overview: Overview) -> None:
        current = self._selected_name()
        self.connections.clear()
        for row in overview.connections:
            item = QListWidgetItem(self._describe(row))
            item.setData(Qt.ItemDataRole.UserRole, row.name)
            self.connections.addItem(item)
            if row.name == current:
                self.connections.setCurrentItem(item)
        self.tabs.setTabText(SAVED_TAB, f"Saved connections ({len(overview.connections)})")
        self._update_buttons()

    @staticmethod
    def _describe(row: ConnectionRow) -> str:
        kind = "LTIAAS" if row.kind is ConnectionKind.LTIAAS else profile_of(row.settings).title
        where = row.settings.get("course_url") or row.settings.get("issuer") or \
            row.settings.get("url") or ""
        badge = " [sandbox]" if is_sandbox(row) else ""
        waiting = " — waiting for the client id" if row.kind is ConnectionKind.LTI and \
            not row.settings.get("client_id") else ""
        return f"{row.name}{badge} — {kind}, {where}{waiting}"

    def _selected_name(self) -> str | None:
        item = self.connections.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return value if isinstance(value, str) else None

    def _update_buttons(self, *_: object) -> None:
        selected = self._selected_name() is not None
        for control in (self.test_button, self.set_up_button, self.remove_button):
            control.setEnabled(selected)

    def _on_test_button_clicked(self) -> None:
        name = self._selected_name()
        if name is not None:
            self.outcome.setText(f"Testing {name}…")
            self.presenter.test_connection(name)

    def _on_set_up_button_clicked(self) -> None:
        name = self._selected_name()
        if name is not None:
            self.tabs.setCurrentIndex(CONNECT_TAB)
            self.setup.set_up(name)

    def _on_remove_button_clicked(self) -> None:
        name = self._selected_name()
        if name is not None:
            self.presenter.remove_connection(name)

    def _on_setup_finished(self, name: str) -> None:
        self.close()
        if name:
            self.course_ready.emit(name)

    def _on_presenter_connection_tested(self, name: str, ok: bool, message: str) -> None:
        self.outcome.setText(f"{'✔' if ok else '⚠'} {name}: {message}")

    def _on_presenter_error_raised(self, title: str, message: str) -> None:
        if self.isVisible() and (title.startswith("Removing connection") or
                                 title.startswith("Testing")):
            self.outcome.setText(f"⚠ {message}")
