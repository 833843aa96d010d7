"""Who grades whom: the students of a course (or of one column) split among graders.

The same roster, graders, mode and seed give the same split on every machine, so each TA can
compute it alone after a pull and nobody needs a server. Hence no Python ``hash()`` (salted per
process), no reliance on the order a caller lists students in, and no locale: students are
ordered by a SHA-256 of (seed, user id), or by their sort name folded the one locale-free way
(``names.fold``) with the user id as the last tie-break; graders keep the order given.

The split's file form (``split_document`` / ``read_split_document``) is JSON a teacher can edit
by hand and share. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from gradedesk.domain.errors import InputError
from gradedesk.domain.names import fold

FILE_FORMAT = "gradedesk-split"
FILE_VERSION = 1
# A hand-made split (a file whose mode is missing or unknown).
FILE_MODE = "file"
MAX_GRADER_NAME = 60
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class SplitMode(StrEnum):
    NAME = "name"  # contiguous alphabetical blocks by sort name
    SECTION = "section"  # whole sections, balanced by size
    BALANCED = "balanced"  # even counts after a seeded shuffle


@dataclass(frozen=True, slots=True)
class SplitStudent:
    """A student as a split sees them."""

    user_id: str
    sort_name: str
    section: str | None = None


@dataclass(frozen=True, slots=True)
class GraderSplit:
    """Each grader's students (user ids), graders in the order given. Every student listed
    belongs to exactly one grader."""

    graders: tuple[str, ...]
    mode: str  # a SplitMode value, or FILE_MODE
    seed: int
    assignments: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def students_of(self, grader: str) -> tuple[str, ...]:
        return self.assignments.get(grader, ())

    def owners(self) -> dict[str, str]:
        """Grader by user id."""
        return {user_id: grader for grader in self.graders
                for user_id in self.assignments.get(grader, ())}

    @property
    def size(self) -> int:
        return sum(len(ids) for ids in self.assignments.values())

    @property
    def digest(self) -> str:
        """A short fingerprint of who grades whom (not of how it was made): two TAs compare
        it to know they hold the same split."""
        canonical = [[grader, sorted(self.students_of(grader))] for grader in self.graders]
        text = json.dumps(canonical, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    def find_grader(self, wanted: str) -> str:
        """The grader ``wanted`` names (case and surrounding spaces ignored); InputError
        listing the graders otherwise."""
        return find_grader(wanted, self.graders)


def find_grader(wanted: str, graders: Sequence[str]) -> str:
    text = wanted.strip().casefold()
    for grader in graders:
        if grader.casefold() == text:
            return grader
    listed = ", ".join(graders) or "none"
    raise InputError(f"{wanted.strip()!r} is not one of the graders ({listed}).")


def clean_grader_name(text: object) -> str:
    """A grader's name, trimmed; InputError when empty, too long or holding control
    characters."""
    if not isinstance(text, str) or not text.strip():
        raise InputError("A grader's name cannot be empty (check for a doubled or trailing "
                         "comma in --graders).")
    name = " ".join(text.split())
    if _CONTROLS.search(name):
        raise InputError("A grader's name cannot contain control characters.")
    if len(name) > MAX_GRADER_NAME:
        raise InputError(f"A grader's name is at most {MAX_GRADER_NAME} characters: "
                         f"{name[:20]!r}….")
    return name


def parse_graders(given: str | Sequence[object]) -> tuple[str, ...]:
    """``"Ana, Ben,Chi"`` (or a list) as grader names in the order given: each trimmed; an
    empty name or the same name twice (in any letter case) is refused."""
    parts: Sequence[object] = given.split(",") if isinstance(given, str) else given
    names = tuple(clean_grader_name(part) for part in parts)
    if not names:
        raise InputError("Name at least one grader, e.g. --graders \"Ana,Ben,Chi\".")
    seen: dict[str, str] = {}
    for name in names:
        key = name.casefold()
        if key in seen:
            raise InputError(f"{name!r} is named twice among the graders.")
        seen[key] = name
    return names


# --- ordering ---------------------------------------------------------------------------------


def shuffle_key(seed: int, user_id: str) -> str:
    """A student's place in the seeded shuffle: the same on every machine and in every
    process (Python's own hash() is salted per process)."""
    return hashlib.sha256(f"{seed}\x1f{user_id}".encode()).hexdigest()


def name_key(student: SplitStudent) -> tuple[str, str, str]:
    """Alphabetical order without a locale: the folded sort name (accents and case dropped),
    then the sort name itself, then the user id, so that no two students tie."""
    return fold(student.sort_name), student.sort_name, student.user_id


def _blocks(count: int, graders: int) -> list[int]:
    """Block sizes as even as possible: the first ``count % graders`` get one more."""
    base, extra = divmod(count, graders)
    return [base + (1 if index < extra else 0) for index in range(graders)]


# --- splitting ------------------------------------------------------------------------------


def split_students(students: Iterable[SplitStudent], graders: Sequence[str],
                   mode: SplitMode | str = SplitMode.BALANCED, seed: int = 0) -> GraderSplit:
    """Assign every student to exactly one grader. ``graders``: names as ``parse_graders``
    gives them. ``name``: contiguous alphabetical blocks, as even as possible; ``section``:
    whole sections, largest first, each to the grader with the fewest students so far (ties:
    the seeded order), then the students without a section one by one the same way;
    ``balanced``: even counts over a seeded shuffle."""
    names = parse_graders(list(graders))
    chosen = _mode(mode)
    roster = _unique(students)
    if chosen is SplitMode.NAME:
        groups = _by_blocks(sorted(roster, key=name_key), len(names))
    elif chosen is SplitMode.BALANCED:
        groups = _by_blocks(sorted(roster, key=lambda s: (shuffle_key(seed, s.user_id),
                                                          s.user_id)), len(names))
    else:
        groups = _by_section(roster, len(names), seed)
    assignments = {grader: tuple(s.user_id for s in sorted(group, key=name_key))
                   for grader, group in zip(names, groups, strict=True)}
    return GraderSplit(names, chosen.value, seed, assignments)


def _mode(mode: SplitMode | str) -> SplitMode:
    try:
        return SplitMode(mode)
    except ValueError:
        raise InputError(f"Unknown split mode {mode!r}: name, section or balanced.") from None


def _unique(students: Iterable[SplitStudent]) -> list[SplitStudent]:
    by_id: dict[str, SplitStudent] = {}
    for student in students:
        if student.user_id in by_id and by_id[student.user_id] != student:
            raise InputError(f"Two students share the user id {student.user_id!r}.")
        by_id[student.user_id] = student
    if not by_id:
        raise InputError("There are no students to split.")
    return [by_id[user_id] for user_id in sorted(by_id)]


def _by_blocks(ordered: Sequence[SplitStudent], graders: int) -> list[list[SplitStudent]]:
    groups, start = [], 0
    for size in _blocks(len(ordered), graders):
        groups.append(list(ordered[start:start + size]))
        start += size
    return groups


def _by_section(roster: Sequence[SplitStudent], graders: int,
                seed: int) -> list[list[SplitStudent]]:
    sections: dict[str, list[SplitStudent]] = {}
    loose: list[SplitStudent] = []
    for student in roster:
        section = (student.section or "").strip()
        if section:
            sections.setdefault(section, []).append(student)
        else:
            loose.append(student)
    if not sections:
        raise InputError("No student has a section (sections come from an imported Canvas "
                         "gradebook CSV); split --by name or --by balanced instead.")
    groups: list[list[SplitStudent]] = [[] for _ in range(graders)]

    def lightest() -> list[SplitStudent]:
        return min(groups, key=len)  # min keeps the first of equals: the graders' order

    # Largest sections first (the usual greedy balance); equal sizes in the seeded order.
    for name in sorted(sections, key=lambda n: (-len(sections[n]), shuffle_key(seed, n), n)):
        lightest().extend(sections[name])
    # Students without a section even out the loads rather than land on one grader.
    for student in sorted(loose, key=lambda s: (shuffle_key(seed, s.user_id), s.user_id)):
        lightest().append(student)
    return groups


# --- the file form ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SplitFile:
    """A split read from its file, with what the file says it is for."""

    split: GraderSplit
    connection: str | None
    course: str | None
    # None: every column ("all"); else how the file names the column (its URL).
    line_item: str | None


def split_document(split: GraderSplit, *, connection: str, course: str | None,
                   line_item: Mapping[str, Any] | None,
                   names: Mapping[str, str]) -> dict[str, Any]:
    """The file form: hand-editable JSON. ``line_item``: the column's id, short id and label
    (None: every column); ``names``: sort names by user id, for the reader only (loading
    ignores them)."""
    listed = [user_id for grader in split.graders for user_id in split.students_of(grader)]
    return {
        "format": FILE_FORMAT,
        "version": FILE_VERSION,
        "connection": connection,
        "course": course,
        "line_item": dict(line_item) if line_item is not None else "all",
        "graders": list(split.graders),
        "mode": split.mode,
        "seed": split.seed,
        "assignments": {grader: list(split.students_of(grader)) for grader in split.graders},
        "names": {user_id: names[user_id] for user_id in listed if user_id in names},
    }


def read_split_document(data: object, *,
                        name_of: Callable[[str], str] | None = None) -> SplitFile:
    """A split from its file form (as ``json.load`` gave it). Lenient where a hand edit is
    harmless (spaces around ids, a grader missing from ``graders``, an id listed twice for one
    grader); InputError where it is not: not a split file, a newer version, an empty or
    doubled grader name, or a student listed for two graders (``name_of`` names them)."""
    if not isinstance(data, dict) or "assignments" not in data:
        raise InputError("This is not a GradeDesk split file (it has no \"assignments\").")
    if data.get("format", FILE_FORMAT) != FILE_FORMAT:
        raise InputError(f"This is not a GradeDesk split file (its format is not "
                         f"{FILE_FORMAT!r}).")
    version = data.get("version", FILE_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InputError("The split file's \"version\" must be a whole number.")
    if version > FILE_VERSION:
        raise InputError(f"This split file is version {version}, made by a newer GradeDesk; "
                         "update GradeDesk to read it.")
    raw = data["assignments"]
    if not isinstance(raw, dict):
        raise InputError("\"assignments\" must map each grader to a list of user ids.")
    listed = data.get("graders", [])
    if not isinstance(listed, list):
        raise InputError("\"graders\" must be a list of names.")
    named = parse_graders(listed) if listed else ()
    # Each grader's list by folded name: a hand edit may write "ana" for "Ana".
    by_grader: dict[str, tuple[str, object]] = {}
    for key, value in raw.items():
        name = clean_grader_name(key)
        if name.casefold() in by_grader:
            raise InputError(f"{name!r} has two lists of students in \"assignments\".")
        by_grader[name.casefold()] = (name, value)
    known = {grader.casefold() for grader in named}
    graders = parse_graders([*named, *(name for key, (name, _) in by_grader.items()
                                        if key not in known)])
    owner: dict[str, str] = {}
    doubled: list[str] = []
    assignments: dict[str, tuple[str, ...]] = {}
    for grader in graders:
        ids = by_grader.get(grader.casefold(), (grader, []))[1]
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise InputError(f"The students of {grader!r} must be a list of user ids (text).")
        mine: list[str] = []
        for user_id in (i.strip() for i in ids):
            if not user_id:
                raise InputError(f"{grader!r} has an empty user id.")
            if user_id in owner and owner[user_id] != grader:
                shown = name_of(user_id) if name_of is not None else user_id
                doubled.append(f"{shown} ({owner[user_id]} and {grader})")
            elif user_id not in owner:
                owner[user_id] = grader
                mine.append(user_id)
        assignments[grader] = tuple(mine)
    if doubled:
        more = f" and {len(doubled) - 5} more" if len(doubled) > 5 else ""
        raise InputError("A student may have one grader only; listed twice: "
                         + "; ".join(doubled[:5]) + more + ".")
    mode = data.get("mode")
    seed = data.get("seed", 0)
    return SplitFile(
        split=GraderSplit(graders, mode if isinstance(mode, str) and mode in set(SplitMode)
                          else FILE_MODE,
                          seed if isinstance(seed, int) and not isinstance(seed, bool) else 0,
                          assignments),
        connection=_text(data.get("connection")), course=_text(data.get("course")),
        line_item=_line_item(data.get("line_item", "all")))


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _line_item(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("id") or value.get("short_id")
    if value is None or (isinstance(value, str) and value.strip().casefold() == "all"):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise InputError("\"line_item\" must be \"all\" or the column's id.")
    return value.strip()
