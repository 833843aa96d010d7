"""Which connection and line item to open (no Qt): after start-up, a pull, the sandbox, or
``--connection`` / ``--line-item``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gradedesk.store import LineItemRow
from gradedesk.ui.loaders import Overview


@dataclass(frozen=True, slots=True)
class NavTarget:
    """What a tree item stands for: a connection (gradebook) or one of its line items."""

    connection: str
    line_item_url: str | None = None


def pick_line_item(items: Sequence[LineItemRow], hint: str | None) -> LineItemRow:
    """The line item a hint names (its URL, its trailing number or its label, any case),
    else the first one. ``items`` must not be empty."""
    if hint:
        wanted = hint.strip()
        for item in items:
            if wanted in (item.url, item.url.rstrip("/").rsplit("/", 1)[-1]) or \
                    item.label.casefold() == wanted.casefold():
                return item
    return items[0]


def choose_target(overview: Overview, *, wanted: NavTarget | None, want_line_item: bool,
                  hint: str | None) -> NavTarget:
    """The target to open: ``wanted`` if its connection exists (else the first connection),
    narrowed to a line item (the hinted one, or the first) when a line item is wanted."""
    names = [c.name for c in overview.connections]
    target = wanted if wanted is not None and wanted.connection in names else NavTarget(names[0])
    if target.line_item_url is None and want_line_item:
        row = next(c for c in overview.connections if c.name == target.connection)
        items = overview.line_items.get(row.id, ())
        if items:
            target = NavTarget(target.connection, pick_line_item(items, hint).url)
    return target


def follow_target(overview: Overview, target: NavTarget | None,
                  line_item_id: int | None) -> NavTarget | None:
    """``target`` again after the line items changed: its column under its new URL (a column
    made here got its platform id; the row id stays), or the connection alone when the
    column is gone (deleted), so the caller opens another."""
    if target is None or target.line_item_url is None:
        return target
    row = next((c for c in overview.connections if c.name == target.connection), None)
    if row is None:
        return target
    items = overview.line_items.get(row.id, ())
    if any(item.url == target.line_item_url for item in items):
        return target
    moved = next((item for item in items if item.id == line_item_id), None)
    return NavTarget(target.connection, moved.url if moved is not None else None)
