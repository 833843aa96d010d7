"""The Column menu's commands: each asks the grader (a small window-modal dialog, never an
application-modal one), hands the answer to the presenter, and reports what happened in the
status bar. Deleting asks first, in the core's words, with Cancel as the default; so does
releasing held grades where students may see them at once (Canvas)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QMessageBox

from gradedesk.domain import format_score
from gradedesk.store import LineItemRow, MemberRow
from gradedesk.sync.columns import ColumnChanges, NewColumn
from gradedesk.sync.holding import HoldChange, release_warning
from gradedesk.ui.dialogs.column_dialog import MAX_POINTS, NewColumnDialog
from gradedesk.ui.loaders import Overview
from gradedesk.ui.models.navigation_model import TARGET_ROLE
from gradedesk.ui.navigation import NavTarget
from gradedesk.ui.platform_notes import TYPED_STUDENT_WARNING
from gradedesk.ui.views.actions import WindowActions

if TYPE_CHECKING:
    from gradedesk.ui.views.main_window import MainWindow


class ColumnCommands:
    def __init__(self, window: MainWindow, actions: WindowActions) -> None:
        self._window = window
        self._columns = window.presenter.columns
        self.new_dialog: NewColumnDialog | None = None
        self.rename_dialog: QInputDialog | None = None
        self.points_dialog: QInputDialog | None = None
        self.delete_box: QMessageBox | None = None
        self.student_dialog: QInputDialog | None = None
        self.release_box: QMessageBox | None = None
        self.tree_menu: QMenu | None = None
        self._actions = actions
        self._held: dict[int, frozenset[str]] = {}  # per connection id, from the overview
        # Lambdas: triggered's "checked" argument is not a column.
        actions.new_column.triggered.connect(lambda: self.new_column())
        actions.rename_column.triggered.connect(lambda: self.rename_column())
        actions.column_points.triggered.connect(lambda: self.change_points())
        actions.delete_column.triggered.connect(lambda: self.delete_column())
        actions.add_student.triggered.connect(lambda: self.add_student())
        actions.hold_column.triggered.connect(lambda: self.hold_grades())
        actions.release_column.triggered.connect(lambda: self.release_grades())
        window.presenter.overview_loaded.connect(self._on_presenter_overview_loaded)
        self._columns.hold_changed.connect(self._on_columns_hold_changed)
        self._columns.column_added.connect(self._on_columns_column_added)
        self._columns.column_changed.connect(self._on_columns_column_changed)
        self._columns.column_removed.connect(self._on_columns_column_removed)
        self._columns.removal_explained.connect(self._on_columns_removal_explained)
        self._columns.student_added.connect(self._on_columns_student_added)

    # --- asking ---------------------------------------------------------------------------

    def new_column(self) -> NewColumnDialog | None:
        if self._window.presenter.connection is None:
            return None
        if self.new_dialog is not None:
            self.new_dialog.close()
        self.new_dialog = NewColumnDialog(self._window.presenter, self._window)
        self.new_dialog.open()
        return self.new_dialog

    def rename_column(self, row: LineItemRow | None = None) -> QInputDialog | None:
        """Ask for a new label (``row``: this column, else the current one)."""
        row = row or self._window.current_column()
        if row is None:
            return None
        dialog = self._input("Rename column", f"New label for “{row.label}”:")
        dialog.setTextValue(row.label)
        dialog.textValueSelected.connect(
            lambda text: self._edit(row, ColumnChanges(label=text)) if text.strip() else None)
        self.rename_dialog = dialog
        dialog.open()
        return dialog

    def change_points(self, row: LineItemRow | None = None) -> QInputDialog | None:
        row = row or self._window.current_column()
        if row is None:
            return None
        dialog = self._input("Change points", f"Points possible for “{row.label}”:")
        dialog.setInputMode(QInputDialog.InputMode.DoubleInput)
        dialog.setDoubleRange(0.0, MAX_POINTS)
        dialog.setDoubleDecimals(2)
        dialog.setDoubleValue(row.score_maximum)
        dialog.doubleValueSelected.connect(
            lambda value: self._edit(row, ColumnChanges(points=value)))
        self.points_dialog = dialog
        dialog.open()
        return dialog

    def delete_column(self, row: LineItemRow | None = None) -> None:
        """Ask the core what deleting does; the question follows (removal_explained)."""
        row = row or self._window.current_column()
        if row is not None:
            self._columns.explain_removal(row)

    def hold_grades(self, row: LineItemRow | None = None) -> None:
        """Hold the column's grades (``row``: this column, else the current one)."""
        row = row or self._window.current_column()
        if row is not None:
            self._columns.hold_column(row)

    def release_grades(self, row: LineItemRow | None = None) -> QMessageBox | None:
        """Release the column's grades and push them. Where students may see them at once
        (Canvas), ask first, with Cancel as the default; returns that question."""
        row = row or self._window.current_column()
        connection = self._window.presenter.connection
        if row is None or connection is None:
            return None
        warning = release_warning(connection)
        if warning is None:
            self._release(row)
            return None
        box = QMessageBox(QMessageBox.Icon.Warning, f"Release grades of “{row.label}”?",
                          f"{warning}\n\nRelease them and send them now?",
                          QMessageBox.StandardButton.Cancel, self._window)
        box.setAccessibleName("Release grades?")
        release = box.addButton("Release and send", QMessageBox.ButtonRole.AcceptRole)
        release.setAccessibleName("Release and send")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)  # Enter never releases
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)

        def finished(_result: int) -> None:
            if box.clickedButton() is release:
                self._release(row)

        box.finished.connect(finished)
        self.release_box = box
        box.open()
        return box

    def _release(self, row: LineItemRow) -> None:
        if not self._columns.release_column(row):
            self._window.show_message("Another job is running: release the grades when it "
                                      "has finished.")

    def is_held(self, row: LineItemRow) -> bool:
        return row.url in self._held.get(row.connection_id, frozenset())

    def update_hold_actions(self) -> None:
        """Hold grades for a column that is not held, Release grades for one that is."""
        row = self._window.current_column()
        held = row is not None and self.is_held(row)
        self._actions.hold_column.setEnabled(row is not None and not held)
        self._actions.release_column.setEnabled(held)

    def add_student(self) -> QInputDialog | None:
        if self._window.presenter.connection is None:
            return None
        dialog = self._input("Add a student by user id",
                             "A user id the roster does not list (for a platform without "
                             f"Names and Roles).\n\n⚠ {TYPED_STUDENT_WARNING}\n\nUser id:")
        dialog.textValueSelected.connect(self._on_student_dialog_text_value_selected)
        self.student_dialog = dialog
        dialog.open()
        return dialog

    def _input(self, title: str, label: str) -> QInputDialog:
        dialog = QInputDialog(self._window)
        dialog.setWindowTitle(title)
        dialog.setAccessibleName(title)
        dialog.setLabelText(label)
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.setMinimumWidth(420)
        return dialog

    def _edit(self, row: LineItemRow, changes: ColumnChanges) -> None:
        if not self._columns.edit_column(row, changes):
            self._window.show_message("Another job is running: change the column when it "
                                      "has finished.")

    def _on_student_dialog_text_value_selected(self, text: str) -> None:
        if text.strip():
            self._columns.add_student(text)

    def show_tree_menu(self, pos: QPoint) -> QMenu | None:
        """The courses tree's context menu (right click, or the Menu key on the current
        item): the column commands for the item under it."""
        nav = self._window.nav
        index = nav.indexAt(pos)
        if not index.isValid():
            index = nav.currentIndex()
        target = index.data(TARGET_ROLE) if index.isValid() else None
        if not isinstance(target, NavTarget):
            return None
        nav.setCurrentIndex(index)  # opens it, as a left click would
        menu = QMenu(self._window)
        menu.setAccessibleName("Column menu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        a = self._actions
        menu.addAction(a.new_column)
        row = self._line_item_row(target)
        if row is not None:
            for action, command in ((a.rename_column, self.rename_column),
                                    (a.column_points, self.change_points),
                                    (a.delete_column, self.delete_column)):
                # The clicked column itself, even before its grades have loaded.
                entry = menu.addAction(action.text())
                entry.triggered.connect(lambda _=False, run=command: run(row))
            menu.addSeparator()
            hold_or_release = (a.release_column, self.release_grades) if self.is_held(row) \
                else (a.hold_column, self.hold_grades)
            entry = menu.addAction(hold_or_release[0].text())
            entry.triggered.connect(lambda _=False, run=hold_or_release[1]: run(row))
        menu.addSeparator()
        menu.addAction(a.add_student)
        self.tree_menu = menu
        menu.popup(nav.viewport().mapToGlobal(nav.visualRect(index).center()))
        return menu

    def _line_item_row(self, target: NavTarget) -> LineItemRow | None:
        overview = self._window.overview
        if target.line_item_url is None or overview is None:
            return None
        connection = next((c for c in overview.connections if c.name == target.connection),
                          None)
        items = overview.line_items.get(connection.id, ()) if connection is not None else ()
        return next((item for item in items if item.url == target.line_item_url), None)

    # --- outcomes -------------------------------------------------------------------------

    def _on_presenter_overview_loaded(self, overview: Overview) -> None:
        self._held = dict(overview.held)
        self._window.gradebook_model.set_held(self._held)
        self.update_hold_actions()

    def _on_columns_hold_changed(self, change: HoldChange) -> None:
        if change.held:
            self._window.show_message(change.describe())
            return
        grades = f"{change.queued} grade{'s' if change.queued != 1 else ''}"
        lead = f"Released “{change.line_item.label}”" if change.changed \
            else f"“{change.line_item.label}” was not held"
        self._window.show_message(f"{lead}: sending its {grades} now.")

    def _on_columns_column_added(self, added: NewColumn) -> None:
        row = added.row
        if added.on_platform:
            text = (f"Created “{row.label}” (out of {format_score(row.score_maximum)}) on the "
                    "platform.")
        else:
            why = f" ({added.offline_reason})" if added.offline_reason else ""
            text = (f"Saved “{row.label}” on this computer as {row.short_id}{why}: the next "
                    "push creates it on the platform.")
        self._window.show_message(text)
        self._window.open_column(row.url)

    def _on_columns_column_changed(self, row: LineItemRow) -> None:
        where = "on this computer" if row.pending_create else "on the platform"
        points = format_score(row.score_maximum)
        self._window.show_message(f"“{row.label}” is now out of {points} ({where}).")

    def _on_columns_removal_explained(self, row: LineItemRow, warning: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, f"Delete “{row.label}”?", warning,
                          QMessageBox.StandardButton.Cancel, self._window)
        box.setAccessibleName("Delete column?")
        delete = box.addButton("Delete column", QMessageBox.ButtonRole.DestructiveRole)
        delete.setAccessibleName("Delete column")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)  # Enter never deletes
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)

        def finished(_result: int) -> None:
            if box.clickedButton() is delete and not self._columns.remove_column(row):
                self._window.show_message("Another job is running: delete the column when it "
                                          "has finished.")

        box.finished.connect(finished)
        self.delete_box = box
        box.open()

    def _on_columns_column_removed(self, row: LineItemRow, dropped: int) -> None:
        drafts = f" with {dropped} local draft(s)" if dropped else ""
        self._window.show_message(f"Deleted “{row.label}”{drafts}.")
        self._window.forget_column(row)

    def _on_columns_student_added(self, member: MemberRow) -> None:
        self._window.show_message(f"Added {member.user_id}. {TYPED_STUDENT_WARNING}")
        self._window.select_user_when_loaded(member.user_id)
