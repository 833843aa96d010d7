"""How long the quick local commands take, whole process, against the floor of the same
interpreter importing sqlite3 and json, side by side (issue 12, target 5: <= 4x). Run:

    .venv/bin/python bench/cli_start.py [--rounds 7]

The commands run on an empty data folder made for the run; `grade` and `show` fail there (no
such connection) after loading everything their work needs, which is what is measured.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time

COMMANDS = {
    "status": ["status"],
    "connection list": ["connection", "list"],
    "show": ["show", "course"],
    "grade": ["grade", "course", "--line-item", "1", "--user", "u", "--score", "1"],
}


def run_once(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    floor_command = [sys.executable, "-c", "import sqlite3, json"]
    with tempfile.TemporaryDirectory() as data:
        base = [sys.executable, "-m", "gradedesk", "--data-dir", data]
        run_once([*base, "status"])  # creates the database: not part of any figure
        print(f"{'command':<16} {'median':>8} {'floor':>8} {'ratio':>6}  target")
        for name, words in COMMANDS.items():
            times, floors = [], []
            for _ in range(args.rounds):  # interleaved, so both see the same machine
                times.append(run_once([*base, *words]))
                floors.append(run_once(floor_command))
            median, floor = statistics.median(times), statistics.median(floors)
            print(f"{name:<16} {median:>7.3f}s {floor:>7.3f}s {median / floor:>6.1f}  <= 4")


if __name__ == "__main__":
    main()
