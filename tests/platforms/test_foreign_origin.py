"""The bearer token never reaches a second loopback server playing a foreign origin, over real
HTTP: neither through a Link next URL nor through a Progress URL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from platform_support import (
    ForeignServer,
    make_config,
    requires_sandbox,
    sandbox_config,
)

from gradedesk.platforms.errors import ForeignOrigin
from gradedesk.platforms.lti_advantage import LtiAdvantageClient
from loopback_server import serve_asgi


@pytest.fixture
def link_platform(foreign_server: ForeignServer) -> Iterator[tuple[str, list[str | None]]]:
    """A tiny real-HTTP platform whose line item list links its next page to the foreign
    server."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    seen: list[str | None] = []

    async def token(request: Request) -> JSONResponse:
        return JSONResponse({"access_token": "sekret-token", "token_type": "Bearer",
                             "expires_in": 3600})

    async def line_items(request: Request) -> JSONResponse:
        seen.append(request.headers.get("authorization"))
        return JSONResponse(
            [{"id": f"{request.base_url}li/1", "label": "L", "scoreMaximum": 1}],
            headers={"Link": f'<{foreign_server.url}/api/lti/courses/7/line_items?page=2>; '
                             'rel="next"'})

    app = Starlette(routes=[Route("/login/oauth2/token", token, methods=["POST"]),
                            Route("/api/lti/courses/7/line_items", line_items)])
    url, stop = serve_asgi(app)
    try:
        yield url, seen
    finally:
        stop()


def test_link_next_to_a_foreign_origin_gets_no_bearer(
        link_platform: tuple[str, list[str | None]], foreign_server: ForeignServer,
        private_pem: bytes) -> None:
    base, seen = link_platform
    config = make_config(token_url=f"{base}/login/oauth2/token",
                         lineitems_url=f"{base}/api/lti/courses/7/line_items", nrps_url=None)
    with LtiAdvantageClient(config, private_pem) as client, \
            pytest.raises(ForeignOrigin, match=r"127\.0\.0\.1"):
        client.list_line_items()
    assert seen == ["Bearer sekret-token"]  # the platform itself did get it
    assert foreign_server.hits == []  # not one byte went to the other origin


@requires_sandbox
def test_progress_url_on_a_foreign_origin_gets_no_bearer(
        sandbox: Any, foreign_server: ForeignServer, private_pem: bytes) -> None:
    with LtiAdvantageClient(sandbox_config(sandbox.info), private_pem) as client:
        client.list_line_items()  # holds a valid token now
        with pytest.raises(ForeignOrigin):
            client.get_progress(f"{foreign_server.url}/api/lti/courses/1/progress/1")
        with pytest.raises(ForeignOrigin):
            client.list_results(f"{foreign_server.url}/api/lti/courses/1/line_items/1")
    assert foreign_server.hits == []
    assert foreign_server.seen_authorization == []
