"""One line item as a table: one row per student, with everything a grader needs to see."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont

from gradedesk.store import LineItemRow, SyncState
from gradedesk.ui.hidden_names import name_order, shown_matches
from gradedesk.ui.models.base import (
    ERROR_ROLE,
    EXTRA_CREDIT_ROLE,
    FIELD_ROLE,
    KEY_ROLE,
    MAXIMUM_ROLE,
    STATE_ROLE,
    FilterSpec,
    GradeTableModel,
    ModelIndex,
    RowFilter,
    check_field,
    edit_text,
    extra_credit_tip,
    format_score,
    in_section,
    in_share,
    student_matches,
)
from gradedesk.ui.rows import (
    CellKey,
    LineItemData,
    StudentGrade,
    activity_word,
    grading_word,
    progress_tip,
)
from gradedesk.ui.sync_states import (
    LOOKS,
    muted_text_color,
    state_color,
    state_icon_for,
    warning_color,
)
from gradedesk.ui.undo_values import CellChange, Field


class Column(IntEnum):
    """Sync sits beside the name so it stays in view; score, maximum and comment stay adjacent
    so a pasted "score<TAB>comment" block lands where a spreadsheet user expects."""

    NAME = 0
    SECTION = 1
    SYNC = 2
    SCORE = 3
    MAXIMUM = 4
    COMMENT = 5
    GRADING = 6
    ACTIVITY = 7
    SUBMISSION = 8


HEADERS = {
    Column.NAME: "Student", Column.SECTION: "Section", Column.SCORE: "Score",
    Column.MAXIMUM: "Out of", Column.COMMENT: "Comment", Column.ACTIVITY: "Activity",
    Column.GRADING: "Grading", Column.SUBMISSION: "Submission", Column.SYNC: "Sync",
}
EDITABLE = {Column.SCORE: Field.SCORE, Column.COMMENT: Field.COMMENT,
            Column.ACTIVITY: Field.ACTIVITY, Column.GRADING: Field.GRADING}
_NUMERIC = (Column.SCORE, Column.MAXIMUM)


def meets(row: StudentGrade, kind: RowFilter) -> bool:
    """Whether a row meets a state filter (the name filter aside)."""
    if kind is RowFilter.PENDING_MANUAL:
        return row.pending_manual
    if kind is RowFilter.UNGRADED:
        return row.score is None
    if kind is RowFilter.HAS_DRAFT:
        return row.has_draft
    if kind is RowFilter.CONFLICT:
        return row.state is SyncState.CONFLICT
    if kind is RowFilter.FAILED:
        return row.state is SyncState.FAILED
    if kind is RowFilter.REFUSED:
        return row.state is SyncState.REFUSED
    return True


def _activity(row: StudentGrade) -> str:
    return activity_word(row.activity, row.has_server_result or row.has_draft)


def matches(row: StudentGrade, spec: FilterSpec, names_hidden: bool = False) -> bool:
    """The filter: name (the shown label only while names are hidden), state, section and
    grader."""
    named = shown_matches(row.student, spec.text) if names_hidden \
        else student_matches(row.student, spec.text)
    return named and meets(row, spec.kind) and in_section(row.student, spec.section) \
        and in_share(row.student, spec.students)


class LineItemModel(GradeTableModel):
    """Rows are StudentGrade values loaded on the store lane. Refreshed row by row."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[StudentGrade] = []
        self._by_key: dict[CellKey, int] = {}
        self._line_item: LineItemRow | None = None
        self._connection_id: int | None = None

    # --- loading --------------------------------------------------------------------------

    def load(self, data: LineItemData | None) -> None:
        self.beginResetModel()
        self._rows = list(data.rows) if data is not None else []
        self._line_item = data.line_item if data is not None else None
        self._connection_id = data.connection_id if data is not None else None
        self._by_key = {row.key: i for i, row in enumerate(self._rows)}
        self._errors.clear()
        self._rebuild_order()
        self.endResetModel()

    def update_rows(self, fresh: Mapping[CellKey, StudentGrade]) -> None:
        """Replace the rows that changed and repaint only them (no re-sort, no re-filter)."""
        for key, row in fresh.items():
            source = self._by_key.get(key)
            if source is None:
                continue
            self._rows[source] = row
            visible = self._position.get(source)
            if visible is not None:
                self.dataChanged.emit(self.index(visible, 0),
                                      self.index(visible, len(Column) - 1))

    @property
    def line_item(self) -> LineItemRow | None:
        return self._line_item


    @property
    def connection_id(self) -> int | None:
        return self._connection_id

    def rows(self) -> Sequence[StudentGrade]:
        """Every loaded row (all students, whatever the filter), in roster order."""
        return tuple(self._rows)

    def row_of(self, key: CellKey) -> StudentGrade | None:
        """A student's row by cell, whatever the filter (None: not in this line item)."""
        source = self._by_key.get(key)
        return None if source is None else self._rows[source]

    def row_at(self, visible_row: int) -> StudentGrade:
        return self._rows[self._order[visible_row]]

    def filter_counts(self) -> dict[RowFilter, int]:
        """How many students each state filter would show (whatever the name filter)."""
        return {kind: sum(1 for row in self._rows if meets(row, kind)) for kind in RowFilter}

    def visible_row_of(self, key: CellKey) -> int | None:
        source = self._by_key.get(key)
        return None if source is None else self._position.get(source)

    # --- GradeTableModel ------------------------------------------------------------------

    def _source_count(self) -> int:
        return len(self._rows)

    def _accepts(self, source_row: int, spec: FilterSpec) -> bool:
        return matches(self._rows[source_row], spec, self._names_hidden)

    def _rebuild_order(self) -> None:
        super()._rebuild_order()
        if self._names_hidden and self._sort is None:
            # Roster order is alphabetical: with names hidden it would tell who is who.
            self._order.sort(key=lambda source: self._rows[source].student.number)
            self._position = {source: visible for visible, source in enumerate(self._order)}

    def _sort_key(self, source_row: int, column: int) -> tuple[Any, ...]:
        row = self._rows[source_row]
        name = name_order(row.student, self._names_hidden)  # ties too: no alphabetical hint
        value: Any
        match Column(column):
            case Column.NAME:
                return name
            case Column.SECTION:
                value = (row.student.section or "").casefold()
            case Column.SCORE:
                return (row.score is None, row.score or 0.0, name)
            case Column.MAXIMUM:
                value = row.maximum or 0.0
            case Column.COMMENT:
                value = (row.shown_comment or "").casefold()
            case Column.ACTIVITY:
                value = _activity(row).casefold()
            case Column.GRADING:
                value = grading_word(row.grading).casefold()
            case Column.SUBMISSION:
                value = row.submission
            case Column.SYNC:
                value = list(SyncState).index(row.state)
        return (value, name)

    def _blank(self, source_row: int, column: int) -> bool:
        row = self._rows[source_row]
        if column == Column.SCORE:
            return row.score is None
        if column == Column.COMMENT:
            return not row.shown_comment
        if column == Column.SECTION:
            return not row.student.section
        if column == Column.SUBMISSION:
            return not row.submission
        return False

    def read_only_reason(self, column: int) -> str:
        if column == Column.SYNC:
            return ("The sync state is GradeDesk's own: it changes when you edit, push or "
                    "pull, not by typing.")
        if column == Column.MAXIMUM:
            return ("The maximum comes from the line item on the platform; it cannot be "
                    "edited here.")
        return super().read_only_reason(column)

    def column_editable(self, column: int) -> bool:
        return 0 <= column < len(Column) and Column(column) in EDITABLE

    def _edit_label(self, column: int) -> str:
        field = EDITABLE.get(Column(column))
        return {Field.SCORE: "Edit score", Field.COMMENT: "Edit comment",
                Field.ACTIVITY: "Set activity progress",
                Field.GRADING: "Set grading progress"}.get(field, "Edit") if field else "Edit"

    def _change_for(self, source_row: int, column: int, value: object) -> CellChange | None:
        field = EDITABLE.get(Column(column))
        if field is None:
            return None
        row = self._rows[source_row]
        after = check_field(field, "" if value is None else str(value), row.maximum)
        before: object
        if field is Field.SCORE:
            before = row.score
        elif field is Field.COMMENT:
            before = row.new_comment
        elif field is Field.ACTIVITY:
            before = row.activity or None
        else:
            before = row.grading or None
        if after == before:
            return None  # retyping what is there makes no draft
        return CellChange(row.key, field, before, after, row.has_draft)

    def _show_pending(self, changes: Sequence[CellChange]) -> None:
        touched: dict[CellKey, StudentGrade] = {}
        for change in changes:
            source = self._by_key.get(change.key)
            if source is None:
                continue
            row = touched.get(change.key, self._rows[source])
            if change.field is Field.SCORE:
                row = replace(row, score=change.after)  # type: ignore[arg-type]
            elif change.field is Field.COMMENT:
                row = replace(row, new_comment=change.after)  # type: ignore[arg-type]
            elif change.field is Field.ACTIVITY:
                row = replace(row, activity=str(change.after))
            elif change.field is Field.GRADING:
                row = replace(row, grading=str(change.after))
            touched[change.key] = replace(row, state=SyncState.EDITED, has_draft=True)
        self.update_rows(touched)

    # --- Qt -------------------------------------------------------------------------------

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(Column):
            if role == Qt.ItemDataRole.DisplayRole:
                return HEADERS[Column(section)]
            if role == Qt.ItemDataRole.TextAlignmentRole and section in _NUMERIC:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self._order):
            return str(section + 1)
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if Column(index.column()) in EDITABLE:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._order)):
            return None
        source = self._order[index.row()]
        row = self._rows[source]
        column = Column(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            text = self._display(row, column)
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return self._spoken(row, column, text, source)
            return text
        if role == Qt.ItemDataRole.EditRole:
            return self._edit_value(row, column)
        if role == KEY_ROLE:
            return row.key
        if role == STATE_ROLE:
            return row.state
        if role == FIELD_ROLE:
            return EDITABLE.get(column)
        if role == ERROR_ROLE:
            return self._errors.get((source, column))
        if role == MAXIMUM_ROLE:
            return row.maximum if column is Column.SCORE else None
        if role == EXTRA_CREDIT_ROLE:
            return column is Column.SCORE and row.above_maximum
        if role == Qt.ItemDataRole.DecorationRole and column is Column.SYNC:
            return state_icon_for(row.state)
        if role == Qt.ItemDataRole.ForegroundRole:
            if (source, column) in self._errors:
                return warning_color()
            if column is Column.SYNC:
                return state_color(row.state)
            if column is Column.COMMENT and not row.new_comment:
                return muted_text_color()  # the platform's comment, told from a new one
            return None
        if role == Qt.ItemDataRole.FontRole and column is Column.COMMENT and not row.new_comment \
                and row.server_comment:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in _NUMERIC:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column, source)
        return None

    def _display(self, row: StudentGrade, column: Column) -> str:
        match column:
            case Column.NAME:
                return row.student.shown_name(self._names_hidden)
            case Column.SECTION:
                return row.student.section or "—"
            case Column.SCORE:
                return format_score(row.score)
            case Column.MAXIMUM:
                return format_score(row.maximum)
            case Column.COMMENT:
                return (row.shown_comment or "").replace("\n", " ")
            case Column.ACTIVITY:
                return _activity(row)
            case Column.GRADING:
                return grading_word(row.grading)
            case Column.SUBMISSION:
                return row.submission
            case Column.SYNC:
                return LOOKS[row.state].label

    def _edit_value(self, row: StudentGrade, column: Column) -> str:
        if column is Column.SCORE:
            return edit_text(row.score)
        if column is Column.COMMENT:
            return row.new_comment or ""
        if column is Column.ACTIVITY:
            return row.activity
        if column is Column.GRADING:
            return row.grading
        return self._display(row, column)

    def _spoken(self, row: StudentGrade, column: Column, text: str, source: int) -> str:
        error = self._errors.get((source, column))
        if error:
            return f"{HEADERS[column]}: refused, {error}"
        if column is Column.SCORE and row.score is None:
            return f"{HEADERS[column]}: no score"
        if column is Column.SCORE and row.above_maximum:
            return f"{HEADERS[column]}: {text}. {extra_credit_tip(row.maximum)}"
        if column is Column.SYNC:
            return f"Sync state: {LOOKS[row.state].label}. {LOOKS[row.state].meaning}"
        return f"{HEADERS[column]}: {text or 'empty'}"

    def _tooltip(self, row: StudentGrade, column: Column, source: int) -> str | None:
        error = self._errors.get((source, column))
        if error:
            return f"Not saved: {error}"
        if column is Column.SYNC:
            look = LOOKS[row.state]
            text = f"{look.label}: {look.meaning}"
            return f"{text}\n{row.problem}" if row.problem else text
        if column is Column.COMMENT:
            if row.new_comment:
                return f"New comment (sent on the next push):\n{row.new_comment}"
            if row.server_comment:
                return f"Last comment on the platform:\n{row.server_comment}"
        if column is Column.GRADING:
            return f"{grading_word(row.grading)}. {progress_tip('gradingProgress', row.grading)}"
        if column is Column.ACTIVITY:
            if not row.activity and (row.has_server_result or row.has_draft):
                return "The platform does not say how far the student got."
            return f"{_activity(row)}. {progress_tip('activityProgress', row.activity)}"
        if column is Column.SCORE and row.pending_manual and row.score is None:
            return "Submitted; needs grading."
        if column is Column.SCORE and row.above_maximum:
            return f"{format_score(row.score)}: {extra_credit_tip(row.maximum)}"
        if column is Column.SCORE and row.score is not None \
                and edit_text(row.score) != format_score(row.score):
            return f"Exactly {edit_text(row.score)} (shown rounded)."
        return None
