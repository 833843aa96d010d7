"""Property tests: Link-header pagination, timestamps on the wire, and every JSON parser fed random
and malformed bodies (a typed PlatformError or a value, never a crash)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from platform_support import COURSE, make_config

from gradedesk.domain import ActivityProgress, GradingProgress, Score
from gradedesk.platforms.errors import MalformedReply, PlatformError
from gradedesk.platforms.lti_advantage import LtiAdvantageClient
from gradedesk.platforms.ltiaas import LtiaasClient
from gradedesk.platforms.pagination import paginate

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
LINE_ITEMS = f"{COURSE}/line_items"


class Cell:
    """The body the mock platform serves next (set per hypothesis example)."""

    def __init__(self) -> None:
        self.handler: Callable[[httpx.Request], httpx.Response] = lambda r: httpx.Response(404)
        self.requests: list[httpx.Request] = []


def _canvas(cell: Cell, private_pem: bytes, **config: Any) -> LtiAdvantageClient:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        cell.requests.append(request)
        return cell.handler(request)

    return LtiAdvantageClient(make_config(**config), private_pem,
                              transport=httpx.MockTransport(handle), sleep=lambda s: None)


@pytest.fixture
def cell() -> Cell:
    return Cell()


@pytest.fixture
def canvas(cell: Cell, private_pem: bytes) -> Iterator[LtiAdvantageClient]:
    with _canvas(cell, private_pem) as client:
        yield client


@pytest.fixture
def ltiaas(cell: Cell) -> Iterator[LtiaasClient]:
    def handle(request: httpx.Request) -> httpx.Response:
        cell.requests.append(request)
        return cell.handler(request)

    with LtiaasClient("https://school.ltiaas.test", "api", "svc",
                      transport=httpx.MockTransport(handle), sleep=lambda s: None) as client:
        yield client


# --- Link pagination ---------------------------------------------------------------------------

@st.composite
def paged_course(draw: st.DrawFn) -> tuple[list[list[int]], list[str]]:
    """Pages of item numbers, and for each page its Link header in some Canvas-like form."""
    sizes = draw(st.lists(st.integers(0, 4), min_size=1, max_size=7))
    pages, counter = [], 0
    for size in sizes:
        pages.append(list(range(counter, counter + size)))
        counter += size
    headers = []
    per_page = draw(st.integers(1, 100))
    for index in range(len(pages)):
        def link(page: int, rel: str) -> str:
            relative = draw(st.booleans())
            base = "/api/lti/courses/7/line_items" if relative else LINE_ITEMS
            quote = draw(st.sampled_from(['"', ""]))
            return f"<{base}?page={page + 1}&per_page={per_page}>; rel={quote}{rel}{quote}"

        entries = [link(index, "current")]
        if index + 1 < len(pages):
            entries.append(link(index + 1, "next"))
        if index > 0:
            entries.append(link(index - 1, "prev"))
        entries.append(link(0, "first"))
        if draw(st.booleans()):  # "last" may be missing
            entries.append(link(len(pages) - 1, "last"))
        order = draw(st.permutations(entries))
        headers.append(draw(st.sampled_from([",", ", "])).join(order))
    return pages, headers


@FUZZ
@given(course=paged_course())
def test_link_pagination_reads_every_page_once(
        course: tuple[list[list[int]], list[str]], cell: Cell,
        canvas: LtiAdvantageClient) -> None:
    pages, headers = course
    cell.requests.clear()

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1")) - 1
        body = [{"id": f"{LINE_ITEMS}/{n}", "label": f"L{n}", "scoreMaximum": 1}
                for n in pages[page]]
        return httpx.Response(200, json=body, headers={"Link": headers[page]})

    cell.handler = handler
    items = canvas.list_line_items(tag="lab")
    assert [item.id for item in items] == [f"{LINE_ITEMS}/{n}" for p in pages for n in p]
    assert len(cell.requests) == len(pages)
    assert cell.requests[0].url.params["tag"] == "lab"


def test_a_link_loop_and_a_page_cap_stop_with_an_error(cell: Cell, private_pem: bytes) -> None:
    cell.handler = lambda r: httpx.Response(200, json=[], headers={
        "Link": f'<{LINE_ITEMS}?page=2>; rel="next"'})
    with _canvas(cell, private_pem) as client, pytest.raises(MalformedReply, match="loop"):
        client.list_line_items()
    counter = iter(range(10_000))
    cell.handler = lambda r: httpx.Response(200, json=[], headers={
        "Link": f'<{LINE_ITEMS}?page={next(counter)}>; rel="next"'})
    with _canvas(cell, private_pem, max_pages=5) as client, \
            pytest.raises(MalformedReply, match="more than 5 pages"):
        client.list_line_items()


def test_a_link_back_to_the_first_page_is_a_loop(cell: Cell, canvas: LtiAdvantageClient
                                                 ) -> None:
    cell.handler = lambda r: httpx.Response(200, json=[], headers={
        "Link": f'<{LINE_ITEMS}>; rel="next"'})
    with pytest.raises(MalformedReply, match="loop"):
        canvas.list_line_items()


def test_paginate_generic_stops_without_next() -> None:
    pages = {"a": ("b", [1]), "b": (None, [2])}
    out = list(paginate(lambda: pages["a"], lambda key: pages[key], lambda page: page[0],
                        what="things"))
    assert [page[1] for page in out] == [[1], [2]]


@FUZZ
@given(header=st.text(max_size=200))
def test_any_link_header_gives_items_or_a_typed_error(header: str, cell: Cell,
                                                      canvas: LtiAdvantageClient) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        try:
            return httpx.Response(200, json=[], headers={"Link": header})
        except (UnicodeEncodeError, ValueError):  # not sendable as a header at all
            return httpx.Response(200, json=[])

    cell.handler = handler
    with contextlib.suppress(PlatformError):
        canvas.list_line_items()


# --- Timestamps --------------------------------------------------------------------------------

aware_times = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1),
    timezones=st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m))),
).map(lambda t: t.replace(microsecond=t.microsecond // 1000 * 1000))


@FUZZ
@given(when=aware_times)
def test_score_timestamps_keep_ms_and_offset(when: datetime, cell: Cell,
                                             canvas: LtiAdvantageClient) -> None:
    cell.handler = lambda r: httpx.Response(200, json={})
    canvas.post_score(f"{LINE_ITEMS}/1", Score(
        user_id="u", activity_progress=ActivityProgress.COMPLETED,
        grading_progress=GradingProgress.FULLY_GRADED,
        timestamp=when))
    sent = json.loads(cell.requests[-1].content)["timestamp"]
    assert datetime.fromisoformat(sent) == when
    assert sent[-6] in "+-" and "." in sent  # explicit offset, milliseconds


@FUZZ
@given(when=aware_times, style=st.sampled_from(["iso", "z", "ms"]))
def test_result_timestamps_parse_to_the_same_instant(
        when: datetime, style: str, cell: Cell, ltiaas: LtiaasClient) -> None:
    text = {"iso": when.isoformat(),
            "z": when.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "ms": when.isoformat(timespec="milliseconds")}[style]
    cell.handler = lambda r: httpx.Response(200, json={"scores": [
        {"id": "r", "userId": "u", "scoreOf": "x", "timestamp": text}]})
    [result] = ltiaas.list_results(f"{LINE_ITEMS}/1")
    assert result.timestamp == when


@FUZZ
@given(text=st.text(max_size=40))
def test_bad_timestamps_are_typed_errors(text: str, cell: Cell, ltiaas: LtiaasClient) -> None:
    cell.handler = lambda r: httpx.Response(200, json={"scores": [
        {"id": "r", "userId": "u", "timestamp": text}]})
    try:
        [result] = ltiaas.list_results(f"{LINE_ITEMS}/1")
    except MalformedReply:
        return
    assert result.timestamp is None or result.timestamp.tzinfo is not None


# --- Every JSON parser against random and malformed bodies -------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)


def _field(valid: Any) -> st.SearchStrategy[Any]:
    return st.one_of(st.just(valid), json_values)


def _maybe_object(fields: dict[str, Any]) -> st.SearchStrategy[Any]:
    return st.fixed_dictionaries({}, optional={k: _field(v) for k, v in fields.items()})


LINE_ITEM = {"id": f"{LINE_ITEMS}/1", "label": "L", "scoreMaximum": 10, "tag": "t",
             "resourceId": "r", "resourceLinkId": "rl", "startDateTime": "2025-03-01T08:00:00Z",
             "endDateTime": "2025-03-08T23:59:00Z", "gradesReleased": True}
RESULT = {"id": "x", "scoreOf": "y", "userId": "u", "resultScore": 1, "resultMaximum": 2,
          "comment": "c", "timestamp": "2025-03-01T08:00:00Z"}
PROGRESS = {"id": 5, "workflow_state": "completed", "completion": 100, "message": None,
            "url": "u", "context_id": 1, "user_id": 2, "created_at": "2025-03-01T08:00:00Z",
            "results": {"id": 3}}
MEMBER = {"user_id": "u", "userId": "u", "roles": ["Learner"], "name": "N", "status": "Active",
          "given_name": "G", "familyName": "F", "email": "e"}
RECEIPT_ITEM = {"type": "file", "url": "https://f.test/a.pdf", "title": "a.pdf",
                "progress": f"{COURSE}/progress/1"}

bodies = st.one_of(
    st.binary(max_size=60),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.lists(_maybe_object(LINE_ITEM), max_size=3).map(lambda v: json.dumps(v).encode()),
    _maybe_object(LINE_ITEM).map(lambda v: json.dumps(v).encode()),
    st.lists(_maybe_object(RESULT), max_size=3).map(lambda v: json.dumps(v).encode()),
    _maybe_object(PROGRESS).map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"resultUrl": _field("u"),
                           "https://canvas.instructure.com/lti/submission": _field(
                               {"content_items": [RECEIPT_ITEM]})}).map(
        lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"context": _field({"id": "c"}),
                           "members": _field([MEMBER]) | st.lists(_maybe_object(MEMBER),
                                                                  max_size=3)}).map(
        lambda v: json.dumps(v).encode()),
    st.sampled_from([b"[", b'{"a":', b"NaN", b'[{"id": 1e999}]', b"\xff\xfe",
                     b'[{"id":"x","label":"L","scoreMaximum":' + b"9" * 400 + b"}]",
                     b"[" * 5000 + b"]" * 5000, b'{"scores": [{"userId": "u"}]']),
)


def _run_every_parser(client: LtiAdvantageClient | LtiaasClient) -> None:
    calls: list[Callable[[], object]] = [
        client.list_line_items, lambda: client.get_line_item(f"{LINE_ITEMS}/1"),
        lambda: client.list_results(f"{LINE_ITEMS}/1"), client.list_members,
        lambda: client.post_score(f"{LINE_ITEMS}/1", Score(
            user_id="u", activity_progress=ActivityProgress.COMPLETED,
            grading_progress=GradingProgress.PENDING,
            timestamp=datetime(2026, 1, 1, tzinfo=UTC))),
    ]
    if client.supports_progress:
        calls.append(lambda: client.get_progress(f"{COURSE}/progress/1"))
    for call in calls:
        with contextlib.suppress(PlatformError):
            call()


@FUZZ
@given(body=bodies, status=st.sampled_from([200, 201, 200, 400, 404, 500]))
def test_canvas_parsers_never_crash(body: bytes, status: int, cell: Cell,
                                    canvas: LtiAdvantageClient) -> None:
    cell.handler = lambda r: httpx.Response(status, content=body)
    _run_every_parser(canvas)


ltiaas_bodies = st.one_of(
    bodies,
    st.fixed_dictionaries({"lineItems": _field([LINE_ITEM]), "next": _field(None)}).map(
        lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"scores": st.lists(_maybe_object(RESULT), max_size=3)}).map(
        lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"status": _field(400), "error": _field("Bad"), "details": _field(
        {"message": "M", "bodyReceived": {"errors": [{"message": "x"}]}})}).map(
        lambda v: json.dumps(v).encode()),
)


@FUZZ
@given(body=ltiaas_bodies, status=st.sampled_from([200, 201, 204, 401, 422, 500]))
def test_ltiaas_parsers_never_crash(body: bytes, status: int, cell: Cell,
                                    ltiaas: LtiaasClient) -> None:
    cell.handler = lambda r: httpx.Response(status, content=body)
    _run_every_parser(ltiaas)


@FUZZ
@given(body=bodies)
def test_token_parser_never_crashes(body: bytes, private_pem: bytes) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body)

    with LtiAdvantageClient(make_config(), private_pem, transport=httpx.MockTransport(handle),
                            sleep=lambda s: None) as client, contextlib.suppress(PlatformError):
        client.list_line_items()
