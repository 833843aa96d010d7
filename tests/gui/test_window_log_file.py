"""Issue 13: the window logs to the same file as the commands. ``gradedesk gui --sandbox`` runs
in a fresh process (offscreen), pulls the sample course and quits; its request lines are then in
the data folder's log, written once the first frame was up."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from gradedesk.paths import log_dir
from gradedesk.secrets import SecretStore

# Quits the window once its first sync (the sample course's pull) has finished.
QUIT_AFTER_SYNC = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QMainWindow
from gradedesk.ui.app import application

class QuitAfterSync(QObject):
    seen = False
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and isinstance(watched, QMainWindow) \\
                and not self.seen:
            self.seen = True
            watched.presenter.sync_finished.connect(
                lambda *_: QTimer.singleShot(0, watched.close))
        return False

app = application()
watcher = QuitAfterSync()
app.installEventFilter(watcher)
from gradedesk.cli import main
sys.exit(main(sys.argv[1:]))
"""
REQUEST_LINE = re.compile(r" INFO gradedesk\.platforms\.http: GET \S+/line_items -> 200 in \d+ ms")


def test_the_window_writes_its_request_lines_to_the_log(tmp_path: Path,
                                                         secret_store: SecretStore) -> None:
    data = tmp_path / "data"
    done = subprocess.run(
        [sys.executable, "-c", QUIT_AFTER_SYNC, "--data-dir", str(data), "gui", "--sandbox"],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stdout + done.stderr
    log_file = log_dir(data) / "gradedesk.log"
    logged = log_file.read_text(encoding="utf-8")
    assert REQUEST_LINE.search(logged), logged
    assert "Bearer" not in logged and "eyJ" not in logged
