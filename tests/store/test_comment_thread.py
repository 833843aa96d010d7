"""A cell's comment thread on a real database file: every comment the platform was seen
holding (kept after a push drops the draft that remembered it), every local edit with its
time and who pushed it, oldest first."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from store_support import (
    NOW,
    add_raw_connection,
    db_file,
    item_url,
    line_item,
    member,
    opened,
    raw,
    result,
)

from gradedesk.domain import format_timestamp
from gradedesk.store import ConnectionRow, OutboxState, audit, drafts, outbox, snapshots
from gradedesk.store.comment_thread import ThreadSource, cell_thread
from gradedesk.store.connections import add_connection, list_connections
from gradedesk.store.db import Database

ITEM = item_url(1)
USER = "u1"


def _course(db: Database) -> ConnectionRow:
    row = add_connection(db, "Canvas", "lti", {"issuer": "https://canvas.test"})
    snapshots.upsert_line_items(db, row.id, [line_item(1)])
    snapshots.upsert_members(db, row.id, [member(USER), member("u2")])
    return row


def _push(db: Database, connection: ConnectionRow, *, grader: str,
          confirm: bool = True) -> int:
    """What the engine does for one push: claim with the exact body, audit, sent, confirmed."""
    [entry] = outbox.entries(db, connection.id, (OutboxState.QUEUED,))
    draft = drafts.get_draft(db, connection.id, ITEM, USER)
    assert draft is not None
    body = draft.to_score().to_wire()
    with db.transaction() as conn:
        assert outbox.claim(conn, entry.id, draft_revision=draft.revision,
                            payload_text=_json(body))
        audit.append(conn, connection_name=connection.name, action="score.post",
                     summary="FullyGraded", grader=grader, line_item_url=ITEM, user_id=USER,
                     outbox_id=entry.id)
        outbox.transition(conn, entry.id, OutboxState.SENT)
    if confirm:
        with db.transaction() as conn:
            outbox.confirm(conn, entry.id, result_version=1)
    return entry.id


def _json(body: object) -> str:
    import json

    return json.dumps(body)


def _read_back(db: Database, connection: ConnectionRow, comment: str | None,
               score: float = 7.5) -> None:
    snapshots.upsert_result(db, connection.id, ITEM, USER,
                            result(USER, comment=comment, result_score=score, timestamp=None))


def test_a_colleagues_comment_stays_in_the_thread_after_mine_lands(db: Database) -> None:
    connection = _course(db)
    _read_back(db, connection, "Good start; cite the second source.")  # the first pull
    drafts.save_draft(db, connection.id, ITEM, USER,
                      drafts.DraftEdit(score_given=9, comment="Better with the citation."))
    waiting = cell_thread(db, connection, ITEM, USER)
    assert [e.source for e in waiting] == [ThreadSource.PLATFORM, ThreadSource.DRAFT]
    assert waiting[0].current and waiting[0].seen_only  # Canvas's results carry no time
    assert waiting[1].state is OutboxState.QUEUED and waiting[1].author is None

    _push(db, connection, grader="Ms Grader")
    _read_back(db, connection, "Better with the citation.", score=9)  # the read-back
    assert drafts.get_draft(db, connection.id, ITEM, USER) is None  # the draft is gone
    sent = cell_thread(db, connection, ITEM, USER)
    # Our own comment read back is the pushed entry, not a second platform comment.
    assert [(e.source, e.comment) for e in sent] == [
        (ThreadSource.PLATFORM, "Good start; cite the second source."),
        (ThreadSource.PUSHED, "Better with the citation.")]
    pushed = sent[1]
    assert pushed.author == "Ms Grader" and pushed.state is OutboxState.CONFIRMED
    assert (pushed.score, pushed.maximum) == (9, 10)
    assert not sent[0].current  # the platform holds ours now

    # A colleague answers in Canvas; the next pull sees it (several times: recorded once).
    for _ in range(3):
        _read_back(db, connection, "Agreed — well done.", score=9)
    after = cell_thread(db, connection, ITEM, USER)
    assert [e.comment for e in after] == ["Good start; cite the second source.",
                                          "Better with the citation.", "Agreed — well done."]
    assert after[-1].current and after[-1].author is None
    assert [e.at for e in after] == sorted(e.at for e in after)


def test_the_platforms_own_time_orders_its_comments(db: Database) -> None:
    connection = _course(db)
    earlier = NOW - timedelta(days=3)
    snapshots.upsert_result(db, connection.id, ITEM, USER,
                            result(USER, comment="Written days ago.", timestamp=earlier))
    [entry] = cell_thread(db, connection, ITEM, USER)
    assert entry.at == earlier and not entry.seen_only


def test_an_edit_made_after_a_push_follows_it_and_a_refusal_is_kept(db: Database) -> None:
    connection = _course(db)
    drafts.save_draft(db, connection.id, ITEM, USER, drafts.DraftEdit(score_given=4))
    first = _push(db, connection, grader="ta-1", confirm=False)
    with db.transaction() as conn:
        outbox.transition(conn, first, OutboxState.CONFIRMED)
    drafts.save_draft(db, connection.id, ITEM, USER,
                      drafts.DraftEdit(comment="Resubmit the graph."))
    second = _push(db, connection, grader="ta-1", confirm=False)
    with db.transaction() as conn:
        outbox.transition(conn, second, OutboxState.FAILED, error="Not a student here.",
                          refused=True)
    thread = cell_thread(db, connection, ITEM, USER)
    assert [(e.source, e.score, e.comment) for e in thread] == [
        (ThreadSource.PUSHED, 4, None), (ThreadSource.PUSHED, 4, "Resubmit the graph.")]
    assert thread[1].refused and thread[1].error == "Not a student here."
    # The refused revision is still the draft's: it is not listed a second time.
    assert all(e.source is not ThreadSource.DRAFT for e in thread)


def test_other_cells_and_unknown_line_items_stay_out(db: Database) -> None:
    connection = _course(db)
    snapshots.upsert_result(db, connection.id, ITEM, "u2", result("u2", comment="Not yours."))
    assert cell_thread(db, connection, ITEM, USER) == ()
    assert cell_thread(db, connection, item_url(99), USER) == ()


def test_a_schema_5_database_brings_the_comments_it_already_knew(data_dir: Path) -> None:
    with opened(data_dir, schema_version=5):
        pass
    seen, edited, pulled = (format_timestamp(NOW + timedelta(minutes=m)) for m in (0, 5, 9))
    with raw(db_file(data_dir)) as conn:
        connection_id = add_raw_connection(conn)
        conn.execute("INSERT INTO line_items (id, connection_id, url, label, score_maximum, "
                     "wire_json, content_hash, fetched_at) VALUES (1, ?, ?, 'Lab 1', 10, "
                     "'{}', 'h', ?)", (connection_id, ITEM, seen))
        # A draft based on the comment seen first; a later pull saw a colleague change it.
        conn.execute("INSERT INTO drafts (line_item_id, user_id, score_given, score_maximum, "
                     "activity_progress, grading_progress, base_present, base_comment, "
                     "score_timestamp, edited_at) VALUES (1, ?, 8, 10, 'Completed', "
                     "'FullyGraded', 1, 'Seen before my edit.', ?, ?)", (USER, edited, edited))
        conn.execute("INSERT INTO server_results (line_item_id, user_id, score, comment, "
                     "wire_json, content_hash, fetched_at) VALUES (1, ?, 5, "
                     "'Changed in Canvas.', '{}', 'h', ?)", (USER, pulled))
        conn.execute("INSERT INTO server_results (line_item_id, user_id, comment, wire_json, "
                     "content_hash, fetched_at) VALUES (1, 'u2', '   ', '{}', 'h', ?)",
                     (pulled,))
    with opened(data_dir) as db:
        connection = next(c for c in list_connections(db) if c.id == connection_id)
        thread = cell_thread(db, connection, ITEM, USER)
        assert cell_thread(db, connection, ITEM, "u2") == ()  # a blank comment is none
    # Oldest first: the copy the draft was based on, the edit, then what the pull saw.
    assert [(e.source, e.comment) for e in thread] == [
        (ThreadSource.PLATFORM, "Seen before my edit."), (ThreadSource.DRAFT, None),
        (ThreadSource.PLATFORM, "Changed in Canvas.")]
    assert thread[2].current and thread[1].score == 8
    assert [format_timestamp(e.at) for e in thread] == [edited, edited, pulled]
