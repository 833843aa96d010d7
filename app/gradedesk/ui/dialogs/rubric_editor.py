"""Make or change a column's rubric in the window, or bring one in from a colleague's file.

A table, as a spreadsheet would hold it: a row with a criterion's name starts that criterion
and is its first level; rows below with the name left empty are its further levels. Points
and a description per level. Saving checks the whole rubric (the same rules as a file) and
says what is wrong, where; cells already graded with the old rubric are recomputed and
proposed for review, never sent by themselves. Fields of an imported file that GradeDesk does
not use are kept for criteria and levels that stay.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gradedesk.domain import InputError, format_score
from gradedesk.domain.rubrics import Rubric, criterion_key, rubric_from_json
from gradedesk.ui.sync_states import warning_color

NAME, POINTS, DESCRIPTION = range(3)
_FILES = "Rubric files (*.json);;All files (*)"


class RubricEditor(QDialog):
    save_requested = Signal(object)  # Rubric
    import_requested = Signal(str)  # path
    export_requested = Signal(object, str)  # Rubric, path

    def __init__(self, column_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Rubric — {column_label}")
        self.setAccessibleName("Rubric editor")
        self.setModal(False)
        self._loaded: Rubric | None = None  # for the fields GradeDesk keeps but does not use
        layout = QVBoxLayout(self)
        intro = QLabel("One row per level. A row with a criterion's name starts that "
                       "criterion; leave the name empty for its further levels. The total of "
                       "one level per criterion is the score; the levels chosen lead the "
                       "comment.", self)
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 3, self)
        self.table.setAccessibleName("Rubric criteria and levels")
        self.table.setHorizontalHeaderLabels(["Criterion", "Points", "Description"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(POINTS, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setColumnWidth(NAME, 200)
        self.total = QLabel("", self)
        self.total.setAccessibleName("Rubric total")
        self.error = QLabel("", self)
        self.error.setAccessibleName("Rubric problem")
        self.error.setWordWrap(True)
        row_buttons = QHBoxLayout()
        self.add_criterion_button = QPushButton("Add &criterion", self)
        self.add_level_button = QPushButton("Add &level", self)
        self.remove_button = QPushButton("&Remove row", self)
        self.import_button = QPushButton("&Import…", self)
        self.import_button.setToolTip("Read a rubric file (JSON) a colleague shared")
        self.export_button = QPushButton("E&xport…", self)
        self.export_button.setToolTip("Write this rubric to a file (JSON) to share")
        for button in (self.add_criterion_button, self.add_level_button, self.remove_button):
            row_buttons.addWidget(button)
        row_buttons.addStretch(1)
        row_buttons.addWidget(self.import_button)
        row_buttons.addWidget(self.export_button)
        end_buttons = QHBoxLayout()
        end_buttons.addWidget(self.total)
        end_buttons.addStretch(1)
        self.save_button = QPushButton("&Save", self)
        self.cancel_button = QPushButton("Cancel", self)
        end_buttons.addWidget(self.save_button)
        end_buttons.addWidget(self.cancel_button)
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(row_buttons)
        layout.addWidget(self.error)
        layout.addLayout(end_buttons)
        self.add_criterion_button.clicked.connect(self.add_criterion)
        self.add_level_button.clicked.connect(self.add_level)
        self.remove_button.clicked.connect(self.remove_row)
        self.import_button.clicked.connect(self._ask_import)
        self.export_button.clicked.connect(self._ask_export)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.close)
        self.table.itemChanged.connect(lambda _item: self._show_total())
        self.resize(760, 460)

    # --- showing ----------------------------------------------------------------------------

    def show_rubric(self, rubric: Rubric | None) -> None:
        """Fill the table from a rubric (None: an empty one, with a row to start from)."""
        self._loaded = rubric
        blocker = self.table.blockSignals(True)
        self.table.setRowCount(0)
        if rubric is None:
            self._append("", None, "")
        else:
            for criterion in rubric.criteria:
                for position, level in enumerate(criterion.levels):
                    self._append(criterion.name if position == 0 else "", level.points,
                                 level.description)
        self.table.blockSignals(blocker)
        self.show_problem("")
        self._show_total()

    def show_problem(self, text: str) -> None:
        self.error.setText(f"⚠ {text}" if text else "")
        self.error.setStyleSheet(f"color: {warning_color(self.palette()).name()};")
        self.error.setVisible(bool(text))
        self.save_button.setEnabled(True)

    def _append(self, name: str, points: float | None, description: str,
                at: int | None = None) -> int:
        row = self.table.rowCount() if at is None else at
        self.table.insertRow(row)
        for column, text in ((NAME, name), (POINTS, "" if points is None else
                                            format_score(points)), (DESCRIPTION, description)):
            self.table.setItem(row, column, QTableWidgetItem(text))
        return row

    def _show_total(self) -> None:
        try:
            rubric = self.rubric()
        except InputError:
            self.total.setText("")
            return
        count = len(rubric.criteria)
        self.total.setText(f"{count} {'criterion' if count == 1 else 'criteria'}, up to "
                           f"{format_score(rubric.maximum)} points")

    # --- editing ----------------------------------------------------------------------------

    def add_criterion(self) -> None:
        row = self._append("New criterion", None, "")
        self.table.setCurrentCell(row, NAME)
        self.table.editItem(self.table.item(row, NAME))  # type: ignore[arg-type] # just made

    def add_level(self) -> None:
        current = self.table.currentRow()
        row = self._append("", None, "", at=current + 1 if current >= 0 else None)
        self.table.setCurrentCell(row, POINTS)
        self.table.editItem(self.table.item(row, POINTS))  # type: ignore[arg-type] # just made

    def remove_row(self) -> None:
        current = self.table.currentRow()
        if current >= 0:
            self.table.removeRow(current)
            self._show_total()

    # --- the rubric -------------------------------------------------------------------------

    def rubric(self) -> Rubric:
        """The rubric the table holds; InputError saying which row is wrong."""
        criteria: list[dict[str, Any]] = []
        for row in range(self.table.rowCount()):
            name, points, description = (self._text(row, column)
                                         for column in (NAME, POINTS, DESCRIPTION))
            if not (name or points or description):
                continue  # an empty row is no level
            if name:
                criteria.append({"name": name, "levels": []})
            elif not criteria:
                raise InputError(f"Row {row + 1}: the first row needs a criterion's name.")
            try:
                value = float(points.replace(",", ".")) if points else None
            except ValueError:
                value = None
            if value is None:
                raise InputError(f"Row {row + 1} ({criteria[-1]['name']}): give the level's "
                                 f"points as a number, not {points or 'nothing'!r}.")
            criteria[-1]["levels"].append({"points": value, "description": description})
        if not criteria:
            raise InputError("The rubric is empty: add a criterion and its levels.")
        return rubric_from_json(_with_kept_fields(criteria, self._loaded))

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().strip() if item is not None else ""

    def save(self) -> None:
        try:
            rubric = self.rubric()
        except InputError as error:
            self.show_problem(error.user_message)
            return
        self.show_problem("")
        self.save_button.setEnabled(False)  # until the store answers
        self.save_requested.emit(rubric)

    def _ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a rubric", "", _FILES)
        if path:
            self.import_requested.emit(path)

    def _ask_export(self) -> None:
        try:
            rubric = self.rubric()
        except InputError as error:
            self.show_problem(error.user_message)
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export the rubric", "rubric.json", _FILES)
        if path:
            self.export_requested.emit(rubric, path)


def _with_kept_fields(criteria: list[dict[str, Any]], loaded: Rubric | None) -> dict[str, Any]:
    """The rubric's JSON with the unused fields of the loaded rubric kept: the file's own, a
    criterion's when its name stays, a level's when its criterion keeps it at that place."""
    if loaded is None:
        return {"criteria": criteria}
    before = {criterion.key: criterion for criterion in loaded.criteria}
    for criterion in criteria:
        old = before.get(criterion_key(criterion["name"]))
        if old is None:
            continue
        criterion.update(_extras(old.extras, criterion))
        for position, level in enumerate(criterion["levels"]):
            if position < len(old.levels):
                level.update(_extras(old.levels[position].extras, level))
    return {**loaded.extras, "criteria": criteria}


def _extras(kept: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in kept.items() if key not in fields}
