"""``gradedesk split`` and ``gradedesk progress``: the students split among graders (the same
on every TA's computer for the same roster, graders and seed, or a teacher's file), and each
grader's progress; and the filter behind ``show --mine --grader NAME``. Local: no network."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gradedesk.cli.output import emit_json, warn
from gradedesk.domain import InputError
from gradedesk.domain.grader_split import SplitMode, find_grader
from gradedesk.store import ConnectionRow, Database, snapshots
from gradedesk.store import connections as connection_store
from gradedesk.store import grader_split as split_store
from gradedesk.store.grader_split import StoredSplit
from gradedesk.store.rows import LineItemRow
from gradedesk.sync.lookup import find_line_item
from gradedesk.sync.read_model import StudentCell
from gradedesk.sync.team_progress import ColumnProgress, GraderTally, Tally, team_progress
from gradedesk.sync.team_split import (
    grader_share,
    load_split,
    make_split,
    read_split_file,
    split_file_document,
    write_split_file,
)

# How many names a warning lists before "and N more".
_NAMES_SHOWN = 8


def split(args: argparse.Namespace, db: Database) -> int:
    connection = connection_store.require_connection(db, args.name)
    making = args.line_item is not None or args.all
    options = [flag for flag, value in (("--graders", args.graders), ("--by", args.by),
                                        ("--seed", args.seed), ("--out", args.out))
               if value is not None]
    if args.load is not None:
        if options:
            raise InputError(f"--load takes the split from the file; {', '.join(options)} "
                             "make a new one (leave out --load, or the other flags).")
        return _load(args, db, connection)
    if making:
        if args.graders is None:
            raise InputError("Name the graders: --graders \"Ana,Ben,Chi\".")
        return _make(args, db, connection)
    if options:
        raise InputError("Say whose students to split: --line-item ID (one column) or --all "
                         "(every column).")
    if args.grader is not None:
        return _remember(args, db, connection)
    return _list(args, db, connection)


def _make(args: argparse.Namespace, db: Database, connection: ConnectionRow) -> int:
    item = None if args.all else find_line_item(db, connection, args.line_item)
    stored = make_split(db, connection, item, args.graders, args.by or SplitMode.BALANCED,
                        args.seed if args.seed is not None else 0)
    me = _remember_from(args, db, connection, stored)
    if args.out is not None:
        write_split_file(split_file_document(db, connection, stored), Path(args.out))
    _report_split(args, db, connection, stored, item, me)
    return 0


def _load(args: argparse.Namespace, db: Database, connection: ConnectionRow) -> int:
    loaded = load_split(db, connection, read_split_file(Path(args.load)))
    me = _remember_from(args, db, connection, loaded.stored)
    if loaded.unknown:
        warn(f"{len(loaded.unknown)} student(s) of the file are not on {connection.name!r}'s "
             f"roster here: {_listed(loaded.unknown)}. Kept: a pull may bring them (or they "
             "left the course).")
    if loaded.missing:
        warn(f"{len(loaded.missing)} student(s) of the roster are in no grader's list: "
             + _listed([f"{m.sort_name} ({m.user_id})" for m in loaded.missing])
             + ". Add them to the file and load it again.")
    _report_split(args, db, connection, loaded.stored, loaded.line_item, me,
                  unknown=loaded.unknown, missing=[m.user_id for m in loaded.missing])
    return 0


def _remember_from(args: argparse.Namespace, db: Database, connection: ConnectionRow,
                   stored: StoredSplit) -> str | None:
    """--grader with a split: remember who grades here (one of its graders)."""
    if args.grader is None:
        return split_store.identity(db, connection.id)
    me = stored.split.find_grader(args.grader)
    split_store.set_identity(db, connection.id, me)
    return me


def _remember(args: argparse.Namespace, db: Database, connection: ConnectionRow) -> int:
    """``split NAME --grader ME`` alone: remember who grades on this computer."""
    graders = [g for stored in split_store.list_splits(db, connection.id)
               for g in stored.split.graders]
    me = find_grader(args.grader, list(dict.fromkeys(graders))) if graders \
        else args.grader.strip()
    split_store.set_identity(db, connection.id, me)
    if args.json:
        emit_json({"connection": connection.name, "me": split_store.identity(db, connection.id)})
    else:
        print(f"You are {me} on {connection.name}: `show --mine` and the window's grids "
              "default to your students." + ("" if graders else " (No split yet: make or "
                                              "load one.)"))
    return 0


def _report_split(args: argparse.Namespace, db: Database, connection: ConnectionRow,
                  stored: StoredSplit, item: LineItemRow | None, me: str | None, *,
                  unknown: Sequence[str] = (), missing: Sequence[str] = ()) -> None:
    split_value = stored.split
    members = {m.user_id: m for m in snapshots.list_members(db, connection.id,
                                                            include_missing=True)}
    where = "every column" if item is None else f"{item.label} ({item.short_id})"
    if args.json:
        emit_json({
            "connection": connection.name, "line_item": _item_json(item),
            "graders": list(split_value.graders), "mode": split_value.mode,
            "seed": split_value.seed, "source": stored.source, "digest": split_value.digest,
            "students": split_value.size, "me": me, "out": args.out,
            "assignments": {g: list(split_value.students_of(g)) for g in split_value.graders},
            "per_grader": [_grader_json(g, split_value.students_of(g), members)
                           for g in split_value.graders],
            "unknown": list(unknown), "missing": list(missing)})
        return
    how = "from the file" if stored.source == "file" else _how(split_value.mode,
                                                               split_value.seed)
    print(f"{split_value.size} students of {where} among {len(split_value.graders)} "
          f"grader(s), {how}:")
    width = max(len(g) for g in split_value.graders) + (6 if me else 0)
    for grader in split_value.graders:
        ids = split_value.students_of(grader)
        label = f"{grader} (you)" if grader == me else grader
        detail = _detail(split_value.mode, ids, members)
        print(f"  {label:<{width}}  {len(ids):>4} students{detail}")
    print(f"Split {split_value.digest}: the same on every computer with the same roster, "
          "graders and seed.")
    if args.out:
        print(f"Wrote {args.out}: share it, and `gradedesk split {connection.name} --load "
              f"{Path(args.out).name}` stores it on another computer.")
    if item is None:
        own = [s for s in split_store.list_splits(db, connection.id) if not s.course_wide]
        if own:
            print(f"{len(own)} column(s) keep a split of their own (`gradedesk split "
                  f"{connection.name}` lists them).")
    shown = me if me in split_value.graders else split_value.graders[0]
    item_flag = f"--line-item {item.short_id}" if item is not None else "--line-item ID"
    print(f"`gradedesk show {connection.name} {item_flag} --mine --grader {shown}` lists "
          f"{shown}'s students; `gradedesk progress {connection.name}` shows everyone's.")


def _how(mode: str, seed: int) -> str:
    if mode == SplitMode.NAME:
        return "in alphabetical blocks"
    if mode == SplitMode.SECTION:
        return f"by section (seed {seed})"
    return f"balanced (seed {seed})"


def _detail(mode: str, ids: Sequence[str], members: dict[str, Any]) -> str:
    """What else says whose they are: a name mode's first and last, a section mode's
    sections."""
    known = [members[i] for i in ids if i in members]
    if not known:
        return ""
    if mode == SplitMode.NAME:
        return f"  {known[0].sort_name} … {known[-1].sort_name}"
    if mode == SplitMode.SECTION:
        sections = sorted({m.section or "no section" for m in known}, key=str.casefold)
        return "  " + ", ".join(sections)
    return ""


def _grader_json(grader: str, ids: Sequence[str], members: dict[str, Any]) -> dict[str, Any]:
    known = [members[i] for i in ids if i in members]
    return {"grader": grader, "students": len(ids),
            "first": known[0].sort_name if known else None,
            "last": known[-1].sort_name if known else None,
            "sections": sorted({m.section for m in known if m.section})}


def _item_json(item: LineItemRow | None) -> dict[str, Any] | str:
    if item is None:
        return "all"
    return {"id": item.url, "short_id": item.short_id, "label": item.label}


def _list(args: argparse.Namespace, db: Database, connection: ConnectionRow) -> int:
    """``split NAME`` alone: the stored splits and who grades here."""
    stored = split_store.list_splits(db, connection.id)
    me = split_store.identity(db, connection.id)
    labels = {i.url: i for i in snapshots.list_line_items(db, connection.id)}
    if args.json:
        emit_json({"connection": connection.name, "me": me, "splits": [
            {"line_item": _item_json(labels.get(s.line_item_url or "")) if s.line_item_url
             else "all", "graders": list(s.split.graders), "mode": s.split.mode,
             "seed": s.split.seed, "source": s.source, "digest": s.split.digest,
             "students": s.split.size, "made_at": s.made_at} for s in stored]})
        return 0
    if not stored:
        print(f"No split yet. `gradedesk split {connection.name} --all --graders "
              "\"Ana,Ben,Chi\"` makes one.")
    for s in stored:
        item = labels.get(s.line_item_url or "")
        where = "every column" if s.course_wide else \
            f"{item.label} ({item.short_id})" if item else str(s.line_item_url)
        print(f"  {where}: {', '.join(s.split.graders)} — {s.split.size} students, "
              f"{'from a file' if s.source == 'file' else _how(s.split.mode, s.split.seed)}, "
              f"split {s.split.digest}")
    print(f"You are {me}." if me else f"Who you are is not set: `gradedesk split "
          f"{connection.name} --grader NAME`.")
    return 0


def _listed(items: Sequence[str]) -> str:
    more = f" and {len(items) - _NAMES_SHOWN} more" if len(items) > _NAMES_SHOWN else ""
    return ", ".join(items[:_NAMES_SHOWN]) + more


# --- progress ----------------------------------------------------------------------------------


def progress(args: argparse.Namespace, db: Database) -> int:
    connection = connection_store.require_connection(db, args.name)
    item = find_line_item(db, connection, args.line_item) if args.line_item else None
    report = team_progress(db, connection, item)
    if args.json:
        emit_json(report.to_json())
        return 0
    for column in report.columns:
        _print_column(column)
    if item is None and len(report.columns) > 1:
        print(f"All {len(report.columns)} columns:")
        _print_table(report.graders, report.total)
    return 0


def _print_column(column: ColumnProgress) -> None:
    item, stored = column.line_item, column.split
    scope = "the course's split" if stored.course_wide else "its own split"
    print(f"{item.label} ({item.short_id}), {scope}:")
    _print_table(column.graders, column.total)
    if column.unassigned:
        print(f"  {column.unassigned} student(s) are in no grader's list (new since the "
              "split?): split again, or add them to the file and load it.")
    if column.off_roster:
        print(f"  {column.off_roster} student(s) of the split are not on the roster here "
              "(not pulled yet, or left the course): not counted.")


def _print_table(graders: Sequence[GraderTally], total: Tally) -> None:
    rows = [(f"{g.grader} (you)" if g.mine else g.grader, g.tally) for g in graders]
    rows.append(("Total", total))
    width = max(len("Grader"), *(len(name) for name, _ in rows))
    print(f"  {'Grader':<{width}}  Assigned  Graded  Drafted  Left")
    for name, tally in rows:
        print(f"  {name:<{width}}  {tally.assigned:>8}  {tally.graded:>6}  "
              f"{tally.drafted:>7}  {tally.left:>4}")


# --- show --mine --------------------------------------------------------------------------------


def grader_cells(args: argparse.Namespace, db: Database, connection: ConnectionRow,
                 item: LineItemRow, cells: list[StudentCell]) -> tuple[str, list[StudentCell]]:
    """``show --mine`` / ``--grader NAME``: the grader's name and their students' cells
    (--grader names whose; --mine alone means the grader remembered here)."""
    share = grader_share(db, connection, item, args.grader)
    return share.grader, [cell for cell in cells if cell.member.user_id in share.user_ids]
