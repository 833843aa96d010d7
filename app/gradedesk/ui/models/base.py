"""What both grade tables share: sorting and filtering over in-memory rows, refused input shown
at the cell, and edits turned into undoable cell changes.

Sorting and filtering happen only when asked (a header click, a filter change, a reload), never
as a side effect of an edit: a row does not jump away while the grader presses Enter to go down.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from gradedesk.domain import (
    ActivityProgress,
    GradingProgress,
    InputError,
    check_score_against_maximum,
    format_score,
    parse_score_input,
)
from gradedesk.domain.names import matches_filter
from gradedesk.ui.rows import (
    ACTIVITY_WORDS,
    FILTER_LABELS,
    GRADING_WORDS,
    NOBODY_LEFT,
    CellKey,
    RowFilter,
    Student,
)
from gradedesk.ui.undo_values import CellChange, Field

ModelIndex = QModelIndex | QPersistentModelIndex

# format_score: the domain's, so no score is ever shown in scientific notation.
__all__ = ["FILTER_LABELS", "CellKey", "RowFilter", "format_score"]

KEY_ROLE = Qt.ItemDataRole.UserRole + 1  # the cell's CellKey (None for non-grade cells)
STATE_ROLE = Qt.ItemDataRole.UserRole + 2  # the cell's SyncState
ERROR_ROLE = Qt.ItemDataRole.UserRole + 3  # why the last input here was refused, or None
FIELD_ROLE = Qt.ItemDataRole.UserRole + 4  # the Field a column edits, or None
SORT_ROLE = Qt.ItemDataRole.UserRole + 5
MAXIMUM_ROLE = Qt.ItemDataRole.UserRole + 6  # a score cell's maximum (None: not a score)
EXTRA_CREDIT_ROLE = Qt.ItemDataRole.UserRole + 7  # True when the score is above its maximum
# A column header as painted (may be longer than DisplayRole, e.g. with the points possible).
HEADER_TEXT_ROLE = Qt.ItemDataRole.UserRole + 8

READ_ONLY_REASON = "This column comes from the platform; it cannot be edited here."

EditSink = Callable[[Sequence[CellChange], str], None]


@dataclass(frozen=True, slots=True)
class FilterSpec:
    text: str = ""
    kind: RowFilter = RowFilter.ALL
    # None: every section; "": the students without one; else the students of that section.
    section: str | None = None
    # None: everyone; else the user ids of one grader's share of the split among graders.
    students: frozenset[str] | None = None


class CellInputError(Exception):
    """Input refused for one cell (the domain's message), before anything is stored."""

    def __init__(self, row: int, column: int, message: str) -> None:
        super().__init__(message)
        self.row = row
        self.column = column
        self.message = message


def field_of(index: ModelIndex) -> Field | None:
    """The Field a cell edits. Read back through Qt, a StrEnum arrives as a plain str."""
    value = index.data(FIELD_ROLE)
    if value is None:
        return None
    try:
        return Field(value)
    except ValueError:
        return None


def edit_text(value: float | None) -> str:
    """A score as an editor or a copy holds it: every digit kept (7.333333333333333, not the
    7.33 shown), never scientific notation, so an unchanged Enter makes no draft."""
    if value is None:
        return ""
    from decimal import Decimal  # here: the first frame has no editor open

    text = format(Decimal(repr(float(value))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def extra_credit_tip(maximum: float | None) -> str:
    return f"Extra credit: above the maximum of {format_score(maximum)}."


def student_matches(student: Student, text: str) -> bool:
    """The name filter: the one rule the CLI uses (accents and case ignored, "Last, First" or
    "First Last", email or user id)."""
    return not text or matches_filter(text, student.names)


def in_section(student: Student, section: str | None) -> bool:
    """The section filter (FilterSpec.section): None lets everyone through, "" only the
    students without a section."""
    return section is None or (student.section or "") == section


def in_share(student: Student, students: frozenset[str] | None) -> bool:
    """The grader filter (FilterSpec.students): None lets everyone through."""
    return students is None or student.user_id in students


def section_names(students: Iterable[Student]) -> tuple[str, ...]:
    """The sections of these students, sorted as a grader reads them; "" last when some
    student has none (and some other has one: with no sections at all there is nothing)."""
    found = {student.section or "" for student in students}
    named = sorted((name for name in found if name), key=str.casefold)
    return (*named, "") if named and "" in found else tuple(named)


def progress_words(kind: type[ActivityProgress] | type[GradingProgress]) -> dict[str, str]:
    """Each value of a progress kind and the word the grid shows for it."""
    words = ACTIVITY_WORDS if kind is ActivityProgress else GRADING_WORDS
    return {member.value: words.get(member.value, member.value) for member in kind}


def parse_choice(kind: type[ActivityProgress] | type[GradingProgress], text: str) -> str:
    """A progress value typed or pasted in any letter case ("fullygraded" works), or as the
    word the grid shows for it ("Needs grading")."""
    wanted = text.strip().replace(" ", "").lower()
    for value, word in progress_words(kind).items():
        if wanted in (value.lower(), word.replace(" ", "").lower()):
            return value
    allowed = ", ".join(progress_words(kind).values())
    raise InputError(f"{text.strip()!r} is not one of {allowed}.")


def parse_field(field: Field, text: str) -> object:
    """Typed or pasted text to a draft field's value; InputError with the reason if refused."""
    if field is Field.SCORE:
        return parse_score_input(text)
    if field is Field.COMMENT:
        return text.strip() or None
    if field is Field.ACTIVITY:
        return ActivityProgress(parse_choice(ActivityProgress, text))
    if field is Field.GRADING:
        return GradingProgress(parse_choice(GradingProgress, text))
    raise InputError("This column cannot be edited.")


def check_field(field: Field, text: str, maximum: float | None) -> object:
    """``parse_field`` plus the core's typo check on a score against its column's maximum
    (an absurd 1e9 for 9 is refused with the core's reason)."""
    value = parse_field(field, text)
    if field is Field.SCORE:
        check_score_against_maximum(value if isinstance(value, float) else None, maximum)
    return value


class GradeTableModel(QAbstractTableModel):
    """Base for the line-item and gradebook models. Rows are students (source rows); the
    visible order is ``_order`` (filtered and sorted source row numbers)."""

    cell_refused = Signal(int, int, str)  # visible row, column, reason
    cell_accepted = Signal(int, int)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._order: list[int] = []
        self._position: dict[int, int] = {}
        self._filter = FilterSpec()
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._errors: dict[tuple[int, int], str] = {}  # (source row, column) -> reason
        self._names_hidden = False
        self.edit_sink: EditSink | None = None

    @property
    def names_hidden(self) -> bool:
        return self._names_hidden

    def set_names_hidden(self, hidden: bool) -> None:
        """Show every student as "Student 17" (or by name again): display, copy, sort and the
        name filter follow the label shown."""
        if hidden != self._names_hidden:
            self.relayout(lambda: setattr(self, "_names_hidden", hidden))

    def relayout(self, change: Callable[[], None]) -> None:
        """Apply ``change`` and rebuild the visible order. The view's current cell and selection
        follow their rows when only the order moves; a name filter typed in may now match other
        rows, so then the model resets (the window puts the current student back)."""
        if self.filter_spec.text:
            self.beginResetModel()
            change()
            self._rebuild_order()
            self.endResetModel()
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        sources = [(self.source_row(index.row()), index.column())
                   if index.isValid() and index.row() < self.rowCount() else None
                   for index in persistent]
        change()
        self._rebuild_order()
        moved = [QModelIndex() if source is None or self.visible_row(source[0]) is None
                 else self.index(self.visible_row(source[0]) or 0, source[1])
                 for source in sources]
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()
        last = self.rowCount() - 1
        if last >= 0:  # the names read otherwise (column 0 in both tables)
            self.dataChanged.emit(self.index(0, 0), self.index(last, 0))

    # --- to implement ---------------------------------------------------------------------

    def _source_count(self) -> int:
        raise NotImplementedError

    def _accepts(self, source_row: int, spec: FilterSpec) -> bool:
        raise NotImplementedError

    def _sort_key(self, source_row: int, column: int) -> tuple[Any, ...]:
        raise NotImplementedError

    def _change_for(self, source_row: int, column: int, value: object) -> CellChange | None:
        """The change typing ``value`` here makes (None: no change); InputError if refused."""
        raise NotImplementedError

    def _show_pending(self, changes: Sequence[CellChange]) -> None:
        """Show changes at once, before the store lane has saved them."""

    def column_editable(self, column: int) -> bool:
        """Whether a grader can type into this column (a paste skips the others)."""
        raise NotImplementedError

    def filter_counts(self) -> dict[RowFilter, int]:
        """How many students each state filter would show (whatever the name filter)."""
        raise NotImplementedError

    def _blank(self, source_row: int, column: int) -> bool:
        """Whether a row has nothing to sort by in this column (no score, no comment): such
        rows go last in both sort directions."""
        return False

    def read_only_reason(self, column: int) -> str:
        """What typing into a column that cannot be edited says."""
        return READ_ONLY_REASON

    def empty_message(self) -> str | None:
        """What the grid says when the filter leaves no row (None: rows are shown, or none
        are loaded)."""
        if self._order or not self._source_count():
            return None
        text, kind, section = self._filter.text, self._filter.kind, self._filter.section
        where = "" if section is None else \
            f" in {section}" if section else " without a section"
        if self._filter.students is not None:
            where += " in this grader's share"
        if text and kind is RowFilter.ALL:
            return f"No students match '{text}'{where}"
        if text:
            return f"No students match '{text}' among “{FILTER_LABELS[kind]}”{where}"
        if not where:
            return NOBODY_LEFT[kind]
        if kind is RowFilter.ALL:
            return f"No students{where}"
        return NOBODY_LEFT[kind].removesuffix(" here") + where

    def column_title(self, column: int) -> str:
        title = self.headerData(column, Qt.Orientation.Horizontal)
        return str(title) if title is not None else f"column {column + 1}"

    # --- rows and order -------------------------------------------------------------------

    def source_count(self) -> int:
        """Every loaded row, whatever the filter."""
        return self._source_count()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's API
        return 0 if parent.isValid() else len(self._order)

    def source_row(self, row: int) -> int:
        return self._order[row]

    def visible_row(self, source_row: int) -> int | None:
        return self._position.get(source_row)

    def _rebuild_order(self) -> None:
        rows = [r for r in range(self._source_count()) if self._accepts(r, self._filter)]
        if self._sort is not None:
            column, order = self._sort
            # Rows with nothing to sort by (no score) go last whichever way: the grader
            # reversing a score column wants the best and the worst first, not the empty ones.
            filled = [r for r in rows if not self._blank(r, column)]
            blank = [r for r in rows if self._blank(r, column)]
            filled.sort(key=lambda r: self._sort_key(r, column),
                        reverse=order == Qt.SortOrder.DescendingOrder)
            blank.sort(key=lambda r: self._sort_key(r, column))
            rows = filled + blank
        self._order = rows
        self._position = {source: visible for visible, source in enumerate(rows)}

    @property
    def filter_spec(self) -> FilterSpec:
        return self._filter

    def set_filter(self, spec: FilterSpec) -> None:
        self.beginResetModel()
        self._filter = spec
        self._rebuild_order()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column < 0 or column >= self.columnCount():
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        sources = [(self._order[i.row()], i.column()) if i.isValid() else None
                   for i in persistent]
        self._sort = (column, order)
        self._rebuild_order()
        moved = [self.index(self._position[s[0]], s[1])
                 if s is not None and s[0] in self._position else QModelIndex()
                 for s in sources]
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    # --- input ----------------------------------------------------------------------------

    def error_at(self, row: int, column: int) -> str | None:
        if not 0 <= row < len(self._order):
            return None
        return self._errors.get((self._order[row], column))

    def clear_error(self, row: int, column: int) -> None:
        source = self._order[row] if 0 <= row < len(self._order) else None
        if source is not None and self._errors.pop((source, column), None) is not None:
            index = self.index(row, column)
            self.dataChanged.emit(index, index)

    def setData(self, index: ModelIndex, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        return self.submit_edits([(index.row(), index.column(), value)],
                                 self._edit_label(index.column())) is None

    def _edit_label(self, column: int) -> str:
        """What the undo menu calls typing into this column."""
        return "Edit"

    def submit_edits(self, edits: Sequence[tuple[int, int, object]],
                     action: str) -> CellInputError | None:
        """Validate every (visible row, column, typed value); refuse all if one is bad.

        Nothing reaches the store unless every value is valid. A refusal is kept at its cell
        (ERROR_ROLE, the tooltip) and announced by ``cell_refused``.
        """
        changes: list[CellChange] = []
        for row, column, value in edits:
            if not (0 <= row < len(self._order)) or not (0 <= column < self.columnCount()):
                continue
            source = self._order[row]
            try:
                change = self._change_for(source, column, value)
            except InputError as error:
                refusal = CellInputError(row, column, error.user_message)
                self._errors[(source, column)] = refusal.message
                index = self.index(row, column)
                self.dataChanged.emit(index, index)
                self.cell_refused.emit(row, column, refusal.message)
                return refusal
            if self._errors.pop((source, column), None) is not None:
                index = self.index(row, column)
                self.dataChanged.emit(index, index)
            if change is not None:
                changes.append(change)
        for row, column, _ in edits:
            if 0 <= row < len(self._order):
                self.cell_accepted.emit(row, column)
        if changes:
            self._show_pending(changes)
            if self.edit_sink is not None:
                self.edit_sink(changes, action)
        return None
