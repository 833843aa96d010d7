"""The main workflows against both sandbox profiles: Canvas, and a platform that does only what
the AGS spec requires (no Names and Roles, no paging, Moodle-shaped ids, unknown query
parameters refused, empty Score replies, 409 for a stale timestamp)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sync_support import mark_sending

from gradedesk.domain import LineItem
from gradedesk.platforms import TransportError
from gradedesk.platforms.lti_advantage.client import LtiAdvantageClient, LtiAdvantageConfig
from gradedesk.platforms.profiles import detect_kind
from gradedesk.sandbox import SandboxConfig, start_sandbox
from gradedesk.sandbox.server import RunningSandbox
from gradedesk.store import Database, OutboxState, columns, connections, outbox, snapshots
from gradedesk.store.drafts import DraftEdit
from gradedesk.sync.columns import ColumnChanges, add_column
from gradedesk.sync.engine import Resolution, SyncEngine, save_grade


@dataclass
class Course:
    db: Database
    sandbox: RunningSandbox
    client: LtiAdvantageClient
    connection_id: int

    @property
    def connection(self) -> Any:
        return connections.get_connection(self.db, "course")

    @property
    def engine(self) -> SyncEngine:
        return SyncEngine(self.db, self.connection, self.client)

    def item(self, number: int = 31) -> str:
        """The line item's id as the platform writes it."""
        for row in snapshots.list_line_items(self.db, self.connection_id):
            if row.short_id == str(number):
                return row.url
        raise AssertionError(f"no line item {number}")

    def grade(self, user: str, number: int = 31, **edit: Any) -> None:
        save_grade(self.db, self.connection, self.item(number), user, DraftEdit(**edit))

    def learners(self) -> list[str]:
        return [m.user_id for m in snapshots.list_members(self.db, self.connection_id,
                                                          learners_only=True)
                if m.name != "Test Student"]

    def ledger(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = httpx.get(self.sandbox.info["ledger_url"],
                                                timeout=10).json()
        return found

    def admin(self, method: str, path: str, **kwargs: Any) -> Any:
        reply = httpx.request(method, f"{self.sandbox.info['admin_url']}/{path}", timeout=10,
                              **kwargs)
        reply.raise_for_status()
        return reply.json()

    def server_score(self, user: str, number: int = 31) -> float | None:
        found = self.admin("GET", "result", params={"line_item": self.item(number),
                                                    "user_id": user})
        score: float | None = found["resultScore"]
        return score


@pytest.fixture(params=["canvas", "minimal"])
def course(request: pytest.FixtureRequest, tmp_path: Path, tool_pem: bytes) -> Iterator[Course]:
    from gradedesk.platforms.keys import load_private_key, public_pem

    with start_sandbox(SandboxConfig(port=0, seed=1, throttle=False, profile=request.param,
                                     tool_public_keys=[public_pem(load_private_key(tool_pem))])
                       ) as sandbox:
        info = sandbox.info
        db = open_db(tmp_path)
        kind = detect_kind(info["lineitems_url"])
        row = connections.add_connection(db, "course", "lti", {
            "issuer": info["issuer"], "lineitems_url": info["lineitems_url"],
            "platform": kind.value})
        config = LtiAdvantageConfig(
            issuer=info["issuer"], client_id=info["client_id"], deployment_id="",
            token_url=info["token_url"], lineitems_url=info["lineitems_url"],
            nrps_url=info["nrps_url"], page_size=100,
            canvas_extensions=request.param == "canvas")
        with LtiAdvantageClient(config, tool_pem) as client:
            course = Course(db, sandbox, client, row.id)
            course.engine.pull()
            yield course
        db.close()


def open_db(tmp_path: Path) -> Database:
    from gradedesk.store import open_database

    return open_database(tmp_path / "data")


def test_pull_knows_the_students_with_or_without_names_and_roles(course: Course) -> None:
    members = snapshots.list_members(course.db, course.connection_id, learners_only=True)
    assert members
    if course.client.has_roster:
        assert all(m.source == "roster" for m in members)
    else:
        assert all(m.source == "results" and not m.named for m in members)
        assert "limit" in course.client.refused_params
    short_ids = [row.short_id for row in snapshots.list_line_items(course.db,
                                                                  course.connection_id)]
    assert sorted(short_ids) == [str(n) for n in range(31, 37)]


def test_push_sends_each_grade_once_and_confirms_it(course: Course) -> None:
    users = course.learners()[:3]
    for number, user in enumerate(users):
        course.grade(user, score_given=number + 1, comment=f"Once {number}.")
    report = course.engine.push()
    assert report.clean and len(report.confirmed) == 3
    assert Counter(e["user_id"] for e in course.ledger()) == Counter(users)
    assert [course.server_score(user) for user in users] == [1, 2, 3]
    assert course.engine.push().confirmed == []  # nothing left to send


def test_a_colleagues_newer_grade_becomes_a_conflict(course: Course) -> None:
    user = course.learners()[0]
    course.grade(user, score_given=4)
    course.admin("POST", "results", json={"line_item_id": course.item(), "user_id": user,
                                          "score_given": 9})
    report = course.engine.push()
    assert len(report.conflicts) == 1 and course.ledger() == []
    assert course.server_score(user) == 9
    course.engine.resolve(Resolution.MINE)
    assert len(course.engine.push().confirmed) == 1
    assert course.server_score(user) == 4


def test_a_stale_timestamp_refusal_is_a_conflict_not_a_retry(course: Course) -> None:
    user = course.learners()[1]
    course.grade(user, score_given=5)
    [entry] = outbox.entries(course.db, course.connection_id)
    # The platform's copy moves on after the conflict check (only its time, nothing a grader
    # sees): Canvas answers 400 "before last updated", the spec-only platform 409.
    original = course.engine._judge_queued

    def check_then_colleague(*args: Any) -> Any:
        ready = original(*args)
        course.admin("POST", "results", json={"line_item_id": course.item(), "user_id": user,
                                              "grading_progress": "PendingManual"})
        return ready

    engine = course.engine
    engine._judge_queued = check_then_colleague  # type: ignore[method-assign]
    report = engine.push()
    assert report.conflicts == [entry.id] and course.ledger() == []
    assert outbox.entry(course.db, entry.id).state is OutboxState.CONFLICT


def test_an_entry_left_sending_by_a_crash_is_read_back_not_resent(course: Course) -> None:
    landed, lost = course.learners()[2:4]
    course.grade(landed, score_given=7, comment="Landed before the crash.")
    course.grade(lost, score_given=3, comment="Never left.")
    entries = {e.user_id: e for e in outbox.entries(course.db, course.connection_id)}
    payloads = {user: mark_sending(course.db, course.client, entries[user])
                for user in (landed, lost)}
    course.client.post_score_payload(course.item(), payloads[landed])
    report = course.engine.push()
    assert report.clean and len(report.confirmed) == 2
    assert Counter(e["user_id"] for e in course.ledger()) == Counter([landed, lost])


class LosesTheCreateReply:
    """The platform creates the column; its reply never arrives (a crash, a dropped line)."""

    def __init__(self, client: LtiAdvantageClient) -> None:
        self._client = client
        self.creates = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def create_line_item(self, item: LineItem) -> LineItem:
        self.creates += 1
        self._client.create_line_item(item)
        raise TransportError("Could not reach the platform: the connection broke.")


def test_a_column_made_offline_is_created_once_even_when_the_reply_is_lost(
        course: Course) -> None:
    users = course.learners()[:3]
    new = add_column(course.db, course.connection,
                     ColumnChanges(label="Paper test", points=20), engine=None)
    for user in users:
        save_grade(course.db, course.connection, new.row.url, user, DraftEdit(score_given=12))
    losing = LosesTheCreateReply(course.client)
    first = SyncEngine(course.db, course.connection, losing).push()  # type: ignore[arg-type]
    assert losing.creates == 1 and first.columns_failed and first.columns_failed[0].unreachable
    assert course.ledger() == []  # grades wait behind their column
    second = course.engine.push()
    assert len(second.columns_created) == 1 and len(second.confirmed) == 3
    made = [item for item in course.admin("GET", "line_items")
            if item["label"] == "Paper test" and not item["deleted"]]
    assert len(made) == 1
    assert Counter(e["user_id"] for e in course.ledger()) == Counter(users)
    assert columns.pending_columns(course.db, course.connection_id) == []


def test_confirmed_means_the_read_back_holds_what_was_sent(course: Course) -> None:
    from gradedesk.store import SyncState, grid

    user = course.learners()[4]
    course.grade(user, score_given=6, comment="Read back.")
    engine = course.engine
    reading = engine._fetch_read
    calls = []

    def read_back_after_a_colleague(read: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:  # the read-back that confirms: the platform moved meanwhile
            course.admin("POST", "results", json={"line_item_id": course.item(),
                                                  "user_id": user, "score_given": 2})
        return reading(read)

    engine._fetch_read = read_back_after_a_colleague  # type: ignore[method-assign]
    report = engine.push()
    assert report.confirmed == [] and len(report.mismatched) == 1 and not report.clean
    [row] = [r for r in grid.line_item_rows(course.db, course.connection_id,
                                            course.item()).rows if r.user_id == user]
    assert row.state is SyncState.MISMATCH
    assert row.outbox is not None and row.outbox.kept is not None
    assert row.outbox.kept["score"] == 2
