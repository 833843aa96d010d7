"""The sandbox's own endpoints for tests and demos: the ledger of accepted scores, a teacher's
change "in the browser", run-time knobs, the roster with sections (as JSON, and as the CSV a
teacher exports from Canvas's gradebook), sample files, and a developer key made from a pasted
LTI 1.3 JSON configuration."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gradedesk.sandbox import replies
from gradedesk.sandbox.course import course_csv
from gradedesk.sandbox.state import SandboxState
from gradedesk.sandbox.tokens import SCOPES, public_key_from_jwk

SAMPLE_FILES = {
    "lab-report.pdf": ("application/pdf", b"%PDF-1.4\n% GradeDesk sandbox sample\n1 0 obj <<>>\n"
                       b"endobj\ntrailer <<>>\n%%EOF\n"),
    "essay.txt": ("text/plain", b"The ethics of gene editing: a short essay.\n"),
    "data.csv": ("text/csv", b"minute,absorbance\n0,0.12\n1,0.25\n2,0.31\n"),
}


KEY_TEXT_FIELDS = ("title", "description", "target_link_uri", "oidc_initiation_url")
NO_JWK_URL = "The sandbox cannot fetch a public_jwk_url from this machine; paste public_jwk"


def item_number(reference: object) -> int | None:
    """The line item number in a Canvas id (``.../line_items/31``), a minimal one
    (``.../lineitems/31/lineitem?type_id=1``) or a bare number: the last all-digit segment."""
    for segment in reversed(urlsplit(str(reference)).path.split("/")):
        if segment.isascii() and segment.isdigit():
            return int(segment)
    return None


def developer_key_problem(body: dict[str, Any]) -> str | None:
    """Why Canvas would refuse this pasted LTI 1.3 configuration, or None."""
    for name in KEY_TEXT_FIELDS:
        if not isinstance(body.get(name), str) or not body[name].strip():
            return f"{name} is required (non-empty text)"
    jwk, jwk_url = body.get("public_jwk"), body.get("public_jwk_url")
    if jwk is not None and jwk_url is not None:
        return "Give public_jwk or public_jwk_url, not both"
    if jwk_url is not None:
        return NO_JWK_URL
    if not isinstance(jwk, dict):
        return "public_jwk is required (a JWK object)"
    scopes = body.get("scopes")
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        return "scopes is required (a list of scope URLs)"
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown:
        return f"Invalid scopes: {' '.join(unknown)}"
    return None


def routes(state: SandboxState) -> list[Route]:
    course = state.course

    async def ledger(request: Request) -> Response:
        return JSONResponse(course.ledger)

    async def line_items(request: Request) -> Response:
        """Every line item the platform holds (deleted ones too), for tests to count."""
        with course.lock:
            listed = [{"number": item.number, "label": item.label,
                       "score_maximum": item.score_maximum, "resource_id": item.resource_id,
                       "tag": item.tag, "client_id": item.client_id, "deleted": item.deleted,
                       "submission_type": item.submission_type}
                      for item in course.line_items.values()]
        return JSONResponse(listed)

    async def roster(request: Request) -> Response:
        return JSONResponse([{"user_id": p.lti_id, "canvas_id": p.canvas_id, "name": p.name,
                              "section": p.section, "roles": p.roles}
                             for p in course.people])

    async def roster_csv(request: Request) -> Response:
        """The students and their sections as a gradebook CSV (``gradedesk import`` takes it)."""
        return Response(course_csv(course), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": 'attachment; filename="course.csv"'})

    async def settings(request: Request) -> Response:
        if request.method == "PATCH":
            if not request.headers.get("content-type", "").startswith("application/json"):
                return JSONResponse({"error": "send the settings as application/json"},
                                    status_code=415)
            try:
                changes = await request.json()
                if not isinstance(changes, dict):
                    raise TypeError("the settings must be a JSON object")
                if state.config.profile == "minimal" and dict(changes).get("throttle"):
                    raise ValueError("the minimal profile has no throttle")
                with course.lock:
                    state.knobs.update(dict(changes))
            except (ValueError, TypeError, KeyError, AttributeError) as error:
                return JSONResponse({"error": f"bad setting: {error}"}, status_code=400)
        return JSONResponse(dataclasses.asdict(state.knobs))

    async def expire_tokens(request: Request) -> Response:
        """Every access token issued so far expires now, as if its hour had passed."""
        with course.lock:
            state.authority.expire_all()
        return JSONResponse({"expired": True})

    async def change_result(request: Request) -> Response:
        """A teacher grades in Canvas's own gradebook, behind the tool's back."""
        try:
            body: dict[str, Any] = await request.json()
            number = item_number(body["line_item_id"])
        except (ValueError, KeyError, TypeError):
            number = None
        if number is None:
            return JSONResponse({"error": "need line_item_id and user_id"}, status_code=400)
        person = course.person(body.get("user_id"))
        item = course.line_items.get(number)
        if person is None or item is None:
            return replies.not_found()
        with course.lock:
            record = course.results.get((number, person.lti_id)) or course.new_result(
                number, person.lti_id)
            if "score_given" in body:
                record.score = body["score_given"]
                record.maximum = body.get("score_maximum", item.score_maximum)
                record.grade = record.score
            if body.get("comment"):
                record.comment = body["comment"]
                record.comments.append({"comment": body["comment"], "author": "teacher",
                                        "created_at": datetime.now(UTC).isoformat()})
            if "grading_progress" in body:
                record.grading_progress = body["grading_progress"]
            record.updated_at = datetime.now(UTC)
        return JSONResponse({"user_id": person.lti_id, "resultScore": record.score,
                             "comment": record.comment, "comments": record.comments,
                             "attempts": record.attempts,
                             "updated_at": record.updated_at.isoformat()})

    async def show_result(request: Request) -> Response:
        """Everything Canvas knows of one result, comments and attempts included."""
        number = item_number(request.query_params.get("line_item", ""))
        person = course.person(request.query_params.get("user_id"))
        record = course.results.get((number, person.lti_id)) if person and number else None
        if record is None:
            return replies.not_found()
        return JSONResponse({"resultScore": record.score, "resultMaximum": record.maximum,
                             "grade": record.grade, "comment": record.comment,
                             "comments": record.comments, "attempts": record.attempts,
                             "grading_progress": record.grading_progress,
                             "needs_review": record.needs_review,
                             "updated_at": record.updated_at.isoformat()})

    async def developer_key(request: Request) -> Response:
        """Developer Keys -> + LTI Key -> Paste JSON: the key signs assertions from now on and
        the token endpoint grants only the pasted scopes."""
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/json":
            return JSONResponse({"error": "Send the configuration as application/json"},
                                status_code=415)
        try:
            body = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            return JSONResponse({"error": "The body is not a JSON object"}, status_code=400)
        refusal = developer_key_problem(body)
        if refusal is None:
            try:
                key = public_key_from_jwk(body["public_jwk"])
            except ValueError as error:
                refusal = str(error)
        if refusal is not None:
            return JSONResponse({"error": refusal}, status_code=400)
        scopes: list[str] = list(dict.fromkeys(body["scopes"]))
        with course.lock:
            state.authority.configure_key(key, scopes)
            course.developer_key = {"public_jwk": body["public_jwk"], "scopes": scopes}
        return JSONResponse({"client_id": state.authority.client_id, "scopes": scopes,
                             "title": body["title"]})

    async def files(request: Request) -> Response:
        found = SAMPLE_FILES.get(request.path_params["name"])
        if found is None:
            return replies.not_found()
        media_type, content = found
        return Response(content, media_type=media_type)

    return [
        Route("/sandbox/ledger", ledger, methods=["GET"]),
        Route("/sandbox/admin/line_items", line_items, methods=["GET"]),
        Route("/sandbox/roster", roster, methods=["GET"]),
        Route("/sandbox/course.csv", roster_csv, methods=["GET"]),
        Route("/sandbox/admin/settings", settings, methods=["GET", "PATCH"]),
        Route("/sandbox/admin/results", change_result, methods=["POST"]),
        Route("/sandbox/admin/tokens/expire", expire_tokens, methods=["POST"]),
        Route("/sandbox/admin/result", show_result, methods=["GET"]),
        Route("/sandbox/admin/developer_keys", developer_key, methods=["POST"]),
        Route("/sandbox/files/{name}", files, methods=["GET"]),
    ]
