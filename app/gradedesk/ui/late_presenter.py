"""A column's late rule and "mark missing" for the window: load the rule and the due date, keep
a changed rule and propose the penalties it gives, or propose zeros for missing work. All on
the store lane; nothing here talks to the platform, and nothing proposed is queued or sent
until a grader accepts it in the review of proposed grades."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from gradedesk.domain import InputError
from gradedesk.domain.late_policy import LateRule, due_text
from gradedesk.store import ConnectionRow, Database
from gradedesk.store.late_rules import get_rule, save_rule
from gradedesk.store.snapshots import get_line_item
from gradedesk.sync.late_proposals import due_date_of, propose_late, propose_missing

if TYPE_CHECKING:
    from gradedesk.ui.presenter import Presenter

Refused = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class LateSetup:
    """What the dialog shows when it opens: the column's rule and its due date in words."""

    line_item_url: str
    label: str
    rule: LateRule | None
    due: str | None  # None: the column has no due date (end date)


@dataclass(frozen=True, slots=True)
class LateOutcome:
    """What a run proposed, in words, and how many proposals it stored."""

    line_item_url: str
    proposed: int
    text: str


def load_setup(db: Database, connection: ConnectionRow, url: str) -> LateSetup:
    row = get_line_item(db, connection.id, url)
    if row is None:
        raise InputError("This column is gone; pull again.")
    try:
        due: str | None = due_text(due_date_of(row, connection.name))
    except InputError:
        due = None
    return LateSetup(url, row.label, get_rule(db, connection.id, url), due)


def apply_rule(db: Database, connection: ConnectionRow, url: str,
               rule: LateRule) -> LateOutcome:
    """Keep ``rule`` for the column and propose what it gives (the due date is checked first:
    a rule for a column without one is refused, not kept)."""
    row = get_line_item(db, connection.id, url)
    if row is None:
        raise InputError("This column is gone; pull again.")
    due_date_of(row, connection.name)
    save_rule(db, connection.id, url, rule)
    run = propose_late(db, connection, row, rule)
    count = len(run.proposed)
    head = (f"Proposed {count} late penalt{'y' if count == 1 else 'ies'} for review; none is "
            "sent until you accept it." if count else "Nothing to propose: every judged grade "
            "already is what the rule gives.")
    return LateOutcome(url, count, f"{head} {run.tally()}")


def mark_missing(db: Database, connection: ConnectionRow, url: str) -> LateOutcome:
    row = get_line_item(db, connection.id, url)
    if row is None:
        raise InputError("This column is gone; pull again.")
    run = propose_missing(db, connection, row)
    count = len(run.proposed)
    head = (f"Proposed 0 for {count} student{'' if count == 1 else 's'} with no submission, "
            "for review; none is sent until you accept it." if count
            else "Nobody is missing.")
    return LateOutcome(url, count, f"{head} {run.tally()}".strip())


class LatePresenter(QObject):
    loaded = Signal(object)  # LateSetup
    proposed = Signal(object)  # LateOutcome

    def __init__(self, presenter: Presenter) -> None:
        super().__init__(presenter)
        self._presenter = presenter

    def load(self, url: str, *, on_refused: Refused | None = None) -> None:
        p = self._presenter
        connection = p.connection
        if connection is None:
            return
        db = p.context.db
        p.run_store("Loading the late rule", lambda: load_setup(db, connection, url),
                    self.loaded.emit, on_refused=on_refused)

    def apply(self, url: str, rule: LateRule, *, on_refused: Refused | None = None) -> None:
        """Keep the rule and propose the penalties it gives (``proposed`` says what)."""
        self._run("Applying the late rule",
                  lambda db, connection: apply_rule(db, connection, url, rule), on_refused)

    def mark_missing(self, url: str, *, on_refused: Refused | None = None) -> None:
        """Propose 0 for the students with no submission (``proposed`` says how many)."""
        self._run("Marking missing work",
                  lambda db, connection: mark_missing(db, connection, url), on_refused)

    def _run(self, title: str, work: Callable[[Database, ConnectionRow], LateOutcome],
             on_refused: Refused | None) -> None:
        p = self._presenter
        connection = p.connection
        if connection is None:
            return
        db = p.context.db

        def done(outcome: LateOutcome) -> None:
            p.refresh_counts()
            self.proposed.emit(outcome)

        p.run_store(title, lambda: work(db, connection), done, on_refused=on_refused)
