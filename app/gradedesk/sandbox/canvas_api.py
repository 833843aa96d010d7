"""Canvas's LTI services: token, line items, results, scores, Progress, Names and Roles, and
the course page a teacher sees in the browser."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gradedesk.sandbox import replies
from gradedesk.sandbox.course import LEARNER, LineItemRecord
from gradedesk.sandbox.paging import paginate
from gradedesk.sandbox.progress import start_upload
from gradedesk.sandbox.state import SandboxState, chaos, serve
from gradedesk.sandbox.tokens import SCOPES, TokenError

LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEM_CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json"
RESULT_CONTAINER = "application/vnd.ims.lis.v2.resultcontainer+json"
SCORE = "application/vnd.ims.lis.v1.score+json"
NRPS_CONTAINER = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
EXTENSION = "https://canvas.instructure.com/lti/submission"
SUBMISSION_TYPE = "https://canvas.instructure.com/lti/submission_type"
SCOPE_LINEITEM, SCOPE_LINEITEM_RO, SCOPE_RESULT, SCOPE_SCORE, SCOPE_NRPS, SCOPE_PROGRESS = SCOPES
ACTIVITY = ("Initialized", "Started", "InProgress", "Submitted", "Completed")
GRADING = ("FullyGraded", "Pending", "PendingManual", "Failed", "NotReady")


async def read_json(request: Request) -> dict[str, Any] | None:
    try:
        body = json.loads(await request.body() or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def parse_time(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def token_route(state: SandboxState) -> Route:
    """The token endpoint, served in every profile."""
    course = state.course

    async def token(request: Request) -> Response:
        faulty = await chaos(state)
        if faulty is not None:
            return faulty
        if request.headers.get("content-type", "").startswith("application/json"):
            form = {k: str(v) for k, v in ((await read_json(request)) or {}).items()}
        else:
            # A urlencoded form: the stdlib parses it (no multipart support needed here).
            text = (await request.body()).decode("utf-8", "replace")
            form = dict(parse_qsl(text, keep_blank_values=True))
        client_id = course.client_id
        if not state.throttle.admit(client_id):
            return replies.throttled(state.throttle.remaining(client_id))
        try:
            body = state.authority.exchange(
                form, f"{state.base_url}/login/oauth2/token", key_active=state.knobs.key_active,
                lifetime_s=state.knobs.token_lifetime_s)
            reply: Response = replies.json_reply(body, "application/json")
        except TokenError as error:
            reply = replies.oauth_error(error.status, error.error, error.description,
                                        error.headers)
        remaining = state.throttle.settle(client_id, state.knobs.token_cost)
        if state.knobs.throttle:
            reply.headers["X-Request-Cost"] = f"{state.knobs.token_cost:.4f}"
            reply.headers["X-Rate-Limit-Remaining"] = f"{remaining:.4f}"
        return reply

    return Route("/login/oauth2/token", token, methods=["POST"])


def routes(state: SandboxState) -> list[Route]:
    """Canvas's services (not the token endpoint) and the course page a teacher opens."""
    course = state.course

    def item_json(item: LineItemRecord) -> dict[str, Any]:
        body: dict[str, Any] = {"id": state.line_item_url(item.number),
                                "scoreMaximum": float(item.score_maximum), "label": item.label,
                                "resourceId": item.resource_id, "tag": item.tag,
                                "resourceLinkId": item.resource_link_id,
                                "startDateTime": item.start, "endDateTime": item.end,
                                SUBMISSION_TYPE: item.submission_type}
        return {key: value for key, value in body.items() if value is not None}

    def own_item(request: Request) -> LineItemRecord | Response:
        try:
            number = int(request.path_params["line_item_id"])
        except ValueError:
            return replies.not_found()
        item = course.line_items.get(number)
        if item is None or item.deleted:
            return replies.not_found()
        if item.client_id != course.client_id:
            return replies.lti_error(412, "Tool does not have permission to view line_item")
        return item

    # --- line items ---------------------------------------------------------------------------

    async def line_items(request: Request) -> Response:
        if request.method == "POST":
            return await serve(state, request, (SCOPE_LINEITEM,), create_item)
        return await serve(state, request, (SCOPE_LINEITEM, SCOPE_LINEITEM_RO), list_items)

    async def list_items(request: Request, claims: dict[str, Any]) -> Response:
        query = request.query_params
        items = [item for item in course.line_items.values()
                 if not item.deleted and item.client_id == course.client_id
                 and query.get("tag") in (None, item.tag)
                 and query.get("resource_id") in (None, item.resource_id)
                 and query.get("resource_link_id") in (None, item.resource_link_id)]
        page, link = paginate(request, items, default=10, maximum=100, limit_is_per_page=True,
                              endpoint=state.course_url("/line_items"))
        return replies.json_reply([item_json(i) for i in page], LINEITEM_CONTAINER,
                                  headers={"Link": link})

    async def create_item(request: Request, claims: dict[str, Any]) -> Response:
        body = await read_json(request)
        if body is None:
            return replies.generic_error(400, "The request body is not JSON.")
        label, maximum = body.get("label"), body.get("scoreMaximum")
        if not isinstance(label, str) or not label.strip():
            return replies.generic_error(422, "can't be blank", field="label",
                                         error_code="blank")
        if isinstance(maximum, bool) or not isinstance(maximum, int | float) or maximum < 0:
            return replies.generic_error(422, "is not a number", field="scoreMaximum",
                                         error_code="not_a_number")
        link = body.get("resourceLinkId")
        extension = body.get(SUBMISSION_TYPE)
        if link is not None and link not in course.resource_links:
            return replies.not_found()
        if link is None and isinstance(extension, dict) and extension.get("type") not in (
                None, "external_tool", "none"):
            return replies.json_reply(
                {"error": f"Invalid submission_type for new assignment: {extension['type']}"},
                "application/json", 400)
        number = max(course.line_items) + 1
        item = LineItemRecord(number=number, label=label, score_maximum=float(maximum),
                              client_id=course.client_id, resource_id=body.get("resourceId"),
                              tag=body.get("tag"), resource_link_id=link,
                              start=body.get("startDateTime"), end=body.get("endDateTime"),
                              submission_type=extension if isinstance(extension, dict) else None)
        course.line_items[number] = item
        return replies.json_reply(item_json(item), LINEITEM, 201)

    async def one_item(request: Request) -> Response:
        if request.method == "GET":
            return await serve(state, request, (SCOPE_LINEITEM, SCOPE_LINEITEM_RO), show_item)
        return await serve(state, request, (SCOPE_LINEITEM,), change_item)

    async def show_item(request: Request, claims: dict[str, Any]) -> Response:
        item = own_item(request)
        return item if isinstance(item, Response) else replies.json_reply(item_json(item),
                                                                          LINEITEM)

    async def change_item(request: Request, claims: dict[str, Any]) -> Response:
        item = own_item(request)
        if isinstance(item, Response):
            return item
        if request.method == "DELETE":
            if item.coupled:
                return replies.empty(401)
            item.deleted = True
            return replies.empty(204)
        body = await read_json(request) or {}
        link = body.get("resourceLinkId")
        if link is not None and link != item.resource_link_id:
            return replies.lti_error(
                412, "The specified LTI link ID is not associated with the line item.")
        # Canvas updates partially (the spec says full replacement).
        if isinstance(body.get("label"), str) and body["label"].strip():
            item.label = body["label"]
        if isinstance(body.get("scoreMaximum"), int | float):
            item.score_maximum = float(body["scoreMaximum"])
        for wire_name, attribute in (("resourceId", "resource_id"), ("tag", "tag"),
                                     ("startDateTime", "start"), ("endDateTime", "end")):
            if wire_name in body:
                setattr(item, attribute, body[wire_name])
        return replies.json_reply(item_json(item), LINEITEM)

    # --- results ------------------------------------------------------------------------------

    def result_json(item: LineItemRecord, user: str) -> dict[str, Any]:
        record = course.results[(item.number, user)]
        body: dict[str, Any] = {
            "id": f"{state.line_item_url(item.number)}/results/{record.number}",
            "scoreOf": state.line_item_url(item.number), "userId": user,
            "resultScore": record.score, "resultMaximum": record.maximum,
            "comment": record.comment, EXTENSION: record.extension}
        return {key: value for key, value in body.items() if value is not None}

    async def results(request: Request) -> Response:
        return await serve(state, request, (SCOPE_RESULT,), list_results)

    async def list_results(request: Request, claims: dict[str, Any]) -> Response:
        item = own_item(request)
        if isinstance(item, Response):
            return item
        # Only users the tool (or a grader) has given a result have rows; others are absent.
        users = [user for (number, user) in course.results if number == item.number]
        wanted = request.query_params.get("user_id")
        if wanted is not None:
            person = course.person(wanted)
            users = [u for u in users if person is not None and u == person.lti_id
                     and person.is_student]
        page, link = paginate(request, users, default=10, maximum=100, limit_is_per_page=True,
                              endpoint=f"{state.line_item_url(item.number)}/results")
        return replies.json_reply([result_json(item, u) for u in page], RESULT_CONTAINER,
                                  headers={"Link": link})

    async def one_result(request: Request) -> Response:
        async def show(request: Request, claims: dict[str, Any]) -> Response:
            item = own_item(request)
            if isinstance(item, Response):
                return item
            for (number, user), record in course.results.items():
                if number == item.number and str(record.number) == \
                        request.path_params["result_id"]:
                    return replies.json_reply(result_json(item, user), RESULT_CONTAINER)
            return replies.not_found()
        return await serve(state, request, (SCOPE_RESULT,), show)

    # --- scores -------------------------------------------------------------------------------

    async def scores(request: Request) -> Response:
        return await serve(state, request, (SCOPE_SCORE,), post_score)

    async def post_score(request: Request, claims: dict[str, Any]) -> Response:
        item = own_item(request)
        if isinstance(item, Response):
            return item
        body = await read_json(request)
        if body is None:
            return replies.generic_error(400, "The request body is not a JSON object.")
        person = course.person(body.get("userId"))
        if person is None or not person.is_student or person.test_student:
            return replies.lti_error(422, "User not found in course or is not a student")
        for name in ("activityProgress", "gradingProgress", "timestamp"):
            if body.get(name) in (None, ""):
                return replies.generic_error(400, f"{name} is missing")
        key = (item.number, person.lti_id)
        existing = course.results.get(key)
        stamp_text = body["timestamp"]
        stamp = parse_time(stamp_text)
        if stamp is None:
            return replies.lti_error(400, f"Provided timestamp of {stamp_text} not a valid "
                                          "timestamp")
        if existing is not None and stamp < existing.updated_at:
            return replies.lti_error(
                400, f"Provided timestamp of {stamp_text} before last updated timestamp of "
                     f"{existing.updated_at.isoformat()}")
        given, maximum = body.get("scoreGiven"), body.get("scoreMaximum")
        grading = body.get("gradingProgress")
        scoring = grading in ("FullyGraded", "PendingManual") and given is not None
        if scoring:
            if maximum is None:
                return replies.lti_error(422, "ScoreMaximum not supplied when ScoreGiven "
                                              "present.")
            if not is_number(maximum) or maximum < 0:
                return replies.lti_error(422, "ScoreMaximum must be greater than or equal to 0")
            if maximum == 0 and item.score_maximum != 0:
                return replies.lti_error(422, "ScoreMaximum cannot be zero if line item's "
                                              "maximum is not zero")
            if given is None or not is_number(given) or float(given) < 0:
                return replies.lti_error(422, "ScoreGiven must be greater than or equal to 0")
        raw_extension = body.get(EXTENSION)
        extension: dict[str, Any] = raw_extension if isinstance(raw_extension, dict) else {}
        raw_submission = body.get("submission")
        submission: dict[str, Any] = raw_submission if isinstance(raw_submission, dict) else {}
        submitted_text = submission.get("submittedAt") or extension.get("submitted_at")
        if submitted_text is not None:
            submitted = parse_time(submitted_text)
            if submitted is None:
                return replies.lti_error(400, f"Provided submitted_at timestamp of "
                                              f"{submitted_text} not a valid timestamp")
            if submitted > datetime.now(UTC) + timedelta(minutes=1):
                return replies.lti_error(400, f"Provided submitted_at timestamp of "
                                              f"{submitted_text} in the future")
        files = [c for c in extension.get("content_items") or []
                 if isinstance(c, dict) and c.get("type") == "file"]
        submission_type = "online_upload" if files else extension.get("submission_type")
        if submission_type == "online_upload" and not files:
            return replies.lti_error(422, "Content items must be provided with submission type "
                                          "'online_upload'")
        new_submission = extension.get("new_submission",
                                       (submission_type or "external_tool") != "none")
        attempts_before = existing.attempts if existing else 0
        limit = state.knobs.max_attempts
        if new_submission and limit is not None and attempts_before >= limit:
            return replies.lti_error(422, "The maximum number of allowed attempts has been "
                                          "reached for this submission")
        if state.knobs.ags_scores_multiple_files:
            for file in files:
                problem = await _fetch_problem(state, str(file.get("url", "")))
                if problem is not None:
                    return problem
        if grading not in GRADING or body["activityProgress"] not in ACTIVITY:
            field = "grading_progress" if grading not in GRADING else "activity_progress"
            return replies.generic_error(422, "is not included in the list", field=field,
                                         error_code="inclusion")
        if given is not None and maximum is None:
            return replies.generic_error(422, "ScoreMaximum not supplied when ScoreGiven "
                                              "present.", field="score_maximum")
        # Accepted: apply it.
        record = existing or course.new_result(item.number, person.lti_id)
        record.updated_at = stamp
        record.activity_progress = body["activityProgress"]
        record.grading_progress = grading
        if new_submission:
            record.attempts += 1
        keep_grade = bool(extension.get("preserve_score")) or (
            bool(extension.get("prioritize_non_tool_grade")) and record.grade is not None)
        if given is not None and maximum is not None:
            record.score, record.maximum = float(given), float(maximum)
        elif not keep_grade:
            # Canvas clears the Result's score and maximum whenever a POST carries no
            # scoreGiven, whatever its grading progress, unless preserve_score (or
            # prioritize_non_tool_grade over an existing grade) keeps them.
            record.score = record.maximum = None
        if scoring and not keep_grade and given is not None and maximum is not None:
            scale = item.score_maximum / maximum if maximum else 1.0
            record.grade = float(given) * scale
            record.needs_review = grading == "PendingManual"
        elif not keep_grade:
            record.grade = None
        comment = body.get("comment")
        if isinstance(comment, str) and comment.strip():
            record.comment = comment
            record.comments.append({"comment": comment, "author": None,
                                    "created_at": datetime.now(UTC).isoformat()})
        echoed = {k: v for k, v in extension.items() if k != "content_items"}
        record.extension = echoed or None
        result_url = f"{state.line_item_url(item.number)}/results/{record.number}"
        reply_items = []
        for file in files:
            progress = start_upload(state, item.number, person.lti_id, str(file.get("url")),
                                    str(file.get("title") or "file"))
            reply_items.append({**file, "progress": state.course_url(
                f"/progress/{progress.number}")})
        course.ledger.append({"seq": len(course.ledger) + 1, "via": "canvas",
                              "line_item_id": state.line_item_url(item.number),
                              "user_id": person.lti_id, "body": body,
                              "received_at": datetime.now(UTC).isoformat(),
                              "result_url": result_url})
        reply: dict[str, Any] = {"resultUrl": result_url}
        if not state.knobs.older_canvas_reply:
            reply[EXTENSION] = {"content_items": reply_items}
        return replies.json_reply(reply, SCORE)

    # --- Progress -----------------------------------------------------------------------------

    async def progress(request: Request) -> Response:
        async def show(request: Request, claims: dict[str, Any]) -> Response:
            try:
                record = course.progress.get(int(request.path_params["progress_id"]))
            except ValueError:
                record = None
            if record is None:
                return replies.not_found()
            item = course.line_items.get(record.line_item)
            if item is None or item.deleted:
                return replies.lti_error(403, "Tool does not have permission to view a "
                                              "Progress not associated with an Assignment")
            if item.client_id != course.client_id:
                return replies.lti_error(422, "Progress associated with Assignment that isn't "
                                              "linked to this Tool")
            body: dict[str, Any] = {
                "id": record.number, "context_id": record.line_item,
                "context_type": "Assignment", "user_id": course.by_lti[record.user].canvas_id,
                "tag": "upload_via_url",
                "completion": 100.0 if record.state == "completed" else
                (50.0 if record.state == "running" else 0.0),
                "workflow_state": record.state, "message": record.message,
                "created_at": record.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "updated_at": record.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "url": state.course_url(f"/progress/{record.number}")}
            if record.attachment_id is not None:
                body["results"] = {"id": record.attachment_id}
            return replies.json_reply(body, "application/json")
        return await serve(state, request, (SCOPE_PROGRESS,), show)

    # --- Names and Roles ----------------------------------------------------------------------

    async def names_and_roles(request: Request) -> Response:
        async def show(request: Request, claims: dict[str, Any]) -> Response:
            query = request.query_params
            rlid = query.get("rlid")
            if rlid is not None and rlid not in course.resource_links:
                return replies.lti_error(400, "Tool does not have access to rlid or rlid does "
                                              "not exist")
            role = query.get("role")
            people = [p for p in course.people if role is None or role in p.roles
                      or (role == "Learner" and LEARNER in p.roles)]
            page, link = paginate(request, people, default=50, maximum=50,
                                  limit_is_per_page=False,
                                  endpoint=state.course_url("/names_and_roles"))
            members = []
            for person in page:
                member: dict[str, Any] = {
                    "status": "Active", "name": person.name, "given_name": person.given,
                    "family_name": person.family, "email": person.email,
                    "user_id": person.lti_id,
                    "lti11_legacy_user_id": f"{person.canvas_id:040x}",
                    "roles": person.roles}
                if rlid is not None:
                    member["message"] = [{"https://purl.imsglobal.org/spec/lti/claim/"
                                          "message_type": "LtiResourceLinkRequest"}]
                members.append({k: v for k, v in member.items() if v is not None})
            body = {"id": str(request.url),
                    "context": {"id": course.context_uuid, "label": course.label,
                                "title": course.title},
                    "members": members}
            return replies.json_reply(body, NRPS_CONTAINER, headers={"Link": link})
        return await serve(state, request, (SCOPE_NRPS,), show, ags=False)

    # --- the course in the browser -----------------------------------------------------------

    async def course_page(request: Request) -> Response:
        # What the teacher copies from the address bar; a client derives the API URLs from it.
        if request.path_params["course_id"] != str(course.course_id) or \
                state.knobs.course_state == "deleted":
            return replies.html_page(404, "Page Not Found",
                                     "The page you requested does not exist.")
        return replies.html_page(200, course.title, f"{course.label} - GradeDesk sandbox course")

    prefix = "/api/lti/courses/{course_id}"
    return [
        Route("/courses/{course_id}", course_page, methods=["GET"]),
        Route(f"{prefix}/line_items", line_items, methods=["GET", "POST"]),
        Route(f"{prefix}/line_items/{{line_item_id}}", one_item,
              methods=["GET", "PUT", "DELETE"]),
        Route(f"{prefix}/line_items/{{line_item_id}}/results", results, methods=["GET"]),
        Route(f"{prefix}/line_items/{{line_item_id}}/results/{{result_id}}", one_result,
              methods=["GET"]),
        Route(f"{prefix}/line_items/{{line_item_id}}/scores", scores, methods=["POST"]),
        Route(f"{prefix}/progress/{{progress_id}}", progress, methods=["GET"]),
        Route(f"{prefix}/names_and_roles", names_and_roles, methods=["GET"]),
    ]


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(
        float(value))


async def _fetch_problem(state: SandboxState, url: str) -> Response | None:
    """With ``ags_scores_multiple_files`` on, Canvas uploads before changing anything."""
    from gradedesk.sandbox.progress import fetch_file

    outcome = await fetch_file(state, url)
    if outcome is None:
        return None
    status, text = outcome
    if status is None:
        return replies.lti_error(504, "file url timed out")
    if status == 400:
        return replies.lti_error(400, f"uploading to file service failed with 400: {text}")
    return replies.lti_error(500, f"uploading to file service failed with {status}: {text}")
