"""Reading some cells of a line item by user id (what a save or a sync event repaints) gives
exactly the rows the whole line item gives for those students: server copies, drafts and the
queue, with the same derived state."""

from __future__ import annotations

import pytest
from store_support import item_url, line_item, member, result

from gradedesk.store import grid
from gradedesk.store.db import Database
from gradedesk.store.drafts import DraftEdit, save_draft
from gradedesk.store.snapshots import upsert_line_items, upsert_members, upsert_results

USERS = [f"u{number:02d}" for number in range(12)]


def _course(db: Database, connection_id: int) -> str:
    upsert_line_items(db, connection_id, [line_item(1), line_item(2)])
    upsert_members(db, connection_id, [member(user) for user in USERS])
    url = item_url(1)
    upsert_results(db, connection_id, url, [result(user) for user in USERS[:8]])
    upsert_results(db, connection_id, item_url(2), [result(user, 2) for user in USERS])
    save_draft(db, connection_id, url, "u01", DraftEdit(score_given=9.0))  # over a copy
    save_draft(db, connection_id, url, "u10", DraftEdit(score_given=4.0))  # no copy yet
    save_draft(db, connection_id, item_url(2), "u03", DraftEdit(score_given=1.0))  # elsewhere
    return url


def test_some_cells_by_user_id_match_the_whole_line_item(db: Database,
                                                         connection_id: int) -> None:
    url = _course(db, connection_id)
    whole = {row.user_id: row for row in grid.line_item_rows(db, connection_id, url).rows}
    asked = {"u01", "u03", "u10", "u11", "not-a-learner"}
    some = grid.line_item_rows(db, connection_id, url, user_ids=asked)
    assert [m.user_id for m in some.members] == ["u01", "u03", "u10", "u11"]
    assert {row.user_id: row for row in some.rows} == {
        user: whole[user] for user in ("u01", "u03", "u10", "u11")}
    assert whole["u01"].draft is not None and whole["u03"].draft is None  # the other item's


def test_more_cells_than_the_by_id_limit_still_read_right(
        db: Database, connection_id: int, monkeypatch: pytest.MonkeyPatch) -> None:
    url = _course(db, connection_id)
    monkeypatch.setattr(grid, "CELLS_BY_ID_MAX", 2)  # the whole-line-item path, filtered after
    whole = {row.user_id: row for row in grid.line_item_rows(db, connection_id, url).rows}
    some = grid.line_item_rows(db, connection_id, url, user_ids={"u01", "u02", "u10"})
    assert {row.user_id: row for row in some.rows} == {
        user: whole[user] for user in ("u01", "u02", "u10")}
