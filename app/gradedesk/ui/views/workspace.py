"""The three panes under the toolbar: courses (with the at-a-glance panel and the legend) on
the left, the grid with its filters in the middle, the detail panel on the right.

Layout only: the window wires these widgets to the presenter.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from gradedesk.ui.models.gradebook_model import FIXED_COLUMNS, SECTION_COLUMN, GradebookModel
from gradedesk.ui.models.line_item_model import Column, LineItemModel
from gradedesk.ui.models.navigation_model import NavigationModel
from gradedesk.ui.platform_notes import NAMES_UNAVAILABLE
from gradedesk.ui.rows import (
    ACTIVITY_WORDS,
    FILTER_LABELS,
    GRADING_WORDS,
    NO_RESULT_WORD,
    GradebookData,
    RowFilter,
)
from gradedesk.ui.sync_states import readable_placeholders
from gradedesk.ui.views.actions import WindowActions
from gradedesk.ui.views.alert_bar import AlertBar
from gradedesk.ui.views.detail_panel import DetailPanel
from gradedesk.ui.views.glance import GlancePanel
from gradedesk.ui.views.grade_table import GradeTableView
from gradedesk.ui.views.legend import Legend
from gradedesk.ui.views.team_progress_panel import TeamProgressPanel

_BADGE_STYLE = ("QLabel#gridSandboxBadge { background: #8a5a00; color: white; "
                "padding: 2px 8px; border-radius: 3px; }")
# The Queued state's blue: a column waiting for the next push, like a queued grade.
_COLUMN_BADGE_STYLE = ("QLabel#columnBadge { background: #1f5fa8; color: white; "
                       "padding: 2px 8px; border-radius: 3px; }")
ALL_SECTIONS = "All sections"
NO_SECTION = "No section"
_NOTE_STYLE = ("QLabel#rosterNote { border: 1px solid palette(mid); border-radius: 3px; "
               "padding: 3px 6px; }")


def _bold(label: QLabel, scale: float = 1.0) -> None:
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)


class Workspace(QSplitter):
    def __init__(self, actions: WindowActions, line_model: LineItemModel,
                 gradebook_model: GradebookModel, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("mainSplitter")
        self.setAccessibleName("Main panes")
        self.setChildrenCollapsible(False)
        left = self._build_left()
        center = self._build_center(actions, line_model, gradebook_model)
        self.detail = DetailPanel(self)
        self.addWidget(left)
        self.addWidget(center)
        self.addWidget(self.detail)
        self.setStretchFactor(0, 0)
        self.setStretchFactor(1, 1)
        self.setStretchFactor(2, 0)
        self.setSizes([210, 790, 280])
        # Hints in empty fields read at 4.5:1 too (the usual placeholder grey is about 4:1).
        self.setPalette(readable_placeholders(self.palette()))
        self.size_line_columns()

    def _build_left(self) -> QWidget:
        left = QSplitter(Qt.Orientation.Vertical, self)
        left.setObjectName("leftSplitter")
        left.setAccessibleName("Courses pane")
        self.nav_model = NavigationModel(self)
        self.nav = QTreeView(left)
        self.nav.setAccessibleName("Courses and line items")
        self.nav.setModel(self.nav_model)
        self.nav.setHeaderHidden(True)
        self.nav.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.nav.setMinimumWidth(160)
        side = QWidget(left)
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 0, 0, 0)
        self.glance = GlancePanel(side)
        legend_title = QLabel("Sync states", side)
        legend_title.setAccessibleName("Legend title")
        _bold(legend_title)
        self.legend = Legend(side, compact=True)
        layout.addWidget(self.glance)
        # Each grader's progress when a split among graders applies (views.team_area).
        self.team_progress = TeamProgressPanel(side)
        layout.addWidget(self.team_progress)
        layout.addWidget(legend_title)
        layout.addWidget(self.legend)
        layout.addStretch(1)
        left.addWidget(self.nav)
        left.addWidget(side)
        left.setStretchFactor(0, 1)
        left.setStretchFactor(1, 0)
        return left

    def _build_center(self, actions: WindowActions, line_model: LineItemModel,
                      gradebook_model: GradebookModel) -> QWidget:
        center = QWidget(self)
        center.setAccessibleName("Grid pane")
        layout = QVBoxLayout(center)
        layout.setContentsMargins(4, 4, 4, 0)

        header = QHBoxLayout()
        self.title = QLabel("", center)
        self.title.setAccessibleName("Current view")
        _bold(self.title, 1.15)
        # A long line-item label must not widen the window: let the title shrink.
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.row_count = QLabel(center)
        self.row_count.setAccessibleName("Rows shown")
        self.grid_badge = QLabel("Sandbox: sample data", center)
        self.grid_badge.setObjectName("gridSandboxBadge")
        self.grid_badge.setAccessibleName("Sandbox notice")
        self.grid_badge.setToolTip("The built-in sandbox course: sample students and grades "
                                   "on this machine, not a real platform.")
        self.grid_badge.setStyleSheet(_BADGE_STYLE)
        self.grid_badge.hide()
        self.column_badge = QLabel("Not yet on the platform", center)
        self.column_badge.setObjectName("columnBadge")
        self.column_badge.setAccessibleName("Column not yet on the platform")
        self.column_badge.setToolTip("Made on this computer: grade in it now; the next push "
                                     "(Ctrl+Shift+P) creates it on the platform, then sends "
                                     "its grades.")
        self.column_badge.setStyleSheet(_COLUMN_BADGE_STYLE)
        self.column_badge.hide()
        header.addWidget(self.title, 1)
        header.addWidget(self.column_badge)
        header.addSpacing(8)
        header.addWidget(self.row_count)
        header.addSpacing(8)
        header.addWidget(self.grid_badge)
        layout.addLayout(header)

        tools = QHBoxLayout()
        self.line_item_button = QToolButton(center)
        self.line_item_button.setDefaultAction(actions.line_item_view)
        self.line_item_button.setAccessibleName("Line item view")
        self.gradebook_button = QToolButton(center)
        self.gradebook_button.setDefaultAction(actions.gradebook_view)
        self.gradebook_button.setAccessibleName("Gradebook view")
        self.filter_text = QLineEdit(center)
        self.filter_text.setAccessibleName("Filter by name")
        self.filter_text.setPlaceholderText("Filter by name (Ctrl+F)")
        self.filter_text.setClearButtonEnabled(True)
        self.filter_text.setMinimumWidth(self.fontMetrics().horizontalAdvance("Filter by"))
        self.filter_kind = QComboBox(center)
        self.filter_kind.setAccessibleName("Show students")
        self.filter_kind.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.filter_kind.setMinimumContentsLength(8)
        for kind in RowFilter:
            self.filter_kind.addItem(FILTER_LABELS[kind], kind)
        # Shown only when some student has a section (from an imported gradebook CSV).
        self.filter_section = QComboBox(center)
        self.filter_section.setAccessibleName("Show section")
        self.filter_section.setToolTip("Show the students of one section")
        self.filter_section.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.filter_section.setMinimumContentsLength(8)
        self.filter_section.addItem(ALL_SECTIONS, None)
        self.filter_section.hide()
        # Shown only when a split among graders applies (views.team_area fills it).
        self.filter_grader = QComboBox(center)
        self.filter_grader.setAccessibleName("Show grader")
        self.filter_grader.setToolTip("Show one grader's students (the split among graders)")
        self.filter_grader.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.filter_grader.setMinimumContentsLength(10)
        self.filter_grader.hide()
        # FilterSpec.students: the chosen grader's students (None: everyone).
        self.grader_students: frozenset[str] | None = None
        tools.addWidget(self.line_item_button)
        tools.addWidget(self.gradebook_button)
        tools.addSpacing(8)
        tools.addWidget(self.filter_text, 2)
        tools.addWidget(self.filter_kind, 1)
        tools.addWidget(self.filter_section, 1)
        tools.addWidget(self.filter_grader, 1)
        layout.addLayout(tools)

        self.roster_note = QLabel(NAMES_UNAVAILABLE, center)
        self.roster_note.setObjectName("rosterNote")
        self.roster_note.setAccessibleName("Roster note")
        self.roster_note.setWordWrap(True)
        self.roster_note.setToolTip("The platform has no Names and Roles service: GradeDesk "
                                    "knows the students from their results, by user id.")
        self.roster_note.setStyleSheet(_NOTE_STYLE)
        self.roster_note.hide()
        layout.addWidget(self.roster_note)

        self.alert_bar = AlertBar(center)
        layout.addWidget(self.alert_bar)

        self.line_table = GradeTableView("Grades of the line item", center)
        self.line_table.setModel(line_model)
        self.gradebook_table = GradeTableView("Gradebook", center)
        self.gradebook_table.setModel(gradebook_model)
        # The frozen names say whose row it is; the row numbers' width goes to a line item.
        self.gradebook_table.verticalHeader().hide()
        for action in actions.grid_actions:
            self.line_table.addAction(action)
            self.gradebook_table.addAction(action)
        self.tables = QStackedWidget(center)
        self.tables.setAccessibleName("Grid")
        self.tables.addWidget(self.line_table)
        self.tables.addWidget(self.gradebook_table)
        layout.addWidget(self.tables, 1)
        return center

    @property
    def section_choice(self) -> str | None:
        """The section chosen (FilterSpec.section): None for every section, "" for the
        students without one."""
        value = self.filter_section.currentData()
        return value if isinstance(value, str) else None

    def set_sections(self, names: Sequence[str]) -> bool:
        """Offer these sections (``section_names``; "" stands for "No section") after "All
        sections", and show the chooser only when there are some. The section chosen stays
        chosen while it is offered; returns True when the choice fell back to every section
        (the filter must be applied again)."""
        chosen = self.section_choice
        offered = [self.filter_section.itemData(i) for i in range(1, self.filter_section.count())]
        if offered != list(names):
            blocker = self.filter_section.blockSignals(True)
            self.filter_section.clear()
            self.filter_section.addItem(ALL_SECTIONS, None)
            for name in names:
                self.filter_section.addItem(name or NO_SECTION, name)
            kept = self.filter_section.findData(chosen) if chosen is not None else -1
            self.filter_section.setCurrentIndex(max(kept, 0))
            self.filter_section.blockSignals(blocker)
            self._size_for_sections(names)
        self.filter_section.setVisible(bool(names))
        return chosen is not None and self.section_choice is None

    def _size_for_sections(self, names: Sequence[str]) -> None:
        """The chooser and the Section columns as wide as the longest name, within reason
        (a longer one is elided)."""
        if not names:
            return
        shown = [name or NO_SECTION for name in names]
        self.filter_section.setMinimumContentsLength(min(24, max(map(len, shown))))
        metrics = self.fontMetrics()
        width = min(max(map(metrics.horizontalAdvance, shown)) + 24,
                    metrics.horizontalAdvance("M") * 16)
        self.line_table.setColumnWidth(Column.SECTION, width)
        self.gradebook_table.setColumnWidth(SECTION_COLUMN, width)

    def size_line_columns(self) -> None:
        metrics = self.fontMetrics()

        def width(sample: str) -> int:
            return metrics.horizontalAdvance(sample) + 24

        widths = {Column.NAME: width("Oluwaseun, Kowalski"), Column.SECTION: width("Section B"),
                  Column.SCORE: width("Score") + 8, Column.MAXIMUM: width("Out of"),
                  Column.COMMENT: width("Clear method section;"),
                  Column.ACTIVITY: max(map(width, [*ACTIVITY_WORDS.values(), NO_RESULT_WORD])),
                  Column.GRADING: max(map(width, GRADING_WORDS.values())),
                  Column.SUBMISSION: width("File upload + 1 file"),
                  Column.SYNC: width("Files pending") + 8}
        for column, pixels in widths.items():
            self.line_table.setColumnWidth(column, pixels)
        self.line_table.horizontalHeader().setStretchLastSection(False)
        # The comment takes the width the window has to spare.
        self.line_table.fit_columns([Column.COMMENT], widths[Column.COMMENT], 100_000)

    def size_gradebook_columns(self, data: GradebookData) -> None:
        """Widths from samples, not from the cells (measuring 120,000 cells would defeat
        virtualization). The line items share the width the names leave, each between wide
        enough for "Needs grading" and a generous label's line; their headers wrap."""
        metrics = self.fontMetrics()
        table = self.gradebook_table
        # As wide as the longest name (2,000 names measure in a few milliseconds), no wider
        # than a long one: the room goes to the line items.
        longest = max((metrics.horizontalAdvance(s.name) for s in data.students), default=0)
        table.setColumnWidth(0, max(metrics.horizontalAdvance("Student") + 40,
                                    min(metrics.horizontalAdvance("Oluwaseun Kowalski"),
                                        longest) + 16))
        table.setColumnWidth(SECTION_COLUMN, metrics.horizontalAdvance("Section B (Tue/Thu)") + 16)
        table.setColumnHidden(SECTION_COLUMN, not any(s.section for s in data.students))
        narrowest = metrics.horizontalAdvance(GRADING_WORDS["PendingManual"]) + 10
        widest = metrics.horizontalAdvance("Lab 3: Enzyme Kinetics") + 40
        columns = range(FIXED_COLUMNS, FIXED_COLUMNS + len(data.line_items))
        for column in columns:
            table.setColumnWidth(column, narrowest)
        table.fit_columns(columns, narrowest, widest)
