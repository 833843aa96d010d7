"""Reviewing proposed grades: accepting one makes it an ordinary queued draft, the same as a
grade typed by hand; a proposal whose cell has changed since it was made is stale and is left
for the grader to reject or recompute, never applied over the newer grade."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gradedesk.store import ConnectionRow, Database, DraftRow, drafts
from gradedesk.store.proposals import ProposalRow, cell_score_in, drop_proposals_in
from gradedesk.store.snapshots import require_line_item_in

# Reasons whose comment is a note added to the grader's own words, and how such a note starts
# (a rubric's proposal carries the whole comment: the levels lead it, the grader's words follow).
_NOTE_STARTS = {"late": "Late penalty", "missing": "Missing: no submission"}


@dataclass(frozen=True, slots=True)
class Review:
    """What accepting some proposals did: the drafts made, and the proposals left because their
    cell changed after they were proposed."""

    accepted: tuple[DraftRow, ...]
    stale: tuple[ProposalRow, ...]


def review_proposals(db: Database, connection: ConnectionRow,
                     rows: Sequence[ProposalRow]) -> Review:
    """Accept the proposals that still fit their cell, in one transaction: each becomes a
    queued draft and is dropped. Stale ones are kept and returned."""
    accepted: list[DraftRow] = []
    stale: list[ProposalRow] = []
    with db.transaction() as conn:
        for row in rows:
            line_item = require_line_item_in(conn, connection.id, row.line_item_url)
            if cell_score_in(conn, line_item.id, row.user_id) != row.based_on:
                stale.append(row)
                continue
            current = drafts.draft_in(conn, line_item.id, row.user_id)
            comment = row.comment
            if row.reason in _NOTE_STARTS and current is not None and current.comment and \
                    comment:
                comment = _with_note(current.comment, comment, _NOTE_STARTS[row.reason])
            edit = drafts.DraftEdit(
                score_given=drafts.UNSET if row.score is None else row.score,
                comment=drafts.UNSET if comment is None else comment)
            # save_draft's transaction nests as a savepoint inside this one.
            accepted.append(drafts.save_draft(db, connection.id, row.line_item_url,
                                              row.user_id, edit))
            drop_proposals_in(conn, connection.id, [row.id])
    return Review(tuple(accepted), tuple(stale))


def _with_note(words: str, note: str, start: str) -> str:
    """The grader's words with the rule's note after them. A note of the same kind accepted
    earlier and not sent yet ("Late penalty…" when the rule changed) is replaced, not kept
    beside the new one."""
    kept = [part for part in words.split("\n\n") if not part.strip().startswith(start)]
    return "\n\n".join([*kept, note]) if kept else note


def accept_proposals(db: Database, connection: ConnectionRow,
                     rows: Sequence[ProposalRow]) -> list[DraftRow]:
    """Accept proposals (``review_proposals``); the drafts made. Stale proposals are kept."""
    return list(review_proposals(db, connection, rows).accepted)
