"""The alternative: what a developer writes with pylti1p3 2.0.0, one request at a time, in its
own process (start to exit). Runs in bench/.venv-bench, the only place pylti1p3 is installed.
The job arrives as JSON on stdin; one JSON line is printed.

- ``{"mode": "push", "client_id", "token_url", "private_key_file", "posts": [[line item URL,
  body], ...]}``: ``AssignmentsGradesService.put_grade`` for every score, in order, with the
  same values, comment and Canvas ``new_submission: false`` extension GradeDesk sends.
- ``{"mode": "pull", ..., "lineitems_url", "nrps_url", "page_size": 100}``: the line items
  (``get_lineitems``), the members (``NamesRolesProvisioningService.get_members``) and every line
  item's results through the service connector, following each ``next`` link (pylti1p3's own
  ``get_grades`` reads only the first page), one request at a time.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.registration import Registration
from pylti1p3.service_connector import ServiceConnector

SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
RESULTS = "application/vnd.ims.lis.v2.resultcontainer+json"


def connector(job: dict[str, Any]) -> ServiceConnector:
    with open(job["private_key_file"], encoding="ascii") as handle:
        private_key = handle.read()
    registration = Registration()
    registration.set_client_id(job["client_id"])
    registration.set_auth_token_url(job["token_url"])
    registration.set_tool_private_key(private_key)
    registration.set_issuer(job["issuer"])
    return ServiceConnector(registration)


def push(job: dict[str, Any]) -> dict[str, int]:
    service = connector(job)
    ags = AssignmentsGradesService(service, {"scope": SCOPES,
                                             "lineitems": job["lineitems_url"]})
    sent = 0
    for item_url, body in job["posts"]:
        grade = Grade()
        grade.set_user_id(body["userId"])
        grade.set_score_given(body["scoreGiven"])
        grade.set_score_maximum(body["scoreMaximum"])
        grade.set_activity_progress(body["activityProgress"])
        grade.set_grading_progress(body["gradingProgress"])
        grade.set_comment(body["comment"])
        grade.set_timestamp(datetime.now(UTC).isoformat(timespec="milliseconds"))
        grade.set_extra_claims({"https://canvas.instructure.com/lti/submission":
                                {"new_submission": False}})
        ags.put_grade(grade, LineItem({"id": item_url}))
        sent += 1
    return {"requests": sent + 1, "rows": sent}


def pull(job: dict[str, Any]) -> dict[str, int]:
    service = connector(job)
    limit = f"?limit={job['page_size']}"
    ags = AssignmentsGradesService(service, {"scope": SCOPES,
                                             "lineitems": job["lineitems_url"] + limit})
    requests = 1  # the token
    items: list[dict[str, Any]] = []
    items_url: str | None = job["lineitems_url"] + limit
    while items_url:  # get_lineitems() does the same loop, without counting pages
        page_items, items_url = ags.get_lineitems_page(items_url)
        items.extend(page_items)
        requests += 1
    rows = 0
    if job.get("nrps_url"):
        nrps = NamesRolesProvisioningService(service, {
            "context_memberships_url": job["nrps_url"] + limit})
        url: str | None = job["nrps_url"] + limit
        while url:  # get_members() does the same loop, without counting pages
            members, url = nrps.get_members_page(url)
            rows += len(members)
            requests += 1
        requests += 1  # pylti1p3 asks a token per scope set: one more for Names and Roles
    for item in items:
        next_url: str | None = item["id"].split("?")[0] + "/results" + limit
        while next_url:
            page = service.make_service_request(SCOPES, next_url, accept=RESULTS)
            body = page["body"]
            rows += len(body) if isinstance(body, list) else 0
            next_url = page["next_page_url"]
            requests += 1
    return {"requests": requests, "rows": rows}


def main() -> int:
    job = json.loads(sys.stdin.read())
    done = push(job) if job["mode"] == "push" else pull(job)
    print(json.dumps({**done, "throttled": 0, "failed": 0}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
