"""An LTIAAS-shaped API over the same course: SERVICE-AUTH-V1, body pagination with LMS links
passed back through ``?url=``, line item ids that are LMS URLs encoded as one path segment."""

from __future__ import annotations

from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from gradedesk.sandbox.canvas_api import ACTIVITY, GRADING, read_json
from gradedesk.sandbox.course import LEARNER, LineItemRecord
from gradedesk.sandbox.state import SandboxState, chaos

PREFIX = "/ltiaas/api"


def error(status: int, message: str, description: str, **details: Any) -> JSONResponse:
    return JSONResponse({"status": status, "error": HTTPStatus(status).phrase,
                         "details": {"message": message, "description": description, **details}},
                        status_code=status)


def routes(state: SandboxState) -> list[Route]:
    course = state.course

    async def gate(request: Request, *, scheme: str = "SERVICE-AUTH-V1") -> Response | None:
        faulty = await chaos(state)
        if faulty is not None:
            return faulty
        secret = state.ltiaas_ltik if scheme == "LTIK-AUTH-V2" else state.ltiaas_service_key
        expected = f"{scheme} {state.ltiaas_api_key}:{secret}"
        if request.headers.get("authorization") != expected or (
                scheme == "SERVICE-AUTH-V1" and state.knobs.ltiaas_service_key_revoked):
            code = ("INVALID_LTIK_AUTH_AUTHORIZATION_HEADER" if scheme == "LTIK-AUTH-V2"
                    else "INVALID_SERVICE_AUTH_AUTHORIZATION_HEADER")
            return error(401, code, "Invalid or expired credentials.")
        injected = state.knobs.ltiaas_error_status
        if injected:
            if state.knobs.ltiaas_error_non_json:
                return PlainTextResponse("<html>Bad Gateway</html>", status_code=injected)
            return error(injected, "PLATFORM_ERROR", "The LMS refused the request.",
                         externalError=f"LMS replied {injected}",
                         bodyReceived={"errors": [{"message": "injected by the sandbox"}]})
        return None

    def item_body(item: LineItemRecord) -> dict[str, Any]:
        body = {"id": state.line_item_url(item.number), "label": item.label,
                "scoreMaximum": item.score_maximum, "resourceId": item.resource_id,
                "resourceLinkId": item.resource_link_id, "tag": item.tag,
                "startDateTime": item.start, "endDateTime": item.end}
        return {key: value for key, value in body.items() if value is not None}

    def lms_page(request: Request, endpoint: str, items: list[Any], default: int,
                 params: dict[str, str]) -> tuple[list[Any], dict[str, str]]:
        """A page addressed by LMS-looking links; ``url`` (from an earlier page) wins."""
        query: dict[str, str] = dict(params)
        link = request.query_params.get("url")
        if link is not None:
            while link.startswith("http%3A") or link.startswith("https%3A"):
                link = unquote(link)  # accept double encoding, as the SDKs send
            query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
        per_page = max(1, min(int(query.get("per_page", query.get("limit", default)) or
                                  default), 50))
        page = max(1, int(query.get("page", "1")))
        chunk = items[(page - 1) * per_page: page * per_page]
        kept = {k: v for k, v in sorted(query.items()) if k not in ("page", "per_page", "limit")}

        def url(number: int) -> str:
            return f"{endpoint}?{urlencode({**kept, 'page': number, 'per_page': per_page})}"

        last = max(1, -(-len(items) // per_page))
        links = {"first": url(1), "last": url(last)}
        if page < last:
            links["next"] = url(page + 1)
        if page > 1:
            links["prev"] = url(page - 1)
        return chunk, links

    async def idtoken(request: Request) -> Response:
        refused = await gate(request, scheme="LTIK-AUTH-V2")
        if refused is not None:
            return refused
        teacher = next(p for p in course.people if p.canvas_id == 1001)
        return JSONResponse({
            "user": {"id": teacher.lti_id, "name": teacher.name, "roles": teacher.roles},
            "platform": {"id": state.base_url, "productFamilyCode": "canvas",
                         "name": "GradeDesk sandbox"},
            "launch": {"context": {"id": course.context_uuid, "label": course.label,
                                   "title": course.title},
                       "resourceLink": {"id": next(iter(course.resource_links))}},
            "services": {"assignmentAndGrades": {"available": True},
                         "namesAndRoles": {"available": True},
                         "serviceKey": state.ltiaas_service_key}})

    async def line_items(request: Request) -> Response:
        refused = await gate(request)
        if refused is not None:
            return refused
        if request.method == "POST":
            body = await read_json(request) or {}
            label, maximum = body.get("label"), body.get("scoreMaximum")
            if not isinstance(label, str) or not isinstance(maximum, int | float) \
                    or maximum <= 0:
                return error(400, "INVALID_PARAMETERS", "label and scoreMaximum (> 0) are "
                             "required.")
            number = max(course.line_items) + 1
            item = LineItemRecord(number=number, label=label, score_maximum=float(maximum),
                                  client_id=course.client_id, tag=body.get("tag"),
                                  resource_id=body.get("resourceId"))
            course.line_items[number] = item
            return JSONResponse(item_body(item), status_code=201)
        query = request.query_params
        params = {k: v for k, v in (("tag", query.get("tag")),
                                    ("resource_id", query.get("resourceId")),
                                    ("resource_link_id", query.get("resourceLinkId")),
                                    ("per_page", query.get("limit"))) if v is not None}
        link_query = {k: v[0] for k, v in parse_qs(urlsplit(
            unquote(request.query_params.get("url", ""))).query).items()}
        filters = link_query if "url" in request.query_params else params
        items = [i for i in course.line_items.values()
                 if not i.deleted and i.client_id == course.client_id
                 and filters.get("tag") in (None, i.tag)
                 and filters.get("resource_id") in (None, i.resource_id)
                 and filters.get("resource_link_id") in (None, i.resource_link_id)]
        chunk, links = lms_page(request, state.course_url("/line_items"), items, 10, params)
        return JSONResponse({"lineItems": [item_body(i) for i in chunk], **links})

    async def one_line_item(request: Request) -> Response:
        refused = await gate(request)
        if refused is not None:
            return refused
        raw = request.scope.get("raw_path", b"").decode("latin-1")
        rest = raw.split(f"{PREFIX}/lineitems/", 1)[-1]
        encoded_id, _, tail = rest.partition("/")
        line_item_id = unquote(encoded_id)
        if line_item_id.startswith(("http%3A", "https%3A")):
            line_item_id = unquote(line_item_id)
        try:
            number = int(urlsplit(line_item_id).path.rstrip("/").rsplit("/", 1)[-1])
        except ValueError:
            number = -1
        item = course.line_items.get(number)
        if item is None or item.deleted or item.client_id != course.client_id \
                or not line_item_id.startswith(state.course_url("/line_items/")):
            return error(404, "LINEITEM_NOT_FOUND", "The LMS has no such line item.",
                         bodyReceived={"errors": [{"message": "The specified resource does "
                                                               "not exist."}]})
        if tail == "":
            if request.method == "DELETE":
                item.deleted = True
                return Response(status_code=204)
            if request.method == "PUT":
                body = await read_json(request) or {}
                if isinstance(body.get("label"), str):
                    item.label = body["label"]
                if isinstance(body.get("scoreMaximum"), int | float):
                    item.score_maximum = float(body["scoreMaximum"])
                return JSONResponse(item_body(item), status_code=201)
            return JSONResponse(item_body(item))
        if tail == "scores" and request.method == "GET":
            return scores_page(request, item)
        if tail == "scores" and request.method == "POST":
            return await post_score(request, item)
        return error(404, "NOT_FOUND", "No such endpoint.")

    def result_body(item: LineItemRecord, user: str) -> dict[str, Any]:
        record = course.results[(item.number, user)]
        return {"id": f"{state.line_item_url(item.number)}/results/{record.number}",
                "userId": user, "scoreOf": state.line_item_url(item.number),
                "timestamp": record.updated_at.isoformat(timespec="milliseconds"),
                "resultScore": record.score, "resultMaximum": record.maximum,
                "comment": record.comment}

    def scores_page(request: Request, item: LineItemRecord) -> Response:
        users = [user for (number, user) in course.results if number == item.number]
        wanted = request.query_params.get("userId")
        if wanted is not None:
            person = course.person(wanted)
            users = [u for u in users if person is not None and u == person.lti_id]
        params = {"per_page": request.query_params["limit"]} \
            if "limit" in request.query_params else {}
        chunk, links = lms_page(request, f"{state.line_item_url(item.number)}/results", users,
                                10, params)
        return JSONResponse({"scores": [result_body(item, u) for u in chunk], **links})

    async def post_score(request: Request, item: LineItemRecord) -> Response:
        body = await read_json(request)
        if body is None:
            return error(400, "INVALID_BODY", "The body is not a JSON object.")
        person = course.person(body.get("userId"))
        if person is None or not person.is_student or person.test_student:
            return error(422, "PLATFORM_ERROR", "The LMS refused the score.",
                         bodyReceived={"errors": {"type": "unprocessable_entity", "message":
                                       "User not found in course or is not a student"}})
        if body.get("activityProgress") not in ACTIVITY or \
                body.get("gradingProgress") not in GRADING:
            return error(400, "INVALID_PARAMETERS", "activityProgress and gradingProgress "
                         "must be valid AGS values.")
        given, maximum = body.get("scoreGiven"), body.get("scoreMaximum")
        if given is not None and (not isinstance(maximum, int | float) or maximum <= 0):
            return error(400, "INVALID_PARAMETERS", "scoreMaximum (> 0) is required with "
                         "scoreGiven.")
        if given is not None and (not isinstance(given, int | float) or given < 0):
            return error(400, "INVALID_PARAMETERS", "scoreGiven must be 0 or more.")
        record = course.results.get((item.number, person.lti_id)) or course.new_result(
            item.number, person.lti_id)
        # LTIAAS stamps the score itself; omitted scoreGiven and comment clear them.
        record.updated_at = datetime.now(UTC)
        record.score = None if given is None else float(given)
        record.maximum = None if given is None or maximum is None else float(maximum)
        record.grade = record.score
        record.grading_progress = body["gradingProgress"]
        record.activity_progress = body["activityProgress"]
        comment = body.get("comment")
        record.comment = comment if isinstance(comment, str) and comment else None
        if record.comment:
            record.comments.append({"comment": record.comment, "author": None,
                                    "created_at": record.updated_at.isoformat()})
        course.ledger.append({"seq": len(course.ledger) + 1, "via": "ltiaas",
                              "line_item_id": state.line_item_url(item.number),
                              "user_id": person.lti_id, "body": body,
                              "received_at": record.updated_at.isoformat()})
        return Response(status_code=204)

    async def memberships(request: Request) -> Response:
        refused = await gate(request)
        if refused is not None:
            return refused
        role = request.query_params.get("role")
        people = [p for p in course.people if role is None or role in p.roles
                  or (role == "Learner" and LEARNER in p.roles)]
        params = {"per_page": request.query_params["limit"]} \
            if "limit" in request.query_params else {}
        chunk, links = lms_page(request, state.course_url("/names_and_roles"), people, 50,
                                params)
        members = [{k: v for k, v in {"userId": p.lti_id, "status": "Active", "name": p.name,
                                      "givenName": p.given, "familyName": p.family,
                                      "email": p.email, "roles": p.roles}.items()
                    if v is not None} for p in chunk]
        return JSONResponse({"id": state.course_url("/names_and_roles"),
                             "context": {"id": course.context_uuid, "label": course.label,
                                         "title": course.title},
                             "members": members,
                             **({"next": links["next"]} if "next" in links else {})})

    return [
        Route(f"{PREFIX}/idtoken", idtoken, methods=["GET"]),
        Route(f"{PREFIX}/lineitems", line_items, methods=["GET", "POST"]),
        Route(f"{PREFIX}/lineitems/{{rest:path}}", one_line_item,
              methods=["GET", "PUT", "POST", "DELETE"]),
        Route(f"{PREFIX}/memberships", memberships, methods=["GET"]),
    ]
