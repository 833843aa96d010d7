"""Grading with a column's rubric, and what an edited rubric does to grades already given.

A rubric grade is an ordinary queued draft: the total of the chosen levels is its score and
the levels, written out, lead its comment (the grader's own words follow). The chosen levels
are kept beside it, so that replacing the rubric (an import, or a criterion's points edited in
the window) recomputes every affected cell. A recomputed grade is only *proposed*
(``store.proposals``, reason "rubric", with its working: "Evidence 2→3: 5 → 6"); a person
accepts it before anything is queued or sent.

Every function here runs on the caller's thread and touches only the local database and, for
the files, the file system: a window calls them on its store lane, never on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from gradedesk.domain import InputError
from gradedesk.domain.rubrics import (
    CarriedChoice,
    Rubric,
    RubricChoice,
    carry_choice,
    parse_choice,
    parse_rubric,
    require_complete,
    rubric_comment,
    rubric_text,
    same_score,
    working,
)
from gradedesk.store import ConnectionRow, Database, DraftRow, drafts
from gradedesk.store import rubrics as rubric_store
from gradedesk.store.proposals import (
    NewProposal,
    cell_score_in,
    drop_proposals_in,
    proposals_in,
    propose,
)
from gradedesk.store.snapshots import require_line_item_in
from gradedesk.sync.files import replace_file
from gradedesk.sync.grading import save_grade

RUBRIC_REASON = "rubric"
# A rubric file is a page of text; anything far bigger is not one.
MAX_RUBRIC_FILE_BYTES = 1024 * 1024


# --- Files ----------------------------------------------------------------------------------


def read_rubric_file(path: Path) -> Rubric:
    """A rubric from a JSON file; InputError naming the file and what is wrong with it."""
    path = path.expanduser()
    try:
        size = path.stat().st_size
        if size > MAX_RUBRIC_FILE_BYTES:
            raise InputError(f"{path.name} is {size // 1024} KB: too big for a rubric file.")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path.name} is not UTF-8 text: a rubric file is JSON.") from None
    try:
        return parse_rubric(text)
    except InputError as error:
        raise InputError(f"{path.name}: {error.user_message}") from None


def write_rubric_file(rubric: Rubric, target: Path) -> None:
    """Write the rubric's file; a failed write leaves an existing file as it was."""
    replace_file(target, lambda out: out.write(rubric_text(rubric)), newline="\n")


# --- Grading --------------------------------------------------------------------------------


def rubric_for(db: Database, connection: ConnectionRow, line_item_url: str) -> Rubric | None:
    """The column's rubric, or None."""
    return rubric_store.get_rubric(db, connection.id, line_item_url)


def require_rubric(db: Database, connection: ConnectionRow, line_item_url: str,
                   label: str) -> Rubric:
    """The column's rubric; InputError saying how to give it one."""
    rubric = rubric_for(db, connection, line_item_url)
    if rubric is None:
        raise InputError(f"{label} has no rubric yet: import one with `gradedesk rubric import "
                         f"{connection.name} --line-item ID FILE.json`.")
    return rubric


@dataclass(frozen=True, slots=True)
class RubricGrade:
    """A saved rubric grade: the queued draft, the levels and the comment they made."""

    draft: DraftRow
    rubric: Rubric
    choice: RubricChoice
    comment: str


def grade_with_rubric(db: Database, connection: ConnectionRow, line_item_url: str,
                      user_id: str, choice: RubricChoice | str, *,
                      own_comment: str | None = None,
                      also: drafts.DraftEdit | None = None,
                      now: datetime | None = None) -> RubricGrade:
    """Grade one cell with the column's rubric: a queued draft whose score is the levels'
    total and whose comment is the levels written out, then ``own_comment``. ``choice`` is a
    RubricChoice (a window's panel) or text ("Clarity=3,Evidence=2"); it must have a level for
    every criterion. ``also`` carries other changes of the same edit (progress, files).

    The draft, the kept levels and the end of any rubric proposal for the cell (it was made
    from the levels this grade replaces) are one transaction."""
    rubric = rubric_for(db, connection, line_item_url)
    if rubric is None:
        raise InputError("This column has no rubric yet: import one with `gradedesk rubric "
                         f"import {connection.name} --line-item ID FILE.json`.")
    if isinstance(choice, str):
        choice = parse_choice(rubric, choice)
    require_complete(rubric, choice)
    comment = rubric_comment(rubric, choice, own_comment)
    edit = replace(also or drafts.DraftEdit(), score_given=choice.total, comment=comment)
    with db.transaction():
        draft = save_grade(db, connection, line_item_url, user_id, edit, now=now)
        keep_rubric_levels(db, connection, line_item_url, user_id, choice, own_comment,
                           now=now)
    return RubricGrade(draft, rubric, choice, comment)


def keep_rubric_levels(db: Database, connection: ConnectionRow, line_item_url: str,
                       user_id: str, choice: RubricChoice, own_comment: str | None, *,
                       now: datetime | None = None) -> None:
    """Keep the levels behind a rubric grade saved by other means (a window's undoable edit),
    so that an edited rubric can recompute it; a rubric proposal for the cell, made from the
    levels this grade replaces, is dropped. One transaction."""
    with db.transaction() as conn:
        rubric_store.record_rubric_grade(db, connection.id, line_item_url, user_id, choice,
                                         own_comment, now=now)
        stale = [row.id for row in proposals_in(conn, connection.id, line_item_url, user_id)
                 if row.reason == RUBRIC_REASON]
        drop_proposals_in(conn, connection.id, stale)


def chosen_levels(db: Database, connection: ConnectionRow, line_item_url: str,
                  user_id: str) -> RubricChoice | None:
    """The levels a cell's grade reflects (a rubric panel shows them again), or None."""
    row = rubric_store.rubric_grade(db, connection.id, line_item_url, user_id)
    return None if row is None else row.choice


# --- Replacing a rubric -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProposedRegrade:
    """A cell whose total the new rubric changes: proposed for review, not queued."""

    user_id: str
    old_total: float
    new_total: float
    comment: str
    working: str


@dataclass(frozen=True, slots=True)
class RubricReplacement:
    """What giving a column a (new) rubric did to the cells graded with the old one."""

    rubric: Rubric
    replaced: bool  # the column had a rubric before
    proposed: tuple[ProposedRegrade, ...]
    unchanged: tuple[str, ...]  # user ids whose total stays (their levels now point here)
    # Cells that cannot be totalled on the new rubric: user id and the criteria without a
    # level (a new criterion, or a level that is gone). Graded again by hand.
    needs_levels: tuple[tuple[str, tuple[str, ...]], ...]
    # Cells whose grade changed after the rubric grade (typed over, a late penalty accepted,
    # discarded): a rubric edit does not overwrite it.
    changed_since: tuple[str, ...]


def replace_rubric(db: Database, connection: ConnectionRow, line_item_url: str,
                   rubric: Rubric, *, now: datetime | None = None) -> RubricReplacement:
    """Give the column ``rubric`` and recompute every cell graded with the one it replaces.

    A cell whose total changes gets a proposal (reason "rubric": the new total, the comment
    with the new levels and the grader's own words, and the working); an unchanged total
    proposes nothing. Nothing is queued or sent. A cell's earlier rubric proposal that the
    new rubric makes wrong (the total is back where it was, or the cell cannot be totalled)
    is dropped. One transaction: the rubric, the cells' records and the proposals change
    together or not at all.
    """
    proposed: list[ProposedRegrade] = []
    unchanged: list[str] = []
    needs_levels: list[tuple[str, tuple[str, ...]]] = []
    changed_since: list[str] = []
    carried: list[rubric_store.CarriedGrade] = []
    stale: list[int] = []
    with db.transaction() as conn:
        line_item = require_line_item_in(conn, connection.id, line_item_url)
        replaced = rubric_for(db, connection, line_item_url) is not None
        waiting = {row.user_id: row.id for row in proposals_in(conn, connection.id,
                                                               line_item_url)
                   if row.reason == RUBRIC_REASON}
        for record in rubric_store.rubric_grades(db, connection.id, line_item_url):
            shown = cell_score_in(conn, line_item.id, record.user_id)
            baseline = _applied_levels(record, shown.score)
            if baseline is None:
                changed_since.append(record.user_id)
                continue
            outcome = carry_choice(baseline, rubric)
            if not outcome.complete:
                needs_levels.append((record.user_id, outcome.unchosen))
                carried.append(rubric_store.CarriedGrade(record.user_id, baseline, None))
                stale.extend(_ids(waiting, record.user_id))
            elif same_score(outcome.choice.total, baseline.total):
                unchanged.append(record.user_id)
                # The levels now point at this rubric (a description may have changed).
                carried.append(rubric_store.CarriedGrade(record.user_id, outcome.choice,
                                                         None))
                stale.extend(_ids(waiting, record.user_id))
            else:
                proposed.append(_regrade(rubric, record, baseline, outcome))
                carried.append(rubric_store.CarriedGrade(record.user_id, baseline,
                                                         outcome.choice))
        drop_proposals_in(conn, connection.id, stale)
        propose(db, connection.id, [
            NewProposal(line_item_url, regrade.user_id, regrade.new_total, regrade.comment,
                        RUBRIC_REASON, regrade.working) for regrade in proposed], now=now)
        rubric_store.carry_rubric_grades(db, connection.id, line_item_url, carried, now=now)
        rubric_store.save_rubric(db, connection.id, line_item_url, rubric, now=now)
    return RubricReplacement(rubric, replaced, tuple(proposed), tuple(unchanged),
                             tuple(needs_levels), tuple(changed_since))


def _applied_levels(record: rubric_store.RubricGradeRow,
                    shown: float | None) -> RubricChoice | None:
    """The levels the cell's grade reflects now: the ones graded, or the ones an earlier
    edit proposed once that proposal was accepted (the cell shows its total). None when the
    cell shows neither total: its grade was changed by other means."""
    if same_score(shown, record.choice.total):
        return record.choice
    if record.proposed is not None and same_score(shown, record.proposed.total):
        return record.proposed
    return None


def _regrade(rubric: Rubric, record: rubric_store.RubricGradeRow, baseline: RubricChoice,
             outcome: CarriedChoice) -> ProposedRegrade:
    return ProposedRegrade(record.user_id, baseline.total, outcome.choice.total,
                           rubric_comment(rubric, outcome.choice, record.own_comment),
                           working(baseline, outcome))


def _ids(waiting: dict[str, int], user_id: str) -> Sequence[int]:
    found = waiting.get(user_id)
    return () if found is None else (found,)
