"""Columns and students of the current course, for the window: new, renamed, re-pointed and
deleted columns, a student added by user id, and whether the platform gives names.

A column only on this computer is changed on the store lane; one on the platform needs the
platform, so its changes run on the network lane (one job at a time, like a push).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from gradedesk.store import LineItemRow, MemberRow, snapshots
from gradedesk.sync import columns, holding
from gradedesk.sync.columns import ColumnChanges, NewColumn
from gradedesk.sync.grading import profile_for
from gradedesk.ui import loaders, sync_work
from gradedesk.ui.workers import Job

if TYPE_CHECKING:
    from gradedesk.ui.presenter import Presenter

Refused = Callable[[str], None]


class ColumnPresenter(QObject):
    column_added = Signal(object)  # NewColumn
    column_changed = Signal(object)  # LineItemRow, as changed
    column_removed = Signal(object, int)  # LineItemRow as it was, local drafts that went
    removal_explained = Signal(object, str)  # LineItemRow, what deleting it does
    student_added = Signal(object)  # MemberRow
    names_checked = Signal(bool)  # False: the platform gives no names (students by user id)
    hold_changed = Signal(object)  # sync.holding.HoldChange: a column held or released

    def __init__(self, presenter: Presenter) -> None:
        super().__init__(presenter)
        self._presenter = presenter

    def add_column(self, changes: ColumnChanges, *, offline: bool,
                   on_refused: Refused | None = None) -> bool:
        """Make a column: on the platform now, or (``offline``, or when the platform cannot
        be reached) on this computer until the next push. False: it could not start (no
        connection, or another network job runs)."""
        p = self._presenter
        connection = p.connection
        if connection is None:
            return False
        context = p.context

        def done(added: NewColumn) -> None:
            self.column_added.emit(added)
            p.refresh_overview()

        if offline:
            p.run_store("New column", lambda: columns.add_column(context.db, connection, changes,
                                                                 engine=None),
                        done, on_refused=on_refused)
            return True

        def work(job: Job[Any]) -> NewColumn:
            return sync_work.add_column(context, connection, changes, job.token)

        def finished(added: NewColumn) -> None:
            if added.offline_reason is not None:
                p.note_online(False)  # kept here because the platform could not be reached
            p.job_finished.emit(f"Column {added.row.label!r} created." if added.on_platform
                                else f"Column {added.row.label!r} kept on this computer.", True)
            done(added)

        return p.run_network("New column", work, finished, on_refused=on_refused) is not None

    def edit_column(self, row: LineItemRow, changes: ColumnChanges, *,
                    on_refused: Refused | None = None) -> bool:
        """Rename a column or change its points (on the platform too, once it is there)."""
        p = self._presenter
        connection = p.connection
        if connection is None:
            return False
        context = p.context

        def done(changed: LineItemRow) -> None:
            self.column_changed.emit(changed)
            p.refresh_overview()
            p.reload_views()

        if row.pending_create:
            p.run_store("Changing column", lambda: sync_work.edit_column(
                context, connection, row, changes, network=False), done, on_refused=on_refused)
            return True

        def work(job: Job[Any]) -> LineItemRow:
            return sync_work.edit_column(context, connection, row, changes, network=True)

        def finished(changed: LineItemRow) -> None:
            p.job_finished.emit(f"Column {changed.label!r} changed on the platform.", True)
            done(changed)

        return p.run_network("Changing column", work, finished,
                             on_refused=on_refused) is not None

    def explain_removal(self, row: LineItemRow) -> None:
        """Say in plain words what deleting the column does (counts its drafts: store lane)."""
        connection = self._presenter.connection
        if connection is None:
            return
        db = self._presenter.context.db
        profile = profile_for(connection)
        self._presenter.run_store(
            "Deleting column", lambda: columns.removal_warning(db, row, profile),
            lambda text: self.removal_explained.emit(row, text))

    def remove_column(self, row: LineItemRow) -> bool:
        p = self._presenter
        connection = p.connection
        if connection is None:
            return False
        context = p.context

        def done(dropped: int) -> None:
            self.column_removed.emit(row, dropped)
            p.refresh_overview()  # the window then opens another column
            p.load_gradebook()

        if row.pending_create:
            p.run_store("Deleting column", lambda: sync_work.remove_column(
                context, connection, row, network=False), done)
            return True

        def work(job: Job[Any]) -> int:
            return sync_work.remove_column(context, connection, row, network=True)

        def finished(dropped: int) -> None:
            p.job_finished.emit(f"Column {row.label!r} deleted on the platform.", True)
            done(dropped)

        return p.run_network("Deleting column", work, finished) is not None

    def hold_column(self, row: LineItemRow) -> None:
        """Hold a column's grades: saved and queued, not sent until released (store lane)."""
        p = self._presenter
        connection = p.connection
        if connection is None:
            return
        db = p.context.db
        p.run_store("Holding grades", lambda: holding.hold_column(db, connection, row),
                    self._hold_done)

    def release_column(self, row: LineItemRow) -> bool:
        """Lift a column's hold (store lane), then send its grades with the ordinary push
        (network lane). False: another network job runs, so nothing was released."""
        p = self._presenter
        connection = p.connection
        if connection is None or p.busy:
            return False
        db = p.context.db

        def done(change: holding.HoldChange) -> None:
            self._hold_done(change)
            p.push()  # sends this column's grades, with any others queued and not held

        p.run_store("Releasing grades", lambda: holding.release_column(db, connection, row),
                    done)
        return True

    def _hold_done(self, change: holding.HoldChange) -> None:
        self.hold_changed.emit(change)
        self._presenter.refresh_overview()  # the tree's and the headers' badges
        self._presenter.refresh_counts()

    def add_student(self, user_id: str, *, on_refused: Refused | None = None) -> None:
        """Keep a user id the roster does not list as a learner of the current course."""
        p = self._presenter
        connection = p.connection
        if connection is None:
            return
        db = p.context.db

        def done(member: MemberRow) -> None:
            self.student_added.emit(member)
            p.reload_views()
            self.check_names()

        p.run_store("Adding student",
                    lambda: snapshots.add_typed_member(db, connection.id, user_id), done,
                    on_refused=on_refused)

    def check_names(self) -> None:
        """Whether the current course's platform gives names (else students go by user id)."""
        connection = self._presenter.connection
        if connection is None:
            return
        db = self._presenter.context.db

        def done(available: bool) -> None:
            current = self._presenter.connection
            if current is not None and current.id == connection.id:
                self.names_checked.emit(available)

        self._presenter.run_store("Reading the roster",
                                  lambda: loaders.names_available(db, connection.id), done)
