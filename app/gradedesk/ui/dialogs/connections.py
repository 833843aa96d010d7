"""Connections: add an LTI Advantage or LTIAAS connection, copy the tool's public JWK, test,
remove. Keys go to the OS keyring through the presenter; nothing secret stays in a widget
after it is saved."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gradedesk.bootstrap import NewConnection, is_sandbox
from gradedesk.store import ConnectionRow
from gradedesk.ui.loaders import Overview
from gradedesk.ui.presenter import Presenter

LTI_FIELDS = (
    ("issuer", "Issuer", "https://canvas.instructure.com"),
    ("client_id", "Client ID", "10000000000001"),
    ("deployment_id", "Deployment ID", "123:abc…"),
    ("token_url", "Token URL", "https://sso.canvaslms.com/login/oauth2/token"),
    ("audience", "Audience (optional)", "defaults to the token URL"),
    ("lineitems_url", "Line items URL", "https://school.instructure.com/api/lti/courses/1/line_items"),
    ("nrps_url", "Names and Roles URL", "https://school.instructure.com/api/lti/courses/1/names_and_roles"),
)


def _line_edit(parent: QWidget, name: str, placeholder: str = "", *,
               secret: bool = False) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setAccessibleName(name)
    edit.setPlaceholderText(placeholder)
    if secret:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class ConnectionsDialog(QDialog):
    test_requested = Signal(str)

    def __init__(self, presenter: Presenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.presenter = presenter
        self.setWindowTitle("Connections")
        self.setAccessibleName("Connections")
        self.setModal(False)
        self.resize(720, 620)
        layout = QVBoxLayout(self)

        existing = QHBoxLayout()
        self.connections = QListWidget(self)
        self.connections.setAccessibleName("Saved connections")
        self.connections.setMaximumHeight(self.fontMetrics().height() * 6)
        side = QVBoxLayout()
        self.test_button = QPushButton("Test connection", self)
        self.test_button.setAccessibleName("Test the selected connection")
        self.test_button.clicked.connect(self._on_test_button_clicked)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setAccessibleName("Remove the selected connection")
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        side.addWidget(self.test_button)
        side.addWidget(self.remove_button)
        side.addStretch(1)
        existing.addWidget(self.connections, 1)
        existing.addLayout(side)
        layout.addLayout(existing)

        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Connection kind")
        self.tabs.addTab(self._lti_tab(), "LTI Advantage (Canvas, any AGS platform)")
        self.tabs.addTab(self._ltiaas_tab(), "LTIAAS")
        layout.addWidget(self.tabs, 1)

        self.outcome = QLabel(self)
        self.outcome.setAccessibleName("Connection result")
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.jwk = QPlainTextEdit(self)
        self.jwk.setReadOnly(True)
        self.jwk.setAccessibleName("Public JWK")
        self.jwk.setPlaceholderText("The tool's public key (JWK) appears here after saving: "
                                    "paste it into the platform's developer key.")
        self.jwk.setFixedHeight(self.fontMetrics().height() * 4 + 12)
        self.copy_button = QPushButton("Copy public JWK", self)
        self.copy_button.setAccessibleName("Copy public JWK")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.close_button = QPushButton("Close", self)
        self.close_button.setAccessibleName("Close connections")
        self.close_button.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.copy_button)
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        layout.addWidget(self.outcome)
        layout.addWidget(self.jwk)
        layout.addLayout(bottom)

        presenter.overview_loaded.connect(self.show_overview)
        presenter.connection_added.connect(self._on_presenter_connection_added)
        presenter.connection_tested.connect(self._on_presenter_connection_tested)
        presenter.error_raised.connect(self._on_presenter_error_raised)
        self.connections.currentItemChanged.connect(self._update_buttons)
        self._update_buttons()

    # --- tabs -----------------------------------------------------------------------------

    def _lti_tab(self) -> QWidget:
        tab = QWidget(self)
        form = QFormLayout(tab)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.lti_name = _line_edit(tab, "Connection name", "e.g. BIO-101 Fall")
        form.addRow("Name", self.lti_name)
        self.lti_fields: dict[str, QLineEdit] = {}
        for key, label, placeholder in LTI_FIELDS:
            edit = _line_edit(tab, label, placeholder)
            self.lti_fields[key] = edit
            form.addRow(label, edit)
        self.generate_key = QRadioButton("Generate a new key pair", tab)
        self.generate_key.setAccessibleName("Generate a new key pair")
        self.generate_key.setChecked(True)
        self.import_key = QRadioButton("Import a PEM private key:", tab)
        self.import_key.setAccessibleName("Import a PEM private key")
        group = QButtonGroup(tab)
        group.addButton(self.generate_key)
        group.addButton(self.import_key)
        self.key_path = _line_edit(tab, "PEM key file", "/path/to/tool-key.pem")
        browse = QPushButton("Browse…", tab)
        browse.setAccessibleName("Browse for a PEM key file")
        browse.clicked.connect(self._on_browse_clicked)
        key_row = QHBoxLayout()
        key_row.addWidget(self.import_key)
        key_row.addWidget(self.key_path, 1)
        key_row.addWidget(browse)
        form.addRow("Key", self.generate_key)
        form.addRow("", key_row)
        self.key_path.textEdited.connect(lambda _t: self.import_key.setChecked(True))
        self.lti_save = QPushButton("Save connection", tab)
        self.lti_save.setAccessibleName("Save LTI Advantage connection")
        self.lti_save.clicked.connect(self.save_lti)
        form.addRow("", self.lti_save)
        return tab

    def _ltiaas_tab(self) -> QWidget:
        tab = QWidget(self)
        form = QFormLayout(tab)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.ltiaas_name = _line_edit(tab, "LTIAAS connection name", "e.g. BIO-101 via LTIAAS")
        self.ltiaas_url = _line_edit(tab, "LTIAAS URL", "https://your-tool.ltiaas.com")
        self.ltiaas_api_key = _line_edit(tab, "LTIAAS API key", secret=True)
        self.ltiaas_service_key = _line_edit(tab, "LTIAAS service key", secret=True)
        form.addRow("Name", self.ltiaas_name)
        form.addRow("URL", self.ltiaas_url)
        form.addRow("API key", self.ltiaas_api_key)
        form.addRow("Service key", self.ltiaas_service_key)
        self.ltiaas_save = QPushButton("Save connection", tab)
        self.ltiaas_save.setAccessibleName("Save LTIAAS connection")
        self.ltiaas_save.clicked.connect(self.save_ltiaas)
        form.addRow("", self.ltiaas_save)
        return tab

    # --- actions --------------------------------------------------------------------------

    def save_lti(self) -> None:
        settings = {key: edit.text().strip() or None for key, edit in self.lti_fields.items()}
        path = self.key_path.text().strip()
        if self.import_key.isChecked() and not path:
            self.outcome.setText("⚠ Choose a PEM key file, or generate a new key.")
            return
        self.outcome.setText("Saving…")
        self.presenter.add_lti_connection(
            self.lti_name.text(), settings,
            private_key_file=Path(path).expanduser() if self.import_key.isChecked() else None,
            generate_key=self.generate_key.isChecked())

    def save_ltiaas(self) -> None:
        self.outcome.setText("Saving…")
        self.presenter.add_ltiaas_connection(
            self.ltiaas_name.text(), self.ltiaas_url.text(),
            api_key=self.ltiaas_api_key.text(), service_key=self.ltiaas_service_key.text())

    def show_overview(self, overview: Overview) -> None:
        current = self._selected_name()
        self.connections.clear()
        for row in overview.connections:
            item = QListWidgetItem(self._describe(row))
            item.setData(Qt.ItemDataRole.UserRole, row.name)
            self.connections.addItem(item)
            if row.name == current:
                self.connections.setCurrentItem(item)
        self._update_buttons()

    @staticmethod
    def _describe(row: ConnectionRow) -> str:
        kind = "LTIAAS" if row.kind.value == "ltiaas" else "LTI Advantage"
        where = row.settings.get("issuer") or row.settings.get("url") or ""
        badge = " [sandbox]" if is_sandbox(row) else ""
        return f"{row.name}{badge} — {kind}, {where}"

    def _selected_name(self) -> str | None:
        item = self.connections.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return value if isinstance(value, str) else None

    def _update_buttons(self, *_: object) -> None:
        selected = self._selected_name() is not None
        self.test_button.setEnabled(selected)
        self.remove_button.setEnabled(selected)

    def _on_test_button_clicked(self) -> None:
        name = self._selected_name()
        if name is not None:
            self.outcome.setText(f"Testing {name}…")
            self.presenter.test_connection(name)

    def _on_remove_button_clicked(self) -> None:
        name = self._selected_name()
        if name is not None:
            self.presenter.remove_connection(name)

    def _on_browse_clicked(self) -> None:
        dialog = QFileDialog(self, "Choose the tool's private key (PEM)")
        dialog.setNameFilter("PEM keys (*.pem *.key);;All files (*)")
        dialog.fileSelected.connect(self._on_key_file_selected)
        dialog.open()

    def _on_key_file_selected(self, path: str) -> None:
        self.key_path.setText(path)
        self.import_key.setChecked(True)

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.jwk.toPlainText())
        self.outcome.setText("Public JWK copied to the clipboard.")

    def _on_presenter_connection_added(self, added: NewConnection) -> None:
        self.outcome.setText(f"Saved {added.row.name}. Its keys are in the OS keyring.")
        for edit in (self.ltiaas_api_key, self.ltiaas_service_key):
            edit.clear()  # secrets do not linger in widgets
        if added.public_jwk is not None:
            self.jwk.setPlainText(json.dumps(added.jwks, indent=2))
            self.copy_button.setEnabled(True)
        else:
            self.jwk.clear()
            self.copy_button.setEnabled(False)

    def _on_presenter_connection_tested(self, name: str, ok: bool, message: str) -> None:
        self.outcome.setText(f"{'✔' if ok else '⚠'} {name}: {message}")

    def _on_presenter_error_raised(self, title: str, message: str) -> None:
        if self.isVisible() and (title.startswith("Adding connection") or
                                 title.startswith("Removing connection") or
                                 title.startswith("Testing")):
            self.outcome.setText(f"⚠ {message}")
