"""The team, for the window: the splits among graders, who grades on this computer and each
grader's progress, read on the store lane after the course opens, a pull or push ends, grades
are saved or discarded, or another program (the ``gradedesk`` command) changes the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from gradedesk.store import ConnectionRow

if TYPE_CHECKING:  # the progress code loads on the store lane, with the first course
    from gradedesk.sync.team_progress import TeamView
    from gradedesk.ui.presenter import Presenter

# Saves come in bursts (a paste, Enter down a column): one reload after the last of them.
SAVES_SETTLE_MS = 300


class TeamPresenter(QObject):
    team_loaded = Signal(object)  # TeamView of the current connection

    def __init__(self, presenter: Presenter) -> None:
        super().__init__(presenter)
        self._presenter = presenter
        self._generation = 0
        self.view: TeamView | None = None
        self._settle = QTimer(self, singleShot=True, interval=SAVES_SETTLE_MS)
        self._settle.timeout.connect(self.reload)
        presenter.connection_changed.connect(self._on_presenter_connection_changed)
        presenter.sync_finished.connect(self._on_presenter_sync_finished)
        presenter.edits_saved.connect(self._on_presenter_grades_changed)
        presenter.drafts_discarded.connect(self._on_presenter_grades_changed)
        presenter.changed_elsewhere.connect(self.reload)

    def reload(self) -> None:
        """Read the current connection's team again (store lane); ``team_loaded`` follows.
        A newer reload overtakes an older one."""
        self._settle.stop()
        connection = self._presenter.connection
        self._generation += 1
        if connection is None:
            self.view = None
            return
        generation = self._generation
        db = self._presenter.context.db

        def done(view: TeamView) -> None:
            current = self._presenter.connection
            if generation != self._generation or current is None \
                    or current.id != view.connection_id:
                return  # overtaken, or another course is shown now
            self.view = view
            self.team_loaded.emit(view)

        def load() -> TeamView:
            from gradedesk.sync.team_progress import team_view

            return team_view(db, connection)

        self._presenter.run_store("Reading the team's progress", load, done)

    def _on_presenter_connection_changed(self, row: ConnectionRow | None) -> None:
        self.view = None
        self.reload()

    def _on_presenter_sync_finished(self, phase: str, report: object) -> None:
        self.reload()

    def _on_presenter_grades_changed(self, outcome: object) -> None:
        self._settle.start()
