"""What every part of the window shares: the store, the keyring and the sandboxes it started.

Passed explicitly (no module-level singletons). Nothing here touches Qt, so it can be built
and closed from tests and from the screenshot entry point alike; nor the network stack or the
keyring (``bootstrap``, httpx, keyring load with the first job that needs them), so the window
paints first.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from gradedesk.secrets import SecretStore
from gradedesk.store import Database, open_database


class StoppableSandbox(Protocol):
    """The part of a running sandbox the window needs (the sandbox package stays optional)."""

    info: dict[str, object]

    def stop(self) -> None: ...


@dataclass
class AppContext:
    """The open database, the keyring and the sandboxes started by this process.

    Threading: ``db`` and ``secrets`` may be used from any worker thread; ``sandboxes`` is
    guarded by a lock because the network lane starts them and the GUI thread stops them.
    """

    data_dir: Path
    db: Database
    secrets: SecretStore
    grader: str | None = None
    _sandboxes: dict[str, StoppableSandbox] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, data_dir: Path, secrets: SecretStore | None = None) -> AppContext:
        """Open (creating owner-only) the database in ``data_dir``. Disk I/O: call it before
        the window shows, or from a worker."""
        return cls(data_dir=data_dir, db=open_database(data_dir),
                   secrets=secrets or SecretStore())

    def adopt_sandbox(self, connection_name: str, sandbox: StoppableSandbox) -> None:
        """Keep a sandbox this process started, replacing (and stopping) an older one."""
        with self._lock:
            older = self._sandboxes.pop(connection_name, None)
            self._sandboxes[connection_name] = sandbox
        if older is not None:
            older.stop()

    def stop_sandbox(self, connection_name: str) -> None:
        """Stop the sandbox behind a connection, if this process started it. Done before a
        new one starts: the old one saves its course as it stops, and must not write over
        the new course in the same folder."""
        with self._lock:
            running = self._sandboxes.pop(connection_name, None)
        if running is not None:
            running.stop()

    def sandbox_of(self, connection_name: str) -> StoppableSandbox | None:
        """The running sandbox behind a connection, if this process started it."""
        with self._lock:
            return self._sandboxes.get(connection_name)

    def close(self) -> None:
        """Stop every sandbox this process started and close the database (at shutdown)."""
        with self._lock:
            sandboxes, self._sandboxes = list(self._sandboxes.values()), {}
        for sandbox in sandboxes:
            sandbox.stop()
        self.db.close()
