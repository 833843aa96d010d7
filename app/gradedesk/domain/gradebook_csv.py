"""Canvas's gradebook CSV layout: Student, ID, SIS User ID, SIS Login ID, Section, then one
column per assignment headed ``Name (id)``; Canvas puts a "Points Possible" row first.

Reading is all-or-nothing: every bad cell is reported with its line in the file and its
column, and a caller applies nothing unless the whole file is clean. Files from spreadsheets in
comma-decimal locales separate cells with ";" (Excel) or tabs: the delimiter is found from the
header.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TextIO

from gradedesk.domain.errors import InputError
from gradedesk.domain.models import parse_score_input
from gradedesk.domain.safe_text import FORMULA_STARTS, one_line, spreadsheet_safe

FIXED_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "Points Possible"
DELIMITERS = (",", ";", "\t")
# The label may be empty: a platform label of control characters only is exported as "(31)",
# and skipping that column on import would drop its scores without a word.
_ASSIGNMENT_HEADER = re.compile(r"^(?P<name>(?:.*\S)?)\s*\((?P<id>[^()]+)\)$")


@dataclass(frozen=True, slots=True)
class GradebookColumn:
    """One assignment column: its short id (shown in the header) and its label."""

    short_id: str
    label: str
    points_possible: float | None = None

    @property
    def header(self) -> str:
        return f"{self.label} ({self.short_id})"


@dataclass(frozen=True, slots=True)
class GradebookRow:
    student: str
    user_id: str
    section: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    scores: dict[str, float | None] = field(default_factory=dict)  # short_id -> score
    line: int = field(default=0, compare=False)  # where the row starts in the file


@dataclass(frozen=True, slots=True)
class CellProblem:
    line: int  # 1-based line in the file (a quoted cell may span lines), 0: the whole file
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "the file"
        return f"{where}, column {self.column!r}: {self.message}" if self.column \
            else f"{where}: {self.message}"


class GradebookCsvError(InputError):
    """The file is not a gradebook this version can read; ``problems`` lists every bad cell."""

    def __init__(self, problems: Sequence[CellProblem]) -> None:
        self.problems = tuple(problems)
        shown = "".join(f"\n  {p}" for p in self.problems[:20])
        more = f"\n  (and {len(self.problems) - 20} more)" if len(self.problems) > 20 else ""
        super().__init__(f"The CSV file has {len(self.problems)} problem(s):{shown}{more}")


@dataclass(frozen=True, slots=True)
class Gradebook:
    columns: tuple[GradebookColumn, ...]
    rows: tuple[GradebookRow, ...]


def write_gradebook(out: TextIO, columns: Sequence[GradebookColumn],
                    rows: Iterable[GradebookRow]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    def safe(text: str) -> str:
        # Names and labels come from the platform: one line each, and never a formula.
        return spreadsheet_safe(one_line(text))

    writer.writerow([*FIXED_COLUMNS, *(safe(column.header) for column in columns)])
    writer.writerow([POINTS_POSSIBLE, "", "", "", "",
                     *(_number(column.points_possible) for column in columns)])
    for row in rows:
        writer.writerow([safe(row.student), safe(row.user_id), safe(row.sis_user_id),
                         safe(row.sis_login_id), safe(row.section),
                         *(_number(row.scores.get(c.short_id)) for c in columns)])


def _delimiter(first_line: str) -> str:
    """The delimiter that makes the header a gradebook header (else the one giving most
    cells): "," from Canvas, ";" from Excel in comma-decimal locales, tab from a paste."""
    best, most = ",", 0
    for candidate in DELIMITERS:
        cells = next(csv.reader([first_line], delimiter=candidate), [])
        names = [cell.strip().lstrip("\ufeff") for cell in cells]
        if names[:2] == list(FIXED_COLUMNS[:2]):
            return candidate
        if len(cells) > most:
            best, most = candidate, len(cells)
    return best


def _records(text: str) -> list[tuple[int, list[str]]]:
    """(line where the record starts, its cells) for every record of the file."""
    # The first line by any line end: a file saved with "\r" alone (Excel for Mac's "CSV
    # (Macintosh)") is one line to split("\n"), and csv refuses a bare "\r" inside a line.
    first_line = io.StringIO(text, newline="").readline()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    records: list[tuple[int, list[str]]] = []
    ended = 0
    for cells in reader:
        records.append((ended + 1, cells))
        ended = reader.line_num
    return records


def read_gradebook(source: TextIO) -> Gradebook:
    """Parse a whole file; raise GradebookCsvError listing every problem, or return it all."""
    try:
        # A byte order mark is not part of the first cell (a quoted "Student" after one would
        # not read as quoted), nor of any later header cell.
        records = _records(source.read().removeprefix("\ufeff"))
    except csv.Error as error:
        raise GradebookCsvError([CellProblem(0, "", f"not a CSV file: {error}")]) from None
    except UnicodeDecodeError:
        raise GradebookCsvError([CellProblem(0, "", "not UTF-8 text")]) from None
    if not records:
        raise GradebookCsvError([CellProblem(1, "", "the file is empty")])
    header_line, header_cells = records[0]
    # Every text cell is read back through _unescaped: the export wrote it spreadsheet_safe.
    header = [_unescaped(cell.strip()) for cell in header_cells]
    problems: list[CellProblem] = []
    for position, expected in enumerate(FIXED_COLUMNS[:2]):
        if len(header) <= position or header[position] != expected:
            problems.append(CellProblem(
                header_line, expected,
                f"the header must start with {expected!r} (columns separated by a comma, a "
                "semicolon or a tab)"))
    if problems:
        raise GradebookCsvError(problems)
    index = {name: position for position, name in enumerate(header)}
    columns: list[tuple[int, GradebookColumn]] = []
    column_ids: set[str] = set()
    for position, name in enumerate(header):
        if name in FIXED_COLUMNS or not name:
            continue
        match = _ASSIGNMENT_HEADER.match(name)
        if match is None:
            # Canvas adds computed columns ("Current Score", ...) that are not line items.
            continue
        column = GradebookColumn(match["id"].strip(), match["name"])
        if column.short_id in column_ids:
            # Scores are kept by column id: a second column with the same id (a copied
            # column) would silently win over the first.
            problems.append(CellProblem(header_line, name, f"a second column with the id "
                                                           f"{column.short_id!r}"))
        column_ids.add(column.short_id)
        columns.append((position, column))

    rows: list[GradebookRow] = []
    points: dict[str, float | None] = {}
    for line_number, cells in records[1:]:
        if not any(cell.strip() for cell in cells):
            continue
        first = _unescaped(cells[0].strip()) if cells else ""
        user_id = _unescaped(_cell(cells, index["ID"]).strip())
        # Canvas's Points Possible row has no ID: a student named "Points Possible" is a row.
        if not user_id and first == POINTS_POSSIBLE:
            for position, column in columns:
                points[column.short_id] = _cell_score(cells, position, line_number, column,
                                                      problems)
            continue
        if not user_id:
            problems.append(CellProblem(line_number, "ID", "every student row needs an ID"))
            continue
        scores = {column.short_id: _cell_score(cells, position, line_number, column, problems)
                  for position, column in columns}
        rows.append(GradebookRow(
            student=first, user_id=user_id,
            sis_user_id=_unescaped(_cell(cells, index.get("SIS User ID"))),
            sis_login_id=_unescaped(_cell(cells, index.get("SIS Login ID"))),
            section=_unescaped(_cell(cells, index.get("Section"))), scores=scores,
            line=line_number,
        ))
    seen: dict[str, int] = {}
    for row in rows:
        if row.user_id in seen:
            problems.append(CellProblem(row.line, "ID", f"student {row.user_id!r} appears "
                                                        f"twice (first on line "
                                                        f"{seen[row.user_id]})"))
        else:
            seen[row.user_id] = row.line
    if problems:
        raise GradebookCsvError(problems)
    final_columns = tuple(
        GradebookColumn(column.short_id, column.label, points.get(column.short_id))
        for _, column in columns)
    return Gradebook(final_columns, tuple(rows))


def _unescaped(text: str) -> str:
    """A cell written by ``spreadsheet_safe`` back to what it said."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS):
        return text[1:]
    return text


def _cell(cells: Sequence[str], position: int | None) -> str:
    if position is None or position >= len(cells):
        return ""
    return cells[position]


def _cell_score(cells: Sequence[str], position: int, line_number: int, column: GradebookColumn,
                problems: list[CellProblem]) -> float | None:
    try:
        return parse_score_input(_cell(cells, position))
    except InputError as error:
        problems.append(CellProblem(line_number, column.header, error.user_message))
        return None


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))
