"""``gradedesk hold`` and ``gradedesk release``: keep a column's grades here until they are all
in, then send them in one push. ``hold`` is local; ``release`` lifts the hold and runs the
ordinary push (``sync_commands.push``) unless ``--no-push`` is given."""

from __future__ import annotations

import argparse
from typing import Any

from gradedesk.cli.output import emit_json, warn
from gradedesk.store import Database
from gradedesk.store import connections as connection_store
from gradedesk.sync.holding import HoldChange, hold_column, release_column, release_warning
from gradedesk.sync.lookup import find_line_item

# What ``push`` reads from its arguments that ``release`` does not offer: push's defaults.
_PUSH_DEFAULTS: dict[str, Any] = {"resolve": None, "prioritize_non_tool_grade": None,
                                  "preserve_score": None, "no_wait": False, "time_limit": None}


def _change_json(connection: str, change: HoldChange) -> dict[str, Any]:
    item = change.line_item
    return {"connection": connection, "line_item": item.url, "short_id": item.short_id,
            "label": item.label, "held": change.held, "changed": change.changed,
            "queued": change.queued}


def hold(args: argparse.Namespace, db: Database) -> int:
    connection = connection_store.require_connection(db, args.name)
    item = find_line_item(db, connection, args.line_item)
    change = hold_column(db, connection, item)
    if args.json:
        emit_json(_change_json(connection.name, change))
    else:
        print(change.describe()
              + f" `gradedesk release {connection.name} --line-item {item.short_id}` sends them.")
    return 0


def release(args: argparse.Namespace, db: Database) -> int:
    connection = connection_store.require_connection(db, args.name)
    item = find_line_item(db, connection, args.line_item)
    warning = release_warning(connection)
    if warning is not None:
        warn(warning)
    change = release_column(db, connection, item)
    document = _change_json(connection.name, change)
    if args.no_push:
        if args.json:
            emit_json({**document, "push": None})
        else:
            print(change.describe() + f" (`gradedesk push {connection.name}`)")
        return 0
    if not args.json:
        grades = f"{change.queued} grade{'s' if change.queued != 1 else ''}"
        print(f"Released “{item.label}”; pushing its {grades} now." if change.changed else
              f"“{item.label}” was not held; pushing its {grades} now.")
    # The ordinary push: it sends this column's grades, and any others queued and not held.
    from gradedesk.cli import sync_commands

    push_args = argparse.Namespace(**{**_PUSH_DEFAULTS, **vars(args)})
    return sync_commands.push(push_args, db,
                              emit=lambda pushed: emit_json({**document, "push": pushed}))
