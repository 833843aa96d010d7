"""A column's late policy and the arithmetic of one late submission. Pure: no I/O, no clock.

The rule (decided here, and in the README):

- **What is deducted**: a percent *of the score the work earned* for each day (or hour) late,
  so "10% per day" takes 90 to 81 after one day. (Canvas's own late policy deducts a percent of
  the points possible; GradeDesk's rule is about the work's own grade, as teachers state it.)
- **Partial days count as whole**, as in Canvas's late policy: a minute late is one day late,
  24 hours and one minute is two. Lateness is measured from the due date.
- **Grace**: work submitted no more than the grace period after the due date is on time; work
  submitted later is judged from the due date itself (a grace period forgives, it does not
  move the due date).
- **Cap**: the most that is deducted in all, in percent of the score (the same unit as the
  deduction): "10% per day, cap 30%" never takes more than 30% of the score. Without a cap,
  the deduction stops at 100%: a score never goes below 0.
- **Exact arithmetic**: percents are decimals, the score is taken as its shortest decimal form,
  and the result is rounded to the hundredth (half up), so the score sent is the one shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from enum import StrEnum

from gradedesk.domain.clock import require_aware
from gradedesk.domain.errors import InputError
from gradedesk.domain.models import format_score

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
_MICROSECONDS_PER_SECOND = 1_000_000
# The working is arithmetic for people, with a real minus sign (U+2212), not a hyphen.
MINUS = "\u2212"
MAX_GRACE_MINUTES = 366 * 24 * 60


class LateUnit(StrEnum):
    """What one step of lateness is."""

    DAY = "day"
    HOUR = "hour"

    @property
    def seconds(self) -> int:
        return 86_400 if self is LateUnit.DAY else 3_600

    def amount(self, periods: int) -> str:
        """"1 day", "3 days", "1 hour"."""
        return f"{periods} {self.value}" + ("" if periods == 1 else "s")


@dataclass(frozen=True, slots=True)
class LateRule:
    """A column's late policy: ``percent`` of the score off per ``per`` late (partial ones
    count as whole), at most ``cap`` percent in all, nothing off within ``grace_minutes``."""

    percent: Decimal
    per: LateUnit = LateUnit.DAY
    cap: Decimal | None = None
    grace_minutes: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "per", parse_unit(self.per))
        if not isinstance(self.percent, Decimal) or not self.percent.is_finite():
            raise InputError("The late percent must be a finite number.")
        if self.percent < 0:
            raise InputError(f"The late percent must be 0 or more, not {_percent(self.percent)}.")
        if self.percent > _HUNDRED:
            raise InputError(f"The late percent is per {self.per.value}: at most 100, not "
                             f"{_percent(self.percent)}.")
        if self.cap is not None:
            if not isinstance(self.cap, Decimal) or not self.cap.is_finite():
                raise InputError("The cap must be a finite number of percent.")
            if self.cap < 0 or self.cap > _HUNDRED:
                raise InputError("The cap is the most deducted in all, in percent of the score: "
                                 f"between 0 and 100, not {_percent(self.cap)}.")
        if isinstance(self.grace_minutes, bool) or not isinstance(self.grace_minutes, int):
            raise InputError("The grace period must be a whole number of minutes.")
        if self.grace_minutes < 0:
            raise InputError(f"The grace period must be 0 minutes or more, not "
                             f"{self.grace_minutes}.")
        if self.grace_minutes > MAX_GRACE_MINUTES:
            raise InputError(f"A grace period of {self.grace_minutes} minutes is more than a "
                             f"year ({MAX_GRACE_MINUTES} minutes).")

    @classmethod
    def parse(cls, percent: str | float | Decimal, per: str | LateUnit = LateUnit.DAY,
              cap: str | float | Decimal | None = None,
              grace_minutes: str | int = 0) -> LateRule:
        """A rule from what a person typed ("10", "10%", "2,5"); InputError on nonsense."""
        return cls(percent=parse_percent(percent, "late percent"), per=parse_unit(per),
                   cap=None if cap is None else parse_percent(cap, "cap"),
                   grace_minutes=parse_minutes(grace_minutes))

    def describe(self) -> str:
        """The rule in words: "10% of the score per day late (part of a day counts as a whole
        day), at most 30%, with 15 minutes of grace"."""
        unit = self.per.value
        text = (f"{_percent(self.percent)}% of the score per {unit} late (part of a {unit} "
                f"counts as a whole {unit})")
        if self.cap is not None:
            text += f", at most {_percent(self.cap)}%"
        if self.grace_minutes:
            text += f", with {_minute_count(self.grace_minutes)} of grace"
        return text

    def to_json(self) -> dict[str, object]:
        """The rule as plain JSON values (numbers, not text)."""
        return {"percent": _json_number(self.percent), "per": self.per.value,
                "cap": None if self.cap is None else _json_number(self.cap),
                "grace_minutes": self.grace_minutes}


@dataclass(frozen=True, slots=True)
class LateJudgement:
    """What a rule makes of one submission: how late it was and the score after the penalty,
    with the working ("90 \u2212 10% late (1 day) = 81") and a line for the student."""

    periods: int  # whole days or hours late, partial ones counted whole; 0 when on time
    within_grace: bool  # after the due date, but within the grace period
    deduction: Decimal  # percent of the score taken off, after the cap
    capped: bool  # the cap (or the 100% floor) limited the deduction
    score: float  # before the penalty
    adjusted: float  # after it
    working: str
    comment: str | None  # None when nothing is taken off

    @property
    def late(self) -> bool:
        return self.periods > 0


def periods_late(rule: LateRule, *, due: datetime, submitted: datetime) -> int:
    """Whole days or hours late (a part counts whole); 0 on time or within the grace period."""
    require_aware(due, "due date")
    require_aware(submitted, "submitted time")
    late = submitted - due
    if late <= timedelta(0) or late <= timedelta(minutes=rule.grace_minutes):
        return 0
    # Integer microseconds: no float rounding can push an exact day into the next one.
    late_us = late // timedelta(microseconds=1)
    period_us = rule.per.seconds * _MICROSECONDS_PER_SECOND
    return -(-late_us // period_us)


def judge(rule: LateRule, *, due: datetime, submitted: datetime, score: float) -> LateJudgement:
    """The score after ``rule`` for work due at ``due``, submitted at ``submitted``."""
    base = score_decimal(score)
    periods = periods_late(rule, due=due, submitted=submitted)
    if periods == 0:
        within_grace = submitted > due
        working = (f"within the {_minutes(rule.grace_minutes)} grace period" if within_grace
                   else "on time")
        return LateJudgement(periods=0, within_grace=within_grace, deduction=Decimal(0),
                             capped=False, score=score, adjusted=score, working=working,
                             comment=None)
    wanted = rule.percent * periods
    limit = _HUNDRED if rule.cap is None else min(rule.cap, _HUNDRED)
    deduction = min(wanted, limit)
    capped = wanted > limit
    # Nothing off (a 0% rule or a 0% cap) leaves the score exactly as it is, unrounded.
    adjusted = penalised(base, deduction) if deduction > 0 else base
    late_for = rule.per.amount(periods)
    note = ""
    if capped:
        note = f", cap {_percent(limit)}%" if rule.cap is not None else ", at most 100%"
    shown_base, shown_after, off = format_score(score), _score(adjusted), _percent(deduction)
    working = f"{shown_base} {MINUS} {off}% late ({late_for}{note}) = {shown_after}"
    capped_words = f", capped at {_percent(limit)}%" if capped else ""
    comment = (f"Late penalty: {off}% ({late_for} late{capped_words}): "
               f"{shown_base} {MINUS} {off}% = {shown_after}")
    return LateJudgement(periods=periods, within_grace=False, deduction=deduction,
                         capped=capped, score=score,
                         adjusted=float(adjusted) if deduction > 0 else score,
                         working=working, comment=comment if deduction > 0 else None)


def penalised(score: Decimal, deduction: Decimal) -> Decimal:
    """``score`` less ``deduction`` percent of it, to the hundredth (half up), never below 0."""
    kept = max(_HUNDRED - deduction, Decimal(0))
    with localcontext() as exact:
        # Room for every digit of the largest float to the hundredth (the default 28 digits
        # would refuse to quantize a huge score a platform might hold).
        exact.prec = 340
        return max((score * kept / _HUNDRED).quantize(_CENT, rounding=ROUND_HALF_UP),
                   Decimal(0))


def score_decimal(score: float) -> Decimal:
    """A stored score as the decimal people read (8.5, not 8.4999…), checked."""
    if isinstance(score, bool) or not isinstance(score, int | float) or not math.isfinite(score):
        raise InputError("A score to judge must be a finite number.")
    if score < 0:
        raise InputError("A score to judge must be 0 or more.")
    return Decimal(repr(float(score)))


# --- Missing work -----------------------------------------------------------------------------


def due_text(due: datetime) -> str:
    """A due date as the working and the student's comment give it: "2026-03-02 23:59 UTC"."""
    require_aware(due, "due date")
    return due.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def missing_working(due: datetime) -> str:
    """The working of a "missing" zero."""
    return f"no submission by {due_text(due)}"


def missing_comment(due: datetime) -> str:
    """The line the student sees with a "missing" zero."""
    return f"Missing: no submission by {due_text(due)}, so the score is 0."


# --- Parsing what a person typed -------------------------------------------------------------


def parse_unit(text: str | LateUnit) -> LateUnit:
    if isinstance(text, LateUnit):
        return text
    cleaned = str(text).strip().casefold()
    for unit in LateUnit:
        if cleaned in (unit.value, f"{unit.value}s"):
            return unit
    raise InputError(f"Unknown unit {str(text)!r} for a late rule: give day or hour.")


def parse_percent(value: str | float | Decimal, what: str) -> Decimal:
    """A percent from text ("10", "12.5%", "2,5") or a number; InputError when it is none."""
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, bool):
        raise InputError(f"The {what} must be a number.")
    elif isinstance(value, int | float):
        if not math.isfinite(value):
            raise InputError(f"The {what} must be a finite number.")
        number = Decimal(repr(value))
    else:
        cleaned = str(value).strip().removesuffix("%").strip()
        if cleaned.count(",") == 1 and "." not in cleaned:
            cleaned = cleaned.replace(",", ".")  # a decimal comma, as many locales write it
        try:
            number = Decimal(cleaned)
        except InvalidOperation:
            raise InputError(f"The {what} {str(value)!r} is not a number.") from None
    if not number.is_finite():
        raise InputError(f"The {what} must be a finite number.")
    return number + 0  # -0 becomes 0; the value is kept exactly


def parse_minutes(value: str | int) -> int:
    """A grace period in whole minutes."""
    if isinstance(value, bool):
        raise InputError("The grace period must be a whole number of minutes.")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text.lstrip("-").isdigit() or not text.isascii():
        raise InputError(f"The grace period {text!r} is not a whole number of minutes.")
    return int(text)


# --- Words ------------------------------------------------------------------------------------


def _percent(value: Decimal) -> str:
    """A percent exactly as given, without trailing zeros: 10, 12.5, 3.333."""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "0") else text


def _score(value: Decimal) -> str:
    return format_score(float(value))


def _minutes(count: int) -> str:
    """As an adjective: "15-minute"."""
    return f"{count}-minute"


def _minute_count(count: int) -> str:
    return f"{count} minute" + ("" if count == 1 else "s")


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)
