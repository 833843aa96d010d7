"""The main window: courses on the left, the grid in the middle, details on the right, sync
state in the status bar. It lays the widgets out and forwards between them and the presenter.

Its parts: which course and line item to show (navigation.Navigator, no Qt), the tables and
the cell that follows the selection (grid_area.GridArea), and what the grader is told
(window_messages.WindowMessages: status bar, alert bar, activity list).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QAbstractItemView, QInputDialog, QMainWindow, QStackedWidget, QWidget

from gradedesk.domain import format_score
from gradedesk.store import ConnectionRow, LineItemRow
from gradedesk.store.connections import is_sandbox
from gradedesk.ui.dialogs.cell_history import CellHistoryOpener
from gradedesk.ui.dialogs.csv_files import CsvFiles
from gradedesk.ui.icons import app_icon
from gradedesk.ui.loaders import ConflictRow, Overview
from gradedesk.ui.models.base import KEY_ROLE, GradeTableModel
from gradedesk.ui.models.gradebook_model import GradebookModel
from gradedesk.ui.models.line_item_model import LineItemModel
from gradedesk.ui.models.navigation_model import TARGET_ROLE
from gradedesk.ui.navigation import Navigator, NavTarget
from gradedesk.ui.presenter import Presenter
from gradedesk.ui.rows import CellKey, GradebookData, LineItemData
from gradedesk.ui.views.actions import build_actions, build_menus, build_toolbar
from gradedesk.ui.views.column_commands import ColumnCommands
from gradedesk.ui.views.dialog_host import DialogHost
from gradedesk.ui.views.first_run import FirstRunPage
from gradedesk.ui.views.grade_table import GradeTableView
from gradedesk.ui.views.grid_area import GRADEBOOK_MODE, LINE_ITEM_MODE, GridArea
from gradedesk.ui.views.grid_commands import GridCommands
from gradedesk.ui.views.late_commands import LateCommands
from gradedesk.ui.views.rubric_commands import RubricCommands
from gradedesk.ui.views.team_area import TeamArea
from gradedesk.ui.views.window_messages import WindowMessages
from gradedesk.ui.views.window_state import (
    last_view,
    place_first_window,
    restore_layout,
    save_layout,
    save_view,
)
from gradedesk.ui.views.workspace import Workspace

if TYPE_CHECKING:  # opened on demand: their modules load then (see DialogHost)
    from gradedesk.ui.dialogs.cell_history import CellHistoryDialog
    from gradedesk.ui.dialogs.connections import ConnectionsDialog
    from gradedesk.ui.views.grading_mode import GradingMode

__all__ = ["GRADEBOOK_MODE", "LINE_ITEM_MODE", "MainWindow"]


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
        self.navigator = Navigator(saved=last_view(settings).target)
        self._loading_overview = False
        self._prefer_gradebook = False
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
        self.pages = QStackedWidget(self)
        self.pages.setAccessibleName("Pages")
        self.pages.addWidget(self.first_run)
        self.pages.addWidget(self.workspace)
        # Grade > Grading mode: a page, not a dialog, made when first needed (``grading``).
        self._grading: GradingMode | None = None
        self._graded_last: CellKey | None = None  # the student grading mode showed last
        self.setCentralWidget(self.pages)
        self.messages = WindowMessages(self)
        m = self.messages  # the status bar's widgets and the activity list, by their names
        self.job_panel, self.counts_label, self.online_indicator, self.sandbox_badge = \
            m.job_panel, m.counts_label, m.online_indicator, m.sandbox_badge
        self.activity = m.activity
        self.grid = GridArea(self)
        self.dialogs = DialogHost(self, presenter)
        self.column_commands = ColumnCommands(self, self.window_actions)
        self.rubric_commands = RubricCommands(self)
        self.late_commands = LateCommands(self)
        self.grid_commands = GridCommands(self, self.window_actions)
        self.csv_files = CsvFiles(self, presenter)  # File > Import / Export grades
        self.cell_history = CellHistoryOpener(self, presenter)
        presenter.score_of = self.grid.score_in_grid
        self._connect()
        # After _connect: its slots refresh the filter once the window's own have run.
        self.team = TeamArea(self)  # the grader filter and the team progress panel
        self._restore_window_state()
        self._set_mode(self.mode)
        self.update_action_states()

    # --- construction ---------------------------------------------------------------------

    def _connect(self) -> None:
        p = self.presenter
        a = self.window_actions
        p.overview_loaded.connect(self._on_presenter_overview_loaded)
        p.connection_changed.connect(self._on_presenter_connection_changed)
        p.line_item_loaded.connect(self._on_presenter_line_item_loaded)
        p.gradebook_loaded.connect(self._on_presenter_gradebook_loaded)
        p.job_started.connect(self._on_presenter_job_started)
        p.job_finished.connect(self._on_presenter_job_finished)
        p.sync_finished.connect(self._on_presenter_sync_finished)
        p.conflicts_loaded.connect(self._on_presenter_conflicts_loaded)
        p.changed_elsewhere.connect(self._on_presenter_changed_elsewhere)
        p.columns.names_checked.connect(lambda available: self.roster_note.setVisible(
            not available))
        p.error_raised.connect(self._on_presenter_error_raised)
        p.crashed.connect(self._on_presenter_crashed)
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
        a.find.triggered.connect(self.grid.focus_filter)
        a.line_item_view.triggered.connect(lambda: self._choose_view(LINE_ITEM_MODE))
        a.gradebook_view.triggered.connect(lambda: self._choose_view(GRADEBOOK_MODE))
        a.hide_names.toggled.connect(self.set_names_hidden)
        a.toggle_detail.toggled.connect(self.detail.setVisible)
        a.legend.triggered.connect(self.show_legend)
        a.pull.triggered.connect(self.presenter.pull)
        a.push.triggered.connect(self.presenter.push)
        a.cancel_job.triggered.connect(self.presenter.cancel_job)
        a.conflicts.triggered.connect(lambda: self.presenter.load_conflicts(open_dialog=True))
        a.review_proposals.triggered.connect(self.open_proposals)
        a.edit_rubric.triggered.connect(lambda: self.rubric_commands.edit_rubric())
        a.late_rule.triggered.connect(lambda: self.late_commands.open_late_rule())
        p.proposals.loaded.connect(self.dialogs.show_proposals)
        a.grading_mode.triggered.connect(self._on_grading_mode_triggered)
        a.edit_comment.triggered.connect(self._on_edit_comment_triggered)
        a.attach_file.triggered.connect(self._on_attach_file_triggered)
        a.about.triggered.connect(self.dialogs.show_about)
        a.import_csv.triggered.connect(self.csv_files.ask_import)
        a.export_csv.triggered.connect(self.csv_files.ask_export)
        a.cell_history.triggered.connect(self.open_cell_history)

        self.first_run.sandbox_requested.connect(self.start_sandbox)
        self.first_run.connect_requested.connect(self.open_connections)
        self.nav.selectionModel().currentChanged.connect(self._on_nav_current_changed)
        self.nav.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.nav.customContextMenuRequested.connect(self.column_commands.show_tree_menu)

    # --- state ----------------------------------------------------------------------------

    @property
    def current_table(self) -> GradeTableView:
        return self.grid.current_table

    @property
    def current_model(self) -> GradeTableModel:
        return self.grid.current_model

    @property
    def line_item_hint(self) -> str | None:
        """``--line-item``: a URL, a number or a label."""
        return self.navigator.line_item_hint

    @line_item_hint.setter
    def line_item_hint(self, hint: str | None) -> None:
        self.navigator.line_item_hint = hint

    @property
    def overview(self) -> Overview | None:
        """The connections and line items the tree shows (None until loaded)."""
        return self.navigator.overview

    def start(self) -> None:
        """Load the courses; shows the first-run page when there is no connection yet."""
        self.presenter.refresh_overview()
        self.presenter.watch_for_outside_changes(self._ready_for_outside_changes)

    def _ready_for_outside_changes(self) -> bool:
        """Not while a cell editor is open: a reload would throw away what is being typed."""
        return self.current_table.state() != QAbstractItemView.State.EditingState

    def _on_presenter_changed_elsewhere(self) -> None:
        if self._grading is not None and self.pages.currentWidget() is self._grading:
            self._grading.refresh()
        self.messages.show_brief("Grades changed outside this window (the gradedesk command "
                                 "or another window); showing them now.")

    def request_connection(self, name: str) -> None:
        """Open this connection once the courses are loaded (``--connection``)."""
        self.navigator.requested = NavTarget(name)

    def prefer_gradebook(self) -> None:
        """Open connections on the whole gradebook rather than a line item (``--gradebook``)."""
        self._prefer_gradebook = True
        self._set_mode(GRADEBOOK_MODE)

    def _choose_view(self, mode: str) -> None:
        """View > Line item or Gradebook (Ctrl+1, Ctrl+2): from grading mode too."""
        self.leave_grading_mode()
        self._set_mode(mode, load=True)

    def _set_mode(self, mode: str, *, load: bool = False) -> None:
        self.mode = mode
        self.window_actions.line_item_view.setChecked(mode == LINE_ITEM_MODE)
        self.window_actions.gradebook_view.setChecked(mode == GRADEBOOK_MODE)
        self.tables.setCurrentWidget(self.current_table)
        connection = self.presenter.connection
        if load and mode == GRADEBOOK_MODE and connection is not None:
            self.presenter.load_gradebook()
        if load and mode == LINE_ITEM_MODE and self.line_model.line_item is None \
                and connection is not None:
            target = self.navigator.first_line_item(connection.id, connection.name)
            if target is not None:
                self.open_target(target)
        self._update_title()
        self.update_action_states()
        self.grid.update_row_count()
        self.grid.glance_timer.start()

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

    def open_proposals(self) -> None:
        """Open the review of proposed grades, filled from the store."""
        self.dialogs.open_proposals()
        self.presenter.proposals.load()

    def update_action_states(self) -> None:
        has_connection = self.presenter.connection is not None
        busy = self.presenter.busy
        a = self.window_actions
        a.pull.setEnabled(has_connection and not busy)
        a.push.setEnabled(has_connection and not busy)
        a.cancel_job.setEnabled(busy)
        a.conflicts.setEnabled(has_connection)
        a.review_proposals.setEnabled(has_connection)
        a.grading_mode.setEnabled(has_connection)
        for action in (a.copy, a.paste, a.fill_down, a.set_value, a.clear, a.discard, a.find,
                       a.line_item_view, a.gradebook_view, a.edit_comment, a.attach_file,
                       a.import_csv, a.export_csv, a.cell_history):
            action.setEnabled(has_connection)
        a.try_sandbox.setEnabled(not busy)
        a.reset_sandbox.setEnabled(not busy)
        a.new_column.setEnabled(has_connection)
        a.add_student.setEnabled(has_connection)
        has_column = self.current_column() is not None
        for action in a.column_actions:
            action.setEnabled(has_column)
        a.edit_rubric.setEnabled(has_column)
        a.late_rule.setEnabled(has_column)
        self.column_commands.update_hold_actions()  # Hold or Release: whichever applies

    # --- navigation -----------------------------------------------------------------------

    def _on_presenter_overview_loaded(self, overview: Overview) -> None:
        # Once a sample course exists, starting it again is the deliberate "Reset".
        has_sandbox = any(is_sandbox(c) for c in overview.connections)
        self.window_actions.try_sandbox.setVisible(not has_sandbox)
        self.window_actions.reset_sandbox.setVisible(has_sandbox)
        shown = self.line_model.line_item
        previous = self.navigator.follow(overview, shown.id if shown is not None else None,
                                         in_gradebook=self.mode == GRADEBOOK_MODE)
        self._loading_overview = True
        try:
            blocker = self.nav.selectionModel().blockSignals(True)
            self.nav_model.load(overview)
            self.nav.expandAll()
            self.nav.selectionModel().blockSignals(blocker)
            if not overview.connections:
                self.window_actions.grading_mode.setChecked(False)
                self.pages.setCurrentWidget(self.first_run)
                self.presenter.select_connection(None)
                self.update_action_states()
                return
            target = self.navigator.choose(previous, want_line_item=self.mode == LINE_ITEM_MODE)
            # Select in the tree before the page shows: the tree takes focus, and a focused
            # tree with no current item would make its first row current.
            self._select_in_tree(target)
            if self.pages.currentWidget() is not self.grading:  # a pull does not end grading
                self.pages.setCurrentWidget(self.workspace)
        finally:
            self._loading_overview = False
        self.open_target(target, force=previous != target or target != self.navigator.current)

    def _select_in_tree(self, target: NavTarget) -> None:
        index = self.nav_model.index_of(target)
        if index.isValid():
            blocker = self.nav.selectionModel().blockSignals(True)
            self.nav.setCurrentIndex(index)
            self.nav.selectionModel().blockSignals(blocker)

    def open_target(self, target: NavTarget, *, force: bool = True) -> None:
        """Show a connection's gradebook or one of its line items (selects it in the tree)."""
        self._select_in_tree(target)
        if not self.navigator.go(target, force=force):
            return
        if target.line_item_url is not None:
            self._set_mode(LINE_ITEM_MODE)
        elif self.mode == LINE_ITEM_MODE:
            self._set_mode(GRADEBOOK_MODE)
        if self.presenter.connection_name != target.connection:
            self.detail.commit_comment()  # saved in the connection it was typed in
            self.navigator.wait_for_connection(target)
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
            self.grid.clear()
        target = self.navigator.connection_opened(row.name) if row is not None else None
        if target is not None:
            if target.line_item_url is None:
                self.line_model.load(None)
            self._load_target(target)
        self._update_title()
        self.update_action_states()

    def _on_presenter_line_item_loaded(self, data: LineItemData) -> None:
        self.grid.show_line_item(data)
        self._after_load(LINE_ITEM_MODE)

    def _on_presenter_gradebook_loaded(self, data: GradebookData) -> None:
        self.grid.show_gradebook(data)
        self._after_load(GRADEBOOK_MODE)

    def _after_load(self, mode: str) -> None:
        self.grid.after_load(mode)
        self._update_title()
        self.update_action_states()
        self._save_view_state()
        self.view_ready.emit(mode)

    def select_student(self, key: CellKey) -> None:
        """Make a student's cell current in the visible table (e.g. the one grading mode
        showed last)."""
        self.grid.select_student(key)

    def select_user_when_loaded(self, user_id: str) -> None:
        self.grid.pending_user = user_id

    # --- messages ---------------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        """A status-bar message long enough to read a sentence (kept in the activity list)."""
        self.messages.show_message(text)

    def show_activity(self) -> None:
        """Show the activity list and put the keyboard in it."""
        self.messages.show_activity()

    def update_glance(self) -> None:
        self.grid.update_glance()

    def _hidden_label(self, user_id: str) -> str:
        """"Student 17" for a user id, as the grids show it while names are hidden."""
        student = self.gradebook_model.student_of(user_id)
        if student is not None:
            return student.shown_name(True)
        item = self.line_model.line_item
        found = self.line_model.row_of((item.url, user_id)) if item is not None else None
        return found.student.shown_name(True) if found is not None else "a student"

    def describe_cell(self, key: CellKey) -> str:
        """"Student, line item" as the window knows them (the raw ids when it does not;
        "Student 17" while names are hidden)."""
        hidden = self.line_model.names_hidden
        row = self.line_model.row_of(key)
        shown = self.gradebook_model.visible_row_of(key[1]) if row is None else None
        student = row.student.shown_name(hidden) if row is not None else \
            self.gradebook_model.student_at(shown).shown_name(hidden) if shown is not None \
            else "a student" if hidden else key[1]
        items = [self.line_model.line_item, *self.gradebook_model.line_items]
        connection = self.presenter.connection
        overview = self.navigator.overview
        if overview is not None and connection is not None:
            items += overview.line_items.get(connection.id, ())
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

    # --- columns and students ---------------------------------------------------------------

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
            self.navigator.requested = NavTarget(connection.name, url)
        else:
            self.presenter.load_gradebook()

    def forget_column(self, row: LineItemRow) -> None:
        """A deleted column leaves the line-item view (the next overview opens another)."""
        shown = self.line_model.line_item
        if shown is not None and shown.id == row.id:
            self.line_model.load(None)
            self.detail.show_detail(None)
            self._update_title()
            self.update_action_states()

    # --- sync -----------------------------------------------------------------------------

    def start_sandbox(self) -> None:
        """Start the sandbox course; if one exists already, this is "Reset sample course":
        ask first (its grades and drafts go). Reopening the window resumes it instead."""
        overview = self.navigator.overview
        existing = overview is not None and any(is_sandbox(c) for c in overview.connections)
        if not existing:
            self._start_sandbox_now()
            return
        self.dialogs.ask_restart_sandbox(self._start_sandbox_now)

    def _start_sandbox_now(self) -> None:
        self.first_run.set_busy("Starting the sandbox course…")
        self.presenter.start_sandbox()

    # Bound methods, not lambdas: Qt disconnects them when the window goes, while the
    # presenter may live on.
    def _on_presenter_job_started(self, title: str) -> None:
        self.update_action_states()

    def _on_undo_stack_index_changed(self, index: int) -> None:
        self.update_action_states()

    def _on_presenter_job_finished(self, message: str, ok: bool) -> None:
        self.first_run.set_busy(None)
        self.update_action_states()
        if self._quit_after_push:
            # A push that ends in sync_finished quits (see there); any other end stays open.
            QTimer.singleShot(0, self._drop_quit_after_push)

    def _on_presenter_sync_finished(self, phase: str, report: object) -> None:
        if phase == "push" and self._quit_after_push:
            self._quit_after_push = False
            QTimer.singleShot(0, self.request_quit)  # asks again if grades are still unsent
        if phase == "pull":
            self.presenter.columns.check_names()
        self.grid.reload_detail()
        if phase == "sandbox" and isinstance(report, str):
            self.navigator.start_over_at(report)
            if not self._prefer_gradebook:
                self._set_mode(LINE_ITEM_MODE)

    def _on_presenter_conflicts_loaded(self, rows: tuple[ConflictRow, ...],
                                       open_dialog: bool) -> None:
        self.dialogs.show_conflicts(rows, open_dialog=open_dialog)

    def _on_presenter_error_raised(self, title: str, message: str) -> None:
        self.first_run.set_busy(None)
        if self.pages.currentWidget() is self.first_run:
            self.first_run.status.setText(f"⚠ {message}")
        self.dialogs.conflicts_idle()

    def _on_presenter_crashed(self, error: object) -> None:
        if isinstance(error, BaseException):
            self.dialogs.show_crash(error)
        self.first_run.set_busy(None)

    # --- dialogs --------------------------------------------------------------------------

    def open_connections(self) -> ConnectionsDialog:
        return self.dialogs.open_connections(self.navigator.overview,
                                             self._on_connections_course_ready)

    def _on_connections_course_ready(self, name: str) -> None:
        """The guided set-up is done: show that course (a pull fetches it)."""
        self.navigator.start_over_at(name)
        self.presenter.refresh_overview()
        self.show_message(f"{name} is set up: pull (F5) to fetch its columns, students and "
                          "grades.")

    # --- grading mode and hidden names ---------------------------------------------------------

    @property
    def grading(self) -> GradingMode:
        """Grading mode's page, made the first time it is opened: neither its module nor its
        widgets are part of the window's first frame."""
        if self._grading is None:
            from gradedesk.ui.views.grading_mode import GradingMode

            page = GradingMode(self.presenter, self)
            page.leave_requested.connect(self.leave_grading_mode)
            page.student_shown.connect(self._on_grading_student_shown)
            page.set_names_hidden(self.window_actions.hide_names.isChecked())
            page.grader = self.team.wanted_grader()
            self.pages.addWidget(page)
            self._grading = page
        return self._grading

    @property
    def grading_if_made(self) -> GradingMode | None:
        """Grading mode's page if it was ever opened (what it shows follows the window)."""
        return self._grading

    def open_grading_mode(self) -> GradingMode | None:
        """Grade > Grading mode (Ctrl+Shift+R): the submissions that need grading, in the
        whole window. Opens on the line item shown (every line item from the gradebook, or
        when the one shown has nothing waiting); Escape comes back here."""
        if self.presenter.connection is None:
            self.window_actions.grading_mode.setChecked(False)
            return None
        self.detail.commit_comment()  # typed in the panel: saved before grading goes on
        item = self.line_model.line_item if self.mode == LINE_ITEM_MODE else None
        self.grading.start(item.url if item is not None else None, fall_back_to_all=True)
        self.pages.setCurrentWidget(self.grading)
        self.window_actions.grading_mode.setChecked(True)
        return self.grading

    def leave_grading_mode(self) -> None:
        """Back to the grid, on the student grading mode showed last when it is there."""
        self.window_actions.grading_mode.setChecked(False)
        if self._grading is None or self.pages.currentWidget() is not self._grading:
            return
        self.pages.setCurrentWidget(self.workspace)
        if self._graded_last is not None:
            self.select_student(self._graded_last)
        self.current_table.setFocus()

    def _on_grading_mode_triggered(self, checked: bool) -> None:
        if checked:
            self.open_grading_mode()
        else:
            self.leave_grading_mode()

    def _on_grading_student_shown(self, key: CellKey) -> None:
        self._graded_last = key

    def set_names_hidden(self, hidden: bool) -> None:
        """View > Hide names: every student reads "Student 17" (grids, detail panel, grading
        mode) until revealed; remembered in the window settings."""
        for model in (self.line_model, self.gradebook_model):
            model.set_names_hidden(hidden)
        if self._grading is not None:
            self._grading.set_names_hidden(hidden)
        if self.window_actions.hide_names.isChecked() != hidden:
            self.window_actions.hide_names.setChecked(hidden)
        self.settings.setValue("view/hide_names", hidden)
        self.presenter.student_label = self._hidden_label if hidden else None
        self.grid.reload_detail()  # its title
        # The name filter now matches other text: the row count follows.
        self.grid.update_row_count()

    def show_legend(self) -> None:
        self.dialogs.show_legend()

    def open_cell_history(self) -> CellHistoryDialog | None:
        """The history of the current grade cell (Grade menu, the grid's menu, Ctrl+H)."""
        keys = self.grid_commands.selected_keys()
        current = self.current_table.currentIndex().data(KEY_ROLE)
        key = current if isinstance(current, tuple) else (keys[0] if keys else None)
        return self.cell_history.open(key)

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
        self.messages.sync_activity_action()
        last = last_view(self.settings)
        if last.mode in (LINE_ITEM_MODE, GRADEBOOK_MODE):
            self.mode = str(last.mode)
        self.window_actions.toggle_detail.setChecked(last.detail_visible)
        self.detail.setVisible(last.detail_visible)
        self.window_actions.hide_names.setChecked(
            self.settings.value("view/hide_names", False) in (True, "true"))

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
        self.csv_files.close_all()
        self.cell_history.close_all()
        self.presenter.shutdown()
        super().closeEvent(event)
