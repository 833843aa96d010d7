"""The sandbox's own endpoints for tests and demos: the ledger of accepted scores, a teacher's
change "in the browser", run-time knobs, the roster with sections, and sample files."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gradedesk.sandbox import replies
from gradedesk.sandbox.state import SandboxState

SAMPLE_FILES = {
    "lab-report.pdf": ("application/pdf", b"%PDF-1.4\n% GradeDesk sandbox sample\n1 0 obj <<>>\n"
                       b"endobj\ntrailer <<>>\n%%EOF\n"),
    "essay.txt": ("text/plain", b"The ethics of gene editing: a short essay.\n"),
    "data.csv": ("text/csv", b"minute,absorbance\n0,0.12\n1,0.25\n2,0.31\n"),
}


def routes(state: SandboxState) -> list[Route]:
    course = state.course

    async def ledger(request: Request) -> Response:
        return JSONResponse(course.ledger)

    async def roster(request: Request) -> Response:
        return JSONResponse([{"user_id": p.lti_id, "canvas_id": p.canvas_id, "name": p.name,
                              "section": p.section, "roles": p.roles}
                             for p in course.people])

    async def settings(request: Request) -> Response:
        if request.method == "PATCH":
            try:
                changes = await request.json()
                with course.lock:
                    state.knobs.update(dict(changes))
            except (ValueError, TypeError, KeyError, AttributeError) as error:
                return JSONResponse({"error": f"bad setting: {error}"}, status_code=400)
        return JSONResponse(dataclasses.asdict(state.knobs))

    async def change_result(request: Request) -> Response:
        """A teacher grades in Canvas's own gradebook, behind the tool's back."""
        try:
            body: dict[str, Any] = await request.json()
            number = int(str(body["line_item_id"]).rstrip("/").rsplit("/", 1)[-1])
        except (ValueError, KeyError, TypeError):
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
        number = int(request.query_params.get("line_item", "0").rstrip("/").rsplit("/", 1)[-1])
        person = course.person(request.query_params.get("user_id"))
        record = course.results.get((number, person.lti_id)) if person else None
        if record is None:
            return replies.not_found()
        return JSONResponse({"resultScore": record.score, "resultMaximum": record.maximum,
                             "grade": record.grade, "comment": record.comment,
                             "comments": record.comments, "attempts": record.attempts,
                             "grading_progress": record.grading_progress,
                             "needs_review": record.needs_review,
                             "updated_at": record.updated_at.isoformat()})

    async def files(request: Request) -> Response:
        found = SAMPLE_FILES.get(request.path_params["name"])
        if found is None:
            return replies.not_found()
        media_type, content = found
        return Response(content, media_type=media_type)

    return [
        Route("/sandbox/ledger", ledger, methods=["GET"]),
        Route("/sandbox/roster", roster, methods=["GET"]),
        Route("/sandbox/admin/settings", settings, methods=["GET", "PATCH"]),
        Route("/sandbox/admin/results", change_result, methods=["POST"]),
        Route("/sandbox/admin/result", show_result, methods=["GET"]),
        Route("/sandbox/files/{name}", files, methods=["GET"]),
    ]
