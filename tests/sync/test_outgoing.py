"""Issue 9, finding 12: the outgoing Score is built once, at send time, by one pure function,
and the outbox keeps exactly the bytes that went out."""

from __future__ import annotations

import sqlite3
from typing import Any

import httpx
from sync_support import Rig, client_for

from gradedesk.domain import ContentItem, GradingProgress
from gradedesk.platforms.lti_advantage.client import LtiAdvantageClient
from gradedesk.store import OutboxState, drafts, outbox, snapshots
from gradedesk.store.drafts import DraftEdit
from gradedesk.sync.engine import SyncEngine, save_grade
from gradedesk.sync.outgoing import PushOptions, outgoing_score

EXTENSION = "https://canvas.instructure.com/lti/submission"


def draft_for(rig: Rig, user: str, **edit: Any) -> Any:
    save_grade(rig.db, rig.connection, rig.item(), user, DraftEdit(**edit))
    found = drafts.get_draft(rig.db, rig.connection.id, rig.item(), user)
    assert found is not None
    return found


def test_the_canvas_flags_are_decided_in_one_place(rig: Rig) -> None:
    unscored = rig.unscored()[0]
    graded = next(r.user_id for r in snapshots.list_results(rig.db, rig.connection.id,
                                                            rig.item())
                  if r.score is not None)
    plain = outgoing_score(draft_for(rig, unscored, score_given=5), PushOptions(),
                           canvas_extensions=True)
    assert plain.canvas is not None and plain.canvas.new_submission is False
    assert plain.canvas.preserve_score is None
    pending = outgoing_score(
        draft_for(rig, graded, score_given=4, grading_progress=GradingProgress.PENDING),
        PushOptions(), canvas_extensions=True)
    assert pending.canvas is not None and pending.canvas.preserve_score is True
    cleared = outgoing_score(draft_for(rig, graded, score_given=None), PushOptions(),
                             canvas_extensions=True)
    assert cleared.score_given is None and cleared.canvas is not None
    assert cleared.canvas.preserve_score is None  # so Canvas clears the grade too
    with_file = outgoing_score(draft_for(rig, rig.unscored()[1], add_attachments=(
        ContentItem.for_file("https://files.example/a.pdf"),)), PushOptions(),
        canvas_extensions=True)
    assert with_file.canvas is not None and with_file.canvas.new_submission is True
    spec_only = outgoing_score(draft_for(rig, unscored, score_given=6), PushOptions(),
                               canvas_extensions=False)
    assert spec_only.canvas is None


def test_the_outbox_keeps_exactly_the_bytes_that_went_out(rig: Rig, tool_pem: bytes) -> None:
    sent: list[bytes] = []

    def record(request: httpx.Request) -> None:
        if request.url.path.endswith("/scores"):
            sent.append(request.read())

    user = rig.unscored()[0]
    save_grade(rig.db, rig.connection, rig.item(), user,
               DraftEdit(score_given=8.25, comment="Exact bytes: é ✓"))
    [queued] = outbox.entries(rig.db, rig.connection.id)
    assert queued.payload == {}  # nothing went out yet
    config = client_for(rig.sandbox.info, tool_pem).config
    with LtiAdvantageClient(config, tool_pem, event_hooks={"request": [record]}) as client:
        assert SyncEngine(rig.db, rig.connection, client).push().confirmed
    [entry] = outbox.entries(rig.db, rig.connection.id)
    assert entry.state is OutboxState.CONFIRMED
    stored = _raw_payload(rig.db.path, entry.id)
    assert [stored.encode("utf-8")] == sent
    assert entry.payload[EXTENSION] == {"new_submission": False}


def _raw_payload(path: Any, entry_id: int) -> str:
    with sqlite3.connect(path) as conn:
        text: str = conn.execute("SELECT payload_json FROM outbox WHERE id = ?",
                                 (entry_id,)).fetchone()[0]
    return text
