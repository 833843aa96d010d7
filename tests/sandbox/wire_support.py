"""Raw-HTTP helpers for the sandbox tests: a signed client assertion and the token request,
written from the wire rules (canvas-ags.md §2), not from GradeDesk's client."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
LINEITEM_RO = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
RESULT = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_SCOPES = (LINEITEM, RESULT, SCORE)


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def assertion(key: rsa.RSAPrivateKey, info: dict[str, Any]) -> str:
    now = int(time.time())
    claims = {"iss": info["client_id"], "sub": info["client_id"], "aud": info["token_url"],
              "iat": now, "exp": now + 300, "jti": str(uuid.uuid4())}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})


def token_reply(info: dict[str, Any], key: rsa.RSAPrivateKey,
                scopes: tuple[str, ...] = AGS_SCOPES) -> httpx.Response:
    return httpx.post(info["token_url"], data={
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion(key, info), "scope": " ".join(scopes)})


def bearer(info: dict[str, Any], key: rsa.RSAPrivateKey,
           scopes: tuple[str, ...] = AGS_SCOPES) -> dict[str, str]:
    reply = token_reply(info, key, scopes)
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}
