"""Fixtures for the platform clients: a run-time RSA key, a scriptable in-memory Canvas served
through httpx.MockTransport (for replies the sandbox cannot produce), the sandbox over real
loopback HTTP, and a "foreign" loopback server that records any Authorization header it gets."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from platform_support import (
    FakeCanvas,
    ForeignServer,
    make_config,
    sandbox_config,
)

from gradedesk.platforms.keys import generate_private_key_pem, load_private_key, public_pem
from gradedesk.platforms.lti_advantage import LtiAdvantageClient
from gradedesk.platforms.retry import RetryPolicy
from loopback_server import serve_asgi


@pytest.fixture(scope="session")
def private_pem() -> bytes:
    return generate_private_key_pem()


@pytest.fixture(scope="session")
def public_pem_bytes(private_pem: bytes) -> bytes:
    return public_pem(load_private_key(private_pem))


@pytest.fixture
def fake_canvas(public_pem_bytes: bytes) -> FakeCanvas:
    return FakeCanvas(public_pem=public_pem_bytes)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def canvas_client(fake_canvas: FakeCanvas, private_pem: bytes, sleeps: list[float]
                  ) -> Iterator[LtiAdvantageClient]:
    with LtiAdvantageClient(make_config(), private_pem, transport=fake_canvas.transport(),
                            sleep=sleeps.append,
                            retry_policy=RetryPolicy(max_attempts=4)) as client:
        yield client


# --- The sandbox, over real loopback HTTP ---------------------------------------------------


@pytest.fixture
def sandbox_factory(public_pem_bytes: bytes) -> Iterator[Callable[..., Any]]:
    from contextlib import ExitStack

    from gradedesk.sandbox import SandboxConfig, start_sandbox

    with ExitStack() as stack:
        def start(**knobs: Any) -> Any:
            values: dict[str, Any] = {"port": 0, "seed": 1, "students": 24, "line_items": 6,
                                      "throttle": False, "latency_ms": 0, "fault_rate": 0.0,
                                      "tool_public_keys": [public_pem_bytes]}
            values.update(knobs)
            sb = stack.enter_context(start_sandbox(SandboxConfig(**values)))
            # Workaround for a sandbox bug: stop() closes its file fetcher in a new event loop,
            # which fails (and leaks a socket) when the fetcher kept a connection alive. A
            # fetcher without keep-alive has nothing left to close.
            sb.state.fetcher = httpx.AsyncClient(
                timeout=5.0, follow_redirects=True,
                limits=httpx.Limits(max_keepalive_connections=0))
            return sb

        yield start


@pytest.fixture
def sandbox(sandbox_factory: Callable[..., Any]) -> Any:
    return sandbox_factory()


@pytest.fixture
def sandbox_client(sandbox: Any, private_pem: bytes) -> Iterator[LtiAdvantageClient]:
    with LtiAdvantageClient(sandbox_config(sandbox.info), private_pem) as client:
        yield client


# --- A foreign loopback origin that records what it receives ---------------------------------


@pytest.fixture
def foreign_server() -> Iterator[ForeignServer]:
    """Another origin on loopback that records any Authorization header it is sent."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    seen: list[str | None] = []
    hits: list[str] = []

    async def record(request: Request) -> JSONResponse:
        seen.append(request.headers.get("authorization"))
        hits.append(str(request.url))
        return JSONResponse([])

    app = Starlette(routes=[Route("/{path:path}", record, methods=["GET", "POST"])])
    url, stop = serve_asgi(app)
    try:
        yield ForeignServer(url=url, seen_authorization=seen, hits=hits)
    finally:
        stop()


def dumps(value: object) -> bytes:
    return json.dumps(value).encode()
