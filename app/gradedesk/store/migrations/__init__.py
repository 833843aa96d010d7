"""Numbered SQL migrations (``0001_initial.sql``, ...), each applied in one transaction.

The schema version is SQLite's ``PRAGMA user_version``: 0 for an empty file, N once migration N
has been applied. Files are numbered from 1 without gaps; a new schema change is a new file,
never an edit of an applied one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step: its number (the user_version it leads to), file name and SQL."""

    version: int
    name: str
    sql: str


@cache
def all_migrations() -> tuple[Migration, ...]:
    """Every migration shipped with this version, in order (checked for gaps: a gap is a bug)."""
    found: list[Migration] = []
    for entry in resources.files(__package__).iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name,
                                   entry.read_text(encoding="utf-8")))
    found.sort(key=lambda migration: migration.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"Migrations are not numbered 1..N without gaps: {found!r}")
    return tuple(found)


def latest_version() -> int:
    """The schema version this GradeDesk writes."""
    return len(all_migrations())
