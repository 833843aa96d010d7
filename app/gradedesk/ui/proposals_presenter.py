"""Proposed grades for the window: load them, accept some (each becomes a queued draft, as if
typed) or reject some, on the store lane. Nothing here talks to the platform."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from gradedesk.domain import format_score
from gradedesk.store import ConnectionRow, Database
from gradedesk.store.proposals import ProposalRow, drop_proposals, list_proposals
from gradedesk.store.snapshots import list_line_items, list_members
from gradedesk.sync.proposals import review_proposals

if TYPE_CHECKING:
    from gradedesk.ui.presenter import Presenter

REASON_WORDS = {"rubric": "Rubric changed", "late": "Late rule", "missing": "Missing"}


@dataclass(frozen=True, slots=True)
class ProposalView:
    """One proposed grade as the review dialog shows it."""

    id: int
    line_item_url: str
    user_id: str
    student: str
    column: str
    was: str
    proposed: str
    reason: str
    working: str
    comment: str


@dataclass(frozen=True, slots=True)
class ReviewDone:
    accepted: int
    stale: int
    rejected: int
    cells: tuple[tuple[str, str], ...]


def load_views(db: Database, connection: ConnectionRow) -> tuple[ProposalView, ...]:
    """Every proposal of a connection, with the names a grader reads."""
    columns = {row.url: row.label for row in list_line_items(db, connection.id)}
    names = {row.user_id: row.sort_name for row in list_members(db, connection.id)}
    return tuple(_view(row, columns, names) for row in list_proposals(db, connection.id))


def _view(row: ProposalRow, columns: dict[str, str], names: dict[str, str]) -> ProposalView:
    was = (format_score(row.based_on.score) or "no score") if row.based_on.present else "—"
    return ProposalView(
        id=row.id, line_item_url=row.line_item_url, user_id=row.user_id,
        student=names.get(row.user_id, row.user_id),
        column=columns.get(row.line_item_url, row.line_item_url), was=was,
        proposed=format_score(row.score) or "no score",
        reason=REASON_WORDS.get(row.reason, row.reason), working=row.working,
        comment=row.comment or "")


class ProposalsPresenter(QObject):
    loaded = Signal(object)  # tuple[ProposalView, ...]
    reviewed = Signal(object)  # ReviewDone

    def __init__(self, presenter: Presenter) -> None:
        super().__init__(presenter)
        self._presenter = presenter

    def load(self) -> None:
        p = self._presenter
        connection = p.connection
        if connection is None:
            self.loaded.emit(())
            return
        db = p.context.db

        def done(views: tuple[ProposalView, ...]) -> None:
            label = p.student_label
            if label is not None:  # names hidden: as the grids call the students
                views = tuple(replace(view, student=label(view.user_id)) for view in views)
            self.loaded.emit(views)

        p.run_store("Loading proposed grades", lambda: load_views(db, connection), done)

    def accept(self, ids: Sequence[int] | None) -> None:
        """Accept these proposals (None: all): each becomes a queued draft."""
        self._review(ids, accept=True)

    def reject(self, ids: Sequence[int] | None) -> None:
        """Drop these proposals (None: all); the grades stay as they were."""
        self._review(ids, accept=False)

    def _review(self, ids: Sequence[int] | None, *, accept: bool) -> None:
        p = self._presenter
        connection = p.connection
        if connection is None:
            return
        db = p.context.db
        wanted = None if ids is None else set(ids)

        def work() -> ReviewDone:
            rows = [row for row in list_proposals(db, connection.id)
                    if wanted is None or row.id in wanted]
            cells = tuple((row.line_item_url, row.user_id) for row in rows)
            if not accept:
                return ReviewDone(0, 0, drop_proposals(db, connection.id,
                                                       [row.id for row in rows]), ())
            review = review_proposals(db, connection, rows)
            return ReviewDone(len(review.accepted), len(review.stale), 0, cells)

        def done(outcome: ReviewDone) -> None:
            if accept:
                text = f"{outcome.accepted} proposed grade(s) accepted and queued."
                if outcome.stale:
                    text += (f" {outcome.stale} left: the grade changed since it was proposed.")
            else:
                text = f"{outcome.rejected} proposed grade(s) rejected."
            p.job_finished.emit(text, not outcome.stale)
            p.refresh_cells(list(outcome.cells))
            p.refresh_counts()
            self.reviewed.emit(outcome)
            self.load()

        p.run_store("Accepting proposed grades" if accept else "Rejecting proposed grades",
                    work, done)

