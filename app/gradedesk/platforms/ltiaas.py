"""GradeDesk through the LTIAAS API: the same protocol, with a static service-key header.

LTIAAS holds the LMS token, so LMS URLs (line item ids, page links) are never fetched directly:
ids travel percent-encoded as one path segment and page links as ``?url=``. Score POSTs answer
204 with no body, so there is no result URL and no Progress; file content items are refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator, Mapping
from typing import Any
from urllib.parse import quote

import httpx

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
from gradedesk.platforms.errors import ForeignOrigin, PlatformConfigError, Unsupported
from gradedesk.platforms.http import (
    DEFAULT_MAX_RESPONSE_BYTES,
    HttpSession,
    Timeouts,
    build_client,
    dump_json,
    origin_of,
    require_secure_url,
)
from gradedesk.platforms.lti_advantage.ags import line_item_body
from gradedesk.platforms.lti_advantage.nrps import parse_membership_page
from gradedesk.platforms.pagination import DEFAULT_MAX_PAGES, paginate
from gradedesk.platforms.parsing import (
    convert,
    json_of,
    optional_text,
    require_list,
    require_object,
)
from gradedesk.platforms.ratelimit import RateLimiter
from gradedesk.platforms.retry import Retrier, RetryPolicy

# The documented Score fields; LTIAAS stamps the timestamp itself (it is not documented).
_SCORE_FIELDS = ("userId", "activityProgress", "gradingProgress", "scoreGiven", "scoreMaximum",
                 "comment")


class ServiceKeyAuth(httpx.Auth):
    """``SERVICE-AUTH-V1 <API_KEY>:<SERVICE_KEY>``, sent only to the LTIAAS origin."""

    def __init__(self, origin: str, api_key: str, service_key: str) -> None:
        for name, value in (("API key", api_key), ("service key", service_key)):
            if not value or any(ch in value for ch in ": \r\n"):
                raise PlatformConfigError(f"The LTIAAS {name} is empty or malformed.")
        self._origin = origin_of(origin)
        self._value = f"SERVICE-AUTH-V1 {api_key}:{service_key}"

    def __repr__(self) -> str:
        return f"ServiceKeyAuth(origin={self._origin!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if origin_of(request.url) != self._origin:
            raise ForeignOrigin(
                f"Refusing to send the LTIAAS keys to {origin_of(request.url)}: it is not the "
                f"LTIAAS address ({self._origin}).", url=str(request.url))
        request.headers["Authorization"] = self._value
        yield request


class LtiaasClient(ClientCore):
    """Implements GradebookPlatform over ``https://<subdomain>.ltiaas.com/api``. Thread-safe."""

    supports_progress = False
    has_roster = True
    refused_params: frozenset[str] = frozenset()

    def __init__(
        self,
        base_url: str,
        api_key: str,
        service_key: str,
        *,
        timeouts: Timeouts | None = None,
        transport: httpx.BaseTransport | None = None,
        limiter: RateLimiter | None = None,
        retry_policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_pages: int = DEFAULT_MAX_PAGES,
        page_size: int | None = None,
        job_deadline: Callable[[], float | None] | None = None,
        interrupt: Callable[[], None] | None = None,
    ) -> None:
        base = require_secure_url(base_url, "LTIAAS URL")
        self.base_url = str(base).rstrip("/")
        self.max_pages = max_pages
        self.page_size = page_size
        auth = ServiceKeyAuth(self.base_url, api_key, service_key)
        client = build_client(timeouts=timeouts, transport=transport, auth=auth,
                              event_hooks=event_hooks)
        self._session = HttpSession(
            client, limiter=limiter or RateLimiter(sleep=sleep),
            retrier=Retrier(retry_policy, sleep=sleep), max_response_bytes=max_response_bytes,
            timeouts=timeouts, job_deadline=job_deadline, interrupt=interrupt)

    def __repr__(self) -> str:
        return f"LtiaasClient(base_url={self.base_url!r})"

    # --- plumbing -----------------------------------------------------------------------------

    def _url(self, *segments: str) -> str:
        return self.base_url + "/api/" + "/".join(segments)

    @staticmethod
    def _line_item_segment(line_item_id: str) -> str:
        if not line_item_id:
            raise PlatformConfigError("This line item has no id yet.")
        # The LMS URL as ONE path segment: every reserved character encoded, once.
        return quote(line_item_id, safe="")

    def _call(self, method: str, url: str, *, params: Mapping[str, str] | None = None,
              body: object = None, idempotent: bool | None = None,
              content: bytes | None = None) -> httpx.Response:
        headers = {"Accept": "application/json"}
        if body is not None or content is not None:
            headers["Content-Type"] = "application/json"
        return self._session.request(method, url, params=params, json_body=body,
                                     content=content, headers=headers, idempotent=idempotent)

    def _pages(self, url: str, params: Mapping[str, str], what: str
               ) -> Iterator[tuple[httpx.Response, dict[str, object]]]:
        """Pages of one endpoint: the LMS link in ``next`` goes back to LTIAAS as ``?url=``."""

        first_params = dict(params)
        if self.page_size is not None:
            first_params["limit"] = str(self.page_size)

        def first() -> tuple[httpx.Response, dict[str, object]]:
            response = self._call("GET", url, params=first_params)
            return response, require_object(response, json_of(response, what), what)

        def fetch(next_url: str) -> tuple[httpx.Response, dict[str, object]]:
            # With url=, LTIAAS ignores other filters: the link carries them.
            response = self._call("GET", url, params={"url": next_url})
            return response, require_object(response, json_of(response, what), what)

        def next_of(page: tuple[httpx.Response, dict[str, object]]) -> str | None:
            return optional_text(page[0], page[1], "next", what)

        return paginate(first, fetch, next_of, what=what, max_pages=self.max_pages,
                        size_of=lambda page: len(page[0].content))

    # --- line items ---------------------------------------------------------------------------

    def iter_line_items(self, *, resource_link_id: str | None = None,
                        resource_id: str | None = None, tag: str | None = None
                        ) -> Iterator[LineItem]:
        what = "line items"
        params = query_params(resourceLinkId=resource_link_id, resourceId=resource_id, tag=tag)
        for response, data in self._pages(self._url("lineitems"), params, what):
            raw = data.get("lineItems")
            for item in require_list(response, [] if raw is None else raw, what):
                yield convert(response, what, LineItem.from_wire, item)

    def list_line_items(self, *, resource_link_id: str | None = None,
                        resource_id: str | None = None, tag: str | None = None
                        ) -> list[LineItem]:
        return list(self.iter_line_items(resource_link_id=resource_link_id,
                                         resource_id=resource_id, tag=tag))

    def get_line_item(self, line_item_id: str) -> LineItem:
        response = self._call("GET", self._url("lineitems", self._line_item_segment(line_item_id)))
        return _line_item(response)

    def create_line_item(self, item: LineItem) -> LineItem:
        response = self._call("POST", self._url("lineitems"), body=line_item_body(item))
        return _line_item(response)

    def update_line_item(self, item: LineItem) -> LineItem:
        # LTIAAS's PUT is a full replacement and answers 201 per its docs; any 2xx is success.
        url = self._url("lineitems", self._line_item_segment(item.id))
        return _line_item(self._call("PUT", url, body=line_item_body(item)))

    def delete_line_item(self, line_item_id: str) -> None:
        self._call("DELETE", self._url("lineitems", self._line_item_segment(line_item_id)))

    # --- results and scores -------------------------------------------------------------------

    def iter_results(self, line_item_id: str, *, user_id: str | None = None
                     ) -> Iterator[Result]:
        """LTIAAS's "scores" are AGS results (with the LMS's last-change timestamp)."""
        what = "results"
        url = self._url("lineitems", self._line_item_segment(line_item_id), "scores")
        for response, data in self._pages(url, query_params(userId=user_id), what):
            raw = data.get("scores")
            for row in require_list(response, [] if raw is None else raw, what):
                yield convert(response, what, Result.from_wire, row)

    def list_results(self, line_item_id: str, *, user_id: str | None = None) -> list[Result]:
        return list(self.iter_results(line_item_id, user_id=user_id))

    def score_payload(self, score: Score) -> bytes:
        """The request body for this Score: LTIAAS takes the spec's fields only."""
        if score.content_items:
            raise Unsupported(
                "Files cannot be attached to a score through LTIAAS; send the score without "
                "files, or connect to the platform directly.")
        wire = score.to_wire()
        return dump_json({key: wire[key] for key in _SCORE_FIELDS if key in wire})

    def post_score(self, line_item_id: str, score: Score) -> ScoreReceipt:
        return self.post_score_payload(line_item_id, self.score_payload(score))

    def post_score_body(self, line_item_id: str, body: Mapping[str, Any]) -> ScoreReceipt:
        return self.post_score_payload(line_item_id, dump_json(dict(body)))

    def post_score_payload(self, line_item_id: str, payload: bytes) -> ScoreReceipt:
        url = self._url("lineitems", self._line_item_segment(line_item_id), "scores")
        self._call("POST", url, content=payload, idempotent=False)
        # 204, no body: nothing to report but success (confirm with list_results(user_id=)).
        return ScoreReceipt()

    def get_progress(self, progress_url: str) -> Progress:
        raise Unsupported("LTIAAS offers no way to follow file uploads (no Progress endpoint).")

    # --- members ------------------------------------------------------------------------------

    def _member_pages(self, role: str | None
                      ) -> Iterator[tuple[CourseContext | None, list[Member]]]:
        for response, _ in self._pages(self._url("memberships"), query_params(role=role),
                                       "course members"):
            yield parse_membership_page(response)



def _line_item(response: httpx.Response) -> LineItem:
    what = "a line item"
    return convert(response, what, LineItem.from_wire, json_of(response, what))


