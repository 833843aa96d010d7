"""Sections from an imported file on a real database file: kept by pulls while the platform
gives none, replaced by one the platform gives, and never put over the platform's."""

from __future__ import annotations

from store_support import member

from gradedesk.store import snapshots
from gradedesk.store.db import Database
from gradedesk.store.sections import platform_sectioned, set_sections


def _sections(db: Database, connection_id: int) -> dict[str, str | None]:
    return {m.user_id: m.section for m in snapshots.list_members(db, connection_id)}


def test_a_files_sections_survive_pulls_until_the_platform_gives_one(
        db: Database, connection_id: int) -> None:
    roster = [member("u1"), member("u2"), member("u3")]
    snapshots.upsert_members(db, connection_id, roster)
    assert set_sections(db, connection_id, {"u1": "A", "u2": "B", "nobody": "C"}) == 2
    assert set_sections(db, connection_id, {"u1": "A"}) == 0  # already so
    snapshots.upsert_members(db, connection_id, roster)  # a pull: the platform names none
    assert _sections(db, connection_id) == {"u1": "A", "u2": "B", "u3": None}
    assert platform_sectioned(db, connection_id) == set()

    # A platform that names sections wins, and a file does not put its own over them.
    snapshots.upsert_members(db, connection_id, roster, sections={"u2": "Platform B"})
    assert _sections(db, connection_id) == {"u1": "A", "u2": "Platform B", "u3": None}
    assert platform_sectioned(db, connection_id) == {"u2"}
    assert set_sections(db, connection_id, {"u2": "File B", "u3": "C"}) == 1
    assert _sections(db, connection_id) == {"u1": "A", "u2": "Platform B", "u3": "C"}

    # When the platform stops naming it, the platform's section goes; the file's stay.
    snapshots.upsert_members(db, connection_id, roster)
    assert _sections(db, connection_id) == {"u1": "A", "u2": None, "u3": "C"}
