"""Logging setup: one file in the user's log folder, and a filter that redacts secrets.

The filter is the last line of defence; code must still never log keys, assertions, tokens or
Authorization headers in the first place.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

_REDACTIONS = (
    # PEM blocks of any kind (private keys above all).
    (re.compile(r"-----BEGIN [A-Z0-9 ]+-----.*?-----END [A-Z0-9 ]+-----", re.S), "[redacted PEM]"),
    # Authorization header values: Bearer tokens, LTIAAS SERVICE-AUTH / LTIK-AUTH keys.
    (re.compile(r"(?i)\b(bearer|service-auth-v1|ltik-auth-v[12])\s+[^\s,'\"]+"), r"\1 [redacted]"),
    # JWTs (three base64url parts) such as tokens and client assertions.
    (re.compile(r"\beyJ[\w-]*\.[\w-]+\.[\w-]*"), "[redacted JWT]"),
    # key=value forms of the OAuth fields.
    (re.compile(r"(?i)\b(access_token|client_assertion|api_key|service_key)=([^&\s]+)"),
     r"\1=[redacted]"),
)


def redact(text: str) -> str:
    """The text with anything that looks like a secret replaced."""
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's final message so no handler ever sees a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            # Render the traceback now, redacted, so a formatter cannot re-add the original.
            cleaned += "\n" + redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
            record.exc_text = None
        record.msg, record.args = cleaned, None
        return True


def configure_logging(log_dir: Path | None, *, verbose: bool = False) -> None:
    """Log to ``log_dir/gradedesk.log`` (owner-only) and warnings to stderr, all redacted."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    redactor = RedactingFilter()
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.addFilter(redactor)
    console.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    handlers: list[logging.Handler] = [console]
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        log_file = log_dir / "gradedesk.log"
        log_file.touch(mode=0o600, exist_ok=True)
        to_file = logging.FileHandler(log_file, encoding="utf-8")
        to_file.addFilter(redactor)
        to_file.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handlers.append(to_file)
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in handlers:
        root.addHandler(handler)
