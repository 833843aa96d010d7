"""Issue 11, item 5: a Section column and a section filter in both grids, once a source gives
sections (the Section column of an imported gradebook CSV: no platform's Names and Roles reply
has one). Without sections neither shows."""

from __future__ import annotations

import io
from pathlib import Path

from gui_support import SandboxCourse, save_shot, show_in_detail
from pytestqt.qtbot import QtBot

from gradedesk.sandbox.course import SECTIONS
from gradedesk.sync.gradebook_io import import_sections
from gradedesk.ui.models.gradebook_model import SECTION_COLUMN
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.rows import RowFilter
from gradedesk.ui.views.main_window import MainWindow
from gradedesk.ui.views.workspace import ALL_SECTIONS, NO_SECTION

SYNC_MS = 60_000
WAIT_MS = 10_000


def _choose(window: MainWindow, text: str) -> None:
    chooser = window.workspace.filter_section
    position = chooser.findText(text)
    assert position >= 0, text
    chooser.setCurrentIndex(position)


def _import_sections(window: MainWindow, course: SandboxCourse, qtbot: QtBot) -> None:
    """`gradedesk import` of the sample course's CSV, then a pull shows it in the window."""
    connection = window.presenter.connection
    assert connection is not None and course.sandbox is not None
    assert import_sections(window.presenter.context.db, connection,
                           io.StringIO(course.sandbox.course_csv())) == course.students
    with qtbot.waitSignal(window.presenter.sync_finished, timeout=SYNC_MS):
        window.window_actions.pull.trigger()
    qtbot.waitUntil(lambda: any(r.student.section for r in window.line_model.rows()),
                    timeout=WAIT_MS)


def test_no_sections_no_section_column_or_filter(window: MainWindow) -> None:
    assert not window.workspace.filter_section.isVisible()
    assert window.line_table.isColumnHidden(Column.SECTION)
    assert window.workspace.section_choice is None


def test_a_section_filter_applies_in_both_grids(window: MainWindow, course: SandboxCourse,
                                                qtbot: QtBot, tmp_path: Path) -> None:
    _import_sections(window, course, qtbot)
    chooser = window.workspace.filter_section
    assert chooser.isVisible()
    # The sandbox's Test Student has no section: "No section" is offered after the sections.
    assert [chooser.itemText(i) for i in range(chooser.count())] == [
        ALL_SECTIONS, *sorted(SECTIONS), NO_SECTION]
    assert not window.line_table.isColumnHidden(Column.SECTION)
    model = window.line_model
    total = model.rowCount()

    _choose(window, SECTIONS[1])
    shown = [model.row_at(r).student for r in range(model.rowCount())]
    assert shown and {s.section for s in shown} == {SECTIONS[1]}
    assert window.workspace.row_count.text() == f"{len(shown)} of {total} students"
    save_shot(window, "gd-sections.png", tmp_path)

    # The name filter works within the section; a name from another section finds no one.
    other = next(r for r in model.rows() if r.student.section == SECTIONS[0])
    window.filter_text.setText(other.student.name)
    assert model.rowCount() == 0
    assert model.empty_message() == f"No students match '{other.student.name}' in {SECTIONS[1]}"
    window.filter_text.clear()

    with qtbot.waitSignal(window.view_ready, timeout=WAIT_MS):
        window.window_actions.gradebook_view.trigger()
    book = window.gradebook_model
    assert not window.gradebook_table.isColumnHidden(SECTION_COLUMN)
    students = [book.student_at(r) for r in range(book.rowCount())]
    assert {s.section for s in students} == {SECTIONS[1]} and len(students) == len(shown)

    _choose(window, NO_SECTION)
    assert [book.student_at(r).name for r in range(book.rowCount())] == ["Student, Test"]
    window.filter_kind.setCurrentIndex(window.filter_kind.findData(RowFilter.CONFLICT))
    assert book.empty_message() == "No conflicts without a section"

    _choose(window, ALL_SECTIONS)
    window.filter_kind.setCurrentIndex(0)
    assert book.rowCount() == book.source_count()


def test_the_panel_leaves_a_student_the_section_filter_hides(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot) -> None:
    _import_sections(window, course, qtbot)
    model = window.line_model
    row = next(r for r in range(model.rowCount())
               if model.row_at(r).student.section == SECTIONS[0])
    key = show_in_detail(qtbot, window, row, Column.SCORE)
    _choose(window, SECTIONS[2])
    assert model.visible_row_of(key) is None
    qtbot.waitUntil(lambda: window.detail.detail is None, timeout=WAIT_MS)
    _choose(window, SECTIONS[0])  # the filter back: still nothing chosen, nothing stale
    assert window.detail.detail is None
