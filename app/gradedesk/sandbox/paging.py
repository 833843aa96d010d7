"""Canvas's pagination: page/per_page, and a Link header in Canvas's exact format."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar
from urllib.parse import urlencode

from starlette.requests import Request

T = TypeVar("T")
DROPPED = ("page", "per_page", "access_token", "api_key")


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def paginate(request: Request, items: Sequence[T], *, default: int, maximum: int,
             limit_is_per_page: bool, endpoint: str) -> tuple[list[T], str]:
    """One page of ``items`` and the Link header for it (entries joined by ',' with no space,
    in the order current, next, prev, first, last)."""
    query = request.query_params
    per_page_raw = query.get("per_page")
    if per_page_raw is None and limit_is_per_page:
        per_page_raw = query.get("limit")
    per_page = min(max(_int(per_page_raw, default), 1), maximum)
    page = max(_int(query.get("page"), 1), 1)
    start = (page - 1) * per_page
    chunk = list(items[start:start + per_page])
    kept = sorted((key, value) for key, value in query.multi_items()
                  if key not in DROPPED and not (key == "limit" and not limit_is_per_page))
    base = endpoint + "?" + (urlencode(kept) + "&" if kept else "")

    def link(number: int, rel: str) -> str:
        return f'<{base}page={number}&per_page={per_page}>; rel="{rel}"'

    last = max(1, -(-len(items) // per_page))
    links = [link(page, "current")]
    if page < last:
        links.append(link(page + 1, "next"))
    if page > 1:
        links.append(link(page - 1, "prev"))
    links.append(link(1, "first"))
    links.append(link(last, "last"))
    return chunk, ",".join(links)
