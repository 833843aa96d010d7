"""Helpers shared by the platform tests: an in-memory Canvas for MockTransport tests and
config builders. (A plain module so tests can import it; fixtures live in conftest.py.)"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

import httpx
import jwt
import pytest

from gradedesk.domain import (
    ActivityProgress,
    CanvasSubmission,
    ContentItem,
    GradingProgress,
    Score,
    utc_now,
)
from gradedesk.platforms.lti_advantage import LtiAdvantageClient, LtiAdvantageConfig

BASE = "https://canvas.test"
COURSE = f"{BASE}/api/lti/courses/7"
TOKEN_URL = f"{BASE}/login/oauth2/token"
CLIENT_ID = "10000000000042"


# --- An in-memory Canvas --------------------------------------------------------------------

Handler = Callable[[httpx.Request], httpx.Response | None]


@dataclass
class FakeCanvas:
    """Just enough Canvas for unit tests; ``script`` replies win over the built-in routes."""

    public_pem: bytes
    page_size: int = 3
    line_items: int = 7
    expires_in: float = 3600
    requests: list[httpx.Request] = field(default_factory=list)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    script: list[Handler] = field(default_factory=list)
    tokens_issued: int = 0
    valid_tokens: set[str] = field(default_factory=set)
    expired_tokens: set[str] = field(default_factory=set)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for handler in list(self.script):
            reply = handler(request)
            if reply is not None:
                return reply
        if request.url.path == "/login/oauth2/token":
            return self._token(request)
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ")
        if token in self.expired_tokens:
            return httpx.Response(401, json={"errors": {"type": "unauthorized",
                                                        "message": "Access token expired"}})
        if token not in self.valid_tokens:
            return httpx.Response(401, json={"errors": {"type": "unauthorized",
                                                        "message": "Missing access token"}})
        path = request.url.path
        if path == "/api/lti/courses/7/line_items":
            return self._line_items(request)
        if path.endswith("/results"):
            return httpx.Response(200, json=[{
                "id": f"{COURSE}/line_items/1/results/9", "scoreOf": f"{COURSE}/line_items/1",
                "userId": "u-1", "resultScore": 0, "resultMaximum": 10.0}])
        if path.endswith("/scores"):
            return httpx.Response(200, json={"resultUrl": f"{COURSE}/line_items/1/results/9"})
        if path == "/api/lti/courses/7/names_and_roles":
            return httpx.Response(200, json={
                "id": str(request.url), "context": {"id": "ctx", "title": "Biology"},
                "members": [{"user_id": "u-1", "roles": ["Learner"], "status": "Active"}]})
        return httpx.Response(404, json={"errors": [
            {"message": "The specified resource does not exist."}]})

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        claims = jwt.decode(form["client_assertion"], self.public_pem, algorithms=["RS256"],
                            audience=TOKEN_URL,
                            options={"verify_exp": False, "verify_iat": False})
        header = jwt.get_unverified_header(form["client_assertion"])
        self.token_requests.append({"form": form, "claims": claims, "header": header})
        self.tokens_issued += 1
        token = f"token-{self.tokens_issued}"
        self.valid_tokens.add(token)
        return httpx.Response(200, json={"access_token": token, "token_type": "Bearer",
                                         "expires_in": self.expires_in,
                                         "scope": form.get("scope", "")})

    def _line_items(self, request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        start = (page - 1) * self.page_size
        ids = range(start + 1, min(self.line_items, start + self.page_size) + 1)
        body = [{"id": f"{COURSE}/line_items/{i}", "label": f"Lab {i}", "scoreMaximum": 10.0}
                for i in ids]
        links = [f'<{COURSE}/line_items?page={page}&per_page={self.page_size}>; rel="current"']
        if start + self.page_size < self.line_items:
            links.append(f'<{COURSE}/line_items?page={page + 1}&per_page={self.page_size}>; '
                         'rel="next"')
        return httpx.Response(200, json=body, headers={"Link": ",".join(links)})


def make_config(**overrides: Any) -> LtiAdvantageConfig:
    values: dict[str, Any] = {
        "issuer": "https://canvas.instructure.com", "client_id": CLIENT_ID,
        "deployment_id": "1:abc", "token_url": TOKEN_URL,
        "lineitems_url": f"{COURSE}/line_items", "nrps_url": f"{COURSE}/names_and_roles",
    }
    values.update(overrides)
    return LtiAdvantageConfig(**values)


def sandbox_config(info: dict[str, Any], **overrides: Any) -> LtiAdvantageConfig:
    values: dict[str, Any] = {
        "issuer": info["issuer"], "client_id": info["client_id"],
        "deployment_id": info["deployment_id"], "token_url": info["token_url"],
        "lineitems_url": info["lineitems_url"], "nrps_url": info["nrps_url"],
    }
    values.update(overrides)
    return LtiAdvantageConfig(**values)


def _sandbox_available() -> bool:
    try:
        from gradedesk.sandbox import SandboxConfig, start_sandbox  # noqa: F401
    except ImportError:
        return False
    return True


requires_sandbox = pytest.mark.skipif(not _sandbox_available(),
                                      reason="gradedesk.sandbox is not available yet")


@dataclass
class ForeignServer:
    url: str
    seen_authorization: list[str | None]
    hits: list[str]


# --- Sandbox test helpers ---------------------------------------------------------------

def grade(user_id: str, given: float | None = 7.0, *, maximum: float | None = 10.0,
          when: datetime | None = None, comment: str | None = None,
          files: tuple[ContentItem, ...] = ()) -> Score:
    return Score(
        user_id=user_id, activity_progress=ActivityProgress.COMPLETED,
        grading_progress=GradingProgress.FULLY_GRADED, timestamp=when or utc_now(),
        score_given=given, score_maximum=maximum if given is not None else None,
        comment=comment,
        # As GradeDesk sends it to Canvas: a new attempt only with files.
        canvas=CanvasSubmission(new_submission=bool(files), content_items=files))


class TokenCounter:
    """Counts token requests as they leave the client (an httpx request event hook)."""

    def __init__(self, token_url: str) -> None:
        self.token_url = token_url
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> None:
        if str(request.url) == self.token_url:
            with self._lock:
                self.count += 1


def client_for(sb: Any, private_pem: bytes, *, counter: TokenCounter | None = None,
               clock: Callable[[], float] = time.time,
               hooks: dict[str, list[Callable[..., Any]]] | None = None,
               **config: Any) -> LtiAdvantageClient:
    event_hooks: dict[str, list[Callable[..., Any]]] = dict(hooks or {})
    if counter is not None:
        event_hooks.setdefault("request", []).append(counter)
    return LtiAdvantageClient(sandbox_config(sb.info, **config), private_pem, clock=clock,
                              event_hooks=event_hooks)


