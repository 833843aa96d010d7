"""Column > Rubric… (issue 14): make a rubric in the window, bring one in from a file and write
it out again; a change of a criterion's points after grading recomputes the grades made with
it and proposes them for review (the review opens), while the queued grades stay as they were;
a table that is not a rubric says which row is wrong and saves nothing."""

from __future__ import annotations

import json
from pathlib import Path

from gui_support import SandboxCourse, save_shot
from pytestqt.qtbot import QtBot

from gradedesk.domain.rubrics import parse_rubric
from gradedesk.store import drafts, rubrics
from gradedesk.store.proposals import list_proposals
from gradedesk.sync.rubric_grading import grade_with_rubric
from gradedesk.ui.dialogs.rubric_editor import DESCRIPTION, NAME, POINTS, RubricEditor
from gradedesk.ui.views.main_window import MainWindow

WAIT_MS = 20_000
RUBRIC = {"title": "Essay rubric v2", "criteria": [
    {"name": "Clarity", "id": "c-1", "levels": [
        {"points": 3, "description": "Clear thesis"}, {"points": 0, "description": "Unclear"}]},
    {"name": "Evidence", "levels": [
        {"points": 4, "description": "Strong"}, {"points": 2, "description": "Some"}]}]}


def _open(window: MainWindow, qtbot: QtBot) -> RubricEditor:
    with qtbot.waitSignal(window.presenter.rubrics.loaded, timeout=WAIT_MS):
        window.window_actions.edit_rubric.trigger()
    editor = window.rubric_commands.editor
    assert editor is not None and editor.isVisible()
    return editor


def _cells(editor: RubricEditor) -> list[tuple[str, str, str]]:
    table = editor.table
    return [tuple(table.item(row, column).text() for column in (NAME, POINTS, DESCRIPTION))
            for row in range(table.rowCount())]  # type: ignore[misc]


def test_make_a_rubric_in_the_window(window: MainWindow, course: SandboxCourse,
                                     qtbot: QtBot) -> None:
    db, connection = window.presenter.context.db, course.connection
    assert connection is not None
    url = window.current_column().url  # type: ignore[union-attr]
    editor = _open(window, qtbot)
    assert _cells(editor) == [("", "", "")]
    table = editor.table
    table.item(0, NAME).setText("Clarity")
    table.item(0, POINTS).setText("abc")
    editor.save_button.click()
    assert "Row 1 (Clarity)" in editor.error.text() and "abc" in editor.error.text()
    assert rubrics.get_rubric(db, connection.id, url) is None
    table.item(0, POINTS).setText("3")
    table.item(0, DESCRIPTION).setText("Clear thesis")
    table.setCurrentCell(0, NAME)
    editor.add_level()
    table.item(1, POINTS).setText("1,5")  # a comma-decimal locale's way
    assert editor.total.text() == "1 criterion, up to 3 points"
    with qtbot.waitSignal(window.presenter.rubrics.saved, timeout=WAIT_MS):
        editor.save_button.click()
    saved = rubrics.get_rubric(db, connection.id, url)
    assert saved is not None
    assert [(c.name, [lv.points for lv in c.levels]) for c in saved.criteria] == [
        ("Clarity", [3.0, 1.5])]


def test_a_points_change_proposes_recomputed_grades(
        window: MainWindow, course: SandboxCourse, qtbot: QtBot, tmp_path: Path) -> None:
    db, connection = window.presenter.context.db, course.connection
    assert connection is not None
    url = window.current_column().url  # type: ignore[union-attr]
    user = window.line_model.row_at(0).user_id
    rubrics.save_rubric(db, connection.id, url, parse_rubric(json.dumps(RUBRIC)))
    grade_with_rubric(db, connection, url, user, "Clarity=3,Evidence=2", own_comment="Ok.")
    editor = _open(window, qtbot)
    assert _cells(editor) == [("Clarity", "3", "Clear thesis"), ("", "0", "Unclear"),
                              ("Evidence", "4", "Strong"), ("", "2", "Some")]
    save_shot(editor, "gd-rubric-editor.png", tmp_path)
    editor.table.item(3, POINTS).setText("3")  # Evidence "Some" is now worth 3
    with qtbot.waitSignal(window.presenter.proposals.loaded, timeout=WAIT_MS):
        editor.save_button.click()
    [proposal] = list_proposals(db, connection.id, url)
    assert (proposal.user_id, proposal.score, proposal.reason) == (user, 6.0, "rubric")
    assert "Evidence 2→3" in proposal.working
    draft = drafts.get_draft(db, connection.id, url, user)
    assert draft is not None and draft.score_given == 5  # nothing changed until accepted
    review = window.dialogs.proposals
    assert review is not None and review.isVisible() and review.table.rowCount() == 1
    assert not editor.isVisible()

    # The file round trip keeps the fields GradeDesk does not use.
    source = tmp_path / "shared.json"
    source.write_text(json.dumps(RUBRIC), encoding="utf-8")
    editor = _open(window, qtbot)
    with qtbot.waitSignal(window.presenter.rubrics.file_read, timeout=WAIT_MS):
        editor.import_requested.emit(str(source))
    assert _cells(editor)[3] == ("", "2", "Some")
    target = tmp_path / "out.json"
    with qtbot.waitSignal(window.presenter.rubrics.file_written, timeout=WAIT_MS):
        editor.export_requested.emit(editor.rubric(), str(target))
    assert json.loads(target.read_text(encoding="utf-8")) == RUBRIC
