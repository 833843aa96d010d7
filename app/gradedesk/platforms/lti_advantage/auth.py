"""OAuth 2 client credentials with a private_key_jwt assertion, as an httpx.Auth flow.

The flow signs a short-lived assertion, trades it for a scoped bearer token at the platform's
token endpoint (yielded as an extra request inside the flow), caches the token per scope set
until shortly before it expires, and refreshes it once when a service says it has expired.

The bearer is attached only to requests whose origin is one of the configured platform origins;
any other URL (a Link, Progress or result URL on another host) is refused before a byte is sent.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from typing import Protocol

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from gradedesk.platforms.errors import (
    ForeignOrigin,
    MalformedReply,
    PlatformError,
    ScopeNotGranted,
    error_from_response,
    platform_message_of,
)
from gradedesk.platforms.http import origin_of, read_capped
from gradedesk.platforms.keys import key_id_of
from gradedesk.platforms.parsing import json_of

SCOPES_EXTENSION = "gradedesk.scopes"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME_S = 300
RENEW_MARGIN_S = 300.0  # Canvas guidance: renew with less than 5 minutes left
DEFAULT_EXPIRES_IN_S = 3600.0
MIN_TOKEN_LIFETIME_S = 60.0
MAX_TOKEN_LIFETIME_S = 24 * 3600.0
MAX_TOKEN_REPLY_BYTES = 1024 * 1024

# Service 401s that a new token can fix (Canvas's wording); "not linked", "Insufficient
# permissions" and developer-key problems cannot be fixed by a new token.
_TOKEN_PROBLEM = re.compile(
    r"access token expired|invalid access token|access token invalid|missing access token|"
    r"access token signature|invalid_token",
    re.I,
)


class _BundleRefused(Exception):
    """Internal: the key lacks a scope of the bundle; retry with the operation's own scopes.
    ``error``: the platform's refusal (None: another thread had it already)."""

    def __init__(self, error: ScopeNotGranted | None = None) -> None:
        super().__init__(error.user_message if error is not None else "bundle refused")
        self.error = error


@dataclass(frozen=True, slots=True)
class _Token:
    value: str
    renew_at: float

    def __repr__(self) -> str:
        return f"_Token(renew_at={self.renew_at!r})"


class TokenCache(Protocol):
    """Somewhere safe to keep access tokens between runs (the OS keyring), so that each
    command does not pay for a new token: Canvas charges 200 throttle units per request."""

    def load(self, scopes: str) -> tuple[str, float] | None: ...

    def save(self, scopes: str, token: str, renew_at: float) -> None: ...


class ClientAssertionAuth(httpx.Auth):
    """Thread-safe: a lock guarantees at most one token request at a time across threads."""

    requires_request_body = False
    requires_response_body = False

    def __init__(
        self,
        *,
        client_id: str,
        token_url: str,
        private_key: rsa.RSAPrivateKey | Callable[[], rsa.RSAPrivateKey],
        allowed_origins: Iterable[str],
        key_id: str | None = None,
        audience: str | None = None,
        clock: Callable[[], float] = time.time,
        on_token_reply: Callable[[httpx.Response], None] | None = None,
        scope_bundle: Iterable[str] | None = None,
        token_cache: TokenCache | None = None,
    ) -> None:
        self._client_id = client_id
        self._saved = token_cache
        self._token_url = token_url
        # The key may come as a loader, called at the first signature: a run whose token is
        # still valid (kept in the keyring) never reads or holds the private key.
        self._key: rsa.RSAPrivateKey | None = None
        self._load_key: Callable[[], rsa.RSAPrivateKey] | None = None
        if isinstance(private_key, rsa.RSAPrivateKey):
            self._key = private_key
        else:
            self._load_key = private_key
        self._key_id = key_id
        self._key_lock = threading.Lock()
        self._audience = audience or token_url
        self._origins = frozenset(origin_of(origin) for origin in allowed_origins)
        self._clock = clock
        self._on_token_reply = on_token_reply
        self._lock = threading.Lock()
        self._cache: dict[frozenset[str], _Token] = {}
        # Canvas charges 200 throttle units per token request, so by default one token covers
        # every scope the client uses; if the key lacks one of them, fall back to per-operation.
        self._bundle = frozenset(scope_bundle) if scope_bundle else None
        self._first_bundle = self._bundle  # still recognised once dropped (see _token)
        self.token_requests = 0

    def __repr__(self) -> str:
        return f"ClientAssertionAuth(client_id={self._client_id!r}, token_url={self._token_url!r})"

    def invalidate(self) -> None:
        with self._lock:
            self._cache.clear()

    def fetch_token(self, send: Callable[[httpx.Request], httpx.Response]) -> httpx.Response:
        """Ask the token endpoint for a fresh token now, for every scope the client uses
        (``connection check``: proves the key, the client id and the scopes). Returns the
        token reply (its ``Date`` tells the platform's clock); errors as for any request."""
        scopes = self._bundle or frozenset()
        if not scopes:
            raise PlatformError("Internal error: no scopes to ask a token for.")
        with self._lock:
            self._cache.pop(scopes, None)
        replies: list[httpx.Response] = []

        def sending(request: httpx.Request) -> httpx.Response:
            response = send(request)
            replies.append(response)
            return response

        flow = self._token(scopes, stale=None, timeout=None, use_saved=False)
        try:
            request = next(flow)
            flow.send(sending(request))
        except StopIteration:
            pass
        except _BundleRefused as refused:
            if refused.error is None:
                raise PlatformError("The platform refused the scopes GradeDesk asked for; "
                                    "see the connection's check.") from None
            raise refused.error from None
        finally:
            flow.close()  # releases the lock if sending failed
        return replies[-1]

    def assertion(self) -> str:
        """A fresh signed client assertion (RS256, kid header, unique jti)."""
        now = int(self._clock())
        claims = {
            "iss": self._client_id,
            "sub": self._client_id,
            "aud": self._audience,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_S,
            "jti": secrets.token_urlsafe(24),
        }
        import jwt  # here: a run that signs nothing does not load it

        key, key_id = self._signing_key()
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": key_id})

    def _signing_key(self) -> tuple[rsa.RSAPrivateKey, str]:
        with self._key_lock:
            if self._key is None:
                assert self._load_key is not None
                self._key = self._load_key()
            if self._key_id is None:
                self._key_id = key_id_of(self._key)
            return self._key, self._key_id

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response,
                                                                   None]:
        origin = origin_of(request.url)
        if origin not in self._origins:
            raise ForeignOrigin(
                f"Refusing to send GradeDesk's access token to {origin}: it is not the "
                f"platform's address ({', '.join(sorted(self._origins))}).",
                url=str(request.url))
        scopes = self._token_scopes(_scopes_of(request))
        timeout = request.extensions.get("timeout")
        try:
            token = yield from self._token(scopes, stale=None, timeout=timeout)
        except _BundleRefused:
            self._bundle = None
            scopes = _scopes_of(request)
            token = yield from self._token(scopes, stale=None, timeout=timeout)
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        body = read_capped(response, MAX_TOKEN_REPLY_BYTES)
        message, _ = platform_message_of(401, body)
        challenge = response.headers.get("www-authenticate", "")
        if not _TOKEN_PROBLEM.search(f"{message or ''} {challenge}"):
            return
        # One refresh only: a second 401 is the platform's real answer.
        response.close()
        token = yield from self._token(scopes, stale=token, timeout=timeout)
        request.headers["Authorization"] = f"Bearer {token}"
        yield request

    def _token_scopes(self, wanted: frozenset[str]) -> frozenset[str]:
        bundle = self._bundle
        return bundle if bundle is not None and wanted <= bundle else wanted

    def _token(self, scopes: frozenset[str], *, stale: str | None, timeout: object,
               use_saved: bool = True) -> Generator[httpx.Request, httpx.Response, str]:
        cached = self._cache.get(scopes)
        if cached is not None and cached.value != stale and self._clock() < cached.renew_at:
            return cached.value
        with self._lock:
            # Another thread may have fetched it while we waited for the lock.
            cached = self._cache.get(scopes)
            if cached is not None and cached.value != stale and self._clock() < cached.renew_at:
                return cached.value
            if self._bundle is None and scopes == self._first_bundle:
                # Another thread found the bundle refused while this one waited for the lock:
                # straight to the operation's own scopes, without asking again.
                raise _BundleRefused
            self._cache.pop(scopes, None)
            kept = self._load_saved(scopes) if use_saved else None
            if kept is not None and kept.value != stale and self._clock() < kept.renew_at:
                self._cache[scopes] = kept
                return kept.value
            self.token_requests += 1
            issued = self._clock()
            response = yield self._token_request(scopes, timeout)
            try:
                read_capped(response, MAX_TOKEN_REPLY_BYTES)
            finally:
                response.close()
            if self._on_token_reply is not None:
                # Canvas charges 200 units per token: let the pacer see (and wait for) that
                # before the service request the token is for goes out.
                self._on_token_reply(response)
            if not 200 <= response.status_code < 300:
                error = error_from_response(response, token_endpoint=True)
                if isinstance(error, ScopeNotGranted) and scopes == self._first_bundle:
                    raise _BundleRefused(error)
                raise error
            value, expires_in = _parse_token_reply(response)
            margin = min(RENEW_MARGIN_S, expires_in / 10)
            self._cache[scopes] = _Token(value, issued + expires_in - margin)
            if self._saved is not None:
                self._saved.save(" ".join(sorted(scopes)), value, issued + expires_in - margin)
            return value

    def _load_saved(self, scopes: frozenset[str]) -> _Token | None:
        if self._saved is None:
            return None
        found = self._saved.load(" ".join(sorted(scopes)))
        return None if found is None else _Token(*found)

    def _token_request(self, scopes: frozenset[str], timeout: object) -> httpx.Request:
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": self.assertion(),
            "scope": " ".join(sorted(scopes)),
        }
        # The service request's timeouts apply to the token request too (a bare Request has
        # none, and httpx would then wait forever).
        return httpx.Request("POST", self._token_url, data=form,
                             headers={"Accept": "application/json"},
                             extensions={"timeout": timeout} if timeout else {})


def _scopes_of(request: httpx.Request) -> frozenset[str]:
    raw = request.extensions.get(SCOPES_EXTENSION)
    if not raw:
        raise PlatformError("Internal error: a platform request was built without its scopes.")
    return frozenset(str(scope) for scope in raw)


def _parse_token_reply(response: httpx.Response) -> tuple[str, float]:
    data = json_of(response, "the access token")
    status = response.status_code
    if not isinstance(data, dict):
        raise MalformedReply("The token endpoint's reply is not a JSON object.", status=status)
    token = data.get("access_token")
    # A bearer token is visible ASCII (RFC 6750's b64token and then some); anything else
    # (a NUL, a line break) would break every request it is put in.
    if not isinstance(token, str) or not token or len(token) > 16384 or \
            any(not "!" <= c <= "~" for c in token):
        raise MalformedReply("The token endpoint's reply has no usable access_token.",
                             status=status)
    token_type = data.get("token_type", "Bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise MalformedReply("The token endpoint issued a token that is not a Bearer token.",
                             status=status)
    expires_in = data.get("expires_in", DEFAULT_EXPIRES_IN_S)
    if isinstance(expires_in, str) and expires_in.isdigit():
        expires_in = int(expires_in)
    if (isinstance(expires_in, bool) or not isinstance(expires_in, int | float)
            or not 0 < expires_in < 10**9):
        raise MalformedReply("The token endpoint's expires_in is not a positive number.",
                             status=status)
    # Neither a token per request (0.001 s) nor one kept for years (999999999 s).
    return token, min(MAX_TOKEN_LIFETIME_S, max(MIN_TOKEN_LIFETIME_S, float(expires_in)))
