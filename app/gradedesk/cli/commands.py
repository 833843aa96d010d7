"""The handlers behind ``gradedesk connection|pull|show|grade|push|status|conflicts|export|import``.

Each prints for people by default and, with ``--json``, one JSON document on stdout whose
shape is documented in the README and kept stable. Exit status: 0 on success, 1 on an error
or when a push leaves conflicts or failures, 130 when cancelled.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gradedesk.cli.output import emit_json, secrets_store, warn
from gradedesk.domain import (
    ContentItem,
    InputError,
    format_score,
    is_above_maximum,
    parse_score_input,
)
from gradedesk.domain.gradebook_csv import GradebookCsvError
from gradedesk.domain.progress_values import ActivityProgress, GradingProgress
from gradedesk.logs import configure_logging
from gradedesk.paths import data_dir, log_dir
from gradedesk.store import (
    ConnectionRow,
    Database,
    MemberRow,
    SyncState,
    drafts,
    open_database,
    snapshots,
)
from gradedesk.store import connections as connection_store
from gradedesk.sync.cancel import DEFAULT_TIME_LIMIT_S, CancelToken
from gradedesk.sync.events import EventKind, SyncEvent
from gradedesk.sync.gradebook_io import (
    apply_import,
    apply_sections,
    export_to_file,
    read_import_file,
)
from gradedesk.sync.read_model import (
    conflicts_of,
    find_line_item,
    find_member,
    line_item_summaries,
    names_available,
    status_of,
    student_cells,
)
from gradedesk.sync.summaries import NameBook, NamedAuditLine, named_history, summarize_push

Handler = Callable[[argparse.Namespace, Database], int]

# After a Ctrl-C, how long a request already on the wire may take before the process stops.
CANCEL_GRACE_S = 5.0
# A push lists who it confirmed by name, this many per line item, then "and N more".
PUSH_NAMES_LISTED = 20
# Summary sentences about grades that wait for the grader: each is printed with its reason.
PROBLEM_SENTENCES = ("Conflict:", "Failed:", "Refused:")


def run_command(args: argparse.Namespace) -> int:
    """Open the store for the chosen data folder and run one command."""
    folder = data_dir(getattr(args, "data_dir", None))
    db = open_database(folder)
    configure_logging(log_dir(folder))
    try:
        if args.command == "connection":
            handler = _connection_handler(args.action)
        elif args.command == "column":
            handler = _column_handlers()[args.column_action]
        else:
            handler = _HANDLERS[args.command]
        return handler(args, db)
    finally:
        db.close()


# --- output -----------------------------------------------------------------------------------


def _number(value: float | None) -> str:
    return format_score(value)


class ProgressPrinter:
    """Engine events as a one-line progress bar on a terminal, plain lines otherwise; never on
    stdout when stdout carries JSON."""

    def __init__(self, *, json_mode: bool, names: NameBook | None = None) -> None:
        self.out = sys.stderr
        self.tty = self.out.isatty()
        self.quiet = json_mode and not self.tty
        self._bar_open = False
        self.names = names  # a push names its conflicts and failures (else: the ids)

    def __call__(self, event: SyncEvent) -> None:
        if self.quiet and event.kind not in (EventKind.CONFLICT, EventKind.FAILED):
            return
        if event.kind is EventKind.FAILED and event.user_id is None and event.phase != "poll":
            return  # a whole run failed: its error is printed once, by the command
        if event.kind is EventKind.PROGRESS and event.total:
            if self.tty:
                width = 30
                filled = int(width * event.done / event.total)
                self.out.write(f"\r{event.phase:>6} [{'#' * filled}{'.' * (width - filled)}] "
                               f"{event.done}/{event.total}")
                self.out.flush()
                self._bar_open = True
            return
        if event.phase == "push" and event.kind in (EventKind.ITEM_DONE, EventKind.FINISHED):
            return  # the command's summary says it; a line per grade is noise
        self._end_bar()
        label = {EventKind.CONFLICT: "conflict", EventKind.FAILED: "failed"}.get(event.kind)
        if event.state == "mismatch":
            label = "differs"
        text = event.message or ""
        if label is not None:
            who = event.user_id or ""
            if who and self.names is not None:
                who = f"{self.names.cell(event.line_item_id, event.user_id)}:"
            print(" ".join(part for part in (f"{label}:", who, text) if part), file=self.out)
        elif text:
            print(text, file=self.out)

    def _end_bar(self) -> None:
        if self._bar_open:
            self.out.write("\n")
            self._bar_open = False


@contextmanager
def _cancel_on_sigint(time_limit_s: float | None = None) -> Iterator[CancelToken]:
    """Ctrl-C cancels the running job cleanly (queued grades stay queued). A request already
    on the wire is given a few seconds to finish; then, or at a second Ctrl-C, the process
    stops at once, which is as safe as any crash: the next push reads back what was sending."""
    token = CancelToken(time_limit_s=time_limit_s)
    previous = signal.getsignal(signal.SIGINT)
    stop_timer: list[threading.Timer] = []

    def stop_now() -> None:
        print("\ngradedesk: stopped; the next push checks what was under way.",
              file=sys.stderr, flush=True)
        os._exit(130)

    def handler(signum: int, frame: object) -> None:
        if token.cancelled:
            stop_now()
        print("\ngradedesk: cancelling (Ctrl-C again to stop at once)...", file=sys.stderr,
              flush=True)
        token.cancel()
        timer = threading.Timer(CANCEL_GRACE_S, stop_now)
        timer.daemon = True
        stop_timer.append(timer)
        timer.start()

    signal.signal(signal.SIGINT, handler)
    try:
        yield token
    finally:
        signal.signal(signal.SIGINT, previous)
        for timer in stop_timer:
            timer.cancel()


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


# --- pull, show, grade ------------------------------------------------------------------------


def pull(args: argparse.Namespace, db: Database) -> int:
    from gradedesk import bootstrap
    printer = ProgressPrinter(json_mode=args.json)
    with _cancel_on_sigint(_time_limit(args)) as cancel, bootstrap.engine_for(
            db, secrets_store(), args.name, on_event=printer, cancel=cancel) as engine:
        report = engine.pull()
    if not report.names_available:
        print("Note: this platform has no Names and Roles service, so names are unavailable; "
              "students are listed by user id (those with a grade on the platform).",
              file=sys.stderr)
    if args.json:
        emit_json({"connection": args.name, "line_items": report.line_items,
                   "members": report.members, "results": report.results,
                   "names_available": report.names_available,
                   "conflicts": [{"line_item": li, "user_id": u} for li, u in report.conflicts]})
    return 0


def show(args: argparse.Namespace, db: Database) -> int:
    connection = connection_store.require_connection(db, args.name)
    if args.line_item is None:
        return _show_line_items(args, db, connection)
    item = find_line_item(db, connection, args.line_item)
    cells = [cell for cell in student_cells(db, connection, item)
             if not args.pending_manual or cell.needs_grading]
    if args.json:
        emit_json({"connection": connection.name, "line_item": {
            "id": item.url, "short_id": item.short_id, "label": item.label,
            "score_maximum": item.score_maximum},
            "students": [cell.to_json() for cell in cells]})
        return 0
    print(f"{item.label} ({item.short_id}), out of {_number(item.score_maximum)}"
          + (" — waiting for a manual grade" if args.pending_manual else ""))
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
    from gradedesk.sync.grading import profile_for, save_grade
    connection = connection_store.require_connection(db, args.name)
    item = find_line_item(db, connection, args.line_item)
    member = _member_for_grading(db, connection, args.user)
    changes: dict[str, Any] = {}
    if args.score is not None:
        changes["score_given"] = parse_score_input(args.score)
    if args.comment is not None:
        changes["comment"] = args.comment
    if args.grading_progress:
        changes["grading_progress"] = GradingProgress(args.grading_progress)
    if args.activity_progress:
        changes["activity_progress"] = ActivityProgress(args.activity_progress)
    if args.attach:
        changes["add_attachments"] = tuple(ContentItem.for_file(url) for url in args.attach)
    if not changes:
        raise InputError("Nothing to change: give --score, --comment, a progress value or "
                         "--attach.")
    profile = profile_for(connection)
    if profile is not None and profile.score_needs_fully_graded and \
            changes.get("score_given") is not None and \
            changes.get("grading_progress", GradingProgress.FULLY_GRADED) \
            is not GradingProgress.FULLY_GRADED:
        warn(f"{profile.title} keeps a score only when its grading progress is FullyGraded; "
             f"sent as {args.grading_progress}, the score {args.score} will be dropped by the "
             "platform. Queued anyway; grade again with --grading-progress FullyGraded to send "
             "the score.")
    draft = save_grade(db, connection, item.url, member.user_id, drafts.DraftEdit(**changes))
    if is_above_maximum(draft.score_given, item.score_maximum):
        warn(f"{format_score(draft.score_given)} is above the maximum of {item.label} "
             f"({format_score(item.score_maximum)}): kept as extra credit.")
    if args.json:
        emit_json({"connection": connection.name, "line_item": item.url,
                   "user_id": member.user_id, "score": draft.score_given,
                   "comment": draft.comment, "grading_progress": draft.grading_progress.value,
                   "attachments": [i.url for i in draft.attachments], "state": "queued"})
    else:
        print(f"Saved for {member.sort_name} in {item.label}: score "
              f"{_number(draft.score_given) or '(none)'}"
              + (f", {len(draft.attachments)} file(s)" if draft.attachments else "")
              + ". Queued; `gradedesk push` sends it.")
    return 0


def discard(args: argparse.Namespace, db: Database) -> int:
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


# --- push, status, conflicts ------------------------------------------------------------------


def _time_limit(args: argparse.Namespace) -> float | None:
    limit = getattr(args, "time_limit", None)
    if limit is None:
        return DEFAULT_TIME_LIMIT_S
    return None if limit == 0 else float(limit)


def push(args: argparse.Namespace, db: Database) -> int:
    from gradedesk import bootstrap
    from gradedesk.sync.engine import PushOptions, Resolution
    # Names for the conflicts and failures the push reports as it goes.
    printer = ProgressPrinter(json_mode=args.json, names=NameBook.load(
        db, connection_store.require_connection(db, args.name)))
    options = PushOptions(prioritize_non_tool_grade=args.prioritize_non_tool_grade,
                          preserve_score=args.preserve_score)
    resolution = Resolution(args.resolve) if args.resolve else None
    resolved: list[int] = []
    with _cancel_on_sigint(_time_limit(args)) as cancel, bootstrap.engine_for(
            db, secrets_store(), args.name, on_event=printer, cancel=cancel) as engine:
        if resolution is not None:
            resolved += engine.resolve(resolution)
        report = engine.push(options)
        if resolution is not None and report.conflicts and not report.cancelled:
            # Conflicts found by this push: settle them as asked and send what is left.
            resolved += engine.resolve(resolution, entry_ids=report.conflicts)
            again = engine.push(options)
            report.confirmed += again.confirmed
            report.mismatched += again.mismatched
            report.failed += again.failed
            report.recovered += again.recovered
            report.conflicts = again.conflicts
            report.cancelled = again.cancelled
        open_jobs = 0
        if not args.no_wait and not report.cancelled:
            open_jobs = engine.poll(wait=True)
        connection = engine.connection
    status = status_of(db, connection)
    files_failed = status["progress_jobs"]["failed"]
    clean = report.clean and not files_failed
    # Named again after the push: a column it created has its platform id now.
    names = NameBook.load(db, connection)
    summary = summarize_push(db, connection, report, names)
    for waiting in status["outbox"]:
        waiting["student"] = names.student(waiting["user_id"])
        waiting["line_item_label"] = names.line_item(waiting["line_item"])
    if args.json:
        emit_json({"connection": connection.name, "confirmed": len(report.confirmed),
                   "mismatched": len(report.mismatched), "refused": status["refused"],
                   "conflicts": len(report.conflicts), "failed": len(report.failed),
                   "recovered": len(report.recovered), "resolved": len(resolved),
                   "cancelled": report.cancelled,
                   "time_limit_reached": report.time_limit is not None,
                   "progress_jobs_open": open_jobs,
                   "columns_created": len(report.columns_created),
                   "columns_failed": [{"label": f.label, "message": f.message}
                                      for f in report.columns_failed],
                   "files_failed": status["failed_files"],
                   "outbox": status["outbox"], "ok": clean,
                   "grades": [grade.to_json() for grade in summary.grades]})
    else:
        for url in report.columns_created:
            created = snapshots.get_line_item(db, connection.id, url)
            print(f"Created column {created.label if created else url!r}.")
        for failure in report.columns_failed:
            print(f"  column not created: {failure.label}: {failure.message} (its grades stay "
                  "queued)")
        print(summary.headline + (f", {len(resolved)} resolved" if resolved else "")
              + (f", {len(report.mismatched)} kept differently by the platform"
                 if report.mismatched else ""))
        for sentence in summary.sentences(listed=PUSH_NAMES_LISTED):
            if not sentence.startswith(PROBLEM_SENTENCES):  # those have a line each below
                print(f"  {sentence}")
        for entry in status["outbox"]:
            if entry["state"] in ("conflict", "failed", "refused"):
                print(f"  {entry['state']}: {entry['student']} in {entry['line_item_label']}: "
                      f"{entry['last_error'] or ''}".rstrip())
        for job in status["failed_files"]:
            print(f"  file failed: {job['file']}: {job['message']}")
        if report.conflicts:
            print(f"See them with `gradedesk conflicts {connection.name}`; settle with "
                  f"`gradedesk push {connection.name} --resolve mine|theirs|both`.")
    if report.time_limit is not None:
        print(f"Push stopped at its time limit of {report.time_limit.limit_text}. The grades "
              "not sent yet stay queued; push again to send them (--time-limit SECONDS allows "
              "longer).", file=sys.stderr)
        return 1
    if report.cancelled:
        print("Push cancelled; the grades not sent yet stay queued.", file=sys.stderr)
        return 130
    return 0 if clean else 1


def status(args: argparse.Namespace, db: Database) -> int:
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
              f"{jobs_line['completed']} attached, {jobs_line['failed']} failed")
    return 0


def conflicts(args: argparse.Namespace, db: Database) -> int:
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


# --- CSV ----------------------------------------------------------------------------------------


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
              f"{_number(change.old_score) or '(none)'} -> {_number(change.new_score)}")
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


_HANDLERS: dict[str, Handler] = {
    "pull": pull, "show": show, "grade": grade, "push": push, "status": status,
    "conflicts": conflicts, "resolve": resolve, "history": history, "export": export,
    "discard": discard,
    "import": import_csv,
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
