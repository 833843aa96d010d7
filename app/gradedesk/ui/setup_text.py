"""What the guided set-up says, in the window's words (no Qt): the administrator's
configuration as text, where it is pasted, and each check step with its status.

The core's messages name CLI commands (they are shared with ``gradedesk connection``); in the
window the same step is a control, so those commands are named as controls here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from gradedesk.platforms.check import CheckStatus, CheckStep
from gradedesk.platforms.profiles import PlatformKind

STATUS_WORDS = {CheckStatus.OK: "OK", CheckStatus.WARNING: "Warning",
                CheckStatus.ERROR: "Failed", CheckStatus.SKIPPED: "Skipped"}
STEP_TITLES = {"token": "Sign-in", "line items": "Columns", "students": "Students",
               "results": "Grades"}

WHERE_TO_PASTE = {
    PlatformKind.CANVAS: (
        "Your Canvas administrator: Admin > Developer Keys > + Developer Key > + LTI Key, "
        "Method: Paste JSON; paste this, save, and switch the key ON. Then, in the course: "
        "Settings > Apps > + App > Configuration Type: By Client ID, with the key's client id."),
    PlatformKind.MOODLE: (
        "Your Moodle administrator: Site administration > Plugins > Activity modules > "
        "External tool > Manage tools > configure a tool manually, with these settings. They "
        "give you the tool's client id."),
    PlatformKind.GENERIC: (
        "Your platform's administrator registers GradeDesk as an LTI 1.3 tool with this "
        "public key (JWK or PEM) and these scopes: services only, no launches. They give you "
        "its client id."),
}

_COMMANDS = (
    (re.compile(r"`gradedesk connection config [^`]*`"),
     "the administrator's configuration (Connections > Set up…, step 2)"),
    (re.compile(r"`gradedesk connection set [^`]*`"),
     "the Client ID field (Connections > Set up…, step 2)"),
    (re.compile(r"`gradedesk column add [^`]*`"), "Column > New column…"),
)


def config_text(kind: PlatformKind, document: Mapping[str, Any]) -> str:
    """Canvas (and any other platform) take JSON; Moodle's form takes one value per field."""
    if kind is PlatformKind.MOODLE:
        lines = []
        for field, value in document.items():
            text = str(value)
            lines.append(f"{field}:\n{text}\n" if "\n" in text else f"{field}: {text}")
        return "\n".join(lines)
    return json.dumps(document, indent=2)


def in_window_words(text: str) -> str:
    """A core message with its CLI commands named as the window's controls."""
    for pattern, words in _COMMANDS:
        text = pattern.sub(words, text)
    return text


def step_title(step: CheckStep) -> str:
    return STEP_TITLES.get(step.step, step.step.capitalize())


def describe_step(step: CheckStep) -> str:
    """One step as the result list shows it beside its icon (and a screen reader reads it)."""
    lines = [f"{step_title(step)}: {STATUS_WORDS[step.status]}",
             in_window_words(step.detail)]
    if step.fix and step.status in (CheckStatus.ERROR, CheckStatus.WARNING):
        lines.append(f"Fix: {in_window_words(step.fix)}")
    return "\n".join(lines)
