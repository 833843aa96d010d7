"""Numbered SQL migrations (``0001_initial.sql``, ...), each applied in one transaction.

The schema version is SQLite's ``PRAGMA user_version``: 0 for an empty file, N once migration N
has been applied. Files are numbered from 1 without gaps; a new schema change is a new file,
never an edit of an applied one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

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
    for entry in _folder().iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name,
                                   entry.read_text(encoding="utf-8")))
    found.sort(key=lambda migration: migration.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"Migrations are not numbered 1..N without gaps: {found!r}")
    return tuple(found)


def _folder() -> Traversable:
    """Where the SQL files are: this package's folder when installed as files (the usual
    case, read directly: every command opens the database, and importlib.resources costs
    each one a dozen imports), else wherever importlib.resources finds them (a zip)."""
    here = Path(__file__).parent
    if here.is_dir():
        return here
    from importlib import resources

    return resources.files(__package__)


def latest_version() -> int:
    """The schema version this GradeDesk writes."""
    return len(all_migrations())
