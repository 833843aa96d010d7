"""The late rule's arithmetic as a table of worked examples: grace, days and hours, partial
periods rounded up (as Canvas's late policy does), the cap, the 100% floor, rounding to the
hundredth, zero scores, and the boundaries of each; then the rules that are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradedesk.domain import InputError
from gradedesk.domain.late_policy import (
    LateRule,
    LateUnit,
    due_text,
    judge,
    missing_comment,
    missing_working,
    penalised,
    periods_late,
)

M = "\u2212"  # the working's minus sign
DUE = datetime(2026, 3, 2, 23, 59, tzinfo=UTC)
SECOND, MINUTE, HOUR, DAY = (timedelta(seconds=1), timedelta(minutes=1), timedelta(hours=1),
                             timedelta(days=1))

PER_DAY = LateRule.parse("10")
PER_DAY_CAPPED = LateRule.parse("10", "day", cap="30", grace_minutes="15")
PER_HOUR = LateRule.parse("2", "hour", cap="25")
STEEP = LateRule.parse("40")  # no cap: stops at 100%

# rule, submitted after the due date, score -> periods late, score after, working
WORKED = [
    # On time and grace: nothing changes.
    (PER_DAY, -HOUR, 90.0, 0, 90.0, "on time"),
    (PER_DAY, timedelta(0), 90.0, 0, 90.0, "on time"),  # exactly at the due date
    (PER_DAY_CAPPED, 10 * MINUTE, 90.0, 0, 90.0, "within the 15-minute grace period"),
    (PER_DAY_CAPPED, 15 * MINUTE, 90.0, 0, 90.0, "within the 15-minute grace period"),
    # Past the grace, lateness counts from the due date: 15 min 1 s is one day late.
    (PER_DAY_CAPPED, 15 * MINUTE + SECOND, 90.0, 1, 81.0, f"90 {M} 10% late (1 day) = 81"),
    # Partial days count as whole ones.
    (PER_DAY, SECOND, 90.0, 1, 81.0, f"90 {M} 10% late (1 day) = 81"),
    (PER_DAY, timedelta(microseconds=1), 90.0, 1, 81.0, f"90 {M} 10% late (1 day) = 81"),
    (PER_DAY, DAY, 90.0, 1, 81.0, f"90 {M} 10% late (1 day) = 81"),
    (PER_DAY, DAY + SECOND, 90.0, 2, 72.0, f"90 {M} 20% late (2 days) = 72"),
    (PER_DAY, 3 * DAY, 90.0, 3, 63.0, f"90 {M} 30% late (3 days) = 63"),
    # The cap: equal to it is not capped; over it is.
    (PER_DAY_CAPPED, 3 * DAY, 90.0, 3, 63.0, f"90 {M} 30% late (3 days) = 63"),
    (PER_DAY_CAPPED, 3 * DAY + MINUTE, 90.0, 4, 63.0,
     f"90 {M} 30% late (4 days, cap 30%) = 63"),
    (PER_DAY_CAPPED, 40 * DAY, 90.0, 40, 63.0, f"90 {M} 30% late (40 days, cap 30%) = 63"),
    # Per hour.
    (PER_HOUR, 30 * MINUTE, 90.0, 1, 88.2, f"90 {M} 2% late (1 hour) = 88.2"),
    (PER_HOUR, 3 * HOUR, 90.0, 3, 84.6, f"90 {M} 6% late (3 hours) = 84.6"),
    (PER_HOUR, 3 * HOUR + SECOND, 90.0, 4, 82.8, f"90 {M} 8% late (4 hours) = 82.8"),
    (PER_HOUR, 13 * HOUR, 90.0, 13, 67.5, f"90 {M} 25% late (13 hours, cap 25%) = 67.5"),
    # Never below 0: without a cap the deduction stops at 100%.
    (STEEP, 2 * DAY, 90.0, 2, 18.0, f"90 {M} 80% late (2 days) = 18"),
    (STEEP, 3 * DAY, 90.0, 3, 0.0, f"90 {M} 100% late (3 days, at most 100%) = 0"),
    # Zero stays zero; decimals are exact and rounded to the hundredth, half up.
    (PER_DAY, DAY, 0.0, 1, 0.0, f"0 {M} 10% late (1 day) = 0"),
    (PER_DAY, DAY, 85.5, 1, 76.95, f"85.5 {M} 10% late (1 day) = 76.95"),
    (PER_DAY, DAY, 8.15, 1, 7.34, f"8.15 {M} 10% late (1 day) = 7.34"),  # 7.335 up
    (LateRule.parse("7"), DAY, 85.5, 1, 79.52, f"85.5 {M} 7% late (1 day) = 79.52"),  # 79.515
    (LateRule.parse("12.5"), 2 * DAY, 0.3, 2, 0.23, f"0.3 {M} 25% late (2 days) = 0.23"),
    (LateRule.parse("2,5%"), DAY, 10.0, 1, 9.75, f"10 {M} 2.5% late (1 day) = 9.75"),
]


@pytest.mark.parametrize(("rule", "after", "score", "periods", "adjusted", "working"), WORKED)
def test_worked_examples(rule: LateRule, after: timedelta, score: float, periods: int,
                         adjusted: float, working: str) -> None:
    judgement = judge(rule, due=DUE, submitted=DUE + after, score=score)
    assert judgement.periods == periods
    assert judgement.late is (periods > 0)
    assert judgement.adjusted == adjusted
    assert judgement.working == working
    assert 0 <= judgement.adjusted <= score


def test_the_student_comment_says_what_was_taken_and_why() -> None:
    capped = judge(PER_DAY_CAPPED, due=DUE, submitted=DUE + 5 * DAY, score=90.0)
    assert capped.comment == f"Late penalty: 30% (5 days late, capped at 30%): 90 {M} 30% = 63"
    assert capped.capped and capped.deduction == Decimal(30)
    hours = judge(PER_HOUR, due=DUE, submitted=DUE + 3 * HOUR, score=90.0)
    assert hours.comment == f"Late penalty: 6% (3 hours late): 90 {M} 6% = 84.6"
    assert judge(PER_DAY, due=DUE, submitted=DUE, score=90.0).comment is None


def test_a_zero_percent_rule_changes_nothing_not_even_the_rounding() -> None:
    judgement = judge(LateRule.parse("0"), due=DUE, submitted=DUE + 9 * DAY, score=85.555)
    assert judgement.periods == 9 and judgement.adjusted == 85.555
    assert judgement.comment is None
    capped_to_nothing = judge(LateRule.parse("10", cap="0"), due=DUE, submitted=DUE + DAY,
                              score=7.777)
    assert capped_to_nothing.adjusted == 7.777


def test_lateness_is_the_same_in_any_time_zone() -> None:
    elsewhere = timezone(timedelta(hours=-7))
    submitted = (DUE + DAY + SECOND).astimezone(elsewhere)
    assert periods_late(PER_DAY, due=DUE, submitted=submitted) == 2
    assert periods_late(PER_DAY, due=DUE.astimezone(elsewhere), submitted=DUE + DAY) == 1


def test_naive_times_are_refused() -> None:
    with pytest.raises(InputError, match="timezone"):
        periods_late(PER_DAY, due=DUE.replace(tzinfo=None), submitted=DUE)


@given(percent=st.decimals(min_value=0, max_value=100, places=2),
       cap=st.none() | st.decimals(min_value=0, max_value=100, places=2),
       minutes_late=st.integers(min_value=-10_000, max_value=200_000),
       cents=st.integers(min_value=0, max_value=100_000))
def test_a_penalty_never_raises_a_score_nor_takes_it_below_zero(
        percent: Decimal, cap: Decimal | None, minutes_late: int, cents: int) -> None:
    rule = LateRule(percent=percent, cap=cap)
    score = cents / 100
    judgement = judge(rule, due=DUE, submitted=DUE + minutes_late * MINUTE, score=score)
    assert 0 <= judgement.adjusted <= score
    assert judgement.deduction <= (cap if cap is not None else 100)
    if minutes_late <= 0:
        assert judgement.adjusted == score and not judgement.late


def test_penalised_rounds_half_up_to_the_hundredth() -> None:
    assert penalised(Decimal("8.15"), Decimal(10)) == Decimal("7.34")
    assert penalised(Decimal("8.25"), Decimal(10)) == Decimal("7.43")  # 7.425
    assert penalised(Decimal("90"), Decimal(100)) == Decimal("0")
    huge = judge(PER_DAY, due=DUE, submitted=DUE + DAY, score=1e300)  # a platform's odd score
    assert huge.adjusted == 9e299


def test_a_rule_in_words_and_as_json() -> None:
    assert PER_DAY_CAPPED.describe() == ("10% of the score per day late (part of a day counts "
                                         "as a whole day), at most 30%, with 15 minutes of "
                                         "grace")
    assert PER_HOUR.to_json() == {"percent": 2, "per": "hour", "cap": 25, "grace_minutes": 0}
    assert LateRule.parse("12.5", "hours").to_json()["percent"] == 12.5
    assert LateRule.parse("10", "Day").per is LateUnit.DAY


def test_missing_work_in_words() -> None:
    assert due_text(DUE.astimezone(timezone(timedelta(hours=2)))) == "2026-03-02 23:59 UTC"
    assert missing_working(DUE) == "no submission by 2026-03-02 23:59 UTC"
    assert missing_comment(DUE) == "Missing: no submission by 2026-03-02 23:59 UTC, so the " \
        "score is 0."


@pytest.mark.parametrize(("percent", "per", "cap", "grace", "message"), [
    ("-5", "day", None, "0", "0 or more"),
    ("101", "day", None, "0", "at most 100"),
    ("ten", "day", None, "0", "is not a number"),
    ("NaN", "day", None, "0", "finite"),
    ("Infinity", "day", None, "0", "finite"),
    ("10", "week", None, "0", "Unknown unit 'week'"),
    ("10", "", None, "0", "Unknown unit"),
    ("10", "day", "150", "0", "between 0 and 100"),
    ("10", "day", "-1", "0", "between 0 and 100"),
    ("10", "day", "lots", "0", "is not a number"),
    ("10", "day", None, "-5", "0 minutes or more"),
    ("10", "day", None, "1.5", "whole number of minutes"),
    ("10", "day", None, "fifteen", "whole number of minutes"),
    ("10", "day", None, "9" * 30, "more than a year"),
    ("1e400", "day", None, "0", "at most 100"),
])
def test_nonsense_rules_are_refused_clearly(percent: str, per: str, cap: str | None,
                                            grace: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        LateRule.parse(percent, per, cap=cap, grace_minutes=grace)


def test_nonsense_values_are_refused_when_built_directly() -> None:
    with pytest.raises(InputError, match="whole number of minutes"):
        LateRule(percent=Decimal(10), grace_minutes=True)
    with pytest.raises(InputError, match="finite"):
        LateRule(percent=10)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="0 or more"):
        judge(PER_DAY, due=DUE, submitted=DUE + DAY, score=-1.0)
    with pytest.raises(InputError, match="finite"):
        judge(PER_DAY, due=DUE, submitted=DUE + DAY, score=float("nan"))
