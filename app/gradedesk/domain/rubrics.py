"""Rubrics: a column's criteria, each with levels worth some points, and a grader's choice of
one level per criterion. Pure: no I/O (files and the database are the layers above).

The file teachers share (``gradedesk rubric import|export``) is JSON::

    {"criteria": [{"name": "Clarity",
                   "levels": [{"points": 3, "description": "Clear thesis"}, ...]}, ...]}

Fields GradeDesk does not know (a title, a criterion's long description, ids from another
tool) are kept as they are and written back on export. Reading is strict: every malformed
shape is an InputError that says where it is ("criterion 2 (Evidence), level 3: ...").

A choice names one level per criterion, as text (``"Clarity=3, Evidence=2"``): the value is a
level's points, or ``#N`` for the N-th level as the file lists it (``"Clarity=#1"``). Criterion
names are matched without regard to case or repeated spaces, and may contain commas. The total
of a complete choice is the score; the chosen levels, one line per criterion, lead the comment.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from gradedesk.domain.errors import InputError
from gradedesk.domain.models import format_score
from gradedesk.domain.safe_text import one_line

# A dash between a level's points and its description in the comment lead (an em dash reads
# as prose in every platform's comment box).
LEAD_SEPARATOR = " — "
_POSITION_MARK = "#"
_NO_EXTRAS: Mapping[str, Any] = MappingProxyType({})
_SAME = 1e-9  # scores are floats: sums of halves are exact, but a tolerance costs nothing
_COMMA = re.compile(r"\s*,\s*")


def criterion_key(name: str) -> str:
    """How criterion names are compared: case-insensitive, spaces collapsed ("Grammar,
    spelling" is "grammar, spelling")."""
    return _COMMA.sub(", ", " ".join(name.split())).casefold()


@dataclass(frozen=True, slots=True)
class Level:
    """One level of a criterion: what it is worth and what it means."""

    points: float
    description: str = ""
    # Fields of the file GradeDesk does not use, kept for the round trip.
    extras: Mapping[str, Any] = field(default_factory=lambda: _NO_EXTRAS, hash=False)


@dataclass(frozen=True, slots=True)
class Criterion:
    """One row of the rubric: a name and its levels, in the file's order."""

    name: str
    levels: tuple[Level, ...]
    extras: Mapping[str, Any] = field(default_factory=lambda: _NO_EXTRAS, hash=False)

    @property
    def key(self) -> str:
        return criterion_key(self.name)

    @property
    def maximum(self) -> float:
        """The most points this criterion gives."""
        return max(level.points for level in self.levels)

    def position_of_points(self, points: float) -> int | None:
        """The position of the level worth ``points`` (levels' points are unique)."""
        for position, level in enumerate(self.levels):
            if abs(level.points - points) < _SAME:
                return position
        return None

    def described_levels(self) -> str:
        """Its levels as a grader types them, for error messages: "3, 2 or 0 points"."""
        said = [format_score(level.points) for level in self.levels]
        if len(said) == 1:
            return f"{_points(self.levels[0].points)} (or #1)"
        return f"{', '.join(said[:-1])} or {said[-1]} points, or #1 to #{len(said)}"


@dataclass(frozen=True, slots=True)
class Rubric:
    """A column's rubric: criteria in order; the score is the sum of one level per criterion."""

    criteria: tuple[Criterion, ...]
    extras: Mapping[str, Any] = field(default_factory=lambda: _NO_EXTRAS, hash=False)

    @property
    def maximum(self) -> float:
        """The most points the rubric gives: each criterion's best level, summed."""
        return sum(criterion.maximum for criterion in self.criteria)

    def find(self, name: str) -> Criterion | None:
        key = criterion_key(name)
        for criterion in self.criteria:
            if criterion.key == key:
                return criterion
        return None

    def criterion(self, name: str) -> Criterion:
        """The criterion called ``name`` (any case); InputError naming the criteria there are."""
        found = self.find(name)
        if found is None:
            known = ", ".join(criterion.name for criterion in self.criteria)
            raise InputError(f"The rubric has no criterion {name.strip()!r}; its criteria are "
                             f"{known}.")
        return found


@dataclass(frozen=True, slots=True)
class ChosenLevel:
    """The level a grader chose for one criterion, as it was when chosen.

    ``position`` (from 0) and ``description`` find the same level again in an edited rubric;
    ``points`` is what it was worth then; ``level_count`` how many levels it was chosen among.
    """

    criterion: str
    position: int
    points: float
    description: str
    level_count: int

    def to_json(self) -> dict[str, Any]:
        return {"criterion": self.criterion, "position": self.position,
                "points": _json_number(self.points), "description": self.description,
                "level_count": self.level_count}

    @staticmethod
    def from_json(value: Mapping[str, Any]) -> ChosenLevel:
        """From ``to_json``'s form (as stored; the store trusts what it wrote)."""
        return ChosenLevel(str(value["criterion"]), int(value["position"]),
                           float(value["points"]), str(value["description"]),
                           int(value["level_count"]))


@dataclass(frozen=True, slots=True)
class RubricChoice:
    """One level per criterion (all of them, for a score), in the rubric's order."""

    levels: tuple[ChosenLevel, ...]

    @property
    def total(self) -> float:
        return sum(level.points for level in self.levels)

    def level_for(self, criterion: str) -> ChosenLevel | None:
        key = criterion_key(criterion)
        for level in self.levels:
            if criterion_key(level.criterion) == key:
                return level
        return None

    def missing(self, rubric: Rubric) -> tuple[str, ...]:
        """The rubric's criteria this choice has no level for."""
        return tuple(c.name for c in rubric.criteria if self.level_for(c.name) is None)

    def to_json(self) -> list[dict[str, Any]]:
        return [level.to_json() for level in self.levels]

    @staticmethod
    def from_json(value: Sequence[Mapping[str, Any]]) -> RubricChoice:
        return RubricChoice(tuple(ChosenLevel.from_json(item) for item in value))


# --- Reading and writing the file -----------------------------------------------------------


def parse_rubric(text: str) -> Rubric:
    """A rubric from the JSON text of a rubric file; InputError saying what is wrong, where."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise InputError(f"The rubric is not valid JSON: {error.msg} at line {error.lineno}, "
                         f"column {error.colno}.") from None
    except RecursionError:
        raise InputError("The rubric is not valid JSON: nested too deeply.") from None
    return rubric_from_json(value)


def _refuse_constant(name: str) -> Any:
    raise InputError(f"The rubric is not valid JSON: {name} is not a JSON number.")


def rubric_from_json(value: object) -> Rubric:
    """A rubric from the parsed JSON of a rubric file (see the module's docstring)."""
    if not isinstance(value, dict):
        raise InputError('A rubric is a JSON object with a "criteria" list, like {"criteria": '
                         '[{"name": "Clarity", "levels": [{"points": 3, "description": '
                         '"Clear thesis"}]}]}.')
    raw_criteria = value.get("criteria")
    if raw_criteria is None:
        raise InputError('The rubric has no "criteria": give a list of criteria, each with a '
                         '"name" and "levels".')
    if not isinstance(raw_criteria, list):
        raise InputError(f'The rubric\'s "criteria" must be a list, not {_kind(raw_criteria)}.')
    if not raw_criteria:
        raise InputError('The rubric\'s "criteria" list is empty: give at least one criterion.')
    criteria: list[Criterion] = []
    seen: dict[str, str] = {}
    for number, raw in enumerate(raw_criteria, start=1):
        criterion = _criterion_from_json(raw, number)
        if criterion.key in seen:
            raise InputError(f"Criteria {seen[criterion.key]} and {number} are both called "
                             f"{criterion.name!r}: each criterion needs its own name.")
        seen[criterion.key] = str(number)
        criteria.append(criterion)
    return Rubric(tuple(criteria), _extras(value, ("criteria",)))


def _criterion_from_json(raw: object, number: int) -> Criterion:
    where = f"Criterion {number}"
    if not isinstance(raw, dict):
        raise InputError(f'{where} must be an object with a "name" and "levels", not '
                         f"{_kind(raw)}.")
    name_value = raw.get("name")
    if not isinstance(name_value, str) or not one_line(name_value):
        raise InputError(f'{where} needs a "name" (text)' +
                         ("." if name_value is None else f", not {_kind(name_value)}."))
    name = " ".join(one_line(name_value).split())
    where = f"Criterion {number} ({name})"
    if "=" in name:
        raise InputError(f'{where}: a criterion name cannot contain "=" (a grade is written '
                         '"Name=points").')
    raw_levels = raw.get("levels")
    if raw_levels is None:
        raise InputError(f'{where} has no "levels": give a list of levels, each with '
                         '"points" and a "description".')
    if not isinstance(raw_levels, list):
        raise InputError(f'{where}: "levels" must be a list, not {_kind(raw_levels)}.')
    if not raw_levels:
        raise InputError(f"{where} has no levels: give at least one.")
    levels: list[Level] = []
    for level_number, raw_level in enumerate(raw_levels, start=1):
        level = _level_from_json(raw_level, f"{where}, level {level_number}")
        for other_number, other in enumerate(levels, start=1):
            if abs(other.points - level.points) < _SAME:
                raise InputError(f"{where}: levels {other_number} and {level_number} are both "
                                 f"worth {_points(level.points)}; each level of a criterion "
                                 "needs its own points.")
        levels.append(level)
    return Criterion(name, tuple(levels), _extras(raw, ("name", "levels")))


def _level_from_json(raw: object, where: str) -> Level:
    if not isinstance(raw, dict):
        raise InputError(f'{where} must be an object with "points" and a "description", not '
                         f"{_kind(raw)}.")
    if "points" not in raw:
        raise InputError(f'{where} has no "points".')
    points = raw["points"]
    if isinstance(points, bool) or not isinstance(points, int | float):
        raise InputError(f'{where}: "points" must be a number, not {_kind(points)}.')
    if not math.isfinite(points) or points < 0:
        raise InputError(f'{where}: "points" must be 0 or more, not {points!r}.')
    description = raw.get("description")
    if description is not None and not isinstance(description, str):
        raise InputError(f'{where}: "description" must be text, not {_kind(description)}.')
    # One line: the description becomes a line of the comment lead.
    return Level(float(points), one_line(description or ""),
                 _extras(raw, ("points", "description")))


def _extras(raw: Mapping[str, Any], known: Iterable[str]) -> Mapping[str, Any]:
    used = set(known)
    kept = {key: value for key, value in raw.items() if key not in used}
    return MappingProxyType(kept) if kept else _NO_EXTRAS


def _points(points: float) -> str:
    return f"{format_score(points)} point{'' if same_score(points, 1) else 's'}"


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    return "a list" if isinstance(value, list) else "an object"


def rubric_to_json(rubric: Rubric) -> dict[str, Any]:
    """The file form of a rubric (extra fields included), ready for ``json.dumps``."""
    return {**rubric.extras, "criteria": [
        {**criterion.extras, "name": criterion.name, "levels": [
            {**level.extras, "points": _json_number(level.points),
             "description": level.description} for level in criterion.levels]}
        for criterion in rubric.criteria]}


def rubric_text(rubric: Rubric) -> str:
    """The rubric file's text: indented JSON, UTF-8 as it is, a final line break."""
    return json.dumps(rubric_to_json(rubric), indent=2, ensure_ascii=False) + "\n"


def _json_number(points: float) -> int | float:
    """3 rather than 3.0 in the file, so an exported rubric reads like the one imported."""
    return int(points) if points.is_integer() else points


# --- Choosing levels ------------------------------------------------------------------------


def chosen(criterion: Criterion, position: int) -> ChosenLevel:
    """The level at ``position`` (from 0) of ``criterion``, as a choice."""
    if not 0 <= position < len(criterion.levels):
        raise InputError(f"{criterion.name} has {len(criterion.levels)} levels; there is no "
                         f"level #{position + 1}.")
    level = criterion.levels[position]
    return ChosenLevel(criterion.name, position, level.points, level.description,
                       len(criterion.levels))


def choose(rubric: Rubric, positions: Mapping[str, int]) -> RubricChoice:
    """A choice from criterion names (any case) to level positions (from 0): what a window's
    rubric panel builds as number keys pick levels. May be partial; ``require_complete``
    before grading."""
    picked: dict[str, ChosenLevel] = {}
    for name, position in positions.items():
        criterion = rubric.criterion(name)
        picked[criterion.key] = chosen(criterion, position)
    return _in_rubric_order(rubric, picked)


def parse_choice(rubric: Rubric, text: str) -> RubricChoice:
    """A choice from text: ``"Clarity=3, Evidence=#2"`` (see the module's docstring). May be
    partial; ``require_complete`` before grading. InputError for an unknown criterion, a
    criterion given twice, or a value that names no level."""
    if not text.strip():
        raise InputError(f"No levels given: write them as {_example(rubric)}.")
    picked: dict[str, ChosenLevel] = {}
    for pieces, value in _entries(text):
        name = ",".join(pieces)
        if rubric.find(name) is None and len(pieces) > 1 and rubric.find(pieces[0]):
            raise InputError(f"No level given for {pieces[0].strip()}: write "
                             f"{pieces[0].strip()}=POINTS.")
        if not name.strip():
            raise InputError(f"\"={value}\" names no criterion: write the levels as "
                             f"{_example(rubric)}.")
        criterion = rubric.criterion(name)
        if criterion.key in picked:
            raise InputError(f"{criterion.name} is given twice; give one level per criterion.")
        picked[criterion.key] = chosen(criterion, _position(criterion, value))
    return _in_rubric_order(rubric, picked)


def _entries(text: str) -> list[tuple[list[str], str]]:
    """``NAME=VALUE`` entries split at commas, each name as its comma-separated pieces: a part
    without "=" is the start of a name with a comma in it ("Grammar, spelling=2")."""
    entries: list[tuple[list[str], str]] = []
    pending: list[str] = []
    for part in text.split(","):
        if "=" not in part:
            if part.strip() or pending:  # else an empty entry: "Clarity=3,,Evidence=2"
                pending.append(part)
            continue
        name, _, value = part.partition("=")  # names have no "=" (the file refuses them)
        entries.append(([*pending, name], value))
        pending = []
    if pending:
        said = ",".join(pending).strip()
        raise InputError(f"No level given for {said}: write {said}=POINTS.")
    return entries


def _position(criterion: Criterion, value: str) -> int:
    text = value.strip()
    if text.startswith(_POSITION_MARK):
        number = text[len(_POSITION_MARK):].strip()
        if not number.isdigit() or not 1 <= int(number) <= len(criterion.levels):
            raise InputError(f"{criterion.name}={text}: there is no such level; "
                             f"{criterion.name} takes {criterion.described_levels()}.")
        return int(number) - 1
    try:
        points = float(text)
    except ValueError:
        points = math.nan
    position = criterion.position_of_points(points) if math.isfinite(points) else None
    if position is None:
        shown = text or "(nothing)"
        raise InputError(f"{criterion.name}={shown}: no level is worth that; "
                         f"{criterion.name} takes {criterion.described_levels()}.")
    return position


def _in_rubric_order(rubric: Rubric, picked: Mapping[str, ChosenLevel]) -> RubricChoice:
    return RubricChoice(tuple(picked[c.key] for c in rubric.criteria if c.key in picked))


def _example(rubric: Rubric) -> str:
    return ",".join(f"{c.name}={format_score(c.levels[0].points)}" for c in rubric.criteria)


def require_complete(rubric: Rubric, choice: RubricChoice) -> None:
    """InputError unless the choice has a level for every criterion (a score needs them all)."""
    missing = choice.missing(rubric)
    if missing:
        listed = ", ".join(missing)
        raise InputError(f"No level chosen for {listed}: a rubric grade needs one level for "
                         f"every criterion ({_example(rubric)}).")


# --- The comment --------------------------------------------------------------------------


def comment_lead(rubric: Rubric, choice: RubricChoice) -> str:
    """The chosen levels written out, one line per criterion in the rubric's order:
    "Clarity: 3/3 — Clear thesis"."""
    lines = []
    for level in choice.levels:
        criterion = rubric.find(level.criterion)
        best = format_score(criterion.maximum if criterion is not None else level.points)
        line = f"{level.criterion}: {format_score(level.points)}/{best}"
        lines.append(f"{line}{LEAD_SEPARATOR}{level.description}" if level.description
                     else line)
    return "\n".join(lines)


def rubric_comment(rubric: Rubric, choice: RubricChoice, own_comment: str | None) -> str:
    """The whole comment: the levels, then a blank line and the grader's own words, if any."""
    lead = comment_lead(rubric, choice)
    own = (own_comment or "").strip()
    return f"{lead}\n\n{own}" if own else lead


# --- An edited rubric -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CarriedChoice:
    """A choice made on one rubric, found again on an edited one."""

    choice: RubricChoice  # the same levels on the new rubric (their points may differ)
    removed: tuple[ChosenLevel, ...]  # chosen on criteria the new rubric no longer has
    unchosen: tuple[str, ...]  # new criteria, or levels that cannot be found again

    @property
    def complete(self) -> bool:
        return not self.unchosen


def carry_choice(choice: RubricChoice, rubric: Rubric) -> CarriedChoice:
    """Find each chosen level in ``rubric``: by criterion name (any case); then the level
    with the same description (when exactly one has it), else the same position when the
    criterion has as many levels as before, else the level worth the same points."""
    picked: dict[str, ChosenLevel] = {}
    removed: list[ChosenLevel] = []
    for level in choice.levels:
        criterion = rubric.find(level.criterion)
        if criterion is None:
            removed.append(level)
            continue
        position = _same_level(criterion, level)
        if position is not None:
            picked[criterion.key] = chosen(criterion, position)
    carried = _in_rubric_order(rubric, picked)
    return CarriedChoice(carried, tuple(removed), carried.missing(rubric))


def _same_level(criterion: Criterion, level: ChosenLevel) -> int | None:
    if level.description:
        alike = [position for position, candidate in enumerate(criterion.levels)
                 if candidate.description.casefold() == level.description.casefold()]
        if len(alike) == 1:
            return alike[0]
    if len(criterion.levels) == level.level_count and level.position < level.level_count:
        return level.position
    return criterion.position_of_points(level.points)


def same_score(first: float | None, second: float | None) -> bool:
    """Two totals are the same score (None only equals None)."""
    if first is None or second is None:
        return first is second
    return abs(first - second) < _SAME


def working(before: RubricChoice, after: CarriedChoice) -> str:
    """How a total changed, for a grader to check: "Evidence 2→3: 5 → 6"."""
    steps = []
    for old in before.levels:
        new = after.choice.level_for(old.criterion)
        if new is None:
            if any(gone is old for gone in after.removed):
                steps.append(f"{old.criterion} removed")
            continue
        if not same_score(old.points, new.points):
            steps.append(f"{new.criterion} {format_score(old.points)}→"
                         f"{format_score(new.points)}")
    changes = ", ".join(steps) or "levels moved"
    return f"{changes}: {format_score(before.total)} → {format_score(after.choice.total)}"
