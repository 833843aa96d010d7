"""``gradedesk late|missing``: a column's late rule and "mark missing", applied locally as
proposed grades. Nothing is queued or sent until a person accepts the proposals
(``gradedesk proposals|accept|reject``)."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from gradedesk.cli.output import emit_json
from gradedesk.domain import InputError, format_score
from gradedesk.domain.late_policy import LateRule, due_text, parse_minutes, parse_percent
from gradedesk.store import ConnectionRow, Database, LineItemRow
from gradedesk.store import connections as connection_store
from gradedesk.store.late_rules import get_rule, remove_rule, save_rule
from gradedesk.store.snapshots import list_members
from gradedesk.sync.late_proposals import (
    LATE_SKIP_WORDS,
    MISSING_SKIP_WORDS,
    LateRun,
    MissingRun,
    due_date_of,
    propose_late,
    propose_missing,
)
from gradedesk.sync.lookup import find_line_item


def _rule_from_flags(args: argparse.Namespace, stored: LateRule | None) -> LateRule | None:
    """The rule the flags give (over the stored one: unnamed parts keep their value), or None
    when no rule flag was given."""
    given = (args.percent, args.per, args.cap, args.grace)
    if all(value is None for value in given) and not args.no_cap:
        return None
    if args.percent is None and stored is None:
        raise InputError("This column has no late rule yet: give --percent P (and --per "
                         "day|hour, --cap C, --grace MINUTES as needed).")
    if args.cap is not None and args.no_cap:
        raise InputError("Give --cap C or --no-cap, not both.")
    base = stored or LateRule.parse(0)
    cap = None if args.no_cap else (parse_percent(args.cap, "cap") if args.cap is not None
                                     else base.cap)
    return LateRule.parse(
        percent=base.percent if args.percent is None else args.percent,
        per=base.per if args.per is None else args.per,
        cap=cap,
        grace_minutes=base.grace_minutes if args.grace is None else parse_minutes(args.grace))


def _due_or_none(item: LineItemRow, connection: ConnectionRow) -> datetime | None:
    try:
        return due_date_of(item, connection.name)
    except InputError:
        return None


def late(args: argparse.Namespace, db: Database) -> int:
    connection = connection_store.require_connection(db, args.name)
    item = find_line_item(db, connection, args.line_item)
    stored = get_rule(db, connection.id, item.url)
    rule_flags = any(value is not None for value in (args.percent, args.per, args.cap,
                                                     args.grace)) or args.no_cap
    if (args.show or args.forget) and (rule_flags or args.show == args.forget):
        raise InputError("--show and --forget take no rule flags, and not each other.")
    if args.show:
        return _show_rule(args, connection, item, stored)
    if args.forget:
        removed = remove_rule(db, connection.id, item.url)
        if args.json:
            emit_json({"connection": connection.name, "line_item": item.url,
                       "removed": removed})
        else:
            print(f"Forgot the late rule of {item.label}." if removed
                  else f"{item.label} has no late rule.")
        return 0
    rule = _rule_from_flags(args, stored)
    if rule is None:
        if stored is None:
            raise InputError(f"{item.label} has no late rule yet: give --percent P (and --per "
                             "day|hour, --cap C, --grace MINUTES as needed).")
        rule = stored
    # The due date first: a rule for a column without one is refused, not half-kept.
    due_date_of(item, connection.name)
    if rule != stored and not args.dry_run:
        save_rule(db, connection.id, item.url, rule)
    run = propose_late(db, connection, item, rule, dry_run=args.dry_run)
    names = {m.user_id: m.sort_name for m in list_members(db, connection.id,
                                                          include_missing=True)}
    if args.json:
        emit_json(_late_json(connection, run, names))
    else:
        _print_late(connection, run, names)
    return 0


def _show_rule(args: argparse.Namespace, connection: ConnectionRow, item: LineItemRow,
               rule: LateRule | None) -> int:
    due = _due_or_none(item, connection)
    if args.json:
        emit_json({"connection": connection.name, "line_item": item.url,
                   "line_item_label": item.label, "due": None if due is None else due.isoformat(),
                   "rule": None if rule is None else rule.to_json(),
                   "describe": None if rule is None else rule.describe()})
        return 0
    if rule is None:
        print(f"{item.label} ({item.short_id}) has no late rule.")
    else:
        print(f"{item.label} ({item.short_id}): {rule.describe()}.")
    print(f"Due: {due_text(due)}" if due is not None else
          f"No due date (end date): set one with `gradedesk column edit {connection.name} "
          f"{item.short_id} --end ISO`.")
    return 0


def _late_json(connection: ConnectionRow, run: LateRun, names: dict[str, str]
               ) -> dict[str, Any]:
    return {
        "connection": connection.name, "line_item": run.line_item.url,
        "line_item_label": run.line_item.label, "due": run.due.isoformat(),
        "rule": run.rule.to_json(), "dry_run": not run.stored,
        "proposed": [{"user_id": p.user_id, "student": names.get(p.user_id),
                      "submitted_at": p.submitted_at.isoformat(), "late": p.periods,
                      "unit": run.rule.per.value, "was": p.was, "base": p.base,
                      "score": p.score, "working": p.working, "comment": p.comment}
                     for p in run.proposed],
        "late_unchanged": run.late_unchanged, "on_time": run.on_time,
        "skipped": {reason: run.skipped.get(reason, 0) for reason in LATE_SKIP_WORDS},
    }


def _print_late(connection: ConnectionRow, run: LateRun, names: dict[str, str]) -> None:
    item = run.line_item
    print(f"{item.label} ({item.short_id}), due {due_text(run.due)}: {run.rule.describe()}.")
    if run.proposed:
        verb = "Would propose" if not run.stored else "Proposed"
        print(f"{verb} {len(run.proposed)} grade(s); nothing is sent until accepted"
              + (f" (`gradedesk proposals {connection.name}`, then `gradedesk accept "
                 f"{connection.name}` or `reject`):" if run.stored else ":"))
        width = max(len(names.get(p.user_id, p.user_id)) for p in run.proposed)
        for p in run.proposed:
            name = names.get(p.user_id, p.user_id)
            print(f"  {name:<{width}}  {format_score(p.was):>6} → {format_score(p.score):<6}  "
                  f"{p.working}")
    else:
        print("Nothing to propose: every judged grade already is what the rule gives.")
    print(run.tally())


def missing(args: argparse.Namespace, db: Database) -> int:
    connection = connection_store.require_connection(db, args.name)
    item = find_line_item(db, connection, args.line_item)
    run = propose_missing(db, connection, item, dry_run=args.dry_run)
    names = {m.user_id: m.sort_name for m in list_members(db, connection.id,
                                                          include_missing=True)}
    if args.json:
        emit_json(_missing_json(connection, run, names))
        return 0
    print(f"{item.label} ({item.short_id}), due {due_text(run.due)}.")
    if run.proposed:
        verb = "Would propose" if not run.stored else "Proposed"
        print(f"{verb} 0 for {len(run.proposed)} student(s) with no submission; nothing is "
              "sent until accepted"
              + (f" (`gradedesk proposals {connection.name}`):" if run.stored else ":"))
        for p in run.proposed:
            print(f"  {names.get(p.user_id, p.user_id)}")
    else:
        print("Nobody is missing.")
    if run.tally():
        print(run.tally())
    return 0


def _missing_json(connection: ConnectionRow, run: MissingRun, names: dict[str, str]
                  ) -> dict[str, Any]:
    return {
        "connection": connection.name, "line_item": run.line_item.url,
        "line_item_label": run.line_item.label, "due": run.due.isoformat(),
        "dry_run": not run.stored,
        "proposed": [{"user_id": p.user_id, "student": names.get(p.user_id), "score": 0.0,
                      "working": p.working, "comment": p.comment} for p in run.proposed],
        "skipped": {reason: run.skipped.get(reason, 0) for reason in MISSING_SKIP_WORDS},
    }

