"""A developer key made the way a Canvas admin makes one: Developer Keys -> + LTI Key -> Paste
JSON. The pasted key then signs assertions, and only the pasted scopes are granted."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from wire_support import LINEITEM, RESULT, SCORE, bearer, new_key, token_reply

from gradedesk.sandbox import RunningSandbox, SandboxConfig, start_sandbox


@pytest.fixture(scope="module")
def fresh_key() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture(params=["canvas", "minimal"])
def sandbox(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningSandbox]:
    # Only the demo key is known at start; the fresh key is not.
    with start_sandbox(SandboxConfig(seed=5, throttle=False, profile=request.param,
                                     state_dir=tmp_path / "state")) as sb:
        yield sb


def jwk_of(key: rsa.RSAPrivateKey) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    return {**jwk, "alg": "RS256", "use": "sig", "kid": "gradedesk-2026"}


def configuration(key: rsa.RSAPrivateKey, **changes: Any) -> dict[str, Any]:
    """What GradeDesk would have the admin paste, in Canvas's LTI 1.3 JSON layout."""
    config: dict[str, Any] = {
        "title": "GradeDesk", "description": "Offline gradebook that syncs through AGS",
        "target_link_uri": "https://gradedesk.example/launch",
        "oidc_initiation_url": "https://gradedesk.example/login",
        "public_jwk": jwk_of(key), "scopes": [LINEITEM, RESULT, SCORE],
        "extensions": [{"platform": "canvas.instructure.com", "privacy_level": "public",
                        "settings": {"placements": []}}],
        "custom_fields": {}}
    config.update(changes)
    return {k: v for k, v in config.items() if v is not None}


def paste(sandbox: RunningSandbox, body: Any) -> httpx.Response:
    return httpx.post(sandbox.info["admin_url"] + "/developer_keys", json=body)


def test_a_pasted_key_signs_assertions_from_then_on(sandbox: RunningSandbox,
                                                    fresh_key: rsa.RSAPrivateKey) -> None:
    before = token_reply(sandbox.info, fresh_key)
    assert before.status_code == 400
    assert before.json()["error_description"] == "JWS signature invalid."
    reply = paste(sandbox, configuration(fresh_key))
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"client_id": sandbox.info["client_id"],
                            "scopes": [LINEITEM, RESULT, SCORE], "title": "GradeDesk"}
    auth = bearer(sandbox.info, fresh_key)
    listed = httpx.get(sandbox.info["lineitems_url"], headers=auth)
    assert listed.status_code == 200 and listed.json()


@pytest.mark.parametrize("field", ["title", "description", "target_link_uri",
                                   "oidc_initiation_url", "public_jwk", "scopes"])
def test_required_fields(sandbox: RunningSandbox, fresh_key: rsa.RSAPrivateKey,
                         field: str) -> None:
    reply = paste(sandbox, configuration(fresh_key, **{field: None}))
    assert reply.status_code == 400 and field in reply.json()["error"]
    blank = paste(sandbox, configuration(fresh_key, title="  "))
    assert blank.status_code == 400 and "title" in blank.json()["error"]
    assert token_reply(sandbox.info, fresh_key).status_code == 400  # nothing was added


def test_a_jwk_url_cannot_be_fetched(sandbox: RunningSandbox,
                                     fresh_key: rsa.RSAPrivateKey) -> None:
    reply = paste(sandbox, configuration(fresh_key, public_jwk=None,
                                         public_jwk_url="https://gradedesk.example/jwks"))
    assert reply.status_code == 400
    assert reply.json() == {"error": "The sandbox cannot fetch a public_jwk_url from this "
                                     "machine; paste public_jwk"}


@pytest.mark.parametrize("jwk", [
    {"kty": "EC", "crv": "P-256", "x": "a", "y": "b"},
    {"kty": "RSA", "e": "AQAB"},
    {"kty": "RSA", "n": "!!", "e": "AQAB"},
    "not an object",
])
def test_the_jwk_must_be_an_rsa_public_key(sandbox: RunningSandbox,
                                           fresh_key: rsa.RSAPrivateKey, jwk: Any) -> None:
    assert paste(sandbox, configuration(fresh_key, public_jwk=jwk)).status_code == 400


def test_a_private_jwk_is_refused(sandbox: RunningSandbox,
                                  fresh_key: rsa.RSAPrivateKey) -> None:
    private: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(fresh_key))
    reply = paste(sandbox, configuration(fresh_key, public_jwk=private))
    assert reply.status_code == 400 and "private" in reply.json()["error"]


def test_an_unknown_scope_is_named(sandbox: RunningSandbox,
                                   fresh_key: rsa.RSAPrivateKey) -> None:
    wrong = "https://purl.imsglobal.org/spec/lti-ags/scope/everything"
    reply = paste(sandbox, configuration(fresh_key, scopes=[LINEITEM, wrong]))
    assert reply.status_code == 400 and wrong in reply.json()["error"]


def test_only_the_pasted_scopes_are_granted(sandbox: RunningSandbox,
                                            fresh_key: rsa.RSAPrivateKey) -> None:
    assert paste(sandbox, configuration(fresh_key, scopes=[LINEITEM, SCORE])).status_code == 200
    refused = token_reply(sandbox.info, fresh_key, (LINEITEM, RESULT))
    assert refused.status_code == 400
    body = refused.json()
    assert body["error"] == "invalid_scope"
    assert body["error_description"].endswith("were requested, but not granted: " + RESULT)
    assert token_reply(sandbox.info, fresh_key, (LINEITEM, SCORE)).status_code == 200


def test_only_json_is_accepted(sandbox: RunningSandbox, fresh_key: rsa.RSAPrivateKey) -> None:
    url = sandbox.info["admin_url"] + "/developer_keys"
    as_text = httpx.post(url, content=json.dumps(configuration(fresh_key)),
                         headers={"Content-Type": "text/plain"})
    assert as_text.status_code == 415
    broken = httpx.post(url, content=b"{title: GradeDesk",
                        headers={"Content-Type": "application/json"})
    assert broken.status_code == 400
    assert paste(sandbox, [configuration(fresh_key)]).status_code == 400
