"""The handlers behind ``gradedesk connection|show|grade|status|conflicts|history|...``, and the
dispatch to the rest (``sync_commands``: pull and push; ``csv_commands``: export and import;
``setup_commands``, ``column_commands``), each imported only when its command runs.

Each prints for people by default and, with ``--json``, one JSON document on stdout whose
shape is documented in the README and kept stable. Exit status: 0 on success, 1 on an error
or when a push leaves conflicts or failures, 130 when cancelled.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gradedesk.cli.output import emit_json, secrets_store, warn
from gradedesk.domain import (
    ContentItem,
    InputError,
    format_score,
    is_above_maximum,
    parse_score_input,
)
from gradedesk.domain.progress_values import ActivityProgress, GradingProgress
from gradedesk.logs import configure_logging
from gradedesk.paths import data_dir, log_dir
from gradedesk.store import (
    ConnectionRow,
    Database,
    DraftRow,
    LineItemRow,
    MemberRow,
    SyncState,
    open_database,
)
from gradedesk.store import connections as connection_store

if TYPE_CHECKING:
    from gradedesk.sync.summaries import NamedAuditLine

Handler = Callable[[argparse.Namespace, Database], int]

# The commands that only read or write the local database. They get no log file (they log
# nothing worth keeping, and the rotating file handler costs each of them a few imports)
# unless --verbose asks for detail; every other command (pull, push, connection
# add/test/check/..., column, resolve) logs to gradedesk.log in the log folder (paths.log_dir).
LOCAL_COMMANDS = frozenset({"show", "grade", "status", "conflicts", "history", "discard",
                            "export", "import", "connection list", "proposals", "accept",
                            "reject", "hold", "rubric", "split", "progress", "late",
                            "missing"})


def run_command(args: argparse.Namespace) -> int:
    """Open the store for the chosen data folder and run one command. Each command's module
    is imported only when that command runs (see ``_handler``)."""
    if args.command == "doctor":
        # Before the store opens: the doctor reports on the data folder and database without
        # creating or changing them, and runs whatever state they (or the keyring) are in.
        from gradedesk.cli.doctor import run_doctor

        return run_doctor(args)
    folder = data_dir(getattr(args, "data_dir", None))
    db = open_database(folder)
    # Warnings go to stderr, redacted, for every command; the log file only where needed.
    verbose = bool(getattr(args, "verbose", False))
    local = _command_name(args) in LOCAL_COMMANDS and not verbose
    configure_logging(None if local else log_dir(folder), verbose=verbose)
    try:
        return _handler(args)(args, db)
    finally:
        db.close()


def _command_name(args: argparse.Namespace) -> str:
    action = getattr(args, "action", None) if args.command == "connection" else None
    return f"{args.command} {action}" if action else str(args.command)


def _handler(args: argparse.Namespace) -> Handler:
    if args.command == "connection":
        return _connection_handler(args.action)
    if args.command == "column":
        return _column_handlers()[args.column_action]
    if args.command in ("pull", "push"):
        from gradedesk.cli import sync_commands

        return {"pull": sync_commands.pull, "push": sync_commands.push}[args.command]
    if args.command in ("export", "import"):
        from gradedesk.cli import csv_commands

        return {"export": csv_commands.export, "import": csv_commands.import_csv}[args.command]
    if args.command in ("proposals", "accept", "reject"):
        from gradedesk.cli import proposal_commands

        return {"proposals": proposal_commands.show_proposals,
                "accept": proposal_commands.accept,
                "reject": proposal_commands.reject}[args.command]
    if args.command in ("hold", "release"):
        from gradedesk.cli import hold_commands

        return {"hold": hold_commands.hold, "release": hold_commands.release}[args.command]
    if args.command in ("split", "progress"):
        from gradedesk.cli import team_commands

        return {"split": team_commands.split, "progress": team_commands.progress}[args.command]
    if args.command == "rubric":
        from gradedesk.cli import rubric_commands

        return rubric_commands.HANDLERS[args.rubric_action]
    if args.command in ("late", "missing"):
        from gradedesk.cli import late_commands

        return {"late": late_commands.late, "missing": late_commands.missing}[args.command]
    return _HANDLERS[args.command]


# --- output -----------------------------------------------------------------------------------


def _number(value: float | None) -> str:
    return format_score(value)


# --- connection -------------------------------------------------------------------------------


def _connection_json(row: ConnectionRow) -> dict[str, Any]:
    return {"name": row.name, "kind": row.kind.value, "settings": dict(row.settings),
            "created_at": row.created_at}


def connection_list(args: argparse.Namespace, db: Database) -> int:
    rows = connection_store.list_connections(db)
    if args.json:
        emit_json({"connections": [_connection_json(row) for row in rows]})
        return 0
    if not rows:
        print("No connections yet. Add one with `gradedesk connection add NAME --lti ...`.")
    for row in rows:
        where = row.settings.get("lineitems_url") or row.settings.get("url") or ""
        badge = " [sandbox]" if connection_store.is_sandbox(row) else ""
        print(f"{row.name}\t{row.kind.value}\t{where}{badge}")
    return 0


def connection_remove(args: argparse.Namespace, db: Database) -> int:
    from gradedesk import bootstrap
    if not bootstrap.remove_connection(db, secrets_store(), args.name):
        raise InputError(f"No connection named {args.name!r}.")
    print(f"Removed {args.name!r}, its local data and its keyring secrets.")
    return 0


def connection_test(args: argparse.Namespace, db: Database) -> int:
    from gradedesk import bootstrap
    connection = connection_store.require_connection(db, args.name)
    with bootstrap.platform_for(connection, secrets_store()) as platform:
        items = platform.list_line_items()
        roster = platform.list_members()
    verdict = {"connection": connection.name, "ok": True, "line_items": len(items),
               "members": len(roster.members), "learners": len(roster.learners)}
    if args.json:
        emit_json(verdict)
    else:
        print(f"{connection.name}: OK — {len(items)} line items, {len(roster.learners)} "
              f"students visible.")
    return 0


def connection_jwks(args: argparse.Namespace, db: Database) -> int:
    from gradedesk.platforms.keys import load_private_key, public_jwk
    from gradedesk.secrets import SecretKind

    connection = connection_store.require_connection(db, args.name)
    if connection.kind.value != "lti":
        raise InputError(f"{connection.name!r} is an LTIAAS connection; it has no tool key.")
    pem = secrets_store().get(connection.name, SecretKind.PRIVATE_KEY)
    kid = connection.settings.get("key_id")
    emit_json({"keys": [public_jwk(load_private_key(pem.encode("ascii")), kid=kid)]})
    return 0


# --- show, grade ----------------------------------------------------------------------------


def show(args: argparse.Namespace, db: Database) -> int:
    connection = connection_store.require_connection(db, args.name)
    if args.line_item is None:
        if args.mine or args.grader is not None:
            raise InputError("--mine and --grader list one column's students: add "
                             "--line-item ID.")
        return _show_line_items(args, db, connection)
    from gradedesk.sync.read_model import find_line_item, student_cells

    item = find_line_item(db, connection, args.line_item)
    cells = [cell for cell in student_cells(db, connection, item)
             if not args.pending_manual or cell.needs_grading]
    grader = None
    if args.mine or args.grader is not None:  # one grader's students in the split
        from gradedesk.cli.team_commands import grader_cells

        grader, cells = grader_cells(args, db, connection, item, cells)
    if args.json:
        emit_json({"connection": connection.name, "line_item": {
            "id": item.url, "short_id": item.short_id, "label": item.label,
            "score_maximum": item.score_maximum},
            "students": [cell.to_json() for cell in cells],
            **({"grader": grader} if grader is not None else {})})
        return 0
    print(f"{item.label} ({item.short_id}), out of {_number(item.score_maximum)}"
          + (" — waiting for a manual grade" if args.pending_manual else "")
          + (f" — {grader}'s students" if grader is not None else ""))
    width = max((len(cell.member.sort_name) for cell in cells), default=10)
    for cell in cells:
        row, member = cell.row, cell.member
        comment = (row.shown_comment or "").replace("\n", " ")
        if len(comment) > 40:
            comment = comment[:39] + "…"
        state = "" if row.state is SyncState.CLEAN else f"[{row.state.value}]"
        print(f"  {member.sort_name:<{width}}  {_number(row.shown_score):>6}  {state:<12} "
              f"{member.user_id}  {comment}".rstrip())
    return 0


def _show_line_items(args: argparse.Namespace, db: Database, connection: ConnectionRow) -> int:
    from gradedesk.sync.overview import line_item_summaries, names_available

    summaries = line_item_summaries(db, connection)
    if args.json:
        emit_json({"connection": connection.name,
                   "line_items": [summary.to_json() for summary in summaries]})
        return 0
    if not summaries:
        print(f"No line items; run `gradedesk pull {connection.name}`.")
    for summary in summaries:
        item = summary.row
        print(f"  {item.short_id:>6}  {item.label:<32} out of "
              f"{_number(item.score_maximum):>5}  {summary.graded:>4}/{summary.students} "
              f"graded  {summary.needs_grading:>3} to review  {summary.drafts:>3} local"
              + ("" if not item.pending_create else "  (not on the platform yet: push "
                 "creates it)"))
    if not names_available(db, connection.id):
        print("Names are unavailable on this platform (no Names and Roles service): students "
              "are shown by user id.")
    return 0


def _member_for_grading(db: Database, connection: ConnectionRow, wanted: str) -> MemberRow:
    """The student to grade: from the roster, or a user id the roster does not list (a
    platform without Names and Roles, a student added since the last pull), with a warning."""
    from gradedesk.store import snapshots
    from gradedesk.sync.lookup import find_member

    try:
        found = find_member(db, connection, wanted)
    except InputError:
        text = wanted.strip()
        if not text or any(character.isspace() or character in ",@" for character in text):
            raise  # a name or an email: a typo, not an id
    else:
        if not found.is_learner:
            raise InputError(f"{found.sort_name} is not a student of {connection.name!r} (the "
                             "roster gives them another role); the platform refuses grades "
                             "for them.")
        return found
    warn(f"{text!r} is not on {connection.name!r}'s roster; the grade is kept for that user id "
         "and the platform says at push whether it knows them.")
    return snapshots.add_typed_member(db, connection.id, text)


def grade(args: argparse.Namespace, db: Database) -> int:
    from gradedesk.store import drafts
    from gradedesk.sync.grading import save_grade
    from gradedesk.sync.lookup import find_line_item

    connection = connection_store.require_connection(db, args.name)
    item = find_line_item(db, connection, args.line_item)
    if args.rubric is not None:  # its levels are checked before a typed user id is kept
        from gradedesk.cli.rubric_commands import grade_by_rubric

        return grade_by_rubric(args, db, connection, item,
                               lambda: _member_for_grading(db, connection, args.user))
    member = _member_for_grading(db, connection, args.user)
    changes: dict[str, Any] = {}
    if args.score is not None:
        changes["score_given"] = parse_score_input(args.score)
    if args.comment is not None:
        changes["comment"] = args.comment
    changes.update(progress_and_files(args))
    if not changes:
        raise InputError("Nothing to change: give --score, --comment, a progress value or "
                         "--attach.")
    warn_if_score_dropped(args, connection, changes)
    draft = save_grade(db, connection, item.url, member.user_id, drafts.DraftEdit(**changes))
    said = (f"score {_number(draft.score_given) or '(none)'}"
            + (f", {len(draft.attachments)} file(s)" if draft.attachments else ""))
    report_grade(args, connection, item, member, draft, said)
    return 0


def progress_and_files(args: argparse.Namespace) -> dict[str, Any]:
    """The changes of ``grade``'s progress and --attach flags, as DraftEdit fields."""
    changes: dict[str, Any] = {}
    if args.grading_progress:
        changes["grading_progress"] = GradingProgress(args.grading_progress)
    if args.activity_progress:
        changes["activity_progress"] = ActivityProgress(args.activity_progress)
    if args.attach:
        changes["add_attachments"] = tuple(ContentItem.for_file(url) for url in args.attach)
    return changes


def warn_if_score_dropped(args: argparse.Namespace, connection: ConnectionRow,
                          changes: dict[str, Any]) -> None:
    """Warn when the platform will drop this score (Moodle keeps one only when FullyGraded)."""
    from gradedesk.sync.grading import profile_for

    profile = profile_for(connection)
    if profile is not None and profile.score_needs_fully_graded and \
            changes.get("score_given") is not None and \
            changes.get("grading_progress", GradingProgress.FULLY_GRADED) \
            is not GradingProgress.FULLY_GRADED:
        warn(f"{profile.title} keeps a score only when its grading progress is FullyGraded; "
             f"sent as {args.grading_progress}, the score "
             f"{_number(changes['score_given'])} will be dropped by the platform. Queued "
             "anyway; grade again with --grading-progress FullyGraded to send the score.")


def report_grade(args: argparse.Namespace, connection: ConnectionRow, item: LineItemRow,
                 member: MemberRow, draft: DraftRow, said: str,
                 **more_json: Any) -> None:
    """What ``grade`` prints once a grade is saved: an extra-credit warning, then the JSON
    document (with ``more_json``) or a line saying ``said`` for the student."""
    if is_above_maximum(draft.score_given, item.score_maximum):
        warn(f"{format_score(draft.score_given)} is above the maximum of {item.label} "
             f"({format_score(item.score_maximum)}): kept as extra credit.")
    if args.json:
        emit_json({"connection": connection.name, "line_item": item.url,
                   "user_id": member.user_id, "score": draft.score_given,
                   "comment": draft.comment, "grading_progress": draft.grading_progress.value,
                   "attachments": [i.url for i in draft.attachments], "state": "queued",
                   **more_json})
    else:
        print(f"Saved for {member.sort_name} in {item.label}: {said}. Queued; `gradedesk "
              "push` sends it.")


def discard(args: argparse.Namespace, db: Database) -> int:
    from gradedesk.store import drafts
    from gradedesk.sync.lookup import find_line_item, find_member

    connection = connection_store.require_connection(db, args.name)
    item = find_line_item(db, connection, args.line_item) if args.line_item else None
    member = find_member(db, connection, args.user) if args.user else None
    chosen = [draft for draft in drafts.list_drafts(db, connection.id,
                                                    item.url if item else None)
              if member is None or draft.user_id == member.user_id]
    dropped, busy = [], 0
    for draft in chosen:
        try:
            if drafts.discard_draft(db, connection.id, draft.line_item_url, draft.user_id):
                dropped.append(draft)
        except InputError:
            busy += 1  # being sent right now: its fate is the push's to decide
    if args.json:
        emit_json({"connection": connection.name, "discarded": [
            {"line_item": d.line_item_url, "user_id": d.user_id} for d in dropped],
            "in_flight": busy})
    else:
        print(f"Discarded {len(dropped)} local change(s); the platform's grades stay as they "
              "are." + (f" {busy} being sent right now were left alone." if busy else ""))
    return 0


# --- status, conflicts ----------------------------------------------------------------------


def status(args: argparse.Namespace, db: Database) -> int:
    from gradedesk.sync.read_model import status_of

    rows = ([connection_store.require_connection(db, args.name)] if args.name
            else connection_store.list_connections(db))
    reports = [status_of(db, row) for row in rows]
    if args.json:
        emit_json({"connections": reports})
        return 0
    if not reports:
        print("No connections yet.")
    for report in reports:
        jobs_line = report["progress_jobs"]
        badge = " [sandbox]" if report["sandbox"] else ""
        print(f"{report['connection']}{badge}: {report['drafts']} drafts, {report['queued']} "
              f"queued, {report['sending']} sending, {report['conflicts']} conflicts, "
              f"{report['failed']} failed, {report['refused']} refused; files: "
              f"{jobs_line['open']} uploading, "
              f"{jobs_line['completed']} attached, {jobs_line['failed']} failed"
              + (f"; {report['proposals']} proposed grade(s) to review"
                 if report["proposals"] else ""))
        for held in report["held_line_items"]:
            print(f"  held: {held['label']} ({held['short_id']}): {held['queued']} queued "
                  f"grade(s) not sent until `gradedesk release {report['connection']} "
                  f"--line-item {held['short_id']}`")
    return 0


def conflicts(args: argparse.Namespace, db: Database) -> int:
    from gradedesk.sync.read_model import conflicts_of

    connection = connection_store.require_connection(db, args.name)
    views = conflicts_of(db, connection)
    if args.json:
        emit_json({"connection": connection.name,
                   "conflicts": [view.to_json() for view in views]})
        return 0
    if not views:
        print("No conflicts.")
    for view in views:
        print(f"{view.student} in {view.line_item_label}:")
        print(f"  mine:   {_number(view.mine_score) or '(none)'}  {view.mine_comment or ''}")
        print(f"  theirs: {_number(view.theirs_score) or '(none)'}  {view.theirs_comment or ''}")
    return 0


def history(args: argparse.Namespace, db: Database) -> int:
    from gradedesk.sync.lookup import find_line_item, find_member
    from gradedesk.sync.summaries import named_history

    connection = connection_store.require_connection(db, args.name)
    item = find_line_item(db, connection, args.line_item) if args.line_item else None
    member = find_member(db, connection, args.user) if args.user else None
    if args.limit < 1:
        raise InputError("--limit must be at least 1.")
    named = named_history(db, connection, line_item_url=item.url if item else None,
                          user_id=member.user_id if member else None, limit=args.limit)
    if args.json:
        emit_json({"connection": connection.name,
                   "entries": [_history_json(line) for line in named]})
        return 0
    if not named:
        print("Nothing has been sent yet.")
    for line in named:
        entry = line.entry
        where = " in ".join(part for part in (line.student, line.line_item) if part)
        status = f" (HTTP {entry.reply_status})" if entry.reply_status and \
            f"(HTTP {entry.reply_status})" not in entry.summary else ""
        # Local time: when it happened by the grader's clock (--json keeps UTC).
        print(f"{entry.at.astimezone():%Y-%m-%d %H:%M:%S}  {entry.grader:<10} "
              f"{entry.action:<15} " + (f"{where}  " if where else "")
              + f"{entry.summary}{status}")
    return 0


def _history_json(line: NamedAuditLine) -> dict[str, Any]:
    entry = line.entry
    return {"at": entry.at, "grader": entry.grader, "os_user": entry.os_user,
            "line_item": entry.line_item_url, "user_id": entry.user_id,
            "action": entry.action, "summary": entry.summary,
            "reply_status": entry.reply_status,
            # Added to the documented shape: the names for the two ids (null when none).
            "student": line.student or None, "line_item_label": line.line_item or None}


def resolve(args: argparse.Namespace, db: Database) -> int:
    from gradedesk.sync.engine import Resolution, resolve_conflicts
    from gradedesk.sync.read_model import conflicts_of, find_line_item, find_member

    connection = connection_store.require_connection(db, args.name)
    item = find_line_item(db, connection, args.line_item) if args.line_item else None
    member = find_member(db, connection, args.user) if args.user else None
    chosen = [view for view in conflicts_of(db, connection)
              if (item is None or view.line_item_url == item.url)
              and (member is None or view.user_id == member.user_id)]
    if not chosen:
        raise InputError("No conflict matches; `gradedesk conflicts "
                         f"{connection.name}` lists them.")
    settled = resolve_conflicts(db, connection, Resolution(args.choice),
                                entry_ids=[view.outbox_id for view in chosen])
    if args.json:
        emit_json({"connection": connection.name, "choice": args.choice,
                   "resolved": [view.to_json() for view in chosen
                                if view.outbox_id in settled]})
    else:
        for view in chosen:
            print(f"  {view.student} in {view.line_item_label}: {args.choice}")
        print(f"{len(settled)} conflict(s) settled; `gradedesk push {connection.name}` sends "
              "what is left to send.")
    return 0


_HANDLERS: dict[str, Handler] = {
    "show": show, "grade": grade, "status": status, "conflicts": conflicts,
    "resolve": resolve, "history": history, "discard": discard,
}


def _connection_handler(action: str) -> Handler:
    light: dict[str, Handler] = {"list": connection_list, "remove": connection_remove,
                                 "test": connection_test, "jwks": connection_jwks}
    if action in light:
        return light[action]
    # Imported when used: setting up a connection loads the platform clients, listing does not.
    from gradedesk.cli import setup_commands

    return {"add": setup_commands.connection_add, "config": setup_commands.connection_config,
            "check": setup_commands.connection_check,
            "set": setup_commands.connection_set}[action]


def _column_handlers() -> dict[str, Handler]:
    from gradedesk.cli import column_commands

    return {"add": column_commands.column_add, "edit": column_commands.column_edit,
            "remove": column_commands.column_remove}
