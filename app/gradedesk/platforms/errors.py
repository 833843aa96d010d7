"""The platform error tree, and the one function that turns any failed reply into the right error.

Every message names the HTTP status and quotes what the platform said, so a teacher (or a
support ticket) sees "User not found in course or is not a student (HTTP 422)" rather than a
generic failure.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from gradedesk.domain import GradeDeskError, parse_timestamp
from gradedesk.domain.errors import InputError

# Platforms sometimes echo what they received (LTIAAS's bodyReceived): never into a message.
from gradedesk.domain.redaction import redact
from gradedesk.domain.safe_text import without_controls

if TYPE_CHECKING:
    import httpx

# httpx is imported where a reply is read, not with this module: the error classes are what
# the layers above (the window's first frame among them) import, and need no HTTP stack.

_MAX_MESSAGE_CHARS = 500

class PlatformError(GradeDeskError):
    """A platform call failed. ``status`` is the HTTP status (None when no reply came back)."""

    lead = "The platform call failed"

    def __init__(
        self,
        user_message: str | None = None,
        *,
        status: int | None = None,
        platform_message: str | None = None,
        url: str | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        self.status = status
        self.retry_after_s = retry_after_s
        self.platform_message = redact(platform_message) if platform_message else None
        self.url = url
        if user_message is None:
            user_message = _compose(self.lead, status, self.platform_message)
        super().__init__(redact(user_message))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, {self.user_message!r})"


def _compose(lead: str, status: int | None, platform_message: str | None) -> str:
    text = f"{lead}: {platform_message}" if platform_message else lead + "."
    return f"{text} (HTTP {status})" if status is not None else text


class TransportError(PlatformError):
    """No usable reply: connection refused, timeout, broken connection.

    ``never_sent`` is True only when the request provably never left this machine (the
    connection was never established), which is the one case where re-sending a write is safe.
    """

    lead = "Could not reach the platform"

    def __init__(self, user_message: str | None = None, *, never_sent: bool = False,
                 url: str | None = None) -> None:
        super().__init__(user_message, url=url)
        self.never_sent = never_sent


class ThrottledError(PlatformError):
    """The platform is rate limiting this key (Canvas: 403 "Rate Limit Exceeded"; others: 429)."""

    lead = "The platform is limiting the request rate"

    def __init__(self, user_message: str | None = None, *, status: int | None = None,
                 platform_message: str | None = None, url: str | None = None,
                 remaining: float | None = None, retry_after_s: float | None = None) -> None:
        super().__init__(user_message, status=status, platform_message=platform_message, url=url,
                         retry_after_s=retry_after_s)
        self.remaining = remaining


class AuthError(PlatformError):
    """The platform does not accept our credentials, token or scopes (401, token errors)."""

    lead = "The platform refused GradeDesk's credentials"


class ScopeNotGranted(AuthError):
    """OAuth ``invalid_scope``: the developer key does not enable these scopes."""

    lead = "The platform did not grant the requested scopes"

    def __init__(self, user_message: str | None = None, *, status: int | None = None,
                 platform_message: str | None = None, url: str | None = None,
                 scopes: tuple[str, ...] = ()) -> None:
        self.scopes = scopes
        if user_message is None and scopes:
            user_message = _compose(
                f"{self.lead} ({' '.join(scopes)})", status, platform_message)
        super().__init__(user_message, status=status, platform_message=platform_message, url=url)


class PermissionDenied(PlatformError):
    lead = "The platform does not allow this"


class NotFound(PlatformError):
    lead = "The platform does not know this item"


class Rejected(PlatformError):
    """The platform understood the request and refused it (400, 409, 412, 422...)."""

    lead = "The platform refused the request"


class StaleTimestamp(Rejected):
    """Canvas: the Score's timestamp is older than the Result's; a conflict to show, not retry."""

    lead = "Someone changed this grade after the edit was made"

    def __init__(self, user_message: str | None = None, *, status: int | None = None,
                 platform_message: str | None = None, url: str | None = None,
                 given: datetime | None = None, last_updated: datetime | None = None) -> None:
        super().__init__(user_message, status=status, platform_message=platform_message, url=url)
        self.given = given
        self.last_updated = last_updated


class ServerError(PlatformError):
    lead = "The platform had an internal problem"


class MalformedReply(PlatformError):
    """The reply is not what the specification promises (bad JSON, wrong types, loops)."""

    lead = "The platform sent a reply GradeDesk cannot read"


class ResponseTooLarge(MalformedReply):
    lead = "The platform's reply was too large"


class PlatformConfigError(PlatformError):
    """The connection settings themselves are wrong or unsafe; retrying cannot help."""

    lead = "The platform connection settings are not usable"


class InsecureUrl(PlatformConfigError):
    lead = "Refusing an insecure URL"


class ForeignOrigin(PlatformConfigError):
    """A URL on a host other than the configured platform: credentials are never sent there."""

    lead = "Refusing to send credentials to another host"


class InvalidKey(PlatformConfigError):
    lead = "The private key cannot be used"


class Unsupported(PlatformError):
    """The platform (or the route to it) does not offer this feature."""

    lead = "Not available on this platform"


# --- From a reply to an error ----------------------------------------------------------------

_STALE = re.compile(
    r"Provided timestamp of (?P<given>.+?) before last updated timestamp of (?P<last>.+?)\s*$",
    re.S,
)
_SCOPES_GRANTED = re.compile(r"not granted:\s*(?P<scopes>.+)$", re.S)


def is_throttle_text(text: str) -> bool:
    """Canvas's throttle reply is a 403 whose plain-text body says Rate Limit Exceeded."""
    return "rate limit exceeded" in text.lower()


def _clip(text: str) -> str:
    text = " ".join(without_controls(text).split())
    return text if len(text) <= _MAX_MESSAGE_CHARS else text[: _MAX_MESSAGE_CHARS - 1] + "…"


_HTML_START = re.compile(r"^\s*<(!doctype\s+html|html[\s>])", re.I)
_HTML_TITLE = re.compile(r"<title[^>]*>(?P<title>.*?)</title>", re.I | re.S)


def _plain_text(text: str) -> str:
    """An HTML error page (Moodle, proxies) is summarised by its title, never quoted whole."""
    if not _HTML_START.match(text):
        return text
    found = _HTML_TITLE.search(text)
    title = " ".join(found["title"].split()) if found else ""
    return f"an HTML error page ({title})" if title else "an HTML error page"


def _text_of(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _messages_of_list(items: list[Any]) -> str | None:
    parts: list[str] = []
    for item in items:
        if isinstance(item, Mapping):
            message = _text_of(item.get("message"))
            field = _text_of(item.get("field"))
            if message:
                parts.append(f"{field} {message}" if field else message)
        elif (text := _text_of(item)) is not None:
            parts.append(text)
    return "; ".join(parts) or None


def _ltiaas_message(details: Mapping[str, Any], error: object) -> str | None:
    parts: list[str] = []
    description = _text_of(details.get("description"))
    code = _text_of(details.get("message")) or _text_of(details.get("code"))
    if description and code and code != description:
        parts.append(f"{description} [{code}]")
    elif description or code:
        parts.append(description or code or "")
    errors = details.get("errors")
    if isinstance(errors, list) and (listed := _messages_of_list(errors)):
        parts.append(listed)
    for key in ("bodyReceived", "externalError"):
        inner = details.get(key)
        if inner is None:
            continue
        if isinstance(inner, str):
            with contextlib.suppress(ValueError, RecursionError):
                inner = json.loads(inner)
        found = message_from_json(inner) if not isinstance(inner, str) else _text_of(inner)
        if found:
            parts.append(f"LMS: {found}")
    if not parts and (text := _text_of(error)):
        parts.append(text)
    return "; ".join(parts) or None


def message_from_json(body: object) -> str | None:
    """The platform's own message from a JSON error body, trying each known shape in order."""
    if isinstance(body, list):
        return _messages_of_list(body)
    if not isinstance(body, Mapping):
        return _text_of(body)
    errors = body.get("errors")
    if isinstance(errors, Mapping):  # Canvas LTI service shape
        text = _text_of(errors.get("message")) or _text_of(errors.get("type"))
        if text:
            return text
    if isinstance(errors, list) and (listed := _messages_of_list(errors)):  # generic Canvas
        return listed
    details = body.get("details")
    if "error" in body and not isinstance(details, Mapping):  # OAuth / line-item 400
        error = _text_of(body.get("error"))
        description = _text_of(body.get("error_description"))
        if error and description:
            return f"{error}: {description}"
        if error or description:
            return error or description
    if isinstance(details, Mapping):  # LTIAAS
        return _ltiaas_message(details, body.get("error"))
    return _text_of(body.get("message"))


def platform_message_of(status: int, body: bytes) -> tuple[str | None, object]:
    """(message, parsed JSON or None) for an error body; plain text when it is not JSON."""
    if not body.strip():
        return None, None
    text = body.decode("utf-8", errors="replace")
    try:
        parsed: object = json.loads(text)
    except (ValueError, RecursionError):
        return _clip(_plain_text(text)), None
    try:
        message = message_from_json(parsed)
    except RecursionError:
        message = None
    return (_clip(message) if message else None), parsed


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown status"


def _maybe_time(text: str) -> datetime | None:
    try:
        return parse_timestamp(text.strip())
    except InputError:
        return None


def header_float(response: httpx.Response, name: str) -> float | None:
    """A numeric header, or None when it is absent, not a number, NaN or absurdly large."""
    raw = response.headers.get(name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if value == value and abs(value) < 1e12 else None


def retry_after_of(response: httpx.Response) -> float | None:
    """Retry-After in seconds (delta form; the HTTP-date form too), or None."""
    raw = response.headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw)) if raw.isascii() and raw.replace(".", "", 1).isdigit() \
            else _retry_after_date(raw)
    except (ValueError, OverflowError):
        return None


def _retry_after_date(raw: str) -> float | None:
    from email.utils import parsedate_to_datetime  # rare: the email package is a big import

    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def error_from_response(response: httpx.Response, *, token_endpoint: bool = False) -> PlatformError:
    """The right PlatformError for a non-2xx reply whose body has been read.

    ``token_endpoint``: 400/401 from the OAuth token endpoint are credential problems (AuthError),
    not refusals of a request's content.
    """
    import httpx

    status = response.status_code
    try:
        body = response.content
    except httpx.ResponseNotRead:
        body = b""
    message, parsed = platform_message_of(status, body)
    url = str(response.request.url) if _has_request(response) else None
    kwargs: dict[str, Any] = {
        "status": status,
        "platform_message": message or _reason(status),
        "url": url,
    }
    text_body = body.decode("utf-8", errors="replace") if parsed is None else ""

    if status == 429 or (status == 403 and is_throttle_text(text_body or (message or ""))):
        return ThrottledError(remaining=header_float(response, "x-rate-limit-remaining"),
                              retry_after_s=retry_after_of(response), **kwargs)
    if token_endpoint and status in (400, 401):
        if isinstance(parsed, Mapping) and parsed.get("error") == "invalid_scope":
            scopes: tuple[str, ...] = ()
            description = _text_of(parsed.get("error_description")) or ""
            if found := _SCOPES_GRANTED.search(description):
                scopes = tuple(s for s in re.split(r"[\s,]+", found["scopes"]) if s)
            return ScopeNotGranted(scopes=scopes, **kwargs)
        return AuthError(**kwargs)
    if status == 401:
        return AuthError(**kwargs)
    if status == 403:
        return PermissionDenied(**kwargs)
    if status in (404, 410):
        return NotFound(**kwargs)
    if status == 409:
        # AGS's only 409: a Score older than the result (Moodle; the spec allows it).
        return StaleTimestamp(**kwargs)
    if 400 <= status < 500:
        if message and (stale := _STALE.search(message)):
            return StaleTimestamp(given=_maybe_time(stale["given"]),
                                  last_updated=_maybe_time(stale["last"]), **kwargs)
        return Rejected(**kwargs)
    if status >= 500:
        return ServerError(retry_after_s=retry_after_of(response), **kwargs)
    if 300 <= status < 400:
        # Never followed: a redirect could take the bearer token to another origin.
        where = response.headers.get("location", "")
        target = _origin_text(where) if where else "another address"
        return PlatformError(f"The platform redirected this request (HTTP {status}) to "
                             f"{target}; GradeDesk does not follow redirects. The connection's "
                             "address may be outdated: check it with the platform's "
                             "administrator.", **kwargs)
    return PlatformError(f"Unexpected reply from the platform: {kwargs['platform_message']} "
                         f"(HTTP {status})", **kwargs)


def _origin_text(url: str) -> str:
    """Only scheme, host and port of a redirect's target: its path and query may hold ids."""
    import httpx

    try:
        parsed = httpx.URL(url)
        host = parsed.host
    except (httpx.InvalidURL, ValueError):
        return "an invalid address"
    if not host:
        return "another page of the platform"
    return without_controls(f"{parsed.scheme}://{host}" + (f":{parsed.port}" if parsed.port
                                                           else ""))[:120]


def _has_request(response: httpx.Response) -> bool:
    try:
        response.request  # noqa: B018 - raises when the response was built without a request
    except RuntimeError:
        return False
    return True
