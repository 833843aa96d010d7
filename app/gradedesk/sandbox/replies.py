"""Canvas's reply shapes: the LTI error object, the generic error array, OAuth errors, the
throttle's plain text; and small HTML pages (a course page, Moodle's error page)."""

from __future__ import annotations

import html
from http import HTTPStatus
from typing import Any

from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response


def lti_error(status: int, message: str) -> JSONResponse:
    kind = HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    return JSONResponse({"errors": {"type": kind, "message": message}}, status_code=status)


def generic_error(status: int, message: str | None = None, **extra: Any) -> JSONResponse:
    entry: dict[str, Any] = {"message": message or "An error occurred."}
    if message is None:
        entry["error_code"] = HTTPStatus(status).phrase.lower().replace(" ", "_")
    entry.update(extra)
    return JSONResponse({"errors": [entry]}, status_code=status)


def not_found() -> JSONResponse:
    return generic_error(404, "The specified resource does not exist.")


def oauth_error(status: int, error: str, description: str,
                headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description},
                        status_code=status, headers=headers)


def empty(status: int) -> Response:
    return Response(status_code=status)


def throttled(remaining: float) -> PlainTextResponse:
    return PlainTextResponse("403 Forbidden (Rate Limit Exceeded)\n", status_code=403,
                             headers={"X-Rate-Limit-Remaining": f"{remaining:.1f}"})


def json_reply(body: Any, media_type: str, status: int = 200,
               headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=media_type, headers=headers)


def html_page(status: int, title: str, text: str) -> HTMLResponse:
    page = (f"<!DOCTYPE html>\n<html dir=\"ltr\" lang=\"en\">\n<head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title></head>\n<body>\n<h1>{html.escape(title)}</h1>\n"
            f"<p>{html.escape(text)}</p>\n</body>\n</html>\n")
    return HTMLResponse(page, status_code=status)
