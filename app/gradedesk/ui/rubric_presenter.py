"""A column's rubric for the window: load it, save an edited one (cells graded with the old one
are recomputed and proposed for review, never queued), and read or write the JSON file
teachers share. All on the store lane: files and the database stay off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:  # the rubric code loads with the first rubric read or saved
    from gradedesk.domain.rubrics import Rubric
    from gradedesk.ui.presenter import Presenter

Refused = Callable[[str], None]


class RubricPresenter(QObject):
    loaded = Signal(str, object)  # line item URL, Rubric | None
    saved = Signal(str, object)  # line item URL, sync.rubric_grading.RubricReplacement
    file_read = Signal(object)  # Rubric
    file_written = Signal(str)  # path

    def __init__(self, presenter: Presenter) -> None:
        super().__init__(presenter)
        self._presenter = presenter

    def load(self, line_item_url: str, *, on_refused: Refused | None = None) -> None:
        p = self._presenter
        connection = p.connection
        if connection is None:
            return
        db = p.context.db
        from gradedesk.sync.rubric_grading import rubric_for

        p.run_store("Loading the rubric", lambda: rubric_for(db, connection, line_item_url),
                    lambda rubric: self.loaded.emit(line_item_url, rubric),
                    on_refused=on_refused)

    def save(self, line_item_url: str, rubric: Rubric, *,
             on_refused: Refused | None = None) -> None:
        """Give the column this rubric; grades made with the old one are recomputed and
        proposed for review (``saved`` says how many)."""
        p = self._presenter
        connection = p.connection
        if connection is None:
            return
        db = p.context.db
        from gradedesk.sync.rubric_grading import replace_rubric

        p.run_store("Saving the rubric",
                    lambda: replace_rubric(db, connection, line_item_url, rubric),
                    lambda outcome: self.saved.emit(line_item_url, outcome),
                    on_refused=on_refused)

    def read_file(self, path: str, *, on_refused: Refused | None = None) -> None:
        from gradedesk.sync.rubric_grading import read_rubric_file

        self._presenter.run_store("Reading the rubric file",
                                  lambda: read_rubric_file(Path(path)), self.file_read.emit,
                                  on_refused=on_refused)

    def write_file(self, rubric: Rubric, path: str, *,
                   on_refused: Refused | None = None) -> None:
        from gradedesk.sync.rubric_grading import write_rubric_file

        def work() -> str:
            write_rubric_file(rubric, Path(path))
            return path

        self._presenter.run_store("Writing the rubric file", work, self.file_written.emit,
                                  on_refused=on_refused)
