"""error_from_response: every error body shape in the shared docs gives the right class and a
message with the status and the platform's own words."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gradedesk.domain import GradeDeskError
from gradedesk.platforms.errors import (
    AuthError,
    NotFound,
    PermissionDenied,
    PlatformError,
    Rejected,
    ScopeNotGranted,
    ServerError,
    StaleTimestamp,
    ThrottledError,
    error_from_response,
    redact,
)

URL = "https://canvas.test/api/lti/courses/7/line_items/1/scores"


def reply(status: int, body: Any = None, *, text: str | None = None,
          headers: dict[str, str] | None = None) -> httpx.Response:
    request = httpx.Request("POST", URL)
    if text is not None:
        return httpx.Response(status, text=text, headers=headers, request=request)
    if body is None:
        return httpx.Response(status, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


LTI = {"errors": {"type": "not_found", "message": "Context is deleted or not found"}}
CASES: list[tuple[httpx.Response, type[PlatformError], str]] = [
    (reply(401, {"errors": {"type": "unauthorized", "message": "Insufficient permissions"}}),
     AuthError, "Insufficient permissions"),
    (reply(404, LTI), NotFound, "Context is deleted or not found"),
    (reply(404, {"errors": [{"message": "The specified resource does not exist."}]}),
     NotFound, "The specified resource does not exist."),
    (reply(400, {"errors": [{"message": "timestamp is missing"}]}), Rejected,
     "timestamp is missing"),
    (reply(422, {"errors": [{"field": "label", "message": "can't be blank",
                             "error_code": "blank"}]}), Rejected, "label can't be blank"),
    (reply(400, {"error": "Invalid submission_type for new assignment: quiz"}), Rejected,
     "Invalid submission_type for new assignment: quiz"),
    (reply(412, {"errors": {"type": "precondition_failed", "message":
                            "Tool does not have permission to view line_item"}}),
     Rejected, "Tool does not have permission to view line_item"),
    (reply(412), Rejected, "Precondition Failed"),
    (reply(401), AuthError, "Unauthorized"),
    (reply(403, text="403 Forbidden (Rate Limit Exceeded)\n",
           headers={"X-Rate-Limit-Remaining": "-12.5"}), ThrottledError,
     "403 Forbidden (Rate Limit Exceeded)"),
    (reply(429, text="Too many"), ThrottledError, "Too many"),
    (reply(403, {"errors": {"type": "forbidden", "message": "Tool does not have permission to "
                            "view a Progress not associated with an Assignment"}}),
     PermissionDenied, "not associated with an Assignment"),
    (reply(504, {"errors": {"type": "gateway_timeout",
                            "message": "failed to communicate with file service"}}),
     ServerError, "failed to communicate with file service"),
    (reply(500, text="<html><title>Oops</title>oops</html>"), ServerError,
     "an HTML error page (Oops)"),
    (reply(401, {"status": 401, "error": "Unauthorized", "details": {
        "message": "INVALID_LTIK_AUTH_AUTHORIZATION_HEADER",
        "description": "Invalid or expired ltik."}}), AuthError, "Invalid or expired ltik."),
    (reply(422, {"status": 422, "error": "Unprocessable Entity", "details": {
        "message": "Error posting score", "bodyReceived": {"errors": {
            "type": "unprocessable_entity",
            "message": "User not found in course or is not a student"}}}}),
     Rejected, "LMS: User not found in course or is not a student"),
    (reply(400, {"status": 400, "error": "Bad Request", "details": {
        "errors": [{"message": "userId is required"}]}}), Rejected, "userId is required"),
    (reply(500, {"status": 500, "error": "Internal Server Error", "details": {
        "externalError": "socket hang up"}}), ServerError, "LMS: socket hang up"),
    (reply(400, {"errors": {"type": "bad_request", "message":
                            "Provided timestamp of 2025-01-01T00:00:00.000+00:00 before last "
                            "updated timestamp of 2025-02-01T00:00:00.000+00:00"}}),
     StaleTimestamp, "before last updated timestamp"),
    (reply(418, text=""), Rejected, "I'm a Teapot"),
]


@pytest.mark.parametrize(("response", "kind", "fragment"), CASES)
def test_each_body_shape_maps_to_a_class_and_message(
        response: httpx.Response, kind: type[PlatformError], fragment: str) -> None:
    error = error_from_response(response)
    assert type(error) is kind
    assert isinstance(error, GradeDeskError)
    assert error.status == response.status_code
    assert fragment in error.user_message
    assert f"HTTP {response.status_code}" in error.user_message
    assert fragment in (error.platform_message or "")


TOKEN_CASES = [
    (400, {"error": "unsupported_grant_type",
           "error_description": "The grant_type you requested is not currently supported"},
     AuthError),
    (401, {"error": "invalid_client", "error_description": "unknown client"}, AuthError),
    (400, {"error": "invalid_request", "error_description": "the 'aud' is invalid"}, AuthError),
    (400, {"error": "invalid_scope", "error_description": (
        "A requested scope is invalid, unknown, malformed, or exceeds the scope granted by the "
        "resource owner. The following scopes were requested, but not granted: "
        "https://purl.imsglobal.org/spec/lti-ags/scope/score")}, ScopeNotGranted),
]


@pytest.mark.parametrize(("status", "body", "kind"), TOKEN_CASES)
def test_token_endpoint_errors_are_auth_errors(status: int, body: dict[str, str],
                                               kind: type[PlatformError]) -> None:
    error = error_from_response(reply(status, body), token_endpoint=True)
    assert type(error) is kind
    assert body["error"] in error.user_message
    assert body["error_description"][:40] in error.user_message
    if isinstance(error, ScopeNotGranted):
        assert error.scopes == ("https://purl.imsglobal.org/spec/lti-ags/scope/score",)
        assert "lti-ags/scope/score" in error.user_message


def test_stale_timestamp_exposes_both_times() -> None:
    error = error_from_response(reply(400, {"errors": {"type": "bad_request", "message": (
        "Provided timestamp of 2025-01-01T00:00:00.000Z before last updated timestamp of "
        "2025-02-01T10:00:00.000Z")}}))
    assert isinstance(error, StaleTimestamp)
    assert error.given is not None and error.last_updated is not None
    assert error.last_updated > error.given


def test_throttle_reads_remaining_and_retry_after() -> None:
    error = error_from_response(reply(429, text="slow down", headers={
        "Retry-After": "7", "X-Rate-Limit-Remaining": "3.5"}))
    assert isinstance(error, ThrottledError)
    assert error.retry_after_s == 7.0
    assert error.remaining == 3.5


def test_secrets_in_platform_messages_are_redacted() -> None:
    body = {"status": 401, "error": "Unauthorized", "details": {
        "description": "bad header SERVICE-AUTH-V1 apikey:servicekey",
        "bodyReceived": "Bearer eyJhbGciOi.eyJzdWIiOiIxIn0.c2ln"}}
    error = error_from_response(reply(401, body))
    assert "apikey" not in error.user_message
    assert "eyJ" not in error.user_message and "eyJ" not in repr(error)
    assert redact("access_token=abc&x=1") == "access_token=[redacted]&x=1"


def test_long_or_binary_bodies_are_clipped() -> None:
    error = error_from_response(reply(500, text="x" * 10_000))
    assert len(error.user_message) < 700
    binary = httpx.Response(500, content=b"\xff\xfe\x00bad", request=httpx.Request("GET", URL))
    assert isinstance(error_from_response(binary), ServerError)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

json_bodies = st.recursive(
    st.none() | st.booleans() | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["errors", "error", "error_description", "details", "message",
                         "status", "bodyReceived", "externalError", "description", "field",
                         "type", "x"]), inner, max_size=5),
    max_leaves=15,
)


@settings(max_examples=200, deadline=None)
@given(status=st.integers(300, 599), body=json_bodies, token=st.booleans())
def test_any_json_error_body_maps_to_a_platform_error(status: int, body: Any,
                                                      token: bool) -> None:
    error = error_from_response(reply(status, body), token_endpoint=token)
    assert isinstance(error, PlatformError)
    assert f"HTTP {status}" in error.user_message


@settings(max_examples=100, deadline=None)
@given(status=st.integers(400, 599), body=st.binary(max_size=200))
def test_any_byte_body_maps_to_a_platform_error(status: int, body: bytes) -> None:
    response = httpx.Response(status, content=body, request=httpx.Request("GET", URL))
    assert isinstance(error_from_response(response), PlatformError)
