"""The guided set-up's second and third steps: what the administrator pastes (with Copy, and the
client id they give back), and the check of every step with its fix."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from gradedesk.platforms.check import CheckReport, CheckStatus
from gradedesk.platforms.profiles import PlatformKind
from gradedesk.store import SyncState as State
from gradedesk.ui.dialogs.setup_forms import button
from gradedesk.ui.presenter import Presenter
from gradedesk.ui.setup_text import describe_step, in_window_words
from gradedesk.ui.sync_states import state_icon_for
from gradedesk.ui.sync_work import AdminSetup

ADMIN_TITLES = {PlatformKind.CANVAS: "Give this developer key (JSON) to your Canvas administrator",
                PlatformKind.MOODLE: "Give these tool settings to your Moodle administrator"}
# A check step's status drawn with the sync-state icon of the same meaning (shape and word,
# never the colour alone).
_STATUS_LOOKS = {CheckStatus.OK: State.CONFIRMED, CheckStatus.WARNING: State.EDITED,
                 CheckStatus.ERROR: State.FAILED, CheckStatus.SKIPPED: State.CLEAN}


def text_label(parent: QWidget, name: str, text: str = "", *, bold: bool = False) -> QLabel:
    label = QLabel(text, parent)
    label.setAccessibleName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    return label


def _button_row(left: QWidget, right: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(left)
    row.addStretch(1)
    row.addWidget(right)
    return row


class AdminStep(QWidget):
    """Step 2: the configuration in a read-only box, where it goes, and the client id."""

    back_requested = Signal()
    next_requested = Signal()

    def __init__(self, presenter: Presenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.presenter = presenter
        self.connection_name = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = text_label(self, "Administrator step", bold=True)
        self.where = text_label(self, "Where the administrator pastes it")
        self.config_text = QPlainTextEdit(self)
        self.config_text.setReadOnly(True)
        self.config_text.setAccessibleName("Configuration for the administrator")
        self.config_text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.config_text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.config_text.setTabChangesFocus(True)
        self.copy_button = button("&Copy", "Copy the configuration", self)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.copied = text_label(self, "Copy result")
        copy_row = QHBoxLayout()
        copy_row.addWidget(self.copy_button)
        copy_row.addWidget(self.copied, 1)
        layout.addWidget(self.title)
        layout.addWidget(self.where)
        layout.addWidget(self.config_text, 1)
        layout.addLayout(copy_row)
        layout.addWidget(self._client_id_box())
        self.back_button = button("← &Back", "Back to the course", self)
        self.back_button.clicked.connect(self.back_requested)
        self.next_button = button("&Next: check →", "Next: check the connection", self)
        self.next_button.clicked.connect(self.next_requested)
        layout.addLayout(_button_row(self.back_button, self.next_button))
        presenter.setup.client_id_saved.connect(self._on_setup_client_id_saved)
        presenter.setup.client_id_refused.connect(self._on_setup_client_id_refused)

    def _client_id_box(self) -> QWidget:
        self.client_id_box = QWidget(self)
        box = QVBoxLayout(self.client_id_box)
        box.setContentsMargins(0, 6, 0, 0)
        box.addWidget(text_label(self.client_id_box, "Client id needed",
                                 "When the administrator has made the key, enter the client id "
                                 "they give you:"))
        entry = QHBoxLayout()
        self.client_id = QLineEdit(self.client_id_box)
        self.client_id.setAccessibleName("Client ID from the administrator")
        self.client_id.setPlaceholderText("e.g. 10000000000042")
        self.client_id.returnPressed.connect(self.save_client_id)
        self.save_button = button("&Save client id", "Save client id", self.client_id_box)
        self.save_button.clicked.connect(self.save_client_id)
        entry.addWidget(self.client_id, 1)
        entry.addWidget(self.save_button)
        box.addLayout(entry)
        self.client_id_message = text_label(self.client_id_box, "Client id result")
        box.addWidget(self.client_id_message)
        return self.client_id_box

    def show_setup(self, setup: AdminSetup) -> None:
        assert setup.kind is not None  # LTIAAS has nothing to paste
        self.connection_name = setup.connection.name
        title = ADMIN_TITLES.get(setup.kind, "Give this to your platform's administrator")
        self.title.setText(f"{setup.connection.name}: {title}")
        self.where.setText(setup.where)
        self.config_text.setPlainText(setup.text)
        self.copied.clear()
        self.client_id_box.setVisible(setup.needs_client_id)
        self.client_id_message.clear()

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.config_text.toPlainText())
        self.copied.setText("Copied to the clipboard.")

    def save_client_id(self) -> None:
        if self.connection_name:
            self.client_id_message.setText("Saving…")
            self.presenter.setup.set_client_id(self.connection_name, self.client_id.text())

    def _on_setup_client_id_saved(self, setup: AdminSetup) -> None:
        if setup.connection.name == self.connection_name:
            self.client_id_message.setText(
                f"✔ Saved client id {setup.connection.settings.get('client_id')}. Next: check.")
            self.client_id.clear()

    def _on_setup_client_id_refused(self, message: str) -> None:
        self.client_id_message.setText(f"⚠ {message}")


class CheckStep(QWidget):
    """Step 3: Check runs every step on the network lane; each result with icon and word."""

    back_requested = Signal()
    done_requested = Signal()

    def __init__(self, presenter: Presenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.presenter = presenter
        self.connection_name = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.intro = text_label(self, "What the check does")
        check_row = QHBoxLayout()
        self.check_button = button("C&heck", "Check the connection", self)
        self.check_button.clicked.connect(self.check)
        check_row.addWidget(self.check_button)
        check_row.addStretch(1)
        self.results = QListWidget(self)
        self.results.setAccessibleName("Check results")
        self.results.setWordWrap(True)
        self.results.setIconSize(QSize(20, 20))
        self.results.setSpacing(3)
        self.results.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.summary = text_label(self, "Check summary", bold=True)
        layout.addWidget(self.intro)
        layout.addLayout(check_row)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.summary)
        self.back_button = button("← &Back", "Back to the administrator step", self)
        self.back_button.clicked.connect(self.back_requested)
        self.done_button = button("&Done", "Done", self)
        self.done_button.clicked.connect(self.done_requested)
        layout.addLayout(_button_row(self.back_button, self.done_button))
        presenter.setup.check_finished.connect(self._on_setup_check_finished)
        presenter.setup.check_refused.connect(self._on_setup_check_refused)

    def reset(self, name: str) -> None:
        """Ready to check ``name`` (nothing checked yet)."""
        self.connection_name = name
        self.results.clear()
        self.summary.clear()
        self.check_button.setEnabled(True)
        self.intro.setText(f"Check {name or 'the connection'}: GradeDesk signs in, then reads "
                           "the columns, the students and one page of grades, and says what to "
                           "fix.")

    def check(self) -> None:
        if not self.connection_name:
            return
        self.results.clear()
        if self.presenter.setup.check(self.connection_name):
            self.summary.setText(f"Checking {self.connection_name}…")
            self.check_button.setEnabled(False)
        else:
            self.summary.setText("⚠ Another job is running (see the status bar): check again "
                                 "when it has finished.")

    def _on_setup_check_finished(self, name: str, report: CheckReport) -> None:
        if name != self.connection_name:
            return
        self.check_button.setEnabled(True)
        self.results.clear()
        for step in report.steps:
            self.results.addItem(QListWidgetItem(state_icon_for(_STATUS_LOOKS[step.status]),
                                                 describe_step(step)))
        self.summary.setText(
            f"✔ {name} is ready: pull (F5) to fetch the course." if report.ok else
            f"⚠ {name} is not ready yet: follow the fix of the first failed step, then check "
            "again.")

    def _on_setup_check_refused(self, name: str, message: str) -> None:
        if name == self.connection_name:
            self.check_button.setEnabled(True)
            self.summary.setText(f"⚠ {in_window_words(message)}")
