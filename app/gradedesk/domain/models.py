"""GradeDesk's values: the AGS and NRPS objects, validated once at the boundary.

Each value reads from and writes to the exact wire names (``from_wire`` / ``to_wire``) and keeps
any field it does not model in ``extra``, so nothing a server sent is lost on the way back.
"""

from __future__ import annotations

import math
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from gradedesk.domain import wire
from gradedesk.domain.clock import format_timestamp, require_aware
from gradedesk.domain.errors import InputError, InvalidWireData
from gradedesk.domain.progress_values import (
    ActivityProgress,
    GradingProgress,
    ProgressState,
    parse_enum,
)
from gradedesk.domain.safe_text import one_line

CANVAS_SUBMISSION_EXTENSION = "https://canvas.instructure.com/lti/submission"
LEARNER_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
TA_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"


def _non_negative(value: float | None, name: str) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{name} must be a finite number.")
    if value < 0:
        raise InputError(f"{name} must be greater than or equal to 0.")


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


# --- Line items -----------------------------------------------------------------------------

_LINE_ITEM_FIELDS = frozenset(
    {"id", "label", "scoreMaximum", "resourceId", "resourceLinkId", "tag",
     "startDateTime", "endDateTime", "gradesReleased"}
)


@dataclass(frozen=True, slots=True)
class LineItem:
    """A gradebook column. ``id`` is its URL; empty only for an item not yet created."""

    label: str
    score_maximum: float
    id: str = ""
    resource_id: str | None = None
    resource_link_id: str | None = None
    tag: str | None = None
    start_date_time: datetime | None = None
    end_date_time: datetime | None = None
    grades_released: bool | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not self.label.strip():
            raise InputError("A line item needs a label.")
        _non_negative(self.score_maximum, "scoreMaximum")
        for when in (self.start_date_time, self.end_date_time):
            if when is not None:
                require_aware(when, "line item date")

    @property
    def results_url(self) -> str:
        return _service_url(self.id, "results")

    @property
    def scores_url(self) -> str:
        return _service_url(self.id, "scores")

    @classmethod
    def from_wire(cls, raw: object) -> LineItem:
        what = "a line item"
        data = wire.require_object(raw, what)
        label = wire.text(data, "label", what) or ""
        with wire.refusals_as_wire_errors(what):
            return cls(
                id=wire.required_text(data, "id", what),
                label=one_line(label) or "(untitled)",
                score_maximum=wire.number(data, "scoreMaximum", what, required=True) or 0.0,
                resource_id=wire.text(data, "resourceId", what),
                resource_link_id=wire.text(data, "resourceLinkId", what),
                tag=wire.text(data, "tag", what),
                start_date_time=wire.timestamp(data, "startDateTime", what),
                end_date_time=wire.timestamp(data, "endDateTime", what),
                grades_released=wire.boolean(data, "gradesReleased", what),
                extra=wire.extras(data, _LINE_ITEM_FIELDS),
            )

    def to_wire(self) -> dict[str, Any]:
        body = dict(self.extra)
        body.update(
            _drop_none(
                {
                    "id": self.id or None,
                    "label": self.label,
                    "scoreMaximum": self.score_maximum,
                    "resourceId": self.resource_id,
                    "resourceLinkId": self.resource_link_id,
                    "tag": self.tag,
                    "startDateTime": _maybe_time(self.start_date_time),
                    "endDateTime": _maybe_time(self.end_date_time),
                    "gradesReleased": self.grades_released,
                }
            )
        )
        return body


def _service_url(line_item_id: str, service: str) -> str:
    """AGS: the results/scores URL is the line item URL plus the service, before any query."""
    if not line_item_id:
        raise InputError("This line item has no id yet.")
    parts = urlsplit(line_item_id)
    path = parts.path.rstrip("/") + "/" + service
    return parts._replace(path=path).geturl()


def _maybe_time(value: datetime | None) -> str | None:
    return None if value is None else format_timestamp(value)


# --- Results --------------------------------------------------------------------------------

_RESULT_FIELDS = frozenset(
    {"id", "scoreOf", "userId", "resultScore", "resultMaximum", "comment", "timestamp"}
)


@dataclass(frozen=True, slots=True)
class Result:
    """The platform's current grade of one user for one line item."""

    user_id: str
    id: str = ""
    score_of: str = ""
    result_score: float | None = None
    result_maximum: float | None = None
    comment: str | None = None
    timestamp: datetime | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not self.user_id.strip():
            raise InputError("A result needs a userId.")
        _non_negative(self.result_score, "resultScore")
        _non_negative(self.result_maximum, "resultMaximum")

    @property
    def effective_maximum(self) -> float:
        """AGS: a missing resultMaximum means 1."""
        return 1.0 if self.result_maximum is None else self.result_maximum

    @property
    def canvas_submission(self) -> Mapping[str, Any] | None:
        value = self.extra.get(CANVAS_SUBMISSION_EXTENSION)
        return value if isinstance(value, Mapping) else None

    @classmethod
    def from_wire(cls, raw: object) -> Result:
        what = "a result"
        data = wire.require_object(raw, what)
        with wire.refusals_as_wire_errors(what):
            return cls(
                id=wire.text(data, "id", what) or "",
                score_of=wire.text(data, "scoreOf", what) or "",
                user_id=wire.id_text(data, "userId", what, required=True) or "",
                result_score=wire.number(data, "resultScore", what),
                result_maximum=wire.number(data, "resultMaximum", what),
                comment=wire.text(data, "comment", what),
                timestamp=wire.timestamp(data, "timestamp", what),
                extra=wire.extras(data, _RESULT_FIELDS),
            )

    def to_wire(self) -> dict[str, Any]:
        body = dict(self.extra)
        body.update(
            _drop_none(
                {
                    "id": self.id or None,
                    "scoreOf": self.score_of or None,
                    "userId": self.user_id,
                    "resultScore": self.result_score,
                    "resultMaximum": self.result_maximum,
                    "comment": self.comment,
                    "timestamp": _maybe_time(self.timestamp),
                }
            )
        )
        return body


# --- Content items, Canvas submission extension, scores --------------------------------------

_CONTENT_ITEM_FIELDS = frozenset({"type", "url", "title", "media_type", "progress"})


@dataclass(frozen=True, slots=True)
class ContentItem:
    """A file for Canvas to download and attach to the submission."""

    url: str
    title: str
    media_type: str | None = None
    type: str = "file"
    progress_url: str | None = None  # only in Canvas's reply
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InputError(f"{self.url!r} is not an http(s) URL for a file.")
        if not self.title.strip():
            raise InputError("A file needs a title.")

    @classmethod
    def for_file(cls, url: str, title: str | None = None, media_type: str | None = None
                 ) -> ContentItem:
        """A file item whose title defaults to the URL's file name and type to its guess."""
        file_name = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
        name = title or file_name or "file"
        # The URL's file name tells the type best ("Lab report" as a title tells nothing).
        guessed = (media_type or mimetypes.guess_type(file_name)[0]
                   or mimetypes.guess_type(name)[0] or "application/octet-stream")
        return cls(url=url, title=name, media_type=guessed)

    @classmethod
    def from_wire(cls, raw: object) -> ContentItem:
        what = "a content item"
        data = wire.require_object(raw, what)
        with wire.refusals_as_wire_errors(what):
            return cls(
                type=wire.text(data, "type", what) or "file",
                url=wire.required_text(data, "url", what),
                title=wire.text(data, "title", what) or "file",
                media_type=wire.text(data, "media_type", what),
                progress_url=wire.text(data, "progress", what),
                extra=wire.extras(data, _CONTENT_ITEM_FIELDS),
            )

    def to_wire(self) -> dict[str, Any]:
        body = dict(self.extra)
        body.update(
            _drop_none(
                {
                    "type": self.type,
                    "url": self.url,
                    "title": self.title,
                    "media_type": self.media_type,
                    "progress": self.progress_url,
                }
            )
        )
        return body


@dataclass(frozen=True, slots=True)
class CanvasSubmission:
    """Canvas's ``https://canvas.instructure.com/lti/submission`` Score extension."""

    new_submission: bool | None = None
    preserve_score: bool | None = None
    prioritize_non_tool_grade: bool | None = None
    submission_type: str | None = None
    submission_data: str | None = None
    submitted_at: datetime | None = None
    content_items: tuple[ContentItem, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.submitted_at is not None:
            require_aware(self.submitted_at, "submitted_at")

    @classmethod
    def from_wire(cls, raw: object) -> CanvasSubmission:
        what = "the Canvas submission extension"
        data = wire.require_object(raw, what)
        items = wire.require_list(data.get("content_items") or [], f"{what} content_items")
        return cls(
            new_submission=wire.boolean(data, "new_submission", what),
            preserve_score=wire.boolean(data, "preserve_score", what),
            prioritize_non_tool_grade=wire.boolean(data, "prioritize_non_tool_grade", what),
            submission_type=wire.text(data, "submission_type", what),
            submission_data=wire.text(data, "submission_data", what),
            submitted_at=wire.timestamp(data, "submitted_at", what),
            content_items=tuple(ContentItem.from_wire(item) for item in items),
            extra=wire.extras(
                data,
                frozenset({"new_submission", "preserve_score", "prioritize_non_tool_grade",
                           "submission_type", "submission_data", "submitted_at",
                           "content_items"}),
            ),
        )

    def to_wire(self) -> dict[str, Any]:
        body = dict(self.extra)
        body.update(
            _drop_none(
                {
                    "new_submission": self.new_submission,
                    "preserve_score": self.preserve_score,
                    "prioritize_non_tool_grade": self.prioritize_non_tool_grade,
                    "submission_type": self.submission_type,
                    "submission_data": self.submission_data,
                    "submitted_at": _maybe_time(self.submitted_at),
                    "content_items": [item.to_wire() for item in self.content_items] or None,
                }
            )
        )
        return body


_SCORE_FIELDS = frozenset(
    {"userId", "scoreGiven", "scoreMaximum", "comment", "timestamp", "activityProgress",
     "gradingProgress", "submission", CANVAS_SUBMISSION_EXTENSION}
)


@dataclass(frozen=True, slots=True)
class Score:
    """An AGS Score: what the tool says one user earned, at one moment.

    The rules mirror the platform's, so a Score that exists is one Canvas will accept on shape.
    """

    user_id: str
    activity_progress: ActivityProgress
    grading_progress: GradingProgress
    timestamp: datetime
    score_given: float | None = None
    score_maximum: float | None = None
    comment: str | None = None
    submitted_at: datetime | None = None  # the spec's submission.submittedAt
    canvas: CanvasSubmission | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not self.user_id or not self.user_id.strip():
            raise InputError("A score needs a userId.")
        # Accept the plain wire strings too, but always hold the enum.
        object.__setattr__(self, "activity_progress", parse_enum(
            ActivityProgress, self.activity_progress, "activityProgress"))
        object.__setattr__(self, "grading_progress", parse_enum(
            GradingProgress, self.grading_progress, "gradingProgress"))
        require_aware(self.timestamp, "score timestamp")
        if self.submitted_at is not None:
            require_aware(self.submitted_at, "submittedAt")
        _non_negative(self.score_given, "scoreGiven")
        _non_negative(self.score_maximum, "scoreMaximum")
        if self.score_given is not None and self.score_maximum is None:
            raise InputError("scoreMaximum must be given whenever scoreGiven is.")

    @property
    def content_items(self) -> tuple[ContentItem, ...]:
        return self.canvas.content_items if self.canvas else ()

    @classmethod
    def from_wire(cls, raw: object) -> Score:
        what = "a score"
        data = wire.require_object(raw, what)
        submission = data.get("submission")
        submitted_at = None
        if submission is not None:
            submitted_at = wire.timestamp(
                wire.require_object(submission, "score submission"), "submittedAt", what
            )
        canvas_raw = data.get(CANVAS_SUBMISSION_EXTENSION)
        stamp = wire.timestamp(data, "timestamp", what)
        if stamp is None:
            raise InvalidWireData("a score has no 'timestamp'.")
        with wire.refusals_as_wire_errors(what):
            return cls(
                user_id=wire.id_text(data, "userId", what, required=True) or "",
                activity_progress=parse_enum(
                    ActivityProgress, data.get("activityProgress"), "activityProgress"),
                grading_progress=parse_enum(
                    GradingProgress, data.get("gradingProgress"), "gradingProgress"),
                timestamp=stamp,
                score_given=wire.number(data, "scoreGiven", what),
                score_maximum=wire.number(data, "scoreMaximum", what),
                comment=wire.text(data, "comment", what),
                submitted_at=submitted_at,
                canvas=None if canvas_raw is None else CanvasSubmission.from_wire(canvas_raw),
                extra=wire.extras(data, _SCORE_FIELDS),
            )

    def to_wire(self) -> dict[str, Any]:
        body = dict(self.extra)
        body.update(
            _drop_none(
                {
                    "userId": self.user_id,
                    "scoreGiven": self.score_given,
                    "scoreMaximum": self.score_maximum,
                    "comment": self.comment,
                    "timestamp": format_timestamp(self.timestamp),
                    "activityProgress": self.activity_progress.value,
                    "gradingProgress": self.grading_progress.value,
                    "submission": (
                        None if self.submitted_at is None
                        else {"submittedAt": format_timestamp(self.submitted_at)}
                    ),
                    CANVAS_SUBMISSION_EXTENSION: None if self.canvas is None
                    else self.canvas.to_wire(),
                }
            )
        )
        return body


@dataclass(frozen=True, slots=True)
class ScoreReceipt:
    """What a platform answered to a Score POST (Canvas: resultUrl and per-file Progress)."""

    result_url: str | None = None
    content_items: tuple[ContentItem, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def progress_urls(self) -> tuple[str, ...]:
        return tuple(item.progress_url for item in self.content_items if item.progress_url)

    @classmethod
    def from_wire(cls, raw: object) -> ScoreReceipt:
        """Both Canvas shapes: newer with the submission extension, older with resultUrl only."""
        what = "a score reply"
        if raw is None:
            return cls()
        data = wire.require_object(raw, what)
        items: tuple[ContentItem, ...] = ()
        extension = data.get(CANVAS_SUBMISSION_EXTENSION)
        if extension is not None:
            extension_data = wire.require_object(extension, what)
            raw_items = wire.require_list(
                extension_data.get("content_items") or [], f"{what} content_items")
            items = tuple(ContentItem.from_wire(item) for item in raw_items)
        return cls(
            result_url=wire.text(data, "resultUrl", what),
            content_items=items,
            extra=wire.extras(data, frozenset({"resultUrl", CANVAS_SUBMISSION_EXTENSION})),
        )


# --- Progress -------------------------------------------------------------------------------

_PROGRESS_FIELDS = frozenset(
    {"id", "workflow_state", "completion", "message", "url", "context_id", "context_type",
     "user_id", "tag", "created_at", "updated_at", "results"}
)


@dataclass(frozen=True, slots=True)
class Progress:
    """Canvas's record of one background file upload."""

    id: str
    workflow_state: ProgressState
    url: str | None = None
    completion: float | None = None
    message: str | None = None
    tag: str | None = None
    context_id: str | None = None
    context_type: str | None = None
    user_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    results: Mapping[str, Any] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_final(self) -> bool:
        return self.workflow_state.is_final

    @classmethod
    def from_wire(cls, raw: object) -> Progress:
        what = "a Progress"
        data = wire.require_object(raw, what)
        results = data.get("results")
        if results is not None:
            results = wire.require_object(results, f"{what} results")
        with wire.refusals_as_wire_errors(what):
            state = parse_enum(ProgressState, data.get("workflow_state"), "workflow_state")
        return cls(
            id=wire.id_text(data, "id", what, required=True) or "",
            workflow_state=state,
            url=wire.text(data, "url", what),
            completion=wire.number(data, "completion", what),
            message=wire.text(data, "message", what),
            tag=wire.text(data, "tag", what),
            context_id=wire.id_text(data, "context_id", what),
            context_type=wire.text(data, "context_type", what),
            user_id=wire.id_text(data, "user_id", what),
            created_at=wire.timestamp(data, "created_at", what),
            updated_at=wire.timestamp(data, "updated_at", what),
            results=results,
            extra=wire.extras(data, _PROGRESS_FIELDS),
        )


# --- Names and Roles ------------------------------------------------------------------------

_MEMBER_FIELDS = frozenset(
    {"user_id", "userId", "status", "name", "given_name", "givenName", "family_name",
     "familyName", "email", "picture", "roles", "lis_person_sourcedid", "lti11_legacy_user_id"}
)


@dataclass(frozen=True, slots=True)
class Member:
    """A course member from Names and Roles. Names are absent when privacy settings hide them."""

    user_id: str
    roles: tuple[str, ...] = ()
    status: str = "Active"
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    picture: str | None = None
    lis_person_sourcedid: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_learner(self) -> bool:
        return any(role in (LEARNER_ROLE, "Learner") for role in self.roles)

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        joined = " ".join(part for part in (self.given_name, self.family_name) if part)
        return joined or self.email or f"User {self.user_id[:8]}"

    @property
    def sort_name(self) -> str:
        """"Family, Given" when the parts are known, as gradebooks list students."""
        if self.family_name and self.given_name:
            return f"{self.family_name}, {self.given_name}"
        return self.display_name

    @classmethod
    def from_wire(cls, raw: object) -> Member:
        """Canvas's snake_case NRPS member or LTIAAS's camelCase one."""
        what = "a member"
        data = wire.require_object(raw, what)
        user_id = wire.id_text(data, "user_id", what) or wire.id_text(data, "userId", what)
        if not user_id:
            raise InvalidWireData("a member has no user_id.")
        def name(*keys: str) -> str | None:
            found = next((v for v in (wire.text(data, k, what) for k in keys) if v), None)
            return one_line(found) or None if found else None

        return cls(
            user_id=user_id,
            roles=wire.text_list(data, "roles", what),
            status=wire.text(data, "status", what) or "Active",
            name=name("name"),
            given_name=name("given_name", "givenName"),
            family_name=name("family_name", "familyName"),
            email=name("email"),
            picture=wire.text(data, "picture", what),
            lis_person_sourcedid=wire.text(data, "lis_person_sourcedid", what),
            extra=wire.extras(data, _MEMBER_FIELDS),
        )


@dataclass(frozen=True, slots=True)
class CourseContext:
    id: str
    label: str | None = None
    title: str | None = None

    @classmethod
    def from_wire(cls, raw: object) -> CourseContext:
        what = "a membership context"
        data = wire.require_object(raw, what)
        return cls(
            id=wire.id_text(data, "id", what, required=True) or "",
            label=wire.text(data, "label", what),
            title=wire.text(data, "title", what),
        )


@dataclass(frozen=True, slots=True)
class Roster:
    """One Names and Roles answer, every page joined."""

    context: CourseContext | None
    members: tuple[Member, ...]

    @property
    def learners(self) -> tuple[Member, ...]:
        return tuple(member for member in self.members if member.is_learner)


# --- Parsing what a grader types ------------------------------------------------------------


def parse_score_input(typed: str) -> float | None:
    """A score cell's text to a number: blank means no score; "abc" and -5 are refused.

    Accepts a decimal comma ("7,5") as spreadsheets in many locales write it.
    """
    cleaned = typed.strip()
    if not cleaned:
        return None
    candidate = cleaned.replace(",", ".") if cleaned.count(",") == 1 and "." not in cleaned \
        else cleaned
    # The message echoes what was typed, cut short: a pasted page is not a message.
    shown = repr(cleaned) if len(cleaned) <= 40 else f"{cleaned[:40]!r}…"
    try:
        value = float(candidate)
    except ValueError:
        raise InputError(f"{shown} is not a number.") from None
    if not math.isfinite(value):
        raise InputError(f"{shown} is not a finite number.")
    if value < 0:
        raise InputError("A score must be 0 or more.")
    # "-0" passes the check above as -0.0, which would be shown (and sent) as "-0".
    return 0.0 if value == 0 else value


# A score above ten times the maximum is taken for a typo (1e9 for 9, 850 for 8.5); extra
# credit above the maximum is legal and only marked. A 0-point column allows up to this.
ABSURD_FACTOR = 10.0
ZERO_MAXIMUM_LIMIT = 100.0


def check_score_against_maximum(score: float | None, maximum: float | None) -> None:
    """InputError for a score that can only be a typo, with the reason."""
    if score is None or maximum is None:
        return
    limit = maximum * ABSURD_FACTOR if maximum > 0 else ZERO_MAXIMUM_LIMIT
    if score > limit:
        raise InputError(
            f"{format_score(score)} is more than {ABSURD_FACTOR:g} times the maximum "
            f"({format_score(maximum)}): refused as a typo. Extra credit up to "
            f"{format_score(limit)} is accepted.")


def is_above_maximum(score: float | None, maximum: float | None) -> bool:
    """Extra credit: legal, but worth a mark on the cell and a warning."""
    return score is not None and maximum is not None and score > maximum + 1e-9


def format_score(value: float | None, *, decimals: int = 2) -> str:
    """A score as people read it: never scientific notation, long decimals rounded for
    display (the stored value keeps every digit), no trailing zeros."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}".replace(",", "")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    # -0.0 (or -0.001 rounded) is zero, never "-0".
    return "0" if text == "-0" else text
