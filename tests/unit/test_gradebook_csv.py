"""Canvas gradebook CSV: a round trip, and every bad cell reported with its row and column."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradedesk.domain.gradebook_csv import (
    GradebookColumn,
    GradebookCsvError,
    GradebookRow,
    read_gradebook,
    write_gradebook,
)

COLUMNS = [GradebookColumn("31", "Lab 3: Osmosis", 50.0),
           GradebookColumn("32", "Essay (draft)", 20)]
ROWS = [
    GradebookRow("Park, Ada", "8f3c", "Section A", scores={"31": 41.5, "32": None}),
    GradebookRow("Ortiz, Ben", "5127", "Section B", scores={"31": 0.0, "32": 18.0}),
]


def test_round_trip_keeps_every_score_including_zero_and_blank() -> None:
    out = io.StringIO()
    write_gradebook(out, COLUMNS, ROWS)
    text = out.getvalue()
    assert text.splitlines()[0] == (
        "Student,ID,SIS User ID,SIS Login ID,Section,Lab 3: Osmosis (31),Essay (draft) (32)")
    assert text.splitlines()[1] == "Points Possible,,,,,50,20"
    book = read_gradebook(io.StringIO(text))
    assert [c.header for c in book.columns] == ["Lab 3: Osmosis (31)", "Essay (draft) (32)"]
    assert [c.points_possible for c in book.columns] == [50.0, 20.0]
    assert list(book.rows) == ROWS


def test_every_bad_cell_is_reported_and_nothing_is_returned() -> None:
    text = ("Student,ID,SIS User ID,SIS Login ID,Section,Lab 3 (31),Essay (32)\n"
            "Park, Ada,8f3c,,,abc,5\n"
            "Ortiz,5127,,,,-5,\n")
    with pytest.raises(GradebookCsvError) as caught:
        read_gradebook(io.StringIO(text))
    problems = [(p.line, p.column) for p in caught.value.problems]
    # "Park, Ada" unquoted shifts the row: the parser still reports where each problem is.
    assert (3, "Lab 3 (31)") in problems
    assert all(p.message for p in caught.value.problems)
    assert "line 3" in caught.value.user_message


def test_computed_columns_are_ignored_and_a_bom_is_tolerated() -> None:
    text = ("\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,Lab (31),Current Score\n"
            "\"Park, Ada\",8f3c,,,,\"7,5\",88\n")
    book = read_gradebook(io.StringIO(text))
    assert [c.short_id for c in book.columns] == ["31"]
    assert book.rows[0].scores == {"31": 7.5}


@pytest.mark.parametrize("text", ["", "Name,Score\nAda,5\n", "Student\n"])
def test_not_a_gradebook(text: str) -> None:
    with pytest.raises(GradebookCsvError):
        read_gradebook(io.StringIO(text))


def test_a_student_twice_is_a_problem() -> None:
    text = "Student,ID,Section,Lab (31)\nA,1,,5\nB,1,,6\n"
    with pytest.raises(GradebookCsvError, match="appears twice"):
        read_gradebook(io.StringIO(text))


@given(st.text(max_size=300))
def test_any_text_reads_or_gives_a_csv_error(text: str) -> None:
    try:
        read_gradebook(io.StringIO(text))
    except GradebookCsvError as error:
        assert error.problems


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_files_from_comma_decimal_locales_read(delimiter: str) -> None:
    # Issue 9, finding 10: Excel in a comma-decimal locale writes ";" and "7,5".
    lines = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lab 3 (31)"],
             ["Points Possible", "", "", "", "", "10"],
             ["Park, Ada", "8f3c", "", "", "A", "7,5"]]
    text = "\n".join(delimiter.join(cells) for cells in lines) + "\n"
    book = read_gradebook(io.StringIO(text))
    assert book.rows[0].student == "Park, Ada" and book.rows[0].scores == {"31": 7.5}
    assert book.columns[0].points_possible == 10


def test_problems_carry_the_files_real_line_numbers_one_per_line() -> None:
    # A quoted cell spanning two lines pushes every later record one line down.
    text = ("Student,ID,SIS User ID,SIS Login ID,Section,Lab (31)\n"
            "\"Park,\nAda\",8f3c,,,,abc\n"
            "Ortiz,5127,,,,1e400\n"
            "Kim,5127,,,,3\n")
    with pytest.raises(GradebookCsvError) as caught:
        read_gradebook(io.StringIO(text))
    assert [(p.line, p.column) for p in caught.value.problems] == [
        (2, "Lab (31)"), (4, "Lab (31)"), (5, "ID")]
    assert "first on line 4" in caught.value.problems[2].message
    assert caught.value.user_message.count("\n  line ") == 3


def test_platform_text_that_looks_like_a_formula_is_written_as_text() -> None:
    # Issue 10, finding 5: names from the platform such as =HYPERLINK(...) were exported as is.
    hostile = ["=HYPERLINK(\"http://evil\",\"x\")", "@SUM(A1:A9)", "+1+cmd|' /C calc'!A0",
               "-2+3", "\tTab", "\rReturn"]
    rows = [GradebookRow(student=name, user_id=f"u{n}", section="=1+1",
                         scores={"31": 5.0}) for n, name in enumerate(hostile)]
    out = io.StringIO()
    write_gradebook(out, [GradebookColumn("31", "=Evil label")], rows)
    cells = [cell for line in csv.reader(io.StringIO(out.getvalue(), newline=""))
             for cell in line]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in cells and "'=Evil label (31)" in cells
    assert "\r" not in out.getvalue() and "\t" not in out.getvalue()
    book = read_gradebook(io.StringIO(out.getvalue()))
    assert [row.user_id for row in book.rows] == [f"u{n}" for n in range(len(hostile))]
