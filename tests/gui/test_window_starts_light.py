"""Issue 12, item 4: the window paints its first frame before the network stack loads.

``gradedesk gui`` on a data folder with no connection shows the window without importing
httpx, the platform clients and their JWT and crypto libraries (``gradedesk.bootstrap``),
keyring or the sync engine: those load with the first job that needs them, on its worker
thread. Each check runs
the real command in a fresh interpreter (this test run has imported everything already) and
reads which modules were loaded when the main window had painted once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from gradedesk.secrets import SecretStore

HEAVY = ("httpx", "keyring", "jwt", "cryptography", "gradedesk.bootstrap",
         "gradedesk.sync.engine", "gradedesk.platforms.http",
         "gradedesk.platforms.lti_advantage", "gradedesk.platforms.setup", "gradedesk.sandbox",
         "logging.handlers",
         # Grading mode's page (and the queue, rubric and split code under it) is made when
         # it is first opened, the late rules' presenter when its dialog first opens, the
         # rubric code with the first rubric read.
         "gradedesk.ui.views.grading_mode", "gradedesk.ui.late_presenter",
         "gradedesk.domain.rubrics")
# Reports the HEAVY modules loaded at the main window's first paint ("paint"), or once the
# window's first sync has finished ("synced": with --sandbox, the sample course pulled).
PROBE = """
import json, os, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QMainWindow
from gradedesk.ui.app import application

def report():
    loaded = sorted(name for name in HEAVY if name in sys.modules)
    print(json.dumps({"loaded": loaded}), flush=True)
    os._exit(0)

class FirstPaint(QObject):
    seen = False
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and isinstance(watched, QMainWindow) \\
                and not self.seen:
            self.seen = True
            if WHEN == "paint":
                QTimer.singleShot(0, report)
            else:
                watched.presenter.sync_finished.connect(lambda *_: report())
        return False

app = application()  # the one gradedesk gui makes (it finds this one)
watcher = FirstPaint()
app.installEventFilter(watcher)
from gradedesk.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _loaded_at(tmp_path: Path, when: str, *args: str) -> list[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\nWHEN = {when!r}\n{PROBE}",
         "--data-dir", str(tmp_path / "data"), "gui", *args],
        capture_output=True, text=True, timeout=90, env=env, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert done.returncode == 0 and lines, done.stdout + done.stderr
    loaded: list[str] = json.loads(lines[-1])["loaded"]
    return loaded


def test_the_first_frame_loads_no_network_stack_or_keyring(tmp_path: Path) -> None:
    assert _loaded_at(tmp_path, "paint") == []


def test_the_probe_sees_what_the_first_sync_loads(tmp_path: Path,
                                                  secret_store: SecretStore) -> None:
    """The same probe after the sample course was started and pulled finds the HTTP stack,
    the platform wiring, the keyring and the engine: the check above can fail."""
    loaded = _loaded_at(tmp_path, "synced", "--sandbox")
    assert {"httpx", "keyring", "gradedesk.bootstrap", "gradedesk.sync.engine",
            "gradedesk.sandbox"} <= set(loaded)
