"""The bodies of the network lane's jobs, as plain functions (no Qt): the presenter runs them
on the lane and turns their events and results into signals.

Threading contract: each runs on a worker thread; ``emit`` and ``token`` come from the job.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from gradedesk.domain import InputError
from gradedesk.platforms.profiles import PlatformKind
from gradedesk.store import ConnectionRow, LineItemRow, jobs, snapshots
from gradedesk.store import connections as connection_store
from gradedesk.sync import columns, read_model
from gradedesk.sync.cancel import CancelToken
from gradedesk.sync.events import EventKind, SyncEvent
from gradedesk.sync.grading import profile_for
from gradedesk.ui import setup_text
from gradedesk.ui.context import AppContext

if TYPE_CHECKING:
    from gradedesk.bootstrap import NewConnection
    from gradedesk.platforms import setup
    from gradedesk.platforms.check import CheckReport
    from gradedesk.sync.engine import EventSink, PullReport, PushReport, Resolution

# The wiring to platforms (``bootstrap``: the HTTP clients, keys and the keyring) is imported
# by the job that needs it, on its worker thread: the window paints before any of it loads.

# Poll Progress right after a push for at most this long; later polls happen on the next push.
POLL_AFTER_PUSH_S = 60.0


def pull(context: AppContext, connection: ConnectionRow, emit: EventSink,
         token: CancelToken) -> PullReport:
    from gradedesk import bootstrap

    with bootstrap.engine_for(context.db, context.secrets, connection.name, on_event=emit,
                              cancel=token, grader=context.grader) as engine:
        return engine.pull()


def push(context: AppContext, connection: ConnectionRow, emit: EventSink,
         token: CancelToken) -> PushReport:
    """Push, then follow any file's Progress until it settles (or POLL_AFTER_PUSH_S)."""
    from gradedesk import bootstrap

    with bootstrap.engine_for(context.db, context.secrets, connection.name, on_event=emit,
                              cancel=token, grader=context.grader) as engine:
        report = engine.push()
        if not report.cancelled and jobs.open_jobs(context.db, connection.id):
            engine.poll(wait=True, timeout_s=POLL_AFTER_PUSH_S)
        return report


def resolve(context: AppContext, connection: ConnectionRow, resolution: Resolution,
            entry_ids: Iterable[int] | None, token: CancelToken) -> list[int]:
    from gradedesk import bootstrap

    with bootstrap.engine_for(context.db, context.secrets, connection.name, cancel=token,
                              grader=context.grader) as engine:
        return engine.resolve(resolution, entry_ids=entry_ids)


@dataclass(frozen=True, slots=True)
class SandboxStart:
    """A sandbox course started (``report``: its first pull) or resumed as it was left
    (``report`` None: the data here is current, nothing was pulled)."""

    name: str
    report: PullReport | None


@dataclass(frozen=True, slots=True)
class SandboxOptions:
    """What the sandbox course kept in the data folder was made with."""

    seed: int
    students: int
    line_items: int


def start_sandbox(context: AppContext, emit: EventSink, token: CancelToken, *, seed: int,
                  students: int | None, line_items: int | None, latency_ms: int,
                  fresh: bool = True) -> SandboxStart:
    """Start the sandbox course (kept by the context, which stops it), connect and pull.
    Without ``fresh`` the course kept in the data folder is resumed, and not pulled: the
    database holds what it had when the window closed (the core starts over when it cannot
    resume; then it is pulled like a new one)."""
    from gradedesk import bootstrap

    emit(SyncEvent(EventKind.STARTED, "sandbox",
                   message="Starting the sandbox course" if fresh else
                   "Resuming the sample course"))
    before = None if fresh else connection_store.get_connection(
        context.db, bootstrap.SANDBOX_CONNECTION)
    context.stop_sandbox(bootstrap.SANDBOX_CONNECTION)  # one course folder, one writer
    sandbox, row = bootstrap.start_sandbox_connection(
        context.db, context.secrets, seed=seed, students=students, line_items=line_items,
        latency_ms=latency_ms, fresh=fresh)
    context.adopt_sandbox(row.name, sandbox)
    if before is not None and (before.id, before.created_at) == (row.id, row.created_at):
        return SandboxStart(row.name, None)  # the same connection (an id alone is reused)
    token.raise_if_cancelled()
    report = pull(context, row, emit, token)
    # Canvas's Names and Roles gives no sections; the sample course's gradebook CSV does, as
    # a teacher's export would.
    from gradedesk.sync.gradebook_io import import_sections

    import_sections(context.db, row, io.StringIO(sandbox.course_csv()))
    return SandboxStart(row.name, report)


def sandbox_to_resume(context: AppContext, row: ConnectionRow) -> SandboxOptions | None:
    """The options to resume the window's sandbox course with, or None when there is nothing
    to resume quietly: no course kept in the data folder (resuming would make a new one), or
    something answers on its port already (another GradeDesk window, a stand-alone sandbox).
    Store lane: a file read and a loopback connect."""
    from gradedesk import bootstrap

    port = urlsplit(str(row.settings.get("lineitems_url", ""))).port
    if not port or _port_answers(port):
        return None
    try:
        from gradedesk.sandbox.persist import saved_identity
    except ImportError:  # the sandbox's server stack is optional
        return None
    identity = saved_identity(bootstrap.sandbox_state_dir(context.db))
    if identity is None or identity.get("profile", "canvas") != "canvas":
        return None
    try:
        return SandboxOptions(int(identity["seed"]), int(identity["students"]),
                              int(identity["line_items"]))
    except (KeyError, TypeError, ValueError):
        return None


def _port_answers(port: int) -> bool:
    import socket  # here: the window starts without the socket module

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def unsent_grades(context: AppContext) -> dict[str, int]:
    """Grades not sent yet (queued, interrupted while sending, or failed and to be retried),
    per connection name; connections with none are left out. Grades of held columns are
    not counted: the grader keeps them back on purpose, and a push would not send them."""
    unsent: dict[str, int] = {}
    for connection in connection_store.list_connections(context.db):
        counts = read_model.status_counts(context.db, connection.id)
        count = counts.queued - counts.held + counts.sending + counts.failed
        if count:
            unsent[connection.name] = count
    return unsent


def remove_connection(context: AppContext, name: str) -> bool:
    """Forget a connection, its local data and its keyring secrets (store lane)."""
    from gradedesk import bootstrap

    return bootstrap.remove_connection(context.db, context.secrets, name)


def check_connection(context: AppContext, name: str, token: CancelToken) -> str:
    from gradedesk import bootstrap

    row = connection_store.require_connection(context.db, name)
    with bootstrap.platform_for(row, context.secrets) as platform:
        items = platform.list_line_items()
        token.raise_if_cancelled()
        roster = platform.list_members()
    return f"Connected: {len(items)} line items, {len(roster.members)} people."


def add_lti_connection(context: AppContext, name: str, settings: Mapping[str, str | None], *,
                       private_key_file: Path | None,
                       generate_key: bool) -> NewConnection:
    """The PEM file is read here, once; only the keyring keeps the key afterwards."""
    from gradedesk import bootstrap

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
                          service_key: str) -> NewConnection:
    from gradedesk import bootstrap

    return bootstrap.add_ltiaas_connection(context.db, context.secrets, name, url,
                                           api_key=api_key, service_key=service_key)


def check_setup(context: AppContext, name: str) -> CheckReport:
    """Every step from sign-in to one page of grades, each failure with its fix."""
    from gradedesk import bootstrap

    row = connection_store.require_connection(context.db, name)
    return bootstrap.check_connection(row, context.secrets, context.db)


def _fresh(context: AppContext, connection: ConnectionRow, row: LineItemRow) -> LineItemRow:
    """The column as stored now: a push may have created it since the grader picked it."""
    found = snapshots.get_line_item(context.db, connection.id, row.url)
    if found is None:
        found = next((item for item in snapshots.list_line_items(context.db, connection.id)
                      if item.id == row.id), None)
    if found is None:
        raise InputError(f"The column {row.label!r} is gone; pull to see the current columns.")
    return found


def add_column(context: AppContext, connection: ConnectionRow, changes: columns.ColumnChanges,
               token: CancelToken) -> columns.NewColumn:
    """Create a column on the platform now (kept here when the platform cannot be reached)."""
    from gradedesk import bootstrap

    with bootstrap.engine_for(context.db, context.secrets, connection.name, cancel=token,
                              grader=context.grader) as engine:
        return columns.add_column(context.db, connection, changes, engine=engine)


def _local_only(current: LineItemRow, network: bool) -> None:
    if not current.pending_create and not network:
        # Created by a push since the grader chose it: the store lane never calls the network.
        raise InputError(f"{current.label!r} is on the platform now; try again.")


def edit_column(context: AppContext, connection: ConnectionRow, row: LineItemRow,
                changes: columns.ColumnChanges, *, network: bool) -> LineItemRow:
    """Change a column: here while it is only local, else on the platform (``network``)."""
    from gradedesk import bootstrap

    current = _fresh(context, connection, row)
    _local_only(current, network)
    if current.pending_create:
        return columns.edit_column(context.db, connection, current, changes, platform=None,
                                   grader=context.grader)
    with bootstrap.platform_for(connection, context.secrets) as platform:
        return columns.edit_column(context.db, connection, current, changes,
                                   platform=platform, grader=context.grader)


def remove_column(context: AppContext, connection: ConnectionRow, row: LineItemRow, *,
                  network: bool) -> int:
    """Delete a column (on the platform too, unless it never got there); returns the number
    of local drafts that went with it."""
    from gradedesk import bootstrap

    current = _fresh(context, connection, row)
    _local_only(current, network)
    profile = profile_for(connection)
    if current.pending_create:
        return columns.remove_column(context.db, connection, current, platform=None,
                                     profile=profile, grader=context.grader)
    with bootstrap.platform_for(connection, context.secrets) as platform:
        return columns.remove_column(context.db, connection, current, platform=platform,
                                     profile=profile, grader=context.grader)


# --- the guided set-up (store lane: the keyring and the database, no network) ------------------


@dataclass(frozen=True, slots=True)
class CourseForm:
    """What the set-up's first step collected for a Canvas or Moodle course."""

    platform: PlatformKind
    name: str
    course_url: str
    client_id: str = ""
    type_id: str = ""  # Moodle: the external tool's id
    issuer: str = ""  # Canvas: only for a self-hosted instance


@dataclass(frozen=True, slots=True)
class FieldRefusal:
    """A typed value the core refused: which field (as CourseForm names it) and why."""

    field: str
    message: str


@dataclass(frozen=True, slots=True)
class AdminSetup:
    """What the set-up's second step shows for one connection (``kind`` None: LTIAAS, whose
    keys live in the LTIAAS portal: nothing to give an administrator)."""

    connection: ConnectionRow
    kind: PlatformKind | None
    text: str
    where: str
    needs_client_id: bool


def _derive(form: CourseForm) -> setup.DerivedSettings | FieldRefusal:
    """The connection's URLs from the course address, or the field the core refused. Each
    value is checked on its own first, so the message lands under the field it is about."""
    from gradedesk.platforms import PlatformConfigError, setup

    url = form.course_url
    try:
        if form.platform is PlatformKind.MOODLE:
            setup.moodle_settings(url, "1")  # the address alone; a type id comes next
        else:
            setup.canvas_settings(url)
    except PlatformConfigError as error:
        return FieldRefusal("course_url", error.user_message)
    try:
        if form.platform is PlatformKind.MOODLE:
            return setup.moodle_settings(url, form.type_id)
        return setup.canvas_settings(url, issuer=form.issuer.strip() or None)
    except PlatformConfigError as error:
        return FieldRefusal("type_id" if form.platform is PlatformKind.MOODLE else "issuer",
                            error.user_message)


def add_course(context: AppContext, form: CourseForm) -> AdminSetup | FieldRefusal:
    """Connect a course from its address (a key pair is made into the keyring), then read
    what its administrator pastes."""
    from gradedesk import bootstrap

    derived = _derive(form)
    if isinstance(derived, FieldRefusal):
        return derived
    added = bootstrap.add_course_connection(context.db, context.secrets, form.name, derived,
                                            client_id=form.client_id.strip() or None)
    return admin_setup(context, added.row.name)


def admin_setup(context: AppContext, name: str) -> AdminSetup:
    from gradedesk import bootstrap

    row = connection_store.require_connection(context.db, name)
    profile = profile_for(row)
    if profile is None:
        return AdminSetup(row, None, "", "", needs_client_id=False)
    document = bootstrap.admin_configuration(row, context.secrets)
    return AdminSetup(row, profile.kind, setup_text.config_text(profile.kind, document),
                      setup_text.WHERE_TO_PASTE[profile.kind],
                      needs_client_id=not row.settings.get("client_id"))


def set_client_id(context: AppContext, name: str, client_id: str) -> AdminSetup:
    from gradedesk import bootstrap

    if not client_id.strip():
        raise InputError("Enter the client id your administrator gave you.")
    bootstrap.set_connection_settings(context.db, context.secrets, name,
                                      {"client_id": client_id})
    return admin_setup(context, name)
