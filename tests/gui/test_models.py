"""Every table model passes Qt's model tester: filled, after an edit, sorted and filtered."""

from __future__ import annotations

from gui_support import SandboxCourse, seed_big_gradebook
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from gradedesk.store import SyncState
from gradedesk.ui import loaders
from gradedesk.ui.context import AppContext
from gradedesk.ui.models.base import FilterSpec, RowFilter
from gradedesk.ui.models.conflicts_model import ConflictsModel
from gradedesk.ui.models.gradebook_model import GradebookModel
from gradedesk.ui.models.line_item_model import Column, LineItemModel
from gradedesk.ui.models.navigation_model import NavigationModel
from gradedesk.ui.views.main_window import MainWindow


def test_line_item_model_filled_edited_sorted_filtered(window: MainWindow, qtbot: QtBot,
                                                      qtmodeltester: ModelTester) -> None:
    model = window.line_model
    qtmodeltester.check(model)
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=10_000):
        assert model.setData(model.index(0, Column.SCORE), "7")
    qtmodeltester.check(model)
    model.sort(Column.SCORE, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)
    model.set_filter(FilterSpec(kind=RowFilter.HAS_DRAFT))
    assert model.rowCount() == 1
    assert model.row_at(0).state in (SyncState.EDITED, SyncState.QUEUED)
    qtmodeltester.check(model)
    model.set_filter(FilterSpec(text="zzz-nobody"))
    assert model.rowCount() == 0
    qtmodeltester.check(model)


def test_gradebook_model_on_a_big_course(context: AppContext, qtbot: QtBot,
                                         qtmodeltester: ModelTester) -> None:
    row = seed_big_gradebook(context, students=300, line_items=12)
    model = GradebookModel()
    model.load(loaders.load_gradebook(context.db, row.id))
    assert model.rowCount() == 300
    assert model.columnCount() == 2 + 12
    qtmodeltester.check(model)
    model.sort(3, Qt.SortOrder.AscendingOrder)
    model.set_filter(FilterSpec(text="given0001"))  # Given00010 ... Given00019
    assert model.rowCount() == 10
    qtmodeltester.check(model)


def test_line_item_model_standalone(course: SandboxCourse,
                                    qtmodeltester: ModelTester) -> None:
    connection = course.connection
    assert connection is not None
    overview = loaders.load_overview(course.context.db)
    data = loaders.load_line_item(course.context.db, connection.id,
                                  overview.line_items[connection.id][1].url)
    model = LineItemModel()
    model.load(data)
    qtmodeltester.check(model)
    model.load(None)
    assert model.rowCount() == 0
    qtmodeltester.check(model)


def test_navigation_and_conflict_models(course: SandboxCourse,
                                        qtmodeltester: ModelTester) -> None:
    navigation = NavigationModel()
    navigation.load(loaders.load_overview(course.context.db))
    assert navigation.rowCount() == 1
    qtmodeltester.check(navigation)
    conflicts = ConflictsModel()
    qtmodeltester.check(conflicts)
    assert course.connection is not None
    rows = (loaders.ConflictRow(1, ("u", "x"), "Park, Ada", "Lab 1", 7.0, "mine", 9.0, None,
                                "changed"),)
    conflicts.load(rows)
    qtmodeltester.check(conflicts)


def test_filters_pending_manual_ungraded_draft_conflict_failed(window: MainWindow,
                                                             qtbot: QtBot) -> None:
    model = window.line_model
    rows = model.rows()
    pending = [r for r in rows if r.has_server_result and r.score is None]
    assert pending, "the seeded course has submissions awaiting grading"

    def shown(kind: RowFilter, text: str = "") -> int:
        window.filter_text.setText(text)
        window.filter_kind.setCurrentIndex(window.filter_kind.findData(kind))
        return model.rowCount()

    assert shown(RowFilter.PENDING_MANUAL) == len(pending)
    assert shown(RowFilter.UNGRADED) == sum(r.score is None for r in rows)
    assert shown(RowFilter.HAS_DRAFT) == 0
    assert shown(RowFilter.CONFLICT) == 0 and shown(RowFilter.FAILED) == 0
    name = rows[0].student.name
    assert shown(RowFilter.ALL, name.split(",")[0].upper()) >= 1  # by name, any case
    assert f"of {len(rows)} students" in window.row_count.text()
    # A draft graded a pending submission: it leaves "awaiting manual grading"...
    shown(RowFilter.ALL)
    row = next(i for i in range(model.rowCount()) if model.row_at(i).key == pending[0].key)
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=10_000):
        model.setData(model.index(row, Column.SCORE), "5")
    assert shown(RowFilter.PENDING_MANUAL) == len(pending) - 1
    assert shown(RowFilter.HAS_DRAFT) == 1
    # ...and a draft set back to PendingManual counts again.
    shown(RowFilter.ALL)
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=10_000):
        model.setData(model.index(row, Column.GRADING), "PendingManual")
    assert shown(RowFilter.PENDING_MANUAL) == len(pending)
    assert window.presenter.undo_stack.undoText() == "Set grading progress"


def test_glance_follows_drafts(window: MainWindow, qtbot: QtBot) -> None:
    model = window.line_model
    qtbot.waitUntil(lambda: window.glance.summary.startswith("Graded"), timeout=5_000)
    graded = sum(r.score is not None for r in model.rows())
    assert window.glance.summary.startswith(f"Graded {graded} of {model.rowCount()}")
    ungraded = next(i for i in range(model.rowCount()) if model.row_at(i).score is None)
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=10_000):
        model.setData(model.index(ungraded, Column.SCORE), "20")
    qtbot.waitUntil(lambda: window.glance.summary.startswith(f"Graded {graded + 1} "),
                    timeout=5_000)
    assert sum(window.glance.chart.counts) == graded + 1
    assert window.glance.chart.counts[-1] >= 1  # 20 of 20 lands in the top bin
