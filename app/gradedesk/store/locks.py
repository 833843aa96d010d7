"""One push per connection at a time, across processes (two terminals, or the window and a
terminal): an exclusive lock on a file beside the database, which the operating system
releases when its process ends, however it ends (a crash, SIGKILL).

While a push holds the lock, no other process is sending that connection's grades, so the
entries it finds ``sending`` were left by a process that is gone: recovering them is safe.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from gradedesk.store.db import Database
from gradedesk.store.errors import StoreKnownError

POLL_S = 0.2

if sys.platform == "win32":
    import msvcrt

    # Windows locks byte ranges, and a locked byte cannot be read by others: lock one byte
    # well past the holder's process id, so a waiting push can still say who holds it.
    _LOCKED_BYTE = 1 << 30

    def _try_lock(descriptor: int) -> bool:
        os.lseek(descriptor, _LOCKED_BYTE, os.SEEK_SET)
        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EDEADLK):
                raise
            return False
        return True

    def _unlock(descriptor: int) -> None:
        os.lseek(descriptor, _LOCKED_BYTE, os.SEEK_SET)
        msvcrt.locking(descriptor, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(descriptor: int) -> bool:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            return False
        return True

    def _unlock(descriptor: int) -> None:
        fcntl.flock(descriptor, fcntl.LOCK_UN)


class AnotherPushRunning(StoreKnownError):
    """Another process (or window) is pushing this connection's grades right now."""


def lock_path(db: Database, connection_id: int) -> Path:
    return db.path.parent / f"push-{connection_id}.lock"


@contextlib.contextmanager
def push_lock(db: Database, connection_id: int, connection_name: str, *, wait_s: float = 0.0,
              wait: Callable[[float], object] = time.sleep) -> Iterator[None]:
    """Hold the connection's push lock for the block; waits up to ``wait_s`` for another push
    to finish (``wait`` sleeps, and may raise to cancel), then says who holds it."""
    path = lock_path(db, connection_id)
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0),
                             0o600)
    except OSError as exc:
        raise StoreKnownError(f"Cannot use the push lock {path}: {exc.strerror}.") from exc
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                if _try_lock(descriptor):
                    break
            except OSError as exc:
                raise StoreKnownError(f"Cannot take the push lock {path}: "
                                      f"{exc.strerror}.") from exc
            if time.monotonic() >= deadline:
                holder = _holder(descriptor)
                raise AnotherPushRunning(
                    f"Another push of {connection_name!r} is running"
                    + (f" (process {holder})" if holder else "")
                    + "; its grades go out once. Try again when it has finished.")
            wait(POLL_S)
        os.ftruncate(descriptor, 0)
        os.lseek(descriptor, 0, os.SEEK_SET)
        os.write(descriptor, str(os.getpid()).encode("ascii"))
        try:
            yield
        finally:
            os.ftruncate(descriptor, 0)
            _unlock(descriptor)
    finally:
        os.close(descriptor)


def _holder(descriptor: int) -> str | None:
    try:
        os.lseek(descriptor, 0, os.SEEK_SET)  # os.pread is POSIX only
        text = os.read(descriptor, 32).decode("ascii", "replace").strip()
    except OSError:
        return None
    return text if text.isdigit() else None
