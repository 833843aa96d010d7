"""What the engine reports while it works. The CLI prints these; the Qt app shows them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    STARTED = "started"
    PROGRESS = "progress"
    ITEM_DONE = "item_done"
    CONFLICT = "conflict"
    FAILED = "failed"
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class SyncEvent:
    """One step of a pull, push or poll. ``done``/``total`` count the phase's units of work."""

    kind: EventKind
    phase: str  # "pull", "push" or "poll"
    done: int = 0
    total: int = 0
    message: str = ""
    line_item_id: str | None = None
    user_id: str | None = None
    state: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value not in (None, "")}
