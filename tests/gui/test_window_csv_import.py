"""Issue 11, item 7: CSV import and export in the window, not only the CLI. File > Import grades
from CSV… reads the file off the UI thread and previews every change (student, line item,
the score now and the file's) and every problem by its line; Apply records the import as one
undoable edit, Cancel changes nothing; a bad file says why and loses nothing. File > Export
grades to CSV… writes the CLI's format."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from gui_support import save_shot
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from gradedesk.domain import format_score
from gradedesk.store import SyncState, drafts, snapshots
from gradedesk.ui.dialogs.csv_import import ChangesModel, CsvFiles, ImportPreviewDialog
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.views.main_window import MainWindow

SAVE_MS = 10_000


def _files(window: MainWindow) -> CsvFiles:
    assert isinstance(window.csv_files, CsvFiles)
    return window.csv_files


def _drafts(window: MainWindow) -> dict[tuple[str, str], float | None]:
    connection = window.presenter.connection
    assert connection is not None
    return {(d.line_item_url, d.user_id): d.score_given
            for d in drafts.list_drafts(window.presenter.context.db, connection.id)}


def _export(window: MainWindow, qtbot: QtBot, path: Path) -> list[list[str]]:
    with qtbot.waitSignal(window.presenter.message_posted, timeout=SAVE_MS) as said:
        _files(window).export_file(path)
    assert said.args[0].startswith(f"Exported {window.line_model.rowCount()} students")
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def _write(path: Path, table: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(table)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _preview(window: MainWindow, qtbot: QtBot, path: Path) -> ImportPreviewDialog:
    files = _files(window)
    before = files.preview
    files.import_file(path)
    qtbot.waitUntil(lambda: files.preview is not None and files.preview is not before
                    and files.preview.isVisible(), timeout=SAVE_MS)
    assert files.preview is not None
    return files.preview


def _refusal(window: MainWindow, qtbot: QtBot) -> QMessageBox:
    files = _files(window)
    qtbot.waitUntil(lambda: files.refusal is not None and files.refusal.isVisible(),
                    timeout=SAVE_MS)
    assert files.refusal is not None
    return files.refusal


def _shown_rows(preview: ImportPreviewDialog) -> list[tuple[str, ...]]:
    model = preview.changes_table.model()
    return [tuple(str(model.index(row, column).data()) for column in range(model.columnCount()))
            for row in range(model.rowCount())]


def test_export_then_import_previews_every_change_and_applies_one_undoable_edit(
        window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    model = window.line_model
    item = model.line_item
    assert item is not None
    table = _export(window, qtbot, tmp_path / "export.csv")
    assert table[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    column = next(i for i, name in enumerate(table[0]) if name == f"{item.label} "
                                                                   f"({item.short_id})")
    other = next(i for i in range(5, len(table[0])) if i != column)
    # The export holds the scores the grid shows.
    by_id = {row[1]: row for row in table[2:]}
    for row in range(model.rowCount()):
        grade = model.row_at(row)
        assert by_id[grade.user_id][column] == (format_score(grade.score) if grade.score
                                                is not None else "")
    # In the spreadsheet: two scores of this line item and one of another change.
    first, second, third = model.row_at(0), model.row_at(1), model.row_at(2)
    line_of = {row[1]: 2 + n for n, row in enumerate(table[2:])}
    table[line_of[first.user_id]][column] = "9.75"
    table[line_of[second.user_id]][column] = "0.25"
    table[line_of[third.user_id]][other] = "4.25"
    path = _write(tmp_path / "grades.csv", table)
    steps = window.presenter.undo_stack.count()

    preview = _preview(window, qtbot, path)
    rows = _shown_rows(preview)
    assert len(rows) == 3
    now = {first.user_id: first.score, second.user_id: second.score}
    assert (first.student.name, item.label, format_score(now[first.user_id]) or "—", "9.75",
            "") in rows
    assert any(r[0] == second.student.name and r[3] == "0.25" for r in rows)
    assert "3 scores of 3 students in 2 line items" in preview.summary.text()
    assert preview.apply_button.isEnabled() and preview.apply_button.isDefault()
    assert not preview.problems_table.isVisible()
    save_shot(preview, "import-preview.png", tmp_path)
    assert _drafts(window) == {}  # a preview changes nothing

    with qtbot.waitSignal(window.presenter.message_posted, timeout=SAVE_MS,
                          check_params_cb=lambda text: text.startswith("Imported")) as said:
        qtbot.mouseClick(preview.apply_button, Qt.MouseButton.LeftButton)
    assert said.args[0].startswith("Imported 3 scores from grades.csv")
    assert not preview.isVisible()
    saved = _drafts(window)
    assert saved[first.key] == 9.75 and saved[second.key] == 0.25
    assert len(saved) == 3
    assert third.user_id in {user for _, user in saved}
    # One edit: one Undo step, named for what it was; the grid shows the new scores.
    stack = window.presenter.undo_stack
    assert stack.count() == steps + 1
    assert stack.undoText() == "Import grades from CSV (3 cells)"
    qtbot.waitUntil(lambda: model.row_at(0).score == 9.75, timeout=SAVE_MS)
    assert model.row_at(0).state is SyncState.QUEUED
    assert model.index(0, Column.SCORE).data() in ("9.75", "9,75")
    assert any(text.startswith("Imported 3 scores") for text in window.activity.texts())
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=SAVE_MS):
        window.window_actions.undo.trigger()
    assert _drafts(window) == {}  # the import is taken back whole
    qtbot.waitUntil(lambda: model.row_at(0).score == first.score, timeout=SAVE_MS)


def test_cancel_changes_nothing_and_a_same_file_says_nothing_to_import(
        window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    table = _export(window, qtbot, tmp_path / "same.csv")
    preview = _preview(window, qtbot, tmp_path / "same.csv")
    assert "Nothing to import" in preview.summary.text()
    assert not preview.apply_button.isEnabled()
    preview.reject()
    table[2][5] = "3.25"
    table[3][5] = "2.25"
    preview = _preview(window, qtbot, _write(tmp_path / "changed.csv", table))
    assert preview.changes_model.rowCount() == 2
    steps = window.presenter.undo_stack.count()
    qtbot.mouseClick(preview.cancel_button, Qt.MouseButton.LeftButton)
    assert not preview.isVisible()
    assert _drafts(window) == {}
    assert window.presenter.undo_stack.count() == steps


def test_bad_files_say_why_and_change_nothing(window: MainWindow, qtbot: QtBot,
                                              tmp_path: Path) -> None:
    table = _export(window, qtbot, tmp_path / "export.csv")
    # A typed "abc" and an unknown student: every problem with its line, nothing applied.
    table[2][5] = "abc"
    table[3][6] = "7.25"
    table.append(["Nobody, Someone", "no-such-student", "", "", "", "5"])
    preview = _preview(window, qtbot, _write(tmp_path / "typo.csv", table))
    assert preview.problems_table.isVisible()
    problems = [(p.line, p.column) for p in preview.plan.problems]
    assert problems and problems[0][0] == 3 and problems[0][1] == table[0][5]
    assert "Nothing is imported from a file with problems" in preview.summary.text()
    assert not preview.apply_button.isEnabled()
    save_shot(preview, "import-problems.png", tmp_path)
    preview.reject()
    table[2][5] = ""
    preview = _preview(window, qtbot, _write(tmp_path / "stranger.csv", table))
    lines = [(p.line, p.message) for p in preview.plan.problems]
    assert any(line == len(table) and "is not a student here" in message
               for line, message in lines)
    assert preview.changes_model.rowCount() == 1  # what the file holds, not applied
    assert not preview.apply_button.isEnabled()
    preview.reject()
    # Not a gradebook at all: the columns it needs are named.
    preview = _preview(window, qtbot, _write(tmp_path / "other.csv",
                                             [["name", "score"], ["Ann", "4"]]))
    assert "the header must start with 'Student'" in preview.plan.problems[0].message
    preview.reject()
    # A workbook, not CSV; a file that is not there: a box says so.
    workbook = tmp_path / "grades.xlsx"
    workbook.write_bytes(b"PK\x03\x04" + bytes(200))
    _files(window).import_file(workbook)
    box = _refusal(window, qtbot)
    assert "not a CSV file" in box.text() and "save it as CSV" in box.text()
    assert box.informativeText() == "Nothing has changed."
    box.close()
    _files(window).import_file(tmp_path / "missing.csv")
    box = _refusal(window, qtbot)
    assert "Cannot read" in box.text()
    box.close()
    assert _drafts(window) == {}
    # An export that cannot be written: said, and the folder keeps no half-written file.
    blocker = tmp_path / "exports" / "grades.csv"
    blocker.mkdir(parents=True)
    _files(window).export_file(blocker)
    assert "Cannot write" in _refusal(window, qtbot).text()
    assert [p.name for p in blocker.parent.iterdir()] == ["grades.csv"]


def test_the_preview_sorts_numbers_as_numbers(window: MainWindow, qtbot: QtBot,
                                              tmp_path: Path) -> None:
    table = _export(window, qtbot, tmp_path / "export.csv")
    for row, score in zip(range(2, 6), ("10.5", "9.25", "1.5", "2.25"), strict=True):
        table[row][5] = score
    preview = _preview(window, qtbot, _write(tmp_path / "scores.csv", table))
    preview.changes_table.sortByColumn(ChangesModel.NEW, Qt.SortOrder.AscendingOrder)
    shown = [row[ChangesModel.NEW] for row in _shown_rows(preview)]
    assert shown == sorted(shown, key=float) and len(shown) >= 3
    preview.reject()


def test_the_file_menu_imports_and_exports_through_its_file_dialogs(
        window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    actions = window.window_actions
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    assert actions.import_csv in file_menu.actions()
    assert actions.export_csv in file_menu.actions()
    assert actions.import_csv.isEnabled() and actions.export_csv.isEnabled()
    # The native file dialogs stand in for the grader choosing a file.
    target = tmp_path / "chosen"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *args: (str(target), "CSV files (*.csv)"))
    with qtbot.waitSignal(window.presenter.message_posted, timeout=SAVE_MS):
        actions.export_csv.trigger()
    exported = target.with_suffix(".csv")  # the suffix a CSV file needs is added
    table = list(csv.reader(io.StringIO(exported.read_text(encoding="utf-8"))))
    table[2][5] = "5.75"
    chosen = _write(tmp_path / "back.csv", table)
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *args: (str(chosen), "CSV files (*.csv)"))
    actions.import_csv.trigger()
    qtbot.waitUntil(lambda: window.csv_files.preview is not None
                    and window.csv_files.preview.isVisible(), timeout=SAVE_MS)
    assert window.csv_files.preview is not None
    assert window.csv_files.preview.changes_model.rowCount() == 1
    window.csv_files.preview.reject()
    assert _drafts(window) == {}


def test_a_section_column_is_previewed_and_set(window: MainWindow, qtbot: QtBot,
                                               tmp_path: Path) -> None:
    table = _export(window, qtbot, tmp_path / "export.csv")
    user = table[2][1]
    table[2][4] = "Lab group B"
    preview = _preview(window, qtbot, _write(tmp_path / "sections.csv", table))
    assert _shown_rows(preview)[0][1:4] == ("Section", "—", "Lab group B")
    assert "sets the section of 1 student" in preview.summary.text()
    assert preview.apply_button.isEnabled()
    with qtbot.waitSignal(window.presenter.message_posted, timeout=SAVE_MS,
                          check_params_cb=lambda text: "section" in text) as said:
        qtbot.mouseClick(preview.apply_button, Qt.MouseButton.LeftButton)
    assert said.args[0] == "Set the section of 1 student from sections.csv."
    connection = window.presenter.connection
    assert connection is not None
    members = snapshots.list_members(window.presenter.context.db, connection.id)
    assert next(m.section for m in members if m.user_id == user) == "Lab group B"
    assert _drafts(window) == {}  # no score changed
