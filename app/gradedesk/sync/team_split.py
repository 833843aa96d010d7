"""Splitting a course's students among graders, and finding one grader's students: the CLI
and the window both call this.

A split is computed from the roster as this computer last pulled it: learners only, and not
the user ids a grader typed here (those exist on one computer only, so a split that counted
them would differ from a colleague's). Every student, not only the submissions waiting today:
who has submitted changes by the hour and differs between two TAs' last pulls, while the
roster does not, so each TA computes the same split alone and keeps it as the term goes on.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gradedesk.domain import InputError
from gradedesk.domain.grader_split import (
    SplitMode,
    SplitStudent,
    parse_graders,
    read_split_document,
    split_document,
    split_students,
)
from gradedesk.store import ConnectionRow, Database, snapshots
from gradedesk.store.grader_split import (
    StoredSplit,
    identity,
    list_splits,
    require_split,
    save_split,
    split_for,
)
from gradedesk.store.rows import LineItemRow, MemberRow
from gradedesk.sync.files import replace_file
from gradedesk.sync.lookup import find_line_item


def roster_for_split(db: Database, connection: ConnectionRow) -> list[SplitStudent]:
    """The students a split assigns: the roster's learners (typed user ids left out)."""
    return [SplitStudent(member.user_id, member.sort_name, member.section)
            for member in snapshots.list_members(db, connection.id, learners_only=True)
            if member.source != "typed"]


def course_address(connection: ConnectionRow) -> str | None:
    """What names the course in a split file: its line items URL (the LTIAAS address)."""
    value = connection.settings.get("lineitems_url") or connection.settings.get("url")
    return str(value) if value else None


def make_split(db: Database, connection: ConnectionRow, line_item: LineItemRow | None,
               graders: str | Sequence[str], mode: SplitMode | str = SplitMode.BALANCED,
               seed: int = 0) -> StoredSplit:
    """Split the roster among ``graders`` and store it for a column (None: every column)."""
    roster = roster_for_split(db, connection)
    if not roster:
        raise InputError(f"{connection.name!r} has no students yet; run "
                         f"`gradedesk pull {connection.name}` first.")
    split = split_students(roster, parse_graders(graders), mode, seed)
    return save_split(db, connection.id, line_item.url if line_item else None, split,
                      source="computed")


@dataclass(frozen=True, slots=True)
class LoadedSplit:
    """A split file, stored, and how it fits this computer's roster."""

    stored: StoredSplit
    line_item: LineItemRow | None  # None: every column
    unknown: tuple[str, ...]  # user ids the roster does not have (kept: a pull may bring them)
    missing: tuple[MemberRow, ...]  # learners in no grader's list


def load_split(db: Database, connection: ConnectionRow, document: object) -> LoadedSplit:
    """Check a split file (as ``json.load`` read it) against this connection and store it.
    A student listed for two graders, a file for another course or an unknown column is
    refused; students the roster does not have are kept and reported, as are learners the
    file leaves out."""
    members = {m.user_id: m for m in snapshots.list_members(db, connection.id,
                                                            learners_only=True)}

    def name_of(user_id: str) -> str:
        member = members.get(user_id)
        return f"{member.sort_name} ({user_id})" if member is not None else user_id

    read = read_split_document(document, name_of=name_of)
    ours = course_address(connection)
    if read.course is not None and ours is not None and read.course != ours:
        raise InputError(f"This split is for another course ({read.course}); "
                         f"{connection.name!r} is {ours}. Remove \"course\" from the file to "
                         "load it anyway.")
    line_item = None if read.line_item is None else \
        find_line_item(db, connection, read.line_item)
    stored = save_split(db, connection.id, line_item.url if line_item else None, read.split,
                        source="file")
    listed = read.split.owners()
    return LoadedSplit(
        stored=stored, line_item=line_item,
        unknown=tuple(user_id for user_id in listed if user_id not in members),
        missing=tuple(member for member in members.values() if member.user_id not in listed))


@dataclass(frozen=True, slots=True)
class GraderShare:
    """One grader's students in one column, and the split they come from."""

    stored: StoredSplit
    grader: str
    user_ids: frozenset[str]


def grader_share(db: Database, connection: ConnectionRow, line_item: LineItemRow,
                 grader: str | None) -> GraderShare:
    """``grader``'s students in a column (None: the grader remembered on this computer),
    from the column's split or the course's. InputError when there is no split, when no
    grader is given or remembered, or when the name is not one of the split's graders."""
    stored = require_split(split_for(db, connection.id, line_item.url), connection.name,
                           f"{line_item.label} ({line_item.short_id})")
    wanted = grader if grader is not None else identity(db, connection.id)
    if wanted is None:
        graders = ", ".join(stored.split.graders)
        raise InputError(f"Which grader are you ({graders})? Give --grader NAME, or remember "
                         f"it with `gradedesk split {connection.name} --grader NAME`.")
    name = stored.split.find_grader(wanted)
    return GraderShare(stored, name, frozenset(stored.split.students_of(name)))


# --- the file form ---------------------------------------------------------------------------


def split_file_document(db: Database, connection: ConnectionRow,
                        stored: StoredSplit) -> dict[str, Any]:
    """A stored split in its file form, with the students' names for the reader."""
    item = None if stored.line_item_url is None else \
        snapshots.get_line_item(db, connection.id, stored.line_item_url)
    names = {m.user_id: m.sort_name for m in snapshots.list_members(
        db, connection.id, include_missing=True)}
    return split_document(
        stored.split, connection=connection.name, course=course_address(connection),
        line_item=None if item is None else {"id": item.url, "short_id": item.short_id,
                                             "label": item.label},
        names=names)


def write_split_file(document: dict[str, Any], target: Path) -> None:
    """Write a split file, readable by you alone like the database (it names students); a
    failed write leaves an existing file as it was."""
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    replace_file(target, lambda out: out.write(text), private=True)


def read_split_file(source: Path) -> object:
    """A split file's JSON; InputError when it cannot be read or is not JSON."""
    source = source.expanduser()
    try:
        text = source.read_text(encoding="utf-8-sig")  # a BOM from a Windows editor
    except OSError as exc:
        raise InputError(f"Cannot read {source}: {exc.strerror or exc}.") from exc
    except UnicodeDecodeError:
        raise InputError(f"{source} is not UTF-8 text.") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source} is not valid JSON (line {exc.lineno}, column "
                         f"{exc.colno}: {exc.msg}).") from None


def shares_by_line_item(db: Database, connection_id: int,
                        grader: str) -> dict[str, frozenset[str]]:
    """A grader's students per column (line item URL), in every column whose split (its
    own, else the course's) has that grader; columns without one are left out (grading mode
    then shows everyone's there, as the grids do)."""
    splits = list_splits(db, connection_id)
    if not splits:
        return {}
    own = {stored.line_item_id: stored for stored in splits}
    course = own.get(None)
    shares = {}
    for item in snapshots.list_line_items(db, connection_id):
        stored = own.get(item.id, course)
        if stored is not None and grader in stored.split.graders:
            shares[item.url] = frozenset(stored.split.students_of(grader))
    return shares
