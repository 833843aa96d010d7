"""A column's late rule and "mark missing", applied: proposed grades for a person to review,
never queued or sent by themselves (``gradedesk.store.proposals``; accepting one makes it an
ordinary draft).

**Late.** Each cell with a submitted time (the platform's, kept by the store even after a grade
replaced it on the result) and a score (a local draft's, else the platform's) is judged by the
rule (``domain.late_policy``); a cell whose score would change gets a proposal, reason "late".
The cell's score the penalty starts from is the grade *before* any penalty: each proposal is
recorded with the score it started from and the score it proposed, and while the cell shows
that proposed score the penalty is taken to be in the grade, so a run again (the same rule, or
a changed one) starts from the recorded score and never penalises twice. A cell that shows any
other score (the proposal was rejected, or the work was graded again) starts from that score.
Work with no submitted time is never judged late; it is counted as skipped, with the reason.

**Missing.** Once the due date (and the rule's grace period) has passed, a student on the
roster with nothing at all in the column gets a proposal of 0, reason "missing". Never over a
score (the platform's or a draft's), never for work with a submitted time, and never for a
result the platform holds without a score: by GradeDesk's one rule
(``domain.grading_rules``) that is work waiting for a grade, and Canvas echoes only the
extension the tool last sent, so a result without a submitted time may still be a submission.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from gradedesk.domain import GradingProgress, InputError, format_score, parse_timestamp, utc_now
from gradedesk.domain.late_policy import (
    LateRule,
    due_text,
    judge,
    missing_comment,
    missing_working,
)
from gradedesk.store import ConnectionRow, Database, LineItemRow
from gradedesk.store.late_rules import LateCell, NewPenalty, get_rule, late_cells, record_penalties
from gradedesk.store.proposals import NewProposal, propose
from gradedesk.store.snapshots import list_members

# Scores are stored as REAL; a proposed score comes back from the platform as the same double,
# but a tolerance far below the hundredth the rule rounds to keeps the comparison honest.
_SAME_SCORE = 0.0005

# Why a cell was not judged (the keys of ``skipped``, part of ``--json``).
NO_SUBMITTED_TIME = "no_submitted_time"
UNREADABLE_SUBMITTED_TIME = "unreadable_submitted_time"
NOT_GRADED = "not_graded"
GRADED = "graded"
SUBMITTED = "submitted"
RESULT_WITHOUT_SCORE = "result_without_score"
WAITING_FOR_GRADE = "waiting_for_grade"

# The same words in the CLI and the window.
LATE_SKIP_WORDS = {
    NO_SUBMITTED_TIME: "without a submitted time (not judged late)",
    UNREADABLE_SUBMITTED_TIME: "with a submitted time that cannot be read",
    NOT_GRADED: "submitted but not graded yet",
}
MISSING_SKIP_WORDS = {
    GRADED: "with a score",
    SUBMITTED: "who handed in work",
    RESULT_WITHOUT_SCORE: "with a result but no score (work waiting for a grade)",
    WAITING_FOR_GRADE: "marked as waiting for a grade",
}


def due_date_of(line_item: LineItemRow, connection_name: str) -> datetime:
    """The column's due date (its AGS end date); InputError saying how to set one."""
    text = line_item.wire.get("endDateTime")
    fix = (f"set one with `gradedesk column edit {connection_name} {line_item.short_id} "
           "--end 2026-12-01T23:59:00Z`")
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{line_item.label} ({line_item.short_id}) has no due date (end date); "
                         f"{fix}.")
    try:
        return parse_timestamp(text.strip().replace("Z", "+00:00"))
    except InputError:
        raise InputError(f"The end date of {line_item.label} ({text!r}) is not a readable time; "
                         f"{fix}.") from None


# --- Late -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LateProposal:
    """One proposed change: the cell showed ``was``; the rule, from ``base``, gives ``score``."""

    user_id: str
    submitted_at: datetime
    periods: int  # days or hours late (0: on time now; the proposal takes a penalty back)
    was: float
    base: float
    score: float
    working: str
    comment: str | None


@dataclass(frozen=True, slots=True)
class LateRun:
    """What applying a late rule to a column found and proposed."""

    line_item: LineItemRow
    rule: LateRule
    due: datetime
    proposed: tuple[LateProposal, ...]
    late_unchanged: int  # late, and the grade already is what the rule gives
    on_time: int
    skipped: Mapping[str, int]  # reason -> how many cells were not judged
    stored: bool  # False on a dry run: nothing was written

    def tally(self) -> str:
        """What was not proposed, in one sentence: "2 on time; 1 late with the penalty already
        in the grade; skipped 16 without a submitted time (not judged late)."."""
        parts = [f"{self.on_time} on time", f"{self.late_unchanged} late with the penalty "
                 "already in the grade"]
        skips = [f"{count} {LATE_SKIP_WORDS[reason]}" for reason, count in self.skipped.items()
                 if count]
        return "; ".join(parts) + (f"; skipped {', '.join(skips)}" if skips else "") + "."


def propose_late(db: Database, connection: ConnectionRow, line_item: LineItemRow,
                 rule: LateRule, *, dry_run: bool = False,
                 now: datetime | None = None) -> LateRun:
    """Judge every submission of the column by ``rule`` and propose each changed score (in one
    transaction with the record of what was penalised); ``dry_run`` only works them out."""
    due = due_date_of(line_item, connection.name)
    proposed: list[LateProposal] = []
    skipped: Counter[str] = Counter()
    late_unchanged = on_time = 0
    # One transaction (a read block on a dry run): the cells judged are the cells proposed for.
    with db.read() if dry_run else db.transaction():
        for cell in late_cells(db, connection.id, line_item.url):
            outcome = _judge_cell(cell, rule, due)
            if isinstance(outcome, str):
                skipped[outcome] += 1
            elif outcome is None:
                continue  # holds nothing to judge (a penalty record alone)
            elif isinstance(outcome, LateProposal):
                proposed.append(outcome)
            elif outcome:
                late_unchanged += 1
            else:
                on_time += 1
        if proposed and not dry_run:
            propose(db, connection.id, (NewProposal(
                line_item_url=line_item.url, user_id=p.user_id, score=p.score,
                comment=p.comment, reason="late", working=p.working) for p in proposed),
                now=now)
            record_penalties(db, connection.id, line_item.url, (NewPenalty(
                user_id=p.user_id, base_score=p.base, penalised_score=p.score,
                submitted_at=_submitted_text(p), working=p.working) for p in proposed),
                now=now)
    return LateRun(line_item=line_item, rule=rule, due=due, proposed=tuple(proposed),
                   late_unchanged=late_unchanged, on_time=on_time, skipped=dict(skipped),
                   stored=not dry_run)


def _judge_cell(cell: LateCell, rule: LateRule, due: datetime
                ) -> LateProposal | str | bool | None:
    """A proposal; a skip reason; True (late, unchanged) or False (on time); None: nothing."""
    if not (cell.has_result or cell.has_draft):
        return None
    if cell.submitted_at is None:
        return NO_SUBMITTED_TIME
    try:
        submitted = parse_timestamp(cell.submitted_at.strip().replace("Z", "+00:00"))
    except InputError:
        return UNREADABLE_SUBMITTED_TIME
    current = cell.score
    if current is None:
        return NOT_GRADED
    base = current
    penalty = cell.penalty
    if penalty is not None and abs(current - penalty.penalised_score) < _SAME_SCORE:
        base = penalty.base_score  # the cell shows the penalised score: start from before it
    judgement = judge(rule, due=due, submitted=submitted, score=base)
    if abs(judgement.adjusted - current) < _SAME_SCORE:
        return judgement.late
    if judgement.late:
        working, comment = judgement.working, judgement.comment
    else:
        # Penalised before, on time by this rule (a longer grace, a later due date): back.
        working = f"{judgement.working}: {format_score(current)} back to {format_score(base)}"
        comment = f"Late penalty removed ({judgement.working}): {format_score(base)}."
    return LateProposal(user_id=cell.user_id, submitted_at=submitted, periods=judgement.periods,
                        was=current, base=base, score=judgement.adjusted, working=working,
                        comment=comment)


def _submitted_text(proposal: LateProposal) -> str:
    return proposal.submitted_at.isoformat(timespec="milliseconds")


# --- Missing ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MissingProposal:
    user_id: str
    working: str
    comment: str


@dataclass(frozen=True, slots=True)
class MissingRun:
    """What "mark missing" found and proposed."""

    line_item: LineItemRow
    due: datetime
    proposed: tuple[MissingProposal, ...]
    skipped: Mapping[str, int]  # reason -> how many students were left alone
    stored: bool

    def tally(self) -> str:
        """Who was left alone, in one sentence ("" when nobody was)."""
        skips = [f"{count} {MISSING_SKIP_WORDS[reason]}" for reason, count in
                 self.skipped.items() if count]
        return f"Left alone: {', '.join(skips)}." if skips else ""


def propose_missing(db: Database, connection: ConnectionRow, line_item: LineItemRow, *,
                    dry_run: bool = False, now: datetime | None = None) -> MissingRun:
    """Propose 0 for every student on the roster with nothing in the column, once the due date
    (and the column's grace period, when it has a late rule) has passed."""
    due = due_date_of(line_item, connection.name)
    moment = now or utc_now()
    proposed: list[MissingProposal] = []
    skipped: Counter[str] = Counter()
    with db.read() if dry_run else db.transaction():
        rule = get_rule(db, connection.id, line_item.url)
        grace = rule.grace_minutes if rule is not None else 0
        if moment <= due + timedelta(minutes=grace):
            after = f" and {grace} minutes of grace" if grace else ""
            raise InputError(f"{line_item.label} is due {due_text(due)}{after}: nothing is "
                             "missing before then.")
        cells = {cell.user_id: cell for cell in late_cells(db, connection.id, line_item.url)}
        for member in list_members(db, connection.id, learners_only=True):
            cell = cells.get(member.user_id)
            reason = None if cell is None else _not_missing(cell)
            if reason is not None:
                skipped[reason] += 1
                continue
            proposed.append(MissingProposal(user_id=member.user_id,
                                            working=missing_working(due),
                                            comment=missing_comment(due)))
        if proposed and not dry_run:
            propose(db, connection.id, (NewProposal(
                line_item_url=line_item.url, user_id=p.user_id, score=0.0, comment=p.comment,
                reason="missing", working=p.working) for p in proposed), now=now)
    return MissingRun(line_item=line_item, due=due, proposed=tuple(proposed),
                      skipped=dict(skipped), stored=not dry_run)


def _not_missing(cell: LateCell) -> str | None:
    """Why a student with something in the column is not missing, or None when they are."""
    if cell.platform_score is not None or cell.draft_score is not None:
        return GRADED  # never a zero over a score, not even one a draft clears
    if cell.submitted_at is not None:
        return SUBMITTED
    if cell.has_result:
        return RESULT_WITHOUT_SCORE
    if cell.draft_grading is GradingProgress.PENDING_MANUAL:
        return WAITING_FOR_GRADE
    return None  # a local draft without a score (a comment only): still nothing handed in

