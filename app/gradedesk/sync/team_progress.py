"""Each grader's progress, from the stored split plus what the platform holds and the drafts
on this computer: after a pull, every TA sees the whole team's progress.

Per column and grader, each assigned student counts once: *graded* when the platform's copy
has a score; else *drafted* when a draft here gives one (not yet confirmed by the platform);
else *left*. So graded + drafted + left = assigned, and left is never negative. Students of a
split whom the roster no longer (or not yet) has are not counted; they are reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gradedesk.domain.grader_split import GraderSplit
from gradedesk.store import ConnectionRow, Database, snapshots
from gradedesk.store.grader_split import (
    ScoredCells,
    StoredSplit,
    identity,
    list_splits,
    require_split,
    scored_cells,
)
from gradedesk.store.rows import LineItemRow


@dataclass(frozen=True, slots=True)
class Tally:
    assigned: int = 0
    graded: int = 0
    drafted: int = 0

    @property
    def left(self) -> int:
        return max(0, self.assigned - self.graded - self.drafted)

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.assigned + other.assigned, self.graded + other.graded,
                     self.drafted + other.drafted)

    def to_json(self) -> dict[str, int]:
        return {"assigned": self.assigned, "graded": self.graded, "drafted": self.drafted,
                "left": self.left}


@dataclass(frozen=True, slots=True)
class GraderTally:
    grader: str
    tally: Tally
    mine: bool = False  # the grader remembered on this computer

    def to_json(self) -> dict[str, Any]:
        return {"grader": self.grader, "mine": self.mine, **self.tally.to_json()}


@dataclass(frozen=True, slots=True)
class ColumnProgress:
    """One column's progress by grader."""

    line_item: LineItemRow
    split: StoredSplit  # the column's own, or the course's
    graders: tuple[GraderTally, ...]
    total: Tally
    unassigned: int  # learners of the roster in no grader's list
    off_roster: int  # students of the split the roster does not have

    def to_json(self) -> dict[str, Any]:
        item = self.line_item
        return {"id": item.url, "short_id": item.short_id, "label": item.label,
                "split": "course" if self.split.course_wide else "line_item",
                "mode": self.split.split.mode, "seed": self.split.split.seed,
                "graders": [g.to_json() for g in self.graders], "total": self.total.to_json(),
                "unassigned": self.unassigned, "off_roster": self.off_roster}


@dataclass(frozen=True, slots=True)
class TeamProgress:
    """Progress per column, and summed over the columns per grader and in total."""

    connection: str
    me: str | None
    columns: tuple[ColumnProgress, ...]
    graders: tuple[GraderTally, ...]
    total: Tally

    def to_json(self) -> dict[str, Any]:
        return {"connection": self.connection, "me": self.me,
                "line_items": [column.to_json() for column in self.columns],
                "graders": [g.to_json() for g in self.graders], "total": self.total.to_json()}


def column_progress(line_item: LineItemRow, stored: StoredSplit, learners: frozenset[str],
                    cells: ScoredCells, me: str | None) -> ColumnProgress:
    """One column's tallies (pure: from what was read already)."""
    split = stored.split
    graders = []
    listed: set[str] = set()
    off_roster = 0
    for grader in split.graders:
        assigned = graded = drafted = 0
        for user_id in split.students_of(grader):
            listed.add(user_id)
            if user_id not in learners:
                off_roster += 1
                continue
            assigned += 1
            if (line_item.id, user_id) in cells.on_platform:
                graded += 1
            elif (line_item.id, user_id) in cells.drafted:
                drafted += 1
        graders.append(GraderTally(grader, Tally(assigned, graded, drafted), grader == me))
    total = sum((g.tally for g in graders), Tally())
    return ColumnProgress(line_item, stored, tuple(graders), total,
                          unassigned=len(learners - listed), off_roster=off_roster)


def team_progress(db: Database, connection: ConnectionRow,
                  line_item: LineItemRow | None = None) -> TeamProgress:
    """The progress of one column (InputError when no split applies to it) or of every
    column a split applies to (InputError when the connection has no split)."""
    splits = list_splits(db, connection.id)
    if line_item is not None:
        applying = _applying(splits, [line_item])
        require_split(applying[0][1] if applying else None, connection.name,
                      f"{line_item.label} ({line_item.short_id})")
    else:
        require_split(splits[0] if splits else None, connection.name, connection.name)
        applying = _applying(splits, snapshots.list_line_items(db, connection.id))
    return _tally(db, connection, applying)


def _applying(splits: list[StoredSplit],
              items: list[LineItemRow]) -> list[tuple[LineItemRow, StoredSplit]]:
    own = {stored.line_item_id: stored for stored in splits}
    course = own.get(None)
    pairs = []
    for item in items:
        stored = own.get(item.id, course)
        if stored is not None:
            pairs.append((item, stored))
    return pairs


def _tally(db: Database, connection: ConnectionRow,
           applying: list[tuple[LineItemRow, StoredSplit]]) -> TeamProgress:
    me = identity(db, connection.id)
    learners = frozenset(m.user_id for m in snapshots.list_members(db, connection.id,
                                                                   learners_only=True))
    cells = scored_cells(db, connection.id)
    columns = tuple(column_progress(item, stored, learners, cells, me)
                    for item, stored in applying)
    summed: dict[str, Tally] = {}
    for column in columns:
        for tally in column.graders:
            summed[tally.grader] = summed.get(tally.grader, Tally()) + tally.tally
    graders = tuple(GraderTally(name, tally, name == me) for name, tally in summed.items())
    return TeamProgress(connection.name, me, columns, graders,
                        sum((column.total for column in columns), Tally()))


# --- the window's view -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TeamView:
    """What the window needs of the team, read in one go on the store lane: the splits (the
    course's and each column's own), who I am, and the progress of every column a split
    applies to."""

    connection_id: int
    me: str | None = None
    course: GraderSplit | None = None
    columns: Mapping[str, GraderSplit] = field(default_factory=dict)  # line item URL -> own
    progress: TeamProgress | None = None

    def split_for(self, line_item_url: str | None) -> GraderSplit | None:
        """The split of a column (its own, else the course's); None: the gradebook's, which
        is the course's."""
        if line_item_url is not None and line_item_url in self.columns:
            return self.columns[line_item_url]
        return self.course

    def column_progress(self, line_item_url: str) -> ColumnProgress | None:
        if self.progress is None:
            return None
        return next((column for column in self.progress.columns
                     if column.line_item.url == line_item_url), None)


def team_view(db: Database, connection: ConnectionRow) -> TeamView:
    """The team as the window shows it (runs on the store lane)."""
    splits = list_splits(db, connection.id)
    me = identity(db, connection.id)
    if not splits:
        return TeamView(connection.id, me)
    course = next((stored.split for stored in splits if stored.course_wide), None)
    columns = {stored.line_item_url: stored.split for stored in splits
               if not stored.course_wide and stored.line_item_url is not None}
    progress = _tally(db, connection, _applying(
        splits, snapshots.list_line_items(db, connection.id)))
    return TeamView(connection.id, me, course, columns, progress)
