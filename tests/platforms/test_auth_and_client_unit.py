"""The client-assertion auth flow and the LTI Advantage client against an in-memory Canvas."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import pytest
from platform_support import CLIENT_ID, COURSE, TOKEN_URL, FakeCanvas, make_config

from gradedesk.domain import ContentItem, LineItem, Score
from gradedesk.domain.models import CanvasSubmission
from gradedesk.platforms.errors import (
    AuthError,
    ForeignOrigin,
    InsecureUrl,
    MalformedReply,
    PlatformConfigError,
    PlatformError,
    ScopeNotGranted,
)
from gradedesk.platforms.keys import load_private_key
from gradedesk.platforms.lti_advantage import LtiAdvantageClient
from gradedesk.platforms.lti_advantage.ags import SCOPE_SCORE

WHEN = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def score(**overrides: object) -> Score:
    values: dict[str, object] = {"user_id": "u-1", "activity_progress": "Completed",
                                 "grading_progress": "FullyGraded", "timestamp": WHEN,
                                 "score_given": 7.0, "score_maximum": 10.0}
    values.update(overrides)
    return Score(**values)  # type: ignore[arg-type]


def test_assertion_claims_and_header(canvas_client: LtiAdvantageClient,
                                     fake_canvas: FakeCanvas) -> None:
    canvas_client.list_line_items()
    canvas_client.list_line_items()
    assert len(fake_canvas.token_requests) == 1  # cached
    sent = fake_canvas.token_requests[0]
    claims, header, form = sent["claims"], sent["header"], sent["form"]
    assert claims["iss"] == claims["sub"] == CLIENT_ID
    assert claims["aud"] == TOKEN_URL
    assert claims["exp"] - claims["iat"] == 300
    assert claims["jti"]
    assert header["alg"] == "RS256" and header["kid"]
    assert form["grant_type"] == "client_credentials"
    assert form["client_assertion_type"].endswith("jwt-bearer")
    assert "client_id" not in form
    assert SCOPE_SCORE in form["scope"].split()  # one bundled token covers every operation


def test_each_assertion_has_a_unique_jti(canvas_client: LtiAdvantageClient) -> None:
    key = load_private_key  # noqa: F841 - keeps the import meaningful for readers
    jtis = set()
    import jwt

    for _ in range(5):
        token = canvas_client.auth.assertion()
        jtis.add(jwt.decode(token, options={"verify_signature": False})["jti"])
    assert len(jtis) == 5


def test_per_operation_scopes_when_not_bundled(fake_canvas: FakeCanvas,
                                               private_pem: bytes) -> None:
    with LtiAdvantageClient(make_config(scope_bundle=()), private_pem,
                            transport=fake_canvas.transport()) as client:
        client.list_line_items()
        client.list_results(f"{COURSE}/line_items/1")
        client.list_results(f"{COURSE}/line_items/2")
    scopes = [entry["form"]["scope"] for entry in fake_canvas.token_requests]
    assert scopes == ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
                      "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"]


def test_bundle_refused_falls_back_to_per_operation_scopes(fake_canvas: FakeCanvas,
                                                           private_pem: bytes) -> None:
    def refuse_bundle(request: httpx.Request) -> httpx.Response | None:
        if request.url.path.endswith("/token") and b"progress" in request.content:
            return httpx.Response(400, json={"error": "invalid_scope", "error_description": (
                "The following scopes were requested, but not granted: "
                "https://canvas.instructure.com/lti-ags/progress/scope/show")})
        return None

    fake_canvas.script.append(refuse_bundle)
    with LtiAdvantageClient(make_config(), private_pem,
                            transport=fake_canvas.transport()) as client:
        assert len(client.list_line_items()) == 7
        with pytest.raises(ScopeNotGranted) as caught:
            client.get_progress(f"{COURSE}/progress/1")
    assert caught.value.scopes == ("https://canvas.instructure.com/lti-ags/progress/scope/show",)
    assert "progress/scope/show" in caught.value.user_message


def test_token_renewed_before_expiry(fake_canvas: FakeCanvas, private_pem: bytes) -> None:
    now = [time.time()]
    fake_canvas.expires_in = 3600
    with LtiAdvantageClient(make_config(), private_pem, transport=fake_canvas.transport(),
                            clock=lambda: now[0]) as client:
        client.list_line_items()
        now[0] += 3000  # 10 minutes left: still fine
        client.list_line_items()
        assert len(fake_canvas.token_requests) == 1
        now[0] += 400  # under 5 minutes left: renew
        client.list_line_items()
        assert len(fake_canvas.token_requests) == 2


def test_refreshed_once_on_access_token_expired(canvas_client: LtiAdvantageClient,
                                                fake_canvas: FakeCanvas) -> None:
    canvas_client.list_line_items()
    fake_canvas.expired_tokens.add("token-1")
    assert len(canvas_client.list_line_items()) == 7
    assert len(fake_canvas.token_requests) == 2
    # A token that keeps being called expired: one refresh, then the platform's answer.
    fake_canvas.expired_tokens.update({"token-2", "token-3", "token-4"})
    with pytest.raises(AuthError, match=r"Access token expired.*HTTP 401"):
        canvas_client.list_line_items()
    assert len(fake_canvas.token_requests) == 3


def test_no_refresh_for_401s_a_token_cannot_fix(canvas_client: LtiAdvantageClient,
                                                fake_canvas: FakeCanvas) -> None:
    fake_canvas.script.append(lambda r: None if r.url.path.endswith("/token") else httpx.Response(
        401, json={"errors": {"type": "unauthorized", "message": "Insufficient permissions"}}))
    with pytest.raises(AuthError, match=r"Insufficient permissions"):
        canvas_client.list_line_items()
    assert len(fake_canvas.token_requests) == 1


def test_concurrent_threads_share_one_token_request(fake_canvas: FakeCanvas,
                                                    private_pem: bytes) -> None:
    gate = threading.Event()
    concurrent = []
    active = [0]

    def slow_token(request: httpx.Request) -> httpx.Response | None:
        if request.url.path.endswith("/token"):
            active[0] += 1
            concurrent.append(active[0])
            gate.wait(0.2)
            active[0] -= 1
        return None

    fake_canvas.script.append(slow_token)
    with LtiAdvantageClient(make_config(), private_pem,
                            transport=fake_canvas.transport()) as client:
        threads = [threading.Thread(target=client.list_line_items) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert max(concurrent) == 1
    assert len(fake_canvas.token_requests) == 1


def test_token_errors_surface_as_auth_errors(canvas_client: LtiAdvantageClient,
                                             fake_canvas: FakeCanvas) -> None:
    fake_canvas.script.append(lambda r: httpx.Response(
        401, json={"error": "invalid_client", "error_description": "unknown client"},
        headers={"WWW-Authenticate": "Canvas OAuth 2.0"})
        if r.url.path.endswith("/token") else None)
    with pytest.raises(AuthError, match=r"invalid_client: unknown client \(HTTP 401\)"):
        canvas_client.list_line_items()


@pytest.mark.parametrize("body", [
    b"not json", b"[]", b'{"access_token": 5}', b'{"access_token": "a b"}',
    b'{"access_token": "t", "token_type": "mac"}', b'{"access_token": "t", "expires_in": -1}',
])
def test_malformed_token_replies(canvas_client: LtiAdvantageClient, fake_canvas: FakeCanvas,
                                 body: bytes) -> None:
    fake_canvas.script.append(
        lambda r: httpx.Response(200, content=body) if r.url.path.endswith("/token") else None)
    with pytest.raises(MalformedReply):
        canvas_client.list_line_items()


def test_bearer_only_to_the_platform_origin(canvas_client: LtiAdvantageClient,
                                            fake_canvas: FakeCanvas) -> None:
    with pytest.raises(ForeignOrigin, match=r"evil\.test"):
        canvas_client.get_progress("https://evil.test/api/lti/courses/7/progress/1")
    with pytest.raises(ForeignOrigin):
        canvas_client.list_results("https://canvas.test:8443/api/lti/courses/7/line_items/1")
    with pytest.raises(InsecureUrl):
        canvas_client.get_progress("http://canvas.test/api/lti/courses/7/progress/1")
    assert all(r.url.host == "canvas.test" and r.url.port is None
               for r in fake_canvas.requests)


def test_link_to_a_foreign_origin_is_refused(canvas_client: LtiAdvantageClient,
                                             fake_canvas: FakeCanvas) -> None:
    fake_canvas.script.append(lambda r: httpx.Response(
        200, json=[], headers={"Link": '<https://evil.test/steal?page=2>; rel="next"'})
        if r.url.path.endswith("/line_items") else None)
    with pytest.raises(ForeignOrigin):
        canvas_client.list_line_items()
    assert not any(r.url.host == "evil.test" for r in fake_canvas.requests)


def test_extra_trusted_origin(fake_canvas: FakeCanvas, private_pem: bytes) -> None:
    seen: list[str | None] = []

    def other_host(request: httpx.Request) -> httpx.Response | None:
        if request.url.host == "root.canvas.test":
            seen.append(request.headers.get("authorization"))
            return httpx.Response(200, json={"id": 1, "workflow_state": "completed"})
        return None

    fake_canvas.script.append(other_host)
    with LtiAdvantageClient(make_config(extra_origins=("https://root.canvas.test",)),
                            private_pem, transport=fake_canvas.transport()) as client:
        assert client.get_progress("https://root.canvas.test/p/1").is_final
    assert seen == ["Bearer token-1"]


def test_media_types_and_plain_grades(canvas_client: LtiAdvantageClient,
                                      fake_canvas: FakeCanvas) -> None:
    canvas_client.list_line_items()
    canvas_client.list_results(f"{COURSE}/line_items/1?x=1", user_id="u-1")
    receipt = canvas_client.post_score(f"{COURSE}/line_items/1", score())
    assert receipt.result_url == f"{COURSE}/line_items/1/results/9"
    canvas_client.list_members(role="Learner")
    by_path = {r.url.path: r for r in fake_canvas.requests}
    assert by_path["/api/lti/courses/7/line_items"].headers["accept"] == \
        "application/vnd.ims.lis.v2.lineitemcontainer+json"
    results = by_path["/api/lti/courses/7/line_items/1/results"]
    assert results.headers["accept"] == "application/vnd.ims.lis.v2.resultcontainer+json"
    assert results.url.params["user_id"] == "u-1"
    posted = by_path["/api/lti/courses/7/line_items/1/scores"]
    assert posted.headers["content-type"] == "application/vnd.ims.lis.v1.score+json"
    import json

    body = json.loads(posted.content)
    # The client sends the Score as given: Canvas's flags are decided once, by sync.outgoing.
    assert "https://canvas.instructure.com/lti/submission" not in body
    assert body["timestamp"] == "2026-03-01T08:00:00.000+00:00"
    members = by_path["/api/lti/courses/7/names_and_roles"]
    assert members.headers["accept"] == \
        "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
    assert members.url.params["role"] == "Learner"


def test_files_keep_the_callers_extension(canvas_client: LtiAdvantageClient,
                                          fake_canvas: FakeCanvas) -> None:
    item = ContentItem.for_file("https://files.test/essay.pdf")
    canvas_client.post_score(f"{COURSE}/line_items/1", score(canvas=CanvasSubmission(
        new_submission=True, content_items=(item,))))
    import json

    body = json.loads(fake_canvas.requests[-1].content)
    extension = body["https://canvas.instructure.com/lti/submission"]
    assert extension["new_submission"] is True
    assert extension["content_items"][0]["url"] == "https://files.test/essay.pdf"


def test_any_2xx_and_empty_score_replies_are_success(canvas_client: LtiAdvantageClient,
                                                     fake_canvas: FakeCanvas) -> None:
    fake_canvas.script.append(lambda r: httpx.Response(204)
                              if r.url.path.endswith("/scores") else None)
    assert canvas_client.post_score(f"{COURSE}/line_items/1", score()).result_url is None


def test_create_and_update_line_items(canvas_client: LtiAdvantageClient,
                                      fake_canvas: FakeCanvas) -> None:
    import json

    def echo(request: httpx.Request) -> httpx.Response | None:
        if request.method in ("POST", "PUT") and "/line_items" in request.url.path \
                and not request.url.path.endswith("/scores"):
            body = json.loads(request.content)
            body.setdefault("id", f"{COURSE}/line_items/99")
            return httpx.Response(201 if request.method == "POST" else 200, json=body)
        return None

    fake_canvas.script.append(echo)
    created = canvas_client.create_line_item(LineItem(label="Quiz", score_maximum=5, tag="q"))
    assert created.id.endswith("/99") and created.tag == "q"
    posted = fake_canvas.requests[-1]
    assert "id" not in json.loads(posted.content)
    assert posted.headers["content-type"] == "application/vnd.ims.lis.v2.lineitem+json"
    updated = canvas_client.update_line_item(LineItem(label="Quiz 2", score_maximum=5,
                                                      id=created.id))
    assert updated.label == "Quiz 2" and fake_canvas.requests[-1].method == "PUT"


def test_no_nrps_url_is_a_config_error(fake_canvas: FakeCanvas, private_pem: bytes) -> None:
    with LtiAdvantageClient(make_config(nrps_url=None), private_pem,
                            transport=fake_canvas.transport()) as client, \
            pytest.raises(PlatformConfigError):
        client.list_members()


def test_config_refuses_insecure_urls() -> None:
    with pytest.raises(InsecureUrl):
        make_config(token_url="http://canvas.example.edu/login/oauth2/token")
    with pytest.raises(InsecureUrl):
        make_config(lineitems_url="http://canvas.example.edu/api/lti/courses/1/line_items")


def test_reprs_and_errors_hold_no_secrets(canvas_client: LtiAdvantageClient,
                                          private_pem: bytes, fake_canvas: FakeCanvas) -> None:
    canvas_client.list_line_items()
    text = repr(canvas_client) + repr(canvas_client.auth) + repr(canvas_client.auth._cache)
    assert "token-1" not in text and "PRIVATE" not in text
    fake_canvas.expired_tokens.update({"token-1", "token-2"})
    try:
        canvas_client.list_line_items()
    except AuthError as error:
        assert "token-" not in str(error) and "token-" not in repr(error)


def test_newer_score_reply_gives_progress_urls(canvas_client: LtiAdvantageClient,
                                               fake_canvas: FakeCanvas) -> None:
    reply = {"resultUrl": f"{COURSE}/line_items/1/results/9",
             "https://canvas.instructure.com/lti/submission": {"content_items": [
                 {"type": "file", "url": "https://files.test/a.pdf", "title": "a.pdf",
                  "progress": f"{COURSE}/progress/5521"}]}}
    fake_canvas.script.append(lambda r: httpx.Response(200, json=reply)
                              if r.url.path.endswith("/scores") else None)
    receipt = canvas_client.post_score(f"{COURSE}/line_items/1", score())
    assert receipt.progress_urls == (f"{COURSE}/progress/5521",)


def test_redirects_are_not_followed(canvas_client: LtiAdvantageClient,
                                    fake_canvas: FakeCanvas) -> None:
    fake_canvas.script.append(lambda r: httpx.Response(
        302, headers={"Location": "https://evil.test/x"})
        if r.url.path.endswith("/line_items") else None)
    with pytest.raises(PlatformError, match="HTTP 302"):
        canvas_client.list_line_items()
    assert not any(r.url.host == "evil.test" for r in fake_canvas.requests)


def test_wait_for_progress_polls_until_final() -> None:
    from gradedesk.domain import Progress, ProgressState
    from gradedesk.platforms.lti_advantage.progress import wait_for_progress

    states = iter(["queued", "running", "running", "completed"])
    slept: list[float] = []
    final = wait_for_progress(lambda url: Progress(id="1", workflow_state=ProgressState(
        next(states))), "u", sleep=slept.append, clock=lambda: 0.0)
    assert final.workflow_state is ProgressState.COMPLETED
    assert len(slept) == 3 and slept[1] > slept[0]


def test_threads_waiting_while_the_bundle_is_refused_fall_back_too(fake_canvas: FakeCanvas,
                                                                    private_pem: bytes) -> None:
    """Several requests start at once with the bundle; the platform refuses it (slowly, so
    the others queue up behind the first token request). Every one of them falls back to its
    own scopes: none fails with the refusal meant for the bundle."""
    refusals: list[int] = []

    def refuse_bundle_slowly(request: httpx.Request) -> httpx.Response | None:
        if request.url.path.endswith("/token") and b"progress" in request.content:
            refusals.append(1)
            time.sleep(0.2)
            return httpx.Response(400, json={"error": "invalid_scope", "error_description": (
                "The following scopes were requested, but not granted: "
                "https://canvas.instructure.com/lti-ags/progress/scope/show")})
        return None

    fake_canvas.script.append(refuse_bundle_slowly)
    with LtiAdvantageClient(make_config(), private_pem,
                            transport=fake_canvas.transport()) as client, \
            ThreadPoolExecutor(8) as pool:
        listings = list(pool.map(lambda n: client.list_results(f"{COURSE}/line_items/{n}"),
                                 [1, 2] * 4))
    assert len(listings) == 8
    assert len(refusals) == 1  # the bundle asked for once; the waiting threads did not ask
