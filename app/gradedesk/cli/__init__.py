"""The ``gradedesk`` command. A thin shell: it parses arguments and prints; the work lives in
the layers below. Command and flag names are a contract that scripts rely on."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from gradedesk import __version__
from gradedesk.domain import GradeDeskError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gradedesk",
        description="GradeDesk: grade in a fast desktop gradebook, online or offline, and sync "
        "scores to an LTI 1.3 platform (Canvas, any AGS platform, or LTIAAS).",
    )
    parser.add_argument("--version", action="version", version=f"gradedesk {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "sandbox",
        help="run the built-in sandbox platform (Canvas-faithful AGS + LTIAAS API) on loopback",
        add_help=False,
    )
    demo = commands.add_parser(
        "demo", help="start a sandbox course and pull it through the AGS client (a quick tour)")
    demo.add_argument("--seed", type=int, default=1, help="the sandbox course's seed")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["sandbox"]:
        # The sandbox owns its flags (--port, --seed, ...); hand them over untouched.
        from gradedesk.sandbox.cli import main as sandbox_main

        return sandbox_main(args_list[1:])
    parser = build_parser()
    args = parser.parse_args(args_list)
    try:
        if args.command in (None, "demo"):
            from gradedesk.cli.tour import run_tour

            return run_tour(seed=getattr(args, "seed", 1), out=sys.stdout)
    except GradeDeskError as error:
        print(f"gradedesk: {error.user_message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    parser.error(f"unknown command {args.command!r}")


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
