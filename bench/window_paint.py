"""One window, start to its first painted frame, then exit at once (``os._exit``, so no
teardown is counted). The parent times the whole process; run with QT_QPA_PLATFORM=offscreen.

    window_paint.py bare DIR                      a bare PySide6 window with a 200 x 60 table
    window_paint.py gradedesk DIR                 GradeDesk's window on an empty data folder
    window_paint.py prepare DIR STUDENTS ITEMS    (untimed) a course of that size in the store
    window_paint.py gradebook DIR STUDENTS ITEMS  GradeDesk's gradebook of that course, until
                                                  its grid is painted with data
    window_paint.py scroll DIR                    that gradebook scrolled down and across,
                                                  milliseconds per painted frame
    window_paint.py paste DIR                     one cell, then 500 cells pasted into it,
                                                  each until saved and repainted

Each prints one JSON line: what it waited for and the in-process milliseconds to it.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()


def done(what: str, **extra: Any) -> None:
    print(json.dumps({"painted": what, "ms": round((time.perf_counter() - STARTED) * 1000),
                      **extra}), flush=True)
    sys.stdout.flush()
    os._exit(0)


def exit_on_paint(widget: Any, what: str, armed: list[bool] | None = None) -> Any:
    """An event filter that ends the process once ``widget`` has painted (after the paint)."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class Filter(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and (armed is None or armed[0]):
                QTimer.singleShot(0, lambda: done(what))
            return False

    watcher = Filter()
    widget.installEventFilter(watcher)
    return watcher


def bare() -> None:
    from PySide6.QtWidgets import QApplication, QMainWindow, QTableWidget, QTableWidgetItem

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    table = QTableWidget(200, 60)
    for row in range(200):
        for column in range(60):
            table.setItem(row, column, QTableWidgetItem(f"{(row + column) % 11}"))
    window.setCentralWidget(table)
    window.resize(1280, 800)
    keep = exit_on_paint(table.viewport(), "bare table")
    window.show()
    app.exec()
    del keep


def scroll_frames(table: Any) -> None:
    """Scroll the grid down and across in steps, each frame painted synchronously (repaint);
    the milliseconds per frame are what a user scrolling feels."""
    frames = []
    viewport = table.viewport()
    viewport.repaint()  # the first frame with data, not counted
    for bar, steps in ((table.verticalScrollBar(), 80), (table.horizontalScrollBar(), 30)):
        top = bar.maximum()
        for step in range(1, steps + 1):
            bar.setValue(top * step // steps)
            started = time.perf_counter()
            viewport.repaint()
            frames.append((time.perf_counter() - started) * 1000)
    frames.sort()
    done("scrolled", frames=len(frames), median_ms=round(frames[len(frames) // 2], 2),
         p95_ms=round(frames[int(len(frames) * 0.95)], 2), max_ms=round(frames[-1], 2))


def paste_edits(window: Any) -> None:
    """Paste one cell, then 500 cells (50 students x 10 line items), into the gradebook, each
    timed from the paste to its edits saved (store write, undo entry) and the grid repainted."""
    from PySide6.QtCore import QTimer

    table, model = window.gradebook_table, window.gradebook_model
    plan: list[tuple[str, int, str]] = [("warm-up", 1990, "5")]
    plan += [("one", 1900 + n * 7, str(n % 10)) for n in range(5)]
    block = "\n".join("\t".join(str((r + c) % 10) for c in range(10)) for r in range(50))
    plan += [("block", 100 + n * 60, block) for n in range(3)]
    timings: dict[str, list[float]] = {"one": [], "block": []}
    state: dict[str, Any] = {}

    def next_paste() -> None:
        if not plan:
            one, big = sorted(timings["one"]), sorted(timings["block"])
            done("pasted", one_ms=round(one[len(one) // 2], 1),
                 block_ms=round(big[len(big) // 2], 1), block_cells=500)
        kind, row, text = plan.pop(0)
        table.setCurrentIndex(model.index(row, 2))
        state["kind"], state["started"] = kind, time.perf_counter()
        if not table.paste(text):
            raise SystemExit(f"paste refused: {table.bubble.text()}")

    def on_saved(*_: object) -> None:
        table.viewport().repaint()
        if state["kind"] in timings:
            timings[state["kind"]].append((time.perf_counter() - state["started"]) * 1000)
        QTimer.singleShot(0, next_paste)

    window.presenter.edits_saved.connect(on_saved)
    next_paste()


def gradedesk_window(data_dir: Path, *, gradebook: str | None, scroll: bool = False,
                     paste: bool = False) -> None:
    from PySide6.QtCore import QSettings, QTimer

    from gradedesk.ui.app import application
    from gradedesk.ui.context import AppContext
    from gradedesk.ui.presenter import Presenter
    from gradedesk.ui.views.main_window import GRADEBOOK_MODE, MainWindow

    app = application()
    context = AppContext.open(data_dir)
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "window.ini"),
                         QSettings.Format.IniFormat)
    presenter = Presenter(context)
    window = MainWindow(presenter, settings)
    window.resize(1280, 800)
    if gradebook is None:
        keep = exit_on_paint(window, "empty window")
    else:
        window.prefer_gradebook()
        window.request_connection(gradebook)
        armed = [False]
        keep = exit_on_paint(window.gradebook_table.viewport(), "gradebook with data", armed)

        def on_ready(mode: str) -> None:
            if mode == GRADEBOOK_MODE and window.gradebook_model.rowCount() > 0:
                if scroll:
                    QTimer.singleShot(0, lambda: scroll_frames(window.gradebook_table))
                    return
                if paste:
                    QTimer.singleShot(0, lambda: paste_edits(window))
                    return
                armed[0] = True
                window.gradebook_table.viewport().update()

        window.view_ready.connect(on_ready)
    window.show()
    window.start()
    app.exec()
    del keep


def prepare(data_dir: Path, students: int, line_items: int) -> None:
    """A pulled course of that size, written through the store (as gradebook_load.py does)."""
    from gradedesk.domain import LEARNER_ROLE, LineItem, Member, Result
    from gradedesk.store import connections, open_database, snapshots

    if (data_dir / "gradedesk.sqlite3").exists():
        return
    db = open_database(data_dir)
    row = connections.add_connection(db, "course", "lti", {"issuer": "https://canvas.test"})
    base = "https://canvas.test/api/lti/courses/1/line_items"
    items = [LineItem(id=f"{base}/{n}", label=f"Assignment {n:02d}", score_maximum=10.0)
             for n in range(1, line_items + 1)]
    snapshots.upsert_line_items(db, row.id, items)
    members = [Member(user_id=f"user-{i:05d}", roles=(LEARNER_ROLE,),
                      name=f"Student {i:05d}") for i in range(students)]
    snapshots.upsert_members(db, row.id, members)
    for n, item in enumerate(items):
        snapshots.upsert_results(db, row.id, item.id, [
            Result(user_id=m.user_id, result_score=float((i + n) % 11), result_maximum=10.0)
            for i, m in enumerate(members) if (i + n) % 4])
    db.close()


def main() -> None:
    mode, folder = sys.argv[1], Path(sys.argv[2])
    if mode == "bare":
        bare()
    elif mode == "gradedesk":
        gradedesk_window(folder, gradebook=None)
    elif mode == "prepare":
        prepare(folder, int(sys.argv[3]), int(sys.argv[4]))
    elif mode == "gradebook":
        gradedesk_window(folder, gradebook="course")
    elif mode == "scroll":
        gradedesk_window(folder, gradebook="course", scroll=True)
    elif mode == "paste":
        gradedesk_window(folder, gradebook="course", paste=True)
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main()
