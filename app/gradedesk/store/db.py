"""The database file: created owner-only, WAL, foreign keys, migrations, transactions.

Threading contract: share one ``Database`` between threads, never a ``sqlite3.Connection``.
``Database`` gives each thread its own connection on first use (the store lane and the network
lane each get one); SQLite serialises writers across threads and processes, and every write
transaction starts with ``BEGIN IMMEDIATE`` so it takes the write lock up front (waiting up to the
busy timeout) instead of failing half-way. In WAL mode readers never block the writer.

Durability: ``synchronous = FULL``, so a committed ``sending`` mark survives a power cut before
the POST that follows it goes out.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gradedesk.store.errors import StoreKnownError, StoreStateError
from gradedesk.store.migrations import all_migrations, latest_version

log = logging.getLogger(__name__)

DB_FILENAME = "gradedesk.sqlite3"
# PRAGMA application_id: "GDSK", so a foreign SQLite file is refused rather than altered.
APPLICATION_ID = 0x4744534B
MIN_SQLITE_VERSION = (3, 37, 0)  # STRICT tables
DIR_MODE = 0o700
FILE_MODE = 0o600
_SIDE_FILES = ("-wal", "-shm", "-journal")

# Primary SQLite result codes that mean "the disk or the file", not "the code".
_DISK_CODES = {
    3: "permission denied",  # SQLITE_PERM
    5: "the database is busy (is another GradeDesk running?)",  # SQLITE_BUSY
    6: "the database is locked",  # SQLITE_LOCKED
    8: "the database is read-only",  # SQLITE_READONLY
    10: "a disk input/output error (is the disk full?)",  # SQLITE_IOERR: also a full disk
    11: "the database file is damaged",  # SQLITE_CORRUPT
    13: "the disk is full",  # SQLITE_FULL
    14: "the database file cannot be opened",  # SQLITE_CANTOPEN
    26: "the file is not a database",  # SQLITE_NOTADB
}


def known_error(exc: sqlite3.Error, path: Path) -> StoreKnownError | None:
    """The StoreKnownError for a disk-level SQLite failure, or None when it is a bug."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return None
    reason = _DISK_CODES.get(code & 0xFF)
    if reason is None:
        return None
    return StoreKnownError(f"GradeDesk cannot use its database {path}: {reason}.")


@dataclass(slots=True)
class _ThreadState:
    conn: sqlite3.Connection
    depth: int = 0  # nesting of transaction()/read() blocks on this thread
    writing: bool = False
    owner: threading.Thread | None = None  # the thread using it (its ident may be reused)


class Database:
    """One open database file. Create it with :func:`open_database`."""

    def __init__(self, path: Path, busy_timeout_s: float) -> None:
        self._path = path
        self._busy_timeout_s = busy_timeout_s
        # Per thread, by its ident rather than in a threading.local: Qt's pool threads get a
        # fresh Python thread state for each job, which would empty a threading.local and
        # open (and leak) a new connection per job.
        self._states: dict[int, _ThreadState] = {}
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._closed = False

    def __repr__(self) -> str:
        return f"Database({str(self._path)!r})"

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    @property
    def schema_version(self) -> int:
        """The schema version of the file (PRAGMA user_version)."""
        with self.read() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    def data_version(self) -> int:
        """A number that changes when another connection (another thread here, or another
        program such as the CLI) commits to the file; this thread's own writes leave it be."""
        with self.read() as conn:
            return int(conn.execute("PRAGMA data_version").fetchone()[0])

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE) on this thread's connection.

        Commits on success, rolls back on any exception. Nested use becomes a SAVEPOINT, so the
        engine can join several store calls (save a draft, enqueue it) into one atomic unit.
        """
        state = self._state()
        conn = state.conn
        if state.depth:
            if not state.writing:
                raise StoreStateError("A write transaction cannot start inside a read block.")
            name = f"gd_sp{state.depth}"
            state.depth += 1
            try:
                with self._translated():
                    conn.execute(f"SAVEPOINT {name}")
                    try:
                        yield conn
                    except BaseException:
                        conn.execute(f"ROLLBACK TO {name}")
                        conn.execute(f"RELEASE {name}")
                        raise
                    conn.execute(f"RELEASE {name}")
            finally:
                state.depth -= 1
            return
        with self._translated():
            conn.execute("BEGIN IMMEDIATE")
        state.depth, state.writing = 1, True
        try:
            with self._translated():
                yield conn
                conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise
        finally:
            state.depth, state.writing = 0, False

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A read block: one consistent snapshot for all its queries (inside a transaction, that
        transaction's view)."""
        state = self._state()
        conn = state.conn
        if state.depth:
            state.depth += 1
            try:
                with self._translated():
                    yield conn
            finally:
                state.depth -= 1
            return
        with self._translated():
            conn.execute("BEGIN DEFERRED")
        state.depth = 1
        try:
            with self._translated():
                yield conn
                conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise
        finally:
            state.depth = 0

    def close(self) -> None:
        """Close every connection this Database opened (call once, when the app shuts down)."""
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
            self._states.clear()
        for conn in connections:
            conn.close()

    def _state(self) -> _ThreadState:
        if self._closed:
            raise StoreStateError("The database has been closed.")
        ident = threading.get_ident()
        state = self._states.get(ident)
        if state is None:
            with self._lock:
                if self._closed:
                    raise StoreStateError("The database has been closed.")
                self._close_for_ended_threads()
                conn = _connect(self._path, self._busy_timeout_s)
                self._connections.append(conn)
                state = self._states[ident] = _ThreadState(conn)
        if state.owner is not threading.current_thread():
            state.owner = threading.current_thread()  # an ident handed on to a new thread
        return state

    def _close_for_ended_threads(self) -> None:
        """Close the connections of threads that have ended (each push's and pull's worker
        threads would otherwise leave theirs open until the app quits). Under ``_lock``."""
        for ident, state in list(self._states.items()):
            if state.owner is not None and not state.owner.is_alive() and not state.depth:
                del self._states[ident]
                self._connections.remove(state.conn)
                state.conn.close()

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            known = known_error(exc, self._path)
            if known is None:
                raise
            raise known from exc


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            # SQLite already rolled back (e.g. after SQLITE_FULL); nothing is left to undo.
            log.debug("rollback after a failed transaction was not needed", exc_info=True)


def _connect(path: Path, busy_timeout_s: float) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None,
                               check_same_thread=False)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        conn.execute("PRAGMA synchronous = FULL")
        if sqlite3.sqlite_version_info >= (3, 41, 0):  # older: json_valid() not innocuous
            conn.execute("PRAGMA trusted_schema = OFF")
    except sqlite3.Error as exc:
        raise known_error(exc, path) or exc from exc
    return conn


def open_database(data_dir: Path, *, busy_timeout_s: float = 10.0,
                  schema_version: int | None = None) -> Database:
    """Open (creating if needed) ``data_dir/gradedesk.sqlite3``, migrated to the latest schema.

    The folder is made 0700 and the files 0600 before SQLite writes a byte, then checked.
    ``schema_version`` stops the migration early (tests build old databases with it).
    Raises StoreKnownError for a folder or file GradeDesk cannot use, or a newer database.
    """
    if sqlite3.sqlite_version_info < MIN_SQLITE_VERSION:
        needed = ".".join(map(str, MIN_SQLITE_VERSION))
        raise StoreKnownError(f"GradeDesk needs SQLite {needed} or newer; this Python has "
                              f"{sqlite3.sqlite_version}.")
    data_dir = Path(data_dir)
    _secure_dir(data_dir)
    path = data_dir / DB_FILENAME
    _secure_file(path)
    db = Database(path, busy_timeout_s)
    try:
        with db._translated():
            conn = db._state().conn
            _check_version(conn, path, latest_version())  # refuse before WAL alters it
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreKnownError(f"GradeDesk cannot use its database {path}: the file "
                                      f"system does not support SQLite's WAL mode.")
            migrate(conn, path, schema_version)
        verify_file_modes(path)
    except BaseException:
        db.close()
        raise
    return db


def migrate(conn: sqlite3.Connection, path: Path, target: int | None = None) -> int:
    """Apply each pending migration in its own transaction, up to ``target`` (default latest).

    Returns the version reached. A database newer than this GradeDesk is refused untouched.
    """
    latest = latest_version()
    target = latest if target is None else target
    if not 0 <= target <= latest:
        raise StoreStateError(f"No schema version {target}; the latest is {latest}.")
    version = _check_version(conn, path, latest)
    for migration in all_migrations()[version:target]:
        script = (f"BEGIN IMMEDIATE;\n{migration.sql}\n;\n"
                  f"PRAGMA application_id = {APPLICATION_ID};\n"
                  f"PRAGMA user_version = {migration.version};\nCOMMIT;")
        try:
            conn.executescript(script)
        except sqlite3.Error as exc:
            _rollback(conn)
            # Another process may have applied the same step a moment earlier: then go on.
            if _check_version(conn, path, latest) >= migration.version:
                continue
            known = known_error(exc, path)
            if known is None:
                raise
            raise known from exc
        log.info("database %s migrated to schema %d (%s)", path, migration.version,
                 migration.name)
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _check_version(conn: sqlite3.Connection, path: Path, latest: int) -> int:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    # A file with tables of its own but no GradeDesk mark is someone else's SQLite database.
    foreign_tables = version == 0 and app_id == 0 and conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0
    if (app_id != APPLICATION_ID and (version or app_id)) or foreign_tables:
        raise StoreKnownError(f"{path} is not a GradeDesk database; GradeDesk will not change "
                              f"it. Move it away or choose another data folder.")
    if version > latest:
        raise StoreKnownError(
            f"The database {path} was written by a newer GradeDesk (schema {version}; this "
            f"version knows up to {latest}). Update GradeDesk, or use another --data-dir.")
    return version


# Windows has no owner uid or POSIX mode bits in stat (its ACLs decide, and the user's
# AppData is private to the user by default): the owner and mode checks are POSIX's.
POSIX = os.name == "posix"
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOSE_ON_EXEC = getattr(os, "O_CLOEXEC", 0)


def require_own(path: Path, info: os.stat_result, what: str) -> None:
    """Refuse a file or folder someone else owns, or a symbolic link: another user who could
    replace GradeDesk's database could point its settings (and so the keys) elsewhere."""
    if stat.S_ISLNK(info.st_mode):
        raise StoreKnownError(f"The {what} {path} is a symbolic link; GradeDesk uses only a "
                              "real file or folder of yours there.")
    if POSIX and info.st_uid != os.geteuid():
        raise StoreKnownError(f"The {what} {path} belongs to another user; GradeDesk uses "
                              "only your own. Use another --data-dir.")


def _secure_dir(data_dir: Path) -> None:
    try:
        if data_dir.is_symlink():
            require_own(data_dir, data_dir.lstat(), "data folder")
        if data_dir.exists() and not data_dir.is_dir():
            raise StoreKnownError(f"The data folder {data_dir} is not a folder.")
        data_dir.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        info = data_dir.lstat()
        require_own(data_dir, info, "data folder")
        if not stat.S_ISDIR(info.st_mode):
            raise StoreKnownError(f"The data folder {data_dir} is not a folder.")
        if POSIX and stat.S_IMODE(info.st_mode) & 0o077:
            # Grades and names are personal data: the folder is the owner's alone.
            os.chmod(data_dir, DIR_MODE)
        if POSIX and stat.S_IMODE(data_dir.stat().st_mode) & 0o077:
            raise StoreKnownError(f"The data folder {data_dir} cannot be made private (0700).")
        if not os.access(data_dir, os.W_OK | os.X_OK):
            raise StoreKnownError(f"The data folder {data_dir} is not writable.")
    except OSError as exc:
        raise StoreKnownError(
            f"GradeDesk cannot use its data folder {data_dir}: {exc.strerror or exc}.") from exc


def _secure_file(path: Path) -> None:
    """Create the file 0600 (and tighten an existing one) before SQLite opens it; SQLite gives
    its -wal and -shm files the database file's mode."""
    try:
        if path.is_symlink():
            require_own(path, path.lstat(), "database")
        fd = os.open(path, os.O_RDWR | os.O_CREAT | _CLOSE_ON_EXEC | _NO_FOLLOW, FILE_MODE)
        try:
            info = os.fstat(fd)
            require_own(path, info, "database")
            if POSIX and stat.S_IMODE(info.st_mode) != FILE_MODE:
                os.fchmod(fd, FILE_MODE)
        finally:
            os.close(fd)
    except OSError as exc:
        raise StoreKnownError(
            f"GradeDesk cannot create its database {path}: {exc.strerror or exc}.") from exc


def verify_file_modes(path: Path) -> None:
    """Check the database and its side files are 0600, tightening any that are not."""
    if not POSIX:
        return
    for candidate in (path, *(path.with_name(path.name + suffix) for suffix in _SIDE_FILES)):
        try:
            info = candidate.lstat()
            require_own(candidate, info, "database file")  # never chmod through a link
            mode = stat.S_IMODE(info.st_mode)
            if mode & 0o077:
                os.chmod(candidate, FILE_MODE, follow_symlinks=False)
                mode = stat.S_IMODE(candidate.lstat().st_mode)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise StoreKnownError(f"GradeDesk cannot check {candidate}: "
                                  f"{exc.strerror or exc}.") from exc
        if mode & 0o077:
            raise StoreKnownError(f"{candidate} cannot be made private (0600).")
