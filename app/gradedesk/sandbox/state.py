"""Everything one running sandbox holds, and the gate every Canvas service request passes:
latency, faults, the bearer token, the throttle and Canvas's checks in Canvas's order."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from gradedesk.sandbox import replies
from gradedesk.sandbox.config import Knobs, SandboxConfig
from gradedesk.sandbox.course import Course
from gradedesk.sandbox.throttle import Throttle
from gradedesk.sandbox.tokens import TokenAuthority


@dataclass
class SandboxState:
    config: SandboxConfig
    knobs: Knobs
    course: Course
    authority: TokenAuthority
    throttle: Throttle
    ltiaas_api_key: str
    ltiaas_service_key: str
    ltiaas_ltik: str
    base_url: str = ""
    fault_rng: random.Random = field(default_factory=random.Random)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def course_url(self, path: str = "") -> str:
        return f"{self.base_url}/api/lti/courses/{self.course.course_id}{path}"

    def line_item_url(self, number: int) -> str:
        return self.course_url(f"/line_items/{number}")

    # The minimal profile's URLs: like Moodle's, every item id ends in ``/lineitem`` and carries
    # ``?type_id=1``, so a client that appends to the id instead of the path breaks at once.
    def spec_container_url(self) -> str:
        return f"{self.base_url}/ags/{self.course.course_id}/lineitems?type_id=1"

    def spec_item_path(self, number: int) -> str:
        return f"{self.base_url}/ags/{self.course.course_id}/lineitems/{number}/lineitem"

    def spec_item_url(self, number: int) -> str:
        return f"{self.spec_item_path(number)}?type_id=1"

    def spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


FAULT_PREFIX = "sandbox fault:"


class DroppedConnection(Response):
    """Starts a reply and then fails, so the server cuts the connection mid-response."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", b"1000")]})
        raise ConnectionAbortedError(f"{FAULT_PREFIX} dropped connection")


Handler = Callable[[Request, dict[str, Any]], Awaitable[Response]]


FAULT_STATUSES = (500, 502, 503, 504)


async def chaos(state: SandboxState) -> Response | None:
    """The latency and fault knobs, applied before a service request is served."""
    knobs = state.knobs
    if knobs.latency_ms:
        await asyncio.sleep(knobs.latency_ms / 1000)
    if knobs.fault_rate and state.fault_rng.random() < knobs.fault_rate:
        if state.fault_rng.random() < 0.5:
            return replies.generic_error(500)
        return DroppedConnection()
    if knobs.error_rate or knobs.drop_rate or knobs.hang_rate:
        roll = state.fault_rng.random()
        if roll < knobs.error_rate:
            return replies.generic_error(state.fault_rng.choice(FAULT_STATUSES))
        if roll < knobs.error_rate + knobs.drop_rate:
            return DroppedConnection()
        if roll < knobs.error_rate + knobs.drop_rate + knobs.hang_rate:
            await asyncio.sleep(knobs.hang_s)  # then served: applied after the client gave up
    return None


async def serve(state: SandboxState, request: Request, scope_needed: tuple[str, ...],
                handler: Handler, *, ags: bool = True) -> Response:
    """Run ``handler`` behind Canvas's service checks (canvas-ags.md §1), in order."""
    faulty = await chaos(state)
    if faulty is not None:
        return faulty
    claims, problem = bearer_claims(state, request, query_token=True)
    if claims is None:
        return replies.lti_error(401, problem)
    client_id = str(claims.get("sub"))
    if not state.throttle.admit(client_id):
        return replies.throttled(state.throttle.remaining(client_id))
    response = service_checks(state, request, claims, scope_needed, ags=ags)
    if response is None:
        response = await handler(request, claims)
        await delay_reply(state, request)
    remaining = state.throttle.settle(client_id, state.knobs.request_cost)
    if state.knobs.throttle:
        response.headers["X-Request-Cost"] = f"{state.knobs.request_cost:.4f}"
        response.headers["X-Rate-Limit-Remaining"] = f"{remaining:.4f}"
    return response


async def delay_reply(state: SandboxState, request: Request) -> None:
    """The ``reply_delay_ms`` knob: a write is applied, and its reply held back."""
    if state.knobs.reply_delay_ms and request.method in ("POST", "PUT", "DELETE"):
        await asyncio.sleep(state.knobs.reply_delay_ms / 1000)


def bearer_claims(state: SandboxState, request: Request, *,
                  query_token: bool) -> tuple[dict[str, Any] | None, str]:
    """The bearer token's claims, or the 401 message for it. Canvas also reads an
    ``access_token`` query parameter; a spec-only platform reads the header alone."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    if query_token:
        token = token or request.query_params.get("access_token")
    claims, problem = state.authority.check_bearer(token)
    return claims, problem or "Invalid access token format"


def service_checks(state: SandboxState, request: Request, claims: dict[str, Any],
                   scope_needed: tuple[str, ...], *, ags: bool) -> Response | None:
    """Checks 2-7 of canvas-ags.md §1 (key, scopes, course by the route's ``course_id``)."""
    knobs = state.knobs
    if not knobs.key_active:
        return replies.lti_error(401, "Unknown or inactive Developer Key")
    granted = set(claims.get("scopes") or [])
    if not granted.intersection(scope_needed):
        return replies.lti_error(401, "Insufficient permissions")
    if not knobs.key_enabled_for_account:
        return replies.lti_error(401, "Invalid Developer Key")
    course_id = request.path_params.get("course_id")
    if str(course_id) != str(state.course.course_id):
        return replies.not_found()
    if knobs.course_state == "deleted":
        return replies.lti_error(404, "Context is deleted or not found")
    if not knobs.tool_installed:
        return replies.lti_error(
            401, "Access Token not linked to a Tool associated with this Context")
    if ags and knobs.course_state == "concluded":
        if knobs.ags_improved_course_concluded_response_codes:
            return replies.lti_error(422, "This course has concluded. AGS requests will no "
                                          "longer be accepted for this course.")
        return replies.not_found()
    return None
