"""The HTTP plumbing: URL policy, reply size cap, timeouts; retry and rate-limit decisions with
injected clocks and sleeps."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from gradedesk.domain.errors import Cancelled
from gradedesk.platforms.errors import (
    InsecureUrl,
    NotFound,
    PlatformConfigError,
    Rejected,
    ResponseTooLarge,
    ServerError,
    ThrottledError,
    TransportError,
)
from gradedesk.platforms.http import (
    HttpSession,
    Timeouts,
    build_client,
    is_loopback_host,
    origin_of,
    require_secure_url,
)
from gradedesk.platforms.ratelimit import RateLimiter, RateLimitPolicy
from gradedesk.platforms.retry import Retrier, RetryPolicy


@pytest.mark.parametrize("url", [
    "https://canvas.example.edu/api", "http://127.0.0.1:8000/x", "http://127.9.9.9/x",
    "http://localhost:1/x", "http://[::1]:80/x", "https://[::1]/x",
])
def test_secure_or_loopback_urls_pass(url: str) -> None:
    assert require_secure_url(url).host


@pytest.mark.parametrize("url", [
    "http://canvas.example.edu/api", "http://10.0.0.1/x", "http://128.0.0.1/x",
    "http://localhost.evil.com/x", "ftp://127.0.0.1/x", "http://[::2]/x",
])
def test_plain_http_elsewhere_is_refused(url: str) -> None:
    with pytest.raises(InsecureUrl, match="only uses https"):
        require_secure_url(url)


def test_relative_or_garbage_urls_are_config_errors() -> None:
    with pytest.raises(PlatformConfigError):
        require_secure_url("/api/lti")
    with pytest.raises(PlatformConfigError):
        require_secure_url("https:///no-host")


def test_loopback_and_origins() -> None:
    assert is_loopback_host("::ffff:127.0.0.1")
    assert not is_loopback_host("example.com")
    assert origin_of("https://C.EDU/x") == origin_of("https://c.edu:443/y")
    assert origin_of("http://127.0.0.1:80/") != origin_of("http://127.0.0.1:81/")


def _session(handler: object, *, cap: int = 1000, sleeps: list[float] | None = None,
             policy: RetryPolicy | None = None) -> HttpSession:
    record = sleeps if sleeps is not None else []
    client = build_client(transport=httpx.MockTransport(handler),  # type: ignore[arg-type]
                          timeouts=Timeouts(connect_s=1, read_s=2, write_s=3, pool_s=4))
    return HttpSession(client, limiter=RateLimiter(sleep=record.append),
                       retrier=Retrier(policy, sleep=record.append), max_response_bytes=cap)


def test_timeouts_are_on_every_request() -> None:
    seen: list[object] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions.get("timeout"))
        return httpx.Response(200, json={})

    _session(handler).request("GET", "https://c.edu/x")
    assert seen == [{"connect": 1, "read": 2, "write": 3, "pool": 4}]


def test_an_oversized_streamed_reply_is_cut_off() -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"x" * 100

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=chunks())

    with pytest.raises(ResponseTooLarge, match="1000-byte limit"):
        _session(handler).request("GET", "https://c.edu/x")


def test_a_declared_oversized_reply_is_refused_unread() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"[]", headers={"Content-Length": "99999999"})

    with pytest.raises(ResponseTooLarge):
        _session(handler).request("GET", "https://c.edu/x")


def test_gets_retry_5xx_and_connection_errors_then_succeed() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ReadTimeout("slow", request=request)
        if len(calls) == 2:
            return httpx.Response(503, text="busy", headers={"Retry-After": "2"})
        return httpx.Response(200, json=[])

    sleeps: list[float] = []
    assert _session(handler, sleeps=sleeps).request("GET", "https://c.edu/x").json() == []
    assert len(calls) == 3
    assert 2.0 <= sleeps[-1] <= 2.25  # Retry-After honoured (plus a little jitter)


def test_a_post_is_not_retried_after_it_may_have_arrived() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ReadTimeout("no answer", request=request)

    with pytest.raises(TransportError) as caught:
        _session(handler).request("POST", "https://c.edu/scores", json_body={})
    assert len(calls) == 1
    assert not caught.value.never_sent

    calls.clear()

    def five_hundred(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(500, text="boom")

    with pytest.raises(ServerError):
        _session(five_hundred).request("POST", "https://c.edu/scores", json_body={})
    assert len(calls) == 1


def test_a_post_that_never_connected_is_retried() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) < 3:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={})

    _session(handler).request("POST", "https://c.edu/scores", json_body={})
    assert len(calls) == 3


def test_client_errors_are_not_retried() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(404 if request.method == "GET" else 422, json={})

    with pytest.raises(NotFound):
        _session(handler).request("GET", "https://c.edu/x")
    with pytest.raises(Rejected):
        _session(handler).request("POST", "https://c.edu/x", json_body={})
    assert len(calls) == 2


def test_canvas_throttle_403_backs_off_by_remaining_then_succeeds() -> None:
    replies = [
        httpx.Response(403, text="403 Forbidden (Rate Limit Exceeded)\n",
                       headers={"X-Rate-Limit-Remaining": "-30"}),
        httpx.Response(200, json=[], headers={"X-Rate-Limit-Remaining": "400"}),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        return replies.pop(0)

    sleeps: list[float] = []
    _session(handler, sleeps=sleeps).request("POST", "https://c.edu/x", json_body={})
    assert sleeps and 8.0 <= sleeps[0] <= 11.0  # (50 - -30) / 10 s plus jitter


def test_retries_give_up_after_max_attempts() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="bad gateway")

    sleeps: list[float] = []
    with pytest.raises(ServerError, match="HTTP 502"):
        _session(handler, sleeps=sleeps, policy=RetryPolicy(max_attempts=3)).request(
            "GET", "https://c.edu/x")
    assert len(sleeps) == 2
    assert sleeps[1] > sleeps[0] * 0.9  # grows (jitter aside)


def test_backoff_is_exponential_and_capped() -> None:
    retrier = Retrier(RetryPolicy(base_delay_s=1, max_delay_s=8), random=lambda: 1.0)
    assert [retrier.backoff(n) for n in range(1, 7)] == [1, 2, 4, 8, 8, 8]
    long_wait = ThrottledError(status=429, retry_after_s=600)
    assert retrier.delay_for(long_wait, 1, idempotent=True) is None


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_rate_limiter_slows_early_and_backs_off_doubling_to_sixty() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep, random=lambda: 0.0)
    origin = "https://c.edu:443"
    assert limiter.concurrency(origin) == 2  # a bucket not seen yet: Canvas's advice
    limiter.observe(origin, remaining=500, throttled=False)
    assert limiter.concurrency(origin) == 8  # room in the bucket for (500 - 60) // 50
    limiter.observe(origin, remaining=120, throttled=False)
    assert limiter.concurrency(origin) == 1
    with limiter.slot(origin):
        pass
    with limiter.slot(origin):  # spaced out now
        pass
    assert clock.slept and clock.slept[-1] > 0
    delays = [limiter.observe(origin, remaining=30, throttled=True) for _ in range(5)]
    assert delays[0] == pytest.approx(2.0)  # (50 - 30) / 10
    assert delays == sorted(delays) and delays[-1] == 32.0
    assert limiter.observe(origin, remaining=30, throttled=True) == 60.0
    assert limiter.delay_hint(origin) == pytest.approx(60.0)


def test_rate_limiter_waits_for_the_bucket_before_it_would_be_refused() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    origin = "https://c.edu:443"
    limiter.observe(origin, remaining=20, throttled=False)
    with limiter.slot(origin):
        pass
    assert sum(clock.slept) >= (60 - 20) / 10


def test_rate_limiter_recovers_gradually() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep, random=lambda: 0.0)
    origin = "https://c.edu:443"
    limiter.observe(origin, remaining=10, throttled=True)
    assert limiter.concurrency(origin) == 1
    for _ in range(4):
        limiter.observe(origin, remaining=590, throttled=False)
    assert limiter.concurrency(origin) == 1
    limiter.observe(origin, remaining=590, throttled=False)
    assert limiter.concurrency(origin) == 2


def test_rate_limiter_runs_as_many_as_the_bucket_has_room_for() -> None:
    """Each request in flight reserves 50 of Canvas's units: with 600 remaining, ten more fit
    (a reply's worth of units kept back); as remaining falls, fewer; never past the cap."""
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    origin = "https://c.edu:443"
    limiter.observe(origin, remaining=600, throttled=False)
    assert limiter.concurrency(origin) == 10  # (600 - 50 - 10) // 50, none in flight
    limiter.acquire(origin)
    limiter.acquire(origin)  # two in flight: the reply of one of them says 400 remain
    limiter.observe(origin, remaining=400, throttled=False)
    assert limiter.concurrency(origin) == 1 + (400 - 60) // 50
    limiter.release(origin)
    limiter.release(origin)
    capped = RateLimiter(RateLimitPolicy(max_concurrency=5), clock=clock, sleep=clock.sleep)
    for _ in range(20):
        capped.observe(origin, remaining=600, throttled=False)
    assert capped.concurrency(origin) == 5


def test_a_platform_without_rate_headers_gets_a_modest_fixed_concurrency() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    origin = "https://moodle.school.test:443"
    for _ in range(20):
        limiter.observe(origin, remaining=None, throttled=False)
    assert limiter.concurrency(origin) == RateLimitPolicy().untracked_concurrency == 4


def test_a_request_waiting_for_a_slot_gives_up_when_its_job_is_cancelled() -> None:
    """Ctrl-C during a push: grades claimed by workers that are still waiting for a request
    slot must not go out after it (the engine has more workers than slots). The wait calls
    ``interrupt``, which raises once the job is cancelled; the slot it never took stays free."""
    limiter = RateLimiter(RateLimitPolicy(start_concurrency=1, max_concurrency=1))
    origin = "https://canvas.test"
    cancelled = threading.Event()

    def interrupt() -> None:
        if cancelled.is_set():
            raise Cancelled()

    outcome: list[str] = []

    def waiting_request() -> None:
        try:
            with limiter.slot(origin, interrupt=interrupt):
                outcome.append("sent")
        except Cancelled:
            outcome.append("gave up")

    with limiter.slot(origin):  # the only slot, taken
        waiter = threading.Thread(target=waiting_request)
        waiter.start()
        time.sleep(0.1)
        assert outcome == []  # waiting for the slot
        cancelled.set()
        waiter.join(timeout=5)
        assert outcome == ["gave up"]
    with limiter.slot(origin, interrupt=lambda: None):  # free again: nothing leaked
        pass
