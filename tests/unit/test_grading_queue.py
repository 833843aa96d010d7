"""Grading mode's queue without Qt (issue 11, item 10): order, position, progress and what
comes next, including the review dialog's old bugs ("Student 4 of 3", an empty queue that
kept showing the previous student)."""

from __future__ import annotations

from dataclasses import replace

from gradedesk.domain.names import PersonNames
from gradedesk.store import SyncState
from gradedesk.ui.grading_queue import GradingQueue, LineItemTodo, next_line_item, queue_order
from gradedesk.ui.rows import Student, StudentGrade

LAB, QUIZ, ESSAY = "https://lms.test/items/1", "https://lms.test/items/2", \
    "https://lms.test/items/3"
ITEMS = (LineItemTodo(LAB, "Lab 1", 10.0, 2), LineItemTodo(QUIZ, "Quiz 1", 20.0, 1),
         LineItemTodo(ESSAY, "Essay", 50.0, 0))


def grade(url: str, user_id: str, name: str, number: int, *,
          pending: bool = True) -> StudentGrade:
    student = Student(user_id, name, None, PersonNames(user_id, sort_name=name), number)
    return StudentGrade(
        line_item_url=url, line_item_id=1, student=student, score=None if pending else 5.0,
        maximum=10.0, server_comment=None, new_comment=None, activity="Submitted",
        grading="PendingManual" if pending else "FullyGraded", submission="Text entry",
        state=SyncState.CLEAN, has_draft=False, has_server_result=True, pending_manual=pending,
        problem=None, attachments=0)


def rows() -> list[StudentGrade]:
    """As the loader gives them: line item by line item, roster (alphabetical) order."""
    return [grade(LAB, "u-9", "Adams, Jo", 3), grade(LAB, "u-1", "Brown, Li", 1),
            grade(QUIZ, "u-5", "Cole, Max", 2)]


def test_the_queue_goes_line_item_by_line_item_in_roster_order() -> None:
    queue = GradingQueue(list(reversed(rows())), ITEMS)
    assert [r.student.name for r in queue.entries] == ["Brown, Li", "Adams, Jo", "Cole, Max"]
    # The reversed input kept its own order within a line item: the loader's roster order.
    assert queue.position == 0 and queue.current() == queue.entries[0]


def test_with_names_hidden_the_order_is_by_number_not_alphabetical() -> None:
    ordered = queue_order(rows(), [LAB, QUIZ], names_hidden=True)
    assert [r.student.number for r in ordered] == [1, 3, 2]
    queue = GradingQueue(rows(), ITEMS)
    queue.go_to(1)  # Brown, Li (Student 1)
    queue.set_names_hidden(True)
    assert [r.student.number for r in queue.entries] == [1, 3, 2]
    assert queue.current() is not None and queue.current().student.name == "Brown, Li"
    queue.set_names_hidden(False)  # back to the roster's order, still on the same student
    assert [r.student.name for r in queue.entries] == ["Adams, Jo", "Brown, Li", "Cole, Max"]
    assert queue.current() is not None and queue.current().student.name == "Brown, Li"


def test_progress_counts_what_is_done_and_grading_moves_on() -> None:
    queue = GradingQueue(rows(), ITEMS)
    assert queue.progress_text() == "0 of 3 done"
    assert queue.position_text() == "Submission 1 of 3"
    first = queue.current()
    assert first is not None
    queue.mark_graded(first.key, 8.0, "Good")
    assert queue.advance()
    assert queue.progress_text() == "1 of 3 done" and queue.left == 2
    assert queue.position_text() == "Submission 2 of 3"
    graded = queue.entries[0]
    assert (graded.score, graded.new_comment, graded.grading, graded.pending_manual) == \
        (8.0, "Good", "FullyGraded", False)
    assert queue.left_by_line_item() == {LAB: 1, QUIZ: 1}


def test_after_the_last_one_nothing_is_current_and_no_position_past_the_end() -> None:
    queue = GradingQueue(rows(), ITEMS)
    for _ in range(3):
        current = queue.current()
        assert current is not None
        queue.mark_graded(current.key, 7.0, None)
        moved = queue.advance()
    assert not moved
    assert queue.finished and queue.progress_text() == "3 of 3 done"
    assert queue.current() is None and queue.position is None
    assert queue.position_text() == ""  # the dialog said "Student 4 of 3" here
    # Back from the end page: the last one, graded.
    assert queue.go_previous() and queue.position_text() == "Submission 3 of 3"
    assert queue.is_done(2)


def test_grading_skips_those_done_and_goes_round_to_one_skipped() -> None:
    queue = GradingQueue(rows(), ITEMS)
    assert queue.go_next()  # skip the first
    current = queue.current()
    assert current is not None
    queue.mark_graded(current.key, 6.0, None)
    assert queue.advance() and queue.position == 2
    current = queue.current()
    assert current is not None
    queue.mark_graded(current.key, 6.0, None)
    assert queue.advance() and queue.position == 0  # round to the one skipped
    assert not queue.finished


def test_an_empty_queue_shows_no_one() -> None:
    queue = GradingQueue([], ITEMS)
    assert queue.current() is None and queue.position is None
    assert queue.progress_text() == "Nothing to grade"
    assert queue.position_text() == ""
    assert not queue.finished  # empty, not done: the page says so
    assert not queue.go_next() and not queue.go_previous()


def test_skipping_walks_every_entry_and_the_ends_hold() -> None:
    queue = GradingQueue(rows(), ITEMS)
    assert not queue.go_previous()  # already at the first
    assert queue.go_next() and queue.go_next() and queue.position == 2
    assert queue.go_next() and queue.position is None  # the end page
    assert not queue.go_next()


def test_the_store_has_the_last_word_an_undo_puts_an_entry_back() -> None:
    queue = GradingQueue(rows(), ITEMS)
    first = queue.current()
    assert first is not None
    queue.mark_graded(first.key, 9.0, None)
    assert queue.done == 1
    assert not queue.update({("elsewhere", "u-1"): first})  # not in the queue: ignored
    assert queue.update({first.key: first})  # the undo's refresh: pending again
    assert queue.done == 0 and queue.entries[0] == first
    fresh = replace(first, pending_manual=False, state=SyncState.QUEUED, score=9.0)
    assert queue.update({first.key: fresh}) and queue.is_done(0)


def test_the_next_line_item_is_the_following_one_with_work_waiting() -> None:
    assert next_line_item(ITEMS, LAB) == ITEMS[1]
    # Quiz 1 is the last with work: round to Lab 1 (the essay has none).
    assert next_line_item(ITEMS, QUIZ) == ITEMS[0]
    # The grader's own work counts: Lab 1 done here leaves only the quiz.
    assert next_line_item(ITEMS, ESSAY, {LAB: 0}) == ITEMS[1]
    assert next_line_item(ITEMS, QUIZ, {LAB: 0}) is None
    assert next_line_item(ITEMS, None) is None  # all line items: nothing follows
    assert next_line_item(ITEMS, "gone") == ITEMS[0]
