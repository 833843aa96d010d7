"""Push results and the audit log by name: students by sort name and line items by label,
never user ids and line item URLs, where the roster knows them (the id is kept where it does
not: a platform without Names and Roles, a column gone since). The CLI's ``push`` and
``history`` and the window's activity list and cell history all say it the same way.
Read-only over the store; no network, no Qt."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from gradedesk.store import (
    AuditEntry,
    ConnectionRow,
    Database,
    audit,
    outbox,
    snapshots,
)

if TYPE_CHECKING:
    # Only its shape: ``history`` is a quick local command and loads no HTTP stack.
    from gradedesk.sync.engine import PushReport

# How many names a sentence lists before "and 12 more" (the activity list and the terminal
# stay readable after a push of a whole class).
NAMES_LISTED = 8
# How a push summary says a held column's grades were kept back (its sentence's lead).
HELD_WORDS = "Held, not sent until released"


@dataclass(frozen=True, slots=True)
class NameBook:
    """The names for a connection's ids: students by sort name, line items by label."""

    students: dict[str, str]
    line_items: dict[str, str]

    @classmethod
    def load(cls, db: Database, connection: ConnectionRow) -> NameBook:
        # Missing ones too: a push or an old log line may be about a student who left or a
        # column deleted since.
        members = snapshots.list_members(db, connection.id, include_missing=True)
        items = snapshots.list_line_items(db, connection.id, include_missing=True)
        return cls({m.user_id: m.sort_name for m in members if m.named},
                   {item.url: item.label for item in items if item.label.strip()})

    def student(self, user_id: str | None) -> str:
        if not user_id:
            return ""
        return self.students.get(user_id, user_id)

    def line_item(self, url: str | None) -> str:
        if not url:
            return ""
        return self.line_items.get(url, url)

    def cell(self, url: str | None, user_id: str | None) -> str:
        """"Student in Line item" (either part alone when the other is not given)."""
        student, label = self.student(user_id), self.line_item(url)
        if student and label:
            return f"{student} in {label}"
        return student or label


class Outcome(StrEnum):
    """What a push did to one grade (the values are ``push --json``'s ``outcome``)."""

    CONFIRMED = "confirmed"
    MISMATCH = "mismatch"  # accepted, but the platform holds something else
    CONFLICT = "conflict"
    FAILED = "failed"  # the next push tries again
    REFUSED = "refused"  # the platform will never take it
    UNSETTLED = "unsettled"  # the reply was lost; the next push reads it back
    RECOVERED = "recovered"  # an interrupted push of earlier, read back by this one

    @property
    def words(self) -> str:
        return _OUTCOME_WORDS[self]


_OUTCOME_WORDS = {
    Outcome.CONFIRMED: "Confirmed",
    Outcome.MISMATCH: "Kept differently by the platform",
    Outcome.CONFLICT: "Conflict",
    Outcome.FAILED: "Failed",
    Outcome.REFUSED: "Refused",
    Outcome.UNSETTLED: "Reply lost (the next push checks it)",
    Outcome.RECOVERED: "Read back after an interrupted push",
}


@dataclass(frozen=True, slots=True)
class NamedGrade:
    outbox_id: int
    line_item_url: str
    line_item: str  # the label (the URL when unknown)
    user_id: str
    student: str  # the sort name (the user id when unknown)
    outcome: Outcome
    message: str | None = None  # the platform's reason, for a grade it did not take

    def to_json(self) -> dict[str, object]:
        return {"outbox_id": self.outbox_id, "line_item": self.line_item_url,
                "line_item_label": self.line_item, "user_id": self.user_id,
                "student": self.student, "outcome": self.outcome.value,
                "message": self.message}


@dataclass(frozen=True, slots=True)
class PushSummary:
    """A push's report with every grade it touched named."""

    report: PushReport
    grades: tuple[NamedGrade, ...]
    # Held columns' grades left queued, counted per column: (label, how many), by label.
    held: tuple[tuple[str, int], ...] = ()

    @property
    def headline(self) -> str:
        """"3 confirmed, 0 conflicts, 1 failed" (failed counts refused ones too), then ", 12
        held" when held columns kept grades back."""
        report = self.report
        return (f"{len(report.confirmed)} confirmed, {len(report.conflicts)} conflicts, "
                f"{len(report.failed)} failed"
                + (f", {len(report.held)} held" if report.held else ""))

    def with_students(self, label: Callable[[str], str]) -> PushSummary:
        """The same summary with each student called ``label(user_id)`` (e.g. "Student 17"
        while the window hides names)."""
        return PushSummary(self.report, tuple(
            replace(grade, student=label(grade.user_id)) for grade in self.grades), self.held)

    def of(self, *outcomes: Outcome) -> list[NamedGrade]:
        return [grade for grade in self.grades if grade.outcome in outcomes]

    def sentences(self, *, listed: int = NAMES_LISTED) -> list[str]:
        """One sentence per outcome and line item: "Confirmed: Adams, Ann; Baker, Bob (Lab
        1)", at most ``listed`` names each, then "and N more"."""
        said = []
        for outcome in Outcome:
            by_item: dict[str, list[str]] = {}
            for grade in self.of(outcome):
                by_item.setdefault(grade.line_item, []).append(grade.student)
            for label, students in by_item.items():
                said.append(f"{outcome.words}: {listed_names(students, listed)} ({label})")
        # Held grades by count, not by name: a held column is often a whole class.
        said.extend(f"{HELD_WORDS}: {count} grade{'s' if count != 1 else ''} ({label})"
                    for label, count in self.held)
        return said

    def message(self, *, listed: int = NAMES_LISTED) -> str:
        """The whole push in one paragraph: the counts, then who, in which line item."""
        sentences = self.sentences(listed=listed)
        return f"Pushed: {self.headline}." + "".join(f" {s}." for s in sentences)


def listed_names(names: Sequence[str], listed: int = NAMES_LISTED) -> str:
    """"Adams, Ann; Baker, Bob and 3 more" (names hold commas: they are set apart by ";")."""
    shown = "; ".join(names[:listed])
    more = len(names) - listed
    return f"{shown} and {more} more" if more > 0 else shown


def summarize_push(db: Database, connection: ConnectionRow, report: PushReport,
                   names: NameBook | None = None) -> PushSummary:
    """Name every grade of a push report (outbox entries a later edit has dropped are
    skipped: there is nothing left to name)."""
    names = names or NameBook.load(db, connection)
    outcome_of: dict[int, Outcome] = {}
    # The strongest outcome wins when an entry is in two lists (recovered, then confirmed).
    for ids, outcome in ((report.recovered, Outcome.RECOVERED),
                         (report.unsettled, Outcome.UNSETTLED),
                         (report.confirmed, Outcome.CONFIRMED),
                         (report.mismatched, Outcome.MISMATCH),
                         (report.failed, Outcome.FAILED),
                         (report.conflicts, Outcome.CONFLICT)):
        for entry_id in ids:
            outcome_of[entry_id] = outcome
    grades = []
    entries = outbox.entries_by_id(db, outcome_of)
    for entry_id, outcome in outcome_of.items():
        entry = entries.get(entry_id)
        if entry is None:
            continue
        if outcome is Outcome.FAILED and entry.refused:
            outcome = Outcome.REFUSED
        problem = outcome in (Outcome.FAILED, Outcome.REFUSED, Outcome.CONFLICT)
        grades.append(NamedGrade(
            entry.id, entry.line_item_url, names.line_item(entry.line_item_url),
            entry.user_id, names.student(entry.user_id), outcome,
            entry.last_error if problem else None))
    grades.sort(key=lambda grade: (grade.line_item.casefold(), grade.student.casefold()))
    held: dict[str, int] = {}
    for entry in outbox.entries_by_id(db, report.held).values():
        label = names.line_item(entry.line_item_url)
        held[label] = held.get(label, 0) + 1
    return PushSummary(report, tuple(grades),
                       tuple(sorted(held.items(), key=lambda pair: pair[0].casefold())))


# --- the audit log ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NamedAuditLine:
    entry: AuditEntry
    student: str  # "" for a line about a whole column
    line_item: str

    @property
    def action_words(self) -> str:
        """The action as a grader says it ("Sent", "Refused by the platform")."""
        return action_words(self.entry.action)


_ACTION_WORDS = {
    "score.post": "Sent to the platform",
    "score.accepted": "Accepted by the platform",
    "score.refused": "Not taken by the platform",
    "recover": "Checked after an interrupted push",
    "conflict.mine": "Conflict settled: kept mine",
    "conflict.theirs": "Conflict settled: took theirs",
    "conflict.both": "Conflict settled: kept both",
    "lineitem.create": "Column created",
    "lineitem.update": "Column changed",
    "lineitem.delete": "Column deleted",
}


def action_words(action: str) -> str:
    return _ACTION_WORDS.get(action, action)


@dataclass(frozen=True, slots=True)
class CellHistory:
    """One cell's audit log, newest first, with the names to title it."""

    student: str
    line_item: str
    lines: tuple[NamedAuditLine, ...]
    limit: int


def named_history(db: Database, connection: ConnectionRow, *,
                  line_item_url: str | None = None, user_id: str | None = None,
                  limit: int = 500, names: NameBook | None = None) -> list[NamedAuditLine]:
    """``gradedesk history``'s lines (newest first) with names for their ids."""
    names = names or NameBook.load(db, connection)
    entries = audit.history(db, connection_name=connection.name, line_item_url=line_item_url,
                            user_id=user_id, limit=limit)
    return [NamedAuditLine(entry, names.student(entry.user_id),
                           names.line_item(entry.line_item_url)) for entry in entries]


def cell_history(db: Database, connection: ConnectionRow, line_item_url: str, user_id: str,
                 *, limit: int = 500) -> CellHistory:
    """What was sent for one student's grade in one line item, and what came of it."""
    names = NameBook.load(db, connection)
    lines = named_history(db, connection, line_item_url=line_item_url, user_id=user_id,
                          limit=limit, names=names)
    return CellHistory(names.student(user_id), names.line_item(line_item_url), tuple(lines),
                       limit)
