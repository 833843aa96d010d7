"""The main window: courses on the left, the grid in the middle, details on the right, sync
state in the status bar. It only lays widgets out and forwards between them and the presenter.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QInputDialog, QMainWindow, QStackedWidget, QWidget

from gradedesk.bootstrap import is_sandbox
from gradedesk.domain import format_score
from gradedesk.store import ConnectionRow, LineItemRow
from gradedesk.ui.dialogs.connections import ConnectionsDialog
from gradedesk.ui.dialogs.review_queue import ReviewQueueDialog
from gradedesk.ui.icons import app_icon
from gradedesk.ui.loaders import CellDetail, ConflictRow, Overview
from gradedesk.ui.models.base import KEY_ROLE, FilterSpec, GradeTableModel
from gradedesk.ui.models.gradebook_model import GradebookModel
from gradedesk.ui.models.line_item_model import Column, LineItemModel
from gradedesk.ui.models.navigation_model import TARGET_ROLE
from gradedesk.ui.navigation import NavTarget, choose_target, follow_target
from gradedesk.ui.presenter import UNREACHABLE_LEAD, Presenter
from gradedesk.ui.rows import (
    FILTER_LABELS,
    CellKey,
    GradebookData,
    LineItemData,
    RowFilter,
    StatusCounts,
    StudentGrade,
)
from gradedesk.ui.store_cells import cells_of
from gradedesk.ui.views.actions import build_actions, build_menus, build_toolbar
from gradedesk.ui.views.activity import ActivityPanel, Level
from gradedesk.ui.views.column_commands import ColumnCommands
from gradedesk.ui.views.dialog_host import DialogHost
from gradedesk.ui.views.first_run import FirstRunPage
from gradedesk.ui.views.grade_table import GradeTableView
from gradedesk.ui.views.grid_commands import GridCommands
from gradedesk.ui.views.status_panel import CountsLabel, JobPanel, OnlineIndicator, SandboxBadge
from gradedesk.ui.views.window_state import (
    last_view,
    place_first_window,
    restore_layout,
    save_layout,
    save_view,
)
from gradedesk.ui.views.workspace import Workspace

LINE_ITEM_MODE = "line_item"
GRADEBOOK_MODE = "gradebook"
DETAIL_DELAY_MS = 120
GLANCE_DELAY_MS = 150
OFFLINE_ALERT = "offline"  # what an unreachable-platform alert is about: any job that answers
CELL_FAILURES_LISTED = 20  # per job, in the activity list; the Failed filter has them all
ACTIVITY_ROWS = 11  # the activity dock's height when shown first, in lines of text
ACTIVITY_MAX_SHARE = 0.3  # ... when it would take more of the window's height than this


class MainWindow(QMainWindow):
    view_ready = Signal(str)  # mode, after the grid shows freshly loaded data

    def __init__(self, presenter: Presenter, settings: QSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.presenter = presenter
        self.settings = settings
        self.setWindowTitle("GradeDesk")
        self.setWindowIcon(app_icon())
        self.setAccessibleName("GradeDesk")
        self.mode = LINE_ITEM_MODE
        self._pending_target: NavTarget | None = None
        self._overview: Overview | None = None
        self._current_target: NavTarget | None = None
        self._first_overview = True
        self._pending_open: NavTarget | None = None
        self._loading_overview = False
        self._prefer_gradebook = False
        self.line_item_hint: str | None = None  # --line-item: a URL, a number or a label
        self._pending_user: str | None = None  # select this student once the grid reloads
        self._running_job: str | None = None  # the network job's title, while it runs
        self._cell_failures = 0  # cells the running job could not send
        self._quit_confirmed = False  # the grader chose to quit: close without asking again
        self._quit_after_push = False  # "Push first" was chosen: quit when the push is done

        self.window_actions = build_actions(self, presenter.undo_stack)
        build_menus(self, self.window_actions)
        self.toolbar = build_toolbar(self, self.window_actions)

        self.line_model = LineItemModel(self)
        self.gradebook_model = GradebookModel(self)
        for model in (self.line_model, self.gradebook_model):
            model.edit_sink = presenter.apply_changes

        self.first_run = FirstRunPage(self)
        self.workspace = Workspace(self.window_actions, self.line_model, self.gradebook_model,
                                   self)
        ws = self.workspace  # the panes' widgets, by the names the window uses
        self.nav, self.nav_model, self.glance, self.legend = ws.nav, ws.nav_model, ws.glance, \
            ws.legend
        self.title, self.row_count, self.grid_badge = ws.title, ws.row_count, ws.grid_badge
        self.column_badge, self.roster_note = ws.column_badge, ws.roster_note
        self.filter_text, self.filter_kind, self.alert_bar = ws.filter_text, ws.filter_kind, \
            ws.alert_bar
        self.line_table, self.gradebook_table, self.tables = ws.line_table, ws.gradebook_table, \
            ws.tables
        self.detail = ws.detail
        self.dialogs = DialogHost(self, presenter)
        self.column_commands = ColumnCommands(self, self.window_actions)
        self.grid_commands = GridCommands(self, self.window_actions)
        presenter.score_of = self._score_in_grid
        self.pages = QStackedWidget(self)
        self.pages.setAccessibleName("Pages")
        self.pages.addWidget(self.first_run)
        self.pages.addWidget(self.workspace)
        self.setCentralWidget(self.pages)
        self._build_status_bar()
        self.activity = ActivityPanel(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.activity)
        self.activity.hide()  # until View > Activity (or the saved layout) shows it

        self._detail_timer = QTimer(self, singleShot=True, interval=DETAIL_DELAY_MS)
        self._detail_timer.timeout.connect(self._on_detail_timer_timeout)
        self._glance_timer = QTimer(self, singleShot=True, interval=GLANCE_DELAY_MS)
        self._glance_timer.timeout.connect(self.update_glance)
        self._connect()
        self._restore_window_state()
        self._set_mode(self.mode)
        self._update_action_states()

    # --- construction ---------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setAccessibleName("Status bar")
        self.job_panel = JobPanel(bar)
        self.counts_label = CountsLabel(bar)
        self.online_indicator = OnlineIndicator(bar)
        self.sandbox_badge = SandboxBadge(bar)
        bar.addPermanentWidget(self.job_panel)
        bar.addPermanentWidget(self.counts_label)
        bar.addPermanentWidget(self.online_indicator)
        bar.addPermanentWidget(self.sandbox_badge)

    def _connect(self) -> None:
        p = self.presenter
        a = self.window_actions
        p.overview_loaded.connect(self._on_presenter_overview_loaded)
        p.connection_changed.connect(self._on_presenter_connection_changed)
        p.line_item_loaded.connect(self._on_presenter_line_item_loaded)
        p.gradebook_loaded.connect(self._on_presenter_gradebook_loaded)
        p.rows_refreshed.connect(self._on_presenter_rows_refreshed)
        p.counts_changed.connect(self._on_presenter_counts_changed)
        p.online_changed.connect(self.online_indicator.set_online)
        p.job_started.connect(self._on_presenter_job_started)
        p.job_progressed.connect(self.job_panel.progress)
        p.job_finished.connect(self._on_presenter_job_finished)
        p.sync_finished.connect(self._on_presenter_sync_finished)
        p.files_polled.connect(self._on_presenter_files_polled)
        p.conflicts_loaded.connect(self._on_presenter_conflicts_loaded)
        p.detail_loaded.connect(self._on_presenter_detail_loaded)
        p.edit_refused.connect(self._on_presenter_edit_refused)
        p.comment_bank_loaded.connect(self._on_presenter_comment_bank_loaded)
        p.message_posted.connect(self._on_presenter_message_posted)
        p.warning_posted.connect(self._on_presenter_warning_posted)
        p.columns.names_checked.connect(lambda available: self.roster_note.setVisible(
            not available))
        p.error_raised.connect(self._on_presenter_error_raised)
        p.crashed.connect(self._on_presenter_crashed)
        p.edits_saved.connect(self._on_presenter_edits_saved)
        p.cell_not_sent.connect(self._on_presenter_cell_not_sent)
        p.undo_stack.indexChanged.connect(self._on_undo_stack_index_changed)

        a.connections.triggered.connect(self.open_connections)
        a.try_sandbox.triggered.connect(self.start_sandbox)
        a.reset_sandbox.triggered.connect(self.start_sandbox)
        a.quit.triggered.connect(self.request_quit)
        a.copy.triggered.connect(lambda: self.current_table.copy_selection())
        a.paste.triggered.connect(lambda: self.current_table.paste())
        a.fill_down.triggered.connect(lambda: self.current_table.fill_down())
        a.clear.triggered.connect(lambda: self.current_table.clear_selection_values())
        a.set_value.triggered.connect(self.ask_selection_value)
        a.find.triggered.connect(self._on_find_triggered)
        a.line_item_view.triggered.connect(lambda: self._set_mode(LINE_ITEM_MODE, load=True))
        a.gradebook_view.triggered.connect(lambda: self._set_mode(GRADEBOOK_MODE, load=True))
        a.toggle_detail.toggled.connect(self.detail.setVisible)
        a.activity.toggled.connect(self._on_activity_toggled)
        self.activity.visibilityChanged.connect(self._on_activity_visibility_changed)
        a.legend.triggered.connect(self.show_legend)
        a.pull.triggered.connect(self.presenter.pull)
        a.push.triggered.connect(self.presenter.push)
        a.cancel_job.triggered.connect(self.presenter.cancel_job)
        a.conflicts.triggered.connect(lambda: self.presenter.load_conflicts(open_dialog=True))
        a.review_queue.triggered.connect(self.open_review_queue)
        a.edit_comment.triggered.connect(self._on_edit_comment_triggered)
        a.attach_file.triggered.connect(self._on_attach_file_triggered)
        a.about.triggered.connect(self.dialogs.show_about)

        self.first_run.sandbox_requested.connect(self.start_sandbox)
        self.first_run.connect_requested.connect(self.open_connections)
        self.nav.selectionModel().currentChanged.connect(self._on_nav_current_changed)
        self.nav.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.nav.customContextMenuRequested.connect(self.column_commands.show_tree_menu)
        self.filter_text.textChanged.connect(lambda _t: self._apply_filter())
        self.filter_kind.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self.job_panel.cancel_requested.connect(self.presenter.cancel_job)
        for table in (self.line_table, self.gradebook_table):
            table.selectionModel().currentChanged.connect(self._on_table_current_changed)
            table.refusal_shown.connect(self._on_table_refusal_shown)
        self.gradebook_table.selectionModel().currentColumnChanged.connect(
            self._on_gradebook_current_column_changed)
        self.detail.changes_requested.connect(self.presenter.apply_changes)
        self.detail.comment_banked.connect(self.presenter.bank_comment)

    # --- state ----------------------------------------------------------------------------

    @property
    def current_table(self) -> GradeTableView:
        return self.line_table if self.mode == LINE_ITEM_MODE else self.gradebook_table

    @property
    def current_model(self) -> GradeTableModel:
        return self.line_model if self.mode == LINE_ITEM_MODE else self.gradebook_model

    def start(self) -> None:
        """Load the courses; shows the first-run page when there is no connection yet."""
        self.presenter.refresh_overview()

    def request_connection(self, name: str) -> None:
        """Open this connection once the courses are loaded (``--connection``)."""
        self._pending_target = NavTarget(name)

    def prefer_gradebook(self) -> None:
        """Open connections on the whole gradebook rather than a line item (``--gradebook``)."""
        self._prefer_gradebook = True
        self._set_mode(GRADEBOOK_MODE)

    def _set_mode(self, mode: str, *, load: bool = False) -> None:
        self.mode = mode
        self.window_actions.line_item_view.setChecked(mode == LINE_ITEM_MODE)
        self.window_actions.gradebook_view.setChecked(mode == GRADEBOOK_MODE)
        self.tables.setCurrentWidget(self.current_table)
        if load and mode == GRADEBOOK_MODE and self.presenter.connection is not None:
            self.presenter.load_gradebook()
        if load and mode == LINE_ITEM_MODE and self.line_model.line_item is None:
            target = self._first_line_item_target()
            if target is not None:
                self.open_target(target)
        self._update_title()
        self._update_action_states()
        self._update_row_count()
        self._glance_timer.start()

    def _first_line_item_target(self) -> NavTarget | None:
        connection = self.presenter.connection
        if connection is None or self._overview is None:
            return None
        items = self._overview.line_items.get(connection.id, ())
        return NavTarget(connection.name, items[0].url) if items else None

    def _update_title(self) -> None:
        connection = self.presenter.connection
        if connection is None:
            self.title.setText("")
            self.column_badge.hide()
            self.setWindowTitle("GradeDesk")
            return
        item = self.line_model.line_item if self.mode == LINE_ITEM_MODE else None
        if item is not None:
            text = f"{item.label}  ·  out of {format_score(item.score_maximum)}"
            self.title.setToolTip(f"{item.label} (id {item.short_id})" if item.short_id
                                  else item.label)
        else:
            text = f"{connection.name}: gradebook"
            self.title.setToolTip("")
        self.column_badge.setVisible(item is not None and item.pending_create)
        if item is not None and item.pending_create:
            self.column_badge.setText(f"{item.short_id}: not yet on the platform")
        self.title.setText(text)
        self.setWindowTitle(f"{text} — {connection.name} — GradeDesk")

    def _update_action_states(self) -> None:
        has_connection = self.presenter.connection is not None
        busy = self.presenter.busy
        a = self.window_actions
        a.pull.setEnabled(has_connection and not busy)
        a.push.setEnabled(has_connection and not busy)
        a.cancel_job.setEnabled(busy)
        a.conflicts.setEnabled(has_connection)
        a.review_queue.setEnabled(has_connection and self.line_model.line_item is not None)
        for action in (a.copy, a.paste, a.fill_down, a.set_value, a.clear, a.discard, a.find,
                       a.line_item_view, a.gradebook_view, a.edit_comment, a.attach_file):
            action.setEnabled(has_connection)
        a.try_sandbox.setEnabled(not busy)
        a.reset_sandbox.setEnabled(not busy)
        a.new_column.setEnabled(has_connection)
        a.add_student.setEnabled(has_connection)
        has_column = self.current_column() is not None
        for action in a.column_actions:
            action.setEnabled(has_column)

    def _update_row_count(self) -> None:
        model = self.current_model
        total = model.source_count()
        shown = model.rowCount()
        self.row_count.setText(f"{shown} of {total} students" if shown != total
                               else f"{total} students")
        self._update_filter_counts()

    def _update_filter_counts(self) -> None:
        """Each state filter says how many students it would show, so that a count in the
        status bar and what a filter shows can be compared at a glance."""
        counts = self.current_model.filter_counts()
        for position in range(self.filter_kind.count()):
            kind = self.filter_kind.itemData(position)
            if kind in set(RowFilter) and RowFilter(kind) is not RowFilter.ALL:
                self.filter_kind.setItemText(
                    position, f"{FILTER_LABELS[RowFilter(kind)]} ({counts[RowFilter(kind)]})")

    # --- navigation -----------------------------------------------------------------------

    def _on_presenter_overview_loaded(self, overview: Overview) -> None:
        self._overview = overview
        # Once a sample course exists, starting it again is the deliberate "Reset".
        has_sandbox = any(is_sandbox(c) for c in overview.connections)
        self.window_actions.try_sandbox.setVisible(not has_sandbox)
        self.window_actions.reset_sandbox.setVisible(has_sandbox)
        shown = self.line_model.line_item
        previous = follow_target(overview, self._current_target,
                                 shown.id if shown is not None else None)
        if previous != self._current_target and self.mode == GRADEBOOK_MODE:
            self._current_target = previous  # a column moved or went: stay in the gradebook
        self._loading_overview = True
        try:
            blocker = self.nav.selectionModel().blockSignals(True)
            self.nav_model.load(overview)
            self.nav.expandAll()
            self.nav.selectionModel().blockSignals(blocker)
            if not overview.connections:
                self.pages.setCurrentWidget(self.first_run)
                self.presenter.select_connection(None)
                self._update_action_states()
                return
            target = self._choose_target(overview, previous)
            # Select in the tree before the page shows: the tree takes focus, and a focused
            # tree with no current item would make its first row current.
            self._select_in_tree(target)
            self.pages.setCurrentWidget(self.workspace)
        finally:
            self._loading_overview = False
        self.open_target(target, force=previous != target or target != self._current_target)

    def _choose_target(self, overview: Overview, previous: NavTarget | None) -> NavTarget:
        wanted = self._pending_target or previous
        if wanted is None and self._first_overview:
            wanted = last_view(self.settings).target
        self._first_overview = False
        self._pending_target = None
        return choose_target(overview, wanted=wanted, want_line_item=self.mode == LINE_ITEM_MODE,
                             hint=self.line_item_hint)

    def _select_in_tree(self, target: NavTarget) -> None:
        index = self.nav_model.index_of(target)
        if index.isValid():
            blocker = self.nav.selectionModel().blockSignals(True)
            self.nav.setCurrentIndex(index)
            self.nav.selectionModel().blockSignals(blocker)

    def open_target(self, target: NavTarget, *, force: bool = True) -> None:
        """Show a connection's gradebook or one of its line items (selects it in the tree)."""
        self._select_in_tree(target)
        if not force and target == self._current_target:
            return
        self._current_target = target
        if target.line_item_url is not None:
            self._set_mode(LINE_ITEM_MODE)
        elif self.mode == LINE_ITEM_MODE:
            self._set_mode(GRADEBOOK_MODE)
        if self.presenter.connection_name != target.connection:
            self.detail.commit_comment()  # saved in the connection it was typed in
            self._pending_open = target
            self.presenter.select_connection(target.connection)
            return
        self._load_target(target)

    def _load_target(self, target: NavTarget) -> None:
        if target.line_item_url is not None:
            self.presenter.load_line_item(target.line_item_url)
        if self.mode == GRADEBOOK_MODE or target.line_item_url is None:
            self.presenter.load_gradebook()

    def _on_nav_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self._loading_overview:
            return
        target = current.data(TARGET_ROLE) if current.isValid() else None
        if isinstance(target, NavTarget):
            self.open_target(target)

    def _on_presenter_connection_changed(self, row: ConnectionRow | None) -> None:
        self.roster_note.hide()
        if row is not None:
            self.presenter.columns.check_names()
        sandbox = self.presenter.is_sandbox
        self.sandbox_badge.setVisible(sandbox)
        self.grid_badge.setVisible(sandbox)
        if row is None:
            self.line_model.load(None)
            self.gradebook_model.load(None)
            self.detail.show_detail(None)
        target = self._pending_open
        if row is not None and target is not None and target.connection == row.name:
            self._pending_open = None
            if target.line_item_url is None:
                self.line_model.load(None)
            self._load_target(target)
        self._update_title()
        self._update_action_states()

    def _on_presenter_line_item_loaded(self, data: LineItemData) -> None:
        keep = self._current_key(self.line_table)
        if keep is not None:
            keep = (data.line_item.url, keep[1])  # the same student in the line item shown
        column = self.line_table.currentIndex().column()  # a reload resets the current cell
        self.line_model.load(data)
        self.line_table.setColumnHidden(Column.SECTION,
                                        not any(r.student.section for r in data.rows))
        self._reselect(self.line_table, keep, lambda key: self.line_model.visible_row_of(key),
                       column)
        if self.mode == LINE_ITEM_MODE and self.detail.key is not None \
                and self.detail.key[0] != data.line_item.url:
            self._detail_timer.start()  # the panel must not go on showing another line item
        self._after_load(LINE_ITEM_MODE)

    def _on_presenter_gradebook_loaded(self, data: GradebookData) -> None:
        keep = self._current_key(self.gradebook_table)
        first_load = self.gradebook_model.columnCount() == 0
        old_items = tuple(self.gradebook_model.line_items)
        self.gradebook_model.load(data)
        if first_load or tuple(data.line_items) != old_items:
            self.workspace.size_gradebook_columns(data)
        if keep is not None:
            row = self.gradebook_model.visible_row_of(keep[1])
            column = self.gradebook_model.column_of(keep[0])
            if row is not None and column is not None:
                self.gradebook_table.setCurrentIndex(self.gradebook_model.index(row, column))
        self._after_load(GRADEBOOK_MODE)

    def _after_load(self, mode: str) -> None:
        if self._pending_user is not None and mode == self.mode:
            self._select_user(self._pending_user)
        self._update_title()
        self._update_action_states()
        self._update_row_count()
        self._glance_timer.start()
        self._save_view_state()
        self.view_ready.emit(mode)

    def _current_key(self, table: GradeTableView) -> CellKey | None:
        index = table.currentIndex()
        key = index.data(KEY_ROLE) if index.isValid() else None
        return key if isinstance(key, tuple) else None

    def _reselect(self, table: GradeTableView, key: CellKey | None, find: object,
                  column: int) -> None:
        if key is None or not callable(find):
            return
        row = find(key)
        if isinstance(row, int):
            table.setCurrentIndex(table.model().index(row, max(0, column)))

    def select_student(self, key: CellKey) -> None:
        """Make a student's cell current in the visible table (e.g. from the review queue)."""
        if self.mode == LINE_ITEM_MODE:
            row = self.line_model.visible_row_of(key)
            if row is not None:
                index = self.line_model.index(row, Column.SCORE)
                self.line_table.setCurrentIndex(index)
                self.line_table.scrollTo(index)
        else:
            row = self.gradebook_model.visible_row_of(key[1])
            column = self.gradebook_model.column_of(key[0])
            if row is not None and column is not None:
                self.gradebook_table.setCurrentIndex(self.gradebook_model.index(row, column))

    # --- grid -----------------------------------------------------------------------------

    def _apply_filter(self) -> None:
        # Stored as a StrEnum, read back from Qt as a plain str.
        kind = self.filter_kind.currentData()
        spec = FilterSpec(self.filter_text.text().strip(),
                          RowFilter(kind) if kind in set(RowFilter) else RowFilter.ALL)
        for model in (self.line_model, self.gradebook_model):
            model.set_filter(spec)
        self._update_row_count()
        self._glance_timer.start()

    def _on_find_triggered(self) -> None:
        self.filter_text.setFocus()
        self.filter_text.selectAll()

    def _on_table_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        self._detail_timer.start()

    def _on_detail_timer_timeout(self) -> None:
        key = self._current_key(self.current_table)
        self.presenter.load_detail(key)
        if key is not None and (self.detail.detail is None or
                                self.detail.detail.key[0] != key[0]):
            self.presenter.load_comment_bank(key[0])

    def _on_presenter_rows_refreshed(self, rows: dict[CellKey, StudentGrade]) -> None:
        line_item = self.line_model.line_item
        if line_item is not None:
            self.line_model.update_rows({k: r for k, r in rows.items()
                                         if k[0] == line_item.url})
        if self.gradebook_model.connection_id is not None:
            self.gradebook_model.update_cells(cells_of(rows))
        if self.detail.key is not None and self.detail.key in rows:
            self.presenter.load_detail(self.detail.key)
        self._glance_timer.start()
        self._update_filter_counts()

    def _on_table_refusal_shown(self, text: str) -> None:
        self.statusBar().showMessage(f"Not saved: {text}", 8000)
        self.activity.add(f"Not saved: {text}", Level.WARNING)

    def _on_presenter_message_posted(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)
        self.activity.add(text)

    def _on_presenter_warning_posted(self, text: str) -> None:
        self.alert_bar.alert(text)
        self.statusBar().showMessage(f"⚠ {text}", 15000)
        self.activity.add(text, Level.WARNING)

    def show_message(self, text: str) -> None:
        """A status-bar message long enough to read a sentence (kept in the activity list)."""
        self.statusBar().showMessage(text, 15000)
        self.activity.add(text)

    def show_activity(self) -> None:
        """Show the activity list and put the keyboard in it."""
        self.window_actions.activity.setChecked(True)
        self.activity.show()
        if self.activity.height() > self.height() * ACTIVITY_MAX_SHARE:
            # Qt's first guess takes a third of the window from the grid: a few lines do.
            rows = self.fontMetrics().height() * ACTIVITY_ROWS
            self.resizeDocks([self.activity], [rows], Qt.Orientation.Vertical)
        self.activity.raise_()
        self.activity.messages.setFocus()

    def _on_activity_toggled(self, checked: bool) -> None:
        if checked:
            self.show_activity()
        else:
            self.activity.hide()

    def _on_activity_visibility_changed(self, visible: bool) -> None:
        # Closed with its own button, or shown by the saved layout: the menu follows.
        if self.activity.isHidden() == self.window_actions.activity.isChecked():
            blocker = self.window_actions.activity.blockSignals(True)
            self.window_actions.activity.setChecked(not self.activity.isHidden())
            self.window_actions.activity.blockSignals(blocker)

    def _on_undo_stack_index_changed(self, index: int) -> None:
        self._update_action_states()

    def _on_presenter_counts_changed(self, counts: StatusCounts) -> None:
        self.counts_label.set_counts(counts)

    def _on_presenter_detail_loaded(self, detail: CellDetail | None) -> None:
        self.detail.show_detail(detail)

    def _on_presenter_comment_bank_loaded(self, line_item_url: str,
                                          texts: tuple[str, ...]) -> None:
        if self.detail.key is None or self.detail.key[0] == line_item_url:
            self.detail.set_comment_bank(texts)

    def _on_presenter_edit_refused(self, key: CellKey, reason: str) -> None:
        self.alert_bar.alert(f"Not saved: {reason}", about="Saving")
        self.activity.add(f"Not saved ({self._describe_cell(key)}): {reason}", Level.WARNING)

    def _on_presenter_edits_saved(self, outcome: object) -> None:
        if not getattr(outcome, "errors", None):
            self.alert_bar.settle("Saving")  # the next edit went through

    def _on_presenter_cell_not_sent(self, key: CellKey, reason: str) -> None:
        self._cell_failures += 1
        if self._cell_failures <= CELL_FAILURES_LISTED:
            self.activity.add(f"Not sent ({self._describe_cell(key)}): {reason}", Level.WARNING)

    def _describe_cell(self, key: CellKey) -> str:
        """"Student, line item" as the window knows them (the raw ids when it does not)."""
        row = self.line_model.row_of(key)
        shown = self.gradebook_model.visible_row_of(key[1]) if row is None else None
        student = row.student.name if row is not None else \
            self.gradebook_model.student_at(shown).name if shown is not None else key[1]
        items = [self.line_model.line_item, *self.gradebook_model.line_items]
        connection = self.presenter.connection
        if self._overview is not None and connection is not None:
            items += self._overview.line_items.get(connection.id, ())
        label = next((item.label for item in items if item is not None and item.url == key[0]),
                     key[0])
        return f"{student}, {label}"

    def ask_selection_value(self) -> None:
        """Set one value for every selected cell (Ctrl+Enter in a cell does the same)."""
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Set value for selection")
        dialog.setLabelText("Value for every selected cell:")
        dialog.setAccessibleName("Set value for selection")
        dialog.textValueSelected.connect(self.current_table.set_selection_value)
        dialog.open()

    def update_glance(self) -> None:
        if self.mode == LINE_ITEM_MODE:
            item = self.line_model.line_item
            if item is None:
                self.glance.show_scores("", [], 0.0, 0)
                return
            rows = self.line_model.rows()
            scores = [r.score for r in rows if r.score is not None]
            self.glance.show_scores(item.label, scores, item.score_maximum, len(rows))
            return
        column = self.gradebook_table.currentIndex().column()
        item = self.gradebook_model.line_item_at(column) or (
            self.gradebook_model.line_items[0] if self.gradebook_model.line_items else None)
        if item is None:
            self.glance.show_scores("", [], 0.0, 0)
            return
        scores = self.gradebook_model.scores_of(item.id)
        self.glance.show_scores(item.label, scores, item.score_maximum,
                                self.gradebook_model.source_count())

    # --- columns and students ---------------------------------------------------------------

    @property
    def overview(self) -> Overview | None:
        """The connections and line items the tree shows (None until loaded)."""
        return self._overview

    def current_column(self) -> LineItemRow | None:
        """The column the Column menu acts on: the line item shown, or the gradebook's
        current column."""
        if self.presenter.connection is None:
            return None
        if self.mode == LINE_ITEM_MODE:
            return self.line_model.line_item
        return self.gradebook_model.line_item_at(self.gradebook_table.currentIndex().column())

    def open_column(self, url: str) -> None:
        """Show a column just made: opened in the line-item view, or the gradebook reloaded."""
        connection = self.presenter.connection
        if connection is None:
            return
        if self.mode == LINE_ITEM_MODE:
            self._pending_target = NavTarget(connection.name, url)
        else:
            self.presenter.load_gradebook()

    def forget_column(self, row: LineItemRow) -> None:
        """A deleted column leaves the line-item view (the next overview opens another)."""
        shown = self.line_model.line_item
        if shown is not None and shown.id == row.id:
            self.line_model.load(None)
            self.detail.show_detail(None)
            self._update_title()
            self._update_action_states()

    def select_user_when_loaded(self, user_id: str) -> None:
        self._pending_user = user_id

    def _select_user(self, user_id: str) -> None:
        if self.mode == LINE_ITEM_MODE:
            item = self.line_model.line_item
            if item is None or self.line_model.visible_row_of((item.url, user_id)) is None:
                return  # not in this load (or filtered out): try after the next one
            self.select_student((item.url, user_id))
        else:
            row = self.gradebook_model.visible_row_of(user_id)
            if row is None:
                return
            column = max(self.gradebook_table.currentIndex().column(), 0)
            index = self.gradebook_model.index(row, column)
            self.gradebook_table.setCurrentIndex(index)
            self.gradebook_table.scrollTo(index)
        self._pending_user = None

    def _score_in_grid(self, key: CellKey) -> float | None:
        row = self.line_model.row_of(key)
        return row.score if row is not None else None

    def _on_gradebook_current_column_changed(self, *_: object) -> None:
        self._glance_timer.start()
        self._update_action_states()

    # --- sync -----------------------------------------------------------------------------

    def start_sandbox(self) -> None:
        """Start the sandbox course; if one exists already, this is "Reset sample course":
        ask first (its grades and drafts go). Reopening the window resumes it instead."""
        existing = self._overview is not None and any(
            is_sandbox(c) for c in self._overview.connections)
        if not existing:
            self._start_sandbox_now()
            return
        self.dialogs.ask_restart_sandbox(self._start_sandbox_now)

    def _start_sandbox_now(self) -> None:
        self.first_run.set_busy("Starting the sandbox course…")
        self.presenter.start_sandbox()

    def _on_presenter_job_started(self, title: str) -> None:
        self._running_job = title
        self._cell_failures = 0
        self.job_panel.start(title)
        self._update_action_states()

    def _on_presenter_job_finished(self, message: str, ok: bool) -> None:
        title, self._running_job = self._running_job, None
        self.job_panel.finish()
        self.statusBar().showMessage(message, 10000)
        more = self._cell_failures - CELL_FAILURES_LISTED
        if more > 0:
            self.activity.add(f"…and {more} more grade{'s' if more != 1 else ''} not sent; "
                              "the Failed filter lists them all.", Level.WARNING)
        self.activity.add(message, Level.INFO if ok else Level.WARNING)
        if ok:
            # The platform answered and the attempt went through: older alerts about it
            # (or about being offline) are no longer true.
            self.alert_bar.settle(OFFLINE_ALERT)
            if title is not None:
                self.alert_bar.settle(title)
        self.first_run.set_busy(None)
        self._update_action_states()
        if self._quit_after_push:
            # A push that ends in sync_finished quits (see there); any other end stays open.
            QTimer.singleShot(0, self._drop_quit_after_push)

    def _on_presenter_files_polled(self) -> None:
        if self.detail.key is not None:
            self.presenter.load_detail(self.detail.key)

    def _on_presenter_sync_finished(self, phase: str, report: object) -> None:
        if phase == "push" and self._quit_after_push:
            self._quit_after_push = False
            QTimer.singleShot(0, self.request_quit)  # asks again if grades are still unsent
        if phase == "pull":
            self.presenter.columns.check_names()
        if self.detail.key is not None:
            self.presenter.load_detail(self.detail.key)
        if phase == "sandbox" and isinstance(report, str):
            self._pending_target = NavTarget(report)
            if not self._prefer_gradebook:
                self._set_mode(LINE_ITEM_MODE)
            self._current_target = None

    def _on_presenter_conflicts_loaded(self, rows: tuple[ConflictRow, ...],
                                       open_dialog: bool) -> None:
        self.dialogs.show_conflicts(rows, open_dialog=open_dialog)

    def _on_presenter_error_raised(self, title: str, message: str) -> None:
        offline = message.startswith(UNREACHABLE_LEAD)
        self.alert_bar.alert(f"{title}: {message}", about=OFFLINE_ALERT if offline else title)
        self.statusBar().showMessage(f"{title}: {message}", 10000)
        self.activity.add(f"{title}: {message}", Level.WARNING if offline else Level.ERROR)
        self.first_run.set_busy(None)
        if self.pages.currentWidget() is self.first_run:
            self.first_run.status.setText(f"⚠ {message}")
        self.dialogs.conflicts_idle()

    def _on_presenter_crashed(self, error: object) -> None:
        if isinstance(error, BaseException):
            self.dialogs.show_crash(error)
            self.activity.add(f"GradeDesk hit a bug: {type(error).__name__}: {error}",
                              Level.ERROR)
        self.first_run.set_busy(None)

    # --- dialogs --------------------------------------------------------------------------

    def open_connections(self) -> ConnectionsDialog:
        return self.dialogs.open_connections(self._overview, self._on_connections_course_ready)

    def _on_connections_course_ready(self, name: str) -> None:
        """The guided set-up is done: show that course (a pull fetches it)."""
        self._pending_target = NavTarget(name)
        self._current_target = None
        self.presenter.refresh_overview()
        self.show_message(f"{name} is set up: pull (F5) to fetch its columns, students and "
                          "grades.")

    def open_review_queue(self) -> ReviewQueueDialog | None:
        if self.line_model.line_item is None:
            return None
        if self.mode != LINE_ITEM_MODE:
            self._set_mode(LINE_ITEM_MODE)
        return self.dialogs.open_review_queue(self.line_model, self.select_student)

    def show_legend(self) -> None:
        self.dialogs.show_legend()

    def _on_edit_comment_triggered(self) -> None:
        if not self.detail.isVisible():
            self.window_actions.toggle_detail.setChecked(True)
        self.detail.comment_edit.setFocus()

    def _on_attach_file_triggered(self) -> None:
        if not self.detail.isVisible():
            self.window_actions.toggle_detail.setChecked(True)
        self.detail.file_url.setFocus()


    # --- window state ---------------------------------------------------------------------

    def _restore_window_state(self) -> None:
        if not restore_layout(self.settings, self, self.workspace):
            place_first_window(self)  # a first run: a size for this screen, not Qt's guess
        self._on_activity_visibility_changed(not self.activity.isHidden())
        last = last_view(self.settings)
        if last.mode in (LINE_ITEM_MODE, GRADEBOOK_MODE):
            self.mode = str(last.mode)
        self.window_actions.toggle_detail.setChecked(last.detail_visible)
        self.detail.setVisible(last.detail_visible)

    def _save_view_state(self) -> None:
        save_view(self.settings, self.presenter.connection_name, self.presenter.line_item_url,
                  self.mode)

    def save_window_state(self) -> None:
        save_layout(self.settings, self, self.workspace,
                    self.window_actions.toggle_detail.isChecked())
        self._save_view_state()
        self.settings.sync()

    # --- quitting ---------------------------------------------------------------------------

    def request_quit(self) -> None:
        """Quit (File > Quit, Ctrl+Q, the window's close button), asking first when grades of
        any connection are not sent yet."""
        self.detail.commit_comment()  # a comment being typed counts too
        self.presenter.count_unsent(self._on_unsent_counted)

    def _on_unsent_counted(self, unsent: dict[str, int]) -> None:
        total = sum(unsent.values())
        if not total:
            self._close_now()
            return
        current = self.presenter.connection_name
        can_push = current in unsent and not self.presenter.busy
        self.dialogs.ask_quit_with_unsent(total, on_quit=self._close_now,
                                          on_push_first=self._push_then_quit if can_push
                                          else None)

    def _close_now(self) -> None:
        self._quit_confirmed = True
        self.close()

    def _push_then_quit(self) -> None:
        self._quit_after_push = self.presenter.push() is not None

    def _drop_quit_after_push(self) -> None:
        # Still set: the push failed or was cancelled; its message is showing. Stay open.
        self._quit_after_push = False

    def closeEvent(self, event: QCloseEvent) -> None:
        if event.spontaneous() and not self._quit_confirmed:
            # The window's close button: the same question as Quit (closing from code, as
            # tests and the session's end do, never waits on a question).
            event.ignore()
            self.request_quit()
            return
        self.detail.commit_comment()  # queued on the store lane; shutdown waits for it
        self.save_window_state()
        self.dialogs.close_all()
        self.presenter.shutdown()
        super().closeEvent(event)
