"""``gradedesk column add|edit|remove``: a teacher's own columns (a paper test, an offline
task), offline too."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

from gradedesk import bootstrap
from gradedesk.cli.output import emit_json, secrets_store
from gradedesk.domain import InputError, format_score, parse_timestamp
from gradedesk.store import Database, LineItemRow
from gradedesk.store import connections as connection_store
from gradedesk.sync.columns import (
    ColumnChanges,
    add_column,
    edit_column,
    removal_warning,
    remove_column,
)
from gradedesk.sync.read_model import find_line_item


def _when(text: str | None, flag: str) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_timestamp(text.strip().replace("Z", "+00:00"))
    except InputError:
        raise InputError(f"{flag} {text!r} is not an ISO 8601 time with a time zone "
                         "(e.g. 2026-12-01T08:00:00Z).") from None


def _changes(args: argparse.Namespace) -> ColumnChanges:
    return ColumnChanges(label=args.label, points=args.points, tag=args.tag,
                         start=_when(args.start, "--start"), end=_when(args.end, "--end"))


def _column_json(connection: str, row: LineItemRow, **extra: Any) -> dict[str, Any]:
    return {"connection": connection, "id": None if row.pending_create else row.url,
            "short_id": row.short_id, "label": row.label, "score_maximum": row.score_maximum,
            "resource_id": row.resource_id, "on_platform": not row.pending_create, **extra}


def column_add(args: argparse.Namespace, db: Database) -> int:
    connection = connection_store.require_connection(db, args.name)
    changes = _changes(args)
    if args.offline:
        added = add_column(db, connection, changes, engine=None)
    else:
        with bootstrap.engine_for(db, secrets_store(), connection.name) as engine:
            added = add_column(db, connection, changes, engine=engine)
    row = added.row
    if args.json:
        emit_json(_column_json(connection.name, row))
    elif added.on_platform:
        print(f"Created {row.label!r} (out of {format_score(row.score_maximum)}): "
              f"id {row.short_id}, {row.url}")
    else:
        why = f" ({added.offline_reason})" if added.offline_reason else ""
        print(f"Saved {row.label!r} (out of {format_score(row.score_maximum)}) on this computer as "
              f"{row.short_id}{why}; grade in it now, and `gradedesk push {connection.name}` "
              "creates it on the platform, then sends its grades.")
    return 0


def column_edit(args: argparse.Namespace, db: Database) -> int:
    connection = connection_store.require_connection(db, args.name)
    row = find_line_item(db, connection, args.line_item)
    changes = _changes(args)
    if changes == ColumnChanges():
        raise InputError("Nothing to change: give --label, --points, --tag, --start or --end.")
    if row.pending_create:
        updated = edit_column(db, connection, row, changes, platform=None)
    else:
        with bootstrap.platform_for(connection, secrets_store()) as platform:
            updated = edit_column(db, connection, row, changes, platform=platform)
    if args.json:
        emit_json(_column_json(connection.name, updated))
    else:
        print(f"{updated.short_id}: {updated.label!r}, out of {format_score(updated.score_maximum)}"
              + ("" if updated.pending_create else " (changed on the platform)"))
    return 0


def column_remove(args: argparse.Namespace, db: Database) -> int:
    connection = connection_store.require_connection(db, args.name)
    row = find_line_item(db, connection, args.line_item)
    profile = bootstrap.profile_for(connection)
    warning = removal_warning(db, row, profile)
    if not args.yes and sys.stdin.isatty():
        answer = input(f"{warning}\nRemove {row.label!r}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing removed.")
            return 1
    if row.pending_create:
        dropped = remove_column(db, connection, row, platform=None, profile=profile)
    else:
        with bootstrap.platform_for(connection, secrets_store()) as platform:
            dropped = remove_column(db, connection, row, platform=platform, profile=profile)
    print(f"Removed {row.label!r}" + (f" and {dropped} local draft(s)" if dropped else "")
          + ".")
    return 0
