"""Connections: adding, removing and testing them, and counting what each has not sent."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gradedesk.domain import GradeDeskError
from gradedesk.ui import sync_work
from gradedesk.ui.presenter_loading import LoadingPart
from gradedesk.ui.workers import Job

if TYPE_CHECKING:
    from gradedesk.bootstrap import NewConnection


class ConnectionsPart(LoadingPart):
    def count_unsent(self, done: Callable[[dict[str, int]], None]) -> None:
        """Grades not sent yet, per connection name (only those with some), for ``done``."""
        context = self.context
        self._store("Counting unsent grades", lambda: sync_work.unsent_grades(context), done)

    def add_lti_connection(self, name: str, settings: Mapping[str, str | None], *,
                           private_key_file: Path | None, generate_key: bool) -> None:
        """Add an LTI Advantage connection; the PEM file is read on the store lane, once."""
        context = self.context

        def work() -> NewConnection:
            return sync_work.add_lti_connection(context, name, settings,
                                                private_key_file=private_key_file,
                                                generate_key=generate_key)

        self._store("Adding connection", work, self._on_connection_added)

    def add_ltiaas_connection(self, name: str, url: str, *, api_key: str,
                              service_key: str) -> None:
        context = self.context

        def work() -> NewConnection:
            return sync_work.add_ltiaas_connection(context, name, url, api_key=api_key,
                                                   service_key=service_key)

        self._store("Adding connection", work, self._on_connection_added)

    def _on_connection_added(self, added: NewConnection) -> None:
        self.connection_added.emit(added)
        self.refresh_overview()

    def remove_connection(self, name: str) -> None:
        context = self.context

        def done(removed: bool) -> None:
            if self.connection is not None and self.connection.name == name:
                self.select_connection(None)
            self.refresh_overview()
            self.message_posted.emit(f"Removed {name}." if removed else f"No {name} to remove.")

        self._store("Removing connection",
                    lambda: sync_work.remove_connection(context, name), done)

    def test_connection(self, name: str) -> Job[Any] | None:
        context = self.context

        def work(job: Job[Any]) -> str:
            return sync_work.check_connection(context, name, job.token)

        def done(message: str) -> None:
            self.job_finished.emit(message, True)
            self.connection_tested.emit(name, True, message)

        def refused(error: GradeDeskError) -> None:
            self.connection_tested.emit(name, False, error.user_message)

        return self._network(f"Testing {name}", work, done, on_refused=refused,
                             connection_name=name)
