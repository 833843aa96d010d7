"""``gradedesk sandbox``: run the sandbox in the foreground and print its JSON line."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from gradedesk.sandbox.config import PROFILES, SandboxConfig
from gradedesk.sandbox.server import start_sandbox


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gradedesk sandbox",
        description="A local AGS platform with a seeded course, on loopback: Canvas-faithful by "
                    "default, or with --profile minimal only what 1EdTech AGS 2.0 requires. "
                    "An LTIAAS-shaped API runs beside it. Prints one JSON line with every URL "
                    "and key a client needs, then serves until Ctrl-C.")
    parser.add_argument(
        "--profile", choices=PROFILES, default="canvas",
        help="canvas: Canvas's /api/lti routes, extensions, paging, throttle, Names and Roles, "
             "and a course page at course_url. minimal: spec-only AGS on Moodle-shaped URLs "
             "(/ags/COURSE/lineitems?type_id=1, item ids ending in /lineitem?type_id=1), no "
             "paging, no NRPS, no extensions, no throttle, unknown query parameters refused "
             "(default: canvas)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port (0 = any free port)")
    parser.add_argument("--seed", type=int, default=1, help="the seeded course's seed")
    parser.add_argument("--students", type=int, default=24)
    parser.add_argument("--line-items", type=int, default=6)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--fault-rate", type=float, default=0.0,
                        help="share of service requests that fail (5xx or dropped), 0..1")
    parser.add_argument("--throttle", action=argparse.BooleanOptionalAction, default=True,
                        help="Canvas's leaky-bucket throttle per developer key "
                             "(always off with --profile minimal)")
    parser.add_argument("--tool-public-key", action="append", type=Path, default=[],
                        metavar="FILE", help="the tool's public key, PEM or JWK (repeatable)")
    parser.add_argument("--state-dir", type=Path, default=None,
                        help="keep the course (grades, comments, columns, ledger) and the "
                             "generated demo key here, across restarts (default: a new temp "
                             "folder, forgotten on exit)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        keys = [path.read_bytes() for path in args.tool_public_key]
        config = SandboxConfig(host=args.host, port=args.port, seed=args.seed,
                               students=args.students, line_items=args.line_items,
                               latency_ms=args.latency_ms, fault_rate=args.fault_rate,
                               throttle=args.throttle, tool_public_keys=keys,
                               state_dir=args.state_dir, profile=args.profile)
        sandbox = start_sandbox(config)
    except (OSError, ValueError, RuntimeError) as error:
        print(f"gradedesk sandbox: {error}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print(json.dumps(sandbox.info), flush=True)
    print(f"Sandbox course ready at {sandbox.base_url} ({config.profile} profile) - Ctrl-C to "
          "stop.", file=sys.stderr)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        sandbox.stop()
    return 0
