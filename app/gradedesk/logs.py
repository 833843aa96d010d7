"""Logging setup: one file in the user's log folder, and a filter that redacts secrets.

The file (``gradedesk.log``, rotated, owner-only) gets INFO and up: each platform request's
line (method, URL without query or student ids, status, milliseconds), what sync decided, and
the traceback of every unexpected error. With ``--verbose`` it gets DEBUG too, and stderr
shows everything; otherwise stderr shows warnings only, and never a traceback."""

from __future__ import annotations

import logging
import os
import stat
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gradedesk.domain import GradeDeskError
from gradedesk.domain.redaction import redact

if TYPE_CHECKING:
    import logging.handlers

# Windows has no owner uid, POSIX mode bits or O_NOFOLLOW (ACLs decide; the user's log
# folder is private to the user by default): those checks are POSIX's.
_POSIX = os.name == "posix"
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)

LOG_MAX_BYTES = 2 * 1024 * 1024
LOG_BACKUPS = 3
LOG_FILENAME = "gradedesk.log"
# A record carrying this attribute (``extra={FILE_ONLY: True}``) stays off a console that is
# not verbose: tracebacks go to the log file, stderr gets one plain line from the caller.
FILE_ONLY = "gradedesk_file_only"
# Records kept in memory while the log file waits to be opened (open_file_later).
_MAX_PENDING_RECORDS = 1000
_FILE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@cache
def private_rotating_file_handler() -> type[logging.handlers.RotatingFileHandler]:
    """The file handler class, made on first use: ``logging.handlers`` (which loads socket
    and pickle) is imported only by a process that writes a log file."""
    import logging.handlers

    class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
        """Rotates like its parent; every file it opens (a fresh one after a rotation too) is
        the owner's alone, whatever the umask."""

        def _open(self) -> Any:
            descriptor = os.open(self.baseFilename,
                                 os.O_WRONLY | os.O_CREAT | os.O_APPEND | _NO_FOLLOW, 0o600)
            return os.fdopen(descriptor, self.mode, encoding=self.encoding, errors=self.errors)

    return PrivateRotatingFileHandler


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message so no handler ever sees a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            # Render the traceback now, redacted, so a formatter cannot re-add the original.
            cleaned += "\n" + redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
            record.exc_text = None
        record.msg, record.args = cleaned, None
        return True


class _NotFileOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(record, FILE_ONLY, False)


class _PendingLogFile(logging.Handler):
    """Stands in for the log file until ``open_pending_log_file``: keeps the records (up to
    ``_MAX_PENDING_RECORDS``), so the window's first frame does not wait for the rotating file
    handler's imports."""

    def __init__(self, log_file: Path) -> None:
        super().__init__()
        self.log_file = log_file
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) < _MAX_PENDING_RECORDS:
            self.records.append(record)


def _open_file_handler(log_file: Path, redactor: logging.Filter) -> logging.Handler:
    to_file = private_rotating_file_handler()(
        log_file, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
    to_file.addFilter(redactor)
    to_file.setFormatter(logging.Formatter(_FILE_FORMAT))
    return to_file


def _private_log_file(log_dir: Path) -> Path:
    """The log file, owner-only in an owner-only folder; a folder or file that is a symbolic
    link or someone else's is refused, and loose modes left from before are tightened."""
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for path in (log_dir, log_dir / LOG_FILENAME):
        if not path.exists() and not path.is_symlink():
            continue
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode) or (_POSIX and info.st_uid != os.geteuid()):
            raise GradeDeskError(f"The log {'folder' if path == log_dir else 'file'} {path} "
                                 "is a symbolic link or another user's; GradeDesk will not "
                                 "write there.")
    if _POSIX and stat.S_IMODE(log_dir.lstat().st_mode) & 0o077:
        os.chmod(log_dir, 0o700)
    log_file = log_dir / LOG_FILENAME
    descriptor = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND | _NO_FOLLOW, 0o600)
    try:
        if _POSIX and stat.S_IMODE(os.fstat(descriptor).st_mode) & 0o077:
            os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)
    return log_file


def configure_logging(log_dir: Path | None, *, verbose: bool = False,
                      open_file_later: bool = False) -> None:
    """Log to ``log_dir/gradedesk.log`` (owner-only) and warnings to stderr, all redacted;
    ``verbose``: DEBUG to the file and to stderr. ``open_file_later`` (the window): the
    records wait in memory until ``open_pending_log_file``, which the window calls once its
    first frame is up."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    redactor = RedactingFilter()
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    if not verbose:
        console.addFilter(_NotFileOnly())
    console.addFilter(redactor)
    console.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    handlers: list[logging.Handler] = [console]
    if log_dir is not None:
        log_file = _private_log_file(log_dir)
        if open_file_later:
            pending = _PendingLogFile(log_file)
            pending.addFilter(redactor)
            handlers.append(pending)
        else:
            handlers.append(_open_file_handler(log_file, redactor))
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in handlers:
        root.addHandler(handler)
    # httpx logs every request's full URL, query and all (student ids): GradeDesk logs its
    # own request lines (method, path, status) instead.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def open_pending_log_file() -> None:
    """Open the log file that ``configure_logging(..., open_file_later=True)`` left waiting,
    and write the records kept meanwhile. Does nothing when no file is waiting."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _PendingLogFile):
            to_file = _open_file_handler(handler.log_file, RedactingFilter())
            root.addHandler(to_file)
            root.removeHandler(handler)
            for record in handler.records:
                to_file.handle(record)
            handler.records.clear()
            handler.close()


def current_log_file() -> Path | None:
    """The file the log goes to (or will, once opened), if any."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, _PendingLogFile):
            return handler.log_file
        filename = getattr(handler, "baseFilename", None)
        if isinstance(filename, str):
            return Path(filename)
    return None


def log_crash(error: BaseException, doing: str) -> Path | None:
    """Log an unexpected exception (a GradeDesk bug) with its traceback, redacted, in the log
    file; stderr shows it only when verbose. ``doing``: what GradeDesk was doing ("in the
    window", "while saving"). Returns the log file that holds it, if there is one."""
    open_pending_log_file()  # a traceback is worth the file handler's imports
    logging.getLogger("gradedesk.crash").error(
        "Unexpected error (%s) %s", type(error).__name__, doing,
        exc_info=(type(error), error, error.__traceback__), extra={FILE_ONLY: True})
    return current_log_file()
