"""The grader filter and the team progress panel: "All students", "Mine (Ana)" or one grader's
students in the grids, and each grader's progress in the column shown.

Follows the section chooser's pattern: the chooser is offered only when a split among graders
applies to what the grid shows (the column's own split, else the course's; the gradebook view
uses the course's), and choosing narrows both tables through the grid's filter. It opens on
"Mine" whenever this computer knows who grades here and that grader is in the split; a grader
chosen by hand stays chosen while the split has them. Grading mode queues the same grader's
submissions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from gradedesk.store import ConnectionRow
from gradedesk.ui.team_presenter import TeamPresenter
from gradedesk.ui.views.grid_area import LINE_ITEM_MODE

if TYPE_CHECKING:  # the split and progress code loads with the first course (TeamPresenter)
    from gradedesk.domain.grader_split import GraderSplit
    from gradedesk.sync.team_progress import TeamView
    from gradedesk.ui.views.main_window import MainWindow

ALL_STUDENTS = "All students"
# What the grader asked for: everyone, "mine" (whoever grades here), or a grader by name.
WANT_ALL = ""
WANT_MINE = "\x00mine"


def mine_label(me: str) -> str:
    return f"Mine ({me})"


class TeamArea(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.team = TeamPresenter(window.presenter)
        self.chooser = window.workspace.filter_grader
        self.panel = window.workspace.team_progress
        self.wanted = WANT_MINE
        self.team.team_loaded.connect(self._on_team_loaded)
        window.presenter.connection_changed.connect(self._on_presenter_connection_changed)
        window.view_ready.connect(lambda _mode: self.refresh())
        actions = window.window_actions
        actions.line_item_view.triggered.connect(self.refresh)
        actions.gradebook_view.triggered.connect(self.refresh)
        self.chooser.currentIndexChanged.connect(self._on_chooser_current_index_changed)

    @property
    def view(self) -> TeamView | None:
        return self.team.view

    def current_split(self) -> GraderSplit | None:
        """The split behind what the grid shows (None: none applies)."""
        view = self.view
        if view is None or view.connection_id != self._connection_id():
            return None
        if self.window.mode == LINE_ITEM_MODE:
            item = self.window.line_model.line_item
            return view.split_for(item.url) if item is not None else None
        return view.course

    def chosen_grader(self) -> str | None:
        """Whose students the grids show (None: everyone)."""
        value = self.chooser.currentData()
        return value if isinstance(value, str) and value else None

    def refresh(self) -> None:
        """Offer the graders of the split that applies now, choose as wanted, filter the
        grids and show the progress of what the grid shows."""
        split = self.current_split()
        self._offer(split)
        grader = self.chosen_grader() if split is not None else None
        students = frozenset(split.students_of(grader)) if split is not None \
            and grader is not None else None
        workspace = self.window.workspace
        if workspace.grader_students != students:
            workspace.grader_students = students
            self.window.grid.apply_filter()
        # Grading mode queues the same grader's submissions, in every column whose split
        # has them (the next time it opens or changes line item).
        if (grading := self.window.grading_if_made) is not None:
            grading.grader = self.wanted_grader()
        self._show_progress(split)

    def wanted_grader(self) -> str | None:
        """The grader asked for, whatever the split shown now ("mine": who grades here)."""
        if self.wanted == WANT_MINE:
            return self.view.me if self.view is not None else None
        return self.wanted or None

    # --- the chooser ------------------------------------------------------------------------

    def _offer(self, split: GraderSplit | None) -> None:
        me = self.view.me if self.view is not None else None
        items: list[tuple[str, str]] = []
        if split is not None:
            items.append((ALL_STUDENTS, WANT_ALL))
            if me is not None and me in split.graders:
                items.append((mine_label(me), me))
            items += [(grader, grader) for grader in split.graders if grader != me]
        wanted = self.wanted
        if wanted == WANT_MINE:
            wanted = me if me is not None and split is not None and me in split.graders \
                else WANT_ALL
        elif split is None or wanted not in split.graders:
            wanted = WANT_ALL
        blocker = self.chooser.blockSignals(True)
        try:
            shown = [(self.chooser.itemText(i), self.chooser.itemData(i))
                     for i in range(self.chooser.count())]
            if shown != items:
                self.chooser.clear()
                for text, data in items:
                    self.chooser.addItem(text, data)
            self.chooser.setCurrentIndex(max(0, self.chooser.findData(wanted)))
        finally:
            self.chooser.blockSignals(blocker)
        self.chooser.setVisible(split is not None)

    def _on_chooser_current_index_changed(self, index: int) -> None:
        value = self.chooser.itemData(index)
        me = self.view.me if self.view is not None else None
        if not isinstance(value, str) or not value:
            self.wanted = WANT_ALL
        else:
            self.wanted = WANT_MINE if value == me else value
        self.refresh()

    # --- progress ---------------------------------------------------------------------------

    def _show_progress(self, split: GraderSplit | None) -> None:
        view = self.view
        progress = view.progress if view is not None else None
        if split is None or progress is None:
            self.panel.clear()
            return
        if self.window.mode == LINE_ITEM_MODE:
            item = self.window.line_model.line_item
            column = view.column_progress(item.url) if view is not None and item else None
            if column is None:
                self.panel.clear()
                return
            whose = "the course's split" if column.split.course_wide else "its own split"
            notes = []
            if column.unassigned:
                notes.append(f"{column.unassigned} student(s) in no grader's list.")
            if column.off_roster:
                notes.append(f"{column.off_roster} of the split not on the roster here.")
            self.panel.show_progress(f"{column.line_item.label} ({whose})", column.graders,
                                     column.total, note=" ".join(notes))
            return
        count = len(progress.columns)
        self.panel.show_progress(f"All {count} column{'s' if count != 1 else ''} with a split",
                                 progress.graders, progress.total)

    # --- the course -------------------------------------------------------------------------

    def _connection_id(self) -> int | None:
        connection = self.window.presenter.connection
        return connection.id if connection is not None else None

    def _on_presenter_connection_changed(self, row: ConnectionRow | None) -> None:
        self.wanted = WANT_MINE  # each course opens on the grader's own students
        self.refresh()

    def _on_team_loaded(self, view: TeamView) -> None:
        self.refresh()
