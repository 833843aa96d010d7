"""The window's File > Import grades from CSV… and File > Export grades to CSV… commands
(see ``csv_import`` for what they do). Made with the window; the file functions and the
import preview load when a file is first imported or exported, not with the window."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from gradedesk.ui.undo_values import CellChange, Field

if TYPE_CHECKING:
    from gradedesk.store import ConnectionRow
    from gradedesk.sync.gradebook_io import ImportPlan
    from gradedesk.ui.dialogs.csv_import import ImportPreviewDialog
    from gradedesk.ui.presenter import Presenter

IMPORT_UNDO_TEXT = "Import grades from CSV"
CSV_FILTER = "CSV files (*.csv *.txt *.tsv);;All files (*)"


def count_text(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


class CsvFiles:
    """The window's import and export commands (created by the window, kept)."""

    def __init__(self, parent: QWidget, presenter: Presenter) -> None:
        self._parent = parent
        self._presenter = presenter
        self.folder = Path.home()  # where the file dialogs open (the last folder used)
        self.preview: ImportPreviewDialog | None = None
        self.refusal: QMessageBox | None = None  # the last "cannot read / write" box
        self._pending: tuple[frozenset[tuple[str, str]], str] | None = None
        presenter.edits_saved.connect(self._on_presenter_edits_saved)

    # --- import ---------------------------------------------------------------------------

    def ask_import(self) -> None:
        """File > Import grades from CSV…: choose a file, then preview it."""
        if self._presenter.connection is None:
            return
        name, _ = QFileDialog.getOpenFileName(self._parent, "Import grades from CSV",
                                              str(self.folder), CSV_FILTER)
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> None:
        """Read and check ``path`` on the store lane, then show the preview."""
        connection = self._presenter.connection
        if connection is None:
            return
        self.folder = path.parent
        db = self._presenter.context.db
        from gradedesk.sync.gradebook_io import read_import_file

        self._presenter.run_store(
            f"Reading {path.name}", lambda: read_import_file(db, connection, path),
            lambda plan: self._show_preview(plan, path, connection),
            on_refused=lambda message: self._refuse("Import grades", message))

    def _show_preview(self, plan: ImportPlan, path: Path, connection: ConnectionRow) -> None:
        from gradedesk.ui.dialogs.csv_import import ImportPreviewDialog

        if self.preview is not None:
            self.preview.close()
            self.preview.deleteLater()
        self.preview = ImportPreviewDialog(plan, path.name, connection.name, self._parent)
        self.preview.apply_requested.connect(
            lambda applied: self.apply(applied, connection, path.name))
        self.preview.open()

    def apply(self, plan: ImportPlan, connection: ConnectionRow, file_name: str) -> None:
        """Record the scores as one edit (one Undo step), saved as typed grades are; set the
        sections the file gives."""
        current = self._presenter.connection
        if current is None or current.id != connection.id:
            self._refuse("Import grades", f"The import was for {connection.name}; nothing was "
                                          "imported. Open it and import the file again.")
            return
        if plan.sections:
            from gradedesk.sync.gradebook_io import apply_sections

            db = self._presenter.context.db
            self._presenter.run_store(
                "Setting sections", lambda: apply_sections(db, connection, plan.sections),
                lambda count: self._on_sections_set(count, file_name))
        edits = [CellChange((change.line_item_url, change.user_id), Field.SCORE,
                            change.old_score, change.new_score, change.had_draft)
                 for change in plan.changes]
        if not edits:
            return
        self._pending = (frozenset(edit.key for edit in edits), file_name)
        self._presenter.apply_changes(edits, IMPORT_UNDO_TEXT)

    def _on_sections_set(self, count: int, file_name: str) -> None:
        self._presenter.message_posted.emit(
            f"Set the section of {count_text(count, 'student')} from {file_name}.")
        self._presenter.reload_views()  # the Section column and filter show them

    def _on_presenter_edits_saved(self, outcome: object) -> None:
        if self._pending is None:
            return
        keys, file_name = self._pending
        rows, errors = getattr(outcome, "rows", {}), getattr(outcome, "errors", {})
        if not keys <= rows.keys() | errors.keys():
            return  # another edit, saved before the import's
        self._pending = None
        refused = len(keys & errors.keys())
        saved = len(keys) - refused
        text = (f"Imported {count_text(saved, 'score')} from {file_name}: saved here, queued for "
                "the next push (Undo takes the import back).")
        if refused:
            text += f" {count_text(refused, 'score')} could not be saved; the alert says why."
        self._presenter.message_posted.emit(text)

    # --- export ---------------------------------------------------------------------------

    def ask_export(self) -> None:
        """File > Export grades to CSV…: every line item, in Canvas's gradebook layout."""
        connection = self._presenter.connection
        if connection is None:
            return
        suggested = self.folder / f"{_file_safe(connection.name)} grades {date.today()}.csv"
        name, _ = QFileDialog.getSaveFileName(self._parent, "Export grades to CSV",
                                              str(suggested), CSV_FILTER)
        if name:
            path = Path(name)
            self.export_file(path if path.suffix else path.with_suffix(".csv"))

    def export_file(self, path: Path) -> None:
        """Write the gradebook (drafts over the platform's copies) on the store lane."""
        connection = self._presenter.connection
        if connection is None:
            return
        self.folder = path.parent
        db = self._presenter.context.db
        from gradedesk.sync.gradebook_io import export_to_file

        self._presenter.run_store(
            f"Exporting to {path.name}", lambda: export_to_file(db, connection, path),
            lambda count: self._presenter.message_posted.emit(
                f"Exported {count_text(count, 'student')} of {connection.name} to {path}."),
            on_refused=lambda message: self._refuse("Export grades", message))

    # --- both -------------------------------------------------------------------------------

    def _refuse(self, title: str, message: str) -> None:
        """A file that cannot be read or written: said in a box; nothing has changed."""
        if self.refusal is not None:
            self.refusal.close()
            self.refusal.deleteLater()
        box = QMessageBox(QMessageBox.Icon.Warning, title, message,
                          QMessageBox.StandardButton.Ok, self._parent)
        box.setInformativeText("Nothing has changed.")
        box.setAccessibleName(title)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        self.refusal = box
        box.open()

    def close_all(self) -> None:
        for dialog in (self.preview, self.refusal):
            if dialog is not None:
                dialog.close()


def _file_safe(name: str) -> str:
    """A connection name as part of a file name (no folder separators)."""
    return "".join("-" if character in '/\\:*?"<>|' else character
                   for character in name).strip() or "gradebook"
