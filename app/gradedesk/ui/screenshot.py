"""Render the window once it shows real data and save it as a PNG (``gradedesk gui
--screenshot``). Waits on signals, with one overall deadline."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, QModelIndex, QTimer
from PySide6.QtWidgets import QApplication

from gradedesk.ui.loaders import CellDetail
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.presenter import Presenter
from gradedesk.ui.views.main_window import LINE_ITEM_MODE, MainWindow

log = logging.getLogger(__name__)

SETTLE_MS = 300  # let the last layout and paint happen before grabbing


def take_screenshot(app: QApplication, window: MainWindow, presenter: Presenter, path: Path, *,
                    sandbox: bool, timeout_s: float) -> int:
    loop = QEventLoop()
    outcome = {"code": 1}
    # A timer of our own, stopped when done: a bare singleShot would fire later, in whatever
    # runs next in this process, and report a timeout that never happened.
    deadline = QTimer()
    deadline.setSingleShot(True)

    def finish(code: int) -> None:
        deadline.stop()
        outcome["code"] = code
        loop.exit(code)

    def grab() -> None:
        QApplication.processEvents()
        image = window.grab()
        path.parent.mkdir(parents=True, exist_ok=True)
        if image.save(str(path), "PNG"):
            print(f"Saved {path} ({image.width()}x{image.height()})")
            finish(0)
        else:
            print(f"gradedesk: could not write {path}", file=sys.stderr)
            finish(1)

    def settle_then_grab() -> None:
        QTimer.singleShot(SETTLE_MS, grab)

    def on_view_ready(mode: str) -> None:
        if mode != window.mode:
            return
        window.view_ready.disconnect(on_view_ready)
        if mode == LINE_ITEM_MODE and window.line_model.rowCount():
            # Show a submission awaiting grading in the detail panel when there is one.
            rows = [window.line_model.row_at(r) for r in range(window.line_model.rowCount())]
            chosen = next((i for i, row in enumerate(rows) if row.pending_manual), 0)
            index = window.line_model.index(chosen, Column.SCORE)
            presenter.detail_loaded.connect(on_detail)
            window.line_table.setCurrentIndex(index)
            window.line_table.scrollTo(index)
        else:
            index = window.gradebook_model.index(0, 2) if window.gradebook_model.rowCount() \
                else QModelIndex()
            if index.isValid():
                presenter.detail_loaded.connect(on_detail)
                window.gradebook_table.setCurrentIndex(index)
            else:
                settle_then_grab()

    def on_detail(detail: CellDetail | None) -> None:
        if detail is None:
            return
        presenter.detail_loaded.disconnect(on_detail)
        settle_then_grab()

    def on_overview(overview: object) -> None:
        if window.pages.currentWidget() is window.first_run and not sandbox:
            settle_then_grab()

    def on_error(title: str, message: str) -> None:
        print(f"gradedesk: {title}: {message}", file=sys.stderr)
        finish(1)

    window.view_ready.connect(on_view_ready)
    presenter.overview_loaded.connect(on_overview)
    presenter.error_raised.connect(on_error)
    def on_crash(error: object) -> None:
        # The traceback is logged already (the presenter's log_crash); its type is enough here.
        log.error("unexpected error (%s) while preparing the screenshot", type(error).__name__)
        finish(2)

    def on_timeout() -> None:
        print("gradedesk: the window did not get ready in time", file=sys.stderr)
        finish(1)

    presenter.crashed.connect(on_crash)
    deadline.timeout.connect(on_timeout)
    deadline.start(int(timeout_s * 1000))
    window.show()
    if sandbox:
        window.start_sandbox()
    else:
        window.start()
    loop.exec()
    return outcome["code"]
