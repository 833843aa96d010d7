"""Short ids: what a grader types for a line item instead of its URL."""

from __future__ import annotations

from collections.abc import Container
from urllib.parse import unquote, urlsplit


def short_id_candidate(line_item_url: str) -> str:
    """The part of a line item URL that names it: the last path segment holding a digit.

    Canvas ``…/line_items/31`` gives "31"; Moodle ``…/lineitems/3/lineitem?type_id=1`` gives
    "3" (its last segment is the same word for every item, and the query is not part of it).
    """
    segments = [unquote(part) for part in urlsplit(line_item_url).path.split("/") if part]
    for segment in reversed(segments):
        if any(character.isdigit() for character in segment):
            return segment
    return segments[-1] if segments else "item"


def unique_short_id(candidate: str, taken: Container[str]) -> str:
    """``candidate``, or ``candidate-2``, ``-3``… when another line item already has it."""
    if candidate not in taken:
        return candidate
    number = 2
    while f"{candidate}-{number}" in taken:
        number += 1
    return f"{candidate}-{number}"
