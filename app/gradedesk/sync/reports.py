"""Moved to gradedesk.sync.read_model (kept while the window moves over)."""

from gradedesk.sync.read_model import (  # noqa: F401
    ConflictView,
    conflicts_of,
    find_line_item,
    find_member,
    names_of,
    status_of,
)
