"""The window's secondary windows, created on first use and kept: connections, conflicts,
legend, the sandbox and quit questions and the crash box. All non-modal."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from gradedesk import __version__
from gradedesk.ui.loaders import ConflictRow, Overview
from gradedesk.ui.presenter import Presenter
from gradedesk.ui.views.legend import Legend

if TYPE_CHECKING:  # each dialog's module is imported when it is first opened
    from gradedesk.sync.engine import Resolution
    from gradedesk.ui.dialogs.conflicts import ConflictDialog
    from gradedesk.ui.dialogs.connections import ConnectionsDialog
    from gradedesk.ui.dialogs.crash import CrashDialog
    from gradedesk.ui.dialogs.proposals import ProposalsDialog
    from gradedesk.ui.proposals_presenter import ProposalView


class DialogHost:
    def __init__(self, window: QWidget, presenter: Presenter) -> None:
        self._window = window
        self._presenter = presenter
        self.connections: ConnectionsDialog | None = None
        self.conflicts: ConflictDialog | None = None
        self.legend: QDialog | None = None
        self.sandbox_question: QMessageBox | None = None
        self.quit_question: QMessageBox | None = None
        self.crash: CrashDialog | None = None
        self.proposals: ProposalsDialog | None = None

    def open_connections(self, overview: Overview | None,
                         on_course_ready: Callable[[str], None] | None = None
                         ) -> ConnectionsDialog:
        if self.connections is None:
            from gradedesk.ui.dialogs.connections import ConnectionsDialog

            self.connections = ConnectionsDialog(self._presenter, self._window)
            if on_course_ready is not None:
                self.connections.course_ready.connect(on_course_ready)
        if overview is not None:
            self.connections.show_overview(overview)
        _bring_up(self.connections)
        return self.connections

    def show_conflicts(self, rows: Sequence[ConflictRow], *, open_dialog: bool) -> None:
        """Fill the conflict dialog (creating and showing it when asked)."""
        if self.conflicts is None:
            if not open_dialog:
                return
            from gradedesk.ui.dialogs.conflicts import ConflictDialog

            self.conflicts = ConflictDialog(self._window)
            self.conflicts.resolution_chosen.connect(self._on_conflicts_resolution_chosen)
        self.conflicts.show_conflicts(rows)
        if open_dialog:
            _bring_up(self.conflicts)

    def conflicts_idle(self) -> None:
        if self.conflicts is not None:
            self.conflicts.set_busy(False)

    def _on_conflicts_resolution_chosen(self, resolution: Resolution, entry_ids: object,
                                        keys: object) -> None:
        ids = list(entry_ids) if isinstance(entry_ids, list) else None
        cells = list(keys) if isinstance(keys, list) else []
        if self._presenter.resolve(resolution, ids, cells) is None:
            self.conflicts_idle()  # refused (another job runs): let the grader try again

    def open_proposals(self) -> ProposalsDialog:
        """Show the review of proposed grades (filled when the presenter has loaded them)."""
        if self.proposals is None:
            from gradedesk.ui.dialogs.proposals import ProposalsDialog

            self.proposals = ProposalsDialog(self._window)
            self.proposals.accept_chosen.connect(self._presenter.proposals.accept)
            self.proposals.reject_chosen.connect(self._presenter.proposals.reject)
        _bring_up(self.proposals)
        return self.proposals

    def show_proposals(self, views: Sequence[ProposalView]) -> None:
        """Fill the review of proposed grades, when it has been opened."""
        if self.proposals is not None:
            self.proposals.show_proposals(views)

    def show_legend(self) -> QDialog:
        if self.legend is None:
            dialog = QDialog(self._window)
            dialog.setWindowTitle("Sync-state legend")
            dialog.setAccessibleName("Sync-state legend")
            layout = QVBoxLayout(dialog)
            intro = QLabel("Each cell's sync state is shown by an icon, a word and a colour:",
                           dialog)
            intro.setWordWrap(True)
            intro.setAccessibleName("Legend introduction")
            layout.addWidget(intro)
            layout.addWidget(Legend(dialog))
            close = QPushButton("Close", dialog)
            close.setAccessibleName("Close legend")
            close.clicked.connect(dialog.close)
            layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
            dialog.resize(520, 340)
            self.legend = dialog
        _bring_up(self.legend)
        return self.legend

    def ask_restart_sandbox(self, on_yes: Callable[[], None]) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Question, "Reset the sample course?",
                          "Start the sample course over? A fresh copy replaces it: the grades "
                          "and comments given in it and the changes not sent yet are "
                          "discarded.\n\nClosing GradeDesk does not do this: the sample "
                          "course is kept as you leave it.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                          self._window)
        box.setAccessibleName("Reset the sample course?")
        box.button(QMessageBox.StandardButton.Yes).setText("&Reset sample course")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)  # Enter never discards
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)

        def finished(result: int) -> None:
            if result == QMessageBox.StandardButton.Yes:
                on_yes()

        box.finished.connect(finished)
        self.sandbox_question = box
        box.open()  # window-modal at most: the event loop (and any sync) keeps running
        return box

    def ask_quit_with_unsent(self, unsent: int, *, on_quit: Callable[[], None],
                             on_push_first: Callable[[], None] | None) -> QMessageBox:
        """Grades are not sent yet: quit anyway (they stay saved), push first, or stay.
        Nothing is lost either way, yet Enter only closes the question (Cancel)."""
        if self.quit_question is not None and self.quit_question.isVisible():
            self.quit_question.close()  # a second Ctrl+Q asks again, with today's count
        grades = f"{unsent} grade{'s are' if unsent != 1 else ' is'} not sent yet"
        box = QMessageBox(QMessageBox.Icon.Question, "Quit with grades not sent?",
                          f"{grades}; {'they stay' if unsent != 1 else 'it stays'} saved here "
                          f"and {'go' if unsent != 1 else 'goes'} with the next push.",
                          QMessageBox.StandardButton.NoButton, self._window)
        box.setAccessibleName("Quit with grades not sent?")
        quit_button = box.addButton("&Quit", QMessageBox.ButtonRole.AcceptRole)
        quit_button.setAccessibleName("Quit; the grades stay saved here")
        push_button = None
        if on_push_first is not None:
            push_button = box.addButton("&Push first", QMessageBox.ButtonRole.ActionRole)
            push_button.setAccessibleName("Push first, then quit")
            push_button.setToolTip("Send the grades of the course shown now, then quit")
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)

        def finished(_result: int) -> None:
            clicked = box.clickedButton()
            if clicked is quit_button:
                on_quit()
            elif clicked is push_button and on_push_first is not None:
                on_push_first()

        box.finished.connect(finished)
        self.quit_question = box
        box.open()
        return box

    def show_about(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "About GradeDesk",
                          f"GradeDesk {__version__}\nA desktop grading companion for LTI 1.3 "
                          "Assignment and Grade Services platforms.", parent=self._window)
        box.setModal(False)
        box.show()

    def show_crash(self, error: BaseException) -> None:
        """The crash dialog for an unexpected error (already logged by whoever caught it).
        While one is open, later errors only go to the log: a bug in a paint or a timer
        would otherwise open a dialog per frame."""
        from gradedesk.ui.dialogs.crash import crash_box

        if self.crash is not None and self.crash.isVisible():
            return
        self.crash = crash_box(self._window, error)
        _bring_up(self.crash)

    def close_all(self) -> None:
        for dialog in (self.conflicts, self.connections, self.legend,
                       self.quit_question, self.sandbox_question, self.crash, self.proposals):
            if dialog is not None:
                dialog.close()


def _bring_up(dialog: QWidget) -> None:
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
