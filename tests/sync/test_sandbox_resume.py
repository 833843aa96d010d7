"""Issue 11, item 12 (the core half): the window's sandbox course lives in the data folder, so
closing and reopening GradeDesk resumes it, with what was sent and the drafts not sent yet;
starting over is a deliberate choice."""

from __future__ import annotations

from pathlib import Path

from gradedesk import bootstrap
from gradedesk.secrets import SecretStore
from gradedesk.store import drafts, open_database, snapshots
from gradedesk.store.drafts import DraftEdit
from gradedesk.sync.engine import save_grade

COURSE = {"students": 6, "line_items": 2}


def test_the_sandbox_course_resumes_with_its_grades_and_drafts(
        tmp_path: Path, secret_store: SecretStore) -> None:
    db = open_database(tmp_path / "data")
    sandbox, row = bootstrap.start_sandbox_connection(db, secret_store, **COURSE)
    try:
        with bootstrap.engine_for(db, secret_store, row.name) as engine:
            engine.pull()
            item = snapshots.list_line_items(db, row.id)[0]
            learners = [m.user_id for m in snapshots.list_members(db, row.id,
                                                                  learners_only=True)]
            save_grade(db, row, item.url, learners[0],
                       DraftEdit(score_given=4, comment="Sent before closing."))
            assert engine.push().clean
            save_grade(db, row, item.url, learners[1],
                       DraftEdit(score_given=5, comment="Left for tomorrow."))
    finally:
        sandbox.stop()  # the window closes

    again, resumed = bootstrap.start_sandbox_connection(db, secret_store, fresh=False, **COURSE)
    try:
        assert resumed.id == row.id and resumed.settings == row.settings
        assert drafts.get_draft(db, row.id, item.url, learners[1]) is not None
        with bootstrap.engine_for(db, secret_store, row.name) as engine:
            engine.pull()
            kept = snapshots.get_result(db, row.id, item.url, learners[0])
            assert kept is not None and kept.comment == "Sent before closing."
            assert engine.push().clean
        ledger = again.state.course.ledger
        assert [entry["user_id"] for entry in ledger] == learners[:2]
    finally:
        again.stop()


def test_starting_over_forgets_the_old_course(tmp_path: Path,
                                              secret_store: SecretStore) -> None:
    db = open_database(tmp_path / "data")
    sandbox, row = bootstrap.start_sandbox_connection(db, secret_store, **COURSE)
    try:
        with bootstrap.engine_for(db, secret_store, row.name) as engine:
            engine.pull()
            item = snapshots.list_line_items(db, row.id)[0]
            user = snapshots.list_members(db, row.id, learners_only=True)[0].user_id
            save_grade(db, row, item.url, user, DraftEdit(score_given=2, comment="Old."))
            assert engine.push().clean
    finally:
        sandbox.stop()
    fresh, new_row = bootstrap.start_sandbox_connection(db, secret_store, **COURSE)
    try:
        assert new_row.created_at > row.created_at  # a new connection, not the old one
        assert snapshots.list_line_items(db, new_row.id) == []  # the old local data went too
        assert fresh.state.course.ledger == []
    finally:
        fresh.stop()
