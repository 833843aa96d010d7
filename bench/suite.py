"""Issue 12's figures in one run, one table: GradeDesk side by side with its baseline and the
floor, interleaved round by round, medians and ratios. Started by ``bench/run`` (which makes the
environments first); see bench/README.md for the method and what limits each figure.

    bench/run [--quick] [--rounds N] [--only push,pull,scale,window,cli] [--out FILE]
              [--phases] [--latency-ms 50] [--request-cost 0.05]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from support import (
    BENCH,
    BENCH_PYTHON,
    PYTHON,
    ROOT,
    Gradedesk,
    KeyFiles,
    PrivateKeyring,
    Run,
    Sandbox,
    fetch_token,
    make_key_files,
    save_drafts,
    score_body,
    timed_run,
)

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
PAGE_SIZE = 100  # Canvas's largest page for results and line items (Names and Roles: 50)
MAX_IN_FLIGHT = 11  # Canvas's bucket: 12 requests in flight reserve the whole 600


@dataclass
class Sizes:
    push_students: int  # x 4 line items = the scores pushed
    pull_students: int
    pull_items: int
    scale: int
    rounds: int
    seq_push_rounds: int
    cli_rounds: int
    window_rounds: int


DEFAULT = Sizes(push_students=250, pull_students=500, pull_items=40, scale=10, rounds=3,
                seq_push_rounds=2, cli_rounds=7, window_rounds=3)
QUICK = Sizes(push_students=50, pull_students=100, pull_items=10, scale=10, rounds=1,
              seq_push_rounds=1, cli_rounds=3, window_rounds=1)
PUSH_ITEMS = 4


@dataclass
class Row:
    figure: str
    gradedesk: str
    baseline: str
    floor: str
    ratio: str
    target: str
    verdict: str
    note: str = ""


@dataclass
class Samples:
    times: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, run: Run) -> None:
        self.times.append(run.seconds)
        self.rss.append(run.peak_rss_mb)

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")


def secs(value: float) -> str:
    return "-" if value != value else f"{value:.2f} s"


def verdict(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Bench:
    def __init__(self, sizes: Sizes, *, request_cost: float, latency_ms: int) -> None:
        self.sizes = sizes
        self.request_cost = request_cost
        self.latency_ms = latency_ms
        self.work = Path(tempfile.mkdtemp(prefix="gd-bench-"))
        self.keys: KeyFiles = make_key_files(self.work / "keys")
        self.keyring = PrivateKeyring()
        self.env = self.keyring.env()
        self.rows: list[Row] = []
        self._names = 0
        self.requests_before: dict[str, int] = {}
        self.made: dict[str, str] = {}  # figure/side -> the requests of its last timed run
        self.pulled_dir: tuple[Path, str] | None = None  # a real pulled data folder, for cli

    def close(self) -> None:
        self.keyring.stop()
        shutil.rmtree(self.work, ignore_errors=True)

    def fresh_name(self) -> str:
        self._names += 1
        return f"bench{self._names}"

    def throttle_on(self, sandbox: Sandbox) -> None:
        sandbox.knobs(throttle=True, request_cost=self.request_cost)

    # --- the sides ----------------------------------------------------------------------------

    def gradedesk_push(self, sandbox: Sandbox, cells: list[tuple[str, str]],
                       round_number: int) -> Run:
        """A user's data folder: connection added, pulled (throttle off: setup is not timed and
        leaves the bucket empty), drafts queued; then ``gradedesk push``, whole process."""
        sandbox.knobs(throttle=False)
        name = self.fresh_name()
        gd = Gradedesk(self.work / name, self.env)
        gd.add_connection(name, sandbox.info, self.keys.private)
        gd.ok("pull", name)
        save_drafts(gd.data_dir, name, cells, round_number)
        self.throttle_on(sandbox)
        self.requests_before = sandbox.stats()["requests"]
        run = gd.timed("push", name)
        if run.code != 0:
            raise RuntimeError(f"gradedesk push failed ({run.code}): {run.err[-2000:]}")
        return run

    def bare_job(self, sandbox: Sandbox, mode: str, concurrency: int, **extra: Any
                 ) -> dict[str, Any]:
        sandbox.knobs(throttle=False)
        token = fetch_token(sandbox.info, self.keys.private)
        self.throttle_on(sandbox)
        self.requests_before = sandbox.stats()["requests"]
        return {"mode": mode, "token": token, "concurrency": concurrency, **extra}

    def floor_run(self, job: dict[str, Any]) -> tuple[Run, dict[str, Any]]:
        run = timed_run([PYTHON, str(BENCH / "floor.py")], stdin_text=json.dumps(job))
        if run.code != 0:
            raise RuntimeError(f"floor failed: {run.err[-2000:]}")
        return run, json.loads(run.out.strip().splitlines()[-1])

    def pylti_job(self, sandbox: Sandbox, mode: str, **extra: Any) -> dict[str, Any]:
        self.throttle_on(sandbox)
        self.requests_before = sandbox.stats()["requests"]
        info = sandbox.info
        return {"mode": mode, "client_id": info["client_id"], "token_url": info["token_url"],
                "issuer": info["issuer"], "private_key_file": str(self.keys.private),
                "lineitems_url": info["lineitems_url"], **extra}

    def pylti_run(self, job: dict[str, Any]) -> tuple[Run, dict[str, Any]]:
        run = timed_run([BENCH_PYTHON, str(BENCH / "pylti_baseline.py")],
                        stdin_text=json.dumps(job))
        if run.code != 0:
            raise RuntimeError(f"pylti1p3 baseline failed: {run.err[-2000:]}")
        return run, json.loads(run.out.strip().splitlines()[-1])

    # --- figure 1: push -----------------------------------------------------------------------

    def push_course(self, students: int, latency_ms: int) -> Sandbox:
        return Sandbox(self.keys.public, students=students + 5, line_items=PUSH_ITEMS,
                       latency_ms=latency_ms)

    @staticmethod
    def push_cells(sandbox: Sandbox, students: int) -> tuple[list[tuple[str, str]],
                                                              dict[str, float]]:
        base = sandbox.info["lineitems_url"]
        items = [item for item in sandbox.line_items()
                 if item["client_id"] == sandbox.info["client_id"] and not item["deleted"]]
        learners = [person["user_id"] for person in sandbox.roster()
                    if person["roles"] == [LEARNER] and person["name"] != "Test Student"]
        if len(learners) < students:
            raise RuntimeError(f"the course has {len(learners)} students, {students} needed")
        maxima = {f"{base}/{item['number']}": float(item["score_maximum"]) for item in items}
        cells = [(url, user) for url in maxima for user in learners[:students]]
        return cells, maxima

    def requests_made(self, sandbox: Sandbox) -> str:
        """The platform requests of the timed run, by kind (from the sandbox's counts)."""
        after: dict[str, int] = sandbox.stats()["requests"]
        made = {kind: count - self.requests_before.get(kind, 0) for kind, count in after.items()}
        return ", ".join(f"{count} {kind}" for kind, count in sorted(made.items()) if count)

    @staticmethod
    def check_ledger(sandbox: Sandbox, cells: list[tuple[str, str]]) -> str:
        """'' when every cell's score landed exactly once and nothing was throttled."""
        ledger = sandbox.ledger()
        landed = [(entry["line_item_id"], entry["user_id"]) for entry in ledger]
        problems = []
        if len(landed) != len(cells) or set(landed) != set(cells):
            problems.append(f"ledger {len(landed)} POSTs for {len(cells)} scores, "
                            f"{len(set(landed))} distinct")
        throttled = sandbox.throttled()
        if throttled:
            problems.append(f"{throttled} throttled")
        return "; ".join(problems)

    def push_side(self, side: str, students: int, latency_ms: int, round_number: int,
                  concurrency: int) -> tuple[Run, str, dict[str, Any]]:
        with self.push_course(students, latency_ms) as sandbox:
            cells, maxima = self.push_cells(sandbox, students)
            posts: list[tuple[str, dict[str, Any]]] = [
                (url, score_body(url, user, n, round_number, maxima[url]))
                for n, (url, user) in enumerate(cells)]
            extra: dict[str, Any] = {}
            if side == "gradedesk":
                run = self.gradedesk_push(sandbox, cells, round_number)
            elif side == "floor":
                job = self.bare_job(sandbox, "push", concurrency,
                                    posts=[[url + "/scores", body] for url, body in posts])
                run, extra = self.floor_run(job)
            else:
                run, extra = self.pylti_run(self.pylti_job(sandbox, "push", posts=posts))
            extra["made"] = self.requests_made(sandbox)
            return run, self.check_ledger(sandbox, cells), extra

    def calibrate_floor(self, attempt: Callable[[int], tuple[Run, str, dict[str, Any]]],
                        what: str) -> int:
        """The highest number in flight with which the bare client gets no 403, each try on a
        fresh sandbox (an empty bucket), from Canvas's ceiling of 11 down."""
        for concurrency in range(MAX_IN_FLIGHT, 0, -1):
            run, problems, extra = attempt(concurrency)
            log(f"  floor {what} at {concurrency} in flight: {run.seconds:.2f} s, "
                f"{extra.get('throttled', 0)} throttled")
            if not extra.get("throttled") and not problems:
                return concurrency
        return 1

    def figure_push(self) -> None:
        students, rounds = self.sizes.push_students, self.sizes.rounds
        scores = students * PUSH_ITEMS
        log(f"figure 1: push {scores} scores with comments at {self.latency_ms} ms, "
            f"throttle on (request cost {self.request_cost})")
        concurrency = self.calibrate_floor(
            lambda k: self.push_side("floor", students, self.latency_ms, 0, k), "push")
        samples = {side: Samples() for side in ("gradedesk", "floor", "pylti1p3")}
        orders = [("gradedesk", "floor", "pylti1p3"), ("floor", "pylti1p3", "gradedesk"),
                  ("pylti1p3", "gradedesk", "floor")]
        for round_number in range(1, rounds + 1):
            for side in orders[(round_number - 1) % 3]:
                if side == "pylti1p3" and len(samples[side].times) >= self.sizes.seq_push_rounds:
                    continue
                run, problems, extra = self.push_side(side, students, self.latency_ms,
                                                      round_number, concurrency)
                samples[side].add(run)
                if problems:
                    samples[side].notes.append(problems)
                throttled = extra.get("throttled")
                self.made[f"push {side}"] = extra["made"]
                log(f"  round {round_number} {side}: {run.seconds:.2f} s, "
                    f"{run.peak_rss_mb:.0f} MB, requests: {extra['made']}"
                    f"{', ' + problems if problems else ''}"
                    f"{f', bare client throttled {throttled}' if throttled else ''}")
        gd, floor, seq = (samples[s] for s in ("gradedesk", "floor", "pylti1p3"))
        label = f"1 push {scores:,} scores+comments, {self.latency_ms} ms, throttle on"
        speedup = seq.median / gd.median
        over_floor = gd.median / floor.median
        floor_note = (f"floor: {concurrency} in flight; requests: GradeDesk "
                      f"{self.made.get('push gradedesk')}; pylti1p3 "
                      f"{self.made.get('push pylti1p3')}; floor {self.made.get('push floor')}")
        self.rows.append(Row(f"{label}: vs sequential pylti1p3", secs(gd.median),
                             secs(seq.median), secs(floor.median), f"{speedup:.1f}x faster",
                             ">= 8x", verdict(speedup >= 8), floor_note))
        self.rows.append(Row(f"{label}: vs floor", secs(gd.median), secs(seq.median),
                             secs(floor.median), f"{over_floor:.2f}x floor", "<= 1.15x",
                             verdict(over_floor <= 1.15)))
        self.rows.append(Row("1 push: every score once (ledger), none throttled",
                             "ok" if not gd.notes else "; ".join(gd.notes),
                             "ok" if not seq.notes else "; ".join(seq.notes),
                             "ok" if not floor.notes else "; ".join(floor.notes), "-",
                             "0 lost, 0 twice, 0 x 403", verdict(not gd.notes)))

    # --- figure 2: pull -----------------------------------------------------------------------

    def pull_side(self, side: str, students: int, items: int, latency_ms: int,
                  concurrency: int, *, keep: bool = False) -> tuple[Run, str, dict[str, Any]]:
        with Sandbox(self.keys.public, students=students, line_items=items,
                     latency_ms=latency_ms) as sandbox:
            info = sandbox.info
            extra: dict[str, Any] = {}
            if side == "gradedesk":
                sandbox.knobs(throttle=False)
                name = self.fresh_name()
                gd = Gradedesk(self.work / name, self.env)
                gd.add_connection(name, info, self.keys.private)
                gd.ok("connection", "test", name)  # the token, kept in the keyring
                self.throttle_on(sandbox)
                self.requests_before = sandbox.stats()["requests"]
                run = gd.timed("pull", name)
                if run.code != 0:
                    raise RuntimeError(f"gradedesk pull failed: {run.err[-2000:]}")
                found = re.search(r"(\d+) line items, (\d+) people, (\d+) results",
                                  run.out + run.err)
                if found:
                    extra["rows"] = int(found.group(2)) + int(found.group(3))
                if keep:
                    self.pulled_dir = (gd.data_dir, name)
            elif side == "floor":
                run, extra = self.floor_run(self.bare_job(
                    sandbox, "pull", concurrency, lineitems_url=info["lineitems_url"],
                    nrps_url=info["nrps_url"], page_size=PAGE_SIZE))
            else:
                run, extra = self.pylti_run(self.pylti_job(
                    sandbox, "pull", nrps_url=info["nrps_url"], page_size=PAGE_SIZE))
            extra["made"] = self.requests_made(sandbox)
            throttled = sandbox.throttled()
            return run, f"{throttled} throttled" if throttled else "", extra

    def figure_pull(self) -> None:
        students, items = self.sizes.pull_students, self.sizes.pull_items
        log(f"figure 2: pull {students} students x {items} line items at "
            f"{self.latency_ms} ms, throttle on")
        concurrency = self.calibrate_floor(
            lambda k: self.pull_side("floor", students, items, self.latency_ms, k), "pull")
        samples = {side: Samples() for side in ("gradedesk", "floor", "pylti1p3")}
        rows_seen: dict[str, set[int]] = {side: set() for side in samples}
        orders = [("gradedesk", "floor", "pylti1p3"), ("floor", "pylti1p3", "gradedesk"),
                  ("pylti1p3", "gradedesk", "floor")]
        rounds = self.sizes.rounds
        for round_number in range(1, rounds + 1):
            for side in orders[(round_number - 1) % 3]:
                run, problems, extra = self.pull_side(
                    side, students, items, self.latency_ms, concurrency,
                    keep=side == "gradedesk" and round_number == rounds)
                samples[side].add(run)
                rows_seen[side].add(int(extra.get("rows", -1)))
                if problems:
                    samples[side].notes.append(problems)
                self.made[f"pull {side}"] = extra["made"]
                log(f"  round {round_number} {side}: {run.seconds:.2f} s, "
                    f"{run.peak_rss_mb:.0f} MB, {extra.get('rows')} rows, requests: "
                    f"{extra['made']}{', ' + problems if problems else ''}")
        gd, floor, seq = (samples[s] for s in ("gradedesk", "floor", "pylti1p3"))
        label = f"2 pull {students} x {items}, {self.latency_ms} ms, throttle on"
        speedup = seq.median / gd.median
        over_floor = gd.median / floor.median
        same = rows_seen["gradedesk"] == rows_seen["floor"] == rows_seen["pylti1p3"]
        note = (f"floor: {concurrency} in flight; requests: GradeDesk "
                f"{self.made.get('pull gradedesk')}; sequential "
                f"{self.made.get('pull pylti1p3')}; floor {self.made.get('pull floor')}; "
                f"rows (members + results) "
                f"{'equal' if same else 'DIFFER: ' + str(rows_seen)}"
                + (f"; GradeDesk {'; '.join(gd.notes)}" if gd.notes else ""))
        self.rows.append(Row(f"{label}: vs sequential", secs(gd.median), secs(seq.median),
                             secs(floor.median), f"{speedup:.1f}x faster", ">= 5x",
                             verdict(speedup >= 5 and same), note))
        self.rows.append(Row(f"{label}: vs floor", secs(gd.median), secs(seq.median),
                             secs(floor.median), f"{over_floor:.2f}x floor", "<= 1.3x",
                             verdict(over_floor <= 1.3 and not gd.notes)))

    # --- figure 3: scale ----------------------------------------------------------------------

    def figure_scale(self) -> None:
        """1x and 10x the work with no latency and no throttle, where only GradeDesk's own
        work (store writes, conflict checks, JSON, refreshes) grows with the size."""
        factor = self.sizes.scale
        push_small = self.sizes.push_students
        pull_small = self.sizes.pull_students
        items = self.sizes.pull_items
        log(f"figure 3: scale x{factor}, 0 ms, throttle off")
        results: dict[str, Samples] = {key: Samples() for key in
                                       ("push1", "push10", "pull1", "pull10")}
        small_rounds = max(1, self.sizes.rounds)
        for key, students in (("push1", push_small), ("push10", push_small * factor)):
            for round_number in range(1 if key == "push10" else small_rounds):
                with self.push_course(students, 0) as sandbox:
                    sandbox.knobs(throttle=False)
                    cells, _ = self.push_cells(sandbox, students)
                    sandbox.knobs(throttle=False)
                    run = self.gradedesk_push(sandbox, cells, round_number + 1)
                    sandbox.knobs(throttle=False)
                    problems = self.check_ledger(sandbox, cells)
                results[key].add(run)
                if problems:
                    results[key].notes.append(problems)
                log(f"  {key}: {run.seconds:.2f} s, {run.peak_rss_mb:.0f} MB {problems}")
        for key, students in (("pull1", pull_small), ("pull10", pull_small * factor)):
            for _ in range(1 if key == "pull10" else small_rounds):
                run, problems, extra = self.pull_side("gradedesk", students, items, 0, 1)
                results[key].add(run)
                log(f"  {key}: {run.seconds:.2f} s, {run.peak_rss_mb:.0f} MB, "
                    f"{extra.get('rows')} rows")
        for what, small, big, label in (
                ("push", results["push1"], results["push10"],
                 f"{push_small * PUSH_ITEMS:,} -> {push_small * PUSH_ITEMS * factor:,} scores"),
                ("pull", results["pull1"], results["pull10"],
                 f"{pull_small:,} -> {pull_small * factor:,} students x {items}")):
            ratio = big.median / small.median
            notes = "; ".join(small.notes + big.notes)
            self.rows.append(Row(f"3 scale {what} x{factor} ({label}), 0 ms, no throttle",
                                 secs(big.median), f"{secs(small.median)} (1x)", "-",
                                 f"{ratio:.1f}x time", f"<= {factor * 1.1:g}x",
                                 verdict(ratio <= factor * 1.1 and not notes), notes))
        peak = max(max(s.rss) for s in results.values() if s.rss)
        which = max(((max(s.rss), k) for k, s in results.items() if s.rss))[1]
        self.rows.append(Row("3 peak RSS of the CLI (largest run)", f"{peak:.0f} MB",
                             "-", "-", which, "<= 200 MB", verdict(peak <= 200)))

    # --- figure 5: CLI start ------------------------------------------------------------------

    def figure_cli(self) -> None:
        log("figure 5: CLI start, whole process")
        course = f"{self.sizes.pull_students} x {self.sizes.pull_items}"
        if self.pulled_dir is not None:
            data_dir, name = self.pulled_dir
        else:
            course = "100 x 10"
            with Sandbox(self.keys.public, students=100, line_items=10) as sandbox:
                sandbox.knobs(throttle=False)
                name = self.fresh_name()
                gd = Gradedesk(self.work / name, self.env)
                gd.add_connection(name, sandbox.info, self.keys.private)
                gd.ok("pull", name)
                data_dir = gd.data_dir
        gd = Gradedesk(data_dir, self.env)
        item, user = self.a_cell(data_dir, name)
        commands = {
            "show": ["show", name],
            "grade": ["grade", name, "--line-item", item, "--user", user, "--score", "1"],
            "status": ["status", name],
        }
        floor_command = [PYTHON, "-c", "import sqlite3, json"]
        for words in commands.values():  # warm-up, untimed
            gd.timed(*words)
        timed_run(floor_command)
        for label, words in commands.items():
            times, floors = [], []
            for _ in range(self.sizes.cli_rounds):  # interleaved
                run = gd.timed(*words)
                if run.code != 0:
                    raise RuntimeError(f"gradedesk {label} failed: {run.err[-1000:]}")
                times.append(run.seconds)
                floors.append(timed_run(floor_command).seconds)
            median, floor = statistics.median(times), statistics.median(floors)
            ratio = median / floor
            target = "<= 4x" if label in ("show", "grade") else "(no target)"
            self.rows.append(Row(f"5 CLI `{label}` start to exit (pulled course)", secs(median),
                                 "-", secs(floor), f"{ratio:.1f}x floor", target,
                                 verdict(ratio <= 4) if label in ("show", "grade") else "-",
                                 f"floor: python -c 'import sqlite3, json'; a {course} course"
                                 if label == "show" else ""))

    @staticmethod
    def a_cell(data_dir: Path, name: str) -> tuple[str, str]:
        from gradedesk.store import connections, open_database, snapshots

        db = open_database(data_dir)
        try:
            row = connections.require_connection(db, name)
            item = snapshots.list_line_items(db, row.id)[0]
            member = next(m for m in snapshots.list_members(db, row.id, learners_only=True)
                          if m.name and m.name != "Test Student")
            return item.url, member.user_id
        finally:
            db.close()

    # --- figure 4: window ---------------------------------------------------------------------

    def figure_window(self) -> None:
        log("figure 4: window")
        script = str(BENCH / "window_paint.py")
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        empty_dir = self.work / "window-empty"
        gd_first, bare_first = Samples(), Samples()
        for side in ("gradedesk", "bare"):  # warm-up, untimed: bytecode and font caches
            timed_run([PYTHON, script, side, str(empty_dir)], env=env)
        for _ in range(self.sizes.window_rounds):
            for side, samples in (("gradedesk", gd_first), ("bare", bare_first)):
                run = timed_run([PYTHON, script, side, str(empty_dir)], env=env)
                if run.code != 0:
                    raise RuntimeError(f"window {side} failed: {run.err[-2000:]}")
                samples.add(run)
                samples.notes.append(run.out.strip())
        ratio = gd_first.median / bare_first.median
        self.rows.append(Row("4 window: first paint of the empty window, start to exit",
                             secs(gd_first.median), "-", secs(bare_first.median),
                             f"{ratio:.1f}x bare", "<= 2x", verdict(ratio <= 2),
                             "floor: bare PySide6 window with a 200x60 table"))
        sizes = {"small": 200, "big": 2000}
        for students in sizes.values():  # the course in the store: setup, untimed
            prepare = timed_run([PYTHON, script, "prepare", str(self.work / f"window-{students}"),
                                 str(students), "60"], env=env)
            if prepare.code != 0:
                raise RuntimeError(f"window prepare failed: {prepare.err[-2000:]}")
        painted: dict[str, Samples] = {key: Samples() for key in sizes}
        for _ in range(self.sizes.window_rounds):
            for key, students in sizes.items():
                folder = self.work / f"window-{students}"
                run = timed_run([PYTHON, script, "gradebook", str(folder)], env=env)
                if run.code != 0 or "with data" not in run.out:
                    raise RuntimeError(f"window gradebook failed: {run.err[-2000:]}")
                painted[key].add(run)
        ratio = painted["big"].median / painted["small"].median
        rss = max(painted["big"].rss)
        self.rows.append(Row("4 window: 2,000 x 60 gradebook painted with data vs 200 x 60",
                             secs(painted["big"].median), secs(painted["small"].median), "-",
                             f"{ratio:.1f}x", "<= 2x", verdict(ratio <= 2),
                             "start to the first frame with data; the course already in the "
                             "store"))
        self.rows.append(Row("4 window: peak RSS with the 2,000 x 60 gradebook",
                             f"{rss:.0f} MB", f"{max(painted['small'].rss):.0f} MB (200 x 60)",
                             "-", "-", "<= 250 MB", verdict(rss <= 250)))
        run = timed_run([PYTHON, script, "paste", str(self.work / "window-2000")], env=env)
        if run.code != 0 or "pasted" not in run.out:
            raise RuntimeError(f"window paste failed: {run.err[-2000:]}")
        pasted = json.loads(run.out.strip().splitlines()[-1])
        ratio = pasted["block_ms"] / pasted["one_ms"]
        self.rows.append(Row("4 window: paste 500 cells vs one cell (2,000 x 60 gradebook)",
                             f"{pasted['block_ms']:.0f} ms", f"{pasted['one_ms']:.0f} ms (one)",
                             "-", f"{ratio:.1f}x", "<= 20x", verdict(ratio <= 20),
                             "paste to edits saved (store write, undo entry) and the grid "
                             "repainted; medians of 5 single pastes and 3 blocks"))
        run = timed_run([PYTHON, script, "scroll", str(self.work / "window-2000")], env=env)
        if run.code != 0 or "scrolled" not in run.out:
            raise RuntimeError(f"window scroll failed: {run.err[-2000:]}")
        frames = json.loads(run.out.strip().splitlines()[-1])
        self.rows.append(Row("4 window: scrolling the 2,000 x 60 grid, ms per frame",
                             f"median {frames['median_ms']:.1f}, max {frames['max_ms']:.1f}",
                             "-", "-", f"p95 {frames['p95_ms']:.1f} ms", "p95 < 16 ms",
                             verdict(frames["p95_ms"] < 16),
                             f"{frames['frames']} frames down and across, each repainted "
                             "synchronously (offscreen raster)"))

    # --- the table ----------------------------------------------------------------------------

    def table(self) -> str:
        head = ["figure", "GradeDesk", "baseline", "floor", "ratio", "target", "result"]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        notes = []
        for row in self.rows:
            lines.append("| " + " | ".join([row.figure, row.gradedesk, row.baseline, row.floor,
                                            row.ratio, row.target, row.verdict]) + " |")
            if row.note:
                notes.append(f"- {row.figure}: {row.note}")
        return "\n".join(lines + (["", *notes] if notes else []))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one round (smoke)")
    parser.add_argument("--rounds", type=int, help="rounds of each side-by-side figure")
    parser.add_argument("--only", default="push,pull,scale,cli,window",
                        help="comma-separated figures: push,pull,scale,cli,window")
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--request-cost", type=float, default=0.05,
                        help="the sandbox's X-Request-Cost per request (Canvas: CPU + DB s)")
    parser.add_argument("--out", type=Path, help="also write the table (markdown) here")
    parser.add_argument("--phases", action="store_true",
                        help="run every timed push and pull through bench/phases.py and log "
                             "where its time went (adds a little overhead)")
    args = parser.parse_args()
    sizes = QUICK if args.quick else DEFAULT
    if args.rounds:
        sizes.rounds = args.rounds
        sizes.seq_push_rounds = min(sizes.seq_push_rounds, args.rounds)
    wanted = [part.strip() for part in args.only.split(",") if part.strip()]
    Gradedesk.phases = args.phases
    started = time.perf_counter()
    # As on a user's machine: modules load from cached bytecode. (This workplace sets
    # PYTHONDONTWRITEBYTECODE, which makes every process compile ~30 modules from source,
    # ~30 ms that no installed GradeDesk pays.) __pycache__ is gitignored.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "app" / "gradedesk"),
                    str(BENCH)], check=False, stdout=subprocess.DEVNULL)
    bench = Bench(sizes, request_cost=args.request_cost, latency_ms=args.latency_ms)
    try:
        figures = {"push": bench.figure_push, "pull": bench.figure_pull,
                   "scale": bench.figure_scale, "cli": bench.figure_cli,
                   "window": bench.figure_window}
        for name in ("push", "pull", "scale", "window", "cli"):
            if name in wanted:
                figures[name]()
    finally:
        bench.close()
    load = os.getloadavg()
    footer = (f"\n{os.cpu_count()} CPUs, load average {load[0]:.2f} / {load[1]:.2f} at the end; "
              f"{time.perf_counter() - started:.0f} s in all; "
              f"{'--quick, ' if args.quick else ''}{sizes.rounds} round(s), medians; "
              f"sandbox request cost {args.request_cost}, latency {args.latency_ms} ms.")
    text = bench.table() + footer
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
