"""Platform connections in the database: names, kinds and settings that never hold a secret."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from store_support import count, line_item, member, raw, result

from gradedesk.domain import InputError
from gradedesk.domain.redaction import redact
from gradedesk.store.connections import (
    add_connection,
    connection_by_id,
    get_connection,
    list_connections,
    remove_connection,
    require_connection,
    update_settings,
)
from gradedesk.store.db import Database
from gradedesk.store.rows import ConnectionKind
from gradedesk.store.snapshots import upsert_line_items, upsert_members, upsert_results
from keys_support import generated_pem, pem_cut_short

SETTINGS = {"issuer": "https://canvas.test", "client_id": "10000000000001",
            "deployment_id": "1:abc", "token_url": "https://canvas.test/login/oauth2/token",
            "jwks_url": "https://canvas.test/api/lti/security/jwks", "key_id": "gd-2026",
            "public_key": "https://tool.test/jwks.json", "scopes": ["a", "b"], "port": 8443,
            "verify_tls": True, "nested": {"password_hint": "ask IT", "timeout": 2.5}}


def _stored_rows(db: Database) -> int:
    with raw(db.path) as conn:
        return count(conn, "connections")


class TestConnections:
    def test_add_get_list(self, db: Database) -> None:
        added = add_connection(db, "  Canvas — Biologie 101  ", "lti", SETTINGS)

        assert added.name == "Canvas — Biologie 101"  # trimmed
        assert added.kind is ConnectionKind.LTI
        assert added.settings == SETTINGS
        assert abs(datetime.now(UTC) - added.created_at) < timedelta(minutes=5)
        assert get_connection(db, "Canvas — Biologie 101") == added
        assert get_connection(db, "\tCanvas — Biologie 101 \n") == added
        assert require_connection(db, "Canvas — Biologie 101") == added
        with db.read() as conn:
            assert connection_by_id(conn, added.id) == added
            assert connection_by_id(conn, added.id + 1) is None

        second = add_connection(db, "Alpha", ConnectionKind.LTIAAS, {})
        assert [c.name for c in list_connections(db)] == ["Alpha", "Canvas — Biologie 101"]
        assert second.kind is ConnectionKind.LTIAAS and second.settings == {}

    def test_an_unknown_name_is_none_or_an_error_naming_the_known_ones(self,
                                                                       db: Database) -> None:
        assert get_connection(db, "Nope") is None
        with pytest.raises(InputError, match=r"known: none yet"):
            require_connection(db, "Nope")
        add_connection(db, "Canvas", "lti", {})
        add_connection(db, "Moodle", "lti", {})
        with pytest.raises(InputError, match=r"No connection named 'Nope' \(known: Canvas, "
                                             r"Moodle\)"):
            require_connection(db, "Nope")

    @pytest.mark.parametrize("again", ["Canvas", " Canvas ", "Canvas\n"])
    def test_a_name_that_is_taken_is_refused(self, db: Database, again: str) -> None:
        first = add_connection(db, "Canvas", "lti", {"client_id": "1"})
        with pytest.raises(InputError, match="already exists"):
            add_connection(db, again, "ltiaas", {"client_id": "2"})
        assert list_connections(db) == [first]

    @pytest.mark.parametrize("name", ["", "   ", "\t\n"])
    def test_a_blank_name_is_refused(self, db: Database, name: str) -> None:
        with pytest.raises(InputError, match="needs a name"):
            add_connection(db, name, "lti", {})
        assert _stored_rows(db) == 0

    def test_an_unknown_kind_is_refused(self, db: Database) -> None:
        with pytest.raises(InputError, match="not a connection kind"):
            add_connection(db, "Canvas", "blackboard", {})
        assert _stored_rows(db) == 0

    @pytest.mark.parametrize("settings_", [
        {"when": datetime(2026, 1, 1, tzinfo=UTC)},
        {"ids": {1, 2}},
        {"score": float("nan")},
        {"score": float("inf")},
    ], ids=["datetime", "set", "nan", "inf"])
    def test_settings_must_be_plain_json(self, db: Database, settings_: dict[str, Any]) -> None:
        with pytest.raises(InputError, match="plain JSON"):
            add_connection(db, "Canvas", "lti", settings_)
        assert _stored_rows(db) == 0

    def test_setting_names_must_be_text(self, db: Database) -> None:
        with pytest.raises(InputError, match="must be text"):
            add_connection(db, "Canvas", "lti", {1: "one"})  # type: ignore[dict-item]
        assert _stored_rows(db) == 0

    def test_update_replaces_the_settings(self, db: Database) -> None:
        added = add_connection(db, "Canvas", "lti", SETTINGS)

        updated = update_settings(db, " Canvas ", {"issuer": "https://other.test"})

        assert updated.settings == {"issuer": "https://other.test"}
        assert (updated.id, updated.name, updated.created_at) == \
            (added.id, added.name, added.created_at)
        assert get_connection(db, "Canvas") == updated

    def test_updating_an_unknown_connection_is_refused(self, db: Database) -> None:
        with pytest.raises(InputError, match="No connection named"):
            update_settings(db, "Nope", {})

    def test_remove(self, db: Database) -> None:
        add_connection(db, "Canvas", "lti", {})
        add_connection(db, "Moodle", "lti", {})

        assert remove_connection(db, " Canvas ")
        assert not remove_connection(db, "Canvas")
        assert [c.name for c in list_connections(db)] == ["Moodle"]

    def test_removing_a_connection_removes_its_server_copies(self, db: Database) -> None:
        canvas = add_connection(db, "Canvas", "lti", {}).id
        moodle = add_connection(db, "Moodle", "lti", {}).id
        for connection_id in (canvas, moodle):
            upsert_line_items(db, connection_id, [line_item(1)])
            upsert_members(db, connection_id, [member("u1")])
            upsert_results(db, connection_id, line_item(1).id, [result("u1")])

        assert remove_connection(db, "Canvas")

        with db.read() as conn:
            for table in ("line_items", "members"):
                assert count(conn, table, f"connection_id = {canvas}") == 0
                assert count(conn, table, f"connection_id = {moodle}") == 1
            assert count(conn, "server_results") == 1


# --- Secrets never reach the file -----------------------------------------------------------

SECRET_NAMES = [
    "secret", "client_secret", "password", "Password", "platform_password", "passphrase",
    "private_key", "privateKey", "private-key", "private_key_pem", "PRIVATE_KEY",
    "api_key", "apiKey", "api-key", "API_KEY", "ltiaas_api_key", "service_key", "serviceKey",
    "access_token", "accessToken", "client_assertion", "client-assertion",
]
# Names that once got through: camelCase after a prefix, *_token, secret_key, passwd.
SECRET_NAMES_MISSED = ["clientSecret", "ltiaasApiKey", "privateKeyPem", "secret_key",
                       "refresh_token", "id_token", "passwd"]
SECRET_VALUES = [
    generated_pem(),
    pem_cut_short(),
    "Bearer 2YotnFZFEjr1zCsicMWpAA",
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
    "https://canvas.test/token?access_token=abc123",
]


def _assert_refused(db: Database, settings_: dict[str, Any]) -> None:
    with pytest.raises(InputError, match="keyring") as caught:
        add_connection(db, "Canvas", "lti", settings_)
    assert "abc123" not in caught.value.user_message  # the message never repeats the secret
    assert _stored_rows(db) == 0


@pytest.mark.parametrize("name", [*SECRET_NAMES, *SECRET_NAMES_MISSED])
def test_a_setting_named_like_a_secret_is_refused(db: Database, name: str) -> None:
    try:
        add_connection(db, "Canvas", "lti", {"issuer": "https://canvas.test", name: "abc123"})
    except InputError as refused:
        assert "keyring" in refused.user_message
    else:
        raise AssertionError(f"{name!r} was stored")
    assert _stored_rows(db) == 0


@pytest.mark.parametrize("settings_", [
    {"auth": {"password": "abc123"}},
    {"keys": [{"kid": "1", "private_key": "abc123"}]},
    {"deep": {"deeper": [{"api_key": "abc123"}]}},
], ids=["nested", "in-a-list", "deep"])
def test_a_secret_below_the_top_level_is_refused(db: Database, settings_: dict[str, Any]) -> None:
    _assert_refused(db, settings_)


# Ids of their own: a key made at run time differs between pytest-xdist's workers.
@pytest.mark.parametrize("value", SECRET_VALUES,
                         ids=["pem", "pem-cut-short", "bearer", "jwt", "token-in-url"])
def test_a_setting_whose_value_looks_like_a_secret_is_refused(db: Database, value: str) -> None:
    _assert_refused(db, {"note": value})
    _assert_refused(db, {"notes": ["fine", value]})


def test_an_update_with_a_secret_keeps_the_old_settings(db: Database) -> None:
    add_connection(db, "Canvas", "lti", SETTINGS)
    with pytest.raises(InputError, match="keyring"):
        update_settings(db, "Canvas", {**SETTINGS, "private_key": "abc123"})
    row = get_connection(db, "Canvas")
    assert row is not None and row.settings == SETTINGS
    with raw(db.path) as conn:
        assert "abc123" not in conn.execute("SELECT settings_json FROM connections").fetchone()[0]


def test_harmless_names_that_mention_keys_and_tokens_are_kept(db: Database) -> None:
    # key_id, public_key, token_url, password_hint: not secrets, so not refused.
    assert add_connection(db, "Canvas", "lti", SETTINGS).settings == SETTINGS


# --- Round trips of arbitrary names -------------------------------------------------------

# Control characters are left out: a name starting with NUL passes Python's strip() but fails
# the table's CHECK (SQLite's length() stops at NUL) with a raw IntegrityError (see the report).
_CORES = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=40) \
    .filter(lambda core: core == core.strip() and core != "")
_PADDING = st.text(st.sampled_from(" \t\n\u00a0\u2003\u3000"), max_size=3)


def test_any_name_round_trips_trimmed(db: Database) -> None:
    numbers = itertools.count()

    @settings(max_examples=60, deadline=None)
    @given(core=_CORES, before=_PADDING, after=_PADDING,
           settings_=st.dictionaries(st.sampled_from(["issuer", "client_id", "label"]),
                                     st.text(max_size=30), max_size=3))
    def round_trip(core: str, before: str, after: str, settings_: dict[str, str]) -> None:
        name = f"{core} #{next(numbers)}"  # unique across examples
        try:
            added = add_connection(db, before + name + after, "lti", settings_)
        except InputError:
            # Only the secret check may refuse it (hypothesis can write "Bearer x" too).
            assert any(redact(value) != value for value in settings_.values())
            return
        assert added.name == name
        assert get_connection(db, name) == added
        assert get_connection(db, after + name + before) == added
        assert added.settings == settings_

    round_trip()
