"""Bad input gets a clear, typed error, never a crash or a silent wrong value.

Property tests over what people type or hand GradeDesk: score cells, gradebook CSV files, PEM
keys and URLs. How many examples each runs comes from the hypothesis profile (tests/conftest.py:
a thousand in CI, fewer locally); "huge files" are plain tests with a generated multi-MB file.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import ipaddress
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from gradedesk.domain.errors import InputError
from gradedesk.domain.gradebook_csv import (
    FIXED_COLUMNS,
    Gradebook,
    GradebookColumn,
    GradebookCsvError,
    GradebookRow,
    read_gradebook,
    write_gradebook,
)
from gradedesk.domain.models import check_score_against_maximum, format_score, parse_score_input
from gradedesk.domain.safe_text import FORMULA_STARTS, one_line
from gradedesk.platforms.errors import InsecureUrl, InvalidKey, PlatformConfigError
from gradedesk.platforms.http import is_loopback_host, origin_of, require_secure_url
from gradedesk.platforms.keys import MIN_KEY_BITS, load_private_key
from gradedesk.platforms.setup import DerivedSettings, canvas_settings, moodle_settings

# Composite strategies draw a lot per example; that is the point, not a health problem.
DRAWS_A_LOT = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                              HealthCheck.data_too_large])

# What a score is shown as: digits, at most two decimals; never "1e+16", "inf" or "-0".
PLAIN_SCORE = re.compile(r"[0-9]+(\.[0-9]{1,2})?")
# Digits in other scripts that Python's float() reads like ASCII ones.
FULL_WIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + n) for n in range(10)))
ARABIC_INDIC = str.maketrans("0123456789", "".join(chr(0x0660 + n) for n in range(10)))


# --- Score cells ---------------------------------------------------------------------------------

BAD_SCORES = ["abc", "1e308x", "1e309", "nan", "NaN", "inf", "-inf", "infinity", "-1", "-0.01",
              "1,2,3", "1.2.3", "1,5.0", "0x10", "=1+1", "@SUM(A1)", "5 5", "\uff15 \uff15",
              "½", "²", "1e", "e5", ".", ",", "+", "-", "--1", "1-", "\x00", "7\x00",
              "\u0665\u066b\u0665"]  # Arabic decimal separator


def _scores_as_typed() -> st.SearchStrategy[str]:
    """Anything at all, text that is nearly a number, and known troublemakers."""
    near_numbers = st.from_regex(r"\s*[-+]?[0-9\uff10-\uff19.,eE_ ]{0,14}\s*", fullmatch=True)
    return st.text(max_size=40) | near_numbers | st.sampled_from(BAD_SCORES)


@given(_scores_as_typed())
@example("")
@example("\uff11\uff12")  # full-width "12"
@example("12,5")
@example("1e308")
@example("-0")
@example("1" * 400)  # finite digits that overflow to inf
def test_any_typed_score_is_a_plain_number_or_an_input_error(typed: str) -> None:
    """Whatever is typed in a score cell: a finite score >= 0 that shows without scientific
    notation and reads back to itself as shown, or InputError with a short message."""
    try:
        value = parse_score_input(typed)
    except InputError as error:
        assert error.user_message.strip()
        # It echoes the typing cut to 40 characters (escaped), not a pasted page.
        assert len(error.user_message) < 500
        return
    if value is None:
        assert not typed.strip()
        return
    assert math.isfinite(value) and value >= 0
    assert math.copysign(1.0, value) == 1.0  # "-0" is 0, not a negative zero
    shown = format_score(value)
    assert PLAIN_SCORE.fullmatch(shown), shown
    back = parse_score_input(shown)
    assert back is not None and abs(back - value) <= 0.005 + math.ulp(value)
    assert format_score(back) == shown


@st.composite
def typed_decimals(draw: st.DrawFn) -> tuple[str, float]:
    """A non-negative number as a person could type it, and the value they meant."""
    value = draw(st.floats(min_value=0, max_value=1e12) | st.integers(0, 10**6).map(float))
    places = draw(st.sampled_from([None, 0, 1, 2, 3]))
    text = repr(value) if places is None else f"{value:.{places}f}"
    meant = float(text)
    style = draw(st.sampled_from(["plain", "comma", "full width", "arabic", "padded", "plus"]))
    if style == "comma" and text.count(".") == 1 and "e" not in text:
        text = text.replace(".", ",")  # the decimal comma of many locales
    elif style == "full width":
        text = text.translate(FULL_WIDTH)  # an East Asian input method's digits
    elif style == "arabic":
        text = text.translate(ARABIC_INDIC)
    elif style == "padded":
        text = draw(st.sampled_from([" ", "\t", "\u00a0", "\u3000"])) + text + " "
    elif style == "plus":
        text = "+" + text
    return text, meant


@given(typed_decimals())
@example(("\uff11\uff12", 12.0))
@example(("7,5", 7.5))
@example(("\u00a01e-05 ", 1e-05))
def test_a_typed_number_reads_as_the_number_meant(typed_and_meant: tuple[str, float]) -> None:
    """A number typed with a decimal comma, other digits, padding or a plus sign is exactly
    the number meant: never a silently different value."""
    typed, meant = typed_and_meant
    assert parse_score_input(typed) == meant


@given(st.floats(min_value=0, exclude_min=True, allow_nan=False, allow_infinity=False))
@example(1e-300)
def test_a_negative_score_is_refused_with_the_rule(value: float) -> None:
    """Any negative number, however written, is refused and the message says the rule."""
    for typed in (f"-{value!r}", f"-{value:.2f}".replace(".", ","), f" -{value:f} "):
        if float(typed.replace(",", ".")) == 0:
            # "-0.00": a rounding of a tiny number typed as zero is zero, not negative.
            zero = parse_score_input(typed)
            assert zero == 0.0 and math.copysign(1.0, zero) == 1.0
            continue
        with pytest.raises(InputError, match="0 or more"):
            parse_score_input(typed)


@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(0, 6))
@example(-0.0, 2)
@example(-0.001, 2)
@example(1e308, 2)
@example(1e-7, 6)
def test_format_score_never_shows_scientific_notation_or_minus_zero(value: float,
                                                                    decimals: int) -> None:
    """Any finite value is shown as plain digits, rounded to ``decimals``, never "-0"."""
    shown = format_score(value, decimals=decimals)
    fraction = rf"(\.[0-9]{{1,{decimals}}})?" if decimals else ""
    assert re.fullmatch(rf"-?[0-9]+{fraction}", shown), shown
    assert shown != "-0"
    assert abs(float(shown) - value) <= 0.5 * 10**-decimals + math.ulp(value)


@given(score=st.none() | st.floats(min_value=0, max_value=1e15),
       maximum=st.none() | st.floats(min_value=0, max_value=1e12))
@example(score=1e9, maximum=9.0)
@example(score=100.5, maximum=0.0)
@example(score=1e15, maximum=1e-9)
def test_only_a_typo_sized_score_is_refused_and_said_in_plain_numbers(
        score: float | None, maximum: float | None) -> None:
    """More than ten times the maximum (100 for a 0-point column) is refused as a typo, with
    every number in the message in plain digits; anything else passes."""
    if score is None or maximum is None:
        check_score_against_maximum(score, maximum)
        return
    limit = 10 * maximum if maximum > 0 else 100.0
    if score <= limit:
        check_score_against_maximum(score, maximum)
        return
    with pytest.raises(InputError) as caught:
        check_score_against_maximum(score, maximum)
    message = caught.value.user_message
    assert format_score(score) in message and format_score(maximum) in message
    assert not re.search(r"[0-9]e[-+]?[0-9]|inf|nan", message), message


# --- Gradebook CSV -------------------------------------------------------------------------------

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1", "cp1252"]
DELIMITERS = [",", ";", "\t"]
LINE_ENDS = ["\n", "\r\n", "\r"]
# Characters that stress a CSV file: its delimiters, quotes, line ends, and the formula starts.
CSV_NASTIES = [*",;\t\"'\r\n =+-@", "\ufeff", "\u2028", "\x00", "é", "名", "\U0001f600"]
csv_text = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(CSV_NASTIES),
                   max_size=12)
# Platform text that starts like a formula (or like its escape) is what export must neutralise.
hostile_text = st.tuples(st.sampled_from([*FORMULA_STARTS, "'", "'=", "''+", " =", "\r\n-"]),
                         csv_text).map("".join)
# Column labels as a person names them: one line, any other character, not an export escape.
label_text = st.text(
    alphabet=st.characters(exclude_categories=("Cc", "Cs")) | st.sampled_from(
        [*",;\t\"' =+-@()", "\u2028", "\ufeff"]),
    min_size=1, max_size=10).filter(lambda text: text.strip() != "" and
                                    not text.strip().startswith("'"))
short_ids = st.from_regex(r"[0-9a-z][0-9a-z~-]{0,5}", fullmatch=True)
stored_scores = st.none() | st.floats(min_value=0, allow_nan=False, allow_infinity=False)


def spreadsheet_line(cells: list[str], delimiter: str, quote_all: bool = False) -> str:
    """One record as a spreadsheet saves it (RFC 4180): a cell holding the delimiter, a quote
    or a line end is quoted. (Python's csv.writer leaves a "\\r" unquoted when lines end in
    "\\n", which no spreadsheet does.)"""
    def field(cell: str) -> str:
        if quote_all or any(char in cell for char in (delimiter, '"', "\r", "\n")):
            return '"' + cell.replace('"', '""') + '"'
        return cell
    return delimiter.join(field(cell) for cell in cells)


def read_bytes(data: bytes) -> Gradebook:
    """Read a file's bytes as ``gradedesk import`` opens it (UTF-8, a BOM skipped)."""
    return read_gradebook(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline=""))


def exported(columns: list[GradebookColumn], rows: list[GradebookRow]) -> str:
    out = io.StringIO(newline="")
    write_gradebook(out, columns, rows)
    return out.getvalue()


@st.composite
def platform_gradebooks(draw: st.DrawFn) -> tuple[list[GradebookColumn], list[GradebookRow]]:
    """Columns and learners as the store holds them: any text the platform sent."""
    ids = draw(st.lists(short_ids, max_size=3, unique=True))
    columns = []
    for short_id in ids:
        label = draw(csv_text | hostile_text)
        columns.append(GradebookColumn(short_id, label, draw(stored_scores)))
    learners = draw(st.lists(csv_text | hostile_text, max_size=5,
                             unique_by=lambda user_id: one_line(user_id)))
    rows = []
    for user_id in learners:
        assume(one_line(user_id))
        rows.append(GradebookRow(
            student=draw(csv_text | hostile_text), user_id=user_id,
            section=draw(csv_text | hostile_text), sis_user_id=draw(csv_text),
            sis_login_id=draw(csv_text | hostile_text),
            scores={short_id: draw(stored_scores) for short_id in ids}))
    return columns, rows


_POINTS_POSSIBLE_STUDENT = ([GradebookColumn("31", "Lab", 10.0)],
                            [GradebookRow("Points Possible", "u1", scores={"31": 3.0})])
_NOTHING_PRINTABLE_LABEL = ([GradebookColumn("31", "\x00\u202e", None)],
                            [GradebookRow("Ada", "u1", scores={"31": 4.0})])
_ESCAPE_LOOKALIKES = ([GradebookColumn("7", "'=not escaped", None)],
                      [GradebookRow("'=Ada", "'-1", "''+A", scores={"7": 1e-05})])


@DRAWS_A_LOT
@given(platform_gradebooks())
@example(_POINTS_POSSIBLE_STUDENT)
@example(_ESCAPE_LOOKALIKES)
@example(_NOTHING_PRINTABLE_LABEL)
def test_export_then_import_gives_back_every_name_and_score(
        book: tuple[list[GradebookColumn], list[GradebookRow]]) -> None:
    """An exported gradebook reads back to the same names (on one line) and the same scores,
    and no cell of the file starts like a formula, whatever the platform's text."""
    columns, rows = book
    text = exported(columns, rows)
    cells = [cell for record in csv.reader(io.StringIO(text, newline="")) for cell in record]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    back = read_bytes(text.encode("utf-8"))
    assert back.columns == tuple(
        GradebookColumn(c.short_id, one_line(c.label), c.points_possible) for c in columns)
    assert back.rows == tuple(
        GradebookRow(one_line(r.student), one_line(r.user_id), one_line(r.section),
                     one_line(r.sis_user_id), one_line(r.sis_login_id), r.scores)
        for r in rows)


@dataclass(frozen=True)
class CsvFile:
    """A gradebook file as a spreadsheet could save it, and what reading it must give."""

    text: str
    expected: Gradebook
    bad_cell: tuple[int, str] | None  # (line, column header) of the one bad score cell


def _typed_score(draw: st.DrawFn) -> tuple[str, float | None]:
    """A score cell as a spreadsheet writes it, and its value."""
    if draw(st.booleans()):
        return draw(st.sampled_from(["", " "])), None
    typed, meant = draw(typed_decimals())
    return typed, meant


@st.composite
def csv_files(draw: st.DrawFn) -> CsvFile:
    """A Canvas-shaped file with any delimiter, quoting and line end, optional columns, a
    Points Possible row, blank lines and at most one bad score cell."""
    delimiter = draw(st.sampled_from(DELIMITERS))
    line_end = draw(st.sampled_from(LINE_ENDS))
    quote_all = draw(st.booleans())
    fixed = ["Student", "ID", *draw(st.lists(st.sampled_from(FIXED_COLUMNS[2:]), unique=True))]
    ids = draw(st.lists(short_ids, max_size=3, unique=True))
    # Header text is read stripped; a lone leading apostrophe is an export's escape.
    plain = csv_text.filter(lambda text: not text.strip().startswith("'"))
    labels = [draw(label_text) for _ in ids]
    computed = draw(st.booleans())  # Canvas's "Current Score" and such are not line items
    header = [*fixed, *(f"{label} ({short_id})" for label, short_id in zip(labels, ids,
                                                                            strict=True))]
    header += ["Current Score"] if computed else []

    lines: list[str] = []

    def write(cells: list[str]) -> None:
        lines.append(spreadsheet_line(cells, delimiter, quote_all) + line_end)

    write(header)
    points: dict[str, float | None] = dict.fromkeys(ids)
    if draw(st.booleans()):
        typed = [_typed_score(draw) for _ in ids]
        points = {short_id: value for short_id, (_, value) in zip(ids, typed, strict=True)}
        write(["Points Possible", *[""] * (len(fixed) - 1), *(text for text, _ in typed),
               *([""] if computed else [])])
    user_ids = draw(st.lists(plain.filter(lambda text: bool(text.strip())), max_size=5,
                             unique_by=str.strip))
    bad_at = draw(st.none() | st.tuples(st.integers(0, 4), st.integers(0, 2)))
    bad_text = draw(st.sampled_from(BAD_SCORES) | st.tuples(
        st.sampled_from(["=", "@"]), csv_text).map("".join))
    rows, bad_cell = [], None
    for number, user_id in enumerate(user_ids):
        if draw(st.booleans()):
            write([""] * draw(st.integers(0, 3)))  # blank lines are skipped
        student = draw(plain)
        extra = {name: draw(plain) for name in fixed[2:]}
        typed = [_typed_score(draw) for _ in ids]
        cells = [text for text, _ in typed]
        if bad_at is not None and bad_at[0] == number and ids:
            column = bad_at[1] % len(ids)
            cells[column] = bad_text
            # The record's first line: every line end so far, quoted ones too, plus one.
            line = len(io.StringIO("".join(lines), newline="").readlines()) + 1
            bad_cell = (line, f"{labels[column].strip()} ({ids[column]})")
        write([student, user_id, *extra.values(), *cells,
               *([draw(csv_text)] if computed else [])])
        rows.append(GradebookRow(
            student.strip(), user_id.strip(), section=extra.get("Section", ""),
            sis_user_id=extra.get("SIS User ID", ""),
            sis_login_id=extra.get("SIS Login ID", ""),
            scores={short_id: value for short_id, (_, value) in zip(ids, typed, strict=True)}))
    columns = tuple(GradebookColumn(short_id, label.strip(), points[short_id])
                    for short_id, label in zip(ids, labels, strict=True))
    return CsvFile("".join(lines), Gradebook(columns, tuple(rows)), bad_cell)


@DRAWS_A_LOT
@given(csv_files(), st.sampled_from(ENCODINGS))
def test_a_gradebook_file_in_any_encoding_reads_exactly_or_is_refused(file: CsvFile,
                                                                       encoding: str) -> None:
    """UTF-8 (with or without a BOM) in any delimiter, quoting and line end reads to exactly
    the rows written, and a bad score cell is named by its line and column; bytes that are
    not UTF-8 (UTF-16, Latin-1, cp1252) are a GradebookCsvError, never a UnicodeDecodeError."""
    data = file.text.encode(encoding, errors="replace")
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        with pytest.raises(GradebookCsvError, match="UTF-8"):
            read_bytes(data)
        return
    if decoded != file.text:  # e.g. UTF-16 of plain ASCII: valid UTF-8, but not this file
        try:
            read_bytes(data)
        except GradebookCsvError as error:
            assert error.problems
        return
    if file.bad_cell is not None:
        with pytest.raises(GradebookCsvError) as caught:
            read_bytes(data)
        assert [(p.line, p.column) for p in caught.value.problems] == [file.bad_cell]
        return
    assert read_bytes(data) == file.expected


@DRAWS_A_LOT
@given(csv_files(), st.data())
def test_a_damaged_file_reads_or_is_refused_never_crashes(file: CsvFile,
                                                          data: st.DataObject) -> None:
    """A stray quote, delimiter or line end anywhere (odd quoting, a cut file) gives rows or a
    GradebookCsvError listing its problems, nothing else."""
    text = file.text
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        text = text[:at] + data.draw(st.sampled_from(['"', '""', ",", ";", "\t", "\r", "\n",
                                                      "'", "\x00", ""])) + text[at:]
    text = text[:data.draw(st.integers(0, len(text)))] if data.draw(st.booleans()) else text
    try:
        read_bytes(text.encode("utf-8"))
    except GradebookCsvError as error:
        assert error.problems and error.user_message.startswith("The CSV file has")


@given(st.binary(max_size=400) | st.tuples(
    st.sampled_from([b"Student,ID\n", b"\xef\xbb\xbfStudent;ID;Lab (1)\r", b"\xff\xfeS\x00",
                     b"Student\tID\tLab (1)\n"]), st.binary(max_size=300)).map(b"".join))
@example(b"Student,ID,Lab (1)\nAda,1,\xe9\n")  # Latin-1 in a cell
@example(b"Student,ID,Lab (1)\nAda,1,5\x00\n")
@example(b"Student,ID,\"Lab (1)\nAda,1,5\n")  # a quote never closed
def test_any_bytes_are_rows_or_a_gradebook_error(data: bytes) -> None:
    """Arbitrary bytes as a gradebook file: rows, or GradebookCsvError with its problems."""
    try:
        book = read_bytes(data)
    except GradebookCsvError as error:
        assert error.problems and all(str(problem) for problem in error.problems)
        return
    assert all(row.user_id for row in book.rows)


@given(st.tuples(st.sampled_from(["=", "@", "+", "-"]), csv_text).map("".join),
       st.sampled_from(DELIMITERS))
@example("=HYPERLINK(\"http://evil\",\"x\")", ",")
@example("+5", ";")
@example("-0", "\t")
@example("=5", ",")
def test_a_formula_in_a_score_cell_is_refused_with_its_line_and_column(formula: str,
                                                                        delimiter: str) -> None:
    """A cell starting like a formula is never read as a score, unless it is a plain signed
    number ("+5"); a refusal names the line and the column."""
    text = "".join(spreadsheet_line(cells, delimiter) + "\n"
                   for cells in (["Student", "ID", "Lab (31)"], ["Ada", "u1", formula]))
    try:
        book = read_bytes(text.encode("utf-8"))
    except GradebookCsvError as error:
        assert [(p.line, p.column) for p in error.problems] == [(2, "Lab (31)")]
        return
    assert formula.startswith(("+", "-")) and any(char.isdigit() for char in formula)
    # The file's cell means what the same text typed in the window means.
    assert book.rows[0].scores["31"] == parse_score_input(formula) is not None


def test_a_file_saved_with_carriage_returns_only_reads() -> None:
    """Regression: Excel for Mac's "CSV (Macintosh)" ends lines with "\\r" alone; the delimiter
    was guessed on a first "line" holding the whole file and csv refused a bare "\\r"."""
    book = read_bytes(b"Student,ID,Lab (31)\rAda,u1,7\rBen,u2,8\r")
    assert [(row.user_id, row.scores["31"]) for row in book.rows] == [("u1", 7.0), ("u2", 8.0)]


def test_two_columns_with_one_id_are_refused_not_merged() -> None:
    """Regression: a copied column ("Lab (31)" twice) silently overwrote the first column's
    score with the second's."""
    with pytest.raises(GradebookCsvError, match="second column with the id '31'") as caught:
        read_bytes(b"Student,ID,Lab (31),Lab copy (31)\nAda,u1,5,7\n")
    assert [(p.line, p.column) for p in caught.value.problems] == [(1, "Lab copy (31)")]


def test_a_bom_before_a_quoted_header_is_skipped() -> None:
    """Regression: read from text that kept its BOM (a plain UTF-8 decoder), "\\ufeff" made
    the quoted "Student" an unquoted cell and the file was refused."""
    book = read_gradebook(io.StringIO('\ufeff"Student","ID","Lab (31)"\n"Ada","u1","7,5"\n'))
    assert book.rows[0].scores == {"31": 7.5}


def test_a_huge_file_reads_every_row() -> None:
    """A multi-MB gradebook (10,000 students by 40 columns) reads whole, exact to the last
    cell."""
    columns = [GradebookColumn(str(1000 + n), f"Assignment {n}", 100.0) for n in range(40)]
    rows = [GradebookRow(f"Student {n:05}, Long Name", f"user-{n:05}", "Section A",
                         scores={c.short_id: (n * 7 + k) % 1000 / 10 for k, c in
                                 enumerate(columns)}) for n in range(10_000)]
    data = exported(columns, rows).encode("utf-8")
    assert len(data) > 2_000_000
    book = read_bytes(data)
    assert book.rows == tuple(rows)


@pytest.mark.parametrize("cell", [
    pytest.param("7" * 5_000_000, id="a 5 MB cell (past csv's field limit)"),
    pytest.param("x" * 100_000, id="a 100 kB bad score"),
])
def test_a_huge_cell_is_a_short_typed_error(cell: str) -> None:
    """A giant cell is refused with a message a person can read, not the cell echoed back."""
    data = f"Student,ID,Lab (31)\nAda,u1,{cell}\n".encode()
    with pytest.raises(GradebookCsvError) as caught:
        read_bytes(data)
    assert len(caught.value.user_message) < 300


def test_many_bad_cells_are_listed_twenty_at_a_time() -> None:
    """A file with 50,000 bad cells: every problem kept, the message lists 20 and a count."""
    lines = ["Student,ID,Lab (31)"] + [f"S{n},u{n},abc" for n in range(50_000)]
    with pytest.raises(GradebookCsvError) as caught:
        read_bytes("\n".join(lines).encode())
    assert len(caught.value.problems) == 50_000
    assert caught.value.user_message.count("\n  line ") == 20
    assert "(and 49980 more)" in caught.value.user_message


# --- PEM keys ------------------------------------------------------------------------------------


@cache
def small_rsa() -> rsa.RSAPrivateKey:
    """1,024 bits: loads (and is refused) seven times faster than 2,048, so a thousand
    damaged copies stay quick; refused for its size only once it was read whole."""
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505


@cache
def tool_rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=MIN_KEY_BITS)


def pkcs8_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
              | dsa.DSAPrivateKey,
              encryption: serialization.KeySerializationEncryption | None = None) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             encryption or serialization.NoEncryption())


def pem_edge(edge: str, label: str = "PRIVATE KEY") -> str:
    """A PEM frame line (BEGIN or END and the label), built here so that no key-shaped
    text stands in the file (there is no key in it: bodies are made at run time)."""
    return f"-----{edge} {label}-----"


def pem_around(der: bytes, label: str = "PRIVATE KEY") -> bytes:
    body = base64.b64encode(der).decode("ascii")
    lines = [body[at:at + 64] for at in range(0, len(body), 64)]
    return "\n".join([pem_edge("BEGIN", label), *lines, pem_edge("END", label), ""]).encode()


def assert_refused_without_leaking(pem: bytes | str, password: bytes | None = None) -> str:
    """load_private_key refuses ``pem`` with InvalidKey whose message has none of the key."""
    with pytest.raises(InvalidKey) as caught:
        load_private_key(pem, password)
    message = caught.value.user_message
    assert message.strip()
    # No run of base64 long enough to be a piece of the key's body.
    assert not re.search(r"[A-Za-z0-9+/=]{24,}", message), message
    return message


@given(st.binary(max_size=600) | st.text(max_size=300) | st.tuples(
    st.sampled_from([f"{pem_edge('BEGIN')}\n", f"{pem_edge('BEGIN', 'RSA PRIVATE KEY')}\n",
                     f"{pem_edge('BEGIN', 'ENCRYPTED PRIVATE KEY')}\n", "-----BEGIN\n"]),
    st.binary(max_size=400).map(lambda raw: base64.encodebytes(raw).decode("ascii"))
    | st.text(max_size=200),
    st.sampled_from([f"{pem_edge('END')}\n", pem_edge("END", "RSA PRIVATE KEY"), ""]),
).map("".join))
@example("\ud800" + pem_edge("BEGIN"))  # a lone surrogate from a mis-decoded file
@example(b"")
@example(pem_around(b"").decode())  # the frame alone, nothing inside
def test_anything_but_a_key_is_refused_as_invalid_key(pem: bytes | str) -> None:
    """Arbitrary bytes or text, even inside BEGIN/END lines, are InvalidKey: never a
    cryptography or Unicode error leaking out."""
    assert_refused_without_leaking(pem)


@st.composite
def damaged_pems(draw: st.DrawFn) -> bytes:
    """A real key's PEM with a byte of its DER changed, its DER or text cut short, a line lost
    or a character slipped in."""
    key = small_rsa()
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    how = draw(st.sampled_from(["flip", "cut der", "cut text", "drop line", "insert"]))
    if how == "flip":
        at = draw(st.integers(0, len(der) - 1))
        flipped = der[at] ^ draw(st.integers(1, 255))
        return pem_around(der[:at] + bytes([flipped]) + der[at + 1:])
    if how == "cut der":
        return pem_around(der[:draw(st.integers(0, len(der) - 1))])
    pem = pkcs8_pem(key)
    if how == "cut text":
        return pem[:draw(st.integers(0, len(pem) - 2))]
    lines = pem.split(b"\n")
    if how == "drop line":
        del lines[draw(st.integers(0, len(lines) - 2))]
        return b"\n".join(lines)
    at = draw(st.integers(len(pem_edge("BEGIN")) + 1, len(pem) - 30))
    return pem[:at] + draw(st.sampled_from([b"A", b"=", b"-", b"!", b"\x00", b"\xff"])) + pem[at:]


@given(damaged_pems())
def test_a_damaged_key_is_refused_never_read_as_another_key(pem: bytes) -> None:
    """A damaged key is InvalidKey; if the damage left a readable key (refused here only for
    its size), it is the very same key, never a different one."""
    message = assert_refused_without_leaking(pem)
    if "bits" in message:
        # It was read whole and refused only for being small: it must be the original key.
        read = serialization.load_pem_private_key(pem, password=None)
        assert isinstance(read, rsa.RSAPrivateKey)
        assert read.private_numbers() == small_rsa().private_numbers()


@given(st.binary(max_size=40))
@example(b"")
@example(b"secret\n")
def test_an_encrypted_key_opens_only_with_its_password(password: bytes) -> None:
    """Any password but the right one is InvalidKey; no password says one is needed."""
    assume(password != b"secret")
    pem = encrypted_small_rsa()
    assert_refused_without_leaking(pem, password)
    assert "needs a password" in assert_refused_without_leaking(pem, None)


@cache
def encrypted_small_rsa() -> bytes:
    return pkcs8_pem(small_rsa(), serialization.BestAvailableEncryption(b"secret"))


def _self_signed_certificate() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "GradeDesk test")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


WRONG_KEYS: dict[str, tuple[Callable[[], bytes], str]] = {
    "EC key": (lambda: pkcs8_pem(ec.generate_private_key(ec.SECP256R1())), "need an RSA key"),
    "Ed25519 key": (lambda: pkcs8_pem(ed25519.Ed25519PrivateKey.generate()), "need an RSA key"),
    "DSA key": (lambda: pkcs8_pem(dsa.generate_private_key(1024)),  # noqa: S505
                "need an RSA key"),
    "1024-bit RSA": (lambda: pkcs8_pem(small_rsa()), "1024 bits; at least 2048"),
    "public key": (lambda: tool_rsa().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
        "not a private key"),
    "PKCS#1 public key": (lambda: tool_rsa().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.PKCS1), "not a private key"),
    "certificate": (_self_signed_certificate, "not a private key"),
    "encrypted, no password": (lambda: pkcs8_pem(
        tool_rsa(), serialization.BestAvailableEncryption(b"pw")), "needs a password"),
    "OpenSSH form": (lambda: tool_rsa().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption()), "could not be read"),
    "DER, not PEM": (lambda: tool_rsa().private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()), "not in PEM form"),
}


@pytest.mark.parametrize("kind", list(WRONG_KEYS))
def test_a_wrong_kind_of_key_is_refused_with_the_reason(kind: str) -> None:
    """Each wrong key a person could paste gets InvalidKey saying what is wrong with it."""
    make, reason = WRONG_KEYS[kind]
    assert reason in assert_refused_without_leaking(make())


def test_a_password_for_an_unencrypted_key_is_refused() -> None:
    assert "password" in assert_refused_without_leaking(pkcs8_pem(tool_rsa()), b"pw")


@pytest.mark.parametrize("wrap", [
    pytest.param(lambda pem: pem, id="bytes"),
    pytest.param(lambda pem: pem.decode("ascii"), id="text"),
    pytest.param(bytearray, id="bytearray"),
    pytest.param(lambda pem: pem.replace(b"\n", b"\r\n"), id="CRLF"),
    pytest.param(lambda pem: b"\xef\xbb\xbf" + pem, id="BOM"),
    pytest.param(lambda pem: b"  " + pem.replace(b"\n", b"\n  "), id="indented"),
    pytest.param(lambda pem: b"pasted from mail:\n" + pem + b"-- \nsent from my phone\n",
                 id="text around"),
])
def test_a_real_key_however_wrapped_is_that_key(wrap: Callable[[bytes], bytes | str]) -> None:
    """Forgiving where it is safe: line ends, a BOM, indentation or text around a real key
    give exactly that key."""
    key = load_private_key(wrap(pkcs8_pem(tool_rsa())))
    assert key.private_numbers() == tool_rsa().private_numbers()


# --- URLs ----------------------------------------------------------------------------------------

# Hostname labels; "ab--…" labels are reserved for IDNA (RFC 5891) and tested apart below.
labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True).filter(
    lambda label: label[2:4] != "--")
domains = st.tuples(st.lists(labels, min_size=1, max_size=3),
                    st.from_regex(r"[a-z]{2,6}", fullmatch=True)).map(
    lambda parts: ".".join([*parts[0], parts[1]]))


def _not_loopback(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    # Written out by hand (not with ipaddress's is_loopback, which the app uses): 127.x.x.x,
    # ::1 and IPv4-mapped 127.x.x.x are this machine.
    if isinstance(ip, ipaddress.IPv4Address):
        return ip.packed[0] != 127
    mapped = ip.ipv4_mapped
    return ip.compressed != "::1" and not (mapped is not None and mapped.packed[0] == 127)


non_loopback_ips = (
    st.ip_addresses(v=4).filter(_not_loopback).map(str)
    | st.ip_addresses(v=6).filter(_not_loopback).map(lambda ip: f"[{ip.compressed}]"))
loopbacks = (st.sampled_from(["localhost", "LOCALHOST", "LocalHost", "[::1]",
                              "[0:0:0:0:0:0:0:1]"])
             | st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)).map(
                 lambda n: "127.{}.{}.{}".format(*n))
             | st.tuples(st.integers(0, 255), st.integers(0, 255)).map(
                 lambda n: "[::ffff:127.0.{}.{}]".format(*n)))
ports = st.sampled_from(["", ":80", ":443", ":8080", ":8765", ":1"])
paths = st.from_regex(r"(/[A-Za-z0-9._~%!$&'()*+,;=:@-]{0,8}){0,3}", fullmatch=True)
queries = st.from_regex(r"(\?[A-Za-z0-9=&%._-]{0,12})?(#[A-Za-z0-9]{0,6})?", fullmatch=True)
userinfos = st.sampled_from(["", "user@", "user:pw@", "localhost@", "127.0.0.1:80@"])


def same_host(parsed: str, typed: str) -> bool:
    """One host however written: "[0:0:0:0:0:0:0:1]" is "::1", "LOCALHOST" is "localhost"."""
    a, b = parsed.strip("[]").lower(), typed.strip("[]").lower()
    try:
        return ipaddress.ip_address(a) == ipaddress.ip_address(b)
    except ValueError:
        return a == b


@given(st.sampled_from(["http", "HTTP", "Http"]), userinfos, domains | non_loopback_ips, ports,
       paths, queries)
@example("http", "localhost@", "evil.example", "", "/", "")
@example("http", "", "127.0.0.1.nip.io", ":80", "", "")
@example("http", "", "localhost.example", "", "", "")
def test_plain_http_to_any_other_host_is_refused(scheme: str, userinfo: str, host: str,
                                                 port: str, path: str, query: str) -> None:
    """http to a host that is not this machine is refused, whatever the user part, port,
    path or query try to suggest."""
    with pytest.raises(InsecureUrl, match="only uses https"):
        require_secure_url(f"{scheme}://{userinfo}{host}{port}{path}{query}")


@given(st.sampled_from(["http", "https", "HTTP"]), loopbacks, ports, paths, queries)
def test_plain_http_to_loopback_is_accepted(scheme: str, host: str, port: str, path: str,
                                            query: str) -> None:
    """http (and https) to 127.0.0.0/8, ::1, IPv4-mapped loopback or localhost is accepted,
    and that host is what the URL goes to."""
    parsed = require_secure_url(f"{scheme}://{host}{port}{path}{query}")
    assert same_host(parsed.host, host)
    assert is_loopback_host(parsed.host)


@given(st.sampled_from(["https", "HTTPS"]), userinfos, domains | non_loopback_ips, ports, paths,
       queries)
def test_https_to_any_host_is_accepted_and_goes_to_that_host(
        scheme: str, userinfo: str, host: str, port: str, path: str, query: str) -> None:
    """https is accepted for any well-formed host, and the host is the one typed, never one
    found in the user part, path or query."""
    parsed = require_secure_url(f"{scheme}://{userinfo}{host}{port}{path}{query}")
    assert same_host(parsed.host, host)
    assert not is_loopback_host(parsed.host)


@given(st.sampled_from(["ftp", "ws", "file", "javascript", "data", "gopher", "httpx", "htps"]),
       domains, paths)
def test_other_schemes_are_refused(scheme: str, host: str, path: str) -> None:
    with pytest.raises(PlatformConfigError):
        require_secure_url(f"{scheme}://{host}{path}")


@given(st.text(max_size=80) | st.tuples(
    st.sampled_from(["http://", "https://", "https://[", "http://user@", "https://:", ""]),
    st.text(max_size=40)).map("".join))
@example("https://")
@example("https://[::1")
@example("https://exa mple.com")
@example("http://evil.com\\@localhost/")
@example("https://\u00ad.com")
@example("https://a\x00b.com")
def test_any_text_as_a_url_is_a_url_or_a_config_error(text: str) -> None:
    """Garbage in the URL checks: a parsed URL or PlatformConfigError, and is_loopback_host
    answers for any host text without raising."""
    assert isinstance(is_loopback_host(text), bool)
    try:
        parsed = require_secure_url(text)
    except PlatformConfigError as error:
        assert error.user_message.strip()
        return
    assert parsed.scheme == "https" or is_loopback_host(parsed.host)
    assert origin_of(parsed).startswith(f"{parsed.scheme}://")


@given(st.sampled_from(["http", "https"]), userinfos, domains | non_loopback_ips | loopbacks,
       ports, paths, queries)
@example("https", "", "Example.COM", "", "/a?b", "")
def test_the_origin_of_a_url_ignores_path_query_and_user(scheme: str, userinfo: str, host: str,
                                                         port: str, path: str,
                                                         query: str) -> None:
    """Adding a path, query, fragment or user part never changes a URL's origin, and the
    default port is written out, so two spellings of one server compare equal."""
    origin = origin_of(f"{scheme}://{host}{port}")
    assert origin_of(f"{scheme}://{userinfo}{host}{port}{path or '/'}{query}") == origin
    default = {"http": ":80", "https": ":443"}[scheme]
    origin_host, _, origin_port = origin.removeprefix(f"{scheme}://").rpartition(":")
    assert same_host(origin_host, host) and f":{origin_port}" == (port or default)


@pytest.mark.parametrize("check", [require_secure_url, origin_of, canvas_settings],
                         ids=["require_secure_url", "origin_of", "canvas_settings"])
def test_an_invalid_idna_host_is_a_config_error(check: Callable[[str], object]) -> None:
    """http.parse_url read httpx's lazy .host outside its try: 'xn--' raised IDNAError."""
    with pytest.raises(PlatformConfigError):
        check("https://xn--/courses/7")


# --- Course URLs ---------------------------------------------------------------------------------


def assert_same_origin(derived: DerivedSettings, origin: str) -> None:
    """Every service URL is on the course's server: the token request carries the tool's
    signed assertion, which must go nowhere else."""
    for url in (derived.course_url, derived.token_url, derived.lineitems_url, derived.nrps_url):
        require_secure_url(url)
        assert origin_of(url) == origin, url
        assert "@" not in url.split("/")[2], url  # no user:password@ in a stored URL


@given(scheme=st.sampled_from(["https://", "HTTPS://", ""]), userinfo=userinfos, host=domains,
       port=ports, prefix=st.sampled_from(["", "/canvas", "/lms/x"]),
       course=st.from_regex(r"[1-9][0-9]{0,6}(~[0-9]{1,4})?", fullmatch=True),
       page=st.sampled_from(["", "/", "/grades", "/assignments/31", "/courses/99"]),
       query=queries, spaces=st.sampled_from(["", " ", "\t", "\n "]))
@example(scheme="https://", userinfo="user:pw@", host="school.instructure.com", port="",
         prefix="", course="7", page="/grades", query="", spaces="")
def test_a_canvas_course_url_gives_services_on_its_own_server(
        scheme: str, userinfo: str, host: str, port: str, prefix: str, course: str, page: str,
        query: str, spaces: str) -> None:
    """Any page of a Canvas course, typed with or without https://, padded, with a user part:
    the course id is the one in the address and every URL is on that server."""
    typed = f"{spaces}{scheme}{userinfo}{host}{port}{prefix}/courses/{course}{page}{query}{spaces}"
    derived = canvas_settings(typed)
    assert derived.course_id == course
    course_url = urlsplit(derived.course_url)
    assert (course_url.path, course_url.query) == (f"{prefix}/courses/{course}", "")
    assert_same_origin(derived, origin_of(f"https://{host}{port}"))


@given(scheme=st.sampled_from(["https://", ""]), host=domains, port=ports,
       prefix=st.sampled_from(["", "/moodle"]), course=st.from_regex(r"[1-9][0-9]{0,6}",
                                                                     fullmatch=True),
       other=st.sampled_from(["", "&section=2", "&lang=en"]), type_id=st.integers(1, 10**6))
def test_a_moodle_course_url_gives_services_on_its_own_server(
        scheme: str, host: str, port: str, prefix: str, course: str, other: str,
        type_id: int) -> None:
    """A Moodle course page and a tool type id give URLs for that course and tool only."""
    derived = moodle_settings(f"{scheme}{host}{port}{prefix}/course/view.php?id={course}{other}",
                              f" {type_id} ")
    assert derived.course_id == course
    course_url = urlsplit(derived.course_url)
    assert (course_url.path, course_url.query) == (f"{prefix}/course/view.php", f"id={course}")
    assert derived.lineitems_url.endswith(f"/{course}/lineitems?type_id={type_id}")
    assert_same_origin(derived, origin_of(f"https://{host}{port}"))


@pytest.mark.parametrize(("url", "type_id"), [
    ("https://m.edu/course/view.php?id=%D9%A4%D9%A2", "3"),  # "٤٢", Arabic-Indic digits
    ("https://m.edu/course/view.php?id=²", "3"),
    ("https://m.edu/course/view.php?id=42", "²"),
    ("https://m.edu/course/view.php?id=42", "\uff14"),  # full-width 4
])
def test_a_moodle_id_in_other_digits_is_refused(url: str, type_id: str) -> None:
    """Regression: str.isdigit() let "²" and "٤٢" through as Moodle ids, into every URL."""
    with pytest.raises(PlatformConfigError):
        moodle_settings(url, type_id)


@pytest.mark.parametrize("typed", ["https:/school.instructure.com/courses/7",
                                   "https//school.instructure.com/courses/7",
                                   "http:school.instructure.com/courses/7"])
def test_a_mistyped_scheme_is_refused_not_read_as_a_host(typed: str) -> None:
    """Regression: with "://" missing, "https://" was put in front, making a host named
    "https" (or "http") with the real host in the path."""
    with pytest.raises(PlatformConfigError, match="https://"):
        canvas_settings(typed)


@given(st.text(max_size=80) | st.tuples(
    st.sampled_from(["https://", "http://", "", "https://x.edu"]),
    st.sampled_from(["", "/courses/", "/course/view.php?id="]), st.text(max_size=30)).map(
    "".join), st.text(max_size=6))
@example("https://x.edu/courses/", "1")
@example("http://x.edu/courses/7", "1")
@example("https://x.edu/course/view.php?id=1&id=2", "1")
@example("https://x.edu/course/view.php?id=1", "")
def test_any_text_as_a_course_url_is_settings_or_a_config_error(typed: str,
                                                                 type_id: str) -> None:
    """Garbage in the course set-up: settings on the typed server, or PlatformConfigError
    (InsecureUrl for plain http) with a message saying what a course URL looks like."""
    derivations: list[Callable[[], DerivedSettings]] = [
        lambda: canvas_settings(typed), lambda: moodle_settings(typed, type_id)]
    for derive in derivations:
        try:
            derived = derive()
        except PlatformConfigError as error:
            assert error.user_message.strip()
            continue
        assert derived.course_id.isascii() and derived.course_id.replace("~", "").isdigit()
        assert_same_origin(derived, origin_of(derived.course_url))
