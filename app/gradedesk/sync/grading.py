"""Recording a grader's edit, and the platform rules that apply to it: what the quick local
commands need, without the HTTP stack the engine brings."""

from __future__ import annotations

from datetime import datetime

from gradedesk.domain import InputError
from gradedesk.platforms.profiles import PlatformProfile, profile_of
from gradedesk.store import ConnectionKind, ConnectionRow, Database, DraftRow, drafts


def save_grade(db: Database, connection: ConnectionRow, line_item_url: str, user_id: str,
               edit: drafts.DraftEdit, *, now: datetime | None = None) -> DraftRow:
    """Save a grader's edit as a queued draft. Needs no network: grading works offline."""
    if not line_item_url or not user_id:
        raise InputError("A grade needs a line item and a student.")
    return drafts.save_draft(db, connection.id, line_item_url, user_id, edit, now=now)


def profile_for(connection: ConnectionRow) -> PlatformProfile | None:
    """The platform profile of an LTI connection (None for LTIAAS, which hides the LMS)."""
    if connection.kind is not ConnectionKind.LTI:
        return None
    return profile_of(connection.settings)
