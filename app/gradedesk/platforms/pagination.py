"""Following pages until the platform says there are no more.

Canvas (and the spec) put the next page in a ``Link: <url>; rel="next"`` header; LTIAAS puts it in
the body. Either way the next URL is followed verbatim, no page size is assumed, and a page cap
and a repeated-URL guard stop a misbehaving server from looping forever.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

import httpx

from gradedesk.platforms.errors import MalformedReply, ResponseTooLarge

P = TypeVar("P")

DEFAULT_MAX_PAGES = 1000
DEFAULT_MAX_LISTING_BYTES = 128 * 1024 * 1024


def next_link(response: httpx.Response) -> str | None:
    """The absolute URL of ``rel="next"``, or None. Relative links resolve against the page."""
    for link in response.links.values():
        rels = link.get("rel", "").lower().split()
        url = link.get("url", "").strip()
        if "next" in rels and url:
            try:
                return str(response.url.join(url))
            except (httpx.InvalidURL, ValueError):
                raise MalformedReply(
                    f"The platform's next-page link {url[:200]!r} is not a valid URL.",
                    status=response.status_code) from None
    return None


def paginate(
    first: Callable[[], P],
    fetch: Callable[[str], P],
    next_of: Callable[[P], str | None],
    *,
    what: str,
    max_pages: int = DEFAULT_MAX_PAGES,
    first_key: str | None = None,
    size_of: Callable[[P], int] | None = None,
    max_total_bytes: int = DEFAULT_MAX_LISTING_BYTES,
) -> Iterator[P]:
    """Yield the first page, then each ``next`` page, until a page has no next.

    ``first_key`` identifies the first page (its URL) so a link back to it counts as a loop.
    With ``size_of``, the pages together may not pass ``max_total_bytes``: each reply is capped
    on its own, and so is the listing.
    """
    seen: set[str] = set() if first_key is None else {first_key}
    page = first()
    count = 1
    total = 0
    while True:
        if size_of is not None:
            total += size_of(page)
            if total > max_total_bytes:
                raise ResponseTooLarge(
                    f"The platform's listing of {what} passed {max_total_bytes} bytes over "
                    f"{count} pages; stopped there.")
        yield page
        following = next_of(page)
        if not following:
            return
        if following in seen:
            raise MalformedReply(
                f"The platform's pages of {what} loop back to a page already read "
                f"({following[:200]}); stopped to avoid reading forever.")
        if count >= max_pages:
            raise MalformedReply(
                f"The platform sent more than {max_pages} pages of {what}; stopped there.")
        seen.add(following)
        page = fetch(following)
        count += 1
