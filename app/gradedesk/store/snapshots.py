"""Server copies of line items, members and results, replaced by each pull.

A pull never touches drafts: it only reports (``SnapshotChanges.conflicts``) the drafts whose
base copy the server has moved away from, so the engine can flag them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

from gradedesk.domain import LEARNER_ROLE, InputError, LineItem, Member, Result
from gradedesk.domain.ids import short_id_candidate, unique_short_id
from gradedesk.domain.server_copy import NOTHING, server_changed
from gradedesk.store._sql import (
    content_hash,
    db_now,
    db_time,
    from_db_time,
    from_json,
    maybe_time,
    to_json,
)
from gradedesk.store.db import Database
from gradedesk.store.rows import LineItemRow, MemberRow, ServerResultRow, SnapshotChanges

_LINE_ITEM_COLUMNS = ("id, connection_id, url, label, score_maximum, wire_json, content_hash, "
                      "fetched_at, missing_since, short_id, pending, create_attempted_at")
_MEMBER_COLUMNS = ("connection_id, user_id, name, given_name, family_name, sort_name, email, "
                   "roles_json, is_learner, status, section, fetched_at, missing_since, source")
_RESULT_COLUMNS = ("line_item_id, user_id, result_url, score, maximum, comment, "
                   "server_timestamp, wire_json, content_hash, version, fetched_at")

# --- Line items -----------------------------------------------------------------------------


def upsert_line_items(db: Database, connection_id: int, items: Iterable[LineItem], *,
                      complete: bool = True) -> SnapshotChanges:
    """Store a listing of line items (keys: their URLs); with ``complete``, items not listed
    get ``missing_since`` (kept, so drafts on them survive)."""
    now = db_now()
    added: list[str] = []
    updated: list[str] = []
    seen: set[str] = set()
    with db.transaction() as conn:
        awaiting = _pending_by_resource_id(conn, connection_id)
        for item in items:
            if not item.id:
                raise InputError(f"The line item {item.label!r} has no id.")
            if item.resource_id is not None and item.resource_id in awaiting:
                # A column made here whose creation reply was lost: this is it.
                adopt_created_column(conn, awaiting.pop(item.resource_id), item.id)
            wire = item.to_wire()
            digest = content_hash(wire)
            seen.add(item.id)
            old = conn.execute(
                "SELECT content_hash, missing_since FROM line_items "
                "WHERE connection_id = ? AND url = ?", (connection_id, item.id)).fetchone()
            if old is None:
                added.append(item.id)
            elif old[0] != digest or old[1] is not None:
                updated.append(item.id)
            conn.execute(
                "INSERT INTO line_items (connection_id, url, label, score_maximum, wire_json, "
                "content_hash, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (connection_id, url) DO UPDATE SET label = excluded.label, "
                "score_maximum = excluded.score_maximum, wire_json = excluded.wire_json, "
                "content_hash = excluded.content_hash, fetched_at = excluded.fetched_at, "
                "missing_since = NULL",
                (connection_id, item.id, item.label, item.score_maximum, to_json(wire), digest,
                 now))
        removed = _mark_missing(conn, "line_items", "url", connection_id, seen, now,
                                kept="pending IS NOT NULL") if complete else []
        assign_short_ids(conn, connection_id)
    return SnapshotChanges(tuple(added), tuple(updated), tuple(removed))


def _pending_by_resource_id(conn: sqlite3.Connection, connection_id: int) -> dict[str, int]:
    rows = conn.execute("SELECT id, json_extract(wire_json, '$.resourceId') FROM line_items "
                        "WHERE connection_id = ? AND pending = 'create'",
                        (connection_id,)).fetchall()
    return {resource: row_id for row_id, resource in rows if isinstance(resource, str)}


def adopt_created_column(conn: sqlite3.Connection, row_id: int, url: str) -> None:
    """A column made here now exists on the platform at ``url``: it keeps its drafts and
    queued grades under its new id (and a short id from that id)."""
    found = conn.execute("SELECT id FROM line_items WHERE connection_id = "
                         "(SELECT connection_id FROM line_items WHERE id = ?) AND url = ? "
                         "AND id != ?", (row_id, url, row_id)).fetchone()
    if found is not None:
        # Already stored under its platform id (unlikely: pulls adopt first): fold the local
        # row's grades into that one, then drop the local row.
        conn.execute("UPDATE OR IGNORE drafts SET line_item_id = ? WHERE line_item_id = ?",
                     (found[0], row_id))
        conn.execute("UPDATE outbox SET line_item_id = ? WHERE line_item_id = ?",
                     (found[0], row_id))
        # A hold goes with the grades (else the delete below would lift it).
        conn.execute("UPDATE OR IGNORE column_holds SET line_item_id = ? WHERE line_item_id = ?",
                     (found[0], row_id))
        # So do the rubric and the levels chosen with it (schema 10).
        for table in ("rubrics", "rubric_grades"):
            conn.execute(f"UPDATE OR IGNORE {table} SET line_item_id = ? "
                         "WHERE line_item_id = ?", (found[0], row_id))
        # And its late rule and the penalties proposed from it (schema 11).
        for table in ("late_rules", "late_penalties"):
            conn.execute(f"UPDATE OR IGNORE {table} SET line_item_id = ? "
                         "WHERE line_item_id = ?", (found[0], row_id))
        conn.execute("DELETE FROM line_items WHERE id = ?", (row_id,))
        return
    conn.execute("UPDATE line_items SET url = ?, pending = NULL, create_attempted_at = NULL, "
                 "short_id = NULL WHERE id = ?", (url, row_id))
    assign_short_ids(conn, None, row_id=row_id)


def assign_short_ids(conn: sqlite3.Connection, connection_id: int | None, *,
                     row_id: int | None = None) -> None:
    """Give every line item without a short id one, unique within its connection; ids once
    given never change, so they are stable across pulls."""
    if row_id is not None:
        found = conn.execute("SELECT connection_id FROM line_items WHERE id = ?",
                             (row_id,)).fetchone()
        if found is None:
            return
        connection_id = found[0]
    missing = conn.execute("SELECT id, url, pending FROM line_items WHERE connection_id = ? "
                           "AND short_id IS NULL ORDER BY id", (connection_id,)).fetchall()
    if not missing:
        return
    taken = {row[0] for row in conn.execute(
        "SELECT short_id FROM line_items WHERE connection_id = ? AND short_id IS NOT NULL",
        (connection_id,))}
    for item_id, url, pending in missing:
        candidate = "new" if pending else short_id_candidate(url)
        chosen = unique_short_id(candidate, taken)
        taken.add(chosen)
        conn.execute("UPDATE line_items SET short_id = ? WHERE id = ?", (chosen, item_id))


def list_line_items(db: Database, connection_id: int, *,
                    include_missing: bool = False) -> list[LineItemRow]:
    """The connection's line items by label (those gone from the server only on request)."""
    where = "" if include_missing else " AND missing_since IS NULL"
    with db.read() as conn:
        rows = conn.execute(
            f"SELECT {_LINE_ITEM_COLUMNS} FROM line_items WHERE connection_id = ?{where} "
            "ORDER BY label, url", (connection_id,)).fetchall()
    return [_line_item_row(r) for r in rows]


def get_line_item(db: Database, connection_id: int, url: str) -> LineItemRow | None:
    """The line item with this URL, or None."""
    with db.read() as conn:
        return line_item_in(conn, connection_id, url)


def line_item_in(conn: sqlite3.Connection, connection_id: int, url: str) -> LineItemRow | None:
    """The line item with this URL, inside an open block."""
    raw = conn.execute(f"SELECT {_LINE_ITEM_COLUMNS} FROM line_items "
                       "WHERE connection_id = ? AND url = ?", (connection_id, url)).fetchone()
    return None if raw is None else _line_item_row(raw)


def require_line_item_in(conn: sqlite3.Connection, connection_id: int,
                         url: str) -> LineItemRow:
    """The line item with this URL inside an open block; InputError if it was never pulled."""
    row = line_item_in(conn, connection_id, url)
    if row is None:
        raise InputError(f"Unknown line item {url!r}; pull the connection first.")
    return row


def _line_item_row(raw: tuple[Any, ...]) -> LineItemRow:
    return LineItemRow(id=raw[0], connection_id=raw[1], url=raw[2], label=raw[3],
                       score_maximum=raw[4], wire=from_json(raw[5]), content_hash=raw[6],
                       fetched_at=from_db_time(raw[7]), missing_since=maybe_time(raw[8]),
                       # Databases from schema 2 get stored short ids at their next pull.
                       short_id=raw[9] or short_id_candidate(raw[2]),
                       pending_create=raw[10] == "create",
                       create_attempted_at=maybe_time(raw[11]))


# --- Members --------------------------------------------------------------------------------


def member_wire(member: Member) -> dict[str, Any]:
    """A member as Names and Roles sends it (Canvas's snake_case), unknown fields kept."""
    body = dict(member.extra)
    body.update({key: value for key, value in {
        "user_id": member.user_id, "roles": list(member.roles), "status": member.status,
        "name": member.name, "given_name": member.given_name,
        "family_name": member.family_name, "email": member.email, "picture": member.picture,
        "lis_person_sourcedid": member.lis_person_sourcedid,
    }.items() if value is not None})
    return body


_UPSERT_MEMBER = (
    "INSERT INTO members (connection_id, user_id, name, given_name, family_name, "
    "sort_name, email, roles_json, is_learner, status, section, wire_json, "
    "content_hash, fetched_at, source) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (connection_id, user_id) DO UPDATE SET name = excluded.name, "
    "given_name = excluded.given_name, family_name = excluded.family_name, "
    "sort_name = excluded.sort_name, email = excluded.email, "
    "roles_json = excluded.roles_json, is_learner = excluded.is_learner, "
    "status = excluded.status, "
    # A section from an imported file (store.sections) stays while the platform gives none;
    # one the platform gives replaces it.
    "section = CASE WHEN excluded.section IS NULL AND members.section_from_file "
    "THEN members.section ELSE excluded.section END, "
    "section_from_file = excluded.section IS NULL AND members.section_from_file, "
    "wire_json = excluded.wire_json, content_hash = excluded.content_hash, "
    "fetched_at = excluded.fetched_at, missing_since = NULL, "
    "source = excluded.source")


def upsert_members(db: Database, connection_id: int, members: Iterable[Member], *,
                   sections: Mapping[str, str] | None = None,
                   complete: bool = True, source: str = "roster") -> SnapshotChanges:
    """Store a roster (keys: user ids); with ``complete``, members not listed get
    ``missing_since`` (except ids a grader typed). ``sections`` maps user ids to a section
    name when one is known; ``source`` says where the roster came from (see MemberRow)."""
    sections = sections or {}
    now = db_now()
    added: list[str] = []
    updated: list[str] = []
    seen: set[str] = set()
    with db.transaction() as conn:
        stored = {user_id: (digest, missing_since) for user_id, digest, missing_since in
                  conn.execute("SELECT user_id, content_hash, missing_since FROM members "
                               "WHERE connection_id = ?", (connection_id,))}
        rows = []
        for member in members:
            wire = member_wire(member)
            section = sections.get(member.user_id)
            digest = content_hash({"wire": wire, "section": section})
            seen.add(member.user_id)
            old = stored.get(member.user_id)
            if old is None:
                added.append(member.user_id)
            elif old[0] != digest or old[1] is not None:
                updated.append(member.user_id)
            stored[member.user_id] = (digest, None)  # a roster naming someone twice
            rows.append((connection_id, member.user_id, member.name, member.given_name,
                         member.family_name, member.sort_name, member.email,
                         to_json(list(member.roles)), int(member.is_learner), member.status,
                         section, to_json(wire), digest, now, source))
        conn.executemany(_UPSERT_MEMBER, rows)
        removed = _mark_missing(conn, "members", "user_id", connection_id, seen, now,
                                kept="source = 'typed'") if complete else []
    return SnapshotChanges(tuple(added), tuple(updated), tuple(removed))


def list_members(db: Database, connection_id: int, *, learners_only: bool = False,
                 include_missing: bool = False) -> list[MemberRow]:
    """The connection's members by sort name."""
    where = " AND is_learner = 1" if learners_only else ""
    where += "" if include_missing else " AND missing_since IS NULL"
    with db.read() as conn:
        rows = conn.execute(
            f"SELECT {_MEMBER_COLUMNS} FROM members WHERE connection_id = ?{where} "
            "ORDER BY sort_name COLLATE NOCASE, user_id", (connection_id,)).fetchall()
    return [_member_row(r) for r in rows]


def get_member(db: Database, connection_id: int, user_id: str) -> MemberRow | None:
    """The member with this user id, as ``list_members`` would give it (missing ones left
    out), or None."""
    with db.read() as conn:
        raw = conn.execute(f"SELECT {_MEMBER_COLUMNS} FROM members WHERE connection_id = ? "
                           "AND user_id = ? AND missing_since IS NULL",
                           (connection_id, user_id)).fetchone()
    return None if raw is None else _member_row(raw)


def _member_row(raw: tuple[Any, ...]) -> MemberRow:
    return MemberRow(connection_id=raw[0], user_id=raw[1], name=raw[2], given_name=raw[3],
                     family_name=raw[4], sort_name=raw[5], email=raw[6],
                     roles=tuple(from_json(raw[7])), is_learner=bool(raw[8]), status=raw[9],
                     section=raw[10], fetched_at=from_db_time(raw[11]),
                     missing_since=maybe_time(raw[12]), source=raw[13])


def add_typed_member(db: Database, connection_id: int, user_id: str) -> MemberRow:
    """A user id a grader typed that the roster does not list (a platform without Names and
    Roles, or a student who joined since the last pull), kept as a learner named by id."""
    clean = user_id.strip()
    if not clean or any(ord(character) < 32 for character in clean):
        raise InputError("A user id must be non-empty text without control characters.")
    member = Member(user_id=clean, roles=(LEARNER_ROLE,))
    with db.transaction() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO members (connection_id, user_id, sort_name, roles_json, "
            "is_learner, status, wire_json, content_hash, fetched_at, source) "
            "VALUES (?, ?, ?, ?, 1, 'Active', ?, '', ?, 'typed')",
            (connection_id, clean, member.sort_name, to_json([LEARNER_ROLE]),
             to_json(member_wire(member)), db_now()))
        raw = conn.execute(f"SELECT {_MEMBER_COLUMNS} FROM members WHERE connection_id = ? "
                           "AND user_id = ?", (connection_id, clean)).fetchone()
    return _member_row(raw)


def _mark_missing(conn: sqlite3.Connection, table: str, key: str, connection_id: int,
                  seen: set[str], now: str, *, kept: str = "0") -> list[str]:
    """Mark rows a complete listing no longer has; rows matching ``kept`` (SQL, a constant of
    the callers) are local and stay."""
    present = conn.execute(
        f"SELECT {key} FROM {table} WHERE connection_id = ? AND missing_since IS NULL "
        f"AND NOT ({kept})", (connection_id,)).fetchall()
    gone = sorted(row[0] for row in present if row[0] not in seen)
    conn.executemany(f"UPDATE {table} SET missing_since = ? WHERE connection_id = ? AND {key} = ?",
                     [(now, connection_id, value) for value in gone])
    return gone


# --- Results --------------------------------------------------------------------------------


def result_hash(result: Result | None) -> str | None:
    """The hash of what a grader sees in a result (None when there is no result)."""
    if result is None:
        return None
    stamp = None if result.timestamp is None else db_time(result.timestamp)
    return content_hash({"score": result.result_score, "maximum": result.result_maximum,
                         "comment": result.comment, "timestamp": stamp})


def upsert_results(db: Database, connection_id: int, line_item_url: str,
                   results: Iterable[Result], *, complete: bool = True) -> SnapshotChanges:
    """Store a line item's results (keys: user ids). With ``complete`` (a full listing), a
    stored result the server no longer lists is deleted: the server holds none now."""
    now = db_now()
    added: list[str] = []
    updated: list[str] = []
    removed: list[str] = []
    with db.transaction() as conn:
        line_item = require_line_item_in(conn, connection_id, line_item_url)
        # One query for what is stored and one statement for every row, not two statements a
        # result: a pull stores tens of thousands of results.
        stored = dict(conn.execute("SELECT user_id, content_hash FROM server_results "
                                   "WHERE line_item_id = ?", (line_item.id,)).fetchall())
        seen: set[str] = set()
        rows = []
        for result in results:
            seen.add(result.user_id)
            row = _result_values(line_item.id, result, now)
            digest = row[-2]
            if result.user_id not in stored:
                added.append(result.user_id)
            elif stored[result.user_id] != digest:
                updated.append(result.user_id)
            stored[result.user_id] = digest  # a listing naming a user twice: the last wins
            rows.append(row)
        conn.executemany(_UPSERT_RESULT, rows)
        if complete:
            removed = sorted(user_id for user_id in stored if user_id not in seen)
            conn.executemany(
                "DELETE FROM server_results WHERE line_item_id = ? AND user_id = ?",
                [(line_item.id, user_id) for user_id in removed])
        conflicts = _moved_drafts(conn, line_item.id, [*added, *updated, *removed])
    return SnapshotChanges(tuple(added), tuple(updated), tuple(removed), tuple(conflicts))


def upsert_result(db: Database, connection_id: int, line_item_url: str, user_id: str,
                  result: Result | None) -> SnapshotChanges:
    """Store one read-back result of ``user_id`` (None: the server holds none)."""
    if result is not None and result.user_id != user_id:
        raise InputError(f"The result is {result.user_id!r}'s, not {user_id!r}'s.")
    now = db_now()
    with db.transaction() as conn:
        line_item = require_line_item_in(conn, connection_id, line_item_url)
        if result is None:
            cursor = conn.execute(
                "DELETE FROM server_results WHERE line_item_id = ? AND user_id = ?",
                (line_item.id, user_id))
            change = "removed" if cursor.rowcount else "same"
        else:
            change = _store_result(conn, line_item.id, result, now)
        conflicts = _moved_drafts(conn, line_item.id, [user_id]) if change != "same" else []
    keys = (user_id,)
    return SnapshotChanges(added=keys if change == "added" else (),
                           updated=keys if change == "updated" else (),
                           removed=keys if change == "removed" else (),
                           conflicts=tuple(conflicts))


_UPSERT_RESULT = (
    "INSERT INTO server_results (line_item_id, user_id, result_url, score, maximum, "
    "comment, server_timestamp, wire_json, content_hash, fetched_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (line_item_id, user_id) DO UPDATE SET result_url = excluded.result_url, "
    "score = excluded.score, maximum = excluded.maximum, comment = excluded.comment, "
    "server_timestamp = excluded.server_timestamp, wire_json = excluded.wire_json, "
    "version = version + (content_hash != excluded.content_hash), "
    "content_hash = excluded.content_hash, fetched_at = excluded.fetched_at")


def _result_values(line_item_id: int, result: Result, now: str) -> tuple[Any, ...]:
    """The values ``_UPSERT_RESULT`` takes for ``result``; the content hash is next to last."""
    stamp = None if result.timestamp is None else db_time(result.timestamp)
    return (line_item_id, result.user_id, result.id or None, result.result_score,
            result.result_maximum, result.comment, stamp, to_json(result.to_wire()),
            result_hash(result), now)


def _store_result(conn: sqlite3.Connection, line_item_id: int, result: Result,
                  now: str) -> str:
    row = _result_values(line_item_id, result, now)
    old = conn.execute("SELECT content_hash FROM server_results "
                       "WHERE line_item_id = ? AND user_id = ?",
                       (line_item_id, result.user_id)).fetchone()
    conn.execute(_UPSERT_RESULT, row)
    if old is None:
        return "added"
    return "same" if old[0] == row[-2] else "updated"


def _moved_drafts(conn: sqlite3.Connection, line_item_id: int,
                  user_ids: list[str]) -> list[str]:
    """Users whose draft (not in flight or done) is based on a server copy that someone has
    changed since, by the one conflict rule (domain.server_copy.server_changed)."""
    if not user_ids:
        return []
    # Imported here: the drafts module builds on this one.
    from gradedesk.store.drafts import DRAFT_COLUMNS, draft_row

    wanted = set(user_ids)
    waiting = [draft_row(raw) for raw in conn.execute(
        f"SELECT {DRAFT_COLUMNS} FROM drafts d JOIN line_items l ON l.id = d.line_item_id "
        "WHERE d.line_item_id = ? AND NOT EXISTS (SELECT 1 FROM outbox o "
        "WHERE o.draft_id = d.id AND o.draft_revision = d.revision "
        "AND o.state IN ('sending', 'sent', 'confirmed'))", (line_item_id,))]
    moved: list[str] = []
    for draft in waiting:
        if draft.user_id not in wanted:
            continue
        raw = conn.execute(f"SELECT {_RESULT_COLUMNS} FROM server_results "
                           "WHERE line_item_id = ? AND user_id = ?",
                           (line_item_id, draft.user_id)).fetchone()
        live = NOTHING if raw is None else result_row(raw).as_copy()
        if server_changed(draft.base.as_copy(), live):
            moved.append(draft.user_id)
    return sorted(moved)


def get_result(db: Database, connection_id: int, line_item_url: str,
               user_id: str) -> ServerResultRow | None:
    """The server copy of one user's result, or None."""
    with db.read() as conn:
        line_item = require_line_item_in(conn, connection_id, line_item_url)
        raw = conn.execute(f"SELECT {_RESULT_COLUMNS} FROM server_results "
                           "WHERE line_item_id = ? AND user_id = ?",
                           (line_item.id, user_id)).fetchone()
    return None if raw is None else result_row(raw)


def list_results(db: Database, connection_id: int,
                 line_item_url: str) -> list[ServerResultRow]:
    """The server copies of a line item's results, by user id."""
    with db.read() as conn:
        line_item = require_line_item_in(conn, connection_id, line_item_url)
        rows = conn.execute(f"SELECT {_RESULT_COLUMNS} FROM server_results "
                            "WHERE line_item_id = ? ORDER BY user_id",
                            (line_item.id,)).fetchall()
    return [result_row(r) for r in rows]


RESULT_COLUMNS = _RESULT_COLUMNS


def result_row(raw: tuple[Any, ...] | sqlite3.Row) -> ServerResultRow:
    """A server_results row (columns as RESULT_COLUMNS) as a value."""
    return ServerResultRow(line_item_id=raw[0], user_id=raw[1], result_url=raw[2],
                           score=raw[3], maximum=raw[4], comment=raw[5],
                           server_timestamp=raw[6], wire=from_json(raw[7]),
                           content_hash=raw[8], version=raw[9], fetched_at=from_db_time(raw[10]))
