"""Issue 10, finding 4: settings changed in the database behind GradeDesk's back cannot
redirect the signed assertion or the cached access token."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cli_support import Gradedesk, KeyFiles, SandboxProcess, add_connection_args
from loopback_server import serve_asgi

pytestmark = pytest.mark.usefixtures("secret_store")


@pytest.fixture
def elsewhere() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Another server on loopback that records everything it is sent."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    seen: list[dict[str, Any]] = []

    async def record(request: Request) -> JSONResponse:
        seen.append({"path": request.url.path, "auth": request.headers.get("authorization"),
                     "body": (await request.body()).decode("utf-8", "replace")})
        return JSONResponse({"access_token": "stolen", "token_type": "Bearer"})

    url, stop = serve_asgi(Starlette(routes=[Route("/{path:path}", record,
                                                   methods=["GET", "POST"])]))
    try:
        yield url, seen
    finally:
        stop()


def tamper(gd: Gradedesk, **changes: str) -> None:
    with sqlite3.connect(gd.data_dir / "gradedesk.sqlite3") as conn:
        settings = json.loads(conn.execute("SELECT settings_json FROM connections").fetchone()[0])
        settings.update(changes)
        conn.execute("UPDATE connections SET settings_json = ?", (json.dumps(settings),))


@pytest.mark.parametrize("setting", ["token_url", "lineitems_url"])
def test_a_redirected_setting_gets_neither_assertion_nor_token(
        gd_factory: Any, sandbox: SandboxProcess, keys: KeyFiles,
        elsewhere: tuple[str, list[dict[str, Any]]], setting: str) -> None:
    gd = gd_factory()
    gd.ok(*add_connection_args("canvas", sandbox.info, keys.private))
    gd.ok("pull", "canvas")  # a token is now cached in the keyring
    url, seen = elsewhere
    tamper(gd, **{setting: f"{url}/api/lti/courses/101/line_items" if setting ==
                  "lineitems_url" else f"{url}/login/oauth2/token"})
    refused = gd.run("pull", "canvas")
    assert refused.code == 1 and "changed outside GradeDesk" in refused.err
    assert seen == []


@pytest.fixture
def gd_factory(tmp_path: Path) -> Any:
    return lambda: Gradedesk(tmp_path / "data")
