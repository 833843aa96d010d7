"""The AGS progress vocabularies."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from gradedesk.domain.errors import InputError

E = TypeVar("E", bound=StrEnum)


class ActivityProgress(StrEnum):
    INITIALIZED = "Initialized"
    STARTED = "Started"
    IN_PROGRESS = "InProgress"
    SUBMITTED = "Submitted"
    COMPLETED = "Completed"


class GradingProgress(StrEnum):
    FULLY_GRADED = "FullyGraded"
    PENDING = "Pending"
    PENDING_MANUAL = "PendingManual"
    FAILED = "Failed"
    NOT_READY = "NotReady"

    @property
    def records_score(self) -> bool:
        """Canvas records scoreGiven as the grade only for these two (others clear it)."""
        return self in (GradingProgress.FULLY_GRADED, GradingProgress.PENDING_MANUAL)


class ProgressState(StrEnum):
    """Canvas's Progress workflow_state for a file upload."""

    QUEUED = "queued"
    RUNNING = "running"
    WAITING_FOR_EXTERNAL_TOOL = "waiting_for_external_tool"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"

    @property
    def is_final(self) -> bool:
        return self in (ProgressState.COMPLETED, ProgressState.FAILED, ProgressState.CANCELED)


def parse_enum(kind: type[E], raw: object, what: str) -> E:
    """The member whose wire value is ``raw``, or an InputError listing the allowed values."""
    for member in kind:
        if raw == member.value:
            return member
    allowed = ", ".join(m.value for m in kind)
    raise InputError(f"{raw!r} is not a valid {what}; use one of {allowed}.")
