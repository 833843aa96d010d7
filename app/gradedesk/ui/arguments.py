"""The window's command-line flags and display check, without Qt or the rest of the window:
the ``gradedesk`` command builds its ``gui`` subcommand from these on every start, so this
module imports only the standard library."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def parse_size(text: str) -> tuple[int, int]:
    """"1280x800" -> (1280, 800), for argparse."""
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 1280x800") from None
    if not (320 <= width <= 10_000 and 240 <= height <= 10_000):
        raise argparse.ArgumentTypeError(f"{text!r} is too small or too large")
    return width, height


def add_gui_arguments(parser: argparse.ArgumentParser, *,
                      with_data_dir: bool = True) -> argparse.ArgumentParser:
    """The ``gui`` command's flags (the CLI adds them to its ``gui`` subparser, which has its
    own ``--data-dir``)."""
    parser.add_argument("--screenshot", metavar="PNG", type=Path,
                        help="render the window (offscreen without a display), save it as PNG "
                             "and exit")
    parser.add_argument("--sandbox", action="store_true",
                        help="start the built-in sandbox course, pull it and open it")
    parser.add_argument("--connection", metavar="NAME", help="open this connection")
    parser.add_argument("--line-item", metavar="ID",
                        help="open this line item (its URL, its number or its label)")
    parser.add_argument("--gradebook", action="store_true",
                        help="open the whole gradebook rather than one line item")
    parser.add_argument("--size", metavar="WxH", type=parse_size, default=None,
                        help="window size, e.g. 1280x800")
    if with_data_dir:
        parser.add_argument("--data-dir", metavar="DIR", help="where GradeDesk keeps its data")
    return parser


def has_display() -> bool:
    """Whether a window can be shown (Linux needs X11 or Wayland; others always can)."""
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


# Qt platform plugins that draw without a display server (a picture, a framebuffer, VNC).
_HEADLESS_QT_PLATFORMS = frozenset({"offscreen", "minimal", "minimalegl", "vnc", "linuxfb",
                                    "eglfs", "vkkhrdisplay"})

# Said instead of Qt's abort ("could not connect to display ... no Qt platform plugin could be
# initialized"): plain words first, the technical detail last.
NO_DISPLAY_REFUSAL = (
    "GradeDesk cannot open its window: this session has no screen to show it on. Run it in a "
    "desktop session, or use the `gradedesk` commands, which work without one (`gradedesk gui "
    "--screenshot out.png` renders the window to a picture). `gradedesk doctor` checks the "
    "rest of the set-up. (Details: neither DISPLAY nor WAYLAND_DISPLAY is set, and "
    "QT_QPA_PLATFORM names no Qt platform plugin that draws without a display.)"
)


def headless_qt_platform() -> str | None:
    """The Qt platform plugin QT_QPA_PLATFORM names when it draws without a display
    (offscreen, vnc, linuxfb, ...), else None."""
    chosen = os.environ.get("QT_QPA_PLATFORM", "").split(":", 1)[0].strip().lower()
    return chosen if chosen in _HEADLESS_QT_PLATFORMS else None
