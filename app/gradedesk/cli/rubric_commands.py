"""``gradedesk rubric import|export|show`` and ``gradedesk grade --rubric``: a column's rubric
as a JSON file teachers share, and grading with it. Local only: rubrics never reach the
platform, the scores and comments they make do (through ``push``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gradedesk.cli.commands import progress_and_files, report_grade, warn_if_score_dropped
from gradedesk.cli.output import emit_json, warn
from gradedesk.domain import (
    InputError,
)
from gradedesk.domain import format_score as _number
from gradedesk.domain.rubrics import (
    Rubric,
    RubricChoice,
    parse_choice,
    require_complete,
    rubric_text,
    rubric_to_json,
)
from gradedesk.store import ConnectionRow, Database, LineItemRow, MemberRow, drafts
from gradedesk.store import connections as connection_store
from gradedesk.sync.lookup import find_line_item
from gradedesk.sync.rubric_grading import (
    RubricReplacement,
    grade_with_rubric,
    read_rubric_file,
    replace_rubric,
    require_rubric,
    write_rubric_file,
)

STDOUT = "-"


def _column(args: argparse.Namespace, db: Database) -> tuple[ConnectionRow, LineItemRow]:
    connection = connection_store.require_connection(db, args.name)
    return connection, find_line_item(db, connection, args.line_item)


def _line_item_json(item: LineItemRow) -> dict[str, Any]:
    return {"id": item.url, "short_id": item.short_id, "label": item.label,
            "score_maximum": item.score_maximum}


# --- import, export, show -----------------------------------------------------------------


def rubric_import(args: argparse.Namespace, db: Database) -> int:
    # The file is read and checked before anything is looked up or changed.
    rubric = read_rubric_file(Path(args.file))
    connection, item = _column(args, db)
    outcome = replace_rubric(db, connection, item.url, rubric)
    if abs(rubric.maximum - item.score_maximum) > 1e-9:
        warn(f"the rubric gives at most {_number(rubric.maximum)} points but {item.label} is "
             f"out of {_number(item.score_maximum)}; kept as it is: a rubric grade's score is "
             "its total.")
    if args.json:
        emit_json(_replacement_json(connection, item, outcome))
        return 0
    said = "Replaced" if outcome.replaced else "Imported"
    print(f"{said} the rubric of {item.label} ({item.short_id}): "
          f"{len(rubric.criteria)} criteria, out of {_number(rubric.maximum)}.")
    _print_recomputed(connection, item, outcome)
    return 0


def _print_recomputed(connection: ConnectionRow, item: LineItemRow,
                      outcome: RubricReplacement) -> None:
    if outcome.proposed:
        print(f"{len(outcome.proposed)} grade(s) recomputed and proposed for review (nothing "
              f"is sent until accepted: `gradedesk proposals {connection.name} --line-item "
              f"{item.short_id}`, then `gradedesk accept`):")
        for regrade in outcome.proposed:
            print(f"  {regrade.user_id}: {regrade.working}")
    if outcome.unchanged:
        print(f"{len(outcome.unchanged)} rubric grade(s) keep their total.")
    for user_id, criteria in outcome.needs_levels:
        print(f"  {user_id}: no level for {', '.join(criteria)} on the new rubric; grade "
              "again with --rubric.")
    if outcome.changed_since:
        print(f"{len(outcome.changed_since)} grade(s) changed since they were graded with the "
              "rubric were left as they are: " + ", ".join(outcome.changed_since))


def _replacement_json(connection: ConnectionRow, item: LineItemRow,
                      outcome: RubricReplacement) -> dict[str, Any]:
    return {"connection": connection.name, "line_item": _line_item_json(item),
            "replaced": outcome.replaced, "criteria": len(outcome.rubric.criteria),
            "maximum": outcome.rubric.maximum,
            "proposed": [{"user_id": r.user_id, "old_total": r.old_total,
                          "new_total": r.new_total, "comment": r.comment, "working": r.working}
                         for r in outcome.proposed],
            "unchanged": list(outcome.unchanged),
            "needs_levels": [{"user_id": user_id, "criteria": list(criteria)}
                             for user_id, criteria in outcome.needs_levels],
            "changed_since": list(outcome.changed_since)}


def rubric_export(args: argparse.Namespace, db: Database) -> int:
    connection, item = _column(args, db)
    rubric = require_rubric(db, connection, item.url, item.label)
    if args.file == STDOUT:
        sys.stdout.write(rubric_text(rubric))
        return 0
    target = Path(args.file).expanduser()
    write_rubric_file(rubric, target)
    print(f"Wrote the rubric of {item.label} ({len(rubric.criteria)} criteria, out of "
          f"{_number(rubric.maximum)}) to {target}.", file=sys.stderr)
    return 0


def rubric_show(args: argparse.Namespace, db: Database) -> int:
    connection, item = _column(args, db)
    rubric = require_rubric(db, connection, item.url, item.label)
    if args.json:
        emit_json({"connection": connection.name, "line_item": _line_item_json(item),
                   "maximum": rubric.maximum, "rubric": rubric_to_json(rubric)})
        return 0
    print(f"Rubric of {item.label} ({item.short_id}): out of {_number(rubric.maximum)}"
          + ("" if abs(rubric.maximum - item.score_maximum) < 1e-9
             else f" (the column: {_number(item.score_maximum)})"))
    for criterion in rubric.criteria:
        print(f"  {criterion.name} (up to {_number(criterion.maximum)})")
        width = max(len(_number(level.points)) for level in criterion.levels)
        for number, level in enumerate(criterion.levels, start=1):
            print(f"    #{number}  {_number(level.points):>{width}}  {level.description}"
                  .rstrip())
    return 0


# --- grade --rubric -----------------------------------------------------------------------


def grade_by_rubric(args: argparse.Namespace, db: Database, connection: ConnectionRow,
                    item: LineItemRow, member_of: Callable[[], MemberRow]) -> int:
    """``gradedesk grade ... --rubric "Clarity=3,Evidence=2" [--comment TEXT]``. The levels
    are checked before ``member_of`` finds the student (which may keep a typed user id)."""
    if args.score is not None:
        raise InputError("Give --rubric or --score, not both: a rubric grade's score is the "
                         "total of its levels.")
    rubric = require_rubric(db, connection, item.url, item.label)
    choice = parse_choice(rubric, args.rubric)
    require_complete(rubric, choice)
    member = member_of()
    also = progress_and_files(args)
    warn_if_score_dropped(args, connection, {**also, "score_given": choice.total})
    graded = grade_with_rubric(db, connection, item.url, member.user_id, choice,
                               own_comment=args.comment, also=drafts.DraftEdit(**also))
    levels = ", ".join(f"{level.criterion} {_number(level.points)}"
                       for level in graded.choice.levels)
    report_grade(args, connection, item, member, graded.draft,
                 f"score {_number(graded.draft.score_given)} ({levels})",
                 rubric=_choice_json(graded.rubric, graded.choice))
    return 0


def _choice_json(rubric: Rubric, choice: RubricChoice) -> dict[str, Any]:
    levels = []
    for level in choice.levels:
        criterion = rubric.criterion(level.criterion)
        levels.append({"criterion": level.criterion, "points": level.points,
                       "maximum": criterion.maximum, "level": level.position + 1,
                       "description": level.description})
    return {"total": choice.total, "maximum": rubric.maximum, "levels": levels}


HANDLERS = {"import": rubric_import, "export": rubric_export, "show": rubric_show}
