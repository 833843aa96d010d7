"""Grading mode's queue, without Qt: which submissions wait, in what order, where the grader
is, how many are done, and what comes after the last one.

The queue is taken once (the submissions needing grading when grading mode opens or the
grader picks another line item) and keeps its entries: a graded one stays, marked done, so
progress reads "12 of 40 done" and the grader can go back to it. Whether an entry is done is
the store's word (``pending_manual`` of its latest row), shown at once when the grader grades
(``mark_graded``) and corrected by the next refresh (an undo puts it back in the queue).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from gradedesk.domain import GradingProgress
from gradedesk.store import SyncState
from gradedesk.ui.rows import CellKey, StudentGrade


@dataclass(frozen=True, slots=True)
class LineItemTodo:
    """A line item as the chooser lists it: how many of its submissions need grading."""

    url: str
    label: str
    maximum: float | None
    pending: int


def queue_order(rows: Iterable[StudentGrade], line_item_urls: Sequence[str], *,
                names_hidden: bool = False) -> list[StudentGrade]:
    """Line item by line item in the course's order; within one, the roster order the rows
    come in, or by anonymous number while names are hidden (the roster is alphabetical)."""
    place = {url: index for index, url in enumerate(line_item_urls)}
    return sorted(rows, key=lambda row: (place.get(row.line_item_url, len(place)),
                                         row.student.number if names_hidden else 0))


def next_line_item(line_items: Sequence[LineItemTodo], after: str | None,
                   left: Mapping[str, int] | None = None) -> LineItemTodo | None:
    """The line item to grade next: the first after ``after`` (the course's order, wrapping
    round) with submissions waiting. ``left`` overrides the loaded counts where the grader's
    own work changed them. None for "all line items" (they are all in the queue already)."""
    if after is None:
        return None
    urls = [item.url for item in line_items]
    start = urls.index(after) + 1 if after in urls else 0
    for item in [*line_items[start:], *line_items[:start]]:
        waiting = left.get(item.url, item.pending) if left is not None else item.pending
        if item.url != after and waiting > 0:
            return item
    return None


class GradingQueue:
    """The entries to grade and the grader's place among them. ``position`` is None past the
    last one (the "all done" page) and in an empty queue: nothing is shown as current then,
    and no "4 of 3" can be said."""

    def __init__(self, rows: Iterable[StudentGrade], line_items: Sequence[LineItemTodo], *,
                 names_hidden: bool = False) -> None:
        self.line_items = tuple(line_items)
        self.names_hidden = names_hidden
        given = list(rows)
        self._roster_place = {row.key: place for place, row in enumerate(given)}
        self.entries = queue_order(given, [item.url for item in self.line_items],
                                   names_hidden=names_hidden)
        self.position: int | None = 0 if self.entries else None
        if self.entries and not self.entries[0].pending_manual:
            self.position = self.next_waiting(-1)

    # --- counting -------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return len(self.entries)

    def is_done(self, index: int) -> bool:
        return not self.entries[index].pending_manual

    @property
    def done(self) -> int:
        return sum(1 for row in self.entries if not row.pending_manual)

    @property
    def left(self) -> int:
        return self.total - self.done

    @property
    def finished(self) -> bool:
        """Everything in the queue is graded (an empty queue is not "finished": it is empty)."""
        return bool(self.entries) and self.left == 0

    def progress_text(self) -> str:
        if not self.entries:
            return "Nothing to grade"
        return f"{self.done} of {self.total} done"

    def position_text(self) -> str:
        """"Submission 3 of 40" for the one shown ("" when none is: never past the end)."""
        if self.position is None:
            return ""
        return f"Submission {self.position + 1} of {self.total}"

    def left_by_line_item(self) -> dict[str, int]:
        """Submissions still waiting, per line item in the queue."""
        counts = {row.line_item_url: 0 for row in self.entries}
        for row in self.entries:
            if row.pending_manual:
                counts[row.line_item_url] += 1
        return counts

    # --- moving -----------------------------------------------------------------------------

    def current(self) -> StudentGrade | None:
        return self.entries[self.position] if self.position is not None else None

    def index_of(self, key: CellKey) -> int | None:
        return next((i for i, row in enumerate(self.entries) if row.key == key), None)

    def go_to(self, index: int) -> bool:
        if not 0 <= index < self.total:
            return False
        self.position = index
        return True

    def go_next(self) -> bool:
        """The next entry, graded or not (Alt+Right); from the last one, the end page."""
        if self.position is None:
            return False
        self.position = self.position + 1 if self.position + 1 < self.total else None
        return True

    def go_previous(self) -> bool:
        """The entry before (Alt+Left); from the end page, the last one."""
        if not self.entries:
            return False
        if self.position is None:
            self.position = self.total - 1
            return True
        if self.position == 0:
            return False
        self.position -= 1
        return True

    def next_waiting(self, after: int | None = None) -> int | None:
        """The first entry still waiting after ``after`` (default: the current one), going
        round to the start; None when every entry is done."""
        start = (self.position if self.position is not None else -1) if after is None \
            else after
        for offset in range(1, self.total + 1):
            index = (start + offset) % self.total
            if self.entries[index].pending_manual:
                return index
        return None

    def advance(self) -> bool:
        """After a grade: on to the next entry still waiting. False when none is left (the
        position goes past the end: the "all done" page)."""
        following = self.next_waiting()
        self.position = following
        return following is not None

    # --- changes ----------------------------------------------------------------------------

    def mark_graded(self, key: CellKey, score: float, comment: str | None) -> None:
        """Show a grade at once, before the store has saved it (the next refresh is the truth)."""
        index = self.index_of(key)
        if index is None:
            return
        row = self.entries[index]
        self.entries[index] = replace(row, score=score, new_comment=comment,
                                      grading=GradingProgress.FULLY_GRADED.value,
                                      pending_manual=False, has_draft=True,
                                      state=SyncState.EDITED)

    def update(self, fresh: Mapping[CellKey, StudentGrade]) -> bool:
        """Take the store's latest rows for entries in the queue; True if any changed."""
        changed = False
        for index, row in enumerate(self.entries):
            newer = fresh.get(row.key)
            if newer is not None and newer != row:
                self.entries[index] = newer
                changed = True
        return changed

    def set_names_hidden(self, hidden: bool) -> None:
        """Reorder for hidden names (by number) or shown ones (roster), keeping the entry shown."""
        if hidden == self.names_hidden:
            return
        shown = self.current()
        self.names_hidden = hidden
        rows = sorted(self.entries, key=lambda row: self._roster_place.get(row.key, 0))
        self.entries = queue_order(rows, [item.url for item in self.line_items],
                                   names_hidden=hidden)
        if shown is not None:
            self.position = self.index_of(shown.key)


def entry_text(row: StudentGrade, *, names_hidden: bool, label: str | None = None) -> str:
    """How the student list names an entry: the student (or "Student 17"), with the line
    item's label when the queue spans several."""
    name = row.student.shown_name(names_hidden)
    return f"{name} · {label}" if label else name
