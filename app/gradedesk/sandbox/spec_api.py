"""The minimal profile: only what 1EdTech AGS 2.0 requires, on Moodle-shaped URLs.

Every line item id ends in ``/lineitem?type_id=1``, so results and scores URLs must be built from
the id's path with its query kept. Unknown query parameters get Moodle 4.5's HTML 404, nothing
pages, and Canvas's extensions (submission, submission_type, Progress, NRPS) do not exist.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gradedesk.sandbox import replies
from gradedesk.sandbox.canvas_api import (
    ACTIVITY,
    GRADING,
    LINEITEM,
    LINEITEM_CONTAINER,
    RESULT_CONTAINER,
    SCOPE_LINEITEM,
    SCOPE_LINEITEM_RO,
    SCOPE_RESULT,
    SCOPE_SCORE,
    is_number,
    parse_time,
    read_json,
)
from gradedesk.sandbox.course import LineItemRecord
from gradedesk.sandbox.state import (
    Handler,
    SandboxState,
    bearer_claims,
    chaos,
    delay_reply,
    service_checks,
)

REQUIRED_SCORE_FIELDS = ("userId", "activityProgress", "gradingProgress", "timestamp")
OPTIONAL_TEXT = (("resourceId", "resource_id"), ("tag", "tag"),
                 ("startDateTime", "start"), ("endDateTime", "end"))


def problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def query_problem(request: Request) -> Response | None:
    """Moodle matches its URL templates query and all: any parameter but ``type_id`` finds no
    handler and gets an HTML error page; a missing or wrong ``type_id`` is a bad request."""
    unknown = sorted({key for key, _ in request.query_params.multi_items() if key != "type_id"})
    if unknown:
        return replies.html_page(404, "Error", f"No handler found for this request (unexpected "
                                               f"query parameter: {', '.join(unknown)}).")
    if request.query_params.getlist("type_id") != ["1"]:
        return problem(400, "type_id=1 is required on every AGS URL")
    return None


def routes(state: SandboxState) -> list[Route]:
    course = state.course

    async def gate(request: Request, scope_needed: tuple[str, ...],
                   handler: Handler) -> Response:
        """Faults, the bearer header, the query, then the shared key/scope/course checks. No
        throttle: a spec-only platform sends no X-Rate-Limit headers."""
        faulty = await chaos(state)
        if faulty is not None:
            return faulty
        claims, message = bearer_claims(state, request, query_token=False)
        if claims is None:
            return problem(401, message)
        refused = query_problem(request) or service_checks(state, request, claims, scope_needed,
                                                           ags=True)
        if refused is not None:
            return refused
        response = await handler(request, claims)
        await delay_reply(state, request)
        return response

    def item_json(item: LineItemRecord) -> dict[str, Any]:
        body: dict[str, Any] = {"id": state.spec_item_url(item.number), "label": item.label,
                                "scoreMaximum": item.score_maximum,
                                "resourceId": item.resource_id, "tag": item.tag,
                                "resourceLinkId": item.resource_link_id,
                                "startDateTime": item.start, "endDateTime": item.end}
        return {key: value for key, value in body.items() if value is not None}

    def own_item(request: Request) -> LineItemRecord | Response:
        text = request.path_params["line_item_id"]
        item = course.line_items.get(int(text)) if text.isascii() and text.isdigit() else None
        # Another tool's item is as invisible as a missing one.
        if item is None or item.deleted or item.client_id != course.client_id:
            return problem(404, "Line item not found")
        return item

    def item_fields(body: dict[str, Any]) -> dict[str, Any] | Response:
        """The fields of a POST or PUT body (a full line item), checked."""
        label: object = body.get("label")
        maximum: Any = body.get("scoreMaximum")
        if not isinstance(label, str) or not label.strip():
            return problem(400, "label is required (non-empty text)")
        if not is_number(maximum) or maximum < 0:
            return problem(400, "scoreMaximum is required (a number >= 0)")
        fields: dict[str, Any] = {"label": label, "score_maximum": float(maximum)}
        for wire_name, attribute in OPTIONAL_TEXT:
            value = body.get(wire_name)
            if value is not None and not isinstance(value, str):
                return problem(400, f"{wire_name} must be text")
            fields[attribute] = value
        link = body.get("resourceLinkId")
        if link is not None and link not in course.resource_links:
            return problem(400, "resourceLinkId is not a resource link of this context")
        fields["resource_link_id"] = link
        return fields

    # --- line items ---------------------------------------------------------------------------

    async def line_items(request: Request) -> Response:
        if request.method == "POST":
            return await gate(request, (SCOPE_LINEITEM,), create_item)
        return await gate(request, (SCOPE_LINEITEM, SCOPE_LINEITEM_RO), list_items)

    async def list_items(request: Request, claims: dict[str, Any]) -> Response:
        items = [item_json(item) for item in course.line_items.values()
                 if not item.deleted and item.client_id == course.client_id]
        return replies.json_reply(items, LINEITEM_CONTAINER)  # everything, one page, no Link

    async def create_item(request: Request, claims: dict[str, Any]) -> Response:
        body = await read_json(request)
        if body is None:
            return problem(400, "The request body is not a JSON object")
        fields = item_fields(body)
        if isinstance(fields, Response):
            return fields
        number = max(course.line_items) + 1
        item = LineItemRecord(number=number, client_id=course.client_id, **fields)
        course.line_items[number] = item
        return replies.json_reply(item_json(item), LINEITEM, 201)

    async def one_item(request: Request) -> Response:
        if request.method == "GET":
            return await gate(request, (SCOPE_LINEITEM, SCOPE_LINEITEM_RO), show_item)
        return await gate(request, (SCOPE_LINEITEM,), change_item)

    async def show_item(request: Request, claims: dict[str, Any]) -> Response:
        item = own_item(request)
        return item if isinstance(item, Response) else replies.json_reply(item_json(item),
                                                                          LINEITEM)

    async def change_item(request: Request, claims: dict[str, Any]) -> Response:
        item = own_item(request)
        if isinstance(item, Response):
            return item
        if request.method == "DELETE":
            item.deleted = True  # no "coupled" refusal: that is Canvas's own rule
            return replies.empty(204)
        body = await read_json(request)
        if body is None:
            return problem(400, "The request body is not a JSON object")
        if body.get("resourceLinkId") is None:
            body = {**body, "resourceLinkId": item.resource_link_id}  # the link stays bound
        elif body["resourceLinkId"] != item.resource_link_id:
            return problem(400, "resourceLinkId cannot be changed")
        fields = item_fields(body)
        if isinstance(fields, Response):
            return fields
        # The spec's PUT is a full replacement: a field left out is cleared.
        for attribute, value in fields.items():
            setattr(item, attribute, value)
        return replies.json_reply(item_json(item), LINEITEM)

    # --- results ------------------------------------------------------------------------------

    def result_url(number: int, result: int) -> str:
        return f"{state.spec_item_path(number)}/results/{result}?type_id=1"

    async def results(request: Request) -> Response:
        return await gate(request, (SCOPE_RESULT,), list_results)

    async def list_results(request: Request, claims: dict[str, Any]) -> Response:
        item = own_item(request)
        if isinstance(item, Response):
            return item
        rows = []
        for (number, user), record in course.results.items():
            if number != item.number:
                continue
            row = {"id": result_url(number, record.number),
                   "scoreOf": state.spec_item_url(number), "userId": user,
                   "resultScore": record.score, "resultMaximum": record.maximum,
                   "comment": record.comment}
            rows.append({key: value for key, value in row.items() if value is not None})
        return replies.json_reply(rows, RESULT_CONTAINER)

    # --- scores -------------------------------------------------------------------------------

    async def scores(request: Request) -> Response:
        return await gate(request, (SCOPE_SCORE,), post_score)

    async def post_score(request: Request, claims: dict[str, Any]) -> Response:
        item = own_item(request)
        if isinstance(item, Response):
            return item
        body = await read_json(request)
        if body is None:
            return problem(400, "The request body is not a JSON object")
        for name in REQUIRED_SCORE_FIELDS:
            if body.get(name) in (None, ""):
                return problem(400, f"{name} is required")
        if body["activityProgress"] not in ACTIVITY:
            return problem(400, f"activityProgress must be one of {', '.join(ACTIVITY)}")
        if body["gradingProgress"] not in GRADING:
            return problem(400, f"gradingProgress must be one of {', '.join(GRADING)}")
        stamp = parse_time(body["timestamp"])
        if stamp is None:
            return problem(400, "timestamp is not an ISO 8601 date and time")
        given: Any = body.get("scoreGiven")
        maximum: Any = body.get("scoreMaximum")
        if given is not None:
            if maximum is None:
                return problem(400, "scoreMaximum is required when scoreGiven is present")
            if not is_number(given) or given < 0:
                return problem(400, "scoreGiven must be a number >= 0")
        if maximum is not None and (not is_number(maximum) or maximum < 0):
            return problem(400, "scoreMaximum must be a number >= 0")
        comment = body.get("comment")
        if comment is not None and not isinstance(comment, str):
            return problem(400, "comment must be text")
        user = body["userId"]
        person = course.by_lti.get(user) if isinstance(user, str) else None  # the LTI id only
        if person is None or not person.is_student or person.test_student:
            return problem(422, "User is not a learner in this context")
        key = (item.number, person.lti_id)
        existing = course.results.get(key)
        if existing is not None and stamp < existing.updated_at:
            return problem(409, "Score timestamp is older than the current result")
        # Accepted. Per the spec the score replaces the result: whatever it leaves out is
        # cleared, the comment too. Canvas's submission extension is not read at all.
        record = existing or course.new_result(item.number, person.lti_id)
        record.updated_at = stamp
        record.activity_progress = body["activityProgress"]
        record.grading_progress = body["gradingProgress"]
        if given is not None and maximum is not None:
            record.score, record.maximum = float(given), float(maximum)
            record.grade = float(given) * item.score_maximum / maximum if maximum else float(given)
        else:
            record.score = record.maximum = record.grade = None
        record.needs_review = body["gradingProgress"] == "PendingManual"
        record.comment = comment or None
        if record.comment is not None:
            record.comments.append({"comment": record.comment, "author": None,
                                    "created_at": datetime.now(UTC).isoformat()})
        course.ledger.append({"seq": len(course.ledger) + 1, "via": "minimal",
                              "line_item_id": state.spec_item_url(item.number),
                              "user_id": person.lti_id, "body": body,
                              "received_at": datetime.now(UTC).isoformat(),
                              "result_url": result_url(item.number, record.number)})
        return Response(status_code=200)  # the spec's reply: no body, no Content-Type

    prefix = "/ags/{course_id}/lineitems"
    item_path = f"{prefix}/{{line_item_id}}/lineitem"
    return [
        Route(prefix, line_items, methods=["GET", "POST"]),
        Route(item_path, one_item, methods=["GET", "PUT", "DELETE"]),
        Route(f"{item_path}/results", results, methods=["GET"]),
        Route(f"{item_path}/scores", scores, methods=["POST"]),
    ]
