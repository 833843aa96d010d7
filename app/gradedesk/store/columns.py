"""Columns (line items) made and changed from GradeDesk.

A column made offline is a local row with ``pending = 'create'`` and a placeholder URL; grades
typed into it are ordinary drafts of that row, so they queue behind its creation and follow it
when the platform gives it an id. Its ``resourceId`` is GradeDesk's own, made here, so a push
that crashed or lost the reply finds the column again instead of creating a second one.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from gradedesk.domain import InputError, LineItem, utc_now
from gradedesk.store._sql import content_hash, db_now, db_time, to_json
from gradedesk.store.db import Database
from gradedesk.store.rows import LineItemRow
from gradedesk.store.snapshots import (
    adopt_created_column,
    assign_short_ids,
    line_item_in,
    upsert_line_items,
)

LOCAL_URL_PREFIX = "urn:gradedesk:column:"
RESOURCE_ID_PREFIX = "gradedesk-"


def is_local_url(url: str) -> bool:
    """Whether a line item URL is the placeholder of a column not yet on the platform."""
    return url.startswith(LOCAL_URL_PREFIX)


def new_resource_id() -> str:
    """A resourceId that only this column will ever carry."""
    import uuid  # here: uuid (with platform) is only for making a column

    return f"{RESOURCE_ID_PREFIX}{uuid.uuid4().hex}"


def line_item_of(row: LineItemRow) -> LineItem:
    """The stored column as a domain value (without an id while it is only local)."""
    wire = dict(row.wire)
    wire["id"] = row.url
    item = LineItem.from_wire(wire)
    return replace(item, id="") if row.pending_create else item


def add_local_column(db: Database, connection_id: int, item: LineItem) -> LineItemRow:
    """Record a new column to be created on the platform by the next push (or right away by
    the caller). It gets a fresh resourceId unless the grader chose one."""
    if item.id:
        raise InputError("A new column has no platform id yet.")
    resource_id = item.resource_id or new_resource_id()
    local = replace(item, resource_id=resource_id)
    wire = local.to_wire()
    import uuid

    url = f"{LOCAL_URL_PREFIX}{uuid.uuid4()}"
    now = db_now()
    with db.transaction() as conn:
        taken = conn.execute("SELECT 1 FROM line_items WHERE connection_id = ? AND "
                             "json_extract(wire_json, '$.resourceId') = ?",
                             (connection_id, resource_id)).fetchone()
        if taken is not None:
            raise InputError(f"A column with the resource id {resource_id!r} already exists.")
        conn.execute(
            "INSERT INTO line_items (connection_id, url, label, score_maximum, wire_json, "
            "content_hash, fetched_at, pending) VALUES (?, ?, ?, ?, ?, ?, ?, 'create')",
            (connection_id, url, local.label, local.score_maximum, to_json(wire),
             content_hash(wire), now))
        assign_short_ids(conn, connection_id)
        row = line_item_in(conn, connection_id, url)
    assert row is not None
    return row


def pending_columns(db: Database, connection_id: int) -> list[LineItemRow]:
    """Columns made here and not yet known to exist on the platform, oldest first."""
    with db.read() as conn:
        urls = [row[0] for row in conn.execute(
            "SELECT url FROM line_items WHERE connection_id = ? AND pending = 'create' "
            "ORDER BY id", (connection_id,))]
        rows = [line_item_in(conn, connection_id, url) for url in urls]
    return [row for row in rows if row is not None]


def mark_create_attempt(db: Database, row_id: int, *, now: datetime | None = None) -> None:
    """Committed before the creation request goes out: from now on, a later push must look
    for the column on the platform before creating it again."""
    with db.transaction() as conn:
        conn.execute("UPDATE line_items SET create_attempted_at = ? WHERE id = ? "
                     "AND pending = 'create'", (db_time(now or utc_now()), row_id))


def column_created(db: Database, connection_id: int, row_id: int,
                   created: LineItem) -> LineItemRow:
    """The platform has the column (created now, or found by its resourceId): the local row
    takes its id and the platform's copy; drafts and queued grades stay with it."""
    if not created.id:
        raise InputError("The platform's column has no id.")
    with db.transaction() as conn:
        adopt_created_column(conn, row_id, created.id)
    upsert_line_items(db, connection_id, [created], complete=False)
    with db.read() as conn:
        row = line_item_in(conn, connection_id, created.id)
    assert row is not None
    return row


def update_local_column(db: Database, connection_id: int, url: str,
                        changed: LineItem) -> LineItemRow:
    """Change a column that exists only here (its creation will carry the change)."""
    with db.transaction() as conn:
        row = line_item_in(conn, connection_id, url)
        if row is None or not row.pending_create:
            raise InputError("Only a column not yet on the platform can be changed offline.")
        local = replace(changed, id="", resource_id=row.resource_id)
        wire = local.to_wire()
        conn.execute("UPDATE line_items SET label = ?, score_maximum = ?, wire_json = ?, "
                     "content_hash = ? WHERE id = ?",
                     (local.label, local.score_maximum, to_json(wire), content_hash(wire),
                      row.id))
        found = line_item_in(conn, connection_id, url)
    assert found is not None
    return found


def forget_column(db: Database, connection_id: int, url: str) -> int:
    """Remove a column from this computer (it was deleted on the platform, or it never got
    there): with it go its drafts and queued grades. Returns how many drafts went."""
    with db.transaction() as conn:
        row = line_item_in(conn, connection_id, url)
        if row is None:
            return 0
        drafts = conn.execute("SELECT count(*) FROM drafts WHERE line_item_id = ?",
                              (row.id,)).fetchone()[0]
        conn.execute("DELETE FROM line_items WHERE id = ?", (row.id,))
    return int(drafts)


def drafts_in(db: Database, row_id: int) -> int:
    """How many local drafts a column holds."""
    with db.read() as conn:
        return int(conn.execute("SELECT count(*) FROM drafts WHERE line_item_id = ?",
                                (row_id,)).fetchone()[0])
