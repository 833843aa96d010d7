"""Hide names (anonymous grading, on this computer only): students read "Student 17" in the
grids, the detail panel and grading mode until the grader reveals them. No Qt.

The number is the student's place among the course's learners ordered by user id
(rows.anonymous_numbers), computed on every load from what the store holds: the same student
has the same number in every view and every session of a connection, without storing
anything. While names are hidden, nothing the grader can do with the name column tells who is
who: it sorts by number, its filter matches "Student 17" only (typing a real name, an email or
a user id finds no one), a copy copies the label, and the unsorted order is by number, not
alphabetical.
"""

from __future__ import annotations

from dataclasses import replace

from gradedesk.domain.names import PersonNames, fold
from gradedesk.ui.loaders import CellDetail
from gradedesk.ui.rows import Student


def shown_matches(student: Student, text: str) -> bool:
    """The name filter while names are hidden: the typed text within "Student 17" (case and
    spaces aside), so "17" or "student 17" find Student 17 and a real name finds no one."""
    wanted = fold(text)
    return not wanted or wanted in fold(student.anonymous_name)


def name_order(student: Student, names_hidden: bool) -> tuple[int, str]:
    """Sort key of the name column: by the number while hidden (Student 2 before Student 10;
    an alphabetical order would give names away), else by the listed name."""
    if names_hidden:
        return (student.number, "")
    return (0, student.name.casefold())


def masked(student: Student) -> Student:
    """The same student with only the label to show (for views that print ``name``)."""
    label = student.anonymous_name
    return replace(student, name=label, names=PersonNames(user_id="", name=label))


def masked_detail(detail: CellDetail) -> CellDetail:
    """A cell's details as the detail panel may show them while names are hidden."""
    student = masked(detail.student)
    conflict = detail.conflict
    if conflict is not None:
        conflict = replace(conflict, student=student.name)
    # A comment the student wrote on the platform names its author: the label instead.
    forms = detail.student.names.full_names()
    thread = tuple(replace(line, who=student.name) if fold(line.who) in forms else line
                   for line in detail.thread)
    return replace(detail, student=student, grade=replace(detail.grade, student=student),
                   conflict=conflict, thread=thread)
