"""Canvas gradebook CSV export and import over the store: what the CLI and the window share.

Import is two steps: :func:`plan_gradebook_import` checks the whole file against the course and
lists every change it would make and every problem (a bad cell, an unknown student or column,
each with its line and column); :func:`apply_import` then saves every change as a draft in one
transaction. A file with any problem imports nothing. A blank cell means "no change", never
"clear the grade". :func:`read_import_file` and :func:`export_to_file` add the file handling
both shells need (a workbook that is not CSV said plainly, an export that never leaves a
half-written file).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from gradedesk.domain import InputError, check_score_against_maximum, is_above_maximum
from gradedesk.domain.gradebook_csv import (
    CellProblem,
    GradebookColumn,
    GradebookCsvError,
    GradebookRow,
    read_gradebook,
    write_gradebook,
)
from gradedesk.domain.safe_text import one_line
from gradedesk.store import ConnectionRow, Database, MemberRow, drafts, grid, sections, snapshots
from gradedesk.store.rows import LineItemRow
from gradedesk.sync.files import replace_file

# A gradebook of 2,000 students and 60 columns is about 1 MB; a file this big was picked by
# mistake (a video, a database) and is refused before it is read into memory.
MAX_IMPORT_BYTES = 50 * 1024 * 1024
# What spreadsheet files that are not CSV start with: a zip (.xlsx, .ods, .numbers) and the
# old binary Excel format (.xls).
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
MAX_SECTION_LENGTH = 200  # Canvas's section names are short; a longer cell is not one


def export_gradebook(db: Database, connection: ConnectionRow, out: TextIO,
                     line_items: Sequence[LineItemRow] | None = None) -> int:
    """Write the learners' scores as shown (drafts over server copies); returns the rows."""
    items = list(line_items) if line_items is not None else snapshots.list_line_items(
        db, connection.id)
    columns = [GradebookColumn(item.short_id, item.label, item.score_maximum)
               for item in items]
    cells = grid.gradebook_cells(db, connection.id)
    members = snapshots.list_members(db, connection.id, learners_only=True)
    rows = [GradebookRow(
        student=member.sort_name, user_id=member.user_id, section=member.section or "",
        sis_login_id=member.email or "",
        scores={item.short_id: getattr(cells.get((item.id, member.user_id)), "score", None)
                for item in items})
        for member in members]
    write_gradebook(out, columns, rows)
    return len(rows)


def export_to_file(db: Database, connection: ConnectionRow, target: Path,
                   line_items: Sequence[LineItemRow] | None = None) -> int:
    """Export into ``target`` (readable by you alone when new: it holds grades), so that a
    failed write (a full disk, a folder that is not writable) leaves an existing file as it
    was; returns the rows. InputError says what went wrong."""
    return replace_file(target, lambda out: export_gradebook(db, connection, out, line_items),
                        newline="", private=True)


@dataclass(frozen=True, slots=True)
class PlannedChange:
    line_item_url: str
    line_item_label: str
    user_id: str
    student: str
    old_score: float | None
    new_score: float
    # Whether the cell has a local change already (an undo of the import keeps it then).
    had_draft: bool = False
    score_maximum: float | None = None

    @property
    def extra_credit(self) -> bool:
        return is_above_maximum(self.new_score, self.score_maximum)

    def to_json(self) -> dict[str, object]:
        return {"line_item": self.line_item_url, "line_item_label": self.line_item_label,
                "user_id": self.user_id, "student": self.student, "old": self.old_score,
                "new": self.new_score}


@dataclass(frozen=True, slots=True)
class PlannedSection:
    """A student's section as the file's Section column gives it, where it differs from the
    one kept. No platform's Names and Roles reply carries sections, so a file is where they
    come from; later pulls keep them (store.sections) and export writes them back."""

    user_id: str
    student: str
    old_section: str | None
    new_section: str

    def to_json(self) -> dict[str, object]:
        return {"user_id": self.user_id, "student": self.student, "old": self.old_section,
                "new": self.new_section}


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """Everything a gradebook file would do: the changes, and the problems that stop it."""

    changes: tuple[PlannedChange, ...]
    problems: tuple[CellProblem, ...] = ()
    unchanged: int = 0  # cells that hold the file's score already
    students: int = 0  # student rows in the file
    columns: int = 0  # line item columns in the file
    sections: tuple[PlannedSection, ...] = ()  # set with apply_sections

    @property
    def can_apply(self) -> bool:
        return not self.problems and bool(self.changes or self.sections)


def plan_gradebook_import(db: Database, connection: ConnectionRow,
                          source: TextIO) -> ImportPlan:
    """Check a gradebook file against the course. Never raises for what is in the file: a
    cell, a row or a column that cannot be imported is listed in ``problems`` (and the changes
    of the rest are still listed, for the grader to see what the file holds)."""
    try:
        book = read_gradebook(source)
    except GradebookCsvError as unreadable:
        return ImportPlan((), unreadable.problems)
    items = {item.short_id: item for item in snapshots.list_line_items(db, connection.id)}
    members = {m.user_id: m for m in snapshots.list_members(db, connection.id,
                                                            learners_only=True)}
    problems: list[CellProblem] = []
    for column in book.columns:
        if column.short_id not in items:
            problems.append(CellProblem(1, column.header,
                                        "no line item with this id in the connection"))
    for row in book.rows:
        if row.user_id not in members:
            problems.append(CellProblem(row.line, "ID", f"{row.student or row.user_id!r} "
                                                        f"({row.user_id}) is not a student "
                                                        "here"))
    cells = grid.gradebook_cells(db, connection.id)
    with_draft = {(d.line_item_url, d.user_id) for d in drafts.list_drafts(db, connection.id)}
    changes: list[PlannedChange] = []
    unchanged = 0
    for row in book.rows:
        member = members.get(row.user_id)
        for column in book.columns:
            new = row.scores.get(column.short_id)
            item = items.get(column.short_id)
            if new is None or item is None or member is None:
                continue
            try:
                check_score_against_maximum(new, item.score_maximum)
            except InputError as typo:
                problems.append(CellProblem(row.line, column.header, typo.user_message))
                continue
            shown = cells.get((item.id, row.user_id))
            old = shown.score if shown is not None else None
            if old is not None and math.isclose(old, new, abs_tol=1e-9):
                unchanged += 1
                continue
            changes.append(PlannedChange(item.url, item.label, row.user_id, member.sort_name,
                                         old, new, (item.url, row.user_id) in with_draft,
                                         item.score_maximum))
    planned_sections = _plan_sections(book.rows, members, problems,
                                      sections.platform_sectioned(db, connection.id))
    problems.sort(key=lambda problem: problem.line)
    return ImportPlan(tuple(changes), tuple(problems), unchanged, len(book.rows),
                      len(book.columns), planned_sections)


def plan_import(db: Database, connection: ConnectionRow, source: TextIO) -> list[PlannedChange]:
    """Every score the file would change; GradebookCsvError naming each problem otherwise."""
    plan = plan_gradebook_import(db, connection, source)
    if plan.problems:
        raise GradebookCsvError(plan.problems)
    return list(plan.changes)


def read_import_file(db: Database, connection: ConnectionRow, path: Path) -> ImportPlan:
    """Read a gradebook file from disk and plan its import. InputError when the file cannot
    be read at all (missing, too big, a workbook rather than CSV); problems inside the file
    are in the plan."""
    path = path.expanduser()
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise InputError(f"{path.name} is {size // (1024 * 1024)} MB: too big for a "
                             "gradebook CSV file. Choose the CSV file exported from the "
                             "gradebook.")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if data.startswith(_WORKBOOK_MAGIC):
        raise InputError(f"{path.name} is a spreadsheet workbook, not a CSV file: in the "
                         "spreadsheet, save it as CSV (File > Save As, or Download as CSV) "
                         "and import that file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ImportPlan((), (CellProblem(0, "", "not UTF-8 text; save it from the "
                                                  "spreadsheet as \"CSV UTF-8\""),))
    return plan_gradebook_import(db, connection, io.StringIO(text, newline=""))


def apply_import(db: Database, connection: ConnectionRow,
                 changes: Sequence[PlannedChange]) -> int:
    """Save every planned change as a queued draft, all or nothing."""
    if not changes:
        return 0
    try:
        with db.transaction():
            for change in changes:
                drafts.save_draft(db, connection.id, change.line_item_url, change.user_id,
                                  drafts.DraftEdit(score_given=change.new_score))
    except InputError as exc:
        raise InputError(f"Nothing was imported: {exc.user_message}") from exc
    return len(changes)


def _plan_sections(rows: Sequence[GradebookRow], members: dict[str, MemberRow],
                   problems: list[CellProblem],
                   from_platform: set[str]) -> tuple[PlannedSection, ...]:
    """The sections the file's Section column changes (a blank cell changes nothing, nor does
    a file change a section the platform gave)."""
    found = []
    for row in rows:
        member = members.get(row.user_id)
        section = one_line(row.section)
        if member is None or not section or row.user_id in from_platform:
            continue
        if len(section) > MAX_SECTION_LENGTH:
            problems.append(CellProblem(row.line, "Section", "a section name is at most "
                                                             f"{MAX_SECTION_LENGTH} characters"))
        elif member.section != section:
            found.append(PlannedSection(row.user_id, member.sort_name, member.section, section))
    return tuple(found)


def apply_sections(db: Database, connection: ConnectionRow,
                   planned: Sequence[PlannedSection]) -> int:
    """Set the planned sections in one transaction; returns how many changed."""
    return sections.set_sections(db, connection.id,
                                 {change.user_id: change.new_section for change in planned})


def import_sections(db: Database, connection: ConnectionRow, source: TextIO) -> int:
    """Set the sections a gradebook file gives (scores in it are not imported); returns how
    many changed. GradebookCsvError when the file has a problem."""
    plan = plan_gradebook_import(db, connection, source)
    if plan.problems:
        raise GradebookCsvError(plan.problems)
    return apply_sections(db, connection, plan.sections)
