"""An unexpected exception in a command (a GradeDesk bug): one plain line on stderr, the
redacted traceback in the log file (and on stderr too with ``--verbose``), a distinct exit
status. Imported only when that happens."""

from __future__ import annotations

import argparse
import sys
import traceback

from gradedesk.domain import GradeDeskError
from gradedesk.domain.redaction import redact
from gradedesk.logs import configure_logging, current_log_file, log_crash
from gradedesk.paths import data_dir, log_dir

# sysexits.h's EX_SOFTWARE ("internal software error"): apart from 1 (an error GradeDesk
# explains), 2 (a usage error) and 130 (cancelled), so scripts can tell a bug.
EXIT_BUG = 70


def report_crash(args: argparse.Namespace | None, error: Exception) -> int:
    """Log ``error`` and say so in one line; returns the exit status. Every write to the
    database is a transaction of its own, so what was saved before stays saved."""
    verbose = bool(getattr(args, "verbose", False))
    command = getattr(args, "command", None)
    try:
        if current_log_file() is None:  # a local command keeps no log file until now
            configure_logging(log_dir(data_dir(getattr(args, "data_dir", None))),
                              verbose=verbose)
        log_file = log_crash(error, f"in `gradedesk {command}`" if command else
                             "in `gradedesk`")
    except (GradeDeskError, OSError):
        log_file = None
    if log_file is None:
        # Nowhere else to keep it: the traceback goes to stderr, redacted.
        print(redact("".join(traceback.format_exception(error))).rstrip(), file=sys.stderr)
    where = f"Details: {log_file}" if log_file is not None else \
        "The log file could not be written; the details are above."
    print(f"gradedesk: unexpected error ({type(error).__name__}); nothing saved was lost. "
          f"{where}", file=sys.stderr)
    return EXIT_BUG
