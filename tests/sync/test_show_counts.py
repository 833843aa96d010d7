"""Issue 12, item 5: ``gradedesk show`` counts each line item's cells in the store (one query,
``store.counts``) instead of building the whole gradebook. Its counts must be those of the
cells the window builds one by one (``grid.gradebook_cells``, ``derive_state``), so they are
compared here on a real SQLite file that the engine brought, against the sandbox, into every
state a cell can have: server copies with and without a score, drafts (edited, cleared,
pending-manual, queued, on a cell with no result), pushes confirmed, refused, in conflict,
sending, with files uploading or failed, kept differently by the platform, confirmed and then
changed by a colleague, and edited again after being confirmed."""

from __future__ import annotations

from typing import Any

from sync_support import Rig, mark_sending

from gradedesk.domain import LEARNER_ROLE, ContentItem, GradingProgress, Member, Result
from gradedesk.store import (
    ConnectionRow,
    Database,
    SyncState,
    connections,
    grid,
    outbox,
    snapshots,
)
from gradedesk.store.drafts import DraftEdit
from gradedesk.sync.engine import save_grade
from gradedesk.sync.overview import line_item_summaries, names_available


def _built_one_by_one(db: Database, connection: ConnectionRow) -> list[dict[str, Any]]:
    """What ``show`` listed before: every cell of the gradebook built, then counted."""
    cells = grid.gradebook_cells(db, connection.id)
    learners = len(snapshots.list_members(db, connection.id, learners_only=True))
    listed = []
    for item in snapshots.list_line_items(db, connection.id):
        mine = [cell for (item_id, _), cell in cells.items() if item_id == item.id]
        listed.append({
            "line_item": item.url, "students": learners,
            "graded": sum(1 for cell in mine if cell.score is not None),
            "needs_grading": sum(1 for cell in mine if cell.needs_grading),
            "drafts": sum(1 for cell in mine
                          if cell.state not in (SyncState.CLEAN, SyncState.CONFIRMED))})
    return listed


def _counted(db: Database, connection: ConnectionRow) -> list[dict[str, Any]]:
    return [{"line_item": s.row.url, "students": s.students, "graded": s.graded,
             "needs_grading": s.needs_grading, "drafts": s.drafts}
            for s in line_item_summaries(db, connection)]


def _names_one_by_one(db: Database, connection_id: int) -> bool:
    """``names_available`` as it was: the whole roster read and looked at."""
    members = snapshots.list_members(db, connection_id)
    learners = [m for m in members if m.is_learner]
    return not learners or any(m.source == "roster" for m in members) or \
        all(m.named for m in learners)


def _grade(rig: Rig, user: str, number: int = 31, **edit: Any) -> None:
    save_grade(rig.db, rig.connection, rig.item(number), user, DraftEdit(**edit))


def _states(rig: Rig) -> set[SyncState]:
    return {cell.state for cell in grid.gradebook_cells(rig.db, rig.connection.id).values()}


def test_the_counts_are_those_of_the_cells_built_one_by_one(rig: Rig) -> None:
    assert _counted(rig.db, rig.connection) == _built_one_by_one(rig.db, rig.connection)
    learners = rig.learners()
    files = rig.sandbox.info["files_url"]
    confirmed, refused_file, awaiting, conflict, mismatch, moved_on, again = learners[:7]
    # Pushed and confirmed; files that will fail, and files still uploading.
    _grade(rig, confirmed, score_given=9, comment="Fine.")
    _grade(rig, refused_file, score_given=8, add_attachments=(
        ContentItem.for_file(f"{files}/missing.pdf"),))
    _grade(rig, moved_on, score_given=4)
    _grade(rig, again, score_given=5)
    rig.engine.push()
    rig.engine.poll(wait=True, timeout_s=30)
    _grade(rig, awaiting, score_given=7, add_attachments=(
        ContentItem.for_file(f"{files}/lab-report.pdf"),))
    rig.sandbox.settings(progress_step_s=60.0)  # its upload stays in progress
    rig.engine.push()
    # A colleague's change after the confirmation (the cell is plain "synced" again after a
    # pull), and an edit made after the confirmation.
    rig.colleague(moved_on, 6, "Changed in the browser.")
    _grade(rig, again, score_given=6)
    # A conflict: the colleague graded before this push.
    _grade(rig, conflict, score_given=2)
    rig.colleague(conflict, 8, "Theirs.")
    rig.engine.push()
    rig.engine.pull()
    # Kept differently: the platform moved between the POST and the read-back that confirms.
    _grade(rig, mismatch, score_given=6, comment="Read back.")
    engine = rig.engine
    reading = engine._fetch_read
    calls: list[int] = []

    def read_back_after_a_colleague(read: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:  # the read-back that confirms
            rig.colleague(mismatch, 3)
        return reading(read)

    engine._fetch_read = read_back_after_a_colleague  # type: ignore[method-assign]
    engine.push()
    # Refused: Canvas takes no grade for its Test Student.
    members = snapshots.list_members(rig.db, rig.connection.id, learners_only=True)
    test_student = next(m.user_id for m in members if m.name == "Test Student")
    _grade(rig, test_student, score_given=1)
    rig.engine.push()
    # Local only: drafts on another line item, one marked pending-manual, one clearing a
    # score, one with a comment alone, one on a student with no result, and one queued entry
    # left "sending" as a crash would.
    scored = [r.user_id for r in snapshots.list_results(rig.db, rig.connection.id,
                                                        rig.item(32))
              if r.score is not None]
    _grade(rig, scored[0], number=32, grading_progress=GradingProgress.PENDING_MANUAL)
    _grade(rig, scored[1], number=32, score_given=None)
    _grade(rig, scored[2], number=32, comment="Only a comment.")
    _grade(rig, rig.unscored(32)[0], number=32, score_given=3)
    _grade(rig, learners[-1], number=32, score_given=4)
    sending = next(e for e in outbox.entries(rig.db, rig.connection.id)
                   if e.user_id == learners[-1] and e.line_item_url == rig.item(32))
    mark_sending(rig.db, rig.client, sending)
    # A result for someone who is not a learner (an instructor's own test submission).
    snapshots.upsert_members(rig.db, rig.connection.id, [
        Member(user_id="teacher-1", roles=("http://purl.imsglobal.org/vocab/lis/v2/"
                                           "membership#Instructor",), name="A Teacher")],
        complete=False)
    snapshots.upsert_result(rig.db, rig.connection.id, rig.item(33), "teacher-1",
                            Result(user_id="teacher-1", result_score=None,
                                   result_maximum=10.0))

    # Every state but EDITED, which saving a grade never leaves (it queues the draft).
    assert _states(rig) >= {SyncState.CLEAN, SyncState.QUEUED, SyncState.SENDING,
                            SyncState.AWAITING_FILES, SyncState.CONFLICT, SyncState.FAILED,
                            SyncState.REFUSED, SyncState.CONFIRMED, SyncState.MISMATCH}
    counted = _counted(rig.db, rig.connection)
    assert counted == _built_one_by_one(rig.db, rig.connection)
    assert any(row["needs_grading"] for row in counted)
    assert sum(row["drafts"] for row in counted) >= 10


def test_names_available_is_the_same_rule(db: Database) -> None:
    """No roster and a learner known by id alone: no names. Every learner named, or anyone
    from a Names and Roles roster: names."""
    row = connections.add_connection(db, "no-roster", "lti", {})

    def same() -> bool:
        counted = names_available(db, row.id)
        assert counted is _names_one_by_one(db, row.id)
        return counted

    assert same() is True  # nobody yet
    snapshots.add_typed_member(db, row.id, "u-typed")
    assert same() is False
    snapshots.upsert_members(db, row.id, [
        Member(user_id="u-from-results", roles=(LEARNER_ROLE,)),
        Member(user_id="u-named", roles=(LEARNER_ROLE,), given_name="Ada")],
        complete=False, source="results")
    assert same() is False
    snapshots.upsert_members(db, row.id, [
        Member(user_id="u-typed", roles=(LEARNER_ROLE,), family_name="Lovelace"),
        Member(user_id="u-from-results", roles=(LEARNER_ROLE,), name="Named Now")],
        complete=False, source="results")
    assert same() is True  # every learner named
    snapshots.upsert_members(db, row.id, [
        Member(user_id="u-roster", roles=(LEARNER_ROLE,))], complete=False)
    snapshots.add_typed_member(db, row.id, "u-typed-2")
    assert same() is True  # a roster: names exist on this platform


def test_the_results_are_counted_from_an_index_without_reading_their_rows(db: Database) -> None:
    """A result row carries its wire JSON: counting 20,000 of them row by row read the whole
    table. The count needs only line item and score, which an index holds (schema 12)."""
    from gradedesk.store.counts import _COUNTS_SQL

    with db.read() as conn:
        plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {_COUNTS_SQL}",
                                               {"connection": 1})]
    reads_of_results = [step for step in plan if step.startswith(("SCAN r ", "SEARCH r "))
                        or step in ("SCAN r", "SEARCH r")]
    assert reads_of_results, plan
    counted = reads_of_results[0]
    assert "COVERING INDEX server_results_by_score" in counted, plan
