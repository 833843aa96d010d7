"""``gradedesk`` with a timing breakdown: where a push or a pull spends its time.

Runs the real CLI in this process with timing wrappers around the sync engine's phases, the
platform client's calls and the store's write transactions (time summed over threads, so a
phase run by 4 workers can exceed the wall time), printed to stderr as ``PHASES`` lines at
exit. Nothing else changes. ``bench/run --phases`` uses it for every timed push and pull.

    .venv/bin/python bench/phases.py --data-dir DIR push NAME

What-if experiments (they change the pacing constants, nothing else; not what users run):
``GD_BENCH_IN_FLIGHT=8`` sets the rate limiter's most requests in flight (RateLimitPolicy's
``max_concurrency``, 11 today) and ``GD_BENCH_WORKERS=16`` the engine's worker threads (24).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

STARTED = time.perf_counter()

from gradedesk import secrets  # noqa: E402 - after the clock starts
from gradedesk.platforms import ratelimit  # noqa: E402
from gradedesk.platforms.lti_advantage import client  # noqa: E402
from gradedesk.store import db as store_db  # noqa: E402
from gradedesk.sync import engine  # noqa: E402

_totals: dict[str, tuple[int, float]] = {}
_lock = threading.Lock()
_marks: dict[str, float] = {}

ENGINE_PHASES = ("push", "pull", "create_columns", "_retry_failed", "_recover",
                 "_send_by_line_item", "_judge_queued", "_read_back", "_fetch_read", "_send_one",
                 "_settle_lost_replies", "_confirm_sent", "_judge_sent", "_mark_conflicts", "poll")
CLIENT_CALLS = ("post_score_payload", "list_results", "list_line_items", "list_members")


_spans: dict[str, tuple[float, float]] = {}  # label -> (first start, last end), process clock


def _add(name: str, seconds: float) -> None:
    now = time.perf_counter() - STARTED
    with _lock:
        first, _last = _spans.get(name, (now - seconds, now))
        _spans[name] = (min(first, now - seconds), now)
        count, total = _totals.get(name, (0, 0.0))
        _totals[name] = (count + 1, total + seconds)


def _wrap(owner: Any, name: str, label: str) -> None:
    original: Callable[..., Any] | None = getattr(owner, name, None)
    if original is None:
        return
    function: Callable[..., Any] = original

    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            _add(label, time.perf_counter() - started)

    setattr(owner, name, timed)


def install() -> None:
    for name in ENGINE_PHASES:
        _wrap(engine.SyncEngine, name, f"engine.{name}")
    for name in CLIENT_CALLS:
        _wrap(client.LtiAdvantageClient, name, f"client.{name}")
    # The keyring: each read is a D-Bus round trip (the kept token, the key's binding).
    for name in ("get", "put"):
        _wrap(secrets.SecretStore, name, f"keyring.{name}")
    original = store_db.Database.transaction

    @contextlib.contextmanager
    def transaction(self: store_db.Database) -> Iterator[Any]:
        started = time.perf_counter()
        with original(self) as conn:
            yield conn
        _add("store transactions (wait + work + commit)", time.perf_counter() - started)

    store_db.Database.transaction = transaction  # type: ignore[method-assign]
    limiter_init = ratelimit.RateLimiter.__init__

    def remembered(self: Any, *args: Any, **kwargs: Any) -> None:
        limiter_init(self, *args, **kwargs)
        _limiters.append(self)

    ratelimit.RateLimiter.__init__ = remembered  # type: ignore[method-assign]
    threading.Thread(target=_sample_in_flight, daemon=True).start()
    in_flight = os.environ.get("GD_BENCH_IN_FLIGHT")
    if in_flight:
        defaults = list(ratelimit.RateLimitPolicy.__init__.__defaults__ or ())
        defaults[0] = int(in_flight)  # max_concurrency is the first field
        ratelimit.RateLimitPolicy.__init__.__defaults__ = tuple(defaults)
    workers = os.environ.get("GD_BENCH_WORKERS")
    if workers:
        kwdefaults = engine.SyncEngine.__init__.__kwdefaults__ or {}
        kwdefaults["workers"] = int(workers)


_in_flight: dict[int, int] = {}  # requests in flight -> how many 10 ms samples saw that many
_limits: dict[int, int] = {}


def _sample_in_flight() -> None:
    """Every 10 ms, how many requests the rate limiter has in flight and allows."""
    while True:
        time.sleep(0.01)
        for limiter in list(_limiters):
            for state in list(limiter._origins.values()):
                if state.in_flight:
                    _in_flight[state.in_flight] = _in_flight.get(state.in_flight, 0) + 1
                    _limits[state.limit] = _limits.get(state.limit, 0) + 1


_limiters: list[Any] = []


def report() -> None:
    total = time.perf_counter() - STARTED
    cpu = os.times()
    lines = [f"PHASES process {total:.2f} s (CPU {cpu.user:.2f} s user, {cpu.system:.2f} s "
             f"system); imports before the CLI ran "
             f"{_marks.get('imported', STARTED) - STARTED:.2f} s"]
    for name, (count, seconds) in sorted(_totals.items(), key=lambda item: -item[1][1]):
        first, last = _spans.get(name, (0.0, 0.0))
        lines.append(f"PHASES {name}: {count} calls, {seconds:.2f} s "
                     f"(from {first:.2f} s to {last:.2f} s)")
    if _in_flight:
        lines.append("PHASES requests in flight (10 ms samples): " + ", ".join(
            f"{k}:{v}" for k, v in sorted(_in_flight.items())))
        lines.append("PHASES limiter's limit while busy (10 ms samples): " + ", ".join(
            f"{k}:{v}" for k, v in sorted(_limits.items())))
    print("\n".join(lines), file=sys.stderr, flush=True)


def main() -> int:
    install()
    from gradedesk.cli import main as cli_main

    _marks["imported"] = time.perf_counter()
    atexit.register(report)
    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
