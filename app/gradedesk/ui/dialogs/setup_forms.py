"""The first step's forms, one per platform: Canvas and Moodle from a course address, any other
AGS platform from every URL its registration page shows, and LTIAAS. A refused value's message
appears under its field; what was typed stays."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gradedesk.ui.sync_states import warning_color

CANVAS_EXAMPLE = "https://school.instructure.com/courses/7"
MOODLE_EXAMPLE = "https://moodle.school.edu/course/view.php?id=42"
CLIENT_ID_HINT = "optional: from your administrator (you can enter it later)"

LTI_FIELDS = (
    ("issuer", "Issuer", "https://platform.example.edu"),
    ("client_id", "Client ID", "10000000000042"),
    ("deployment_id", "Deployment ID", "optional, e.g. 7:abc…"),
    ("token_url", "Token URL", "https://platform.example.edu/oauth2/token"),
    ("audience", "Audience", "optional: the token URL unless the platform says otherwise"),
    ("lineitems_url", "Line items URL", "https://platform.example.edu/ags/7/lineitems"),
    ("nrps_url", "Names and Roles URL",
     "optional, e.g. https://platform.example.edu/nrps/7/memberships"),
)


class WrappedLabel(QLabel):
    """A word-wrapped label as tall as its text at its real width: a form layout asks only
    for the size hint, which QLabel answers for a narrow guess (a tall, mostly empty row)."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if self.wordWrap() and self.width() > 0:
            return QSize(hint.width(), self.heightForWidth(self.width()))
        return hint

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint() if self.wordWrap() and self.width() > 0 \
            else super().minimumSizeHint()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # the height follows the new width


def line_edit(parent: QWidget, name: str, placeholder: str = "", *,
              secret: bool = False) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setAccessibleName(name)
    edit.setPlaceholderText(placeholder)
    if secret:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


def button(text: str, name: str, parent: QWidget) -> QPushButton:
    """A push button Enter never presses by accident (no auto-default in a dialog)."""
    made = QPushButton(text, parent)
    made.setAccessibleName(name)
    made.setAutoDefault(False)
    return made


class FieldForm(QWidget):
    """A form whose fields can each show the core's message underneath."""

    submitted = Signal()  # Enter in a field

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(self.form)
        outer.addStretch(1)  # a short form stays at the top of a tall page
        self.errors: dict[str, QLabel] = {}

    def labels(self) -> list[QLabel]:
        """The row labels, so that forms shown one above the other can line up."""
        found: list[QLabel] = []
        for row in range(self.form.rowCount()):
            item = self.form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            label = item.widget() if item is not None else None
            if isinstance(label, QLabel) and label.text():
                found.append(label)
        return found

    def add_field(self, key: str, label: str, edit: QLineEdit) -> QLineEdit:
        """A row for ``edit`` and, under it, a hidden row for what is wrong with it."""
        self.form.addRow(label, edit)
        error = WrappedLabel(self)
        error.setAccessibleName(f"{edit.accessibleName()}: problem")
        error.setWordWrap(True)
        error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        error.setStyleSheet(f"color: {warning_color().name()};")
        self.form.addRow("", error)
        self.form.setRowVisible(error, False)
        self.errors[key] = error
        edit.returnPressed.connect(self.submitted)
        return edit

    def show_error(self, key: str, message: str) -> bool:
        """Show ``message`` under the field ``key``; False when there is no such field."""
        error = self.errors.get(key)
        if error is None:
            return False
        error.setText(f"⚠ {message}")
        self.form.setRowVisible(error, True)
        return True

    def clear_errors(self) -> None:
        for error in self.errors.values():
            error.clear()
            self.form.setRowVisible(error, False)


class CanvasForm(FieldForm):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.course_url = self.add_field(
            "course_url", "Course &address",
            line_edit(self, "Canvas course address", CANVAS_EXAMPLE))
        self.course_url.setToolTip("Open the course in your browser and copy its address.")
        self.client_id = self.add_field("client_id", "Client &ID",
                                        line_edit(self, "Canvas client ID", CLIENT_ID_HINT))
        self.advanced = QToolButton(self)
        self.advanced.setText("Advanced")
        self.advanced.setAccessibleName("Show advanced settings")
        self.advanced.setCheckable(True)
        self.advanced.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced.setAutoRaise(True)
        self.advanced.toggled.connect(self._on_advanced_toggled)
        self.form.addRow("", self.advanced)
        self.issuer = self.add_field(
            "issuer", "Iss&uer", line_edit(self, "Canvas issuer",
                                           "https://canvas.instructure.com (self-hosted: yours)"))
        self.form.setRowVisible(self.issuer, False)

    def _on_advanced_toggled(self, shown: bool) -> None:
        self.advanced.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.advanced.setAccessibleName("Hide advanced settings" if shown
                                        else "Show advanced settings")
        self.form.setRowVisible(self.issuer, shown)
        if not shown and self.errors["issuer"].text():
            self.form.setRowVisible(self.errors["issuer"], False)

    def show_error(self, key: str, message: str) -> bool:
        if key == "issuer" and not self.advanced.isChecked():
            self.advanced.setChecked(True)  # the field in question must be in sight
        return super().show_error(key, message)


class MoodleForm(FieldForm):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.course_url = self.add_field(
            "course_url", "Course &address",
            line_edit(self, "Moodle course address", MOODLE_EXAMPLE))
        self.course_url.setToolTip("Open the course in your browser and copy its address.")
        self.type_id = self.add_field(
            "type_id", "Tool &type id",
            line_edit(self, "Moodle tool type id",
                      "the id= in the address of the external tool's settings page"))
        self.client_id = self.add_field("client_id", "Client &ID",
                                        line_edit(self, "Moodle client ID", CLIENT_ID_HINT))


class OtherForm(FieldForm):
    """Any AGS platform: every URL its registration page shows (today's full form)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields: dict[str, QLineEdit] = {}
        for key, label, placeholder in LTI_FIELDS:
            self.fields[key] = self.add_field(key, label, line_edit(self, label, placeholder))
        self.generate_key = QRadioButton("Generate a new key pair", self)
        self.generate_key.setAccessibleName("Generate a new key pair")
        self.generate_key.setChecked(True)
        self.import_key = QRadioButton("Import a PEM private key:", self)
        self.import_key.setAccessibleName("Import a PEM private key")
        group = QButtonGroup(self)
        group.addButton(self.generate_key)
        group.addButton(self.import_key)
        self.key_path = line_edit(self, "PEM key file", "/path/to/tool-key.pem")
        self.browse = button("Browse…", "Browse for a PEM key file", self)
        self.browse.clicked.connect(self._on_browse_clicked)
        key_row = QHBoxLayout()
        key_row.addWidget(self.import_key)
        key_row.addWidget(self.key_path, 1)
        key_row.addWidget(self.browse)
        self.form.addRow("Key", self.generate_key)
        self.form.addRow("", key_row)
        self.key_path.textEdited.connect(lambda _t: self.import_key.setChecked(True))

    def settings(self) -> dict[str, str | None]:
        return {key: edit.text().strip() or None for key, edit in self.fields.items()}

    def _on_browse_clicked(self) -> None:
        dialog = QFileDialog(self, "Choose the tool's private key (PEM)")
        dialog.setNameFilter("PEM keys (*.pem *.key);;All files (*)")
        dialog.fileSelected.connect(self._on_key_file_selected)
        dialog.open()

    def _on_key_file_selected(self, path: str) -> None:
        self.key_path.setText(path)
        self.import_key.setChecked(True)


class LtiaasForm(FieldForm):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.url = self.add_field("url", "&URL",
                                  line_edit(self, "LTIAAS URL", "https://your-tool.ltiaas.com"))
        self.api_key = self.add_field("api_key", "API &key",
                                      line_edit(self, "LTIAAS API key", secret=True))
        self.service_key = self.add_field("service_key", "&Service key",
                                          line_edit(self, "LTIAAS service key", secret=True))
