"""``gradedesk proposals|accept|reject``: review the grades GradeDesk proposed (a rubric's new
points, a late rule, "mark missing"). Nothing proposed is queued or sent until accepted."""

from __future__ import annotations

import argparse
from typing import Any

from gradedesk.cli.output import emit_json
from gradedesk.domain import InputError, format_score
from gradedesk.store import ConnectionRow, Database
from gradedesk.store import connections as connection_store
from gradedesk.store.proposals import ProposalRow, drop_proposals, list_proposals
from gradedesk.store.snapshots import list_line_items, list_members


def _chosen(args: argparse.Namespace, db: Database,
            connection: ConnectionRow) -> list[ProposalRow]:
    from gradedesk.sync.lookup import find_line_item, find_member

    item = find_line_item(db, connection, args.line_item) if args.line_item else None
    member = find_member(db, connection, args.user) if getattr(args, "user", None) else None
    return list_proposals(db, connection.id, item.url if item else None,
                          member.user_id if member else None)


def _labels(db: Database, connection: ConnectionRow) -> tuple[dict[str, str], dict[str, str]]:
    items = {row.url: row.label for row in list_line_items(db, connection.id)}
    names = {row.user_id: row.sort_name for row in list_members(db, connection.id)}
    return items, names


def _was(row: ProposalRow) -> str:
    if not row.based_on.present:
        return "nothing"
    return format_score(row.based_on.score) or "no score"


def _proposal_json(row: ProposalRow, items: dict[str, str], names: dict[str, str]
                   ) -> dict[str, Any]:
    return {"id": row.id, "line_item": row.line_item_url,
            "line_item_label": items.get(row.line_item_url), "user_id": row.user_id,
            "name": names.get(row.user_id), "reason": row.reason, "score": row.score,
            "was": row.based_on.score if row.based_on.present else None,
            "comment": row.comment, "working": row.working,
            "proposed_at": row.proposed_at.isoformat()}


def show_proposals(args: argparse.Namespace, db: Database) -> int:
    connection = connection_store.require_connection(db, args.name)
    rows = _chosen(args, db, connection)
    items, names = _labels(db, connection)
    if args.json:
        emit_json({"connection": connection.name,
                   "proposals": [_proposal_json(row, items, names) for row in rows]})
        return 0
    if not rows:
        print("No proposed grades wait for review.")
        return 0
    print(f"{len(rows)} proposed grade(s) wait for review; none is sent until accepted "
          f"(`gradedesk accept {connection.name}`, or reject them).")
    label = None
    for row in rows:
        if row.line_item_url != label:
            label = row.line_item_url
            print(f"{items.get(label, label)}:")
        name = names.get(row.user_id, row.user_id)
        print(f"  {name}: {_was(row)} → {format_score(row.score) or 'no score'}  "
              f"[{row.reason}] {row.working}")
    return 0


def accept(args: argparse.Namespace, db: Database) -> int:
    from gradedesk.sync.proposals import review_proposals

    connection = connection_store.require_connection(db, args.name)
    rows = _chosen(args, db, connection)
    if not rows:
        raise InputError("No proposed grades match; `gradedesk proposals "
                         f"{connection.name}` lists them.")
    review = review_proposals(db, connection, rows)
    items, names = _labels(db, connection)
    if args.json:
        emit_json({"connection": connection.name,
                   "accepted": [{"line_item": d.line_item_url, "user_id": d.user_id,
                                 "score": d.score_given, "state": "queued"}
                                for d in review.accepted],
                   "stale": [_proposal_json(row, items, names) for row in review.stale]})
    else:
        print(f"Accepted {len(review.accepted)} proposed grade(s); queued, `gradedesk push "
              f"{connection.name}` sends them.")
        for row in review.stale:
            print(f"  Left {names.get(row.user_id, row.user_id)} in "
                  f"{items.get(row.line_item_url, row.line_item_url)}: the grade changed "
                  f"since it was proposed (from {_was(row)}); work it out again or reject it.")
    return 1 if review.stale else 0


def reject(args: argparse.Namespace, db: Database) -> int:
    connection = connection_store.require_connection(db, args.name)
    rows = _chosen(args, db, connection)
    dropped = drop_proposals(db, connection.id, [row.id for row in rows])
    if args.json:
        emit_json({"connection": connection.name, "rejected": dropped})
    else:
        print(f"Rejected {dropped} proposed grade(s); the grades stay as they were.")
    return 0
