"""The comment thread in words: who (You, another grader, the platform), when (written, or
only seen), and what became of a local edit."""

from __future__ import annotations

from datetime import UTC, datetime

from gradedesk.store import OutboxState
from gradedesk.store.comment_thread import ThreadEntry, ThreadSource
from gradedesk.ui.thread_lines import PLATFORM, YOU, thread_lines, when

AT = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)


def _one(entry: ThreadEntry, me: str = "grader") -> tuple[str, str, str]:
    [line] = thread_lines((entry,), me)
    return line.who, line.about, line.body


def test_platform_comments_say_when_they_were_written_or_only_seen() -> None:
    seen = ThreadEntry(ThreadSource.PLATFORM, AT, "Good.", seen_only=True, current=True)
    assert _one(seen) == (PLATFORM, f"seen {when(AT)} · latest on the platform", "“Good.”")
    written = ThreadEntry(ThreadSource.PLATFORM, AT, "Old.", author="Dr Okonkwo")
    assert _one(written) == ("Dr Okonkwo", when(AT), "“Old.”")


def test_local_edits_name_their_grader_and_their_fate() -> None:
    mine = ThreadEntry(ThreadSource.PUSHED, AT, "Fine.", author="grader", score=7.5,
                       maximum=10, state=OutboxState.CONFIRMED)
    assert _one(mine) == (YOU, f"{when(AT)} · on the platform", "7.5 / 10 — “Fine.”")
    theirs = ThreadEntry(ThreadSource.PUSHED, AT, None, author="ta-2", score=4, maximum=10,
                         state=OutboxState.SENT)
    assert _one(theirs)[:2] == ("ta-2", f"{when(AT)} · sent, not read back yet")
    refused = ThreadEntry(ThreadSource.PUSHED, AT, "x", state=OutboxState.FAILED,
                          error="Not a student.", refused=True)
    assert _one(refused)[1].endswith("refused: Not a student.")
    failed = ThreadEntry(ThreadSource.DRAFT, AT, "x", state=OutboxState.FAILED, error="Offline.")
    assert _one(failed)[1].endswith("not sent: Offline.")
    waiting = ThreadEntry(ThreadSource.DRAFT, AT, None)
    assert _one(waiting) == (YOU, f"{when(AT)} · not sent yet", "no score, no comment")
    queued = ThreadEntry(ThreadSource.DRAFT, AT, "y", state=OutboxState.QUEUED)
    assert _one(queued)[1].endswith("waiting for the next push")
