"""Held columns in the push, against the sandbox: a held column's grades stay saved and queued
and nothing of theirs reaches the platform while other columns' grades go; a hold taken while
a push runs stops its next claim; a release sends each held score once, read back from the
platform's own ledger and results."""

from __future__ import annotations

from collections import Counter

import httpx
from sync_support import Rig

from gradedesk.store import ConnectionRow, OutboxState, connections, holds, outbox
from gradedesk.store.drafts import DraftEdit
from gradedesk.sync.engine import SyncEngine, save_grade
from gradedesk.sync.events import EventKind, SyncEvent
from gradedesk.sync.holding import release_warning
from gradedesk.sync.read_model import status_of
from gradedesk.sync.summaries import HELD_WORDS, summarize_push

# Line items with enough students the seeded course has not graded yet.
HELD, OPEN = 32, 34


def _grade(rig: Rig, users: list[str], number: int, first_score: float = 1.0) -> None:
    for offset, user in enumerate(users):
        save_grade(rig.db, rig.connection, rig.item(number), user,
                   DraftEdit(score_given=first_score + offset, comment=f"Once for {user}."))


def _platform_score(rig: Rig, user: str, number: int) -> float | None:
    """The score the platform holds for a student (None: no result at all, or no score)."""
    reply = httpx.get(f"{rig.sandbox.info['admin_url']}/result", timeout=10,
                      params={"line_item": rig.item(number), "user_id": user})
    if reply.status_code == 404:
        return None
    reply.raise_for_status()
    score: float | None = reply.json()["resultScore"]
    return score


def _posts(rig: Rig) -> Counter[tuple[str, str]]:
    """Each (line item, student) the platform accepted a score POST for, counted."""
    return Counter((entry["line_item_id"], entry["user_id"]) for entry in rig.ledger())


def test_a_held_column_sends_nothing_while_the_others_go(rig: Rig) -> None:
    held_users, open_users = rig.unscored(HELD)[:3], rig.unscored(OPEN)[:2]
    holds.hold(rig.db, rig.connection.id, rig.item(HELD))
    _grade(rig, held_users, HELD)
    _grade(rig, open_users, OPEN)

    report = rig.engine.push()

    assert _posts(rig) == Counter((rig.item(OPEN), user) for user in open_users)
    assert len(report.confirmed) == 2 and report.clean
    kept = outbox.entries(rig.db, rig.connection.id, line_item_url=rig.item(HELD))
    assert sorted(report.held) == sorted(entry.id for entry in kept)
    assert {(entry.state, entry.attempts) for entry in kept} == {(OutboxState.QUEUED, 0)}
    for user in held_users:
        assert _platform_score(rig, user, HELD) is None  # the platform has no score
    started = next(e for e in rig.events if e.kind is EventKind.STARTED and e.phase == "push")
    finished = next(e for e in rig.events if e.kind is EventKind.FINISHED and e.phase == "push")
    assert (started.total, started.message) == (2, "Sending 2 grades; 3 held")
    assert finished.message.endswith(", 3 held")

    summary = summarize_push(rig.db, rig.connection, report)
    assert summary.headline == "2 confirmed, 0 conflicts, 0 failed, 3 held"
    label = next(item.label for item in holds.held_columns(rig.db, rig.connection.id))
    assert f"{HELD_WORDS}: 3 grades ({label})" in summary.sentences()

    status = status_of(rig.db, rig.connection)
    assert (status["queued"], status["held"]) == (3, 3)
    [column] = status["held_line_items"]
    assert (column["line_item"], column["queued"]) == (rig.item(HELD), 3)
    assert {entry["held"] for entry in status["outbox"]} == {True}

    # Pushing again changes nothing while the hold stands.
    again = rig.engine.push()
    assert again.confirmed == [] and sorted(again.held) == sorted(report.held)
    assert sum(_posts(rig).values()) == 2


def test_release_then_one_push_sends_each_held_score_once(rig: Rig) -> None:
    users = rig.unscored(HELD)[:4]
    holds.hold(rig.db, rig.connection.id, rig.item(HELD))
    _grade(rig, users, HELD, first_score=5.0)
    assert rig.engine.push().held and rig.ledger() == []

    assert holds.release(rig.db, rig.connection.id, rig.item(HELD))
    report = rig.engine.push()

    assert len(report.confirmed) == 4 and report.held == [] and report.clean
    assert _posts(rig) == Counter((rig.item(HELD), user) for user in users)
    for offset, user in enumerate(users):
        result = rig.server_result(user, HELD)
        assert result["resultScore"] == 5.0 + offset
        said = [c["comment"] for c in result["comments"]]
        assert said.count(f"Once for {user}.") == 1
    assert status_of(rig.db, rig.connection)["held"] == 0
    assert rig.engine.push().confirmed == []  # nothing left: nothing sent again
    assert sum(_posts(rig).values()) == 4


def test_a_hold_taken_during_a_push_stops_its_next_claim(rig: Rig) -> None:
    users = rig.unscored(HELD)[:6]
    _grade(rig, users, HELD)
    cid = rig.connection.id

    def hold_after_the_first_send(event: SyncEvent) -> None:
        rig.events.append(event)
        if event.kind is EventKind.ITEM_DONE and event.state == "sent" \
                and not holds.is_held(rig.db, cid, rig.item(HELD)):
            holds.hold(rig.db, cid, rig.item(HELD))  # committed before the worker claims again

    # One worker: the claim after that first send is the next one, so it must see the hold.
    engine = SyncEngine(rig.db, rig.connection, rig.client, on_event=hold_after_the_first_send,
                        workers=1)
    report = engine.push()

    posts = _posts(rig)
    assert sum(posts.values()) == 1
    assert len(report.confirmed) == 1 and len(report.held) == 5
    left = outbox.entries(rig.db, cid, (OutboxState.QUEUED,), line_item_url=rig.item(HELD))
    assert sorted(entry.id for entry in left) == sorted(report.held)
    assert all(entry.attempts == 0 for entry in left)  # never claimed, never sent

    holds.release(rig.db, cid, rig.item(HELD))
    assert len(rig.engine.push().confirmed) == 5
    assert _posts(rig) == Counter((rig.item(HELD), user) for user in users)


def test_only_a_platform_that_may_show_scores_at_once_warns_on_release(rig: Rig) -> None:
    def connection(name: str, kind: str, settings: dict[str, str]) -> ConnectionRow:
        return connections.add_connection(rig.db, name, kind, settings)

    canvas = connection("canvas", "lti", {"platform": "canvas"})
    warning = release_warning(canvas)
    assert warning is not None and "posts grades automatically" in warning
    assert "students see these scores at once" in warning
    shaped = connection("by-url", "lti", {"lineitems_url": rig.sandbox.info["lineitems_url"]})
    assert release_warning(shaped) == warning  # Canvas known by its line items URL
    for quiet in (connection("moodle", "lti", {"platform": "moodle"}),
                  connection("any", "lti", {"lineitems_url": "https://ags.test/7/lineitems"}),
                  connection("ltiaas", "ltiaas", {"url": "https://school.ltiaas.test"})):
        assert release_warning(quiet) is None, quiet.name
