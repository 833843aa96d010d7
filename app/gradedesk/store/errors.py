"""The store's errors: disk-level trouble a user can act on, told apart from bugs.

StoreKnownError covers what the machine does to us (folder not writable, disk full, a damaged
file, a database from a newer GradeDesk, another process holding the lock too long). Anything
else escaping the store (a constraint violated, a wrong state transition) is a bug.
"""

from __future__ import annotations

from gradedesk.domain import GradeDeskError


class StoreKnownError(GradeDeskError):
    """The database cannot be used for a reason outside GradeDesk's code; the message says why."""


class StoreStateError(RuntimeError):
    """A caller asked for an impossible change (e.g. mark_sent on a queued entry): a bug."""
