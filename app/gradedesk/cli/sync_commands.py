"""``gradedesk pull`` and ``gradedesk push``: the commands that talk to the platform, with
their progress line and Ctrl-C handling. Imported only when one of them runs, so the local
commands load none of this (nor the engine and HTTP stack these bring)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from gradedesk import bootstrap
from gradedesk.cli.output import emit_json, secrets_store
from gradedesk.store import Database, snapshots
from gradedesk.store import connections as connection_store
from gradedesk.sync.cancel import DEFAULT_TIME_LIMIT_S, CancelToken
from gradedesk.sync.engine import PushOptions, Resolution
from gradedesk.sync.events import EventKind, SyncEvent
from gradedesk.sync.read_model import status_of
from gradedesk.sync.summaries import NameBook, summarize_push

# After a Ctrl-C, how long a request already on the wire may take before the process stops.
CANCEL_GRACE_S = 5.0
# A push lists who it confirmed by name, this many per line item, then "and N more".
PUSH_NAMES_LISTED = 20
# Summary sentences about grades that wait for the grader: each is printed with its reason.
PROBLEM_SENTENCES = ("Conflict:", "Failed:", "Refused:")


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


def _time_limit(args: argparse.Namespace) -> float | None:
    limit = getattr(args, "time_limit", None)
    if limit is None:
        return DEFAULT_TIME_LIMIT_S
    return None if limit == 0 else float(limit)


def pull(args: argparse.Namespace, db: Database) -> int:
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


def push(args: argparse.Namespace, db: Database, *,
         emit: Callable[[dict[str, Any]], None] = emit_json) -> int:
    """``gradedesk push``; ``emit`` takes the --json document (``release`` puts it inside
    its own)."""
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
            report.held = again.held
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
        emit({"connection": connection.name, "confirmed": len(report.confirmed),
              "mismatched": len(report.mismatched), "refused": status["refused"],
              "conflicts": len(report.conflicts), "failed": len(report.failed),
              "recovered": len(report.recovered), "resolved": len(resolved),
              "cancelled": report.cancelled,
              "time_limit_reached": report.time_limit is not None,
              "progress_jobs_open": open_jobs,
              "columns_created": len(report.columns_created),
              "held": len(report.held),
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
        if report.held:
            print(f"Held columns keep their grades queued; `gradedesk release "
                  f"{connection.name} --line-item ID` sends a column's grades.")
        if status["proposals"]:
            print(f"{status['proposals']} proposed grade(s) wait for review and were not sent: "
                  f"`gradedesk proposals {connection.name}` lists them.")
    if report.time_limit is not None:
        print(f"Push stopped at its time limit of {report.time_limit.limit_text}. The grades "
              "not sent yet stay queued; push again to send them (--time-limit SECONDS allows "
              "longer).", file=sys.stderr)
        return 1
    if report.cancelled:
        print("Push cancelled; the grades not sent yet stay queued.", file=sys.stderr)
        return 130
    return 0 if clean else 1
