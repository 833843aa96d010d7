"""What every CLI command shares: JSON on stdout, warnings on stderr, the keyring."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from gradedesk.domain import InputError

if TYPE_CHECKING:
    from gradedesk.secrets import SecretStore


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def emit_json(document: object, out: TextIO | None = None) -> None:
    """One JSON document, keys sorted, on stdout."""
    print(json.dumps(document, default=_json_default, sort_keys=True, indent=2),
          file=out or sys.stdout)


def warn(text: str) -> None:
    """A warning for the person at the terminal (never mixed into --json output)."""
    print(f"warning: {text}", file=sys.stderr)


def secrets_store() -> SecretStore:
    # Imported here: keyring is only loaded by the commands that need a secret.
    from gradedesk.secrets import SecretStore

    return SecretStore()


def read_secret_file(path: str, what: str) -> str:
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise InputError(f"Cannot read the {what} file {path}: {exc.strerror or exc}.") from exc
    except UnicodeDecodeError:
        raise InputError(f"The {what} file {path} is not text.") from None
    if not text:
        raise InputError(f"The {what} file {path} is empty.")
    return text
