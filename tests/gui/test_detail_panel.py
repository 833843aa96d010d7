"""The detail panel: server copy beside draft, submission data, history, and a file content item
followed until Canvas reports it attached."""

from __future__ import annotations

from gui_support import SandboxCourse
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from gradedesk.store import drafts
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.views.main_window import MainWindow

WAIT_MS = 30_000


def test_attach_a_file_and_watch_its_progress(window: MainWindow, course: SandboxCourse,
                                              qtbot: QtBot) -> None:
    model = window.line_model
    with qtbot.waitSignal(window.presenter.detail_loaded, timeout=WAIT_MS):
        window.line_table.setCurrentIndex(model.index(0, Column.SCORE))
    detail = window.detail
    assert detail.heading.text().startswith(model.row_at(0).student.name)
    url = f"{course.info['files_url']}/lab-report.pdf"
    detail.file_url.setText(url)
    assert detail.file_type.text() == "application/pdf"  # guessed from the name
    detail.file_title.setText("Lab report")
    with qtbot.waitSignal(window.presenter.edits_saved, timeout=WAIT_MS):
        qtbot.mouseClick(detail.attach_button, Qt.MouseButton.LeftButton)
    connection = window.presenter.connection
    assert connection is not None
    draft = drafts.get_draft(window.presenter.context.db, connection.id, *model.row_at(0).key)
    assert draft is not None and [a.title for a in draft.attachments] == ["Lab report"]
    assert draft.attachments[0].media_type == "application/pdf"
    qtbot.waitUntil(lambda: "Lab report" in detail.files.item(0).text(), timeout=WAIT_MS)
    assert "1 file" in model.index(0, Column.SUBMISSION).data()
    # Push: Canvas fetches the file; the panel follows its Progress to "completed".
    with qtbot.waitSignal(window.presenter.sync_finished, timeout=60_000):
        window.window_actions.push.trigger()
    qtbot.waitUntil(lambda: any("completed" in detail.files.item(i).text()
                                for i in range(detail.files.count())), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: detail.history.count() > 1, timeout=WAIT_MS)
    assert any("score.post" in detail.history.item(i).text()
               for i in range(detail.history.count()))


def test_bad_file_url_is_refused_in_place(window: MainWindow, qtbot: QtBot) -> None:
    with qtbot.waitSignal(window.presenter.detail_loaded, timeout=WAIT_MS):
        window.line_table.setCurrentIndex(window.line_model.index(1, Column.SCORE))
    assert not window.detail.attach_file("not a url")
    assert window.detail.file_error.text().startswith("⚠")
    assert window.presenter.undo_stack.count() == 0


def test_server_copy_beside_draft(window: MainWindow, qtbot: QtBot) -> None:
    model = window.line_model
    graded = next(r for r in range(model.rowCount()) if model.row_at(r).score is not None)
    with qtbot.waitSignal(window.presenter.detail_loaded, timeout=WAIT_MS):
        window.line_table.setCurrentIndex(model.index(graded, Column.SCORE))
    server_score, draft_score = window.detail.compare["score"]
    assert draft_score.text() == "—"
    with qtbot.waitSignal(window.presenter.detail_loaded, timeout=WAIT_MS):
        model.setData(model.index(graded, Column.SCORE), "1")
    assert draft_score.text().startswith("1 /")
    assert server_score.text() != draft_score.text()
