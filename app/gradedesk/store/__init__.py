"""The local SQLite store: connections, server copies, drafts, outbox, Progress jobs, audit.

The only layer that imports sqlite3. Modules: ``db`` (file, modes, migrations, transactions),
``connections``, ``snapshots`` (server copies), ``drafts``, ``outbox``, ``jobs``, ``audit``,
``grid`` (what the gradebook shows), ``comment_bank``, ``comment_thread`` (a cell's platform
comments and local edits, read-only), ``sections`` (sections from an imported file),
``health`` (``gradedesk doctor``'s look at the file, changing nothing), and what grading as a
team keeps on this computer only: ``proposals`` (grades worked out for review), ``rubrics``,
``grader_split``, ``holds`` and ``late_rules``.
"""

from gradedesk.store.db import Database, open_database
from gradedesk.store.errors import StoreKnownError, StoreStateError
from gradedesk.store.rows import (
    AuditEntry,
    BankedComment,
    BaseCopy,
    ConnectionKind,
    ConnectionRow,
    DraftRow,
    GradeRow,
    LineItemRow,
    MemberRow,
    OutboxCounts,
    OutboxEntry,
    OutboxState,
    ProgressJob,
    ServerResultRow,
    SnapshotChanges,
    SyncState,
)

__all__ = [
    "AuditEntry",
    "BankedComment",
    "BaseCopy",
    "ConnectionKind",
    "ConnectionRow",
    "Database",
    "DraftRow",
    "GradeRow",
    "LineItemRow",
    "MemberRow",
    "OutboxCounts",
    "OutboxEntry",
    "OutboxState",
    "ProgressJob",
    "ServerResultRow",
    "SnapshotChanges",
    "StoreKnownError",
    "StoreStateError",
    "SyncState",
    "open_database",
]
