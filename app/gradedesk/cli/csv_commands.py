"""``gradedesk export`` and ``gradedesk import``: scores to and from a Canvas gradebook CSV.
Imported only when one of them runs (the CSV reader and writer are no other command's cost)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gradedesk.cli.output import emit_json
from gradedesk.domain import format_score
from gradedesk.domain.gradebook_csv import GradebookCsvError
from gradedesk.store import Database
from gradedesk.store import connections as connection_store
from gradedesk.sync.gradebook_io import (
    apply_import,
    apply_sections,
    export_to_file,
    read_import_file,
)
from gradedesk.sync.read_model import find_line_item


def export(args: argparse.Namespace, db: Database) -> int:
    connection = connection_store.require_connection(db, args.name)
    items = None if args.all else [find_line_item(db, connection, args.line_item)]
    target = Path(args.file).expanduser()
    count = export_to_file(db, connection, target, items)
    print(f"Wrote {count} students to {target}.", file=sys.stderr)
    return 0


def import_csv(args: argparse.Namespace, db: Database) -> int:
    connection = connection_store.require_connection(db, args.name)
    # The window's File > Import plans with the same function: both list the same changes.
    plan = read_import_file(db, connection, Path(args.file))
    if plan.problems:
        raise GradebookCsvError(plan.problems)
    changes = list(plan.changes)
    if args.json:
        applied = 0
        if not args.dry_run:
            applied = apply_import(db, connection, changes)
            apply_sections(db, connection, plan.sections)
        emit_json({"connection": connection.name, "dry_run": args.dry_run,
                   "changes": [change.to_json() for change in changes], "applied": applied,
                   "sections": [section.to_json() for section in plan.sections]})
        return 0
    for change in changes:
        print(f"  {change.student} in {change.line_item_label}: "
              f"{format_score(change.old_score) or '(none)'} -> {format_score(change.new_score)}")
    for section in plan.sections:
        print(f"  {section.student}: section {section.old_section or '(none)'} -> "
              f"{section.new_section}")
    sections_said = f", {len(plan.sections)} section(s)" if plan.sections else ""
    if args.dry_run:
        print(f"{len(changes)} change(s){sections_said} would be made (dry run: nothing "
              "changed).")
        return 0
    applied = apply_import(db, connection, changes)
    apply_sections(db, connection, plan.sections)
    print(f"{applied} change(s) saved as drafts; `gradedesk push {connection.name}` sends them."
          + (f" {len(plan.sections)} section(s) set." if plan.sections else ""))
    return 0
