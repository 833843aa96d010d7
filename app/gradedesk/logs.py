"""Logging setup: one file in the user's log folder, and a filter that redacts secrets."""

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

LOG_MAX_BYTES = 2 * 1024 * 1024
LOG_BACKUPS = 3


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
                                 os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
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


def _private_log_file(log_dir: Path) -> Path:
    """The log file, owner-only in an owner-only folder; a folder or file that is a symbolic
    link or someone else's is refused, and loose modes left from before are tightened."""
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for path in (log_dir, log_dir / "gradedesk.log"):
        if not path.exists() and not path.is_symlink():
            continue
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode) or info.st_uid != os.geteuid():
            raise GradeDeskError(f"The log {'folder' if path == log_dir else 'file'} {path} "
                                 "is a symbolic link or another user's; GradeDesk will not "
                                 "write there.")
    if stat.S_IMODE(log_dir.lstat().st_mode) & 0o077:
        os.chmod(log_dir, 0o700)
    log_file = log_dir / "gradedesk.log"
    descriptor = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW,
                         0o600)
    try:
        if stat.S_IMODE(os.fstat(descriptor).st_mode) & 0o077:
            os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)
    return log_file


def configure_logging(log_dir: Path | None, *, verbose: bool = False) -> None:
    """Log to ``log_dir/gradedesk.log`` (owner-only) and warnings to stderr, all redacted."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    redactor = RedactingFilter()
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.addFilter(redactor)
    console.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    handlers: list[logging.Handler] = [console]
    if log_dir is not None:
        log_file = _private_log_file(log_dir)
        to_file = private_rotating_file_handler()(
            log_file, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
        to_file.addFilter(redactor)
        to_file.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handlers.append(to_file)
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in handlers:
        root.addHandler(handler)
    # httpx logs every request's full URL, query and all (student ids): GradeDesk logs its
    # own request lines (method, path, status) instead.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
