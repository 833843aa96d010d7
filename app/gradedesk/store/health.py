"""A look at the database file for ``gradedesk doctor``, changing nothing.

``open_database`` creates, tightens and migrates; the doctor must only report. So the file is
opened here without creating it (``mode=rw``: a read-only connection would leave its -wal and
-shm files behind), asked for ``PRAGMA integrity_check`` and its schema version, and its
connections are read; nothing is written.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from gradedesk.store.connections import connections_in
from gradedesk.store.db import APPLICATION_ID, known_error
from gradedesk.store.errors import StoreKnownError
from gradedesk.store.migrations import latest_version
from gradedesk.store.rows import ConnectionRow

# integrity_check lists at most this many problems: enough to tell damage from a slip.
_INTEGRITY_LINES = 5
_BUSY_TIMEOUT_S = 5.0


@dataclass(frozen=True, slots=True)
class DatabaseHealth:
    """What the file holds. ``unreadable`` says why it could not be read at all (a damaged
    file, not a database); ``foreign`` marks someone else's SQLite file; ``damage`` lists what
    the integrity check found."""

    path: Path
    latest_version: int
    schema_version: int | None = None
    unreadable: str | None = None
    foreign: bool = False
    damage: tuple[str, ...] = ()
    connections: tuple[ConnectionRow, ...] = ()

    @property
    def newer(self) -> bool:
        """Written by a newer GradeDesk (this one refuses to open it)."""
        return self.schema_version is not None and self.schema_version > self.latest_version


def inspect_database(path: Path) -> DatabaseHealth:
    """Check an existing database file (the caller has checked it is a regular file of the
    user's own); never creates, migrates or repairs it."""
    latest = latest_version()
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, isolation_level=None,
                               timeout=_BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        return DatabaseHealth(path, latest, unreadable=_reason(exc, path))
    try:
        return _inspect(conn, path, latest)
    except sqlite3.Error as exc:
        return DatabaseHealth(path, latest, unreadable=_reason(exc, path))
    finally:
        conn.close()


def _inspect(conn: sqlite3.Connection, path: Path, latest: int) -> DatabaseHealth:
    damage = tuple(str(line[0]) for line in conn.execute(
        f"PRAGMA integrity_check({_INTEGRITY_LINES})").fetchall())
    if damage == ("ok",):
        damage = ()
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    tables = int(conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0])
    # As open_database judges it: a mark of another program, or tables without any mark.
    if (app_id != APPLICATION_ID and (version or app_id)) or (not version and tables):
        return DatabaseHealth(path, latest, version, foreign=True, damage=damage)
    if damage or not version or version > latest:
        return DatabaseHealth(path, latest, version, damage=damage)
    try:
        found = tuple(connections_in(conn))
    except StoreKnownError as error:  # a connection's settings edited into another shape
        return DatabaseHealth(path, latest, version, damage=(error.user_message,))
    except ValueError:  # settings that are not JSON, a kind GradeDesk never writes
        return DatabaseHealth(path, latest, version,
                              damage=("a saved connection's row is not as GradeDesk wrote it",))
    return DatabaseHealth(path, latest, version, connections=found)


def _reason(exc: sqlite3.Error, path: Path) -> str:
    known = known_error(exc, path)
    return known.user_message if known is not None else f"{type(exc).__name__}: {exc}"
