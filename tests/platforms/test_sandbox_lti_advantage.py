"""The LTI Advantage client against the Canvas-faithful sandbox over real loopback HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from platform_support import (
    TokenCounter,
    client_for,
    grade,
    requires_sandbox,
    sandbox_config,
)

from gradedesk.domain import (
    ContentItem,
    LineItem,
    ProgressState,
    utc_now,
)
from gradedesk.platforms.errors import (
    PlatformError,
    Rejected,
    StaleTimestamp,
)
from gradedesk.platforms.lti_advantage import LtiAdvantageClient
from gradedesk.platforms.lti_advantage.progress import wait_for_progress
from gradedesk.platforms.ratelimit import RateLimiter, RateLimitPolicy

pytestmark = requires_sandbox


@pytest.fixture
def learner(sandbox_client: LtiAdvantageClient) -> str:
    return sandbox_client.list_members().learners[0].user_id


def first_item(client: LtiAdvantageClient) -> LineItem:
    return client.list_line_items()[0]


# --- The acceptance flow -----------------------------------------------------------------------

def test_acceptance_flow_with_a_file_and_its_progress(sandbox_factory: Callable[..., Any],
                                                      private_pem: bytes) -> None:
    sandbox = sandbox_factory(throttle=True)  # Canvas's default bucket
    sandbox.settings(progress_step_s=0.05)
    client = client_for(sandbox, private_pem)
    items = client.list_line_items()
    assert len(items) == 6 and all(item.id for item in items)
    roster = client.list_members()
    assert len(roster.learners) == 25  # 24 students and Canvas's Test Student (#Learner)
    assert roster.context is not None
    item = items[0]
    results = client.list_results(item.id)
    assert all(result.score_of in ("", item.id) for result in results)
    student = roster.learners[0].user_id
    file_url = sandbox_file_url(sandbox)
    receipt = client.post_score(item.id, grade(
        student, 8.5, files=(ContentItem.for_file(file_url),)))
    assert receipt.progress_urls, receipt
    final = wait_for_progress(client.get_progress, receipt.progress_urls[0], timeout_s=60,
                              first_delay_s=0.05, max_delay_s=0.5)
    assert final.workflow_state is ProgressState.COMPLETED
    [result] = client.list_results(item.id, user_id=student)
    assert result.result_score == 8.5
    client.close()


def sandbox_file_url(sb: Any) -> str:
    files_url = str(sb.info["files_url"]).rstrip("/")
    return f"{files_url}/lab-report.pdf"  # one of the sandbox's sample files


def test_plain_grade_is_recorded_with_no_new_attempt(
        sandbox: Any, sandbox_client: LtiAdvantageClient, learner: str) -> None:
    item = first_item(sandbox_client)
    sandbox_client.post_score(item.id, grade(learner, 1.0))
    attempts = sandbox_result(sandbox, item.id, learner)["attempts"]
    receipt = sandbox_client.post_score(item.id, grade(learner, 0.0))  # zero is a real score
    assert receipt.progress_urls == () and receipt.result_url
    [result] = sandbox_client.list_results(item.id, user_id=learner)
    assert result.result_score == 0.0 and result.user_id == learner
    assert sandbox_result(sandbox, item.id, learner)["attempts"] == attempts  # new_submission off


def test_create_and_update_a_line_item(sandbox_client: LtiAdvantageClient) -> None:
    created = sandbox_client.create_line_item(
        LineItem(label="Extra credit", score_maximum=5, resource_id="xc-1", tag="extra"))
    assert created.id and created.label == "Extra credit"
    assert sandbox_client.get_line_item(created.id).resource_id == "xc-1"
    updated = sandbox_client.update_line_item(LineItem(label="Extra credit 2", score_maximum=5,
                                                       id=created.id))
    assert updated.label == "Extra credit 2"
    assert [i.id for i in sandbox_client.list_line_items(tag="extra")] == [created.id]


# --- Pagination --------------------------------------------------------------------------------

@pytest.mark.parametrize("page_size", [None, 1, 3, 7])
def test_pagination_over_several_pages(sandbox_factory: Callable[..., Any], private_pem: bytes,
                                       page_size: int | None) -> None:
    sb = sandbox_factory(line_items=23, students=61)
    with client_for(sb, private_pem, page_size=page_size) as client:
        items = client.list_line_items()
        assert len(items) == 23 and len({item.id for item in items}) == 23
        members = client.list_members()
        assert len(members.learners) == 62  # with the Test Student
        assert len({m.user_id for m in members.members}) == len(members.members)
        results = client.list_results(items[0].id)
        assert len({r.user_id for r in results}) == len(results) > 10
    with client_for(sb, private_pem, page_size=100) as reference:
        assert {r.id for r in reference.list_results(items[0].id)} == {r.id for r in results}
        assert len({m.user_id for m in members.members}) == len(members.members)


# --- Scores: the conflict and validation cases ------------------------------------------------

def test_stale_timestamp_is_a_conflict(sandbox_client: LtiAdvantageClient, learner: str) -> None:
    item = first_item(sandbox_client)
    now = utc_now()
    sandbox_client.post_score(item.id, grade(learner, 5.0, when=now))
    with pytest.raises(StaleTimestamp) as caught:
        sandbox_client.post_score(item.id, grade(learner, 6.0, when=now - timedelta(hours=1)))
    error = caught.value
    assert error.status == 400
    assert "before last updated timestamp" in error.user_message
    assert error.last_updated is not None and error.given is not None
    # An equal timestamp is accepted.
    sandbox_client.post_score(item.id, grade(learner, 6.0, when=now))


def test_unknown_user_is_422(sandbox_client: LtiAdvantageClient) -> None:
    item = first_item(sandbox_client)
    with pytest.raises(Rejected, match="User not found in course or is not a student") as caught:
        sandbox_client.post_score(item.id, grade("no-such-user"))
    assert caught.value.status == 422 and "422" in caught.value.user_message


def test_score_given_without_maximum_is_422(sandbox_client: LtiAdvantageClient,
                                            learner: str) -> None:
    item = first_item(sandbox_client)
    body = grade(learner, 5.0).to_wire()
    del body["scoreMaximum"]  # the domain refuses this, so the raw body is sent
    with pytest.raises(Rejected, match="ScoreMaximum not supplied") as caught:
        sandbox_client.post_score_body(item.id, body)
    assert caught.value.status == 422


def test_each_comment_adds_a_comment(sandbox: Any, sandbox_client: LtiAdvantageClient,
                                     learner: str) -> None:
    item = first_item(sandbox_client)
    sandbox_client.post_score(item.id, grade(learner, 5.0, comment="First look."))
    sandbox_client.post_score(item.id, grade(learner, 6.0, comment="After the resubmission."))
    [result] = sandbox_client.list_results(item.id, user_id=learner)
    assert result.comment == "After the resubmission."
    comments = sandbox_comments(sandbox, item.id, learner)
    assert comments[-2:] == ["First look.", "After the resubmission."]
    assert [e["body"].get("comment") for e in ledger_entries(sandbox)][-2:] == [
        "First look.", "After the resubmission."]


def sandbox_result(sb: Any, line_item_id: str, user_id: str) -> dict[str, Any]:
    """Everything Canvas holds for one result (the sandbox's admin view)."""
    reply = httpx.get(f"{sb.info['admin_url']}/result",
                      params={"line_item": line_item_id, "user_id": user_id}, timeout=10)
    reply.raise_for_status()
    found: dict[str, Any] = reply.json()
    return found


def sandbox_comments(sb: Any, line_item_id: str, user_id: str) -> list[str]:
    return [entry["comment"] for entry in sandbox_result(sb, line_item_id, user_id)["comments"]]


def ledger_entries(sb: Any) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = httpx.get(sb.info["ledger_url"], timeout=10).json()
    return entries


# --- Tokens ------------------------------------------------------------------------------------

def test_token_cached_across_operations(sandbox: Any, private_pem: bytes) -> None:
    counter = TokenCounter(sandbox.info["token_url"])
    with client_for(sandbox, private_pem, counter=counter) as client:
        items = client.list_line_items()
        client.list_results(items[0].id)
        client.list_members()
        client.list_line_items()
    assert counter.count == 1


class _KeptTokens:
    """A token cache like the keyring's, in memory."""

    def __init__(self) -> None:
        self.tokens: dict[str, tuple[str, float]] = {}

    def load(self, scopes: str) -> tuple[str, float] | None:
        return self.tokens.get(scopes)

    def save(self, scopes: str, token: str, renew_at: float) -> None:
        self.tokens[scopes] = (token, renew_at)


def test_the_private_key_is_read_only_when_a_token_must_be_signed(sandbox: Any,
                                                                  private_pem: bytes) -> None:
    kept = _KeptTokens()
    reads: list[int] = []

    def read_key() -> bytes:
        reads.append(1)
        return private_pem

    def client(cache: _KeptTokens) -> LtiAdvantageClient:
        return LtiAdvantageClient(sandbox_config(sandbox.info), read_key, token_cache=cache)

    with client(kept) as first:
        first.list_line_items()
    assert reads == [1] and kept.tokens  # signed once, and the token kept
    with client(kept) as second:  # the next run: its kept token is still good
        second.list_line_items()
    assert reads == [1]
    sandbox.expire_tokens()
    with client(kept) as third:  # refused with 401: a new token, so the key is read now
        assert len(third.list_line_items()) == 6
    assert reads == [1, 1]


def test_token_refreshed_once_after_access_token_expired(sandbox: Any,
                                                         private_pem: bytes) -> None:
    counter = TokenCounter(sandbox.info["token_url"])
    frozen = time.time()
    # The client's clock stands still, so only the platform's 401 can tell it the token expired.
    with client_for(sandbox, private_pem, counter=counter, clock=lambda: frozen) as client:
        client.list_line_items()
        sandbox.expire_tokens()  # as if the token's hour had passed
        assert len(client.list_line_items()) == 6
    assert counter.count == 2


def test_per_operation_scopes_one_token_each(sandbox: Any, private_pem: bytes) -> None:
    counter = TokenCounter(sandbox.info["token_url"])
    with client_for(sandbox, private_pem, counter=counter, scope_bundle=()) as client:
        items = client.list_line_items()
        client.list_results(items[0].id)
        client.list_results(items[1].id)
        client.list_line_items()
    assert counter.count == 2


# --- Throttling --------------------------------------------------------------------------------

SMALL_BUCKET = {"high_water": 120.0, "maximum": 200.0, "leak_per_s": 100.0, "up_front": 50.0,
                "request_cost": 5.0, "token_cost": 100.0}


def matching_limiter() -> RateLimiter:
    """The pacer told the small bucket's leak rate (Canvas's is 10/s), so waits stay short."""
    return RateLimiter(RateLimitPolicy(leak_per_s=SMALL_BUCKET["leak_per_s"]))


def test_throttling_is_honoured_without_a_failed_request(
        sandbox_factory: Callable[..., Any], private_pem: bytes) -> None:
    sb = sandbox_factory(throttle=True)
    # A small bucket: the token alone (cost 100) leaves too little for the next request (each
    # needs level + 50 < 120); three threads of paged reads keep it low.
    sb.settings(**SMALL_BUCKET)
    statuses: list[int] = []
    remaining: list[float] = []
    errors: list[PlatformError] = []

    def note(response: httpx.Response) -> None:
        statuses.append(response.status_code)
        if "x-rate-limit-remaining" in response.headers:
            remaining.append(float(response.headers["x-rate-limit-remaining"]))

    with LtiAdvantageClient(sandbox_config(sb.info), private_pem, limiter=matching_limiter(),
                            event_hooks={"response": [note]}) as client:
        items = client.list_line_items()

        def work() -> None:
            try:
                for item in items:
                    client.list_results(item.id)
            except PlatformError as error:
                errors.append(error)

        threads = [threading.Thread(target=work) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(100)
    assert errors == []
    assert min(remaining) < 60  # the bucket did run low: the pacer had to hold requests back
    assert all(200 <= status < 300 for status in statuses), statuses  # and none was refused


def test_a_throttle_403_is_waited_out_and_retried(sandbox_factory: Callable[..., Any],
                                                  private_pem: bytes) -> None:
    sb = sandbox_factory(throttle=True)
    sb.settings(**SMALL_BUCKET)
    statuses: list[int] = []
    with LtiAdvantageClient(sandbox_config(sb.info), private_pem, limiter=matching_limiter(),
                            event_hooks={"response": [lambda r: statuses.append(
                                r.status_code)]}) as client:
        item = client.list_line_items()[0]
        # Another user of the same developer key drains the shared bucket behind our back.
        drained = httpx.post(sb.info["token_url"], timeout=10, data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": client.auth.assertion(),
            "scope": "https://purl.imsglobal.org/spec/lti-ags/scope/score"})
        assert drained.status_code == 200
        client.list_results(item.id)
    assert 403 in statuses  # Canvas's throttle reply was met ...
    assert statuses[-1] == 200  # ... and waited out
