"""Column > Rubric…: the editor for the current column's rubric, wired to the presenter. After
a save, the status bar says how many grades were recomputed, and the review of proposed grades
opens when there are any."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gradedesk.store import LineItemRow

if TYPE_CHECKING:  # the editor's module loads when it first opens, the rubric code first read
    from gradedesk.domain.rubrics import Rubric
    from gradedesk.sync.rubric_grading import RubricReplacement
    from gradedesk.ui.dialogs.rubric_editor import RubricEditor
    from gradedesk.ui.views.main_window import MainWindow


class RubricCommands:
    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self._rubrics = window.presenter.rubrics
        self.editor: RubricEditor | None = None
        self._url: str | None = None
        self._rubrics.loaded.connect(self._on_rubrics_loaded)
        self._rubrics.saved.connect(self._on_rubrics_saved)
        self._rubrics.file_read.connect(self._on_rubrics_file_read)
        self._rubrics.file_written.connect(self._on_rubrics_file_written)

    def edit_rubric(self, row: LineItemRow | None = None) -> RubricEditor | None:
        """Open the rubric of ``row`` (else the current column), loaded from the store."""
        row = row or self._window.current_column()
        if row is None:
            return None
        from gradedesk.ui.dialogs.rubric_editor import RubricEditor

        if self.editor is not None:
            self.editor.close()
        editor = RubricEditor(row.label, self._window)
        editor.save_requested.connect(self._on_editor_save_requested)
        editor.import_requested.connect(
            lambda path: self._rubrics.read_file(path, on_refused=editor.show_problem))
        editor.export_requested.connect(
            lambda rubric, path: self._rubrics.write_file(rubric, path,
                                                         on_refused=editor.show_problem))
        self.editor, self._url = editor, row.url
        editor.show_rubric(None)
        editor.show()
        self._rubrics.load(row.url, on_refused=editor.show_problem)
        return editor

    def _on_editor_save_requested(self, rubric: Rubric) -> None:
        if self.editor is not None and self._url is not None:
            self._rubrics.save(self._url, rubric, on_refused=self.editor.show_problem)

    def _on_rubrics_loaded(self, url: str, rubric: object) -> None:
        from gradedesk.domain.rubrics import Rubric  # loaded by now: the read made it

        if self.editor is not None and url == self._url:
            self.editor.show_rubric(rubric if isinstance(rubric, Rubric) else None)

    def _on_rubrics_file_read(self, rubric: Rubric) -> None:
        if self.editor is not None:
            self.editor.show_rubric(rubric)
            self._window.show_message("Rubric read from the file: check it, then Save.")

    def _on_rubrics_file_written(self, path: str) -> None:
        self._window.show_message(f"Rubric written to {path}.")

    def _on_rubrics_saved(self, url: str, outcome: RubricReplacement) -> None:
        if (grading := self._window.grading_if_made) is not None:
            grading.forget_rubric(url)
        if self.editor is not None and url == self._url:
            self.editor.close()
        proposed = len(outcome.proposed)
        text = "Rubric saved."
        if proposed:
            text += (f" {proposed} grade(s) recomputed with the new points wait for your "
                     "review; none is sent until you accept it.")
        if outcome.needs_levels:
            text += (f" {len(outcome.needs_levels)} grade(s) need a level for a new or changed "
                     "criterion: grade them again.")
        self._window.show_message(text)
        if proposed:
            self._window.open_proposals()
