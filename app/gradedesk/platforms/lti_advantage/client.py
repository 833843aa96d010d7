"""GradeDesk as an LTI Advantage tool talking AGS and NRPS directly to Canvas or any platform."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from gradedesk.domain import (
    CourseContext,
    LineItem,
    Member,
    Progress,
    Result,
    Score,
    ScoreReceipt,
)
from gradedesk.platforms.base import ClientCore, query_params
from gradedesk.platforms.errors import (
    NotFound,
    PlatformConfigError,
    Rejected,
    StaleTimestamp,
    header_float,
)
from gradedesk.platforms.http import (
    DEFAULT_MAX_RESPONSE_BYTES,
    HttpSession,
    Timeouts,
    build_client,
    dump_json,
    origin_of,
    require_secure_url,
    transport_error,
)
from gradedesk.platforms.keys import load_private_key
from gradedesk.platforms.lti_advantage import ags, canvas, nrps, progress
from gradedesk.platforms.lti_advantage.auth import (
    SCOPES_EXTENSION,
    ClientAssertionAuth,
    TokenCache,
)
from gradedesk.platforms.pagination import (
    DEFAULT_MAX_LISTING_BYTES,
    DEFAULT_MAX_PAGES,
    next_link,
    paginate,
)
from gradedesk.platforms.ratelimit import RateLimiter
from gradedesk.platforms.retry import Retrier, RetryPolicy

ALL_SCOPES = (
    ags.SCOPE_LINEITEM,
    ags.SCOPE_LINEITEM_READONLY,
    ags.SCOPE_RESULT_READONLY,
    ags.SCOPE_SCORE,
    nrps.SCOPE_MEMBERSHIP_READONLY,
    progress.SCOPE_PROGRESS,
)


@dataclass(frozen=True, slots=True)
class LtiAdvantageConfig:
    """One platform registration (from the launch's claims and the developer key)."""

    issuer: str
    client_id: str
    deployment_id: str
    token_url: str
    lineitems_url: str
    nrps_url: str | None = None
    audience: str | None = None  # default: the token URL (what Canvas checks)
    key_id: str | None = None  # default: the key's RFC 7638 thumbprint
    timeouts: Timeouts = field(default_factory=Timeouts)
    # Further origins that may receive the bearer (e.g. a Canvas root account domain in ids).
    extra_origins: tuple[str, ...] = ()
    # One token for all scopes (Canvas charges 200 throttle units per token request); empty
    # tuple = request each operation's scopes separately.
    scope_bundle: tuple[str, ...] = ALL_SCOPES
    line_item_read_scope: str = ags.SCOPE_LINEITEM_READONLY
    canvas_extensions: bool = True  # send new_submission:false for plain grades
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    max_pages: int = DEFAULT_MAX_PAGES
    max_listing_bytes: int = DEFAULT_MAX_LISTING_BYTES
    # Sent as AGS/NRPS ``limit`` on a list's first request; None leaves it to the platform.
    # Nothing assumes the platform honours it (Canvas clamps it; pages may come shorter).
    page_size: int | None = None
    # Optional query parameters this platform is known to refuse (learned, then kept).
    refused_params: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.client_id.strip():
            raise PlatformConfigError("The platform connection has no client_id.")
        require_secure_url(self.token_url, "token URL")
        require_secure_url(self.lineitems_url, "line items URL")
        if self.page_size is not None and self.page_size < 1:
            raise PlatformConfigError("The page size must be at least 1.")
        if self.nrps_url:
            require_secure_url(self.nrps_url, "Names and Roles URL")
        for origin in self.extra_origins:
            require_secure_url(origin, "trusted origin")

    @property
    def platform_origins(self) -> tuple[str, ...]:
        urls = [self.lineitems_url, *self.extra_origins]
        if self.nrps_url:
            urls.append(self.nrps_url)
        return tuple(dict.fromkeys(origin_of(url) for url in urls))


# Statuses with which platforms refuse a query parameter they do not know (Moodle 4.5 answers
# 404 with an HTML page for ``limit``); a retry without the optional parameters tells.
_REFUSAL_STATUSES = frozenset({400, 404, 406, 422})


class LtiAdvantageClient(ClientCore):
    """Implements GradebookPlatform. Thread-safe (one httpx.Client, a locked token cache).

    Every query parameter the client adds (``limit``, ``user_id``, ``role`` and the line item
    filters) is optional in the spec. A platform that refuses one gets the same request
    without them; the client then filters locally and remembers the refusal
    (``refused_params``) so the caller can keep it for the connection.
    """

    def __init__(
        self,
        config: LtiAdvantageConfig,
        private_key_pem: bytes | rsa.RSAPrivateKey | Callable[[], bytes],
        *,
        key_password: bytes | None = None,
        transport: httpx.BaseTransport | None = None,
        limiter: RateLimiter | None = None,
        retry_policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
        token_cache: TokenCache | None = None,
        job_deadline: Callable[[], float | None] | None = None,
        interrupt: Callable[[], None] | None = None,
    ) -> None:
        self.config = config
        key: rsa.RSAPrivateKey | Callable[[], rsa.RSAPrivateKey]
        if isinstance(private_key_pem, rsa.RSAPrivateKey):
            key = private_key_pem
        elif isinstance(private_key_pem, bytes):
            key = load_private_key(private_key_pem, key_password)
        else:  # a loader (the keyring): read and parsed only when a token must be signed
            read_pem = private_key_pem
            key = lambda: load_private_key(read_pem(), key_password)  # noqa: E731
        self.auth = ClientAssertionAuth(
            client_id=config.client_id,
            token_url=config.token_url,
            private_key=key,
            key_id=config.key_id,
            audience=config.audience,
            allowed_origins=config.platform_origins,
            clock=clock,
            on_token_reply=self._paced_after_token,
            scope_bundle=config.scope_bundle or None,
            token_cache=token_cache,
        )
        self._sleep = sleep
        self.supports_progress = config.canvas_extensions
        self._refused = set(config.refused_params)
        self._refused_lock = threading.Lock()
        client = build_client(timeouts=config.timeouts, transport=transport, auth=self.auth,
                              event_hooks=event_hooks)
        self._limiter = limiter or RateLimiter(sleep=sleep)
        self._session = HttpSession(
            client,
            limiter=self._limiter,
            retrier=Retrier(retry_policy, sleep=sleep),
            max_response_bytes=config.max_response_bytes,
            timeouts=config.timeouts,
            job_deadline=job_deadline,
            interrupt=interrupt,
        )

    @property
    def has_roster(self) -> bool:
        """Whether the connection has a Names and Roles service."""
        return bool(self.config.nrps_url)

    @property
    def refused_params(self) -> frozenset[str]:
        """The optional query parameters this platform refuses (configured plus learned)."""
        with self._refused_lock:
            return frozenset(self._refused)

    def fetch_token(self) -> httpx.Response:
        """A fresh token for every scope GradeDesk uses, asked for now (not from a cache);
        returns the token endpoint's reply. Raises the token endpoint's error."""
        def send(request: httpx.Request) -> httpx.Response:
            try:
                response = self._session.client.send(request, auth=None)
            except httpx.HTTPError as exc:
                raise transport_error(exc, str(request.url)) from None
            return response

        return self.auth.fetch_token(send)

    def _accepts(self, name: str) -> bool:
        with self._refused_lock:
            return name not in self._refused

    def __repr__(self) -> str:
        return (f"LtiAdvantageClient(issuer={self.config.issuer!r}, "
                f"client_id={self.config.client_id!r})")

    # --- plumbing -----------------------------------------------------------------------------

    def _paced_after_token(self, response: httpx.Response) -> None:
        """Feed the token reply's rate-limit header to the pacer of every platform origin and
        wait out any delay it asks for (runs inside the auth flow, before the service call)."""
        remaining = header_float(response, "x-rate-limit-remaining")
        if remaining is None:
            return
        for origin in self.config.platform_origins:
            self._limiter.observe(origin, remaining=remaining, throttled=False)
        delay = max(self._limiter.delay_hint(origin) for origin in self.config.platform_origins)
        if delay > 0:
            self._sleep(delay)

    def _call(self, method: str, url: str, *, scopes: tuple[str, ...], accept: str,
              params: Mapping[str, str] | None = None, body: object = None,
              content_type: str | None = None, idempotent: bool | None = None
              ) -> httpx.Response:
        headers = {"Accept": accept}
        if content_type:
            headers["Content-Type"] = content_type
        return self._session.request(
            method, url, params=params, json_body=body, headers=headers,
            extensions={SCOPES_EXTENSION: scopes}, idempotent=idempotent)

    def _pages(self, url: str, *, scopes: tuple[str, ...], accept: str,
               params: Mapping[str, str] | None, what: str) -> Iterator[httpx.Response]:
        def fetch(next_url: str) -> httpx.Response:
            # Followed verbatim: the platform's link already carries every filter.
            return self._call("GET", next_url, scopes=scopes, accept=accept)

        optional = dict(params or {})
        if self.config.page_size is not None:
            optional["limit"] = str(self.config.page_size)
        optional = {name: value for name, value in optional.items() if self._accepts(name)}

        def first() -> httpx.Response:
            if not optional:
                return self._call("GET", url, scopes=scopes, accept=accept)
            try:
                return self._call("GET", url, scopes=scopes, accept=accept, params=optional)
            except (NotFound, Rejected) as refusal:
                if isinstance(refusal, StaleTimestamp) or \
                        refusal.status not in _REFUSAL_STATUSES:
                    raise
                # If this fails too, its error is the real answer (e.g. an unknown item).
                response = self._call("GET", url, scopes=scopes, accept=accept)
                with self._refused_lock:
                    self._refused.update(optional)
                return response

        first_key = str(httpx.URL(url).copy_merge_params(optional))
        return paginate(first, fetch, next_link, what=what, max_pages=self.config.max_pages,
                        first_key=first_key, size_of=lambda page: len(page.content),
                        max_total_bytes=self.config.max_listing_bytes)

    # --- line items ---------------------------------------------------------------------------

    def iter_line_items(self, *, resource_link_id: str | None = None,
                        resource_id: str | None = None, tag: str | None = None
                        ) -> Iterator[LineItem]:
        params = query_params(resource_link_id=resource_link_id, resource_id=resource_id, tag=tag)
        for page in self._pages(self.config.lineitems_url, scopes=self._read_scopes(),
                                accept=ags.LINEITEM_CONTAINER, params=params,
                                what="line items"):
            items = ags.parse_line_items(page)
            # A platform that refused the filters sent everything: filter here instead.
            for name, wanted in (("resource_link_id", resource_link_id),
                                 ("resource_id", resource_id), ("tag", tag)):
                if wanted is not None and not self._accepts(name):
                    items = [item for item in items if _filter_value(item, name) == wanted]
            yield from items

    def list_line_items(self, *, resource_link_id: str | None = None,
                        resource_id: str | None = None, tag: str | None = None
                        ) -> list[LineItem]:
        return list(self.iter_line_items(resource_link_id=resource_link_id,
                                         resource_id=resource_id, tag=tag))

    def get_line_item(self, line_item_id: str) -> LineItem:
        response = self._call("GET", line_item_id, scopes=self._read_scopes(),
                              accept=ags.LINEITEM)
        return ags.parse_line_item(response)

    def create_line_item(self, item: LineItem) -> LineItem:
        """POST once (a retry could make a second column); the caller recovers a lost reply
        by looking the column up by its resourceId."""
        if self.config.canvas_extensions:
            item = canvas.with_new_column_defaults(item)
        response = self._call("POST", self.config.lineitems_url, scopes=(ags.SCOPE_LINEITEM,),
                              accept=ags.LINEITEM, body=ags.line_item_body(item),
                              content_type=ags.LINEITEM, idempotent=False)
        return ags.parse_line_item(response)

    def update_line_item(self, item: LineItem) -> LineItem:
        response = self._call("PUT", item.id or "", scopes=(ags.SCOPE_LINEITEM,),
                              accept=ags.LINEITEM, body=ags.line_item_body(item),
                              content_type=ags.LINEITEM)
        return ags.parse_line_item(response)

    def delete_line_item(self, line_item_id: str) -> None:
        """Canvas: deleting a tool-made primary item deletes its whole assignment."""
        self._call("DELETE", line_item_id, scopes=(ags.SCOPE_LINEITEM,), accept=ags.LINEITEM)

    def _read_scopes(self) -> tuple[str, ...]:
        return (self.config.line_item_read_scope,)

    # --- results and scores -------------------------------------------------------------------

    def iter_results(self, line_item_id: str, *, user_id: str | None = None
                     ) -> Iterator[Result]:
        for page in self._pages(ags.service_url(line_item_id, "results"),
                                scopes=(ags.SCOPE_RESULT_READONLY,),
                                accept=ags.RESULT_CONTAINER, params=query_params(user_id=user_id),
                                what="results"):
            results = ags.parse_results(page)
            if user_id is not None and not self._accepts("user_id"):
                results = [result for result in results if result.user_id == user_id]
            yield from results

    def list_results(self, line_item_id: str, *, user_id: str | None = None) -> list[Result]:
        return list(self.iter_results(line_item_id, user_id=user_id))

    def score_payload(self, score: Score) -> bytes:
        """The exact request body for this Score, as sent (the caller decides every field,
        Canvas's extension included: see sync.outgoing)."""
        return dump_json(ags.score_body(score))

    def post_score(self, line_item_id: str, score: Score) -> ScoreReceipt:
        """POST once; re-sent only if the request provably never reached the platform."""
        return self.post_score_payload(line_item_id, self.score_payload(score))

    def post_score_body(self, line_item_id: str, body: Mapping[str, Any]) -> ScoreReceipt:
        """POST a raw Score body (for tools and tests that need what the domain refuses)."""
        return self.post_score_payload(line_item_id, dump_json(dict(body)))

    def post_score_payload(self, line_item_id: str, payload: bytes) -> ScoreReceipt:
        """POST these bytes as the Score, once."""
        response = self._session.request(
            "POST", ags.service_url(line_item_id, "scores"), content=payload,
            headers={"Accept": "application/json", "Content-Type": ags.SCORE},
            extensions={SCOPES_EXTENSION: (ags.SCOPE_SCORE,)}, idempotent=False)
        return ags.parse_score_receipt(response)

    def get_progress(self, progress_url: str) -> Progress:
        response = self._call("GET", progress_url, scopes=(progress.SCOPE_PROGRESS,),
                              accept=progress.PROGRESS_MEDIA_TYPE)
        return progress.parse_progress(response)

    # --- members ------------------------------------------------------------------------------

    def _member_pages(self, role: str | None
                      ) -> Iterator[tuple[CourseContext | None, list[Member]]]:
        if not self.config.nrps_url:
            raise PlatformConfigError(
                "This platform connection has no Names and Roles service URL.")
        for page in self._pages(self.config.nrps_url, scopes=(nrps.SCOPE_MEMBERSHIP_READONLY,),
                                accept=nrps.MEMBERSHIP_CONTAINER, params=query_params(role=role),
                                what="course members"):
            context, members = nrps.parse_membership_page(page)
            if role is not None and not self._accepts("role"):
                members = [member for member in members if role in member.roles]
            yield context, members




def _filter_value(item: LineItem, name: str) -> str | None:
    """A line item's value for one of the AGS list filters."""
    return {"resource_link_id": item.resource_link_id, "resource_id": item.resource_id,
            "tag": item.tag}[name]
