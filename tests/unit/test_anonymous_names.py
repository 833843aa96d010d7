"""Hide names without Qt (issue 11, item 11): stable numbers, a filter that finds the label
only, an order that gives no one away, and details masked for the detail panel."""

from __future__ import annotations

from datetime import UTC, datetime

from gradedesk.domain.names import PersonNames
from gradedesk.store import LineItemRow, SyncState
from gradedesk.ui.hidden_names import masked, masked_detail, name_order, shown_matches
from gradedesk.ui.loaders import CellDetail, ConflictRow
from gradedesk.ui.rows import Student, StudentGrade, anonymous_numbers
from gradedesk.ui.thread_lines import ThreadLine

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def student(user_id: str, name: str, number: int) -> Student:
    given, _, family = name.partition(" ")
    return Student(user_id, f"{family}, {given}", "A",
                   PersonNames(user_id, name=name, given_name=given, family_name=family,
                               sort_name=f"{family}, {given}", email=f"{given}@x.edu"),
                   number)


def test_numbers_follow_user_ids_whatever_order_the_roster_comes_in() -> None:
    ids = ["c-3", "a-1", "b-2"]
    assert anonymous_numbers(ids) == {"a-1": 1, "b-2": 2, "c-3": 3}
    assert anonymous_numbers(reversed(ids)) == anonymous_numbers(ids)
    assert anonymous_numbers([]) == {}


def test_the_label_and_the_real_name() -> None:
    ada = student("u-1", "Ada Lovelace", 17)
    assert ada.shown_name(True) == "Student 17"
    assert ada.shown_name(False) == "Lovelace, Ada"
    assert Student("u", "X", None, PersonNames("u")).anonymous_name == "Student ?"


def test_the_filter_matches_the_label_only() -> None:
    ada = student("u-1", "Ada Lovelace", 17)
    for typed in ("17", "student 17", "  STUDENT   17 ", "Stud", ""):
        assert shown_matches(ada, typed), typed
    for typed in ("Ada", "Lovelace", "ada@x.edu", "u-1", "18", "Student 171"):
        assert not shown_matches(ada, typed), typed


def test_hidden_names_sort_by_number_not_by_name() -> None:
    zed, amy = student("u-1", "Zed Young", 2), student("u-2", "Amy Abbot", 10)
    assert sorted([amy, zed], key=lambda s: name_order(s, True)) == [zed, amy]
    assert sorted([zed, amy], key=lambda s: name_order(s, False)) == [amy, zed]


def test_a_masked_student_keeps_nothing_that_names_them() -> None:
    ada = masked(student("u-1", "Ada Lovelace", 17))
    assert ada.name == "Student 17" and ada.number == 17
    assert "student 17" in ada.names.full_names()
    assert not any("ada" in form or "lovelace" in form for form in ada.names.full_names())
    assert ada.names.email is None and ada.names.user_id == ""


def test_masked_details_name_no_one_in_the_title_the_conflict_or_the_thread() -> None:
    ada = student("u-1", "Ada Lovelace", 17)
    grade = StudentGrade(
        line_item_url="https://lms.test/items/1", line_item_id=1, student=ada, score=None,
        maximum=10.0, server_comment=None, new_comment=None, activity="Submitted",
        grading="PendingManual", submission="", state=SyncState.CONFLICT, has_draft=True,
        has_server_result=True, pending_manual=True, problem=None, attachments=0)
    item = LineItemRow(id=1, connection_id=1, url=grade.line_item_url, label="Lab 1",
                       score_maximum=10.0, wire={}, content_hash="", fetched_at=NOW,
                       missing_since=None)
    conflict = ConflictRow(entry_id=1, key=grade.key, student=ada.name, line_item="Lab 1",
                           mine_score=7.0, mine_comment=None, theirs_score=6.0,
                           theirs_comment=None, reason=None)
    thread = (ThreadLine("Ada Lovelace", "2026-03-01 10:02", "“Can I resubmit?”", mine=False),
              ThreadLine("You", "2026-03-01 11:00", "7 / 10", mine=True))
    detail = CellDetail(key=grade.key, student=ada, line_item=item, grade=grade, server=None,
                        draft=None, pushes=(), progress_jobs=(), history=(),
                        submission_type=None, submission_data=None, submitted_at=None,
                        conflict=conflict, thread=thread)
    shown = masked_detail(detail)
    assert shown.student.name == shown.grade.student.name == "Student 17"
    assert shown.conflict is not None and shown.conflict.student == "Student 17"
    assert [line.who for line in shown.thread] == ["Student 17", "You"]
    assert "Lovelace" not in repr((shown.student, shown.grade, shown.conflict, shown.thread))
