"""What ``gradedesk show`` lists, counted in SQL: each line item's cells by kind and the
roster's learners, without building a row per cell or per member (a course of 500 x 40 is
20,000 cells). The rules are the ones ``grid`` and ``MemberRow`` apply one by one; tests
check both agree on real files."""

from __future__ import annotations

from typing import NamedTuple

from gradedesk.store.db import Database


class LineItemCounts(NamedTuple):
    """One line item's cells counted as ``gradebook_cells`` would make them: with a score,
    needing grading, and with a local change (any state but synced or confirmed)."""

    graded: int = 0
    needs_grading: int = 0
    local: int = 0


# The rules of derive_state and domain.grading_rules.needs_grading, counted per line item in
# one query instead of building every cell (``show`` lists courses of 500 x 40 and more). A
# cell is a (line item, user) with a server copy, a draft or a push, as in gradebook_cells;
# its counts are summed in parts: the server copies (counted per line item), then each
# draft's change to what its cell shows, then each latest push of a cell with no draft.
# Tests check the counts against gradebook_cells on a real file with cells in every state.
_COUNTS_SQL = """
WITH items AS (
    SELECT id FROM line_items WHERE connection_id = :connection
), latest AS (
    SELECT max(o.id) AS id FROM items i JOIN outbox o ON o.line_item_id = i.id
    GROUP BY o.line_item_id, o.user_id
), parts AS (
    SELECT r.line_item_id AS item, count(r.score) AS graded,
        count(*) - count(r.score) AS waiting, 0 AS local
    FROM server_results r WHERE r.line_item_id IN (SELECT id FROM items)
    GROUP BY r.line_item_id
    UNION ALL
    SELECT d.line_item_id,
        (d.score_given IS NOT NULL) - (r.line_item_id IS NOT NULL AND r.score IS NOT NULL),
        (CASE WHEN d.grading_progress = 'PendingManual' THEN 1
              WHEN d.score_given IS NOT NULL THEN 0
              ELSE r.line_item_id IS NOT NULL AND d.grading_progress <> 'FullyGraded' END)
            - (r.line_item_id IS NOT NULL AND r.score IS NULL),
        1
    FROM items i JOIN drafts d ON d.line_item_id = i.id
    LEFT JOIN server_results r ON r.line_item_id = d.line_item_id AND r.user_id = d.user_id
    UNION ALL
    SELECT o.line_item_id, 0, 0,
        CASE WHEN o.state IN ('sending', 'sent') THEN 1
             WHEN o.state <> 'confirmed' THEN 0
             WHEN EXISTS (SELECT 1 FROM progress_jobs j WHERE j.outbox_id = o.id AND (
                 j.final = 0 OR (j.final = 1 AND j.state IN ('failed', 'canceled')))) THEN 1
             WHEN o.confirmed_version IS NOT NULL AND o.confirmed_version <> coalesce(
                 (SELECT r.version FROM server_results r WHERE r.line_item_id = o.line_item_id
                  AND r.user_id = o.user_id), -1) THEN 0
             ELSE coalesce(json_type(o.kept_json), 'null') <> 'null' END
    FROM latest JOIN outbox o ON o.id = latest.id
    WHERE NOT EXISTS (SELECT 1 FROM drafts d WHERE d.line_item_id = o.line_item_id
                      AND d.user_id = o.user_id)
)
SELECT item, sum(graded), sum(waiting), sum(local) FROM parts GROUP BY item
"""


def line_item_counts(db: Database, connection_id: int) -> dict[int, LineItemCounts]:
    """Per line item id: how many of its cells have a score, need grading, or hold a local
    change, counted in one query (what ``gradedesk show`` lists). A line item with no cell
    is absent."""
    with db.read() as conn:
        rows = conn.execute(_COUNTS_SQL, {"connection": connection_id}).fetchall()
    return {item: LineItemCounts(int(graded or 0), int(waiting or 0), int(local or 0))
            for item, graded, waiting, local in rows}


class RosterCounts(NamedTuple):
    """What ``list_members`` holds, counted: learners, whether any member came from a Names
    and Roles roster, and learners without a name (``MemberRow.named`` false)."""

    learners: int
    from_roster: bool
    unnamed_learners: int


def roster_counts(db: Database, connection_id: int) -> RosterCounts:
    """The counts over the members ``list_members`` gives (missing ones left out), in SQL."""
    with db.read() as conn:
        learners, roster, unnamed = conn.execute(
            "SELECT coalesce(sum(is_learner = 1), 0), coalesce(max(source = 'roster'), 0), "
            "coalesce(sum(is_learner = 1 AND coalesce(name, '') = '' AND "
            "coalesce(given_name, '') = '' AND coalesce(family_name, '') = ''), 0) "
            "FROM members WHERE connection_id = ? AND missing_since IS NULL",
            (connection_id,)).fetchone()
    return RosterCounts(int(learners), bool(roster), int(unnamed))
