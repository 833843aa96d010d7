"""Issue 9, finding 11: pull and push decide "a colleague changed this" by the same rule, on
the same table of cases (tests/conflict_table.py), on a real database file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conflict_table import CASES, T
from gradedesk.domain import LEARNER_ROLE, LineItem, Member, Result
from gradedesk.domain.server_copy import ServerCopy
from gradedesk.store import Database, OutboxState, connections, open_database, outbox, snapshots
from gradedesk.store.drafts import DraftEdit
from gradedesk.sync.engine import PushReport, SyncEngine, save_grade

ITEM = "https://canvas.test/api/lti/courses/7/line_items/31"


def as_result(copy: ServerCopy) -> Result | None:
    if copy.score is None and copy.maximum is None and copy.comment is None \
            and copy.timestamp is None:
        return None
    return Result(user_id="u1", result_score=copy.score, result_maximum=copy.maximum,
                  comment=copy.comment, timestamp=copy.timestamp)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "data")
    yield database
    database.close()


def drafted_on(db: Database, base: ServerCopy) -> Any:
    row = connections.add_connection(db, "c", "lti", {"issuer": "https://canvas.test"})
    snapshots.upsert_line_items(db, row.id, [LineItem(id=ITEM, label="Lab", score_maximum=10)])
    snapshots.upsert_members(db, row.id, [Member("u1", roles=(LEARNER_ROLE,))])
    found = as_result(base)
    snapshots.upsert_results(db, row.id, ITEM, [found] if found else [])
    save_grade(db, row, ITEM, "u1", DraftEdit(score_given=4), now=T)
    return row


@pytest.mark.parametrize(("base", "live", "changed"), CASES)
def test_a_pull_flags_the_draft_by_the_rule(db: Database, base: ServerCopy, live: ServerCopy,
                                            changed: bool) -> None:
    row = drafted_on(db, base)
    found = as_result(live)
    changes = snapshots.upsert_results(db, row.id, ITEM, [found] if found else [])
    assert changes.conflicts == (("u1",) if changed else ())


class Holds:
    """A platform that holds one result (the push reads it back before sending)."""

    supports_progress = False
    has_roster = True
    refused_params: frozenset[str] = frozenset()

    def __init__(self, live: ServerCopy) -> None:
        self.live = as_result(live)
        self.posted: list[object] = []

    def list_results(self, line_item_id: str, *, user_id: str | None = None) -> list[Result]:
        return [self.live] if self.live else []

    def post_score(self, line_item_id: str, score: object) -> object:
        self.posted.append(score)
        raise AssertionError("the check decides before anything is sent")


@pytest.mark.parametrize(("base", "live", "changed"), CASES)
def test_a_push_checks_the_draft_by_the_same_rule(db: Database, base: ServerCopy,
                                                  live: ServerCopy, changed: bool) -> None:
    row = drafted_on(db, base)
    queued = outbox.entries(db, row.id, (OutboxState.QUEUED,))
    engine = SyncEngine(db, row, Holds(live))  # type: ignore[arg-type]
    report = PushReport()
    engine._read_back(queued)
    ready = engine._judge_queued(queued, report)
    assert (report.conflicts != []) is changed
    assert (ready == []) is changed
