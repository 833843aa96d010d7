"""Crashes lose and double nothing.

* 20 CLI trials: cells are graded (scores and distinct comments, some students in two line
  items), ``gradedesk push`` is killed with SIGKILL at a random moment of its run, drafts are
  typed after the kill, and ``push`` runs again until it is done. Afterwards the platform's
  ledger holds every graded cell exactly once, each comment is on the platform exactly once,
  every score is the one typed, nothing is left queued, sending or failed, the database passes
  ``PRAGMA integrity_check``, and the drafts typed after the kill went out too.
* 5 window trials: the real window (offscreen) pushes, is killed mid-push, and the CLI push
  finishes the work with the same outcome; a draft the window had saved during the push is
  delivered as well.
* A full disk (a file-size limit, and a real full tmpfs in a namespace of the test's own) and
  a read-only data folder: a clear one-line error, no traceback, and what was stored before
  is intact and usable once there is room again or the folder is writable again.

Every trial is seeded (the printed lines give the seed): a seed picks the cells, the values
and the kill moment as a share of the push's measured span, so a trial can be replayed.
"""

from __future__ import annotations

import ctypes
import json
import os
import queue
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from cli_support import CliResult, Gradedesk, KeyFiles, SandboxProcess, add_connection_args
from gradedesk.store.db import DB_FILENAME

pytestmark = pytest.mark.usefixtures("secret_store")

GROUPS = 5  # sandboxes: each serves a few trials on students of its own
TRIALS_PER_GROUP = 4
STUDENTS_PER_TRIAL = 4
ITEMS_PER_TRIAL = 2
CELLS_BEFORE_KILL = 5  # of 4 students x 2 items: at least one student is in both items
CELLS_AFTER_KILL = 2  # typed after the kill, before the push runs again
# Each service request waits this long, so a push lasts long enough for a kill to land in
# any of its phases; short enough that 20 trials stay quick.
LATENCY_MS = 40
REPLY_DELAY_MS = 200
# A request the killed process had sent is applied after its latency: wait that long before
# counting what landed, so the count includes it.
SETTLE_S = (LATENCY_MS + 60) / 1000
TOKEN_LIFETIME_S = 2
MAX_PUSHES_AFTER_KILL = 4
PUSH_TIMEOUT_S = 60.0
LEARNER_ROLE = "membership#Learner"
REMARKS = ("well argued", "see me", "good lab work", "redo part b", "cite your sources")

Cell = tuple[str, str]  # (line item URL, user id)


@dataclass(frozen=True, slots=True)
class Typed:
    score: int
    comment: str


@dataclass
class Course:
    """The sandbox's course as the platform itself lists it (not as GradeDesk sees it)."""

    line_items: list[str]
    learners: list[str]


@dataclass
class TrialOutcome:
    seed: int
    killed: bool
    at_s: float
    landed_before_kill: int
    phase: str
    pushes_after: int
    cells: int
    duplicated: int = 0
    lost: int = 0
    notes: list[str] = field(default_factory=list)
    share: float = 0.0  # where in the span the kill was aimed


def _course(sandbox: SandboxProcess) -> Course:
    base = sandbox.info["lineitems_url"]
    items = httpx.get(f"{sandbox.info['admin_url']}/line_items", timeout=10).json()
    roster = httpx.get(sandbox.info["roster_url"], timeout=10).json()
    return Course(
        # Only this tool's columns: another tool's line item (Canvas hides it) is not ours.
        line_items=[f"{base}/{item['number']}" for item in items
                    if not item["deleted"] and item["client_id"] == sandbox.info["client_id"]],
        learners=[person["user_id"] for person in roster
                  if any(role.endswith(LEARNER_ROLE) for role in person["roles"])
                  and person["name"] != "Test Student"])


def _new_score(rng: random.Random, sandbox: SandboxProcess, cell: Cell) -> int:
    """A score other than the one the platform holds for the cell: a grade that lands then
    shows, and the window saves it (typing the score a cell already shows changes nothing)."""
    try:
        held = sandbox.result(*cell)["resultScore"]
    except httpx.HTTPStatusError:  # no result yet
        held = None
    return rng.choice([score for score in range(1, 11) if score != held])


def _set_knobs(sandbox: SandboxProcess, **knobs: Any) -> None:
    httpx.patch(f"{sandbox.info['admin_url']}/settings", json=knobs,
                timeout=10).raise_for_status()


def _start_sandbox(keys: KeyFiles, *extra: str) -> SandboxProcess:
    # No throttle: every trial is a new connection, so a new token (200 units on Canvas);
    # the throttle is not what these trials are about and would only slow them.
    sandbox = SandboxProcess(keys.public, "--no-throttle", *extra)
    # Tokens are short-lived, so a push asks for one of its own (at its start or midway)
    # instead of using the one the pull cached: the token exchange is one of the moments a
    # kill can hit.
    _set_knobs(sandbox, token_lifetime_s=TOKEN_LIFETIME_S)
    return sandbox


@contextmanager
def _stretched(sandbox: SandboxProcess) -> Iterator[None]:
    """For the push that is killed: every request waits ``LATENCY_MS``, and a score's reply
    comes ``REPLY_DELAY_MS`` after the platform applied it, so a kill can leave grades that
    landed while GradeDesk still has them "sending" (the lost-reply case). Set-up and the
    pushes after the kill run at full speed, to keep the trials quick."""
    _set_knobs(sandbox, latency_ms=LATENCY_MS, reply_delay_ms=REPLY_DELAY_MS)
    try:
        yield
    finally:
        _set_knobs(sandbox, latency_ms=0, reply_delay_ms=0)


@pytest.fixture
def sandboxes(keys: KeyFiles) -> Iterator[list[SandboxProcess]]:
    running: list[SandboxProcess] = []
    try:
        for _ in range(GROUPS):
            running.append(_start_sandbox(keys))
        yield running
    finally:
        for sandbox in running:
            sandbox.stop()


def _connect(gd: Gradedesk, name: str, sandbox: SandboxProcess, keys: KeyFiles) -> None:
    gd.ok(*add_connection_args(name, sandbox.info, keys.private))
    gd.ok("pull", name)


def _grade(gd: Gradedesk, name: str, cell: Cell, typed: Typed) -> None:
    gd.ok("grade", name, "--line-item", cell[0], "--user", cell[1], "--score",
          str(typed.score), "--comment", typed.comment)


def _integrity(data_dir: Path, *, read_only: bool) -> str:
    """``PRAGMA integrity_check`` on GradeDesk's database file. Read-only right after a kill,
    so the check does not tidy the file before GradeDesk itself opens it again."""
    path = data_dir / DB_FILENAME
    uri = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    conn = sqlite3.connect(uri, uri=True, timeout=10)
    try:
        return "; ".join(str(row[0]) for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def _kill_at(process: subprocess.Popen[str], delay_s: float) -> bool:
    """SIGKILL the process ``delay_s`` after now, unless it has ended; True if it was killed."""
    try:
        process.wait(timeout=delay_s)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=PUSH_TIMEOUT_S)
        return True
    process.communicate(timeout=PUSH_TIMEOUT_S)
    return False


def _ledger_counts(sandbox: SandboxProcess, cells: set[Cell]) -> Counter[Cell]:
    return Counter(cell for cell in ((entry["line_item_id"], entry["user_id"])
                                     for entry in sandbox.ledger()) if cell in cells)


def _push_until_done(gd: Gradedesk, name: str) -> tuple[int, CliResult]:
    """Run ``push`` until it reports a clean run (bounded): returns how many runs it took."""
    last: CliResult | None = None
    for attempt in range(1, MAX_PUSHES_AFTER_KILL + 1):
        last = gd.run("push", name, "--json", timeout=PUSH_TIMEOUT_S)
        assert "Traceback" not in last.err and "unexpected error" not in last.err, last.err
        if last.code == 0 and last.json()["ok"] is True:
            return attempt, last
    assert last is not None
    raise AssertionError(f"push not done after {MAX_PUSHES_AFTER_KILL} runs: "
                         f"{last.code}\n{last.out}\n{last.err}")


def _check_outcome(gd: Gradedesk, name: str, sandbox: SandboxProcess,
                   typed: dict[Cell, Typed], outcome: TrialOutcome) -> None:
    """Every typed cell on the platform exactly once, as typed; nothing left behind."""
    counts = _ledger_counts(sandbox, set(typed))
    outcome.duplicated = sum(1 for cell in typed if counts[cell] > 1)
    outcome.lost = sum(1 for cell in typed if counts[cell] == 0)
    for cell, want in typed.items():
        result = sandbox.result(*cell)
        said = [c["comment"] for c in result["comments"]]
        if said.count(want.comment) != 1 or result["resultScore"] != want.score:
            outcome.notes.append(f"{cell[1][:8]}: score {result['resultScore']} (typed "
                                 f"{want.score}), comment x{said.count(want.comment)}")
    status = gd.ok("status", name, "--json").json()["connections"][0]
    left = {key: status[key] for key in ("drafts", "queued", "sending", "failed", "conflicts")
            if status[key]}
    if left:
        outcome.notes.append(f"left behind: {left}")
    check = _integrity(gd.data_dir, read_only=False)
    if check != "ok":
        outcome.notes.append(f"integrity_check: {check}")


def _outbox_states(data_dir: Path) -> Counter[str]:
    """The outbox as the kill left it (read-only: GradeDesk is the first to change it)."""
    conn = sqlite3.connect(f"file:{data_dir / DB_FILENAME}?mode=ro", uri=True, timeout=10)
    try:
        return Counter({str(state): int(count) for state, count in conn.execute(
            "SELECT state, count(*) FROM outbox GROUP BY state")})
    finally:
        conn.close()


def _phase(killed: bool, landed: int, states: Counter[str]) -> str:
    """Where the kill fell, told from what it left: the ledger and the outbox."""
    if not killed:
        return "ended before the kill"
    if states["sending"]:
        return "sends in flight"
    if landed == 0:
        return "before any send"
    if states["sent"]:
        return "sent, not yet confirmed"
    if states["queued"]:
        return "between sends"
    return "after confirm"


def _run_trial(tmp_path: Path, keys: KeyFiles, sandbox: SandboxProcess, course: Course,
               slot: int, seed: int, span_s: tuple[float, float]) -> TrialOutcome:
    rng = random.Random(seed)
    name = f"trial{seed}"
    gd = Gradedesk(tmp_path / name)
    _connect(gd, name, sandbox, keys)
    students = course.learners[slot * STUDENTS_PER_TRIAL:(slot + 1) * STUDENTS_PER_TRIAL]
    items = rng.sample(course.line_items, ITEMS_PER_TRIAL)
    cells = [(item, user) for item in items for user in students]
    rng.shuffle(cells)
    before = cells[:CELLS_BEFORE_KILL]
    after = cells[CELLS_BEFORE_KILL:CELLS_BEFORE_KILL + CELLS_AFTER_KILL]
    typed = {cell: Typed(_new_score(rng, sandbox, cell),
                         f"Trial {seed}, cell {number}: {rng.choice(REMARKS)}.")
             for number, cell in enumerate(before + after)}
    for cell in before:
        _grade(gd, name, cell, typed[cell])

    # The moment is a seeded share of the push's span, so a replay kills at the same point of
    # the push even on a faster or slower machine.
    share = rng.random()
    delay = span_s[0] + share * (span_s[1] - span_s[0])
    with _stretched(sandbox):
        started = time.monotonic()
        killed = _kill_at(gd.start("push", name, "--json"), delay)
        at_s = time.monotonic() - started
        time.sleep(SETTLE_S)
    landed = sum(_ledger_counts(sandbox, set(before)).values())
    right_after = _integrity(gd.data_dir, read_only=True)
    assert right_after == "ok", f"seed {seed}: integrity right after the kill: {right_after}"
    phase = _phase(killed, landed, _outbox_states(gd.data_dir))

    for cell in after:  # drafts typed after the crash, before the next push
        _grade(gd, name, cell, typed[cell])
    pushes, _ = _push_until_done(gd, name)
    outcome = TrialOutcome(seed, killed, at_s, landed, phase, pushes, len(typed), share=share)
    _check_outcome(gd, name, sandbox, typed, outcome)
    return outcome


def _calibrate(tmp_path: Path, keys: KeyFiles, sandbox: SandboxProcess,
               course: Course) -> tuple[float, float]:
    """Time a trivial command and a whole uninterrupted push of a trial's size, so kill moments
    can be spread over the push's whole run however fast this machine is. Also a control: the
    same checks hold for a push nobody killed."""
    name = "control"
    gd = Gradedesk(tmp_path / name)
    _connect(gd, name, sandbox, keys)
    started = time.monotonic()
    gd.ok("status", name)
    startup = time.monotonic() - started
    slot = TRIALS_PER_GROUP  # the students after the trials' own
    students = course.learners[slot * STUDENTS_PER_TRIAL:(slot + 1) * STUDENTS_PER_TRIAL]
    typed = {cell: Typed(_new_score(random.Random(number), sandbox, cell),
                         f"Control {number}.")
             for number, cell in enumerate(
                 [(item, user) for item in course.line_items[:ITEMS_PER_TRIAL]
                  for user in students][:CELLS_BEFORE_KILL])}
    for cell, want in typed.items():
        _grade(gd, name, cell, want)
    with _stretched(sandbox):
        started = time.monotonic()
        gd.ok("push", name, "--json", timeout=PUSH_TIMEOUT_S)
        whole = time.monotonic() - started
    control = TrialOutcome(0, False, whole, 0, "control", 1, len(typed))
    _check_outcome(gd, name, sandbox, typed, control)
    assert not control.notes and not control.duplicated and not control.lost, control
    return startup * 0.5, whole * 1.05


FIRST_SEED = 1000
# CRASH_TRIAL_SEEDS=1007,1013 replays those trials alone (same cells, values and kill share).
SEEDS = [int(seed) for seed in os.environ.get("CRASH_TRIAL_SEEDS", "").split(",") if seed] \
    or [FIRST_SEED + number for number in range(GROUPS * TRIALS_PER_GROUP)]


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_twenty_cli_pushes_killed_at_random_moments_lose_and_double_nothing(
        tmp_path: Path, keys: KeyFiles, sandboxes: list[SandboxProcess]) -> None:
    """20 seeded trials (replay one with its seed): a push SIGKILLed at a random moment of its
    run, drafts typed after the kill, then push again: every cell once, as typed."""
    courses = [_course(sandbox) for sandbox in sandboxes]
    assert len(courses[0].learners) >= (TRIALS_PER_GROUP + 1) * STUDENTS_PER_TRIAL
    span = _calibrate(tmp_path, keys, sandboxes[0], courses[0])
    print(f"\nkill moments spread over {span[0]:.2f}-{span[1]:.2f} s after the push starts")
    outcomes: list[TrialOutcome] = []
    for seed in SEEDS:
        # The seed places the trial: its sandbox and its students.
        group, slot = divmod((seed - FIRST_SEED) % (GROUPS * TRIALS_PER_GROUP),
                             TRIALS_PER_GROUP)
        outcome = _run_trial(tmp_path, keys, sandboxes[group], courses[group], slot, seed,
                             span)
        outcomes.append(outcome)
        if not outcome.killed:
            # Pushes run faster now than when timed: spread later kills over what this one took.
            span = (span[0], max(span[0] + 0.1, min(span[1], outcome.at_s)))
        print(f"trial seed {seed}: {'killed' if outcome.killed else 'not killed'} at "
              f"{outcome.at_s:.2f} s ({outcome.share:.0%} of the span), {outcome.phase}; "
              f"{outcome.landed_before_kill} of {CELLS_BEFORE_KILL} had landed; "
              f"{outcome.pushes_after} push(es) after; "
              f"duplicated {outcome.duplicated}, lost {outcome.lost}"
              + (f"; {'; '.join(outcome.notes)}" if outcome.notes else ""))
    kills = sum(o.killed for o in outcomes)
    landed = sum(o.landed_before_kill for o in outcomes if o.killed)
    duplicated = sum(o.duplicated for o in outcomes)
    lost = sum(o.lost for o in outcomes)
    print(f"crash trials: {len(outcomes)}, kills {kills}, landed {landed}, "
          f"duplicated {duplicated}, lost {lost}")
    phases = Counter(o.phase for o in outcomes)
    print("where the kills fell: " + ", ".join(f"{p}: {n}" for p, n in phases.items()))
    assert duplicated == 0 and lost == 0
    assert not [o for o in outcomes if o.notes], [(o.seed, o.notes) for o in outcomes if o.notes]
    # The trials prove something only if most pushes were really cut short, at varied points.
    assert kills >= len(outcomes) * 3 // 4, f"only {kills} of {len(outcomes)} pushes killed"
    if len(outcomes) >= GROUPS * TRIALS_PER_GROUP:  # a replay of a few trials may not vary
        assert len([p for p in phases if p != "ended before the kill"]) >= 2, phases


# --- the window -------------------------------------------------------------------------------

WINDOW_TRIALS = 5  # kills that must land mid-push
WINDOW_ATTEMPTS = 8  # at most: a kill that came after the push had finished is redone
WINDOW_STUDENTS = 3  # per trial: 3 students x 2 items, every student in both
WINDOW_COURSE_STUDENTS = 32  # room for every attempt's students and the control's
WINDOW_TIMEOUT_S = 60.0
# Kill moments fall in the first part of the push as an uncut window push measured it, so
# that every kill lands while the push still runs, however fast this machine is.
WINDOW_KILL_SHARE = 0.8

# The window as a grader uses it, in its own process: it opens the connection on one line
# item, types grades into the grid (each saved as the window saves them), clicks Push, types
# one more grade while the push runs, and prints one JSON line per thing that happened.
WINDOW_DRIVER = """
import json, os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from pathlib import Path
from PySide6.QtCore import QSettings, QTimer
from gradedesk.ui.app import application
from gradedesk.ui.context import AppContext
from gradedesk.ui.models.line_item_model import Column
from gradedesk.ui.presenter import Presenter
from gradedesk.ui.views.main_window import MainWindow

spec = json.loads(sys.argv[1])
app = application()
context = AppContext.open(Path(spec["data_dir"]))
presenter = Presenter(context)
window = MainWindow(presenter, QSettings(spec["settings"], QSettings.Format.IniFormat))
window.resize(1280, 800)
window.request_connection(spec["connection"])
window.line_item_hint = spec["line_item"]
state = {"stage": "loading", "saves": 0, "wanted": 0}


def say(event, **details):
    print(json.dumps({"event": event, **details}), flush=True)


def type_cells(cells):
    model = window.line_model
    rows = {model.row_at(row).user_id: row for row in range(model.rowCount())}
    state["wanted"] += 2 * len(cells)
    for cell in cells:
        row = rows[cell["user_id"]]
        model.setData(model.index(row, Column.SCORE), str(cell["score"]))
        model.setData(model.index(row, Column.COMMENT), cell["comment"])


def on_ready(mode):
    item = window.line_model.line_item
    if state["stage"] != "loading" or item is None or window.line_model.rowCount() == 0:
        return
    state["stage"] = "typing"
    say("ready", line_item=item.url)
    type_cells(spec["before"])


def on_saved(outcome):
    state["saves"] += 1
    say("saved", saves=state["saves"], wanted=state["wanted"])
    if outcome.errors:
        say("refused", errors=[str(e) for e in outcome.errors.values()])
    if state["saves"] < state["wanted"]:
        return
    if state["stage"] == "typing":
        state["stage"] = "push"
        window.window_actions.push.trigger()
    elif state["stage"] == "typing during push":
        state["stage"] = "pushing"
        say("saved during push")


def on_started(title):
    if state["stage"] == "push" and title == "Push":
        state["stage"] = "typing during push"
        say("push started")
        type_cells(spec["during"])


def on_finished(phase, report):
    if phase == "push":
        say("finished", clean=report.clean, confirmed=len(report.confirmed))
        if spec["exit_when_done"]:
            window.close()
            app.quit()


window.view_ready.connect(on_ready)
presenter.edits_saved.connect(on_saved)
presenter.job_started.connect(on_started)
presenter.sync_finished.connect(on_finished)
presenter.error_raised.connect(lambda title, message: say("error", message=message))
presenter.crashed.connect(lambda error: say("crashed", error=repr(error)))
QTimer.singleShot(int(spec["timeout_s"] * 1000), app.quit)  # never outlive the test
window.show()
window.start()
code = app.exec()
context.close()
sys.exit(code)
"""


class WindowProcess:
    """The driver above in a child process; its JSON lines are read as they come."""

    def __init__(self, script: Path, spec: dict[str, Any], stderr_file: Path) -> None:
        self.stderr_file = stderr_file
        self._stderr = stderr_file.open("w", encoding="utf-8")
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        self.process = subprocess.Popen([sys.executable, str(script), json.dumps(spec)],
                                        stdout=subprocess.PIPE, stderr=self._stderr, text=True,
                                        env=env)
        self.events: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self.timed: list[tuple[float, dict[str, Any]]] = []  # when each line was read
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("{"):
                self.events.put((time.monotonic(), json.loads(line)))

    def wait_for(self, event: str, timeout_s: float = WINDOW_TIMEOUT_S) -> float:
        """When ``event`` was printed; fails on a timeout, an error or a crash first."""
        return self.wait_for_event(event, timeout_s)[0]

    def wait_for_event(self, event: str,
                       timeout_s: float = WINDOW_TIMEOUT_S) -> tuple[float, dict[str, Any]]:
        """``event``'s line and when it was read. On a failure the window is killed at once
        (it would otherwise linger until its own time limit)."""
        try:
            return self._wait(event, timeout_s)
        except AssertionError:
            self.kill()
            raise

    def _wait(self, event: str, timeout_s: float) -> tuple[float, dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"the window did not say {event!r}: {self.seen}\n"
                                     f"{self.stderr_file.read_text()[-3000:]}")
            try:
                at, found = self.events.get(timeout=min(left, 0.5))
            except queue.Empty:
                if self.process.poll() is not None and self.events.empty():
                    raise AssertionError(f"the window ended ({self.process.returncode}) "
                                         f"before {event!r}: {self.seen}\n"
                                         f"{self.stderr_file.read_text()[-3000:]}") from None
                continue
            self.seen.append(found)
            self.timed.append((at, found))
            assert found["event"] not in ("error", "crashed", "refused"), self.seen
            if found["event"] == event:
                return at, found

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.close()

    def close(self) -> None:
        self.process.wait(timeout=WINDOW_TIMEOUT_S)
        self._reader.join(timeout=10)
        while not self.events.empty():
            at, found = self.events.get()
            self.seen.append(found)
            self.timed.append((at, found))
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._stderr.close()


@dataclass
class WindowTrial:
    name: str
    gd: Gradedesk
    window_item: str
    cli_item: str
    typed: dict[Cell, Typed]
    cli_before: list[Cell]
    window_before: list[Cell]
    window_during: list[Cell]
    after: list[Cell]


def _window_trial(tmp_path: Path, keys: KeyFiles, sandbox: SandboxProcess, course: Course,
                  slot: int, seed: int) -> WindowTrial:
    """A connection with the trial's cells chosen and the CLI's share graded."""
    rng = random.Random(seed)
    name = f"window{seed}"
    gd = Gradedesk(tmp_path / name)
    _connect(gd, name, sandbox, keys)
    students = course.learners[slot * WINDOW_STUDENTS:(slot + 1) * WINDOW_STUDENTS]
    window_item, cli_item = rng.sample(course.line_items, 2)
    in_window = [(window_item, user) for user in rng.sample(students, len(students))]
    in_cli = [(cli_item, user) for user in rng.sample(students, len(students))]
    typed = {cell: Typed(_new_score(rng, sandbox, cell),
                         f"Window trial {seed}, cell {number}: {rng.choice(REMARKS)}.")
             for number, cell in enumerate(in_window + in_cli)}
    trial = WindowTrial(name, gd, window_item, cli_item, typed, cli_before=in_cli[:2],
                        window_before=in_window[:2], window_during=in_window[2:],
                        after=in_cli[2:])
    for cell in trial.cli_before:
        _grade(gd, name, cell, typed[cell])
    return trial


def _start_window(tmp_path: Path, trial: WindowTrial, *, exit_when_done: bool) -> WindowProcess:
    """The window on the trial's connection and line item, typing the trial's window cells."""
    script = tmp_path / "window_driver.py"
    if not script.exists():
        script.write_text(WINDOW_DRIVER, encoding="utf-8")

    def cells(chosen: list[Cell]) -> list[dict[str, Any]]:
        return [{"user_id": cell[1], "score": trial.typed[cell].score,
                 "comment": trial.typed[cell].comment} for cell in chosen]

    spec = {"data_dir": str(trial.gd.data_dir), "connection": trial.name,
            "line_item": trial.window_item, "settings": str(tmp_path / f"{trial.name}.ini"),
            "before": cells(trial.window_before), "during": cells(trial.window_during),
            "exit_when_done": exit_when_done, "timeout_s": WINDOW_TIMEOUT_S}
    window = WindowProcess(script, spec, tmp_path / f"{trial.name}.stderr")
    _, ready = window.wait_for_event("ready")
    assert ready["line_item"] == trial.window_item, ready  # the cells are typed in that one
    return window


def _window_kill(tmp_path: Path, keys: KeyFiles, sandbox: SandboxProcess, course: Course,
                 slot: int, seed: int, span_s: float) -> tuple[TrialOutcome, float | None]:
    """One window trial: returns its outcome and, when the push finished before the kill,
    how long that push took."""
    rng = random.Random(seed)
    trial = _window_trial(tmp_path, keys, sandbox, course, slot, seed)
    with _stretched(sandbox):
        window = _start_window(tmp_path, trial, exit_when_done=False)
        started = window.wait_for("push started")
        window.wait_for("saved during push")  # a draft the window saved: it must not be lost
        kill_at = started + rng.random() * span_s * WINDOW_KILL_SHARE
        time.sleep(max(0.0, kill_at - time.monotonic()))
        at_s = time.monotonic() - started
        window.kill()
        time.sleep(SETTLE_S)
    finished = [at for at, event in window.timed if event["event"] == "finished"]
    before = trial.cli_before + trial.window_before
    landed = sum(_ledger_counts(sandbox, set(before)).values())
    right_after = _integrity(trial.gd.data_dir, read_only=True)
    assert right_after == "ok", f"seed {seed}: integrity after the kill: {right_after}"
    phase = _phase(not finished, landed, _outbox_states(trial.gd.data_dir))
    for cell in trial.after:  # typed with the CLI after the crash
        _grade(trial.gd, trial.name, cell, trial.typed[cell])
    pushes, _ = _push_until_done(trial.gd, trial.name)
    outcome = TrialOutcome(seed, not finished, at_s, landed, phase, pushes, len(trial.typed))
    _check_outcome(trial.gd, trial.name, sandbox, trial.typed, outcome)
    print(f"window trial seed {seed}: "
          f"{'killed mid-push' if not finished else 'push had finished before the kill'} "
          f"{at_s:.2f} s after Push, {phase}; {landed} of {len(before)} had landed; {pushes} "
          f"CLI push(es) after; duplicated {outcome.duplicated}, lost {outcome.lost}"
          + (f"; {'; '.join(outcome.notes)}" if outcome.notes else ""))
    return outcome, (finished[0] - started if finished else None)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_five_window_pushes_killed_mid_push_lose_and_double_nothing(
        tmp_path: Path, keys: KeyFiles) -> None:
    """The window pushes (the Push action, as a click does) and is SIGKILLed while the push
    runs; the CLI's push then finishes the work: every cell once, as typed, including the
    grade the window saved during the push and one typed with the CLI after the kill."""
    sandbox = _start_sandbox(keys, "--students", str(WINDOW_COURSE_STUDENTS))
    outcomes: list[TrialOutcome] = []
    try:
        course = _course(sandbox)
        assert len(course.learners) >= (WINDOW_ATTEMPTS + 1) * WINDOW_STUDENTS
        # An uncut window push first: a control, and how long a push lasts on this machine.
        control = _window_trial(tmp_path, keys, sandbox, course, WINDOW_ATTEMPTS, 1999)
        with _stretched(sandbox):
            window = _start_window(tmp_path, control, exit_when_done=True)
            started = window.wait_for("push started")
            span = window.wait_for("finished") - started
            window.close()
        assert window.process.returncode == 0, window.stderr_file.read_text()
        for cell in control.after:
            _grade(control.gd, control.name, cell, control.typed[cell])
        _push_until_done(control.gd, control.name)
        checked = TrialOutcome(1999, False, span, 0, "control", 1, len(control.typed))
        _check_outcome(control.gd, control.name, sandbox, control.typed, checked)
        assert not checked.notes and not checked.duplicated and not checked.lost, checked
        print(f"\nan uncut window push took {span:.2f} s; kills fall in its first "
              f"{WINDOW_KILL_SHARE:.0%}")
        for slot in range(WINDOW_ATTEMPTS):  # bounded: a kill that came too late is redone
            outcome, took = _window_kill(tmp_path, keys, sandbox, course, slot, 2000 + slot,
                                         span)
            outcomes.append(outcome)
            if took is not None:
                span = min(span, took)  # pushes run faster now than when timed
            if sum(o.killed for o in outcomes) == WINDOW_TRIALS:
                break
    finally:
        sandbox.stop()
    kills = sum(o.killed for o in outcomes)
    print(f"window crash trials: {len(outcomes)}, kills mid-push {kills}, landed "
          f"{sum(o.landed_before_kill for o in outcomes)}, duplicated "
          f"{sum(o.duplicated for o in outcomes)}, lost {sum(o.lost for o in outcomes)}")
    assert not [o for o in outcomes if o.notes or o.duplicated or o.lost], outcomes
    assert kills == WINDOW_TRIALS, f"only {kills} of {len(outcomes)} kills came mid-push"


# --- a full disk, a read-only data folder ------------------------------------------------------

DISK_CELLS = 8  # graded before the disk fills: 4 students x 2 items
# File-size limits for a push on a "full disk": each lets GradeDesk open its database (the
# 32 KiB -shm index must fit) and fills up at a later write; the first that cuts a push after
# some grades went out is the one the test needs (the sizes depend on the schema's pages).
PUSH_DISK_LIMITS = (36_000, 44_000, 56_000, 72_000, 96_000, 128_000)
TMPFS_SLACK_KIB = 36  # room for the 32 KiB -shm index and a -wal header, not one page more


def _limited_file_size(limit: int) -> Callable[[], None]:
    """A child whose files cannot grow past ``limit`` bytes: writes beyond it fail (EFBIG)
    as on a full disk; SIGXFSZ is ignored so the write fails instead of killing it."""
    def limit_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return limit_files


def _without_root_override() -> None:
    """As root, file modes do not stop writes: drop the capabilities that bypass them
    (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) from the bounding set, so the child, though uid 0,
    meets a 0500 folder as any user does. As any other user there is nothing to drop."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            os._exit(97)  # in the forked child: tell the parent it could not be done


def _run_in(gd: Gradedesk, preexec: Callable[[], None], *args: str) -> CliResult:
    done = subprocess.run(gd.command(*args), capture_output=True, text=True, timeout=120,
                          env=gd.env, check=False, preexec_fn=preexec)
    return CliResult(done.returncode, done.stdout, done.stderr)


def _clear_error(result: CliResult, *words: str) -> str:
    """The command failed with one ``gradedesk:`` line saying ``words``, and no traceback."""
    assert result.code == 1, (result.code, result.out, result.err)
    assert "Traceback" not in result.err and "unexpected error" not in result.err, result.err
    lines = [line for line in result.err.splitlines() if line.startswith("gradedesk:")]
    assert len(lines) == 1, result.err
    assert all(word in lines[0] for word in words), lines[0]
    return lines[0]


@dataclass
class Graded:
    gd: Gradedesk
    name: str
    typed: dict[Cell, Typed]
    items: list[str]


def _graded_course(tmp_path: Path, keys: KeyFiles, sandbox: SandboxProcess, name: str, *,
                   pushed: int) -> Graded:
    """A connection with ``DISK_CELLS`` grades typed, the first ``pushed`` of them sent."""
    course = _course(sandbox)
    rng = random.Random(name)
    gd = Gradedesk(tmp_path / name)
    _connect(gd, name, sandbox, keys)
    items = course.line_items[:2]
    cells = [(item, user) for item in items for user in course.learners[:DISK_CELLS // 2]]
    typed = {cell: Typed(_new_score(rng, sandbox, cell), f"{name} {number}: {rng.choice(REMARKS)}")
             for number, cell in enumerate(cells)}
    for cell in cells[:pushed]:
        _grade(gd, name, cell, typed[cell])
    if pushed:
        gd.ok("push", name, "--json")
    for cell in cells[pushed:]:
        _grade(gd, name, cell, typed[cell])
    return Graded(gd, name, typed, items)


def _stored(graded: Graded) -> dict[Cell, Any]:
    """Everything GradeDesk shows of the two line items' cells: scores, comments, drafts."""
    cells = {}
    for item in graded.items:
        shown = graded.gd.ok("show", graded.name, "--line-item", item, "--json").json()
        for student in shown["students"]:
            cells[(shown["line_item"]["id"], student["user_id"])] = student
    return cells


def _all_delivered_once(graded: Graded, sandbox: SandboxProcess) -> TrialOutcome:
    pushes, _ = _push_until_done(graded.gd, graded.name)
    outcome = TrialOutcome(0, False, 0.0, 0, "after the disk", pushes, len(graded.typed))
    _check_outcome(graded.gd, graded.name, sandbox, graded.typed, outcome)
    assert not outcome.notes and not outcome.duplicated and not outcome.lost, outcome
    return outcome


@pytest.mark.slow
def test_a_full_disk_says_so_and_keeps_what_was_stored(
        tmp_path: Path, keys: KeyFiles, sandbox: SandboxProcess) -> None:
    """No file may grow (RLIMIT_FSIZE): grading and pushing fail with one clear line and no
    traceback, and leave the stored grades as they were. A disk that fills in the middle of a
    push: one clear line, and once there is room again the next push sends every grade once."""
    graded = _graded_course(tmp_path, keys, sandbox, "full", pushed=3)
    before = _stored(graded)
    spare = next(cell for cell in ((graded.items[0], user) for user in _course(sandbox).learners)
                 if cell not in graded.typed)
    full = _limited_file_size(1)
    for args in (("grade", graded.name, "--line-item", spare[0], "--user", spare[1],
                  "--score", "4", "--comment", "Never stored."),
                 ("push", graded.name, "--json"), ("status", graded.name)):
        line = _clear_error(_run_in(graded.gd, full, *args), "disk", DB_FILENAME)
        print(f"\nfull disk, {args[0]}: {line}")
    assert _stored(graded) == before  # nothing half-written, nothing lost
    assert len(sandbox.ledger()) == 3  # the push sent nothing

    # A disk that fills during a push: grades go out until GradeDesk can no longer record.
    ledger_before = len(sandbox.ledger())
    cut = None
    for limit in PUSH_DISK_LIMITS:
        pushed = _run_in(graded.gd, _limited_file_size(limit), "push", graded.name, "--json")
        if pushed.code == 0:
            break  # room enough for the whole push: nothing was cut
        line = _clear_error(pushed, "disk", DB_FILENAME)
        if len(sandbox.ledger()) > ledger_before:
            cut = (limit, line, len(sandbox.ledger()) - ledger_before)
            break
    assert cut is not None, "no limit cut a push after some grades went out"
    print(f"disk full during a push (files limited to {cut[0]} bytes) after {cut[2]} grades "
          f"went out: {cut[1]}")
    assert _integrity(graded.gd.data_dir, read_only=True) == "ok"
    _all_delivered_once(graded, sandbox)


@pytest.mark.slow
def test_a_really_full_file_system_says_the_disk_is_full(
        tmp_path: Path, keys: KeyFiles, sandbox: SandboxProcess) -> None:
    """A real full disk (ENOSPC, not a size limit): the data folder on a tiny tmpfs, mounted
    in a user and mount namespace of the test's own (no root mount on this machine). Grading
    says the disk is full; once the tmpfs is made larger, the same grade is kept; every grade
    then goes out once."""
    probe = tmp_path / "probe"
    probe.mkdir()
    if shutil.which("unshare") is None or subprocess.run(
            ["unshare", "--user", "--map-root-user", "--mount", "mount", "-t", "tmpfs", "-o",
             "size=64k", "tmpfs", str(probe)], capture_output=True, check=False).returncode:
        pytest.skip("this kernel or container allows no tmpfs in a user and mount namespace, "
                    "so no private file system can be filled; test_a_full_disk_says_so covers "
                    "a full disk with a file-size limit instead")
    graded = _graded_course(tmp_path, keys, sandbox, "tmpfs", pushed=2)
    before = _stored(graded)
    spare = next(cell for cell in ((graded.items[1], user) for user in _course(sandbox).learners)
                 if cell not in graded.typed)
    graded.typed[spare] = Typed(_new_score(random.Random(7), sandbox, spare), "Kept in the end.")
    grade = ["grade", graded.name, "--line-item", spare[0], "--user", spare[1], "--score",
             str(graded.typed[spare].score), "--comment", graded.typed[spare].comment]
    mount_point, copied = tmp_path / "disk", tmp_path / "copied"
    mount_point.mkdir()
    spec = {"data": str(graded.gd.data_dir), "mount": str(mount_point), "back": str(copied),
            "slack_kib": TMPFS_SLACK_KIB, "command": Gradedesk(mount_point / "data").command(),
            "grade": grade, "status": ["status", graded.name]}
    done = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", sys.executable,
                           "-c", TMPFS_DRIVER, json.dumps(spec)], capture_output=True,
                          text=True, timeout=120, env=graded.gd.env, check=False)
    assert done.returncode == 0, done.stderr
    runs = [CliResult(**run) for run in json.loads(done.stdout)]
    line = _clear_error(runs[0], "the disk is full", DB_FILENAME)
    print(f"\na full tmpfs, grade: {line}")
    assert runs[1].code == 0, runs[1].err  # reading still works on the full disk
    assert runs[2].code == 0, runs[2].err  # room again: the same grade is kept
    # Back on the real disk, the folder that filled up is used as it is.
    graded.gd = Gradedesk(copied)
    assert _integrity(copied, read_only=True) == "ok"
    after = _stored(graded)
    assert after.pop(spare)["draft"] is not None  # the grade typed once there was room
    before.pop(spare)
    assert after == before  # every other cell as it was
    _all_delivered_once(graded, sandbox)


# Runs inside the user and mount namespace: a tmpfs just big enough for the data folder, the
# grade on the full disk, then the tmpfs made larger ("room again") and the grade once more;
# the folder is copied back out for the test to use. Prints each run as JSON.
TMPFS_DRIVER = """
import json, math, os, shutil, subprocess, sys
spec = json.loads(sys.argv[1])
used = sum(math.ceil(os.path.getsize(os.path.join(top, name)) / 4096) * 4
           for top, _, names in os.walk(spec["data"]) for name in names)
size = f"size={used + spec['slack_kib']}k"
subprocess.run(["mount", "-t", "tmpfs", "-o", size, "tmpfs", spec["mount"]], check=True)
data = os.path.join(spec["mount"], "data")
shutil.copytree(spec["data"], data, symlinks=True)
os.chmod(data, 0o700)
runs = []
def run(args):
    done = subprocess.run(spec["command"] + args, capture_output=True, text=True, timeout=60)
    runs.append({"code": done.returncode, "out": done.stdout, "err": done.stderr})
run(spec["grade"])
run(spec["status"])
subprocess.run(["mount", "-o", "remount,size=16m", spec["mount"]], check=True)
run(spec["grade"])
shutil.copytree(data, spec["back"], symlinks=True)
print(json.dumps(runs))
"""


@pytest.mark.slow
def test_a_read_only_data_folder_says_so_and_keeps_what_was_stored(
        tmp_path: Path, keys: KeyFiles, sandbox: SandboxProcess) -> None:
    """The data folder made read-only (0500): grading, pushing and even reading say the folder
    is not writable, in one line with no traceback, and send nothing; once it is writable
    again every stored grade is there and goes out once."""
    graded = _graded_course(tmp_path, keys, sandbox, "readonly", pushed=3)
    before = _stored(graded)
    folder = graded.gd.data_dir
    spare = next(cell for cell in ((graded.items[0], user) for user in _course(sandbox).learners)
                 if cell not in graded.typed)
    folder.chmod(0o500)
    try:
        probe = subprocess.run(
            [sys.executable, "-c", f"open({str(folder / 'probe')!r}, 'x')"],
            capture_output=True, text=True, check=False,
            preexec_fn=_without_root_override)
        if probe.returncode == 97:
            pytest.skip("running as root without CAP_SETPCAP: the capabilities that bypass "
                        "file modes cannot be dropped, so no folder is read-only to this test")
        assert "PermissionError" in probe.stderr, "the folder is not read-only to the child"
        for args in (("grade", graded.name, "--line-item", spare[0], "--user", spare[1],
                      "--score", "4", "--comment", "Never stored."),
                     ("push", graded.name, "--json"), ("status", graded.name)):
            line = _clear_error(_run_in(graded.gd, _without_root_override, *args),
                                "not writable", str(folder))
            print(f"\nread-only data folder, {args[0]}: {line}")
    finally:
        folder.chmod(0o700)
    assert _stored(graded) == before
    assert len(sandbox.ledger()) == 3
    _all_delivered_once(graded, sandbox)
