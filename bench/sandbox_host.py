"""The sandbox platform in its own process for the benchmarks, counting what it served.

The same server as ``gradedesk sandbox`` (``start_sandbox``), started the same way, plus what
the benchmarks need and the product does not: how many requests the throttle refused (a 403
"Rate Limit Exceeded" is a reply the sandbox makes through ``replies.throttled``, wrapped here)
and how many platform requests of each kind it served (an ASGI wrapper around the app that
``server.build_app`` returns; the sandbox's own /sandbox/ routes are not counted). Prints the
sandbox's JSON line, then answers one line of JSON per ``stats`` line read on stdin, and stops
when stdin closes. Run by bench/support.py, not by hand:

    .venv/bin/python bench/sandbox_host.py --students 500 --line-items 40 --latency-ms 50 \
        --tool-public-key pub.pem
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path
from typing import Any

from gradedesk.sandbox import SandboxConfig, start_sandbox
from gradedesk.sandbox import replies as sandbox_replies
from gradedesk.sandbox import server as sandbox_server


class ThrottleCounter:
    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()
        self._original = sandbox_replies.throttled

    def install(self) -> None:
        original = self._original

        def counted(remaining: float) -> Any:
            with self._lock:
                self.count += 1
            return original(remaining)

        # Module attribute: every caller looks it up as ``replies.throttled`` at call time.
        sandbox_replies.throttled = counted


class RequestCounter:
    """Counts the platform requests by kind: token, GET/POST/PUT/DELETE of the services."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def install(self) -> None:
        original = sandbox_server.build_app

        def counting_app(state: Any) -> Any:
            app = original(state)

            async def counted(scope: Any, receive: Any, send: Any) -> None:
                if scope.get("type") == "http":
                    path = str(scope.get("path", ""))
                    if not path.startswith("/sandbox/"):
                        kind = "token" if path.endswith("/oauth2/token") else \
                            f"{scope.get('method')} " + ("scores" if path.endswith("/scores")
                                                         else "other")
                        with self._lock:
                            self.counts[kind] = self.counts.get(kind, 0) + 1
                await app(scope, receive, send)

            return counted

        # Looked up as a module global when RunningSandbox builds its app.
        sandbox_server.build_app = counting_app


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=24)
    parser.add_argument("--line-items", type=int, default=6)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-throttle", action="store_true")
    parser.add_argument("--tool-public-key", type=Path, required=True)
    args = parser.parse_args()
    counter = ThrottleCounter()
    counter.install()
    requests = RequestCounter()
    requests.install()
    config = SandboxConfig(students=args.students, line_items=args.line_items,
                           latency_ms=args.latency_ms, seed=args.seed,
                           throttle=not args.no_throttle,
                           tool_public_keys=[args.tool_public_key.read_bytes()])
    sandbox = start_sandbox(config)
    try:
        print(json.dumps(sandbox.info), flush=True)
        for line in sys.stdin:
            if line.strip() == "stats":
                print(json.dumps({"throttled": counter.count, "requests": requests.counts}),
                      flush=True)
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
