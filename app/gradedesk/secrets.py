"""The OS keyring: each connection's private key and LTIAAS keys, and nowhere else.

The only module that imports ``keyring``, so one place decides what counts as a safe store:
a backend keyring itself calls "recommended" (priority 1 or more). A plaintext file, the fail
backend or a locked Secret Service is refused with SecretsUnavailable and a message that says
how to fix it; GradeDesk never falls back to writing a key in the clear.

Every call talks to the OS keyring (D-Bus on Linux) and may block while it prompts to unlock:
call it from a worker, never from the GUI thread.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from gradedesk.domain.errors import GradeDeskError, InputError
from gradedesk.domain.redaction import redact

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

# keyring (and its backends, entry points and D-Bus libraries) is imported on the first call
# that talks to it, not with this module: the window shows before anything needs a secret.

SERVICE = "GradeDesk"

# keyring's own line (keyring.core.recommended): below it sit plaintext and "fail"/"null" stores.
_RECOMMENDED_PRIORITY = 1.0

# check() reads this entry: a read is the cheapest call that proves the store is reachable and
# unlocked (it triggers the desktop's unlock prompt, as any real use would).
_PROBE_USERNAME = "gradedesk-availability-check"

# Keep backend error text short in a message meant for a person.
_DETAIL_LIMIT = 200

# What to do depends on the system: macOS and Windows always have their keyring (the
# Keychain, the Credential Locker); only a Linux (or BSD) box may have none running.
if sys.platform == "darwin":
    FIX_HINT = ("Unlock your login keychain (Keychain Access), and allow GradeDesk when macOS "
                "asks.")
elif sys.platform == "win32":
    FIX_HINT = ("Sign in to Windows with your own account so that its Credential Manager is "
                "available to GradeDesk.")
else:
    FIX_HINT = (
        "Install and unlock a keyring (GNOME Keyring or KWallet), or run GradeDesk inside a "
        "desktop session. On a headless Linux box, start a session bus with "
        "`dbus-run-session -- sh` and inside it run "
        "`echo YOUR-PASSWORD | gnome-keyring-daemon --unlock --components=secrets` "
        "before GradeDesk."
    )

# The refusal speaks plain words first: what GradeDesk cannot do and why it matters; the
# backend's own words (a class name, a priority, D-Bus's error) come last, for whoever helps.
PLAIN_REFUSAL = (
    "GradeDesk cannot reach your system's keyring, where it keeps each connection's private "
    "key and platform keys (it never writes them to a file)."
)
DOCTOR_HINT = "`gradedesk doctor` checks this and the rest of the set-up."

# FIX_HINT as one sentence, for `gradedesk doctor`'s list of findings.
FIX_SENTENCE = FIX_HINT if sys.platform in ("darwin", "win32") else (
    "Install and unlock GNOME Keyring or KWallet, or on a headless box run "
    "`dbus-run-session -- sh` and inside it `echo PASSWORD | gnome-keyring-daemon --unlock "
    "--components=secrets` before GradeDesk."
)

# `gradedesk doctor` writes, reads back and deletes a throw-away secret under its own service
# name, so no connection's entry is ever touched by the test.
DOCTOR_SERVICE = "GradeDesk doctor"
_ROUND_TRIP_USERNAME = "round-trip-test"

# What people call the backends keyring ships (by module); others go by keyring's own name.
_PLAIN_NAMES = {
    "keyring.backends.SecretService": "Secret Service (GNOME Keyring, KWallet or KeePassXC)",
    "keyring.backends.libsecret": "Secret Service through libsecret (GNOME Keyring)",
    "keyring.backends.kwallet": "KWallet",
    "keyring.backends.macOS": "macOS Keychain",
    "keyring.backends.Windows": "Windows Credential Manager",
    "keyring.backends.fail": "none that works here",
    "keyring.backends.null": "the null keyring, which stores nothing",
    "keyrings.alt.file": "a file on disk, which is not safe",
}


class SecretKind(StrEnum):
    """The secrets a connection can hold; the value is part of the keyring entry's name."""

    PRIVATE_KEY = "private-key"
    LTIAAS_API_KEY = "ltiaas-api-key"
    LTIAAS_SERVICE_KEY = "ltiaas-service-key"
    # Short-lived OAuth access tokens, kept between runs (Canvas charges for each new one).
    ACCESS_TOKENS = "access-tokens"
    # Not a secret, but kept out of the database on purpose: a fingerprint of the settings the
    # key was registered for (token URL, audience, client id, platform origins), so settings
    # changed in the database behind GradeDesk's back cannot redirect a signed assertion.
    SETTINGS_BINDING = "settings-binding"


class SecretsUnavailable(GradeDeskError):
    """No safe keyring can be used right now; the message always says how to fix that."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"{PLAIN_REFUSAL} {FIX_HINT} {DOCTOR_HINT} (Details: {reason}.)")
        self.reason = reason


class SecretMissing(GradeDeskError):
    """The keyring works but holds no such secret for the connection (e.g. never set up)."""

    def __init__(self, connection: str, kind: SecretKind) -> None:
        super().__init__(
            f"Connection {connection!r} has no {kind} in the OS keyring; set it up again."
        )
        self.connection = connection
        self.kind = kind


class SecretStore:
    """Per-connection secrets in the current keyring backend, under one service name.

    The entry for a secret is (service, f"{connection}/{kind}"). The backend is looked up on
    every call, so a keyring unlocked (or replaced) after start-up is picked up.
    Blocking; call from a worker thread.
    """

    def __init__(self, service: str = SERVICE) -> None:
        if not service:
            raise InputError("The keyring service name cannot be empty.")
        self._service = service

    @property
    def service(self) -> str:
        return self._service

    def __repr__(self) -> str:
        # Holds no secret, but say so explicitly: this is what ends up in tracebacks and logs.
        return f"SecretStore(service={self._service!r})"

    def check(self) -> None:
        """Raise SecretsUnavailable unless a safe keyring is reachable and unlocked."""
        backend = self._backend()
        with _translated("reading from the keyring"):
            backend.get_password(self._service, _PROBE_USERNAME)

    def round_trip_test(self) -> None:
        """Write a throw-away secret, read it back, delete it and see it gone; raise
        SecretsUnavailable at the first step that fails. Proves more than ``check``: a keyring
        can answer reads and still refuse (or lose) writes."""
        backend = self._backend()
        value = uuid.uuid4().hex
        with _translated("saving a test secret to the keyring", value):
            backend.set_password(self._service, _ROUND_TRIP_USERNAME, value)
        try:
            with _translated("reading a test secret back", value):
                read_back = backend.get_password(self._service, _ROUND_TRIP_USERNAME)
            if read_back != value:
                raise SecretsUnavailable("a test secret read back differently from what was "
                                         "written")
        except SecretsUnavailable:
            # Tidy up if the keyring lets us; the failure to report is the first one.
            with suppress(Exception):
                backend.delete_password(self._service, _ROUND_TRIP_USERNAME)
            raise
        with _translated("deleting a test secret"):
            backend.delete_password(self._service, _ROUND_TRIP_USERNAME)
        with _translated("reading a deleted test secret"):
            if backend.get_password(self._service, _ROUND_TRIP_USERNAME) is not None:
                raise SecretsUnavailable("a deleted test secret could still be read")

    def put(self, connection: str, kind: SecretKind, value: str) -> None:
        """Store (or replace) a secret; an empty value is refused rather than stored."""
        username = _username(connection, kind)
        if not value:
            raise InputError(f"The {kind} for connection {connection!r} cannot be empty.")
        backend = self._backend()
        with _translated("saving to the keyring", value):
            backend.set_password(self._service, username, value)

    def get(self, connection: str, kind: SecretKind) -> str:
        """The secret; SecretMissing when the connection has none of this kind."""
        value = self._read(connection, kind)
        if value is None:
            raise SecretMissing(connection, kind)
        return value

    def has(self, connection: str, kind: SecretKind) -> bool:
        return self._read(connection, kind) is not None

    def delete(self, connection: str, kind: SecretKind) -> bool:
        """Remove a secret; False when there was none."""
        username = _username(connection, kind)
        backend = self._backend()
        from keyring.errors import PasswordDeleteError

        with _translated("deleting from the keyring"):
            try:
                backend.delete_password(self._service, username)
            except PasswordDeleteError:
                # keyring's contract for "no such entry"; anything else is a failure.
                return False
        return True

    def delete_all(self, connection: str) -> None:
        """Remove every kind of secret of a connection (when the connection is removed)."""
        for kind in SecretKind:
            self.delete(connection, kind)

    def _read(self, connection: str, kind: SecretKind) -> str | None:
        username = _username(connection, kind)
        backend = self._backend()
        with _translated("reading from the keyring"):
            value = backend.get_password(self._service, username)
        # An empty entry can only come from another tool; it is no usable key.
        return value or None

    def _backend(self) -> KeyringBackend:
        """The backend to use, or SecretsUnavailable if it is missing or not a safe store."""
        with _translated("starting the keyring backend"):
            backend = _chosen_backend()
            # The priority probes the backend (the Secret Service one asks D-Bus whether the
            # daemon runs) and raises RuntimeError when it cannot work here.
            priority = float(type(backend).priority)
        if priority < _RECOMMENDED_PRIORITY:
            raise SecretsUnavailable(
                f"{_backend_name(backend)} is not a secure keyring (priority {priority:g})"
            )
        return backend


@dataclass(frozen=True, slots=True)
class KeyringHealth:
    """What ``gradedesk doctor`` learns about the keyring: the backend in plain words, and why
    it cannot be used (None when a test secret went in, came back and went away)."""

    backend: str
    problem: SecretsUnavailable | None


def keyring_health() -> KeyringHealth:
    """Which keyring GradeDesk would use, and whether a test secret (under DOCTOR_SERVICE,
    never a connection's entry) can be written, read back and deleted. Blocking."""
    try:
        with _translated("starting the keyring backend"):
            backend = _chosen_backend()
    except SecretsUnavailable as problem:
        return KeyringHealth("unknown (keyring could not start)", problem)
    try:
        SecretStore(DOCTOR_SERVICE).round_trip_test()
    except SecretsUnavailable as problem:
        return KeyringHealth(_plain_name(backend), problem)
    return KeyringHealth(_plain_name(backend), None)


def _chosen_backend() -> KeyringBackend:
    """The backend keyring picked (the best one a chainer holds), not yet judged safe."""
    import keyring
    from keyring.backends.chainer import ChainerBackend

    backend = keyring.get_keyring()
    if isinstance(backend, ChainerBackend):
        # The chainer reads through every backend, plaintext ones too: use only the best one
        # it chains, so the priority check covers what is really used.
        chained: list[KeyringBackend] = list(backend.backends)
        if chained:
            backend = chained[0]
    return backend


def _plain_name(backend: KeyringBackend) -> str:
    module = type(backend).__module__
    return _PLAIN_NAMES.get(module) or f"{backend.name} ({_backend_name(backend)})"


def _username(connection: str, kind: SecretKind) -> str:
    if not connection:
        raise InputError("A connection name is needed to find its secrets.")
    return f"{connection}/{SecretKind(kind)}"


def _backend_name(backend: KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


@contextmanager
def _translated(doing: str, secret: str | None = None) -> Iterator[None]:
    """Turn any backend failure into SecretsUnavailable whose text cannot carry the secret.

    Deliberately broad: backends are plugins (secretstorage, jeepney, dbus, pywin32...) that
    raise their own types for "locked", "no daemon" or "prompt dismissed", and a caller can only
    act on one answer. GradeDesk's own errors pass through. ``from None`` keeps the backend's
    exception, which could quote what it was given, out of printed tracebacks.
    """
    try:
        yield
    except GradeDeskError:
        raise
    except Exception as exc:  # noqa: BLE001 - see the docstring
        detail = redact(str(exc))
        if secret:
            detail = detail.replace(secret, "[redacted]")
        detail = detail[:_DETAIL_LIMIT].strip()
        name = type(exc).__name__
        raise SecretsUnavailable(
            f"{doing} failed ({name}: {detail})" if detail else f"{doing} failed ({name})"
        ) from None
