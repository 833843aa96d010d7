"""The sandbox behaves like Canvas on the wire: checked with raw HTTP, no GradeDesk client, so
a misunderstanding shared by client and sandbox cannot hide."""

from __future__ import annotations

import json
import signal
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from gradedesk.sandbox import RunningSandbox, SandboxConfig, start_sandbox

SCOPES = ("https://purl.imsglobal.org/spec/lti-ags/scope/lineitem "
          "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly "
          "https://purl.imsglobal.org/spec/lti-ags/scope/score "
          "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly "
          "https://canvas.instructure.com/lti-ags/progress/scope/show")


@pytest.fixture(scope="module")
def tool_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def sandbox(tool_key: rsa.RSAPrivateKey) -> Iterator[RunningSandbox]:
    public = tool_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    with start_sandbox(SandboxConfig(seed=3, throttle=False, tool_public_keys=[public])) as sb:
        yield sb


def assertion(key: rsa.RSAPrivateKey, info: dict[str, Any], **changes: Any) -> str:
    now = int(time.time())
    claims = {"iss": info["client_id"], "sub": info["client_id"], "aud": info["token_url"],
              "iat": now, "exp": now + 300, "jti": str(uuid.uuid4())}
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})


def token_reply(sandbox: RunningSandbox, key: rsa.RSAPrivateKey, scope: str = SCOPES,
                **changes: Any) -> httpx.Response:
    return httpx.post(sandbox.info["token_url"], data={
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion(key, sandbox.info, **changes), "scope": scope})


@pytest.fixture
def bearer(sandbox: RunningSandbox, tool_key: rsa.RSAPrivateKey) -> dict[str, str]:
    reply = token_reply(sandbox, tool_key)
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


class TestTokenEndpoint:
    def test_a_good_assertion_gets_a_token_echoing_the_scopes(
            self, sandbox: RunningSandbox, tool_key: rsa.RSAPrivateKey) -> None:
        body = token_reply(sandbox, tool_key).json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
        assert body["scope"] == SCOPES

    @pytest.mark.parametrize(("changes", "description"), [
        ({"jti": None}, "the following assertions are missing: jti"),
        ({"aud": "https://elsewhere.example/token"}, "the 'aud' is invalid"),
        ({"exp": "soon"}, "the 'exp' must be a number"),
        # Times relative to the moment the test runs (collection may be minutes earlier).
        ({"exp": -10}, "the JWT has expired"),
        ({"iat": -400}, "the 'iat' must be less than 300 seconds old"),
        ({"iat": +120}, "the 'iat' must not be in the future"),
    ])
    def test_assertion_errors_in_canvas_words(self, sandbox: RunningSandbox,
                                              tool_key: rsa.RSAPrivateKey,
                                              changes: dict[str, Any], description: str) -> None:
        now = int(time.time())
        changes = {claim: now + value if claim in ("iat", "exp") and isinstance(value, int)
                   else value for claim, value in changes.items()}
        reply = token_reply(sandbox, tool_key, **changes)
        assert reply.status_code == 400
        assert reply.json() == {"error": "invalid_request", "error_description": description}

    def test_aud_may_be_an_array(self, sandbox: RunningSandbox,
                                 tool_key: rsa.RSAPrivateKey) -> None:
        reply = token_reply(sandbox, tool_key, aud=["x", sandbox.info["token_url"]])
        assert reply.status_code == 200

    def test_a_foreign_signature_is_refused(self, sandbox: RunningSandbox) -> None:
        stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        reply = token_reply(sandbox, stranger)
        assert reply.json()["error_description"] == "JWS signature invalid."

    def test_an_unknown_client_gets_401_with_the_canvas_header(
            self, sandbox: RunningSandbox, tool_key: rsa.RSAPrivateKey) -> None:
        reply = token_reply(sandbox, tool_key, sub="123")
        assert reply.status_code == 401
        assert reply.headers["WWW-Authenticate"] == "Canvas OAuth 2.0"
        assert reply.json()["error"] == "invalid_client"

    def test_a_scope_the_key_lacks_is_named(self, sandbox: RunningSandbox,
                                            tool_key: rsa.RSAPrivateKey) -> None:
        reply = token_reply(sandbox, tool_key, scope="https://example.edu/scope/all")
        assert reply.status_code == 400 and reply.json()["error"] == "invalid_scope"
        assert reply.json()["error_description"].endswith("https://example.edu/scope/all")

    def test_wrong_grant_type(self, sandbox: RunningSandbox) -> None:
        reply = httpx.post(sandbox.info["token_url"], data={"grant_type": "password"})
        assert reply.json()["error"] == "unsupported_grant_type"


class TestServices:
    def test_line_items_page_by_ten_with_canvas_links(self, tool_key: rsa.RSAPrivateKey
                                                      ) -> None:
        public = tool_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        with start_sandbox(SandboxConfig(line_items=23, throttle=False,
                                         tool_public_keys=[public])) as sandbox:
            headers = {"Authorization": "Bearer "
                       + token_reply(sandbox, tool_key).json()["access_token"]}
            url = sandbox.info["lineitems_url"]
            first = httpx.get(url, headers=headers, params={"tag": "lab"})
            assert first.headers["content-type"].startswith(
                "application/vnd.ims.lis.v2.lineitemcontainer+json")
            everything = httpx.get(url, headers=headers)
            assert len(everything.json()) == 10
            link = everything.headers["link"]
            assert link == (f'<{url}?page=1&per_page=10>; rel="current",'
                            f'<{url}?page=2&per_page=10>; rel="next",'
                            f'<{url}?page=1&per_page=10>; rel="first",'
                            f'<{url}?page=3&per_page=10>; rel="last"')
            third = httpx.get(url, headers=headers, params={"page": 3, "per_page": 10})
            assert len(third.json()) == 3 and 'rel="next"' not in third.headers["link"]
            assert httpx.get(url, headers=headers, params={"page": 9}).json() == []
            clamped = httpx.get(url, headers=headers, params={"per_page": 500})
            assert len(clamped.json()) == 23

    def test_service_errors_use_the_lti_shape(self, sandbox: RunningSandbox) -> None:
        reply = httpx.get(sandbox.info["lineitems_url"])
        assert reply.status_code == 401
        assert reply.json() == {"errors": {"type": "unauthorized",
                                           "message": "Missing access token"}}

    def test_scores_append_comments_and_results_appear_only_after_a_score(
            self, sandbox: RunningSandbox, bearer: dict[str, str]) -> None:
        items = httpx.get(sandbox.info["lineitems_url"], headers=bearer).json()
        item = items[0]["id"]
        roster = httpx.get(sandbox.info["roster_url"]).json()
        students = [p for p in roster if p["section"]]
        graded = {r["userId"] for page in range(1, 5) for r in httpx.get(
            item + "/results", headers=bearer, params={"page": page}).json()}
        newcomer = next(p["user_id"] for p in students if p["user_id"] not in graded)
        assert httpx.get(item + "/results", headers=bearer,
                         params={"user_id": newcomer}).json() == []
        for text in ("First look.", "Second look."):
            score = {"userId": newcomer, "scoreGiven": 7, "scoreMaximum": 10,
                     "activityProgress": "Completed", "gradingProgress": "FullyGraded",
                     "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000+00:00", time.gmtime()),
                     "comment": text}
            reply = httpx.post(item + "/scores", headers=bearer, json=score)
            assert reply.status_code == 200, reply.text
            assert reply.json()["resultUrl"].startswith(item + "/results/")
        result = httpx.get(item + "/results", headers=bearer,
                           params={"user_id": newcomer}).json()
        assert result[0]["resultScore"] == 7 and result[0]["comment"] == "Second look."
        full = httpx.get(sandbox.info["admin_url"] + "/result",
                         params={"line_item": item, "user_id": newcomer}).json()
        assert [c["comment"] for c in full["comments"]] == ["First look.", "Second look."]
        ledger = httpx.get(sandbox.info["ledger_url"]).json()
        assert [entry["body"]["comment"] for entry in ledger] == ["First look.", "Second look."]

    @pytest.mark.parametrize(("extension", "kept"), [
        ({}, None), ({"preserve_score": True}, 7.0), ({"new_submission": False}, None)])
    def test_a_score_post_without_score_given_clears_the_result_unless_preserved(
            self, sandbox: RunningSandbox, bearer: dict[str, str],
            extension: dict[str, Any], kept: float | None) -> None:
        # canvas-ags.md §5: without scoreGiven the Result's score and maximum clear too,
        # whatever the grading progress, unless preserve_score keeps them.
        item = httpx.get(sandbox.info["lineitems_url"], headers=bearer).json()[0]["id"]
        student = next(p["user_id"] for p in httpx.get(sandbox.info["roster_url"]).json()
                       if p["section"])

        def post(body: dict[str, Any]) -> None:
            body = {"userId": student, "activityProgress": "Completed",
                    "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000+00:00", time.gmtime()),
                    **body}
            reply = httpx.post(item + "/scores", headers=bearer, json=body)
            assert reply.status_code == 200, reply.text
            time.sleep(0.001)

        post({"scoreGiven": 7, "scoreMaximum": 10, "gradingProgress": "FullyGraded"})
        post({"gradingProgress": "Pending",
              "https://canvas.instructure.com/lti/submission": extension})
        [result] = httpx.get(item + "/results", headers=bearer,
                             params={"user_id": student}).json()
        assert result.get("resultScore") == kept
        full = httpx.get(sandbox.info["admin_url"] + "/result",
                         params={"line_item": item, "user_id": student}).json()
        assert (full["grade"] is None) == (kept is None)

    def test_the_throttle_answers_in_plain_text(self, tool_key: rsa.RSAPrivateKey) -> None:
        public = tool_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        with start_sandbox(SandboxConfig(tool_public_keys=[public])) as sandbox:
            reply = token_reply(sandbox, tool_key)
            assert float(reply.headers["X-Request-Cost"]) == 200
            headers = {"Authorization": f"Bearer {reply.json()['access_token']}"}
            sandbox.settings(high_water=240.0, leak_per_s=0.0)
            refused = httpx.get(sandbox.info["lineitems_url"], headers=headers)
            assert refused.status_code == 403
            assert refused.text == "403 Forbidden (Rate Limit Exceeded)\n"
            assert refused.headers["content-type"].startswith("text/plain")
            assert "X-Rate-Limit-Remaining" in refused.headers


def test_same_seed_same_course(tool_key: rsa.RSAPrivateKey) -> None:
    rosters = []
    for _ in range(2):
        with start_sandbox(SandboxConfig(seed=11, throttle=False)) as sandbox:
            rosters.append(httpx.get(sandbox.info["roster_url"]).json())
    assert rosters[0] == rosters[1]
    assert len({p["section"] for p in rosters[0] if p["section"]}) == 3


def test_only_loopback_hosts() -> None:
    with pytest.raises(ValueError, match="loopback"):
        SandboxConfig(host="0.0.0.0")  # noqa: S104


def test_the_command_prints_its_json_line_and_stops_on_sigterm(tmp_path: Path) -> None:
    # How fast the line comes is measured in bench/, not asserted here.
    process = subprocess.Popen(
        [sys.executable, "-m", "gradedesk", "sandbox", "--port", "0", "--seed", "1",
         "--state-dir", str(tmp_path / "state")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        info = json.loads(line)
        required = {"base_url", "issuer", "client_id", "deployment_id", "token_url",
                    "lineitems_url", "nrps_url", "ltiaas_url", "ltiaas_api_key",
                    "ltiaas_service_key", "demo_private_key_file", "ledger_url"}
        assert required <= set(info)
        key_file = Path(info["demo_private_key_file"])
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert httpx.get(info["ledger_url"]).json() == []
    finally:
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=15)
    assert process.returncode == 0, errors
