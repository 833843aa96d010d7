"""gradedesk.secrets against a real GNOME Keyring on the session's private D-Bus.

Fakes appear only for what a working desktop cannot be made to do on demand: a plaintext
backend, a locked keyring, a backend that quotes the secret in its error.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import keyring.backends.null
import keyring.backends.SecretService
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked

from gradedesk.domain.errors import GradeDeskError, InputError
from gradedesk.secrets import SecretKind, SecretMissing, SecretStore, SecretsUnavailable
from keyring_plugin import PrivateKeyring
from keys_support import generated_pem

PEM = generated_pem()


def _secret() -> str:
    return f"s3cret-{uuid.uuid4().hex}"


def _assert_tells_the_fix(error: SecretsUnavailable) -> None:
    text = str(error)
    assert text == error.user_message
    assert "gnome-keyring-daemon --unlock" in text
    assert "dbus-run-session" in text
    assert "KWallet" in text


# --- the real keyring ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(SecretKind))
def test_put_get_has_delete_round_trip(secret_store: SecretStore, kind: SecretKind) -> None:
    value = _secret()
    assert not secret_store.has("course-a", kind)

    secret_store.put("course-a", kind, value)
    assert secret_store.has("course-a", kind)
    assert secret_store.get("course-a", kind) == value

    replacement = _secret()
    secret_store.put("course-a", kind, replacement)
    assert secret_store.get("course-a", kind) == replacement

    assert secret_store.delete("course-a", kind) is True
    assert not secret_store.has("course-a", kind)
    assert secret_store.delete("course-a", kind) is False
    with pytest.raises(SecretMissing):
        secret_store.get("course-a", kind)


def test_a_pem_key_survives_unchanged(secret_store: SecretStore) -> None:
    secret_store.put("course-a", SecretKind.PRIVATE_KEY, PEM)
    assert secret_store.get("course-a", SecretKind.PRIVATE_KEY) == PEM


def test_the_entry_is_service_and_connection_slash_kind(
        secret_store: SecretStore, private_keyring: PrivateKeyring) -> None:
    value = _secret()
    secret_store.put("course-a", SecretKind.LTIAAS_SERVICE_KEY, value)
    backend = private_keyring.backend
    assert backend.get_password("GradeDesk", "course-a/ltiaas-service-key") == value


def test_delete_all_removes_every_kind_of_one_connection_only(secret_store: SecretStore) -> None:
    for kind in SecretKind:
        secret_store.put("course-a", kind, _secret())
    secret_store.put("course-b", SecretKind.PRIVATE_KEY, PEM)

    secret_store.delete_all("course-a")

    assert not any(secret_store.has("course-a", kind) for kind in SecretKind)
    assert secret_store.get("course-b", SecretKind.PRIVATE_KEY) == PEM
    secret_store.delete_all("course-a")  # nothing left: still fine


def test_connections_do_not_see_each_others_secrets(secret_store: SecretStore) -> None:
    a_value, b_value = _secret(), _secret()
    secret_store.put("course-a", SecretKind.LTIAAS_API_KEY, a_value)
    secret_store.put("course-b", SecretKind.LTIAAS_API_KEY, b_value)

    assert secret_store.get("course-a", SecretKind.LTIAAS_API_KEY) == a_value
    assert secret_store.get("course-b", SecretKind.LTIAAS_API_KEY) == b_value
    assert not secret_store.has("course-b", SecretKind.PRIVATE_KEY)
    assert secret_store.delete("course-b", SecretKind.LTIAAS_API_KEY)
    assert secret_store.get("course-a", SecretKind.LTIAAS_API_KEY) == a_value


def test_a_connection_name_cannot_reach_another_connections_entry(
        secret_store: SecretStore) -> None:
    # "a/private-key" + "/private-key" differs from "a" + "/private-key": the kind is the suffix.
    secret_store.put("a", SecretKind.PRIVATE_KEY, PEM)
    assert not secret_store.has("a/private-key", SecretKind.PRIVATE_KEY)


def test_missing_secret_names_connection_and_kind(secret_store: SecretStore) -> None:
    with pytest.raises(SecretMissing) as caught:
        secret_store.get("course-z", SecretKind.LTIAAS_SERVICE_KEY)
    assert isinstance(caught.value, GradeDeskError)
    assert "course-z" in caught.value.user_message
    assert "ltiaas-service-key" in caught.value.user_message
    assert caught.value.connection == "course-z"
    assert caught.value.kind is SecretKind.LTIAAS_SERVICE_KEY


def test_empty_values_and_names_are_refused(secret_store: SecretStore) -> None:
    with pytest.raises(InputError):
        secret_store.put("course-a", SecretKind.PRIVATE_KEY, "")
    assert not secret_store.has("course-a", SecretKind.PRIVATE_KEY)
    with pytest.raises(InputError):
        secret_store.put("", SecretKind.PRIVATE_KEY, PEM)
    with pytest.raises(InputError):
        SecretStore("")


def test_check_passes_on_a_working_keyring(secret_store: SecretStore) -> None:
    secret_store.check()


def test_repr_shows_no_secret(secret_store: SecretStore) -> None:
    value = _secret()
    secret_store.put("course-a", SecretKind.LTIAAS_API_KEY, value)
    assert secret_store.get("course-a", SecretKind.LTIAAS_API_KEY) == value
    assert value not in repr(secret_store)
    assert repr(secret_store) == "SecretStore(service='GradeDesk')"


def test_the_keyring_is_private_to_the_test_run(
        secret_store: SecretStore, private_keyring: PrivateKeyring) -> None:
    assert private_keyring.bus_address != private_keyring.previous_bus_address
    socket = Path(private_keyring.bus_address.removeprefix("unix:path=").split(",")[0])
    assert socket.parent == private_keyring.root
    secret_store.put("course-a", SecretKind.PRIVATE_KEY, PEM)
    # The daemon keeps its keyrings under its own temp XDG_DATA_HOME, not the developer's.
    stored = list((private_keyring.root / "data" / "keyrings").glob("*.keyring"))
    assert stored, "the private daemon wrote no keyring file in its temp dir"


def test_a_subprocess_sees_a_secret_put_in_process(secret_store: SecretStore) -> None:
    value = _secret()
    secret_store.put("course-sub", SecretKind.LTIAAS_API_KEY, value)
    code = ("import keyring; "
            "print(keyring.get_keyring().__class__.__module__); "
            "print(keyring.get_password('GradeDesk', 'course-sub/ltiaas-api-key'))")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               timeout=60, check=False)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == ["keyring.backends.SecretService", value]


# --- backends that must be refused ------------------------------------------------------------


class _PlaintextKeyring(KeyringBackend):
    """Like keyrings.alt's PlaintextKeyring: works, but below keyring's "recommended" line."""

    priority = 0.5
    viable = False  # never picked by keyring's own detection, in this or any later test

    def __init__(self) -> None:
        super().__init__()
        self.written: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.written.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.written[(service, username)] = password


class _LockedKeyring(KeyringBackend):
    """A Secret Service whose unlock prompt was dismissed, as keyring reports it."""

    priority = 5
    viable = False

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")


class _QuotingKeyring(KeyringBackend):
    """A careless backend whose error text quotes what it was given."""

    priority = 5
    viable = False

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"could not store {password!r} for {username}")


@pytest.fixture
def use_backend(private_keyring: PrivateKeyring) -> Iterator[Callable[[KeyringBackend], None]]:
    """Swap keyring's backend for one test; the private Secret Service comes back after."""
    yield keyring.set_keyring
    keyring.set_keyring(private_keyring.backend)


def _every_call(store: SecretStore, value: str) -> list[Callable[[], object]]:
    return [
        store.check,
        lambda: store.put("course-a", SecretKind.PRIVATE_KEY, value),
        lambda: store.get("course-a", SecretKind.PRIVATE_KEY),
        lambda: store.has("course-a", SecretKind.PRIVATE_KEY),
        lambda: store.delete("course-a", SecretKind.PRIVATE_KEY),
        lambda: store.delete_all("course-a"),
    ]


@pytest.mark.parametrize("backend", [keyring.backends.fail.Keyring,
                                     keyring.backends.null.Keyring, _PlaintextKeyring])
def test_no_keyring_or_an_unsafe_one_is_refused_with_the_fix(
        use_backend: Callable[[KeyringBackend], None], backend: type[KeyringBackend]) -> None:
    instance = backend()
    use_backend(instance)
    store = SecretStore()
    value = _secret()
    for call in _every_call(store, value):
        with pytest.raises(SecretsUnavailable) as caught:
            call()
        _assert_tells_the_fix(caught.value)
        assert "not a secure keyring" in str(caught.value)
        assert value not in str(caught.value)
    if isinstance(instance, _PlaintextKeyring):
        assert instance.written == {}, "a secret reached the plaintext store"


def test_a_locked_keyring_is_unavailable_and_never_shows_the_secret(
        use_backend: Callable[[KeyringBackend], None]) -> None:
    use_backend(_LockedKeyring())
    store = SecretStore()
    value = _secret()
    for call in _every_call(store, value):
        with pytest.raises(SecretsUnavailable) as caught:
            call()
        error = caught.value
        _assert_tells_the_fix(error)
        assert "KeyringLocked" in str(error)
        assert value not in str(error) and value not in repr(error)
        assert error.__cause__ is None and error.__suppress_context__
    assert value not in repr(store)


def test_a_backend_quoting_the_secret_has_it_scrubbed(
        use_backend: Callable[[KeyringBackend], None]) -> None:
    use_backend(_QuotingKeyring())
    value = _secret()
    with pytest.raises(SecretsUnavailable) as caught:
        SecretStore().put("course-a", SecretKind.LTIAAS_API_KEY, value)
    assert value not in str(caught.value) and value not in repr(caught.value)
    assert "[redacted]" in str(caught.value)


def test_an_unreachable_secret_service_is_unavailable(
        use_backend: Callable[[KeyringBackend], None], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    # The real Secret Service backend, pointed at a bus nobody listens on.
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    use_backend(keyring.backends.SecretService.Keyring())
    store = SecretStore()
    value = _secret()
    for call in _every_call(store, value):
        with pytest.raises(SecretsUnavailable) as caught:
            call()
        _assert_tells_the_fix(caught.value)
        assert value not in str(caught.value)
