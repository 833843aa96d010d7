"""The window's actions, menus and toolbar: the keys a spreadsheet user expects."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QMainWindow, QMenu, QStyle, QToolBar, QToolButton

StandardKey = QKeySequence.StandardKey


@dataclass
class WindowActions:
    connections: QAction
    try_sandbox: QAction
    reset_sandbox: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    copy: QAction
    paste: QAction
    fill_down: QAction
    set_value: QAction
    clear: QAction
    discard: QAction
    find: QAction
    line_item_view: QAction
    gradebook_view: QAction
    toggle_detail: QAction
    activity: QAction
    hide_names: QAction
    legend: QAction
    pull: QAction
    push: QAction
    cancel_job: QAction
    conflicts: QAction
    review_proposals: QAction
    grading_mode: QAction
    edit_comment: QAction
    attach_file: QAction
    new_column: QAction
    rename_column: QAction
    column_points: QAction
    delete_column: QAction
    edit_rubric: QAction
    late_rule: QAction
    hold_column: QAction
    release_column: QAction
    add_student: QAction
    about: QAction
    import_csv: QAction
    export_csv: QAction
    cell_history: QAction

    @property
    def column_actions(self) -> tuple[QAction, ...]:
        """What acts on the current column (the line item shown, or the gradebook's)."""
        return (self.rename_column, self.column_points, self.delete_column)

    @property
    def hold_actions(self) -> tuple[QAction, ...]:
        """Hold and release the current column's grades (each enabled when it applies)."""
        return (self.hold_column, self.release_column)

    @property
    def grid_actions(self) -> tuple[QAction, ...]:
        """Shortcuts that act on the grid only while it has focus."""
        return (self.copy, self.paste, self.fill_down, self.clear, self.discard)


def _action(window: QMainWindow, text: str, tip: str,
            *keys: QKeySequence | StandardKey | str) -> QAction:
    action = QAction(text, window)
    action.setToolTip(tip)
    action.setStatusTip(tip)
    sequences: list[QKeySequence] = []
    for key in keys:
        sequence = key if isinstance(key, QKeySequence) else QKeySequence(key)
        if not sequence.isEmpty() and sequence not in sequences:
            sequences.append(sequence)  # a standard key may already be the literal one
    if sequences:
        action.setShortcuts(sequences)
        shown = sequences[0].toString(QKeySequence.SequenceFormat.NativeText)
        if shown:
            action.setToolTip(f"{tip} ({shown})")
    return action


class _UndoRedoAction(QAction):
    """Undo or Redo with a fixed label, so the toolbar buttons never move; what it would undo
    is in the tooltip and the status tip (QUndoStack's own actions rename themselves). Its
    slots are methods, so Qt disconnects them when the action goes (the stack may outlive
    the window)."""

    def __init__(self, window: QMainWindow, undo_stack: QUndoStack, *, redo: bool) -> None:
        self.verb = "Redo" if redo else "Undo"
        super().__init__(f"&{self.verb}", window)
        keys = [QKeySequence(StandardKey.Redo), QKeySequence("Ctrl+Y")] if redo else \
            [QKeySequence(StandardKey.Undo)]
        self.setShortcuts([key for key in keys if not key.isEmpty()])
        self._shown = self.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if redo:
            self.triggered.connect(undo_stack.redo)
            undo_stack.canRedoChanged.connect(self.setEnabled)
            undo_stack.redoTextChanged.connect(self.describe)
            self.setEnabled(undo_stack.canRedo())
            self.describe(undo_stack.redoText())
        else:
            self.triggered.connect(undo_stack.undo)
            undo_stack.canUndoChanged.connect(self.setEnabled)
            undo_stack.undoTextChanged.connect(self.describe)
            self.setEnabled(undo_stack.canUndo())
            self.describe(undo_stack.undoText())

    def describe(self, text: str) -> None:
        tip = f"{self.verb}: {text}" if text else f"Nothing to {self.verb.lower()}"
        self.setToolTip(f"{tip} ({self._shown})" if self._shown else tip)
        self.setStatusTip(tip)


def build_actions(window: QMainWindow, undo_stack: QUndoStack) -> WindowActions:
    style = window.style()
    undo = _UndoRedoAction(window, undo_stack, redo=False)
    redo = _UndoRedoAction(window, undo_stack, redo=True)
    actions = WindowActions(
        connections=_action(window, "&Connections…", "Add, test or remove platform connections",
                            "Ctrl+Shift+N"),
        try_sandbox=_action(window, "Try it on a &sandbox course",
                            "Start the built-in sample course and open it"),
        reset_sandbox=_action(window, "&Reset sample course…",
                              "Start the sample course over: a new copy replaces it, with its "
                              "grades and unsent changes (asks first)"),
        quit=_action(window, "&Quit", "Close GradeDesk", StandardKey.Quit, "Ctrl+Q"),
        undo=undo,
        redo=redo,
        copy=_action(window, "&Copy", "Copy the selected cells as tab-separated text",
                     StandardKey.Copy),
        paste=_action(window, "&Paste", "Paste a tab-separated block onto the selection",
                      StandardKey.Paste),
        fill_down=_action(window, "Fill &down", "Copy the top value down the selection",
                          "Ctrl+D"),
        set_value=_action(window, "Set &value for selection…",
                          "Type one value for every selected cell (or Ctrl+Enter in a cell)",
                          "Ctrl+Shift+E"),
        clear=_action(window, "C&lear", "Clear the selected scores and new comments",
                      StandardKey.Delete),
        discard=_action(window, "D&iscard my change", "Drop the local change of the selected "
                        "cells (nothing is sent; a refused grade is settled); Undo brings it "
                        "back", "Ctrl+Shift+Backspace"),
        find=_action(window, "&Find student…", "Filter the table by name", StandardKey.Find),
        line_item_view=_action(window, "&Line item", "One line item, one row per student",
                               "Ctrl+1"),
        gradebook_view=_action(window, "&Gradebook", "Every student and every line item",
                               "Ctrl+2"),
        toggle_detail=_action(window, "&Detail panel", "Show or hide the detail panel",
                              "Ctrl+Shift+D"),
        activity=_action(window, "&Activity", "Every message of this session, with its time, "
                         "newest first: push results, refusals, failures", "Ctrl+Shift+Y"),
        hide_names=_action(window, "&Hide names", "Show each student as “Student 17” "
                           "(anonymous grading, on this computer only) until you reveal them",
                           "Ctrl+Shift+I"),
        legend=_action(window, "Sync-state &legend", "What each sync icon means", "F1"),
        pull=_action(window, "&Pull", "Fetch line items, students and grades from the platform",
                     "F5", "Ctrl+R"),
        push=_action(window, "P&ush", "Send queued grades to the platform", "Ctrl+Shift+P",
                     "F6"),
        cancel_job=_action(window, "&Cancel running job", "Stop the running pull or push",
                           "Ctrl+."),
        conflicts=_action(window, "Resolve &conflicts…", "Choose mine or theirs where the "
                          "platform changed under your edit", "Ctrl+Shift+K"),
        review_proposals=_action(window, "Review &proposed grades…", "Accept or reject the "
                                 "grades a rubric change, a late rule or \u201cmark "
                                 "missing\u201d proposed; none is sent until accepted"),
        grading_mode=_action(window, "&Grading mode", "Grade the submissions that need "
                             "grading, one student at a time, in the whole window (Escape "
                             "goes back)", "Ctrl+Shift+R"),
        edit_comment=_action(window, "Edit &comment", "Write the selected student's comment",
                             "Ctrl+Shift+M"),
        attach_file=_action(window, "&Attach file…", "Attach a file by URL to the selected "
                            "student's submission (Enter attaches it)", "Ctrl+Shift+A"),
        new_column=_action(window, "&New column…", "Make a column (a paper test, an oral "
                           "exam), offline too: the next push creates it", "Ctrl+Shift+L"),
        rename_column=_action(window, "&Rename column…", "Change the current column's label",
                              "Ctrl+Shift+F2"),
        column_points=_action(window, "Change &points…", "Change the current column's points "
                              "possible"),
        delete_column=_action(window, "&Delete column…", "Delete the current column (asks "
                              "first; on Canvas this deletes the assignment)"),
        edit_rubric=_action(window, "R&ubric…", "Make or change the current column's rubric, "
                            "or import one a colleague shared (kept on this computer)"),
        late_rule=_action(window, "La&te and missing…", "The current column's late rule, and "
                          "\u201cmark missing\u201d: propose penalised grades and zeros for "
                          "review (none is sent until accepted)"),
        hold_column=_action(window, "&Hold grades", "Keep the current column's grades here: "
                            "saved and queued, not sent by any push until you release them"),
        release_column=_action(window, "Re&lease grades", "Send the current column's held "
                               "grades now, in one push (on Canvas, asks first: students may "
                               "see them at once)"),
        add_student=_action(window, "Add a student by &user id…", "Grade a user id the roster "
                            "does not list (platforms without Names and Roles)", "Ctrl+Shift+U"),
        about=_action(window, "&About GradeDesk", "Version and licence"),
        import_csv=_action(window, "&Import grades from CSV…", "Read a gradebook CSV file "
                           "(Canvas's layout), preview every change, then apply it"),
        export_csv=_action(window, "&Export grades to CSV…", "Write every student's grades "
                           "to a CSV file in Canvas's gradebook layout"),
        cell_history=_action(window, "&History of this grade…", "What was sent for the "
                             "selected grade and what the platform made of it", "Ctrl+H"),
    )
    actions.pull.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload))
    actions.push.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowUp))
    actions.line_item_view.setCheckable(True)
    actions.gradebook_view.setCheckable(True)
    actions.toggle_detail.setCheckable(True)
    actions.toggle_detail.setChecked(True)
    actions.activity.setCheckable(True)
    actions.grading_mode.setCheckable(True)
    actions.hide_names.setCheckable(True)
    actions.reset_sandbox.setVisible(False)  # until a sandbox course exists
    for action in actions.grid_actions:
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    return actions


def build_menus(window: QMainWindow, actions: WindowActions) -> None:
    bar = window.menuBar()
    bar.setAccessibleName("Menu bar")
    file_menu = bar.addMenu("&File")
    file_menu.addActions([actions.connections, actions.try_sandbox, actions.reset_sandbox])
    file_menu.addSeparator()
    file_menu.addActions([actions.import_csv, actions.export_csv])
    file_menu.addSeparator()
    file_menu.addAction(actions.quit)
    edit = bar.addMenu("&Edit")
    edit.addActions([actions.undo, actions.redo])
    edit.addSeparator()
    edit.addActions([actions.copy, actions.paste, actions.fill_down, actions.set_value,
                     actions.clear])
    edit.addSeparator()
    edit.addAction(actions.discard)
    edit.addSeparator()
    edit.addAction(actions.find)
    view = bar.addMenu("&View")
    view.addActions([actions.line_item_view, actions.gradebook_view])
    view.addSeparator()
    view.addActions([actions.toggle_detail, actions.activity, actions.legend])
    view.addSeparator()
    view.addAction(actions.hide_names)
    sync = bar.addMenu("&Sync")
    sync.addActions([actions.pull, actions.push, actions.cancel_job])
    sync.addSeparator()
    sync.addAction(actions.conflicts)
    grade = bar.addMenu("&Grade")
    grade.addActions([actions.grading_mode, actions.edit_comment, actions.attach_file])
    grade.addSeparator()
    grade.addAction(actions.review_proposals)
    grade.addAction(actions.cell_history)
    column = bar.addMenu("&Column")
    column.addAction(actions.new_column)
    column.addActions(list(actions.column_actions))
    column.addAction(actions.edit_rubric)
    column.addAction(actions.late_rule)
    column.addSeparator()
    column.addActions(list(actions.hold_actions))
    column.addSeparator()
    column.addAction(actions.add_student)
    help_menu = bar.addMenu("&Help")
    help_menu.addActions([actions.legend, actions.about])


def build_grid_menu(window: QMainWindow, actions: WindowActions) -> QMenu:
    """The grid's context menu: what the Edit and Grade menus do to the selected cells."""
    menu = QMenu("Cells", window)
    menu.setAccessibleName("Cell actions")
    menu.addActions([actions.copy, actions.paste, actions.fill_down, actions.set_value,
                     actions.clear])
    menu.addSeparator()
    menu.addAction(actions.discard)
    menu.addAction(actions.cell_history)
    return menu


def build_toolbar(window: QMainWindow, actions: WindowActions) -> QToolBar:
    toolbar = QToolBar("Main toolbar", window)
    toolbar.setObjectName("mainToolbar")
    toolbar.setAccessibleName("Main toolbar")
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    toolbar.setMovable(False)
    for action in (actions.pull, actions.push):
        toolbar.addAction(action)
    toolbar.addSeparator()
    for action in (actions.undo, actions.redo):
        toolbar.addAction(action)
    toolbar.addSeparator()
    for action in (actions.grading_mode, actions.conflicts):
        toolbar.addAction(action)
    toolbar.addSeparator()
    toolbar.addAction(actions.new_column)
    for action in toolbar.actions():
        button = toolbar.widgetForAction(action)
        if isinstance(button, QToolButton):
            button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
    return toolbar
