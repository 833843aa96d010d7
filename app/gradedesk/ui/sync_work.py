"""The bodies of the network lane's jobs, as plain functions (no Qt): the presenter runs them
on the lane and turns their events and results into signals.

Threading contract: each runs on a worker thread; ``emit`` and ``token`` come from the job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from gradedesk import bootstrap
from gradedesk.domain import InputError
from gradedesk.store import ConnectionRow, jobs
from gradedesk.store import connections as connection_store
from gradedesk.sync.cancel import CancelToken
from gradedesk.sync.engine import EventSink, PullReport, PushReport, Resolution
from gradedesk.sync.events import EventKind, SyncEvent
from gradedesk.ui.context import AppContext

# Poll Progress right after a push for at most this long; later polls happen on the next push.
POLL_AFTER_PUSH_S = 60.0


def pull(context: AppContext, connection: ConnectionRow, emit: EventSink,
         token: CancelToken) -> PullReport:
    with bootstrap.engine_for(context.db, context.secrets, connection.name, on_event=emit,
                              cancel=token, grader=context.grader) as engine:
        return engine.pull()


def push(context: AppContext, connection: ConnectionRow, emit: EventSink,
         token: CancelToken) -> PushReport:
    """Push, then follow any file's Progress until it settles (or POLL_AFTER_PUSH_S)."""
    with bootstrap.engine_for(context.db, context.secrets, connection.name, on_event=emit,
                              cancel=token, grader=context.grader) as engine:
        report = engine.push()
        if not report.cancelled and jobs.open_jobs(context.db, connection.id):
            engine.poll(wait=True, timeout_s=POLL_AFTER_PUSH_S)
        return report


def resolve(context: AppContext, connection: ConnectionRow, resolution: Resolution,
            entry_ids: Iterable[int] | None, token: CancelToken) -> list[int]:
    with bootstrap.engine_for(context.db, context.secrets, connection.name, cancel=token,
                              grader=context.grader) as engine:
        return engine.resolve(resolution, entry_ids=entry_ids)


def start_sandbox(context: AppContext, emit: EventSink, token: CancelToken, *, seed: int,
                  students: int | None, line_items: int | None,
                  latency_ms: int) -> tuple[str, PullReport]:
    """Start the sandbox course (kept by the context, which stops it), connect and pull."""
    emit(SyncEvent(EventKind.STARTED, "sandbox", message="Starting the sandbox course"))
    sandbox, row = bootstrap.start_sandbox_connection(
        context.db, context.secrets, seed=seed, students=students, line_items=line_items,
        latency_ms=latency_ms)
    context.adopt_sandbox(row.name, sandbox)
    token.raise_if_cancelled()
    return row.name, pull(context, row, emit, token)


def check_connection(context: AppContext, name: str, token: CancelToken) -> str:
    row = connection_store.require_connection(context.db, name)
    with bootstrap.platform_for(row, context.secrets) as platform:
        items = platform.list_line_items()
        token.raise_if_cancelled()
        roster = platform.list_members()
    return f"Connected: {len(items)} line items, {len(roster.members)} people."


def add_lti_connection(context: AppContext, name: str, settings: Mapping[str, str | None], *,
                       private_key_file: Path | None,
                       generate_key: bool) -> bootstrap.NewConnection:
    """The PEM file is read here, once; only the keyring keeps the key afterwards."""
    pem = None
    if private_key_file is not None:
        try:
            pem = private_key_file.read_bytes()
        except OSError as error:
            raise InputError(f"Cannot read the key file {private_key_file}: "
                             f"{error.strerror or error}.") from None
    return bootstrap.add_lti_connection(context.db, context.secrets, name, settings,
                                        private_key_pem=pem, generate_key=generate_key)


def add_ltiaas_connection(context: AppContext, name: str, url: str, *, api_key: str,
                          service_key: str) -> bootstrap.NewConnection:
    return bootstrap.add_ltiaas_connection(context.db, context.secrets, name, url,
                                           api_key=api_key, service_key=service_key)
