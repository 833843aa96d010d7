"""The OAuth 2 token endpoint (client_credentials with a JWT client assertion) and the check of
the bearer tokens it issues, with Canvas's rules, order and messages."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
REQUIRED_CLAIMS = ("iss", "sub", "aud", "iat", "exp", "jti")
SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    "https://canvas.instructure.com/lti-ags/progress/scope/show",
)


def load_public_key(data: bytes) -> rsa.RSAPublicKey:
    """A tool key given as a PEM (public, or private whose public half is used) or a JWK."""
    text = data.strip()
    key: object
    if text.startswith(b"{"):
        jwk = json.loads(text)
        if "keys" in jwk:
            jwk = jwk["keys"][0]
        key = RSAAlgorithm.from_jwk(jwk)
    elif b"PRIVATE KEY" in text:
        key = serialization.load_pem_private_key(text, password=None)
    else:
        key = serialization.load_pem_public_key(text)
    if isinstance(key, rsa.RSAPrivateKey):
        key = key.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("a tool key must be RSA")
    return key


def public_key_from_jwk(jwk: dict[str, Any]) -> rsa.RSAPublicKey:
    """The RSA public key of a pasted ``public_jwk``; ValueError when it is not one."""
    if jwk.get("kty") != "RSA":
        raise ValueError('public_jwk must have "kty": "RSA"')
    for name in ("n", "e"):
        if not isinstance(jwk.get(name), str) or not jwk[name]:
            raise ValueError(f"public_jwk needs {name!r}, a base64url string")
    if jwk.get("alg", "RS256") != "RS256":
        raise ValueError('public_jwk "alg" must be RS256')
    if "d" in jwk:
        # A private key pasted by mistake must not be kept, even in a sandbox.
        raise ValueError("public_jwk holds a private key; paste the public half only")
    try:
        key = RSAAlgorithm.from_jwk(jwk)
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise ValueError(f"public_jwk is not a usable RSA key: {error}") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("public_jwk is not an RSA public key")
    return key


@dataclass
class TokenError(Exception):
    status: int
    error: str
    description: str

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Canvas OAuth 2.0"} if self.status == 401 else {}


class TokenAuthority:
    def __init__(self, *, client_id: str, public_keys: list[rsa.RSAPublicKey]) -> None:
        self.client_id = client_id
        self.public_keys = public_keys
        # What the developer key allows; a pasted LTI key configuration narrows it (§2).
        self.granted_scopes: set[str] = set(SCOPES)
        self._secret = secrets.token_bytes(32)
        self.issued = 0
        self.generation = 0  # tokens of an older generation read as expired (expire_all)

    def configure_key(self, public_key: rsa.RSAPublicKey, scopes: list[str]) -> None:
        """A developer key pasted in Canvas: its key now signs assertions, its scopes rule."""
        if not any(known.public_numbers() == public_key.public_numbers()
                   for known in self.public_keys):
            self.public_keys.append(public_key)
        self.granted_scopes = set(scopes)

    def exchange(self, form: dict[str, str], token_url: str, *, key_active: bool,
                 lifetime_s: int) -> dict[str, Any]:
        if form.get("grant_type") != "client_credentials":
            raise TokenError(400, "unsupported_grant_type",
                             "The grant_type you requested is not currently supported")
        assertion = form.get("client_assertion", "")
        try:
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            unverified = {}
        if unverified.get("sub") != self.client_id or not key_active:
            raise TokenError(401, "invalid_client", "unknown client")
        self._check_assertion(assertion, unverified, token_url)
        requested = (form.get("scope") or form.get("scopes") or "").split()
        refused = [scope for scope in requested if scope not in self.granted_scopes]
        if not requested or refused:
            raise TokenError(
                400, "invalid_scope",
                "A requested scope is invalid, unknown, malformed, or exceeds the scope granted "
                "by the resource owner. The following scopes were requested, but not granted: "
                + " ".join(refused))
        now = int(time.time())
        token = jwt.encode({"sub": self.client_id, "scopes": requested, "iat": now,
                            "exp": now + lifetime_s, "jti": secrets.token_hex(8),
                            "gen": self.generation},
                           self._secret, algorithm="HS256")
        self.issued += 1
        return {"access_token": token, "token_type": "Bearer", "expires_in": lifetime_s,
                "scope": " ".join(requested)}

    def _check_assertion(self, assertion: str, claims: dict[str, Any], token_url: str) -> None:
        def bad(description: str) -> TokenError:
            return TokenError(400, "invalid_request", description)

        missing = [name for name in REQUIRED_CLAIMS if name not in claims]
        if missing:
            raise bad(f"the following assertions are missing: {', '.join(missing)}")
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if token_url not in audiences:
            raise bad("the 'aud' is invalid")
        now = time.time()
        if not isinstance(claims["exp"], int | float) or isinstance(claims["exp"], bool):
            raise bad("the 'exp' must be a number")
        if claims["exp"] < now:
            raise bad("the JWT has expired")
        iat = claims["iat"]
        if not isinstance(iat, int | float) or now - iat > 300:
            raise bad("the 'iat' must be less than 300 seconds old")
        if iat > now + 30:
            raise bad("the 'iat' must not be in the future")
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError:
            raise bad("JWS signature invalid.") from None
        if header.get("alg") != "RS256":
            raise bad("JWS signature invalid.")
        for key in self.public_keys:
            try:
                jwt.decode(assertion, key, algorithms=["RS256"],
                           options={"verify_aud": False, "verify_exp": False,
                                    "verify_iat": False, "verify_nbf": False})
                return
            except jwt.PyJWTError:
                continue
        raise bad("JWS signature invalid.")

    def check_bearer(self, token: str | None) -> tuple[dict[str, Any] | None, str | None]:
        """The token's claims, or the 401 message Canvas gives for it."""
        if not token:
            return None, "Missing access token"
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return None, "Invalid access token format"
        if header.get("alg") != "HS256":
            return None, "Access token signature algorithm not allowed"
        try:
            claims = jwt.decode(token, self._secret, algorithms=["HS256"])
        except jwt.ExpiredSignatureError:
            return None, "Access token expired"
        except jwt.InvalidSignatureError:
            return None, "Access token invalid - signature likely incorrect"
        except jwt.PyJWTError as error:
            return None, f"Invalid access token field/s: {error}"
        if claims.get("gen") != self.generation:
            return None, "Access token expired"
        return claims, None

    def expire_all(self) -> None:
        """Every token issued so far expires now (a test of token renewal need not wait out
        a lifetime)."""
        self.generation += 1
