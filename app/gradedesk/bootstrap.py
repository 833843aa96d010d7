"""Wiring for the shells (CLI and window): open the store, build a platform client from a saved
connection and its keyring secrets, add and remove connections.

Keys pass from a file or a generator straight into the keyring; the database only ever holds
the non-secret settings (URLs, ids, the key id).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from gradedesk.domain import GradeDeskError, InputError
from gradedesk.platforms import GradebookPlatform, PlatformConfigError, setup
from gradedesk.platforms.check import CheckContext, CheckReport, check_platform
from gradedesk.platforms.http import Timeouts, origin_of, require_secure_url
from gradedesk.platforms.keys import (
    generate_private_key_pem,
    key_id_of,
    load_private_key,
    public_jwk,
    public_pem,
)
from gradedesk.platforms.lti_advantage.client import LtiAdvantageClient, LtiAdvantageConfig
from gradedesk.platforms.ltiaas import LtiaasClient
from gradedesk.platforms.profiles import PlatformKind, detect_kind, profile_of
from gradedesk.secrets import SecretKind, SecretMissing, SecretStore
from gradedesk.store import ConnectionKind, ConnectionRow, Database, open_database
from gradedesk.store import connections as connection_store
from gradedesk.store.connections import SANDBOX_CONNECTION as SANDBOX_CONNECTION
from gradedesk.store.connections import SANDBOX_FLAG as SANDBOX_FLAG
from gradedesk.store.connections import is_sandbox as is_sandbox
from gradedesk.sync.cancel import CancelToken
from gradedesk.sync.engine import EventSink, SyncEngine
from gradedesk.sync.grading import profile_for as profile_for

log = logging.getLogger(__name__)

LTI_SETTINGS = ("issuer", "client_id", "deployment_id", "token_url", "lineitems_url",
                "nrps_url", "audience", "key_id", "platform", "course_url")
REFUSED_PARAMS_SETTING = "refused_query_params"
FETCH_PAGE_SIZE = 100


class SettingsTampered(GradeDeskError):
    """The database's settings of a connection differ from those its key was registered for."""


def settings_binding(settings: Mapping[str, Any]) -> str:
    """A fingerprint of what a connection's key and tokens may be used for: where assertions
    are sent (token URL, audience), as whom (client id), and where the bearer goes (the
    platform's origins)."""
    token_url = str(settings.get("token_url") or "")
    origins = sorted({origin_of(str(url)) for url in (settings.get("lineitems_url"),
                                                      settings.get("nrps_url")) if url})
    bound = {"token_url": token_url, "audience": settings.get("audience") or token_url,
             "client_id": settings.get("client_id") or "", "origins": origins}
    return hashlib.sha256(json.dumps(bound, sort_keys=True).encode()).hexdigest()


def _bind(secrets: SecretStore, name: str, settings: Mapping[str, Any]) -> None:
    secrets.put(name, SecretKind.SETTINGS_BINDING, settings_binding(settings))


def require_binding(connection: ConnectionRow, secrets: SecretStore) -> str:
    """The connection's binding, checked against its settings now; a connection from before
    bindings existed is bound on first use."""
    current = settings_binding(connection.settings)
    try:  # one keyring read (each is a D-Bus round trip), not a "has" and then a "get"
        bound = secrets.get(connection.name, SecretKind.SETTINGS_BINDING)
    except SecretMissing:
        _bind(secrets, connection.name, connection.settings)
        return current
    if bound != current:
        raise SettingsTampered(
            f"The settings of {connection.name!r} in the database (token URL, audience, client "
            "id or platform address) are not the ones its key was registered for: they were "
            "changed outside GradeDesk. GradeDesk will not sign for them or send its token "
            "there. If you made the change, remove the connection and add it again.")
    return current


def open_store(data_dir: Path) -> Database:
    """The user's database, created owner-only on first use."""
    return open_database(data_dir)


@dataclass(frozen=True, slots=True)
class NewConnection:
    """A connection just added, with the public key to paste into the platform (LTI)."""

    row: ConnectionRow
    public_jwk: Mapping[str, str] | None = None

    @property
    def jwks(self) -> dict[str, Any] | None:
        return None if self.public_jwk is None else {"keys": [dict(self.public_jwk)]}


def add_lti_connection(db: Database, secrets: SecretStore, name: str,
                       settings: Mapping[str, str | None], *, private_key_pem: bytes | None,
                       generate_key: bool = False, sandbox: bool = False) -> NewConnection:
    """Check the settings and key, put the key in the keyring, then save the connection.

    Without a PEM a key pair is generated (``generate_key`` says so explicitly); the PEM is
    read once and nothing refers to the file afterwards. The deployment id is optional: it
    only matters for launches, which GradeDesk never receives.
    """
    if private_key_pem is not None and generate_key:
        raise InputError("Give either a private key file or --generate-key, not both.")
    clean = {key: (value.strip() if isinstance(value, str) else value)
             for key, value in settings.items() if key in LTI_SETTINGS and value}
    required = ("issuer", "token_url", "lineitems_url") + (
        () if clean.get("course_url") else ("client_id",))
    for setting in required:
        if not clean.get(setting):
            raise InputError(f"The connection needs --{setting.replace('_', '-')}.")
    clean.setdefault("platform", detect_kind(clean["lineitems_url"]).value)
    pem = private_key_pem if private_key_pem is not None else generate_private_key_pem()
    assert pem is not None
    key = load_private_key(pem)  # InvalidKey with a clear message for a bad PEM
    clean.setdefault("key_id", key_id_of(key))
    jwk = public_jwk(key, kid=clean["key_id"])
    # URLs and ids checked before anything is stored (a client id may come later).
    _lti_config({"client_id": "pending", **clean})
    settings_to_save: dict[str, Any] = dict(clean)
    if sandbox:
        settings_to_save[SANDBOX_FLAG] = True
    secrets.check()
    if connection_store.get_connection(db, name) is not None:
        raise InputError(f"A connection named {name.strip()!r} already exists.")
    secrets.put(name.strip(), SecretKind.PRIVATE_KEY, pem.decode("ascii"))
    try:
        _bind(secrets, name.strip(), settings_to_save)
        row = connection_store.add_connection(db, name, ConnectionKind.LTI, settings_to_save)
    except BaseException:
        secrets.delete(name.strip(), SecretKind.PRIVATE_KEY)
        secrets.delete(name.strip(), SecretKind.SETTINGS_BINDING)
        raise
    return NewConnection(row, jwk)


def add_course_connection(db: Database, secrets: SecretStore, name: str,
                          derived: setup.DerivedSettings, *, client_id: str | None,
                          deployment_id: str | None = None, audience: str | None = None,
                          key_id: str | None = None, private_key_pem: bytes | None = None
                          ) -> NewConnection:
    """A connection from a course URL's derived settings (Canvas, Moodle). The client id may
    come later (``set_connection_settings``): the administrator makes the developer key from
    this connection's public key, and only then is there a client id."""
    settings: dict[str, str | None] = {**derived.as_settings(), "client_id": client_id,
                                       "deployment_id": deployment_id, "audience": audience,
                                       "key_id": key_id}
    return add_lti_connection(db, secrets, name, settings, private_key_pem=private_key_pem)


def add_ltiaas_connection(db: Database, secrets: SecretStore, name: str, url: str, *,
                          api_key: str, service_key: str, sandbox: bool = False
                          ) -> NewConnection:
    """Save an LTIAAS connection; both keys go to the keyring."""
    url = url.strip()
    require_secure_url(url, "LTIAAS URL")
    api_key, service_key = api_key.strip(), service_key.strip()
    if not api_key or not service_key:
        raise InputError("The LTIAAS API key and service key must not be empty.")
    secrets.check()
    if connection_store.get_connection(db, name) is not None:
        raise InputError(f"A connection named {name.strip()!r} already exists.")
    clean_name = name.strip()
    secrets.put(clean_name, SecretKind.LTIAAS_API_KEY, api_key)
    secrets.put(clean_name, SecretKind.LTIAAS_SERVICE_KEY, service_key)
    settings: dict[str, Any] = {"url": url}
    if sandbox:
        settings[SANDBOX_FLAG] = True
    try:
        row = connection_store.add_connection(db, clean_name, ConnectionKind.LTIAAS, settings)
    except BaseException:
        secrets.delete_all(clean_name)
        raise
    return NewConnection(row)


def remove_connection(db: Database, secrets: SecretStore, name: str) -> bool:
    """Forget a connection, its local data and its keyring secrets."""
    row = connection_store.get_connection(db, name)
    if row is None:
        return False
    connection_store.remove_connection(db, row.name)
    secrets.delete_all(row.name)
    return True


def _lti_config(settings: Mapping[str, Any], name: str = "") -> LtiAdvantageConfig:
    if not settings.get("client_id"):
        raise InputError(
            f"{name!r} has no client id yet: give your platform's administrator the output of "
            f"`gradedesk connection config {name}`, then enter the client id they get with "
            f"`gradedesk connection set {name} --client-id ID`.")
    refused = settings.get(REFUSED_PARAMS_SETTING) or []
    try:
        return LtiAdvantageConfig(
            issuer=settings["issuer"], client_id=settings["client_id"],
            deployment_id=settings.get("deployment_id") or "", token_url=settings["token_url"],
            lineitems_url=settings["lineitems_url"], nrps_url=settings.get("nrps_url"),
            audience=settings.get("audience"), key_id=settings.get("key_id"),
            canvas_extensions=profile_of(settings).canvas_extensions,
            refused_params=frozenset(str(name) for name in refused if isinstance(name, str)),
            # Canvas pages results by 10 unless asked (and caps at 100): a tenth of the
            # requests, and of the throttle cost, for a big course.
            page_size=FETCH_PAGE_SIZE, timeouts=_timeouts(settings))
    except KeyError as exc:
        raise PlatformConfigError(f"The connection lacks the setting {exc.args[0]!r}.") from exc


SETTABLE = ("client_id", "deployment_id", "issuer", "audience")
READ_TIMEOUT_SETTING = "read_timeout_s"
READ_TIMEOUT_RANGE = (1.0, 600.0)


def _timeouts(settings: Mapping[str, Any]) -> Timeouts:
    """The connection's timeouts: the default, or the read timeout its grader chose."""
    chosen = settings.get(READ_TIMEOUT_SETTING)
    if isinstance(chosen, int | float) and not isinstance(chosen, bool) and \
            READ_TIMEOUT_RANGE[0] <= chosen <= READ_TIMEOUT_RANGE[1]:
        return Timeouts(read_s=float(chosen))
    return Timeouts()


def set_read_timeout(db: Database, name: str, seconds: float) -> ConnectionRow:
    """How long to wait for the platform's reply before counting it lost (a slow platform
    needs longer; a flaky network answers faster with less)."""
    low, high = READ_TIMEOUT_RANGE
    if not low <= seconds <= high:
        raise InputError(f"The read timeout must be between {low:g} and {high:g} seconds.")
    connection = connection_store.require_connection(db, name)
    settings = dict(connection.settings)
    settings[READ_TIMEOUT_SETTING] = seconds
    return connection_store.update_settings(db, connection.name, settings)


def set_connection_settings(db: Database, secrets: SecretStore, name: str,
                            changes: Mapping[str, str | None]) -> ConnectionRow:
    """Complete or correct an LTI connection (the client id the administrator gave, ...).
    Kept access tokens are dropped: they belong to the old settings."""
    connection = connection_store.require_connection(db, name)
    if connection.kind is not ConnectionKind.LTI:
        raise InputError(f"{connection.name!r} is an LTIAAS connection; nothing to set.")
    settings = dict(connection.settings)
    given = {key: value.strip() for key, value in changes.items()
             if key in SETTABLE and isinstance(value, str)}
    if not given:
        raise InputError("Nothing to set: give --client-id, --deployment-id, --issuer or "
                         "--audience.")
    for key, value in given.items():
        if value:
            settings[key] = value
        else:
            settings.pop(key, None)
    _lti_config({"client_id": "pending", **settings})
    require_binding(connection, secrets)  # the settings being changed must be the real ones
    updated = connection_store.update_settings(db, connection.name, settings)
    _bind(secrets, connection.name, settings)
    secrets.delete(connection.name, SecretKind.ACCESS_TOKENS)
    return updated


def remember_refusals(db: Database, connection: ConnectionRow,
                      platform: GradebookPlatform) -> ConnectionRow:
    """Keep the query parameters the platform refused, so later runs do not ask again."""
    learned = sorted(platform.refused_params)
    if not learned or learned == sorted(connection.settings.get(REFUSED_PARAMS_SETTING) or []):
        return connection
    settings = dict(connection.settings)
    settings[REFUSED_PARAMS_SETTING] = learned
    log.info("%s refuses the optional query parameters %s; not sending them again",
             connection.name, ", ".join(learned))
    return connection_store.update_settings(db, connection.name, settings)


class KeyringTokenCache:
    """Access tokens in the keyring beside the connection's key, so consecutive commands reuse
    one token instead of paying Canvas's 200 throttle units for each. A damaged or unreadable
    entry just means a new token."""

    def __init__(self, secrets: SecretStore, connection: str, binding: str = "") -> None:
        self._secrets, self._connection, self._binding = secrets, connection, binding

    def __repr__(self) -> str:
        return f"KeyringTokenCache({self._connection!r})"

    def _valid(self) -> dict[str, tuple[str, float]]:
        """The kept tokens that are still well formed and not yet due for renewal."""
        try:
            found = json.loads(self._secrets.get(self._connection, SecretKind.ACCESS_TOKENS))
        except (GradeDeskError, ValueError):  # none kept yet, or damaged: start afresh
            return {}
        # Tokens are kept with the settings they were issued for: others are not used.
        if not isinstance(found, dict) or found.get("binding") != self._binding or \
                not isinstance(found.get("tokens"), dict):
            return {}
        now = time.time()
        return {scopes: (entry[0], float(entry[1])) for scopes, entry in found["tokens"].items()
                if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
                and isinstance(entry[1], int | float) and entry[1] > now}

    def load(self, scopes: str) -> tuple[str, float] | None:
        return self._valid().get(scopes)

    def save(self, scopes: str, token: str, renew_at: float) -> None:
        tokens = self._valid()
        tokens[scopes] = (token, renew_at)
        try:
            self._secrets.put(self._connection, SecretKind.ACCESS_TOKENS,
                              json.dumps({"binding": self._binding, "tokens": tokens}))
        except GradeDeskError:
            log.warning("could not keep the access token in the keyring; the next run will "
                        "ask for a new one")


def platform_for(connection: ConnectionRow, secrets: SecretStore, *,
                 cancel: CancelToken | None = None) -> GradebookPlatform:
    """A client for a saved connection, with its secrets fetched from the keyring. With
    ``cancel``, every wait (a retry's back-off, the throttle's pacing) ends at once on Cancel."""
    sleep: Callable[[float], None] = time.sleep if cancel is None else cancel.wait
    # A job's time limit bounds every request in it, not only the waits between them.
    job_deadline = None if cancel is None else cancel.job_deadline
    # A cancelled job's requests still waiting for a slot give up rather than go out.
    interrupt = None if cancel is None else cancel.raise_if_cancelled
    if connection.kind is ConnectionKind.LTI:
        config = _lti_config(connection.settings, connection.name)
        # A kept token is used only if it was issued for exactly these settings (its entry
        # in the keyring carries the binding checked when it was saved); anything new to
        # sign first checks the settings against the binding the key was registered with.
        # So a run with a valid kept token reads one secret, and changed settings still
        # get neither an assertion nor the token.
        binding = settings_binding(connection.settings)

        def read_private_key() -> bytes:  # only when a token must be signed
            require_binding(connection, secrets)
            return secrets.get(connection.name, SecretKind.PRIVATE_KEY).encode("ascii")

        return LtiAdvantageClient(config, read_private_key, sleep=sleep,
                                  token_cache=KeyringTokenCache(secrets, connection.name,
                                                                binding),
                                  job_deadline=job_deadline, interrupt=interrupt)
    return LtiaasClient(str(connection.settings["url"]),
                        secrets.get(connection.name, SecretKind.LTIAAS_API_KEY),
                        secrets.get(connection.name, SecretKind.LTIAAS_SERVICE_KEY),
                        page_size=FETCH_PAGE_SIZE, sleep=sleep, job_deadline=job_deadline,
                        interrupt=interrupt, timeouts=_timeouts(connection.settings))


@contextmanager
def engine_for(db: Database, secrets: SecretStore, name: str, *,
               on_event: EventSink | None = None, cancel: CancelToken | None = None,
               grader: str | None = None) -> Iterator[SyncEngine]:
    """A sync engine for the named connection; its client is closed afterwards."""
    connection = connection_store.require_connection(db, name)
    platform = platform_for(connection, secrets, cancel=cancel)
    try:
        yield SyncEngine(db, connection, platform, on_event=on_event, cancel=cancel,
                         grader=grader)
    finally:
        try:
            remember_refusals(db, connection, platform)
        finally:
            platform.close()


SANDBOX_STATE_FOLDER = "sandbox"


def sandbox_state_dir(db: Database) -> Path:
    """Where the built-in sandbox keeps its course, beside the database."""
    return db.path.parent / SANDBOX_STATE_FOLDER


def start_sandbox_connection(db: Database, secrets: SecretStore, *,
                             name: str = SANDBOX_CONNECTION, seed: int = 1,
                             students: int | None = None, line_items: int | None = None,
                             latency_ms: int = 0, fresh: bool = True) -> tuple[Any, ConnectionRow]:
    """Start the built-in sandbox course on loopback and connect to it.

    The course lives in the data folder (``sandbox/``), so grades and comments sent to it stay
    there. With ``fresh``, it starts over: a new course, a new key pair (straight into the
    keyring; the sandbox gets only the public half) and a new connection replacing any older
    one with its local data. Without it, the connection of that name is resumed when it can be
    (its key, its port, its course); otherwise it starts over. Returns (the running sandbox,
    which the caller stops, and the connection).
    """
    # Imported here: only the shells' first-run path needs the sandbox's server stack.
    from gradedesk.sandbox import SandboxConfig, start_sandbox

    state_dir = sandbox_state_dir(db)
    options: dict[str, Any] = {"seed": seed, "latency_ms": latency_ms, "state_dir": state_dir}
    if students is not None:
        options["students"] = students
    if line_items is not None:
        options["line_items"] = line_items
    if not fresh:
        resumed = _resume_sandbox(db, secrets, name, options)
        if resumed is not None:
            return resumed
    shutil.rmtree(state_dir, ignore_errors=True)  # a new course: the old one is forgotten
    pem = generate_private_key_pem()
    sandbox = start_sandbox(SandboxConfig(port=0, tool_public_keys=[public_pem(
        load_private_key(pem))], **options))
    try:
        info = sandbox.info
        remove_connection(db, secrets, name)
        added = add_lti_connection(db, secrets, name, {
            "issuer": info["issuer"], "client_id": info["client_id"],
            "deployment_id": info["deployment_id"], "token_url": info["token_url"],
            "lineitems_url": info["lineitems_url"], "nrps_url": info["nrps_url"]},
            private_key_pem=pem, sandbox=True)
    except BaseException:
        sandbox.stop()
        raise
    return sandbox, added.row


def _resume_sandbox(db: Database, secrets: SecretStore, name: str,
                    options: dict[str, Any]) -> tuple[Any, ConnectionRow] | None:
    """The sandbox course as it was: same key, same port (the stored URLs name it), same
    course. None when that is not possible (no such connection, its key gone, its port taken,
    its course saved with other options): the caller starts over."""
    from gradedesk.sandbox import SandboxConfig, start_sandbox

    connection = connection_store.get_connection(db, name)
    if connection is None or not is_sandbox(connection) or \
            connection.kind is not ConnectionKind.LTI:
        return None
    try:
        key = load_private_key(secrets.get(name, SecretKind.PRIVATE_KEY).encode("ascii"))
        port = urlsplit(str(connection.settings["lineitems_url"])).port
        if not port:
            return None
        sandbox = start_sandbox(SandboxConfig(port=port, tool_public_keys=[public_pem(key)],
                                              **options))
    except (GradeDeskError, KeyError, ValueError, OSError, RuntimeError) as exc:
        log.info("the sandbox course could not be resumed (%s); starting over", exc)
        return None
    if sandbox.info["lineitems_url"] != connection.settings["lineitems_url"]:
        sandbox.stop()  # another course (other options): start over
        return None
    return sandbox, connection


def public_key_of(connection: ConnectionRow, secrets: SecretStore) -> tuple[dict[str, str], str]:
    """(public JWK, public PEM) of an LTI connection's key in the keyring."""
    if connection.kind is not ConnectionKind.LTI:
        raise InputError(f"{connection.name!r} is an LTIAAS connection; it has no tool key: "
                         "its keys are managed in the LTIAAS portal.")
    key = load_private_key(secrets.get(connection.name, SecretKind.PRIVATE_KEY).encode("ascii"))
    kid = connection.settings.get("key_id")
    return public_jwk(key, kid=kid if isinstance(kid, str) else None), \
        public_pem(key).decode("ascii")


def admin_configuration(connection: ConnectionRow, secrets: SecretStore) -> dict[str, Any]:
    """What the platform's administrator pastes for this connection: Canvas's developer key
    JSON, Moodle's tool settings, or (any other platform) the public key and the scopes."""
    jwk, pem = public_key_of(connection, secrets)
    profile = profile_of(connection.settings)
    if profile.kind is PlatformKind.CANVAS:
        return setup.canvas_developer_key_config(jwk)
    if profile.kind is PlatformKind.MOODLE:
        return setup.moodle_tool_settings(pem)
    return setup.generic_tool_registration(jwk, pem)


def check_connection(connection: ConnectionRow, secrets: SecretStore, db: Database
                     ) -> CheckReport:
    """``connection check``: every step from sign-in to one page of grades, explained."""
    profile = profile_for(connection)
    context = CheckContext(connection.name,
                           client_id=connection.settings.get("client_id"),
                           platform_title=profile.title if profile else "LTIAAS")
    with platform_for(connection, secrets) as platform:
        report = check_platform(platform, context)
        remember_refusals(db, connection, platform)
    return report
