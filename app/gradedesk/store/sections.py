"""Sections that come from outside Names and Roles: the Section column of an imported Canvas
gradebook CSV.

No platform's Names and Roles reply carries a section (Canvas documents none; the NRPS spec
has no such field), so a file is where sections come from. A section set here is marked as
from a file (``members.section_from_file``, schema 6): later pulls keep it while the platform
gives none (``snapshots.upsert_members``), and a file never replaces a section the platform
gave.
"""

from __future__ import annotations

from collections.abc import Mapping

from gradedesk.store.db import Database


def set_sections(db: Database, connection_id: int, sections: Mapping[str, str]) -> int:
    """Give each listed member (by user id) the section named, in one transaction. Members the
    roster does not have, and members whose section came from the platform, are left as they
    are. Returns how many sections changed."""
    changed = 0
    with db.transaction() as conn:
        for user_id, section in sections.items():
            cursor = conn.execute(
                "UPDATE members SET section = ?, section_from_file = 1 "
                "WHERE connection_id = ? AND user_id = ? AND section IS NOT ? "
                "AND (section IS NULL OR section_from_file = 1)",
                (section, connection_id, user_id, section))
            changed += cursor.rowcount
    return changed


def platform_sectioned(db: Database, connection_id: int) -> set[str]:
    """The members whose section the platform gave (a file does not change those)."""
    with db.read() as conn:
        rows = conn.execute("SELECT user_id FROM members WHERE connection_id = ? "
                            "AND section IS NOT NULL AND section_from_file = 0",
                            (connection_id,)).fetchall()
    return {row[0] for row in rows}
