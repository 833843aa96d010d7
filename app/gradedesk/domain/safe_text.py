"""Text from a platform, made safe to print, store and export.

Names, labels, comments and error bodies come from servers and other people: an escape
sequence in a student's name could set the terminal's title, clear the screen or print fake
instructions, and a name like ``=HYPERLINK(...)`` becomes a formula in a spreadsheet.
"""

from __future__ import annotations

import re

# C0 controls but tab, line feed and carriage return; DEL; C1 controls (ESC sequences' 8-bit
# forms); bidirectional overrides that reorder what is shown.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"[\r\n\t]+")
# A spreadsheet reads a cell starting with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def without_controls(text: str) -> str:
    """``text`` with every control character removed (tabs and line breaks kept)."""
    return _CONTROLS.sub("", text)


def one_line(text: str) -> str:
    """Control-free text on one line (names, labels): line breaks and tabs become spaces."""
    return _LINE_BREAKS.sub(" ", without_controls(text)).strip()


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs: a leading formula character is
    escaped with an apostrophe (which spreadsheets hide)."""
    # Text that already starts with apostrophes before a formula character gets one more, so
    # reading the cell back (one apostrophe off) gives the text itself: "'=x" stays "'=x".
    return f"'{text}" if text.lstrip("'").startswith(FORMULA_STARTS) else text
