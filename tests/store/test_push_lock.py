"""Issue 10, finding 1, at the store: one push per connection across processes, a lock the
operating system releases when its holder dies, and entries claimed atomically."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gradedesk.domain import LEARNER_ROLE, LineItem, Member
from gradedesk.store import OutboxState, StoreStateError, outbox, snapshots
from gradedesk.store.db import Database
from gradedesk.store.drafts import DraftEdit, save_draft
from gradedesk.store.locks import AnotherPushRunning, push_lock

ITEM = "https://canvas.test/api/lti/courses/7/line_items/31"


def test_a_second_push_in_the_same_process_is_told_who_holds_the_lock(
        db: Database, connection_id: int) -> None:
    with push_lock(db, connection_id, "Canvas"):
        with pytest.raises(AnotherPushRunning) as caught, push_lock(db, connection_id, "Canvas"):
            pass
        assert f"process {os.getpid()}" in caught.value.user_message
    with push_lock(db, connection_id, "Canvas"):  # free again
        pass


def test_a_killed_holder_releases_the_lock(data_dir: Path, db: Database,
                                           connection_id: int) -> None:
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from gradedesk.store import open_database
        from gradedesk.store.locks import push_lock
        db = open_database({str(data_dir)!r})
        with push_lock(db, {connection_id}, "Canvas"):
            print("held", flush=True)
            time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(AnotherPushRunning), push_lock(db, connection_id, "Canvas"):
            pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        with push_lock(db, connection_id, "Canvas", wait_s=2):
            pass
    finally:
        if holder.poll() is None:
            holder.kill()
        if holder.stdout is not None:
            holder.stdout.close()


def test_an_entry_is_claimed_once_and_never_sent_twice(db: Database,
                                                       connection_id: int) -> None:
    snapshots.upsert_line_items(db, connection_id, [LineItem(id=ITEM, label="Lab",
                                                             score_maximum=10)])
    snapshots.upsert_members(db, connection_id, [Member("u1", roles=(LEARNER_ROLE,))])
    draft = save_draft(db, connection_id, ITEM, "u1", DraftEdit(score_given=5))
    [entry] = outbox.entries(db, connection_id)
    with db.transaction() as conn:
        assert outbox.claim(conn, entry.id, draft_revision=draft.revision, payload_text="{}")
    with db.transaction() as conn:
        assert not outbox.claim(conn, entry.id, draft_revision=draft.revision,
                                payload_text="{}")
    with db.transaction() as conn, pytest.raises(StoreStateError):
        outbox.transition(conn, entry.id, OutboxState.SENDING)
    assert outbox.entry(db, entry.id).attempts == 1


def test_the_lock_file_is_the_owners_alone(db: Database, connection_id: int) -> None:
    from gradedesk.store.locks import lock_path

    with push_lock(db, connection_id, "Canvas"):
        pass
    assert lock_path(db, connection_id).stat().st_mode & 0o077 == 0
