"""How long `gradedesk sandbox` takes to print its JSON line, against a baseline of the same
interpreter merely importing the sandbox package, side by side. Run:

    .venv/bin/python bench/sandbox_startup.py [--rounds 5] [--students 2000 --line-items 60]

The issue asks for the line within 5 s; the absolute median is printed for that check.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import subprocess
import sys
import time


def time_to_json_line(extra: list[str]) -> float:
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "gradedesk", "sandbox", "--port", "0",
                                *extra], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True)
    assert process.stdout is not None
    process.stdout.readline()
    elapsed = time.perf_counter() - started
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=15)
    return elapsed


def time_import() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import gradedesk.sandbox"], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--students", type=int, default=24)
    parser.add_argument("--line-items", type=int, default=6)
    args = parser.parse_args()
    extra = ["--students", str(args.students), "--line-items", str(args.line_items)]
    ready = [time_to_json_line(extra) for _ in range(args.rounds)]
    baseline = [time_import() for _ in range(args.rounds)]
    print(f"JSON line after: median {statistics.median(ready):.2f} s (max {max(ready):.2f} s)")
    print(f"import baseline: median {statistics.median(baseline):.2f} s")
    print(f"ratio ready / import: {statistics.median(ready) / statistics.median(baseline):.2f}")


if __name__ == "__main__":
    main()
