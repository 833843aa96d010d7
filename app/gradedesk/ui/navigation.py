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


class Navigator:
    """Where the window is and where it is going, across asynchronous loads: the target shown,
    one asked for before the courses loaded (``--connection``, a new sandbox, a finished
    set-up), and one waiting for its connection to open. The window asks; this decides."""

    def __init__(self, *, saved: NavTarget | None = None) -> None:
        self.overview: Overview | None = None
        self.current: NavTarget | None = None
        self.requested: NavTarget | None = None  # open this once the courses are loaded
        self.waiting: NavTarget | None = None  # open this when its connection is current
        self.line_item_hint: str | None = None  # --line-item: a URL, a number or a label
        self._saved = saved  # the last session's view, for the first overview only

    def follow(self, overview: Overview, shown_line_item_id: int | None, *,
               in_gradebook: bool) -> NavTarget | None:
        """Take a new overview; the target shown before it, as it is now called (None: none).
        In the gradebook a column that moved or went does not pull the view away."""
        self.overview = overview
        previous = follow_target(overview, self.current, shown_line_item_id)
        if previous != self.current and in_gradebook:
            self.current = previous
        return previous

    def choose(self, previous: NavTarget | None, *, want_line_item: bool) -> NavTarget:
        """What to open after an overview (which must name a connection)."""
        assert self.overview is not None
        wanted = self.requested or previous
        if wanted is None:
            wanted = self._saved
        self._saved = None
        self.requested = None
        return choose_target(self.overview, wanted=wanted, want_line_item=want_line_item,
                             hint=self.line_item_hint)

    def go(self, target: NavTarget, *, force: bool) -> bool:
        """Make ``target`` current; False when it already is and ``force`` is not set."""
        if not force and target == self.current:
            return False
        self.current = target
        return True

    def wait_for_connection(self, target: NavTarget) -> None:
        self.waiting = target

    def connection_opened(self, name: str) -> NavTarget | None:
        """The target that was waiting for this connection, if any (handed over once)."""
        target = self.waiting
        if target is None or target.connection != name:
            return None
        self.waiting = None
        return target

    def start_over_at(self, connection: str, line_item_url: str | None = None) -> None:
        """Open this once the courses reload (a new sandbox, a course just set up, a column
        just made), even if it looks like what is shown."""
        self.requested = NavTarget(connection, line_item_url)
        self.current = None

    def first_line_item(self, connection_id: int, connection: str) -> NavTarget | None:
        if self.overview is None:
            return None
        items = self.overview.line_items.get(connection_id, ())
        return NavTarget(connection, items[0].url) if items else None
