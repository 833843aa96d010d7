"""``connection check``: walk token -> line items -> students -> one results page, and turn
each failure into one plain sentence with the fix.

The platform's messages are matched loosely (Canvas's wording, with the generic HTTP meaning
as the fallback), so any AGS platform gets a useful answer and Canvas gets a precise one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from gradedesk.domain import LineItem
from gradedesk.platforms.base import GradebookPlatform
from gradedesk.platforms.errors import (
    AuthError,
    NotFound,
    PermissionDenied,
    PlatformConfigError,
    PlatformError,
    Rejected,
    ScopeNotGranted,
    TransportError,
)

if TYPE_CHECKING:  # the report's types are the window's; the client is loaded by a check
    from gradedesk.platforms.lti_advantage.client import LtiAdvantageClient

# Canvas accepts an assertion issued up to 30 s ahead of its clock and 300 s behind.
CLOCK_SKEW_WARNING_S = 30.0


class CheckStatus(StrEnum):
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class CheckStep:
    step: str
    status: CheckStatus
    detail: str
    fix: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "status": self.status.value, "detail": self.detail,
                "fix": self.fix}


@dataclass(slots=True)
class CheckReport:
    steps: list[CheckStep] = field(default_factory=list)
    clock_skew_s: float | None = None

    @property
    def ok(self) -> bool:
        return all(step.status is not CheckStatus.ERROR for step in self.steps)

    def add(self, step: str, status: CheckStatus, detail: str, fix: str | None = None) -> None:
        self.steps.append(CheckStep(step, status, detail, fix))


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What the fixes name: the connection, its client id and the command to print the
    administrator's configuration."""

    connection: str
    client_id: str | None = None
    platform_title: str = "the platform"


def check_platform(platform: GradebookPlatform, context: CheckContext,
                   *, now: datetime | None = None) -> CheckReport:
    """Run every step; a failed step skips the steps that depend on it."""
    from gradedesk.platforms.lti_advantage.client import LtiAdvantageClient

    report = CheckReport()
    if isinstance(platform, LtiAdvantageClient) and \
            not _token_step(platform, context, report, now=now):
        for step in ("line items", "students", "results"):
            report.add(step, CheckStatus.SKIPPED, "Skipped: no access token.")
        return report
    first_item: LineItem | None = None
    try:
        first_item = next(iter(platform.iter_line_items()), None)
    except PlatformError as error:
        detail, fix = explain(error, "line items", context)
        report.add("line items", CheckStatus.ERROR, detail, fix)
        for step in ("students", "results"):
            report.add(step, CheckStatus.SKIPPED, "Skipped: the course cannot be read.")
        return report
    if first_item is None:
        report.add("line items", CheckStatus.OK,
                   "The course can be read, but GradeDesk sees no columns in it yet.",
                   "Canvas shows a tool only the columns it made (or that launch it): add one "
                   f"with `gradedesk column add {context.connection} --label ... --points N`.")
    else:
        report.add("line items", CheckStatus.OK,
                   f"The course's columns can be read (first: {first_item.label!r}).")
    _students_step(platform, context, report)
    if first_item is None:
        report.add("results", CheckStatus.SKIPPED, "Skipped: no column to read grades from.")
        return report
    try:
        next(iter(platform.iter_results(first_item.id)), None)
    except PlatformError as error:
        detail, fix = explain(error, "results", context)
        report.add("results", CheckStatus.ERROR, detail, fix)
    else:
        report.add("results", CheckStatus.OK, f"Grades of {first_item.label!r} can be read.")
    return report


def _token_step(platform: LtiAdvantageClient, context: CheckContext, report: CheckReport, *,
                now: datetime | None) -> bool:
    try:
        reply = platform.fetch_token()
    except PlatformError as error:
        detail, fix = explain(error, "token", context)
        report.add("token", CheckStatus.ERROR, detail, fix)
        return False
    skew = clock_skew_s(reply.headers.get("date"), now or datetime.now(UTC))
    report.clock_skew_s = skew
    if skew is not None and abs(skew) > CLOCK_SKEW_WARNING_S:
        report.add("token", CheckStatus.WARNING,
                   f"Signed in, but this computer's clock is {abs(skew):.0f} s "
                   f"{'ahead of' if skew > 0 else 'behind'} the platform's.",
                   "Set the clock to update automatically: beyond 30 s ahead or 5 minutes "
                   "behind, the platform refuses GradeDesk's sign-in.")
    else:
        report.add("token", CheckStatus.OK,
                   "Signed in: the key, the client id and every scope GradeDesk needs work.")
    return True


def _students_step(platform: GradebookPlatform, context: CheckContext,
                   report: CheckReport) -> None:
    if not platform.has_roster:
        report.add("students", CheckStatus.WARNING,
                   "This connection has no Names and Roles service: students will be known "
                   "by user id only (from their grades).",
                   "Nothing to do, or ask the administrator to enable Names and Roles for "
                   "the tool and add its URL.")
        return
    try:
        first = next(iter(platform.iter_members()), None)
    except PlatformError as error:
        detail, fix = explain(error, "students", context)
        report.add("students", CheckStatus.ERROR, detail, fix)
        return
    report.add("students", CheckStatus.OK if first is not None else CheckStatus.WARNING,
               "The course's people can be read." if first is not None
               else "The roster is empty.",
               None if first is not None else "Check that students are enrolled.")


def clock_skew_s(date_header: str | None, now: datetime) -> float | None:
    """How far this computer's clock is ahead of the platform's (negative: behind)."""
    if not date_header:
        return None
    from email.utils import parsedate_to_datetime  # the email package: only for a check

    try:
        theirs = parsedate_to_datetime(date_header)
    except (TypeError, ValueError, IndexError):
        return None
    if theirs.tzinfo is None:
        theirs = theirs.replace(tzinfo=UTC)
    return (now - theirs).total_seconds()


_CLOCK = re.compile(r"'iat'|'exp'|expired|in the future|not yet valid|clock", re.I)
_SIGNATURE = re.compile(r"signature|JWK|public key|kid", re.I)
_UNKNOWN_CLIENT = re.compile(r"unknown client|invalid_client|client.*not found", re.I)
_AUDIENCE = re.compile(r"'aud'|audience", re.I)
_KEY_OFF = re.compile(r"Unknown or inactive Developer Key", re.I)
_KEY_NOT_FOR_ACCOUNT = re.compile(r"Invalid Developer Key", re.I)
_NOT_INSTALLED = re.compile(r"not linked to a Tool|not associated with this Context", re.I)
_NO_SCOPE = re.compile(r"Insufficient permissions|scope", re.I)
_CONCLUDED = re.compile(r"concluded", re.I)

_SCOPE_OF_STEP = {
    "line items": "lineitem (or lineitem.readonly)",
    "students": "Names and Roles (contextmembership.readonly)",
    "results": "result.readonly",
}


def explain(error: PlatformError, step: str, context: CheckContext) -> tuple[str, str]:
    """(what is wrong, how to fix it) for one failed step, in a teacher's words."""
    said = error.platform_message or ""
    config = f"`gradedesk connection config {context.connection}`"
    client = f"client id {context.client_id}" if context.client_id else "the client id"
    if isinstance(error, TransportError):
        return (error.user_message,
                "Check the course address and this computer's network, then check again.")
    if isinstance(error, PlatformConfigError):
        return error.user_message, "Fix the connection's settings (remove it and add it again)."
    if isinstance(error, ScopeNotGranted):
        scopes = " ".join(error.scopes) or "some of the scopes GradeDesk asks for"
        return (f"The developer key does not allow: {scopes}.",
                f"An administrator enables those scopes on the key (pasting {config} again "
                "sets them all).")
    if step == "token" and isinstance(error, AuthError):
        if _UNKNOWN_CLIENT.search(said):
            return (f"{context.platform_title} does not know {client}, or its developer key is "
                    "off.", "Check the client id with your administrator; the key must be "
                    "switched ON (Admin > Developer Keys).")
        if _CLOCK.search(said):
            return ("The platform refused the sign-in because of this computer's clock "
                    f"({said}).", "Set the clock to update automatically, then check again.")
        if _AUDIENCE.search(said):
            return ("The platform expects the sign-in for a different address (audience).",
                    "Give the audience the platform's registration page shows, with "
                    "--audience when adding the connection.")
        if _SIGNATURE.search(said):
            return ("The platform does not have this connection's public key.",
                    f"Paste the public key from {config} into the developer key (or the "
                    "tool's settings), then check again.")
        return (f"The platform refused GradeDesk's sign-in: {said or error.user_message}",
                f"Check {client} and the key pasted from {config}.")
    if isinstance(error, AuthError | PermissionDenied):
        if _KEY_OFF.search(said):
            return ("The developer key is off.",
                    "An administrator switches it ON in Admin > Developer Keys.")
        if _KEY_NOT_FOR_ACCOUNT.search(said):
            return ("The developer key is not enabled for this course's account.",
                    "An administrator sets the key to ON for the account (Developer Keys, "
                    "the account's tab).")
        if _NOT_INSTALLED.search(said):
            return ("GradeDesk is not installed in this course.",
                    f"In the course (or its account): Settings > Apps > + App > Configuration "
                    f"Type: By Client ID, and enter {client}.")
        if _NO_SCOPE.search(said):
            return (f"The developer key lacks the scope for {step}.",
                    f"An administrator enables {_SCOPE_OF_STEP.get(step, 'it')} on the key "
                    f"(pasting {config} again sets every scope).")
        return (f"The platform refused access to the {step}: {said or error.user_message}",
                f"Check that GradeDesk is installed in the course with {client}.")
    if isinstance(error, Rejected) and _CONCLUDED.search(said):
        return ("The course has concluded: the platform no longer accepts grades for it.",
                "Ask an administrator to extend the course's end date, or pick another course.")
    if isinstance(error, NotFound):
        if step == "line items":
            return ("The course was not found: a wrong course id, a deleted course, or one "
                    "that has concluded.", "Open the course in your browser and copy its "
                    "address again.")
        if step == "students":
            return ("The Names and Roles service was not found.",
                    "Ask the administrator to enable Names and Roles for the tool in this "
                    "course.")
    return (error.user_message, "Check the connection with your administrator.")
