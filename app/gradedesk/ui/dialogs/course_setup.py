"""Connect a course in three steps: (1) the platform and the course's address, (2) what the
administrator pastes, and the client id they give back, (3) a check of every step, each
failure with its fix (steps 2 and 3: setup_steps.py). Everything slow runs on the presenter's
lanes; the forms keep what was typed when something is refused."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gradedesk.platforms.profiles import PlatformKind
from gradedesk.store import ConnectionKind
from gradedesk.ui.dialogs.setup_forms import (
    CanvasForm,
    FieldForm,
    LtiaasForm,
    MoodleForm,
    OtherForm,
    button,
    line_edit,
)
from gradedesk.ui.dialogs.setup_steps import AdminStep, CheckStep, text_label
from gradedesk.ui.presenter import Presenter
from gradedesk.ui.sync_work import AdminSetup, CourseForm

if TYPE_CHECKING:
    from gradedesk.bootstrap import NewConnection

PLATFORMS = (("canvas", "&Canvas"), ("moodle", "&Moodle"), ("other", "&Other AGS platform"),
             ("ltiaas", "&LTIAAS"))
STEPS = ("Course", "Administrator", "Check")
COURSE_STEP, ADMIN_STEP, CHECK_STEP = range(3)
_COURSE_NEEDS = ("You need the course's address (copy it from your browser) and, from your "
                 "administrator, a client id: it can come later. GradeDesk makes its own key "
                 "pair; the private key goes straight into your OS keyring.")
NEEDS = {"canvas": _COURSE_NEEDS,
         "moodle": _COURSE_NEEDS + " Moodle also needs the external tool's type id.",
         "other": "Brightspace, Blackboard, Open edX, …: every value the platform's LTI 1.3 "
                  "registration page shows.",
         "ltiaas": "Your LTIAAS address and its API and service keys (they go to the OS "
                   "keyring)."}


class CourseSetup(QWidget):
    finished = Signal(str)  # the connection set up ("" when none), on Done

    def __init__(self, presenter: Presenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.presenter = presenter
        self.setAccessibleName("Connect a course")
        self.connection_name = ""  # the connection being set up
        self._adding = False
        self.setup: AdminSetup | None = None
        layout = QVBoxLayout(self)
        self.steps = text_label(self, "Set-up step")
        layout.addWidget(self.steps)
        self.pages = QStackedWidget(self)
        self.pages.setAccessibleName("Set-up steps")
        self.admin = AdminStep(presenter, self.pages)
        self.admin.back_requested.connect(lambda: self.show_step(COURSE_STEP))
        self.admin.next_requested.connect(lambda: self.show_step(CHECK_STEP))
        self.checking = CheckStep(presenter, self.pages)
        self.checking.back_requested.connect(self._on_checking_back_requested)
        self.checking.done_requested.connect(self._on_checking_done_requested)
        self.pages.addWidget(self._course_page())
        self.pages.addWidget(self.admin)
        self.pages.addWidget(self.checking)
        layout.addWidget(self.pages, 1)
        self.show_step(COURSE_STEP)

        setup = presenter.setup
        setup.course_added.connect(self._on_setup_course_added)
        setup.field_refused.connect(self._on_setup_field_refused)
        setup.admin_setup_loaded.connect(self._on_setup_admin_setup_loaded)
        presenter.connection_added.connect(self._on_presenter_connection_added)
        presenter.error_raised.connect(self._on_presenter_error_raised)

    # --- step 1: the platform and the course --------------------------------------------------

    def _course_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(text_label(page, "Which platform", "Which platform is your course on?"))
        choices = QHBoxLayout()
        self.platform_group = QButtonGroup(page)
        self.platform_choices: dict[str, QRadioButton] = {}
        for index, (key, text) in enumerate(PLATFORMS):
            choice = QRadioButton(text, page)
            choice.setAccessibleName(text.replace("&", ""))
            self.platform_group.addButton(choice, index)
            self.platform_choices[key] = choice
            choices.addWidget(choice)
        choices.addStretch(1)
        layout.addLayout(choices)
        self.needs = text_label(page, "What you need")
        layout.addWidget(self.needs)

        self.name_form = FieldForm(page)
        self.name = self.name_form.add_field("name", "&Name",
                                             line_edit(page, "Connection name",
                                                       "e.g. BIO-101 Fall"))
        layout.addWidget(self.name_form)
        self.canvas = CanvasForm(page)
        self.moodle = MoodleForm(page)
        self.other = OtherForm(page)
        self.ltiaas = LtiaasForm(page)
        # One form shows at a time; hidden ones take no room, so Add follows the fields.
        self.forms: tuple[FieldForm, ...] = (self.canvas, self.moodle, self.other, self.ltiaas)
        for form in self.forms:
            form.setAccessibleName("Course details")
            form.submitted.connect(self.add_course)
            form.hide()
            layout.addWidget(form)
        self.name_form.submitted.connect(self.add_course)
        self.error = text_label(page, "Why the course was not added")
        layout.addWidget(self.error)
        row = QHBoxLayout()
        row.addStretch(1)
        self.add_button = button("Add course", "Add course", page)
        self.add_button.clicked.connect(self.add_course)
        row.addWidget(self.add_button)
        layout.addLayout(row)
        layout.addStretch(1)
        # One label column for the name and whichever form shows below it.
        labels = [label for form in (self.name_form, self.canvas, self.moodle, self.other,
                                     self.ltiaas) for label in form.labels()]
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(width)
        self.platform_group.idToggled.connect(self._on_platform_group_id_toggled)
        self.platform_choices["canvas"].setChecked(True)
        return page

    @property
    def platform(self) -> str:
        return PLATFORMS[max(0, self.platform_group.checkedId())][0]

    def _on_platform_group_id_toggled(self, index: int, checked: bool) -> None:
        if checked:
            for number, form in enumerate(self.forms):
                form.setVisible(number == index)
            self.needs.setText(NEEDS[PLATFORMS[index][0]])
            self._clear_errors()

    def _current_form(self) -> FieldForm:
        return self.forms[max(0, self.platform_group.checkedId())]

    def _clear_errors(self) -> None:
        self.error.clear()
        self.name_form.clear_errors()
        self._current_form().clear_errors()

    def add_course(self) -> None:
        """Add the connection in the background; step 2 follows when it is saved."""
        if self._adding:
            return
        self._clear_errors()
        name = self.name.text().strip()
        if not name:
            self.name_form.show_error("name", "Give the connection a name (e.g. the course's).")
            self.name.setFocus()
            return
        self._adding = True
        self.add_button.setEnabled(False)
        self.error.setText("Adding…")
        if self.platform in ("canvas", "moodle"):
            form = self.canvas if self.platform == "canvas" else self.moodle
            self.presenter.setup.add_course(CourseForm(
                PlatformKind(self.platform), name, form.course_url.text(),
                client_id=form.client_id.text(),
                type_id=self.moodle.type_id.text() if form is self.moodle else "",
                issuer=self.canvas.issuer.text() if form is self.canvas else ""))
        elif self.platform == "other":
            path = self.other.key_path.text().strip()
            if self.other.import_key.isChecked() and not path:
                self._refused("Choose a PEM key file, or generate a new key.")
                return
            self.presenter.add_lti_connection(
                name, self.other.settings(),
                private_key_file=Path(path).expanduser() if self.other.import_key.isChecked()
                else None, generate_key=self.other.generate_key.isChecked())
        else:
            self.presenter.add_ltiaas_connection(
                name, self.ltiaas.url.text(), api_key=self.ltiaas.api_key.text(),
                service_key=self.ltiaas.service_key.text())

    def _refused(self, message: str, field: str = "") -> None:
        self._adding = False
        self.add_button.setEnabled(True)
        self.error.clear()
        shown = field == "name" and self.name_form.show_error(field, message)
        if not shown and not (field and self._current_form().show_error(field, message)):
            self.error.setText(f"⚠ {message}")

    def _on_setup_field_refused(self, field: str, message: str) -> None:
        if self._adding:
            self._refused(message, field)

    def _on_presenter_error_raised(self, title: str, message: str) -> None:
        if self._adding and title.startswith("Adding connection"):
            self._refused(message)

    def _on_setup_course_added(self, setup: AdminSetup) -> None:
        self._added(setup.connection.name)
        self._show_admin(setup)

    def _on_presenter_connection_added(self, added: NewConnection) -> None:
        if not self._adding:
            return
        self._added(added.row.name)
        for edit in (self.ltiaas.api_key, self.ltiaas.service_key):
            edit.clear()  # secrets do not linger in widgets
        if added.row.kind is ConnectionKind.LTIAAS:
            self.show_step(CHECK_STEP)  # its keys live in the LTIAAS portal: nothing to paste
        else:
            self.presenter.setup.load_admin_setup(added.row.name)

    def _added(self, name: str) -> None:
        self._adding = False
        self.add_button.setEnabled(True)
        self.error.clear()
        self.connection_name = name
        self.checking.reset(name)

    def set_up(self, name: str) -> None:
        """Continue an existing connection's set-up: what to paste, the client id, the check."""
        self.connection_name = name
        self.checking.reset(name)
        self.presenter.setup.load_admin_setup(name)

    # --- steps 2 and 3 ------------------------------------------------------------------------

    def _on_setup_admin_setup_loaded(self, setup: AdminSetup) -> None:
        if setup.connection.name == self.connection_name:
            self._show_admin(setup)

    def _show_admin(self, setup: AdminSetup) -> None:
        self.setup = setup
        if setup.kind is None:
            self.show_step(CHECK_STEP)
            return
        self.admin.show_setup(setup)
        self.show_step(ADMIN_STEP)

    def _on_checking_back_requested(self) -> None:
        has_admin = self.setup is not None and self.setup.kind is not None
        self.show_step(ADMIN_STEP if has_admin else COURSE_STEP)

    def _on_checking_done_requested(self) -> None:
        name = self.connection_name
        self.connection_name = ""
        self.setup = None
        self.checking.reset("")
        self.show_step(COURSE_STEP)
        self.finished.emit(name)

    # --- steps -------------------------------------------------------------------------------

    def show_step(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        marks = []
        for number, title in enumerate(STEPS):
            text = f"{number + 1}. {title}"
            marks.append(f"<b>{text}</b>" if number == index else text)
        self.steps.setText("   →   ".join(marks))
        self.steps.setAccessibleDescription(f"Step {index + 1} of {len(STEPS)}: "
                                            f"{STEPS[index]}")
        first = {COURSE_STEP: self.name, ADMIN_STEP: self.admin.copy_button,
                 CHECK_STEP: self.checking.check_button}[index]
        if self.isVisible():
            first.setFocus()
