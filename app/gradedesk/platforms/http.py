"""The one way platforms talk HTTP: TLS always verified, https unless loopback, timeouts on every
call, a cap on reply size, pacing and retries.

Redirects are not followed: no AGS endpoint redirects, and following one could carry
credentials somewhere unplanned.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from gradedesk.domain.redaction import loggable_url
from gradedesk.platforms.errors import (
    InsecureUrl,
    MalformedReply,
    PlatformConfigError,
    PlatformError,
    ResponseTooLarge,
    ThrottledError,
    TransportError,
    error_from_response,
    header_float,
    is_throttle_text,
)
from gradedesk.platforms.ratelimit import RateLimiter
from gradedesk.platforms.retry import Retrier

_log = logging.getLogger(__name__)

DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
USER_AGENT = "GradeDesk (LTI Advantage AGS/NRPS client)"
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect_s: float = 10.0
    read_s: float = 60.0
    write_s: float = 60.0
    pool_s: float = 30.0
    # Everything one call may take, retries and their waits included: a server that drips its
    # reply, never answers or asks to retry after minutes is given up on within this.
    total_s: float = 120.0

    def to_httpx(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect_s, read=self.read_s, write=self.write_s,
                             pool=self.pool_s)


def is_loopback_host(host: str) -> bool:
    """127.0.0.0/8, ::1 (also IPv4-mapped) and the name localhost."""
    # "localhost." (with the root dot) is a name DNS resolves, not the loopback alias.
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def parse_url(url: str | httpx.URL, what: str = "URL") -> httpx.URL:
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
        host = parsed.host  # decoding an IDNA label ("xn--...") can fail only here
    except (httpx.InvalidURL, TypeError, ValueError):  # UnicodeError is a ValueError
        raise PlatformConfigError(f"The {what} {str(url)[:200]!r} is not a valid URL.") from None
    if not host:
        raise PlatformConfigError(f"The {what} {str(url)[:200]!r} is not an absolute URL.")
    return parsed


def require_secure_url(url: str | httpx.URL, what: str = "URL") -> httpx.URL:
    """The parsed URL if it is https, or plain http on a loopback host; InsecureUrl otherwise."""
    parsed = parse_url(url, what)
    if parsed.scheme == "https":
        return parsed
    if parsed.scheme == "http" and is_loopback_host(parsed.host):
        return parsed
    raise InsecureUrl(
        f"Refusing the {what} {str(url)[:200]}: GradeDesk only uses https "
        "(plain http is allowed only on this machine's loopback address)."
    )


def origin_of(url: str | httpx.URL) -> str:
    """scheme://host:port with the default port made explicit, for exact comparison."""
    parsed = parse_url(url)
    port = parsed.port or {"https": 443, "http": 80}.get(parsed.scheme, 0)
    host = parsed.host.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    return f"{parsed.scheme}://{host}:{port}"


# Where a request keeps the moment it went out, for its log line (httpx passes extensions
# it does not know to the transport, which ignores them).
_SENT_AT_EXTENSION = "gradedesk.sent_at"


def _check_request(request: httpx.Request) -> None:
    # Every request from our clients passes here, token requests (inside the auth flow) and
    # the retry after a 401 included.
    require_secure_url(request.url, "request URL")
    request.extensions[_SENT_AT_EXTENSION] = time.monotonic()


def _elapsed_ms(request: httpx.Request) -> int:
    sent_at = request.extensions.get(_SENT_AT_EXTENSION)
    return round((time.monotonic() - sent_at) * 1000) if isinstance(sent_at, float) else 0


def _log_reply(response: httpx.Response) -> None:
    """One INFO line per reply: method, URL without its query and with student ids hidden
    (``loggable_url``), status and the milliseconds until the reply's headers came. Never a
    header or a body: they carry tokens, keys, assertions and students' work."""
    request = response.request
    _log.info("%s %s -> %s in %d ms", request.method, loggable_url(str(request.url)),
              response.status_code, _elapsed_ms(request))


def build_client(
    *,
    timeouts: Timeouts | None = None,
    transport: httpx.BaseTransport | None = None,
    auth: httpx.Auth | None = None,
    headers: Mapping[str, str] | None = None,
    event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
) -> httpx.Client:
    """An httpx.Client with GradeDesk's safety settings; ``transport`` is for tests only."""
    hooks: dict[str, list[Callable[..., Any]]] = {"request": [_check_request],
                                                  "response": [_log_reply]}
    for name, extra in (event_hooks or {}).items():
        hooks.setdefault(name, []).extend(extra)
    # One gzip layer at most is accepted (see read_capped); ask for nothing else.
    base_headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
    base_headers.update(headers or {})
    return httpx.Client(
        timeout=(timeouts or Timeouts()).to_httpx(),
        verify=True,
        follow_redirects=False,
        # Environment proxies/netrc are not consulted: credentials go only where configured.
        trust_env=False,
        transport=transport,
        auth=auth,
        headers=base_headers,
        event_hooks=hooks,
    )


# Content codings a reply may use: at most one layer of these. Nested codings ("gzip, gzip")
# and others are refused: decoding them is how a 1 KB reply becomes gigabytes.
_ZLIB_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS,
               "deflate": zlib.MAX_WBITS}
_DECODE_STEP = 256 * 1024


def _decoder(response: httpx.Response) -> Any:
    """A zlib decompressor for the reply's one content coding, or None for identity."""
    codings = [c.strip().lower() for c in response.headers.get("content-encoding", "").split(",")
               if c.strip() and c.strip().lower() != "identity"]
    if not codings:
        return None
    if len(codings) > 1 or codings[0] not in _ZLIB_WBITS:
        raise MalformedReply(
            f"The platform's reply is encoded as {', '.join(codings)[:100]}; GradeDesk accepts "
            "at most one gzip or deflate layer.", status=response.status_code,
            url=_url_of(response))
    return zlib.decompressobj(_ZLIB_WBITS[codings[0]])


def _too_large(response: httpx.Response, max_bytes: int) -> ResponseTooLarge:
    return ResponseTooLarge(
        f"The platform's reply passed the {max_bytes}-byte limit; it was cut off.",
        status=response.status_code, url=_url_of(response))


def _url_of(response: httpx.Response) -> str | None:
    try:
        return str(response.request.url)
    except RuntimeError:
        return None


def read_capped(response: httpx.Response, max_bytes: int, *,
                deadline: float | None = None) -> bytes:
    """Read the reply's body, decoding its content coding a bounded step at a time and refusing
    once the decoded body passes ``max_bytes`` (or, with ``deadline``, a monotonic time, once
    the reply takes too long to arrive). The response keeps the decoded body, so
    ``.content``/``.json()`` work afterwards."""
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        response.close()
        raise ResponseTooLarge(
            f"The platform's reply is {int(declared)} bytes, over the {max_bytes}-byte limit.",
            status=response.status_code, url=_url_of(response))
    try:
        already = response.content  # read earlier (in the auth flow, or by a mock transport)
    except httpx.ResponseNotRead:
        pass
    else:
        if len(already) > max_bytes:
            raise _too_large(response, max_bytes)
        return already
    decoder = _decoder(response)
    chunks: list[bytes] = []
    total = 0
    try:
        for raw in response.iter_raw():
            if deadline is not None and time.monotonic() > deadline:
                raise TransportError(
                    "The platform sent its reply too slowly; stopped waiting for it.",
                    url=_url_of(response))
            pieces = [raw] if decoder is None else _inflate(decoder, raw, max_bytes - total)
            for piece in pieces:
                total += len(piece)
                if total > max_bytes:
                    raise _too_large(response, max_bytes)
                chunks.append(piece)
        if decoder is not None:
            tail = decoder.flush()
            total += len(tail)
            if total > max_bytes:
                raise _too_large(response, max_bytes)
            chunks.append(tail)
    except httpx.HTTPError as exc:
        raise transport_error(exc, str(response.request.url)) from None
    except zlib.error:
        raise MalformedReply("The platform's compressed reply is damaged.",
                             status=response.status_code, url=_url_of(response)) from None
    finally:
        if total > max_bytes:
            response.close()
    body = b"".join(chunks)
    # httpx's own read() stores the body the same way; later reads then return it.
    response._content = body
    return body


def _inflate(decoder: Any, raw: bytes, room: int) -> list[bytes]:
    """Decompress one raw chunk in bounded steps, stopping as soon as ``room`` is exceeded."""
    pieces: list[bytes] = []
    produced = 0
    data = raw
    while data:
        piece = decoder.decompress(data, _DECODE_STEP)
        pieces.append(piece)
        produced += len(piece)
        if produced > room:
            break
        data = decoder.unconsumed_tail
    return pieces


def transport_error(exc: httpx.HTTPError, url: str) -> TransportError:
    # Only a failure to connect proves the request never left this machine.
    never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    if isinstance(exc, httpx.TimeoutException):
        what = "the connection timed out" if never_sent else "the platform did not answer in time"
    elif never_sent:
        what = "could not connect"
    else:
        what = "the connection broke"
    host = parse_url(url).host if url else "the platform"
    return TransportError(f"Could not reach {host}: {what} ({type(exc).__name__}).",
                          never_sent=never_sent, url=url)


def _timeouts_of(client: httpx.Client) -> Timeouts:
    """The client's own timeouts, with the default total."""
    given = client.timeout
    default = Timeouts()
    return Timeouts(connect_s=given.connect or default.connect_s,
                    read_s=given.read or default.read_s, write_s=given.write or default.write_s,
                    pool_s=given.pool or default.pool_s)


def dump_json(body: object) -> bytes:
    try:
        return json.dumps(body, allow_nan=False, separators=(",", ":")).encode()
    except ValueError as exc:
        raise PlatformError(f"Cannot send a non-finite number to the platform: {exc}") from None


class HttpSession:
    """One client's HTTP plumbing: pacing, retries, size cap, error mapping. Thread-safe as far
    as httpx.Client is (it is); the limiter may be shared across sessions."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        limiter: RateLimiter | None = None,
        retrier: Retrier | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        timeouts: Timeouts | None = None,
        job_deadline: Callable[[], float | None] | None = None,
        interrupt: Callable[[], None] | None = None,
    ) -> None:
        self.client = client
        # The running job's own deadline (a pull's or a push's time limit), if it has one.
        self.job_deadline = job_deadline
        # Raises once the running job is cancelled: a request still waiting for a slot then
        # gives up instead of going out (Ctrl-C leaves the grades not yet sent queued).
        self.interrupt = interrupt
        self.limiter = limiter or RateLimiter()
        self.retrier = retrier or Retrier()
        self.max_response_bytes = max_response_bytes
        self.timeouts = timeouts or _timeouts_of(client)

    def request(
        self,
        method: str,
        url: str | httpx.URL,
        *,
        params: Mapping[str, str] | None = None,
        json_body: object = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """Send until success or a final error; returns a 2xx response whose body is read."""
        target = require_secure_url(url)
        if params:
            target = target.copy_merge_params(dict(params))
        origin = origin_of(target)
        if content is None and json_body is not None:
            content = dump_json(json_body)
        safe = method.upper() in IDEMPOTENT_METHODS if idempotent is None else idempotent

        deadline = time.monotonic() + self.timeouts.total_s
        job_deadline = self.job_deadline() if self.job_deadline is not None else None
        if job_deadline is not None:
            deadline = min(deadline, job_deadline)

        def attempt() -> httpx.Response:
            with self.limiter.slot(origin, interrupt=self.interrupt):
                return self._send_once(method, target, content, headers, extensions, origin,
                                       deadline)

        return self.retrier.run(attempt, idempotent=safe, deadline=deadline)

    def _send_once(
        self,
        method: str,
        url: httpx.URL,
        content: bytes | None,
        headers: Mapping[str, str] | None,
        extensions: Mapping[str, Any] | None,
        origin: str,
        deadline: float,
    ) -> httpx.Response:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TransportError("The platform did not answer in time; stopped waiting.",
                                 never_sent=True, url=str(url))
        timeouts = self.timeouts
        # No single wait may outlast the call's deadline.
        timeout = httpx.Timeout(connect=min(timeouts.connect_s, left),
                                read=min(timeouts.read_s, left),
                                write=min(timeouts.write_s, left),
                                pool=min(timeouts.pool_s, left))
        request = self.client.build_request(
            method, url, content=content, headers=dict(headers or {}),
            extensions=dict(extensions or {}), timeout=timeout)
        started = time.monotonic()
        try:
            response = self.client.send(request, stream=True)
        except httpx.HTTPError as exc:
            _log.info("%s %s -> no reply (%s) after %d ms", method, loggable_url(str(url)),
                      type(exc).__name__, round((time.monotonic() - started) * 1000))
            raise transport_error(exc, str(url)) from None
        try:
            body = read_capped(response, self.max_response_bytes, deadline=deadline)
        finally:
            response.close()
        remaining = header_float(response, "x-rate-limit-remaining")
        throttled = response.status_code == 429 or (
            response.status_code == 403 and is_throttle_text(body[:2000].decode("utf-8", "replace"))
        )
        delay = self.limiter.observe(origin, remaining=remaining, throttled=throttled)
        # The request line itself is logged by _log_reply; here only the pacing it led to.
        if remaining is not None or delay > 0:
            _log.debug("%s: rate limit remaining %s; back-off %.2f s", origin, remaining,
                       delay)
        if 200 <= response.status_code < 300:
            return response
        error = error_from_response(response)
        if isinstance(error, ThrottledError) and error.retry_after_s is None:
            error.retry_after_s = delay
        raise error
