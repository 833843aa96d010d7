"""What ``gradedesk show`` lists for a connection: each line item with its counts, and
whether the platform gives names. Counted in the store (``store.counts``), in a module of its
own so that listing loads none of the rest of the read model; ``read_model`` re-exports
these for its other callers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gradedesk.store import ConnectionRow, Database, counts, snapshots
from gradedesk.store.rows import LineItemRow


@dataclass(frozen=True, slots=True)
class LineItemSummary:
    """One column with its counts (``show`` without ``--line-item``; the window's tree)."""

    row: LineItemRow
    graded: int
    needs_grading: int
    drafts: int
    students: int

    def to_json(self) -> dict[str, Any]:
        return {"id": self.row.url, "short_id": self.row.short_id, "label": self.row.label,
                "score_maximum": self.row.score_maximum, "graded": self.graded,
                "pending_manual": self.needs_grading, "drafts": self.drafts,
                "students": self.students, "on_platform": not self.row.pending_create}


def line_item_summaries(db: Database, connection: ConnectionRow) -> list[LineItemSummary]:
    """Every line item with its counts: the gradebook's cells counted in the store (one
    query), not built one by one."""
    items = snapshots.list_line_items(db, connection.id)
    by_item = counts.line_item_counts(db, connection.id)
    learners = counts.roster_counts(db, connection.id).learners
    none = counts.LineItemCounts()
    return [LineItemSummary(row=item, graded=mine.graded, needs_grading=mine.needs_grading,
                            drafts=mine.local, students=learners)
            for item in items for mine in (by_item.get(item.id, none),)]


def names_available(db: Database, connection_id: int) -> bool:
    """False on a platform that gives no names: nobody came from a Names and Roles roster
    (only from results, or typed by a grader) and some student is known by id alone."""
    roster = counts.roster_counts(db, connection_id)
    return not roster.learners or roster.from_roster or not roster.unnamed_learners
