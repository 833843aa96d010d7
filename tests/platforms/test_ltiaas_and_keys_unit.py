"""The LTIAAS client's wire details (MockTransport) and the key helpers."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gradedesk.domain import ActivityProgress, ContentItem, GradingProgress, Score
from gradedesk.domain.models import CanvasSubmission
from gradedesk.platforms.errors import (
    AuthError,
    InsecureUrl,
    InvalidKey,
    MalformedReply,
    PlatformConfigError,
    Unsupported,
)
from gradedesk.platforms.keys import (
    generate_private_key_pem,
    jwk_thumbprint,
    load_private_key,
    public_jwk,
)
from gradedesk.platforms.ltiaas import LtiaasClient
from keys_support import pem_with_body

BASE = "https://school.ltiaas.test"
ITEM = "https://lms.example.edu/api/lti/courses/42/line_items/7?x=1&y=2"
ENCODED = ("https%3A%2F%2Flms.example.edu%2Fapi%2Flti%2Fcourses%2F42%2Fline_items%2F7"
           "%3Fx%3D1%26y%3D2")


def client_for(handler: object, requests: list[httpx.Request]) -> LtiaasClient:
    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return handler(request)  # type: ignore[operator,no-any-return]

    return LtiaasClient(BASE, "API-KEY", "SERVICE-KEY", transport=httpx.MockTransport(handle),
                        sleep=lambda s: None)


def test_auth_header_and_one_segment_ids() -> None:
    requests: list[httpx.Request] = []
    with client_for(lambda r: httpx.Response(200, json={"scores": []}), requests) as client:
        assert client.list_results(ITEM, user_id="u1") == []
    [sent] = requests
    assert sent.headers["authorization"] == "SERVICE-AUTH-V1 API-KEY:SERVICE-KEY"
    assert sent.url.raw_path.decode().startswith(f"/api/lineitems/{ENCODED}/scores")
    assert sent.url.params["userId"] == "u1"


def test_pages_go_back_through_ltiaas_with_url_encoded_once() -> None:
    nexts = ["https://lms.example.edu/api/lti/courses/42/line_items?page=2&per_page=2",
             "https://lms.example.edu/api/lti/courses/42/line_items?page=3&per_page=2"]
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        index = len(requests) - 1
        body: dict[str, object] = {"lineItems": [
            {"id": f"https://lms.example.edu/li/{index}", "label": "L", "scoreMaximum": 0}]}
        if index < len(nexts):
            body["next"] = nexts[index]
        return httpx.Response(200, json=body)

    with client_for(handler, requests) as client:
        items = client.list_line_items(resource_link_id="rl", tag="t")
    assert [item.id[-1] for item in items] == ["0", "1", "2"]
    assert requests[0].url.params["resourceLinkId"] == "rl"
    for sent, expected in zip(requests[1:], nexts, strict=True):
        assert sent.url.path == "/api/lineitems"
        assert dict(sent.url.params) == {"url": expected}  # decoded once gives the LMS URL
        assert "%253A" not in sent.url.raw_path.decode()
        assert sent.url.host == "school.ltiaas.test"  # never the LMS


def test_a_repeated_next_is_a_loop() -> None:
    requests: list[httpx.Request] = []
    with client_for(lambda r: httpx.Response(200, json={"members": [], "next": "https://l/x"}),
                    requests) as client, pytest.raises(MalformedReply, match="loop"):
        client.list_members()
    assert len(requests) == 2


def test_score_post_is_204_and_sends_only_documented_fields() -> None:
    requests: list[httpx.Request] = []
    with client_for(lambda r: httpx.Response(204), requests) as client:
        receipt = client.post_score(ITEM, Score(
            user_id="u1", activity_progress=ActivityProgress.COMPLETED,
            grading_progress=GradingProgress.FULLY_GRADED,
            timestamp=datetime(2026, 1, 1, tzinfo=UTC), score_given=0.0, score_maximum=20.0,
            comment="ok", canvas=CanvasSubmission(new_submission=False)))
    assert receipt.result_url is None and receipt.progress_urls == ()
    body = json.loads(requests[0].content)
    assert body == {"userId": "u1", "activityProgress": "Completed",
                    "gradingProgress": "FullyGraded", "scoreGiven": 0.0, "scoreMaximum": 20.0,
                    "comment": "ok"}
    assert requests[0].headers["content-type"] == "application/json"


def test_files_and_progress_are_unsupported() -> None:
    requests: list[httpx.Request] = []
    with client_for(lambda r: httpx.Response(204), requests) as client:
        assert client.supports_progress is False
        with pytest.raises(Unsupported, match="Files"):
            client.post_score(ITEM, Score(
                user_id="u1", activity_progress=ActivityProgress.SUBMITTED,
                grading_progress=GradingProgress.PENDING,
                timestamp=datetime(2026, 1, 1, tzinfo=UTC), canvas=CanvasSubmission(
                    content_items=(ContentItem.for_file("https://f.test/a.pdf"),))))
        with pytest.raises(Unsupported):
            client.get_progress("https://lms.example.edu/progress/1")
    assert requests == []


def test_ltiaas_401_shape() -> None:
    body = {"status": 401, "error": "Unauthorized", "details": {
        "message": "INVALID_LTIK_AUTH_AUTHORIZATION_HEADER",
        "description": "Invalid or expired ltik."}}
    with client_for(lambda r: httpx.Response(401, json=body), []) as client, \
            pytest.raises(AuthError, match=r"Invalid or expired ltik.*HTTP 401"):
        client.list_members()


def test_ltiaas_config_checks() -> None:
    with pytest.raises(InsecureUrl):
        LtiaasClient("http://school.ltiaas.com", "a", "b")
    with pytest.raises(PlatformConfigError):
        LtiaasClient(BASE, "a:b", "c")
    client = LtiaasClient(BASE, "SECRET-API", "SECRET-SVC")
    assert "SECRET" not in repr(client) and "SECRET" not in repr(client._session.client.auth)
    client.close()


# --- keys --------------------------------------------------------------------------------------

def test_load_key_and_public_jwk(private_pem: bytes) -> None:
    key = load_private_key(private_pem)
    jwk = public_jwk(key)
    assert jwk["kty"] == "RSA" and jwk["alg"] == "RS256" and jwk["use"] == "sig"
    assert jwk["kid"] == jwk_thumbprint(jwk)
    assert public_jwk(key, kid="mine")["kid"] == "mine"
    assert "d" not in jwk


def test_rfc7638_thumbprint_example() -> None:
    # The example key and thumbprint from RFC 7638, section 3.1.
    jwk = {"kty": "RSA", "e": "AQAB", "n": (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
        "BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_"
        "FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4"
        "vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw")}
    assert jwk_thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_bad_pem_gives_clear_errors() -> None:
    with pytest.raises(InvalidKey, match="not in PEM form"):
        load_private_key(b"hello")
    with pytest.raises(InvalidKey, match="could not be read"):
        load_private_key(pem_with_body("AAAA").encode())
    ec_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    with pytest.raises(InvalidKey, match="RSA"):
        load_private_key(ec_pem)
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024).private_bytes(  # noqa: S505 - the refusal is under test
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    with pytest.raises(InvalidKey, match="1024 bits"):
        load_private_key(small)
    encrypted = load_private_key(generate_private_key_pem()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pw"))
    with pytest.raises(InvalidKey, match="password"):
        load_private_key(encrypted)
    assert load_private_key(encrypted, b"pw").key_size == 2048
    try:
        load_private_key(pem_with_body("SECRETBYTES").encode())
    except InvalidKey as error:
        assert "SECRETBYTES" not in str(error)


def test_both_clients_implement_the_protocol(private_pem: bytes) -> None:
    from platform_support import make_config

    from gradedesk.platforms.base import GradebookPlatform
    from gradedesk.platforms.lti_advantage import LtiAdvantageClient

    clients: list[GradebookPlatform] = [
        LtiAdvantageClient(make_config(), private_pem),
        LtiaasClient(BASE, "a", "b"),
    ]
    for client in clients:
        assert isinstance(client, GradebookPlatform)
        with client:
            pass
