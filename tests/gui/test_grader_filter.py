"""Issue 14, parts 2 and 3, in the window: a grader filter in the grids ("All students",
"Mine (Ana)", each grader) that opens on my students when this computer knows who I am, and
the team progress panel, which follows saves and pushes."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from grading_support import line_items, set_pending
from gui_support import CONNECTION, SandboxCourse, save_shot, type_into_cell
from pytestqt.qtbot import QtBot

from conftest import LOAD_TIMEOUT_MS, WindowFactory
from gradedesk.store import snapshots
from gradedesk.store.grader_split import StoredSplit, set_identity
from gradedesk.sync.team_split import make_split
from gradedesk.ui.grading_loaders import load_grading_queue
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.navigation import NavTarget
from gradedesk.ui.views.main_window import MainWindow
from gradedesk.ui.views.team_area import ALL_STUDENTS

SYNC_MS = 60_000
WAIT_MS = 10_000
GRADERS = "Ana,Ben,Chi"


def _split(course: SandboxCourse, *, line_item_url: str | None = None,
           graders: str = GRADERS, me: str | None = "Ana") -> StoredSplit:
    """What `gradedesk split ... --grader Ana` stores, made before the window opens."""
    db = course.context.db
    assert course.connection is not None
    item = snapshots.get_line_item(db, course.connection.id, line_item_url) \
        if line_item_url else None
    stored = make_split(db, course.connection, item, graders)
    if me is not None:
        set_identity(db, course.connection.id, me)
    return stored


def _opened(make_window: WindowFactory, qtbot: QtBot) -> MainWindow:
    window = make_window()
    window.show()
    with qtbot.waitSignal(window.view_ready, timeout=LOAD_TIMEOUT_MS):
        window.start()
    qtbot.waitUntil(lambda: window.line_model.rowCount() > 0, timeout=LOAD_TIMEOUT_MS)
    return window


def _shown_ids(window: MainWindow) -> set[str]:
    model = window.line_model
    return {model.row_at(row).user_id for row in range(model.rowCount())}


def _choose(window: MainWindow, text: str) -> None:
    chooser = window.workspace.filter_grader
    position = chooser.findText(text)
    assert position >= 0, [chooser.itemText(i) for i in range(chooser.count())]
    chooser.setCurrentIndex(position)


def _offered(window: MainWindow) -> list[str]:
    chooser = window.workspace.filter_grader
    return [chooser.itemText(i) for i in range(chooser.count())]


def _platform_has_score(course: SandboxCourse, line_item_url: str, user_id: str) -> bool:
    """The platform's own record (its admin view), not GradeDesk's copy."""
    query = urllib.parse.urlencode({"line_item": line_item_url, "user_id": user_id})
    try:
        with urllib.request.urlopen(  # noqa: S310 - the test's own loopback sandbox
                f"{course.info['admin_url']}/result?{query}", timeout=10) as reply:
            return json.loads(reply.read())["resultScore"] is not None
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return False
        raise


def test_without_a_split_there_is_no_grader_filter_or_panel(window: MainWindow) -> None:
    assert not window.workspace.filter_grader.isVisible()
    assert not window.workspace.team_progress.isVisible()
    assert window.workspace.grader_students is None


def test_the_grids_open_on_my_students(course: SandboxCourse, make_window: WindowFactory,
                                       qtbot: QtBot, tmp_path: Path) -> None:
    stored = _split(course)
    window = _opened(make_window, qtbot)
    ana = set(stored.split.students_of("Ana"))
    qtbot.waitUntil(lambda: _shown_ids(window) == ana, timeout=WAIT_MS)
    assert window.workspace.filter_grader.isVisible()
    assert _offered(window) == [ALL_STUDENTS, "Mine (Ana)", "Ben", "Chi"]
    assert window.workspace.filter_grader.currentText() == "Mine (Ana)"
    total = window.line_model.source_count()
    assert window.row_count.text() == f"{len(ana)} of {total} students"
    save_shot(window, "gd-grader-filter.png", tmp_path)


def test_switching_grader_and_view(course: SandboxCourse, make_window: WindowFactory,
                                   qtbot: QtBot) -> None:
    stored = _split(course)
    assert course.connection is not None
    items = snapshots.list_line_items(course.context.db, course.connection.id)
    other = items[-1]
    own = _split(course, line_item_url=other.url, graders="Dee,Eli", me=None)
    window = _opened(make_window, qtbot)
    first = window.line_model.line_item
    assert first is not None and first.url != other.url
    qtbot.waitUntil(lambda: window.team.chosen_grader() == "Ana", timeout=WAIT_MS)

    _choose(window, "Ben")
    assert _shown_ids(window) == set(stored.split.students_of("Ben"))
    _choose(window, ALL_STUDENTS)
    assert window.line_model.rowCount() == window.line_model.source_count()
    _choose(window, "Chi")
    chi = set(stored.split.students_of("Chi"))
    assert _shown_ids(window) == chi

    # The gradebook uses the course's split: the same grader, the same students.
    with qtbot.waitSignal(window.view_ready, timeout=WAIT_MS):
        window.window_actions.gradebook_view.trigger()
    book = window.gradebook_model
    assert {book.student_at(r).user_id for r in range(book.rowCount())} == chi
    assert window.workspace.filter_grader.currentText() == "Chi"

    # A column with a split of its own offers its graders; Chi is not one: everyone shows.
    with qtbot.waitSignal(window.view_ready, timeout=WAIT_MS):
        window.open_target(NavTarget(CONNECTION, other.url))
    qtbot.waitUntil(lambda: _offered(window) == [ALL_STUDENTS, "Dee", "Eli"], timeout=WAIT_MS)
    assert window.line_model.rowCount() == window.line_model.source_count()
    assert set(window.team.panel.numbers()) == {"Dee", "Eli", "Total"}
    assert window.team.panel.numbers()["Total"][0] == own.split.size

    # Back to the first column: Chi, asked for there, is chosen again.
    with qtbot.waitSignal(window.view_ready, timeout=WAIT_MS):
        window.open_target(NavTarget(CONNECTION, first.url))
    qtbot.waitUntil(lambda: window.team.chosen_grader() == "Chi", timeout=WAIT_MS)
    assert _shown_ids(window) == chi

    with qtbot.waitSignal(window.view_ready, timeout=WAIT_MS):
        window.open_target(NavTarget(CONNECTION, other.url))
    qtbot.waitUntil(lambda: _offered(window) == [ALL_STUDENTS, "Dee", "Eli"], timeout=WAIT_MS)
    _choose(window, "Eli")
    assert _shown_ids(window) == set(own.split.students_of("Eli"))
    assert window.line_model.empty_message() is None


def test_the_progress_panel_counts_and_follows_saves_and_pushes(
        course: SandboxCourse, make_window: WindowFactory, qtbot: QtBot) -> None:
    stored = _split(course)
    assert course.connection is not None
    ana = stored.split.students_of("Ana")
    # A column where one of Ana's students has no score on the platform yet.
    item, student = next(
        (item, user_id)
        for item in snapshots.list_line_items(course.context.db, course.connection.id)
        for user_id in ana if not _platform_has_score(course, item.url, user_id))
    window = _opened(make_window, qtbot)
    with qtbot.waitSignal(window.view_ready, timeout=WAIT_MS):
        window.open_target(NavTarget(CONNECTION, item.url))
    panel = window.workspace.team_progress
    qtbot.waitUntil(lambda: panel.isVisible() and item.label in panel.scope.text(),
                    timeout=WAIT_MS)
    for grader in stored.split.graders:
        ids = stored.split.students_of(grader)
        graded = sum(_platform_has_score(course, item.url, u) for u in ids)
        assert panel.numbers()[grader] == (len(ids), graded, 0, len(ids) - graded), grader
    total = panel.numbers()["Total"]
    assert total[0] == stored.split.size and total[3] == total[0] - total[1]

    # Ana grades her student: drafted here, one fewer left.
    before = panel.numbers()["Ana"]
    qtbot.waitUntil(lambda: window.team.chosen_grader() == "Ana", timeout=WAIT_MS)
    row = window.line_model.visible_row_of((item.url, student))
    assert row is not None
    with qtbot.waitSignal(window.team.team.team_loaded, timeout=WAIT_MS):
        type_into_cell(qtbot, window.line_table, window.line_model.index(row, Column.SCORE),
                       "7")
    assert panel.numbers()["Ana"] == (before[0], before[1], before[2] + 1, before[3] - 1)

    # Pushed: graded on the platform now, nothing drafted; the others' rows do not move.
    others = {g: panel.numbers()[g] for g in ("Ben", "Chi")}
    with qtbot.waitSignal(window.team.team.team_loaded, timeout=SYNC_MS):
        window.window_actions.push.trigger()
    assert _platform_has_score(course, item.url, student)
    assert panel.numbers()["Ana"] == (before[0], before[1] + 1, before[2], before[3] - 1)
    assert {g: panel.numbers()[g] for g in ("Ben", "Chi")} == others


def test_a_split_made_with_the_command_shows_in_the_open_window(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot) -> None:
    data_dir = course.context.db.path.parent
    with qtbot.waitSignal(window.team.team.team_loaded, timeout=SYNC_MS):
        made = subprocess.run(
            [sys.executable, "-m", "gradedesk", "--data-dir", str(data_dir), "split",
             CONNECTION, "--all", "--graders", GRADERS, "--grader", "Ben", "--json"],
            capture_output=True, text=True, timeout=60, check=True)
    ben = set(json.loads(made.stdout)["assignments"]["Ben"])
    qtbot.waitUntil(lambda: _shown_ids(window) == ben, timeout=WAIT_MS)
    assert window.workspace.filter_grader.currentText() == "Mine (Ben)"
    assert window.workspace.team_progress.isVisible()


def test_grading_mode_queues_the_chosen_graders_submissions(
        course: SandboxCourse, make_window: WindowFactory, qtbot: QtBot) -> None:
    set_pending(course, {item.url: 8 for item in line_items(course)[:2]})
    assert course.connection is not None
    everyone = {row.key for row in load_grading_queue(
        course.context.db, course.connection.id, None).rows}
    stored = _split(course)
    ana = set(stored.split.students_of("Ana"))
    mine = {(url, user) for url, user in everyone if user in ana}
    assert mine and mine != everyone
    window = _opened(make_window, qtbot)
    qtbot.waitUntil(lambda: window.team.chosen_grader() == "Ana", timeout=WAIT_MS)
    with qtbot.waitSignal(window.view_ready, timeout=WAIT_MS):
        window.window_actions.gradebook_view.trigger()

    with qtbot.waitSignal(window.grading.queue_loaded, timeout=WAIT_MS):
        grading = window.open_grading_mode()
    assert grading is not None and grading.queue is not None
    assert {row.key for row in grading.queue.entries} == mine
    window.leave_grading_mode()

    _choose(window, ALL_STUDENTS)  # everyone's again
    with qtbot.waitSignal(window.grading.queue_loaded, timeout=WAIT_MS):
        grading = window.open_grading_mode()
    assert grading is not None and grading.queue is not None
    assert {row.key for row in grading.queue.entries} == everyone
