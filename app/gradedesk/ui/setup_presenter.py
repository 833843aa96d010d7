"""The guided set-up's half of the presenter: connect a course from its address, show what the
administrator pastes, take the client id they give, and check every step.

Adding and the client id run on the store lane (the keyring and the database); the check runs
on the network lane like a pull. Results arrive as signals on the GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from gradedesk.platforms.check import CheckReport
from gradedesk.ui import sync_work
from gradedesk.ui.sync_work import AdminSetup, CourseForm, FieldRefusal
from gradedesk.ui.workers import Job

if TYPE_CHECKING:
    from gradedesk.ui.presenter import Presenter


class SetupPresenter(QObject):
    course_added = Signal(object)  # AdminSetup of the new connection
    field_refused = Signal(str, str)  # field ("" for the form as a whole), message
    admin_setup_loaded = Signal(object)  # AdminSetup
    client_id_saved = Signal(object)  # AdminSetup, now with the client id
    client_id_refused = Signal(str)  # message
    check_started = Signal(str)  # connection name
    check_finished = Signal(str, object)  # connection name, CheckReport
    check_refused = Signal(str, str)  # connection name, message

    def __init__(self, presenter: Presenter) -> None:
        super().__init__(presenter)
        self._presenter = presenter

    def add_course(self, form: CourseForm) -> None:
        """Connect a Canvas or Moodle course (store lane: a key pair goes to the keyring)."""
        context = self._presenter.context

        def done(result: AdminSetup | FieldRefusal) -> None:
            if isinstance(result, FieldRefusal):
                self.field_refused.emit(result.field, result.message)
                return
            self.course_added.emit(result)
            self._presenter.refresh_overview()

        self._presenter.run_store("Adding course", lambda: sync_work.add_course(context, form),
                                  done, on_refused=lambda text: self.field_refused.emit("", text))

    def load_admin_setup(self, name: str) -> None:
        """What the administrator pastes for a saved connection (reads its key: store lane)."""
        context = self._presenter.context
        self._presenter.run_store("Reading the configuration",
                                  lambda: sync_work.admin_setup(context, name),
                                  self.admin_setup_loaded.emit,
                                  on_refused=lambda text: self.field_refused.emit("", text))

    def set_client_id(self, name: str, client_id: str) -> None:
        context = self._presenter.context

        def done(result: AdminSetup) -> None:
            self.client_id_saved.emit(result)
            self._presenter.refresh_overview()

        self._presenter.run_store("Saving the client id",
                                  lambda: sync_work.set_client_id(context, name, client_id),
                                  done, on_refused=self.client_id_refused.emit)

    def check(self, name: str) -> bool:
        """Run every check step on the network lane; False when another job runs (the window
        has been told to wait)."""
        context = self._presenter.context

        def work(job: Job[Any]) -> CheckReport:
            return sync_work.check_setup(context, name)

        def done(report: CheckReport) -> None:
            self._presenter.job_finished.emit(
                f"{name}: " + ("ready." if report.ok else "not ready yet."), report.ok)
            self.check_finished.emit(name, report)

        job = self._presenter.run_network(
            f"Checking {name}", work, done,
            on_refused=lambda text: self.check_refused.emit(name, text), connection_name=name)
        if job is not None:
            self.check_started.emit(name)
        return job is not None
