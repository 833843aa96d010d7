"""File > Import grades from CSV… and File > Export grades to CSV…: the CLI's ``import`` and
``export`` in the window, with the same file functions (sync.gradebook_io), so both read and
write the same files and list the same changes.

An import is read and checked on the store lane, then shown in a preview: every change
(student, line item, the score now and the file's), and every problem with its line and
column. Apply records the whole import as one edit (one Undo takes it back) through the same
path as typing; Cancel changes nothing. A file with any problem imports nothing, as with the
CLI. The file dialogs are only the first step (``ask_import``, ``ask_export``): ``import_file``
and ``export_file`` take a path, so tests and other callers skip them.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gradedesk.domain import format_score
from gradedesk.domain.gradebook_csv import CellProblem
from gradedesk.sync.gradebook_io import ImportPlan, PlannedChange, PlannedSection

# The window's commands (File > Import / Export), in a module of their own so the window
# starts without this one; the same names here.
from gradedesk.ui.dialogs.csv_files import CSV_FILTER as CSV_FILTER
from gradedesk.ui.dialogs.csv_files import IMPORT_UNDO_TEXT as IMPORT_UNDO_TEXT
from gradedesk.ui.dialogs.csv_files import CsvFiles as CsvFiles
from gradedesk.ui.dialogs.csv_files import count_text
from gradedesk.ui.sync_states import muted_text_color

_Index = QModelIndex | QPersistentModelIndex


class _ListModel(QAbstractTableModel):
    """A read-only table of ``self.rows`` under ``HEADERS``."""

    HEADERS: tuple[str, ...] = ()
    rows: Sequence[object] = ()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None


class ChangesModel(_ListModel):
    """The preview's table: one row per score the import would change, then one per student
    whose section it sets (from the file's Section column)."""

    HEADERS = ("Student", "Line item", "Now", "From the file", "Note")
    STUDENT, LINE_ITEM, NOW, NEW, NOTE = range(5)

    def __init__(self, changes: Sequence[PlannedChange],
                 sections: Sequence[PlannedSection] = (),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.changes: list[PlannedChange | PlannedSection] = [*changes, *sections]
        self.rows = self.changes

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        change = self.changes[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(change, column, accessible=role != Qt.ItemDataRole.DisplayRole)
        if role == Qt.ItemDataRole.UserRole:  # sorting: numbers as numbers, blanks first
            if column in (self.NOW, self.NEW) and isinstance(change, PlannedSection):
                return 1e300  # sections after the scores
            if column == self.NOW and isinstance(change, PlannedChange):
                return -1e300 if change.old_score is None else change.old_score
            if column == self.NEW and isinstance(change, PlannedChange):
                return change.new_score
            return self._text(change, column).casefold()
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.NOW, self.NEW):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column in (self.NOW, self.NOTE):
            return muted_text_color()  # quieter, still 4.5:1
        if role == Qt.ItemDataRole.ToolTipRole and column == self.LINE_ITEM \
                and isinstance(change, PlannedChange):
            return change.line_item_label
        return None

    def _text(self, change: PlannedChange | PlannedSection, column: int, *,
              accessible: bool = False) -> str:
        if column == self.STUDENT:
            return change.student
        if isinstance(change, PlannedSection):
            return ("Section", change.old_section or ("no section" if accessible else "—"),
                    change.new_section, "")[column - 1]
        if column == self.LINE_ITEM:
            return change.line_item_label
        if column == self.NOW:
            return format_score(change.old_score) or ("no score" if accessible else "—")
        if column == self.NEW:
            return format_score(change.new_score)
        return note_of(change)


def note_of(change: PlannedChange) -> str:
    notes = []
    if change.extra_credit:
        notes.append(f"extra credit (out of {format_score(change.score_maximum)})")
    if change.had_draft:
        notes.append("replaces your unsent change")
    return "; ".join(notes)


class ProblemsModel(_ListModel):
    """What stops the import, where it is in the file."""

    HEADERS = ("Line", "Column", "Problem")

    def __init__(self, problems: Sequence[CellProblem], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.problems = list(problems)
        self.rows = self.problems

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        problem = self.problems[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (str(problem.line) if problem.line else "whole file",
                    problem.column or "—", problem.message)[index.column()]
        return None


class ImportPreviewDialog(QDialog):
    """Every change an import would make, and what stops it; Apply or Cancel."""

    apply_requested = Signal(object)  # the ImportPlan

    def __init__(self, plan: ImportPlan, file_name: str, connection_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan = plan
        self.setWindowTitle(f"Import grades from {file_name}")
        self.setAccessibleName("Import grades preview")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        layout = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setAccessibleName("Import summary")
        self.summary.setText(summary_text(plan, file_name, connection_name))
        layout.addWidget(self.summary)

        self.problems_table = _table(self, "Problems in the file, by line")
        self.problems_model = ProblemsModel(plan.problems, self)
        self.problems_table.setModel(self.problems_model)
        self.problems_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents)
        self.problems_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents)
        self.problems_table.setVisible(bool(plan.problems))
        layout.addWidget(self.problems_table, 1)

        self.changes_label = QLabel(self)
        self.changes_label.setWordWrap(True)
        self.changes_model = ChangesModel(plan.changes, plan.sections, self)
        self.sorted_changes = QSortFilterProxyModel(self)
        self.sorted_changes.setSourceModel(self.changes_model)
        self.sorted_changes.setSortRole(Qt.ItemDataRole.UserRole)
        self.changes_table = _table(self, "Changes the import makes")
        self.changes_table.setModel(self.sorted_changes)
        self.changes_table.setSortingEnabled(True)
        self.changes_table.sortByColumn(ChangesModel.STUDENT, Qt.SortOrder.AscendingOrder)
        header = self.changes_table.horizontalHeader()
        for column in (ChangesModel.NOW, ChangesModel.NEW):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        metrics = self.fontMetrics()
        self.changes_table.setColumnWidth(ChangesModel.STUDENT,
                                          metrics.horizontalAdvance("Oluwaseun, Kowalski__"))
        self.changes_table.setColumnWidth(ChangesModel.LINE_ITEM,
                                          metrics.horizontalAdvance("Lab 3: Enzyme Kinetics__"))
        changes = len(plan.changes) + len(plan.sections)
        if changes:
            self.changes_label.setText(
                "Changes in the file (kept here until it is fixed):" if plan.problems
                else f"{count_text(changes, 'change')}:")
            self.changes_label.setBuddy(self.changes_table)
        self.changes_label.setVisible(bool(changes))
        self.changes_table.setVisible(bool(changes))
        layout.addWidget(self.changes_label)
        layout.addWidget(self.changes_table, 3)

        self.buttons = QDialogButtonBox(self)
        self.apply_button: QPushButton = self.buttons.addButton(
            f"&Apply {count_text(changes, 'change')}" if changes else "&Apply",
            QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setAccessibleName("Apply the import")
        self.apply_button.setEnabled(plan.can_apply)
        self.apply_button.setDefault(plan.can_apply)
        self.cancel_button: QPushButton = self.buttons.addButton(
            QDialogButtonBox.StandardButton.Cancel if plan.can_apply
            else QDialogButtonBox.StandardButton.Close)
        self.cancel_button.setAccessibleName("Cancel the import" if plan.can_apply
                                             else "Close")
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(760, 520)

    def _on_buttons_accepted(self) -> None:
        if self.plan.can_apply:
            self.apply_requested.emit(self.plan)
            self.accept()


def _table(parent: QWidget, name: str) -> QTableView:
    table = QTableView(parent)
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setTabKeyNavigation(False)  # Tab goes on to the buttons
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.horizontalHeader().setStretchLastSection(True)
    table.setWordWrap(False)
    return table


def summary_text(plan: ImportPlan, file_name: str, connection_name: str) -> str:
    """What the preview says above its tables."""
    if plan.problems:
        count = len(plan.problems)
        listed = "It is listed below with its line" if count == 1 \
            else "They are listed below with their lines"
        return (f"{file_name} has {count_text(count, 'problem')}. {listed} in the file. Nothing is "
                "imported from a file with problems: fix the file in the spreadsheet, save it "
                "as CSV and import it again. Nothing has changed.")
    if not plan.changes and not plan.sections:
        return (f"Nothing to import: every score in {file_name} is already in "
                f"{connection_name} ({count_text(plan.unchanged, 'score')} the same; a blank cell "
                "changes nothing).")
    said = ""
    if plan.changes:
        students = len({change.user_id for change in plan.changes})
        items = len({change.line_item_url for change in plan.changes})
        said = (f"{file_name} changes {count_text(len(plan.changes), 'score')} of "
                f"{count_text(students, 'student')} in {count_text(items, 'line item')} of "
                f"{connection_name}.")
        if plan.unchanged:
            verb = "is" if plan.unchanged == 1 else "are"
            said += (f" {count_text(plan.unchanged, 'score')} in the file {verb} the same "
                     "already.")
        said += (" Applying saves them here as your changes, ready for the next push; one "
                 "Undo takes the scores back.")
    if plan.sections:
        said += (f" {'It' if plan.changes else file_name} sets the section of "
                 f"{count_text(len(plan.sections), 'student')} (kept here; the platform's "
                 "roster has no sections).")
    return said.strip()
