"""Following the AGS spec, not one platform's conveniences: optional query parameters a
platform refuses (Moodle 4.5 answers ``limit`` with a 404 HTML page), no Names and Roles,
stale timestamps as 409, empty Score replies. Replies no sandbox profile produces are served
by the scriptable fake (httpx.MockTransport)."""

from __future__ import annotations

import httpx
import pytest
from platform_support import COURSE, FakeCanvas, make_config

from gradedesk.platforms import NotFound, StaleTimestamp
from gradedesk.platforms.errors import error_from_response
from gradedesk.platforms.lti_advantage import LtiAdvantageClient

MOODLE_404 = ("<!DOCTYPE html><html><head><title>Error | Moodle</title></head>"
              "<body>No handler found</body></html>")


def refuse(*names: str) -> object:
    """A platform that answers any request carrying one of ``names`` with Moodle's page."""
    def handler(request: httpx.Request) -> httpx.Response | None:
        if any(name in request.url.params for name in names):
            return httpx.Response(404, text=MOODLE_404,
                                  headers={"Content-Type": "text/html; charset=utf-8"})
        return None
    return handler


def client(fake: FakeCanvas, private_pem: bytes, **config: object) -> LtiAdvantageClient:
    return LtiAdvantageClient(make_config(page_size=100, **config), private_pem,
                              transport=fake.transport())


def test_a_refused_limit_is_dropped_remembered_and_not_sent_again(
        fake_canvas: FakeCanvas, private_pem: bytes) -> None:
    fake_canvas.script.append(refuse("limit"))
    with client(fake_canvas, private_pem) as platform:
        assert len(platform.list_line_items()) == 7
        assert platform.refused_params == frozenset({"limit"})
        sent = [r for r in fake_canvas.requests if r.url.path.endswith("/line_items")]
        assert "limit" in sent[0].url.params and "limit" not in sent[1].url.params
        fake_canvas.requests.clear()
        platform.list_line_items()
        assert all("limit" not in r.url.params for r in fake_canvas.requests)
    # A later run starts from what the connection kept.
    fake_canvas.requests.clear()
    with client(fake_canvas, private_pem, refused_params=frozenset({"limit"})) as platform:
        platform.list_line_items()
        assert all("limit" not in r.url.params for r in fake_canvas.requests)


def test_a_refused_user_id_filter_is_applied_locally(fake_canvas: FakeCanvas,
                                                      private_pem: bytes) -> None:
    fake_canvas.script.append(refuse("user_id", "limit"))
    with client(fake_canvas, private_pem) as platform:
        assert [r.user_id for r in platform.list_results(f"{COURSE}/line_items/1",
                                                         user_id="u-1")] == ["u-1"]
        assert platform.list_results(f"{COURSE}/line_items/1", user_id="someone-else") == []
        assert {"user_id", "limit"} <= platform.refused_params


def test_refused_line_item_filters_are_applied_locally(fake_canvas: FakeCanvas,
                                                        private_pem: bytes) -> None:
    fake_canvas.script.append(refuse("resource_id"))
    with client(fake_canvas, private_pem) as platform:
        assert platform.list_line_items(resource_id="gradedesk-none") == []
        assert "resource_id" in platform.refused_params


def test_a_real_404_is_still_a_404_and_nothing_is_learned(fake_canvas: FakeCanvas,
                                                          private_pem: bytes) -> None:
    fake_canvas.script.append(lambda r: httpx.Response(404, json={"errors": [
        {"message": "The specified resource does not exist."}]}) if "/gone/" in r.url.path
        else None)
    with client(fake_canvas, private_pem) as platform, pytest.raises(NotFound) as caught:
        platform.list_results(f"{COURSE}/gone/1", user_id="u-1")
    assert platform.refused_params == frozenset()
    assert "does not exist" in caught.value.user_message
    gone = [r for r in fake_canvas.requests if "/gone/" in r.url.path]
    assert len(gone) == 2 and "user_id" not in gone[1].url.params  # retried once, bare


def test_an_html_error_page_is_summarised_not_quoted() -> None:
    request = httpx.Request("GET", f"{COURSE}/line_items?limit=100")
    error = error_from_response(httpx.Response(404, text=MOODLE_404, request=request))
    assert isinstance(error, NotFound)
    assert error.user_message == ("The platform does not know this item: an HTML error page "
                                  "(Error | Moodle) (HTTP 404)")


def test_a_409_score_reply_is_a_stale_timestamp() -> None:
    request = httpx.Request("POST", f"{COURSE}/line_items/1/scores")
    error = error_from_response(httpx.Response(409, json={"error": "Score is older"},
                                               request=request))
    assert isinstance(error, StaleTimestamp)


def test_without_names_and_roles_the_client_says_so(fake_canvas: FakeCanvas,
                                                    private_pem: bytes) -> None:
    with client(fake_canvas, private_pem, nrps_url=None) as platform:
        assert platform.has_roster is False
    with client(fake_canvas, private_pem) as platform:
        assert platform.has_roster is True


def test_a_spec_platform_gets_no_canvas_extension(fake_canvas: FakeCanvas,
                                                  private_pem: bytes) -> None:
    from datetime import UTC, datetime

    from gradedesk.domain import LineItem, Score

    score = Score(user_id="u-1", activity_progress="Completed", grading_progress="FullyGraded",
                  timestamp=datetime.now(UTC), score_given=1, score_maximum=2)
    fake_canvas.script.append(lambda r: httpx.Response(201, json={
        "id": f"{COURSE}/line_items/99", "label": "New", "scoreMaximum": 2})
        if r.method == "POST" and r.url.path.endswith("/line_items") else None)
    with client(fake_canvas, private_pem, canvas_extensions=False) as platform:
        assert platform.supports_progress is False
        platform.post_score(f"{COURSE}/line_items/1", score)
        platform.create_line_item(LineItem(label="New", score_maximum=2))
    bodies = [r.content for r in fake_canvas.requests if r.method == "POST"
              and not r.url.path.endswith("/token")]
    assert bodies and all(b"canvas.instructure.com" not in body for body in bodies)
