"""Assignment and Grade Services 2.0: media types, scopes, request bodies and reply parsing."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from gradedesk.domain import LineItem, Result, Score, ScoreReceipt
from gradedesk.platforms.errors import PlatformConfigError
from gradedesk.platforms.parsing import convert, json_of, require_list

LINEITEM_CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json"
LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
RESULT_CONTAINER = "application/vnd.ims.lis.v2.resultcontainer+json"
SCORE = "application/vnd.ims.lis.v1.score+json"

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def service_url(line_item_id: str, service: str) -> str:
    """AGS: results/scores live at the line item URL plus the service, before any query."""
    if not line_item_id:
        raise PlatformConfigError("This line item has no id (URL) yet.")
    parts = urlsplit(line_item_id)
    return parts._replace(path=parts.path.rstrip("/") + "/" + service).geturl()


def line_item_body(item: LineItem) -> dict[str, Any]:
    """The body for create/update; the id travels in the URL, never in a create body."""
    body = item.to_wire()
    body.pop("id", None)
    return body


def score_body(score: Score) -> dict[str, Any]:
    return score.to_wire()


def parse_line_items(response: httpx.Response) -> list[LineItem]:
    what = "the line items"
    items = require_list(response, json_of(response, what), what)
    return [convert(response, what, LineItem.from_wire, raw) for raw in items]


def parse_line_item(response: httpx.Response) -> LineItem:
    return convert(response, "a line item", LineItem.from_wire, json_of(response, "a line item"))


def parse_results(response: httpx.Response) -> list[Result]:
    what = "the results"
    rows = require_list(response, json_of(response, what), what)
    return [convert(response, what, Result.from_wire, raw) for raw in rows]


def parse_score_receipt(response: httpx.Response) -> ScoreReceipt:
    """Any 2xx is success; a body (200) may hold resultUrl and Canvas's Progress URLs."""
    if not response.content.strip():
        return ScoreReceipt()
    what = "the score"
    return convert(response, what, ScoreReceipt.from_wire, json_of(response, what))
