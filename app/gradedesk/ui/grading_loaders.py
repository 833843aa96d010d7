"""What grading mode reads from the store: the submissions needing grading, in one line item
or across all of them, and each line item's count for the chooser.

Threading contract: runs on the store lane, never on the GUI thread, and never touches Qt.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from gradedesk.domain import InputError
from gradedesk.domain.rubrics import Rubric, RubricChoice
from gradedesk.store import Database, grid, rubrics, snapshots
from gradedesk.sync.team_split import shares_by_line_item
from gradedesk.ui.grading_queue import LineItemTodo
from gradedesk.ui.loaders import load_line_item
from gradedesk.ui.rows import StudentGrade


@dataclass(frozen=True, slots=True)
class GradingQueueData:
    connection_id: int
    scope: str | None  # the line item URL graded, or None for all of them
    line_items: tuple[LineItemTodo, ...]  # every line item, in the tree's order, with counts
    rows: tuple[StudentGrade, ...]  # those in scope needing grading, line item by line item


def load_grading_queue(db: Database, connection_id: int, scope: str | None,
                       grader: str | None = None) -> GradingQueueData:
    """The submissions needing grading (the one rule, domain.grading_rules, as the grid's
    "Needs grading" filter and the CLI), in ``scope`` (a line item URL) or everywhere; with
    ``grader``, only that grader's students wherever a split among graders has them."""
    items = snapshots.list_line_items(db, connection_id)
    if scope is not None and all(item.url != scope for item in items):
        raise InputError("That line item is no longer in this course; pull to see its "
                         "columns again.")
    # The learners the grids list (teachers' and gone students' cells are not to grade).
    learners = {member.user_id
                for member in snapshots.list_members(db, connection_id, learners_only=True)}
    shares = {} if grader is None else shares_by_line_item(db, connection_id, grader)
    share_of = {item.id: shares[item.url] for item in items if item.url in shares}
    waiting = Counter(line_item_id for (line_item_id, user_id), cell
                      in grid.gradebook_cells(db, connection_id).items()
                      if cell.needs_grading and user_id in learners
                      and user_id in share_of.get(line_item_id, (user_id,)))
    todos = tuple(LineItemTodo(item.url, item.label, item.score_maximum, waiting[item.id])
                  for item in items)
    rows: list[StudentGrade] = []
    for item in items:
        if (scope is None or item.url == scope) and waiting[item.id]:
            data = load_line_item(db, connection_id, item.url)
            rows.extend(row for row in data.rows if row.pending_manual
                        and row.user_id in shares.get(item.url, (row.user_id,)))
    return GradingQueueData(connection_id, scope, todos, tuple(rows))


@dataclass(frozen=True, slots=True)
class RubricState:
    """A column's rubric and the levels chosen for one student, if any (grading mode)."""

    key: tuple[str, str]  # (line item URL, user id)
    rubric: Rubric | None
    chosen: RubricChoice | None
    own_comment: str | None


def load_rubric_state(db: Database, connection_id: int, line_item_url: str,
                      user_id: str) -> RubricState:
    """The rubric of a column and one cell's chosen levels (both None without a rubric)."""
    rubric = rubrics.get_rubric(db, connection_id, line_item_url)
    grade = None if rubric is None else \
        rubrics.rubric_grade(db, connection_id, line_item_url, user_id)
    return RubricState((line_item_url, user_id), rubric,
                       grade.choice if grade is not None else None,
                       grade.own_comment if grade is not None else None)
