"""Issue 10, findings 2 and 3 and the hostile-server trial: servers on loopback that drip, never
answer, ask to retry after minutes, send compression bombs, redirect elsewhere, fail their token
endpoint, or answer malformed JSON and HTML pages get a typed, readable error within the
deadline, with memory bounded and the bearer on its origin; a cancelled wait ends at once."""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from gradedesk.domain import Cancelled, InvalidWireData
from gradedesk.platforms import (
    MalformedReply,
    PlatformError,
    ResponseTooLarge,
    ServerError,
    TransportError,
)
from gradedesk.platforms.http import HttpSession, Timeouts, build_client
from gradedesk.platforms.pagination import paginate
from gradedesk.platforms.ratelimit import RateLimiter
from gradedesk.platforms.retry import Retrier, RetryPolicy
from gradedesk.sync.cancel import CancelToken
from loopback_server import serve_asgi

Send = Callable[[dict[str, Any]], Any]
QUICK = Timeouts(connect_s=2, read_s=2, write_s=2, pool_s=2, total_s=3)


@pytest.fixture
def serve() -> Iterator[Callable[[Any], str]]:
    stops: list[Callable[[], None]] = []

    def start(app: Any) -> str:
        url, stop = serve_asgi(app)
        stops.append(stop)
        return url

    yield start
    for stop in stops:
        stop()


OPEN: list[httpx.Client] = []


@pytest.fixture(autouse=True)
def _closed_clients() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


def session(timeouts: Timeouts = QUICK, cap: int = 1024 * 1024,
            sleep: Callable[[float], None] = time.sleep,
            policy: RetryPolicy | None = None) -> HttpSession:
    client = build_client(timeouts=timeouts)
    OPEN.append(client)
    return HttpSession(client, limiter=RateLimiter(sleep=sleep),
                       retrier=Retrier(policy, sleep=sleep), max_response_bytes=cap,
                       timeouts=timeouts)


def reply_app(status: int, body: bytes, headers: list[tuple[bytes, bytes]],
              *, before_s: float = 0.0) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Send) -> None:
        if before_s:
            await asyncio.sleep(before_s)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
    return app


def timed(call: Callable[[], Any]) -> tuple[BaseException, float]:
    started = time.monotonic()
    try:
        call()
    except BaseException as error:
        return error, time.monotonic() - started
    raise AssertionError("the call did not fail")


def test_a_server_that_drips_its_reply_is_given_up_on_in_time(serve: Any) -> None:
    async def drip(scope: dict[str, Any], receive: Any, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        for _ in range(20):  # 6 s: twice the deadline
            await send({"type": "http.response.body", "body": b" ", "more_body": True})
            await asyncio.sleep(0.3)
        await send({"type": "http.response.body", "body": b"[]"})

    error, took = timed(lambda: session().request("GET", serve(drip) + "/x"))
    assert isinstance(error, TransportError) and "too slowly" in error.user_message
    assert took < QUICK.total_s + 1.5


def test_a_server_that_never_answers_is_given_up_on_in_time(serve: Any) -> None:
    url = serve(reply_app(200, b"[]", [], before_s=6))  # twice the deadline
    error, took = timed(lambda: session().request("GET", url + "/x"))
    assert isinstance(error, TransportError)
    assert took < QUICK.total_s + 1.5


def test_retry_after_minutes_is_not_waited_out(serve: Any) -> None:
    url = serve(reply_app(503, b"busy", [(b"retry-after", b"120")]))
    sleeps: list[float] = []
    error, took = timed(lambda: session(sleep=sleeps.append).request("GET", url + "/x"))
    assert isinstance(error, ServerError) and sleeps == []
    assert took < 2


def test_a_double_gzip_reply_is_refused_unread(serve: Any) -> None:
    bomb = gzip.compress(gzip.compress(b"0" * 50_000_000))
    url = serve(reply_app(200, bomb, [(b"content-encoding", b"gzip, gzip"),
                                      (b"content-type", b"application/json")]))
    error, _ = timed(lambda: session().request("GET", url + "/x"))
    assert isinstance(error, MalformedReply) and "gzip, gzip" in error.user_message


def test_a_gzip_bomb_stops_at_the_cap(serve: Any) -> None:
    bomb = gzip.compress(b"0" * 200_000_000)  # 200 MB from a few hundred KB
    url = serve(reply_app(200, bomb, [(b"content-encoding", b"gzip"),
                                      (b"content-type", b"application/json")]))
    error, _ = timed(lambda: session(cap=1_000_000).request("GET", url + "/x"))
    assert isinstance(error, ResponseTooLarge)


def test_one_gzip_layer_is_read(serve: Any) -> None:
    url = serve(reply_app(200, gzip.compress(b'{"ok": true}'),
                          [(b"content-encoding", b"gzip"),
                           (b"content-type", b"application/json")]))
    assert session().request("GET", url + "/x").json() == {"ok": True}


def test_the_cap_holds_per_listing_too() -> None:
    pages = iter(range(100))

    def page() -> bytes:
        next(pages)
        return b"x" * 600_000

    links = iter(range(100))
    listing = paginate(page, lambda url: page(), lambda body: f"page-{next(links)}",
                       what="results", size_of=len, max_total_bytes=2_000_000,
                       first_key="first")
    with pytest.raises(ResponseTooLarge, match="over 4 pages"):
        for _ in listing:
            pass


def test_cancel_ends_a_retry_wait_at_once(serve: Any) -> None:
    url = serve(reply_app(503, b"busy", [(b"retry-after", b"30")]))
    token = CancelToken()
    slow = Timeouts(connect_s=2, read_s=2, write_s=2, pool_s=2, total_s=100)
    threading.Timer(0.5, token.cancel).start()
    error, took = timed(lambda: session(slow, sleep=token.wait).request("GET", url + "/x"))
    assert isinstance(error, Cancelled) and took < 3


def test_the_client_asks_for_one_coding_at_most(serve: Any) -> None:
    seen: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Send) -> None:
        seen.extend(v.decode() for k, v in scope["headers"] if k == b"accept-encoding")
        await reply_app(200, b"{}", [(b"content-type", b"application/json")])(scope, receive,
                                                                             send)

    session().request("GET", serve(app) + "/x")
    assert seen == ["gzip"]


# --- A whole hostile platform: the client's answer is a typed, readable error, in time, and
# the bearer token stays on the platform's origin. ---------------------------------------------


def hostile_platform(serve: Callable[[Any], str], *, token_status: int = 200,
                     line_items: Callable[[str], tuple[int, bytes, list[tuple[bytes, bytes]]]]
                     ) -> tuple[str, list[str]]:
    """A platform on loopback whose token endpoint and line item listing answer as told."""
    seen: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Send) -> None:
        base = f"http://{scope['server'][0]}:{scope['server'][1]}"
        if scope["path"].endswith("/token"):
            if token_status == 200:
                body = b'{"access_token": "plat-token", "token_type": "Bearer", ' \
                       b'"expires_in": 3600}'
                status, headers = 200, [(b"content-type", b"application/json")]
            else:
                body = b"<html><body><h1>Internal Server Error</h1></body></html>"
                status, headers = token_status, [(b"content-type", b"text/html")]
        else:
            seen.append(dict(scope["headers"]).get(b"authorization", b"").decode())
            status, body, headers = line_items(base)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return serve(app), seen


def client_for(base: str, private_pem: bytes) -> Any:
    from platform_support import make_config

    from gradedesk.platforms.lti_advantage import LtiAdvantageClient

    config = make_config(token_url=f"{base}/login/oauth2/token", nrps_url=None,
                         lineitems_url=f"{base}/api/lti/courses/7/line_items",
                         timeouts=QUICK)
    client = LtiAdvantageClient(config, private_pem, sleep=lambda s: None)
    OPEN.append(client)  # type: ignore[arg-type]
    return client


def test_a_redirect_to_another_origin_is_not_followed(serve: Callable[[Any], str],
                                                      private_pem: bytes) -> None:
    foreign_hits: list[str] = []

    async def foreign(scope: dict[str, Any], receive: Any, send: Send) -> None:
        foreign_hits.append(dict(scope["headers"]).get(b"authorization", b"").decode())
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"[]"})

    elsewhere = serve(foreign)
    base, seen = hostile_platform(serve, line_items=lambda base: (
        302, b"", [(b"location", f"{elsewhere}/api/lti/courses/7/line_items".encode())]))
    error, took = timed(lambda: client_for(base, private_pem).list_line_items())
    assert isinstance(error, PlatformError)
    assert "redirected" in error.user_message and elsewhere in error.user_message
    assert "/api/lti" not in error.user_message  # the target's path (ids) is left out
    assert seen == ["Bearer plat-token"] and foreign_hits == []
    assert took < 10


def test_a_token_endpoint_that_answers_500_is_a_readable_error_in_time(
        serve: Callable[[Any], str], private_pem: bytes) -> None:
    base, seen = hostile_platform(serve, token_status=500,
                                  line_items=lambda base: (200, b"[]", []))
    error, took = timed(lambda: client_for(base, private_pem).list_line_items())
    assert isinstance(error, PlatformError), error
    assert "<html" not in error.user_message.lower() and error.user_message
    assert seen == [] and took < 10  # no service call went out without a token


@pytest.mark.parametrize("body", [b"[{\"id\": ", b"{\"not\": \"a list\"}", b"\xff\xfe garbage",
                                  b"[1, 2, 3]"])
def test_malformed_json_from_a_platform_is_a_typed_error(
        serve: Callable[[Any], str], private_pem: bytes, body: bytes) -> None:
    base, _ = hostile_platform(serve, line_items=lambda base: (
        200, body, [(b"content-type", b"application/json")]))
    error, took = timed(lambda: client_for(base, private_pem).list_line_items())
    assert isinstance(error, PlatformError | InvalidWireData), error
    assert error.user_message and took < 10


def test_an_html_error_page_is_summarised_not_dumped(serve: Callable[[Any], str],
                                                     private_pem: bytes) -> None:
    page = (b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body{}</style>"
            b"</head><body><h1>Bad Gateway</h1>" + b"<p>filler</p>" * 2000 + b"</body></html>")
    base, _ = hostile_platform(serve, line_items=lambda base: (
        502, page, [(b"content-type", b"text/html")]))
    error, took = timed(lambda: client_for(base, private_pem).list_line_items())
    assert isinstance(error, ServerError), error
    assert "<" not in error.user_message and len(error.user_message) < 600
    assert "Bad Gateway" in error.user_message
    assert took < 10
