"""A cell's comment thread in words, for the detail panel (no Qt): who, when, what became of
it, and the score and comment, one entry per platform comment or local edit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gradedesk.domain import format_score
from gradedesk.store import OutboxState
from gradedesk.store.comment_thread import ThreadEntry, ThreadSource

YOU = "You"
PLATFORM = "Platform"  # the platforms' results name no author

_PUSH_OUTCOME = {
    OutboxState.QUEUED: "waiting for the next push",
    OutboxState.SENDING: "being sent",
    OutboxState.SENT: "sent, not read back yet",
    OutboxState.CONFIRMED: "on the platform",
}


@dataclass(frozen=True, slots=True)
class ThreadLine:
    """One entry as the panel shows it: a heading and what was said."""

    who: str  # "You", a grader's name, "Platform"
    about: str  # "2026-03-01 10:02 · on the platform"
    body: str  # "7 / 10 — “Good work.”"
    mine: bool  # a local edit (the panel sets these apart from the platform's)

    @property
    def heading(self) -> str:
        return f"{self.who} · {self.about}"

    @property
    def text(self) -> str:
        return f"{self.heading}\n{self.body}" if self.body else self.heading


def when(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def thread_lines(entries: tuple[ThreadEntry, ...], me: str) -> tuple[ThreadLine, ...]:
    """The thread, oldest first; ``me`` is the grader name this computer records, said
    "You"."""
    return tuple(_line(entry, me) for entry in entries)


def _line(entry: ThreadEntry, me: str) -> ThreadLine:
    if entry.source is ThreadSource.PLATFORM:
        stamp = f"seen {when(entry.at)}" if entry.seen_only else when(entry.at)
        about = [stamp] + (["latest on the platform"] if entry.current else [])
        return ThreadLine(entry.author or PLATFORM, " · ".join(about), _said(entry),
                          mine=False)
    who = YOU if entry.author in (None, me) else str(entry.author)
    return ThreadLine(who, f"{when(entry.at)} · {_outcome(entry)}", _said(entry), mine=True)


def _outcome(entry: ThreadEntry) -> str:
    state = entry.state
    if state is OutboxState.FAILED:
        reason = f": {entry.error}" if entry.error else ""
        return f"refused{reason}" if entry.refused else f"not sent{reason}"
    if state is OutboxState.CONFLICT:
        return "in conflict"  # the conflict box above offers the choices
    if entry.source is ThreadSource.DRAFT:
        return "not sent yet" if state is None else _PUSH_OUTCOME.get(state, "not sent yet")
    return _PUSH_OUTCOME.get(state, "sent") if state is not None else "sent"


def _said(entry: ThreadEntry) -> str:
    parts = []
    if entry.score is not None:
        maximum = f" / {format_score(entry.maximum)}" if entry.maximum is not None else ""
        parts.append(f"{format_score(entry.score)}{maximum}")
    if entry.comment:
        parts.append(f"“{entry.comment}”")
    if parts:
        return " — ".join(parts)
    return "no score, no comment" if entry.source is not ThreadSource.PLATFORM else ""
