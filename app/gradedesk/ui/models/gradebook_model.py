"""The whole gradebook: students x line items, 120,000 cells for a 2,000 x 60 course.

Virtualized: the view asks only for the cells on screen, and each ``data()`` call is a dict
lookup in cells loaded once on the store lane. Edits refresh the touched cells only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from gradedesk.domain import is_above_maximum
from gradedesk.store import LineItemRow, SyncState
from gradedesk.store.grid import Cell
from gradedesk.sync.holding import HELD_NOTE
from gradedesk.ui.hidden_names import name_order, shown_matches
from gradedesk.ui.icons import held_icon
from gradedesk.ui.models.base import (
    ERROR_ROLE,
    EXTRA_CREDIT_ROLE,
    FIELD_ROLE,
    HEADER_TEXT_ROLE,
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
    GRADING_WORDS,
    NO_RESULT_WORD,
    CellKey,
    GradebookData,
    Student,
    row_filters,
)
from gradedesk.ui.sync_states import (
    LOOKS,
    is_dark,
    muted_text_color,
    state_color,
    state_icon_for,
    warning_color,
)
from gradedesk.ui.undo_values import CellChange, Field

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_EDIT = int(Qt.ItemDataRole.EditRole)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_TEXT_ROLES = frozenset({_DISPLAY, _EDIT})
_NAME_ROLES = frozenset({_DISPLAY, _EDIT, _ACCESSIBLE})
_ANSWERED_ROLES = frozenset({
    _DISPLAY, _EDIT, _ACCESSIBLE, _TOOLTIP, _ALIGNMENT, _DECORATION, _FOREGROUND,
    MAXIMUM_ROLE, EXTRA_CREDIT_ROLE, KEY_ROLE, STATE_ROLE, FIELD_ROLE, ERROR_ROLE})
_SCORE_ALIGNMENT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_FIXED_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_SCORE_FLAGS = _FIXED_FLAGS | Qt.ItemFlag.ItemIsEditable
HELD_WORD = "Held"  # a held column's header says it after its points, beside the lock
PENDING_TEXT = GRADING_WORDS["PendingManual"]  # "Needs grading", as the line-item view says
NAME_COLUMN = 0
SECTION_COLUMN = 1
FIXED_COLUMNS = 2
# Without a draft these states come from the outbox alone; with one they do not. Treat them
# as "had a draft" so that undo re-saves the old value instead of discarding a draft.
_MAYBE_DRAFT = frozenset({SyncState.EDITED, SyncState.QUEUED, SyncState.SENDING,
                          SyncState.CONFLICT, SyncState.FAILED, SyncState.REFUSED})


def points(maximum: float | None) -> str:
    """A line item's points possible as its header says them ("20 pts")."""
    return f"{format_score(maximum)} pt{'' if maximum == 1 else 's'}"


class GradebookModel(GradeTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._students: list[Student] = []
        self._line_items: list[LineItemRow] = []
        self._cells: dict[tuple[int, str], Cell] = {}
        self._filters: dict[str, frozenset[RowFilter]] = {}
        self._row_of_user: dict[str, int] = {}
        self._column_of_item: dict[int, int] = {}
        self._column_of_url: dict[str, int] = {}
        self._connection_id: int | None = None
        # Per connection id: its held columns' URLs (their headers carry the lock badge).
        self._held: Mapping[int, frozenset[str]] = {}

    def load(self, data: GradebookData | None) -> None:
        self.beginResetModel()
        self._students = list(data.students) if data is not None else []
        self._line_items = list(data.line_items) if data is not None else []
        self._cells = dict(data.cells) if data is not None else {}
        self._filters = dict(data.row_filters) if data is not None else {}
        self._connection_id = data.connection_id if data is not None else None
        self._row_of_user = {s.user_id: i for i, s in enumerate(self._students)}
        self._column_of_item = {li.id: FIXED_COLUMNS + i for i, li in enumerate(self._line_items)}
        self._column_of_url = {li.url: FIXED_COLUMNS + i for i, li in enumerate(self._line_items)}
        self._errors.clear()
        self._rebuild_order()
        self.endResetModel()

    @property
    def connection_id(self) -> int | None:
        return self._connection_id

    def set_held(self, held: Mapping[int, frozenset[str]]) -> None:
        """Which columns are held (per connection id, from the overview): their headers
        show the badge."""
        if dict(held) == dict(self._held):
            return
        self._held = dict(held)
        if self._line_items:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, FIXED_COLUMNS,
                                        self.columnCount() - 1)

    def is_held(self, item: LineItemRow) -> bool:
        return item.url in self._held.get(item.connection_id, frozenset())


    @property
    def line_items(self) -> Sequence[LineItemRow]:
        return tuple(self._line_items)

    def line_item_at(self, column: int) -> LineItemRow | None:
        index = column - FIXED_COLUMNS
        return self._line_items[index] if 0 <= index < len(self._line_items) else None

    def column_of(self, line_item_url: str) -> int | None:
        return self._column_of_url.get(line_item_url)

    def student_at(self, visible_row: int) -> Student:
        return self._students[self._order[visible_row]]

    def student_of(self, user_id: str) -> Student | None:
        """A student of the loaded gradebook, shown or filtered out."""
        source = self._row_of_user.get(user_id)
        return self._students[source] if source is not None else None

    def visible_row_of(self, user_id: str) -> int | None:
        source = self._row_of_user.get(user_id)
        return None if source is None else self._position.get(source)

    def scores_of(self, line_item_id: int) -> list[float]:
        """Every shown score of one line item (for the at-a-glance panel)."""
        return [cell.score for (item, _), cell in self._cells.items()
                if item == line_item_id and cell.score is not None]

    def filter_counts(self) -> dict[RowFilter, int]:
        """How many students each state filter would show (whatever the name filter)."""
        counts = dict.fromkeys(RowFilter, 0)
        counts[RowFilter.ALL] = len(self._students)
        for student in self._students:
            for kind in self._filters.get(student.user_id, ()):
                counts[kind] += 1
        return counts

    def update_cells(self, fresh: Mapping[tuple[int, str], Cell]) -> None:
        """Replace changed cells and repaint only them."""
        ids = [li.id for li in self._line_items]
        touched_users = set()
        for key, cell in fresh.items():
            self._cells[key] = cell
            touched_users.add(key[1])
            source = self._row_of_user.get(key[1])
            column = self._column_of_item.get(key[0])
            visible = None if source is None else self._position.get(source)
            if visible is not None and column is not None:
                index = self.index(visible, column)
                self.dataChanged.emit(index, index)
        for user_id in touched_users:
            self._filters[user_id] = row_filters(user_id, ids, self._cells)

    # --- GradeTableModel ------------------------------------------------------------------

    def _source_count(self) -> int:
        return len(self._students)

    def _accepts(self, source_row: int, spec: FilterSpec) -> bool:
        student = self._students[source_row]
        named = shown_matches(student, spec.text) if self._names_hidden \
            else student_matches(student, spec.text)
        if not named or not in_section(student, spec.section) \
                or not in_share(student, spec.students):
            return False
        return spec.kind is RowFilter.ALL or spec.kind in self._filters.get(student.user_id, ())

    def _rebuild_order(self) -> None:
        super()._rebuild_order()
        if self._names_hidden and self._sort is None:
            # Roster order is alphabetical: with names hidden it would tell who is who.
            self._order.sort(key=lambda source: self._students[source].number)
            self._position = {source: visible for visible, source in enumerate(self._order)}

    def _sort_key(self, source_row: int, column: int) -> tuple[Any, ...]:
        student = self._students[source_row]
        name = name_order(student, self._names_hidden)  # ties too: no alphabetical hint
        if column == NAME_COLUMN:
            return name
        if column == SECTION_COLUMN:
            return ((student.section or "").casefold(), name)
        item = self.line_item_at(column)
        cell = self._cells.get((item.id, student.user_id)) if item is not None else None
        score = cell.score if cell is not None else None
        return (score is None, score or 0.0, name)

    def _blank(self, source_row: int, column: int) -> bool:
        student = self._students[source_row]
        if column == SECTION_COLUMN:
            return not student.section
        item = self.line_item_at(column)
        if item is None:
            return False
        cell = self._cells.get((item.id, student.user_id))
        return cell is None or cell.score is None

    def read_only_reason(self, column: int) -> str:
        if column == NAME_COLUMN:
            return "Names come from the platform's roster; they cannot be edited here."
        return super().read_only_reason(column)

    def column_editable(self, column: int) -> bool:
        return self.line_item_at(column) is not None

    def _edit_label(self, column: int) -> str:
        return "Edit score"

    def _change_for(self, source_row: int, column: int, value: object) -> CellChange | None:
        item = self.line_item_at(column)
        if item is None:
            return None
        student = self._students[source_row]
        cell = self._cells.get((item.id, student.user_id))
        after = check_field(Field.SCORE, "" if value is None else str(value),
                            item.score_maximum)
        before = cell.score if cell is not None else None
        if after == before:
            return None
        had_draft = cell is not None and cell.state in _MAYBE_DRAFT
        return CellChange((item.url, student.user_id), Field.SCORE, before, after, had_draft)

    def _show_pending(self, changes: Sequence[CellChange]) -> None:
        by_url = {li.url: li.id for li in self._line_items}
        fresh: dict[tuple[int, str], Cell] = {}
        for change in changes:
            item_id = by_url.get(change.key[0])
            if item_id is None or change.field is not Field.SCORE:
                continue
            old = self._cells.get((item_id, change.key[1]))
            fresh[(item_id, change.key[1])] = Cell(
                change.after, SyncState.EDITED,  # type: ignore[arg-type]
                old.has_server_result if old is not None else False)
        self.update_cells(fresh)

    # --- Qt -------------------------------------------------------------------------------

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else FIXED_COLUMNS + len(self._line_items)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._order):
                return str(section + 1)
            return None
        if role in (Qt.ItemDataRole.DisplayRole, HEADER_TEXT_ROLE):
            if section == NAME_COLUMN:
                return "Student"
            if section == SECTION_COLUMN:
                return "Section"
            item = self.line_item_at(section)
            if item is None:
                return None
            label = f"{item.label} [{item.short_id}]" if item.pending_create else item.label
            if role != HEADER_TEXT_ROLE:
                return label
            return f"{label} ({points(item.score_maximum)})" + (
                f" · {HELD_WORD}" if self.is_held(item) else "")
        if role == Qt.ItemDataRole.DecorationRole:
            item = self.line_item_at(section)
            return held_icon(is_dark()) if item is not None and self.is_held(item) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            item = self.line_item_at(section)
            if item is None:
                return None
            tip = f"{item.label} ({points(item.score_maximum)})"
            if item.pending_create:
                tip += ": not yet on the platform; the next push creates it"
            return f"{tip}\n{HELD_NOTE}" if self.is_held(item) else tip
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _SCORE_FLAGS if index.column() >= FIXED_COLUMNS else _FIXED_FLAGS

    # data() runs ~10 times a cell for every painted frame (Qt asks for each role it draws):
    # roles as plain ints, a quick None for the roles this model never answers, and no work
    # before the role is known to need it.
    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        role = int(role)
        if role not in _ANSWERED_ROLES or not index.isValid():
            return None
        row = index.row()
        if not 0 <= row < len(self._order):
            return None
        source = self._order[row]
        student = self._students[source]
        column = index.column()
        if column == NAME_COLUMN:
            if role not in _NAME_ROLES:
                return None
            shown = student.shown_name(self._names_hidden)
            if role == _ACCESSIBLE and not self._names_hidden:
                return f"Student: {shown}"
            return shown
        if column == SECTION_COLUMN:
            return student.section or "—" if role in _TEXT_ROLES else None
        item = self.line_item_at(column)
        if item is None:
            return None
        if role == _ALIGNMENT:
            return _SCORE_ALIGNMENT
        if role == FIELD_ROLE:
            return Field.SCORE
        if role == MAXIMUM_ROLE:
            return item.score_maximum
        if role == KEY_ROLE:
            return (item.url, student.user_id)
        error = self._errors.get((source, column))
        if role == ERROR_ROLE:
            return error
        cell = self._cells.get((item.id, student.user_id))
        state = cell.state if cell is not None else SyncState.CLEAN
        if role == STATE_ROLE:
            return state
        if role == _DECORATION:
            return state_icon_for(state) if state is not SyncState.CLEAN else None
        pending = cell is not None and cell.needs_grading
        if role == _FOREGROUND:
            if error:
                return warning_color()
            if pending and state is SyncState.CLEAN:
                return muted_text_color()
            return state_color(state) if state is not SyncState.CLEAN else None
        score = cell.score if cell is not None else None
        if role == _DISPLAY:
            if pending and not error:
                return PENDING_TEXT  # submitted, awaiting a grader (not an empty cell)
            return format_score(score)
        if role == _EDIT:
            return edit_text(score)
        extra = is_above_maximum(score, item.score_maximum)
        if role == EXTRA_CREDIT_ROLE:
            return extra
        # The tooltip and the accessible text.
        if error:
            return f"Not saved: {error}"
        if score is not None:
            shown = format_score(score)
        elif pending:
            shown = f"{PENDING_TEXT} (AGS gradingProgress: PendingManual)"
        elif cell is None or not cell.has_server_result:
            shown = f"{NO_RESULT_WORD} (no result on the platform yet)"
        else:
            shown = "no score"
        look = LOOKS[state]
        note = f" {extra_credit_tip(item.score_maximum)}" if extra else ""
        return f"{item.label}: {shown}. {look.label}: {look.meaning}{note}"

    def key_at(self, visible_row: int, column: int) -> CellKey | None:
        item = self.line_item_at(column)
        if item is None or not (0 <= visible_row < len(self._order)):
            return None
        return (item.url, self._students[self._order[visible_row]].user_id)
