"""Every row of the error tables in the shared docs, hit through the clients against the sandbox:
the right exception class, and a message with the status and the platform's own words."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest
from platform_support import client_for, grade, requires_sandbox

from gradedesk.domain import (
    ActivityProgress,
    CanvasSubmission,
    ContentItem,
    GradingProgress,
    LineItem,
    ProgressState,
    Score,
    utc_now,
)
from gradedesk.platforms.errors import (
    AuthError,
    NotFound,
    PermissionDenied,
    PlatformError,
    Rejected,
    ScopeNotGranted,
    ServerError,
    StaleTimestamp,
    error_from_response,
)
from gradedesk.platforms.keys import generate_private_key_pem
from gradedesk.platforms.lti_advantage import LtiAdvantageClient
from gradedesk.platforms.lti_advantage.ags import SCOPE_SCORE
from gradedesk.platforms.lti_advantage.progress import wait_for_progress
from gradedesk.platforms.ltiaas import LtiaasClient
from gradedesk.platforms.retry import RetryPolicy

pytestmark = requires_sandbox


def expect(error: PlatformError, kind: type[PlatformError], status: int, words: str) -> None:
    assert isinstance(error, kind), repr(error)
    assert error.status == status
    assert f"HTTP {status}" in error.user_message
    assert words in error.user_message, error.user_message


@pytest.fixture
def client(sandbox: Any, private_pem: bytes) -> Iterator[LtiAdvantageClient]:
    with client_for(sandbox, private_pem) as made:
        yield made


@pytest.fixture
def learner(client: LtiAdvantageClient) -> str:
    return client.list_members().learners[0].user_id


@pytest.fixture
def item_id(client: LtiAdvantageClient) -> str:
    return client.list_line_items()[0].id


# --- §2 token endpoint -------------------------------------------------------------------------

def test_token_unsupported_grant_type(sandbox: Any) -> None:
    # The client only ever sends client_credentials; the raw reply still maps to AuthError.
    reply = httpx.post(sandbox.info["token_url"], data={"grant_type": "password"}, timeout=10)
    expect(error_from_response(reply, token_endpoint=True), AuthError, 400,
           "unsupported_grant_type: The grant_type you requested is not currently supported")


def test_token_invalid_client(sandbox: Any, private_pem: bytes) -> None:
    with client_for(sandbox, private_pem, client_id="999999") as other, \
            pytest.raises(AuthError) as caught:
        other.list_line_items()
    expect(caught.value, AuthError, 401, "invalid_client: unknown client")


def test_token_inactive_key(sandbox: Any, private_pem: bytes) -> None:
    sandbox.settings(key_active=False)
    with client_for(sandbox, private_pem) as made, pytest.raises(AuthError) as caught:
        made.list_line_items()
    expect(caught.value, AuthError, 401, "unknown client")


def test_token_bad_audience(sandbox: Any, private_pem: bytes) -> None:
    with client_for(sandbox, private_pem, audience="https://elsewhere.test/t") as made, \
            pytest.raises(AuthError) as caught:
        made.list_line_items()
    expect(caught.value, AuthError, 400, "invalid_request: the 'aud' is invalid")


def test_token_assertion_expired(sandbox: Any, private_pem: bytes) -> None:
    with client_for(sandbox, private_pem, clock=lambda: time.time() - 400) as made, \
            pytest.raises(AuthError) as caught:
        made.list_line_items()
    expect(caught.value, AuthError, 400, "the JWT has expired")


def test_token_iat_in_the_future(sandbox: Any, private_pem: bytes) -> None:
    with client_for(sandbox, private_pem, clock=lambda: time.time() + 120) as made, \
            pytest.raises(AuthError) as caught:
        made.list_line_items()
    expect(caught.value, AuthError, 400, "the 'iat' must not be in the future")


def test_token_signed_by_another_key(sandbox: Any) -> None:
    with client_for(sandbox, generate_private_key_pem()) as made, \
            pytest.raises(AuthError) as caught:
        made.list_line_items()
    expect(caught.value, AuthError, 400, "JWS signature invalid.")


def test_token_invalid_scope_names_the_scopes(sandbox: Any, private_pem: bytes) -> None:
    bogus = "https://purl.imsglobal.org/spec/lti-ags/scope/not-a-scope"
    with client_for(sandbox, private_pem, scope_bundle=(), line_item_read_scope=bogus) as made, \
            pytest.raises(ScopeNotGranted) as caught:
        made.list_line_items()
    expect(caught.value, ScopeNotGranted, 400, "invalid_scope")
    assert caught.value.scopes == (bogus,)
    assert bogus in caught.value.user_message


BAD_TOKENS = {
    "Invalid access token format": "not-a-jwt",
    "Access token invalid - signature likely incorrect": jwt.encode(
        {"sub": "x", "iat": int(time.time()), "exp": int(time.time()) + 86400}, "wrong-secret-" * 3,
        algorithm="HS256"),
    "Access token signature algorithm not allowed": jwt.encode({"sub": "x"}, None,
                                                                algorithm="none"),
}


@pytest.mark.parametrize("problem", list(BAD_TOKENS))
def test_service_side_token_failures_are_refreshed_once(sandbox: Any, private_pem: bytes,
                                                        problem: str) -> None:
    seen: list[str] = []

    def note(response: httpx.Response) -> None:
        if response.status_code == 401:
            seen.append(response.read().decode())

    with client_for(sandbox, private_pem, hooks={"response": [note]}) as made:
        made.list_line_items()
        for key, token in list(made.auth._cache.items()):
            made.auth._cache[key] = type(token)(BAD_TOKENS[problem], token.renew_at)
        assert len(made.list_line_items()) == 6
        assert made.auth.token_requests == 2
    assert len(seen) == 1 and problem in seen[0]


# --- §1 checks on every service request ---------------------------------------------------------

def test_check_2_inactive_key_on_a_service(sandbox: Any, client: LtiAdvantageClient) -> None:
    client.list_line_items()
    sandbox.settings(key_active=False)
    with pytest.raises(AuthError) as caught:
        client.list_line_items()
    expect(caught.value, AuthError, 401, "Unknown or inactive Developer Key")


def test_check_3_scopes_do_not_cover(sandbox: Any, private_pem: bytes) -> None:
    with client_for(sandbox, private_pem, scope_bundle=(),
                    line_item_read_scope=SCOPE_SCORE) as made, \
            pytest.raises(AuthError) as caught:
        made.list_line_items()
    expect(caught.value, AuthError, 401, "Insufficient permissions")


def test_check_4_key_off_for_the_account(sandbox: Any, client: LtiAdvantageClient) -> None:
    sandbox.settings(key_enabled_for_account=False)
    with pytest.raises(AuthError) as caught:
        client.list_line_items()
    expect(caught.value, AuthError, 401, "Invalid Developer Key")


def test_check_5_unknown_course(sandbox: Any, private_pem: bytes) -> None:
    url = sandbox.info["lineitems_url"].replace(f"/courses/{sandbox.info['course_id']}/",
                                                "/courses/99999/")
    with client_for(sandbox, private_pem, lineitems_url=url) as made, \
            pytest.raises(NotFound) as caught:
        made.list_line_items()
    expect(caught.value, NotFound, 404, "The specified resource does not exist.")


def test_check_5_deleted_course(sandbox: Any, client: LtiAdvantageClient) -> None:
    sandbox.settings(course_state="deleted")
    with pytest.raises(NotFound) as caught:
        client.list_line_items()
    expect(caught.value, NotFound, 404, "Context is deleted or not found")


def test_check_6_tool_not_installed(sandbox: Any, client: LtiAdvantageClient) -> None:
    sandbox.settings(tool_installed=False)
    with pytest.raises(AuthError) as caught:
        client.list_members()
    expect(caught.value, AuthError, 401,
           "Access Token not linked to a Tool associated with this Context")


def test_check_7_concluded_course(sandbox: Any, client: LtiAdvantageClient, item_id: str,
                                  learner: str) -> None:
    sandbox.settings(course_state="concluded")
    with pytest.raises(NotFound) as caught:
        client.post_score(item_id, grade(learner))
    expect(caught.value, NotFound, 404, "The specified resource does not exist.")
    sandbox.settings(ags_improved_course_concluded_response_codes=True)
    with pytest.raises(Rejected) as rejected:
        client.post_score(item_id, grade(learner))
    expect(rejected.value, Rejected, 422, "This course has concluded. AGS requests will no "
                                          "longer be accepted for this course.")
    assert len(client.list_members().members) > 0  # NRPS is not AGS


def test_check_8_another_keys_line_item(sandbox: Any, client: LtiAdvantageClient) -> None:
    with pytest.raises(Rejected) as caught:
        client.get_line_item(sandbox.info["lineitems_url"] + "/999")
    expect(caught.value, Rejected, 412, "Tool does not have permission to view line_item")


# --- §3 line items -----------------------------------------------------------------------------

def test_line_item_errors(sandbox: Any, client: LtiAdvantageClient, item_id: str) -> None:
    with pytest.raises(NotFound) as missing:
        client.get_line_item(sandbox.info["lineitems_url"] + "/123456")
    expect(missing.value, NotFound, 404, "The specified resource does not exist.")
    with pytest.raises(Rejected) as wrong_link:
        client.update_line_item(LineItem(label="x", score_maximum=1, id=item_id,
                                         resource_link_id="not-this-items-link"))
    expect(wrong_link.value, Rejected, 412,
           "The specified LTI link ID is not associated with the line item.")
    with pytest.raises(NotFound):
        client.create_line_item(LineItem(label="x", score_maximum=1, resource_link_id="nope"))
    with pytest.raises(Rejected) as bad_type:
        client.create_line_item(LineItem(label="x", score_maximum=1, extra={
            "https://canvas.instructure.com/lti/submission_type": {"type": "quiz"}}))
    expect(bad_type.value, Rejected, 400, "Invalid submission_type for new assignment: quiz")


# --- §5 scores, in check order ------------------------------------------------------------------

def test_score_1_missing_item(sandbox: Any, client: LtiAdvantageClient, learner: str) -> None:
    with pytest.raises(NotFound) as caught:
        client.post_score(sandbox.info["lineitems_url"] + "/123456", grade(learner))
    expect(caught.value, NotFound, 404, "The specified resource does not exist.")


@pytest.mark.parametrize("who", ["unknown", "instructor", "test student"])
def test_score_2_not_a_student(client: LtiAdvantageClient, item_id: str, who: str) -> None:
    roster = client.list_members()
    user = {"unknown": "no-such-user",
            "instructor": next(m.user_id for m in roster.members if not m.is_learner),
            "test student": next(m.user_id for m in roster.members
                                 if m.name == "Test Student")}[who]
    with pytest.raises(Rejected) as caught:
        client.post_score(item_id, grade(user))
    expect(caught.value, Rejected, 422, "User not found in course or is not a student")


def test_score_3_required_field_missing(client: LtiAdvantageClient, item_id: str,
                                        learner: str) -> None:
    body = grade(learner).to_wire()
    del body["timestamp"]
    with pytest.raises(Rejected) as caught:
        client.post_score_body(item_id, body)
    expect(caught.value, Rejected, 400, "timestamp is missing")


def test_score_4_bad_and_stale_timestamps(client: LtiAdvantageClient, item_id: str,
                                          learner: str) -> None:
    body = grade(learner).to_wire()
    body["timestamp"] = "yesterday"
    with pytest.raises(Rejected) as bad:
        client.post_score_body(item_id, body)
    expect(bad.value, Rejected, 400, "Provided timestamp of yesterday not a valid timestamp")
    now = utc_now()
    client.post_score(item_id, grade(learner, 4.0, when=now))
    with pytest.raises(StaleTimestamp) as stale:
        client.post_score(item_id, grade(learner, 5.0, when=now - timedelta(minutes=5)))
    expect(stale.value, StaleTimestamp, 400, "before last updated timestamp of")


@pytest.mark.parametrize(("change", "words"), [
    ({"scoreMaximum": None}, "ScoreMaximum not supplied when ScoreGiven present."),
    ({"scoreMaximum": -1}, "ScoreMaximum must be greater than or equal to 0"),
    ({"scoreMaximum": 0}, "cannot be zero if line item's maximum is not zero"),
    ({"scoreGiven": -2}, "ScoreGiven must be greater than or equal to 0"),
])
def test_score_5_scoring_rules(client: LtiAdvantageClient, item_id: str, learner: str,
                               change: dict[str, Any], words: str) -> None:
    body = grade(learner, 5.0).to_wire()
    for key, value in change.items():
        if value is None:
            del body[key]
        else:
            body[key] = value
    with pytest.raises(Rejected) as caught:
        client.post_score_body(item_id, body)
    expect(caught.value, Rejected, 422, words)


def test_score_6_submitted_at_in_the_future(client: LtiAdvantageClient, item_id: str,
                                            learner: str) -> None:
    score = Score(user_id=learner, activity_progress=ActivityProgress.SUBMITTED,
                  grading_progress=GradingProgress.PENDING, timestamp=utc_now(),
                  submitted_at=utc_now() + timedelta(hours=1))
    with pytest.raises(Rejected) as caught:
        client.post_score(item_id, score)
    expect(caught.value, Rejected, 400, "in the future")


def test_score_7_online_upload_without_files(client: LtiAdvantageClient, item_id: str,
                                             learner: str) -> None:
    score = Score(user_id=learner, activity_progress=ActivityProgress.SUBMITTED,
                  grading_progress=GradingProgress.PENDING, timestamp=utc_now(),
                  canvas=CanvasSubmission(submission_type="online_upload"))
    with pytest.raises(Rejected) as caught:
        client.post_score(item_id, score)
    expect(caught.value, Rejected, 422,
           "Content items must be provided with submission type 'online_upload'")


def test_score_8_no_attempts_left(sandbox: Any, client: LtiAdvantageClient, item_id: str,
                                  learner: str) -> None:
    sandbox.settings(max_attempts=0)
    score = Score(user_id=learner, activity_progress=ActivityProgress.SUBMITTED,
                  grading_progress=GradingProgress.PENDING, timestamp=utc_now(),
                  canvas=CanvasSubmission(new_submission=True))
    with pytest.raises(Rejected) as caught:
        client.post_score(item_id, score)
    expect(caught.value, Rejected, 422,
           "The maximum number of allowed attempts has been reached for this submission")


def test_score_9_upload_failures_with_multiple_files_flag(
        sandbox: Any, client: LtiAdvantageClient, item_id: str, learner: str) -> None:
    sandbox.settings(ags_scores_multiple_files=True)
    missing = ContentItem.for_file(sandbox.info["files_url"] + "/no-such-file.pdf")
    with pytest.raises(ServerError) as failed:
        client.post_score(item_id, grade(learner, files=(missing,)))
    expect(failed.value, ServerError, 500, "uploading to file service failed with 404")
    nowhere = ContentItem.for_file("http://127.0.0.1:9/never.pdf")
    with pytest.raises(ServerError) as timed_out:
        client.post_score(item_id, grade(learner, files=(nowhere,)))
    expect(timed_out.value, ServerError, 504, "file url timed out")


def test_score_9_upload_failure_after_the_grade(sandbox: Any, client: LtiAdvantageClient,
                                                item_id: str, learner: str) -> None:
    # Flag off (older Canvas): the grade is recorded first, the Progress reports the failure.
    sandbox.settings(progress_step_s=0.02)
    missing = ContentItem.for_file(sandbox.info["files_url"] + "/no-such-file.pdf")
    receipt = client.post_score(item_id, grade(learner, 9.0, files=(missing,)))
    final = wait_for_progress(client.get_progress, receipt.progress_urls[0], timeout_s=30,
                              first_delay_s=0.02, max_delay_s=0.2)
    assert final.workflow_state is ProgressState.FAILED
    assert final.message and "404" in final.message
    assert client.list_results(item_id, user_id=learner)[0].result_score == 9.0


def test_score_10_bad_enum(client: LtiAdvantageClient, item_id: str, learner: str) -> None:
    body = grade(learner).to_wire()
    body["activityProgress"] = "Initiated"  # the LTIAAS reference page's typo
    with pytest.raises(Rejected) as caught:
        client.post_score_body(item_id, body)
    expect(caught.value, Rejected, 422, "is not included in the list")


# --- §6 Progress --------------------------------------------------------------------------------

def _progress_url(sandbox: Any, client: LtiAdvantageClient, item_id: str, learner: str) -> str:
    sandbox.settings(progress_step_s=0.02)
    good = ContentItem.for_file(sandbox.info["files_url"] + "/essay.txt")
    return client.post_score(item_id, grade(learner, files=(good,))).progress_urls[0]


def test_progress_unknown_is_404(sandbox: Any, client: LtiAdvantageClient) -> None:
    base = sandbox.info["lineitems_url"].rsplit("/line_items", 1)[0]
    with pytest.raises(NotFound) as caught:
        client.get_progress(f"{base}/progress/424242")
    expect(caught.value, NotFound, 404, "The specified resource does not exist.")


def test_progress_in_a_concluded_course_is_404(sandbox: Any, client: LtiAdvantageClient,
                                               item_id: str, learner: str) -> None:
    url = _progress_url(sandbox, client, item_id, learner)
    sandbox.settings(course_state="concluded")
    with pytest.raises(NotFound):
        client.get_progress(url)


def test_progress_of_a_deleted_assignment_is_403(sandbox: Any, client: LtiAdvantageClient,
                                                 learner: str) -> None:
    made = client.create_line_item(LineItem(label="Temporary", score_maximum=10))
    url = _progress_url(sandbox, client, made.id, learner)
    client.delete_line_item(made.id)
    with pytest.raises(PermissionDenied) as caught:
        client.get_progress(url)
    expect(caught.value, PermissionDenied, 403, "Tool does not have permission to view a "
                                                "Progress not associated with an Assignment")


# --- NRPS --------------------------------------------------------------------------------------

def test_nrps_bad_rlid(sandbox: Any, private_pem: bytes) -> None:
    with client_for(sandbox, private_pem,
                    nrps_url=sandbox.info["nrps_url"] + "?rlid=nope") as made, \
            pytest.raises(Rejected) as caught:
        made.list_members()
    expect(caught.value, Rejected, 400, "Tool does not have access to rlid or rlid does not "
                                        "exist")


# --- LTIAAS (§4) -------------------------------------------------------------------------------

@pytest.fixture
def ltiaas(sandbox: Any) -> Iterator[LtiaasClient]:
    info = sandbox.info
    with LtiaasClient(info["ltiaas_url"], info["ltiaas_api_key"], info["ltiaas_service_key"],
                      retry_policy=RetryPolicy(max_attempts=2, base_delay_s=0.01)) as made:
        yield made


def test_ltiaas_bad_keys_and_revoked_service_key(sandbox: Any, ltiaas: LtiaasClient) -> None:
    info = sandbox.info
    with LtiaasClient(info["ltiaas_url"], "wrong", info["ltiaas_service_key"]) as bad, \
            pytest.raises(AuthError) as caught:
        bad.list_line_items()
    expect(caught.value, AuthError, 401, "Invalid or expired credentials.")
    sandbox.settings(ltiaas_service_key_revoked=True)
    with pytest.raises(AuthError) as revoked:
        ltiaas.list_members()
    expect(revoked.value, AuthError, 401, "INVALID_SERVICE_AUTH_AUTHORIZATION_HEADER")


@pytest.mark.parametrize(("status", "kind"), [
    (400, Rejected), (403, PermissionDenied), (404, NotFound), (422, Rejected),
    (500, ServerError),
])
def test_ltiaas_injected_errors(sandbox: Any, ltiaas: LtiaasClient, status: int,
                                kind: type[PlatformError]) -> None:
    sandbox.settings(ltiaas_error_status=status)
    with pytest.raises(kind) as caught:
        ltiaas.list_line_items()
    expect(caught.value, kind, status, "The LMS refused the request.")
    assert "LMS: LMS replied" in caught.value.user_message  # externalError
    assert "injected by the sandbox" in caught.value.user_message  # bodyReceived


def test_ltiaas_non_json_error(sandbox: Any, ltiaas: LtiaasClient) -> None:
    sandbox.settings(ltiaas_error_status=502, ltiaas_error_non_json=True)
    with pytest.raises(ServerError) as caught:
        ltiaas.list_members()
    expect(caught.value, ServerError, 502, "an HTML error page")


def test_ltiaas_unknown_line_item_and_non_student(sandbox: Any, ltiaas: LtiaasClient) -> None:
    with pytest.raises(NotFound) as missing:
        ltiaas.get_line_item(sandbox.info["lineitems_url"] + "/123456")
    expect(missing.value, NotFound, 404, "The LMS has no such line item.")
    item = ltiaas.list_line_items()[0]
    with pytest.raises(Rejected) as caught:
        ltiaas.post_score(item.id, grade("no-such-user"))
    expect(caught.value, Rejected, 422, "LMS: User not found in course or is not a student")


def test_ltiaas_invalid_parameters(ltiaas: LtiaasClient) -> None:
    item = ltiaas.list_line_items()[0]
    learner = ltiaas.list_members().learners[0].user_id
    with pytest.raises(Rejected) as caught:
        ltiaas.post_score_body(item.id, {"userId": learner, "activityProgress": "Completed",
                                         "gradingProgress": "FullyGraded", "scoreGiven": 3})
    expect(caught.value, Rejected, 400, "scoreMaximum (> 0) is required with scoreGiven.")
