"""The typed rows the store hands to the layers above (frozen values, never dicts)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from gradedesk.domain import (
    ActivityProgress,
    CanvasSubmission,
    ContentItem,
    GradingProgress,
    ProgressState,
    Score,
)
from gradedesk.domain.grading_rules import needs_grading
from gradedesk.domain.server_copy import NOTHING, ServerCopy


class ConnectionKind(StrEnum):
    LTI = "lti"
    LTIAAS = "ltiaas"


class OutboxState(StrEnum):
    """queued -> sending -> sent -> confirmed; failed and conflict wait for the grader."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    CONFIRMED = "confirmed"
    FAILED = "failed"
    CONFLICT = "conflict"


class SyncState(StrEnum):
    """A cell's state, derived from its snapshot, draft, outbox entry and Progress jobs."""

    CLEAN = "clean"  # no local draft
    EDITED = "edited"  # a draft not queued yet
    QUEUED = "queued"
    SENDING = "sending"  # POST committed as going out, or sent and not yet confirmed
    AWAITING_FILES = "awaiting_files"  # sent; a file's Progress is not final yet
    CONFLICT = "conflict"
    FAILED = "failed"
    REFUSED = "refused"  # the platform will never take it (not a student, gone, not allowed)
    CONFIRMED = "confirmed"  # sent, and read back exactly as sent
    MISMATCH = "mismatch"  # sent and accepted, but the platform kept something else


@dataclass(frozen=True, slots=True)
class ConnectionRow:
    """A configured platform connection; ``settings`` holds no secret."""

    id: int
    name: str
    kind: ConnectionKind
    settings: Mapping[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class LineItemRow:
    """The server copy of a line item."""

    id: int
    connection_id: int
    url: str
    label: str
    score_maximum: float
    wire: Mapping[str, Any]
    content_hash: str
    fetched_at: datetime
    missing_since: datetime | None
    short_id: str = ""
    # Made in GradeDesk, not yet on the platform (``url`` is a local placeholder until then).
    pending_create: bool = False
    create_attempted_at: datetime | None = None

    @property
    def resource_id(self) -> str | None:
        value = self.wire.get("resourceId")
        return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class MemberRow:
    """The server copy of a course member."""

    connection_id: int
    user_id: str
    name: str | None
    given_name: str | None
    family_name: str | None
    sort_name: str
    email: str | None
    roles: tuple[str, ...]
    is_learner: bool
    status: str
    section: str | None
    fetched_at: datetime
    missing_since: datetime | None
    # Where the entry came from: "roster" (Names and Roles), "results" (a platform without
    # Names and Roles: known only by id) or "typed" (a user id a grader typed).
    source: str = "roster"

    @property
    def named(self) -> bool:
        """Whether the platform told us this person's name."""
        return bool(self.name or self.given_name or self.family_name)


@dataclass(frozen=True, slots=True)
class BaseCopy:
    """What the server held for a cell (None score/comment when it held no result)."""

    present: bool
    score: float | None = None
    maximum: float | None = None
    comment: str | None = None
    timestamp: str | None = None
    content_hash: str | None = None

    def as_copy(self) -> ServerCopy:
        """The copy the draft was based on, for the conflict rule."""
        if not self.present:
            return NOTHING
        return ServerCopy.stored(self.score, self.maximum, self.comment, self.timestamp)


@dataclass(frozen=True, slots=True)
class ServerResultRow:
    """The server copy of one result; ``version`` grows each time its content changes."""

    line_item_id: int
    user_id: str
    result_url: str | None
    score: float | None
    maximum: float | None
    comment: str | None
    server_timestamp: str | None
    wire: Mapping[str, Any]
    content_hash: str
    version: int
    fetched_at: datetime

    def as_copy(self) -> ServerCopy:
        """This server copy, for the conflict rule."""
        return ServerCopy.stored(self.score, self.maximum, self.comment, self.server_timestamp)

    def as_base(self) -> BaseCopy:
        """This server copy as a draft's base."""
        return BaseCopy(True, self.score, self.maximum, self.comment, self.server_timestamp,
                        self.content_hash)


@dataclass(frozen=True, slots=True)
class DraftRow:
    """A local edit of one cell, with the server copy it was based on."""

    id: int
    line_item_id: int
    line_item_url: str
    user_id: str
    revision: int
    score_given: float | None
    score_maximum: float | None
    comment: str | None
    activity_progress: ActivityProgress
    grading_progress: GradingProgress
    attachments: tuple[ContentItem, ...]
    base: BaseCopy
    score_timestamp: datetime
    edited_at: datetime

    def to_score(self) -> Score:
        """The AGS Score this draft stands for; the engine adds its per-push Canvas flags."""
        canvas = CanvasSubmission(content_items=self.attachments) if self.attachments else None
        return Score(
            user_id=self.user_id,
            activity_progress=self.activity_progress,
            grading_progress=self.grading_progress,
            timestamp=self.score_timestamp,
            score_given=self.score_given,
            score_maximum=self.score_maximum,
            comment=self.comment,
            canvas=canvas,
        )


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One push of one draft revision and everything that happened to it."""

    id: int
    draft_id: int | None
    draft_revision: int
    line_item_id: int
    line_item_url: str
    connection_id: int
    user_id: str
    payload: Mapping[str, Any]
    state: OutboxState
    attempts: int
    last_error: str | None
    result_url: str | None
    receipt: Mapping[str, Any] | None
    created_at: datetime
    updated_at: datetime
    sending_at: datetime | None
    sent_at: datetime | None
    confirmed_at: datetime | None
    # The server copy's version a confirmation read back (-1: no result; None: unknown).
    confirmed_version: int | None = None
    # What the platform kept, when it differs from what was sent.
    kept: Mapping[str, Any] | None = None
    # A failure the platform will repeat: not retried; edit the grade again or discard it.
    refused: bool = False
    # When the POST's reply was lost (still sending: the outcome is not known yet).
    reply_lost_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OutboxCounts:
    """How many outbox entries are in each state."""

    queued: int = 0
    sending: int = 0
    sent: int = 0
    confirmed: int = 0
    failed: int = 0
    conflict: int = 0


@dataclass(frozen=True, slots=True)
class ProgressJob:
    """A Canvas Progress URL to poll until its file is attached or has failed."""

    id: int
    outbox_id: int
    progress_url: str
    file_title: str | None
    state: ProgressState
    final: bool
    attempts: int
    next_poll_at: datetime
    message: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the append-only audit log."""

    id: int
    at: datetime
    grader: str
    os_user: str
    connection_name: str
    line_item_url: str | None
    user_id: str | None
    action: str
    summary: str
    reply_status: int | None
    outbox_id: int | None


@dataclass(frozen=True, slots=True)
class BankedComment:
    """A reusable comment for one line item."""

    id: int
    connection_id: int
    line_item_id: int
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class GradeRow:
    """One cell of the gradebook: the server copy, the draft and the push, merged."""

    connection_id: int
    line_item_id: int
    line_item_url: str
    user_id: str
    sort_name: str | None
    server: ServerResultRow | None
    draft: DraftRow | None
    outbox: OutboxEntry | None  # the latest push of the draft's current revision
    pending_files: int
    state: SyncState

    @property
    def shown_score(self) -> float | None:
        """The score a grader sees: the draft's when there is one, else the server's."""
        if self.draft is not None:
            return self.draft.score_given
        return None if self.server is None else self.server.score

    @property
    def shown_comment(self) -> str | None:
        """The comment a grader sees."""
        if self.draft is not None:
            return self.draft.comment
        return None if self.server is None else self.server.comment

    @property
    def needs_grading(self) -> bool:
        """Submitted work waiting for a grader (the one rule: domain.grading_rules)."""
        return needs_grading(
            has_result=self.server is not None,
            result_score=None if self.server is None else self.server.score,
            draft_grading=None if self.draft is None else self.draft.grading_progress,
            draft_score=None if self.draft is None else self.draft.score_given)


@dataclass(frozen=True, slots=True)
class SnapshotChanges:
    """What a pull changed: keys added, updated and gone, and drafts the server moved under."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()  # user ids whose draft's base no longer matches the server

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)
