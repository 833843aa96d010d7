"""Platform connections: a name, a kind and non-secret settings (keys live in the keyring)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from functools import cache
from typing import Any

from gradedesk.domain import InputError
from gradedesk.domain.redaction import redact
from gradedesk.store._sql import db_now, from_db_time, from_json, to_json
from gradedesk.store.db import Database
from gradedesk.store.errors import StoreKnownError
from gradedesk.store.rows import ConnectionKind, ConnectionRow

_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

_COLUMNS = "id, name, kind, settings_json, created_at"


@cache
def _secret_name() -> re.Pattern[str]:
    """Setting names that can only hold a secret: refused, so a caller's slip cannot put one
    on disk. Compiled on first use (only saving settings needs it; every command reads)."""
    return re.compile(
        r"(?i)(^|[_-])(secret([_-]?key)?|passw(or)?d|passphrase|private[_-]?key([_-]?pem)?|"
        r"api[_-]?key|service[_-]?key|(access|refresh|id|auth|bearer)[_-]?token|"
        r"client[_-]?assertion)$")


def add_connection(db: Database, name: str, kind: ConnectionKind | str,
                   settings: Mapping[str, Any]) -> ConnectionRow:
    """Create a connection; InputError if the name is taken or a setting looks secret."""
    clean_name = name.strip()
    if not clean_name:
        raise InputError("A connection needs a name.")
    if _CONTROL.search(clean_name):
        raise InputError("A connection name cannot contain control characters.")
    kind = _kind(kind)
    settings_json = _settings_json(settings)
    with db.transaction() as conn:
        if _fetch(conn, clean_name) is not None:
            raise InputError(f"A connection named {clean_name!r} already exists.")
        conn.execute(
            "INSERT INTO connections (name, kind, settings_json, created_at) VALUES (?, ?, ?, ?)",
            (clean_name, kind.value, settings_json, db_now()))
        row = _fetch(conn, clean_name)
    assert row is not None
    return row


def get_connection(db: Database, name: str) -> ConnectionRow | None:
    """The connection with this name, or None."""
    with db.read() as conn:
        return _fetch(conn, name.strip())


def require_connection(db: Database, name: str) -> ConnectionRow:
    """The connection with this name; InputError naming the known ones if there is none."""
    row = get_connection(db, name)
    if row is None:
        known = ", ".join(c.name for c in list_connections(db)) or "none yet"
        raise InputError(f"No connection named {name!r} (known: {known}).")
    return row


def list_connections(db: Database) -> list[ConnectionRow]:
    """All connections, by name."""
    with db.read() as conn:
        return connections_in(conn)


def connections_in(conn: sqlite3.Connection) -> list[ConnectionRow]:
    """All connections, by name, through a connection the caller holds (inside an open
    block, or ``health``'s look at a file it must not change)."""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM connections ORDER BY name").fetchall()
    return [_row(r) for r in rows]


def update_settings(db: Database, name: str, settings: Mapping[str, Any]) -> ConnectionRow:
    """Replace a connection's settings (same secret check as add_connection)."""
    settings_json = _settings_json(settings)
    with db.transaction() as conn:
        cursor = conn.execute("UPDATE connections SET settings_json = ? WHERE name = ?",
                              (settings_json, name.strip()))
        if cursor.rowcount != 1:
            raise InputError(f"No connection named {name!r}.")
        row = _fetch(conn, name.strip())
    assert row is not None
    return row


def remove_connection(db: Database, name: str) -> bool:
    """Delete a connection with its snapshots, drafts, outbox and jobs (the audit log stays).

    Returns False when there was no such connection. Its keyring entries are the caller's to
    delete (gradedesk.secrets).
    """
    with db.transaction() as conn:
        cursor = conn.execute("DELETE FROM connections WHERE name = ?", (name.strip(),))
        return cursor.rowcount == 1


def _kind(kind: ConnectionKind | str) -> ConnectionKind:
    try:
        return ConnectionKind(kind)
    except ValueError:
        raise InputError(f"{kind!r} is not a connection kind; use lti or ltiaas.") from None


def _settings_json(settings: Mapping[str, Any]) -> str:
    _refuse_secrets(settings, "settings")
    try:
        return to_json(dict(settings))
    except (TypeError, ValueError):
        raise InputError("Connection settings must be plain JSON values.") from None


def _refuse_secrets(value: object, where: str) -> None:
    """Refuse a setting whose name or text looks like a secret (the redaction patterns)."""
    if isinstance(value, Mapping):
        for key, inner in value.items():
            if not isinstance(key, str):
                raise InputError(f"{where}: setting names must be text.")
            if _secret_name().search(_CAMEL_HUMP.sub("_", key)):
                raise InputError(f"{where}: {key!r} is a secret; secrets go to the OS keyring, "
                                 f"never to the database.")
            _refuse_secrets(inner, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for inner in value:
            _refuse_secrets(inner, where)
    elif isinstance(value, str) and redact(value) != value:
        raise InputError(f"{where} looks like a key or token; secrets go to the OS keyring, "
                         f"never to the database.")


def _fetch(conn: sqlite3.Connection, name: str) -> ConnectionRow | None:
    found = conn.execute(f"SELECT {_COLUMNS} FROM connections WHERE name = ?",
                         (name,)).fetchone()
    return None if found is None else _row(found)


def connection_by_id(conn: sqlite3.Connection, connection_id: int) -> ConnectionRow | None:
    """The connection with this id (inside an open block), or None."""
    found = conn.execute(f"SELECT {_COLUMNS} FROM connections WHERE id = ?",
                         (connection_id,)).fetchone()
    return None if found is None else _row(found)


def _row(raw: tuple[Any, ...]) -> ConnectionRow:
    settings = from_json(raw[3])
    if not isinstance(settings, dict):
        # Only an edit outside GradeDesk can do this: say so rather than fail obscurely.
        raise StoreKnownError(f"The settings of connection {raw[1]!r} in the database are "
                              "damaged (not a JSON object); remove the connection and add it "
                              "again.")
    return ConnectionRow(id=raw[0], name=raw[1], kind=ConnectionKind(raw[2]),
                         settings=settings, created_at=from_db_time(raw[4]))


SANDBOX_FLAG = "sandbox"
# The name of the window's own sample course (the built-in sandbox it starts).
SANDBOX_CONNECTION = "Sandbox course"


def is_sandbox(connection: ConnectionRow) -> bool:
    """True when the connection's data comes from the built-in sandbox."""
    return bool(connection.settings.get(SANDBOX_FLAG))
