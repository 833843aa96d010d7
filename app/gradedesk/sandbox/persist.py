"""The sandbox's course kept on disk (``--state-dir``): a restart, or the app reopened on the
sandbox, finds the grades, comments, columns and ledger where they were.

Writes are saved at most every SAVE_EVERY_S (a whole course per write would make the sandbox
the bottleneck of a thousand-grade push) and when the sandbox stops: a sandbox stopped with
SIGTERM or Ctrl-C forgets nothing; one killed outright may forget its last moments."""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from gradedesk.sandbox.course import Course, LineItemRecord, Person, ProgressRecord, ResultRecord

STATE_FILE = "course.json"
FORMAT = 1
SAVE_EVERY_S = 0.5
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _record(cls: type, data: dict[str, Any]) -> Any:
    known = {f.name: f for f in fields(cls)}
    values = {name: data[name] for name in known if name in data}
    for name in ("updated_at", "created_at"):
        if isinstance(values.get(name), str):
            values[name] = datetime.fromisoformat(values[name])
    return cls(**values)


def snapshot(course: Course, identity: dict[str, Any]) -> dict[str, Any]:
    with course.lock:
        return {
            "format": FORMAT, "identity": identity,
            "people": [asdict(person) for person in course.people],
            "line_items": [asdict(item) for item in course.line_items.values()],
            "results": [{"line_item": item, "user": user,
                         **{k: _plain(v) for k, v in asdict(record).items()}}
                        for (item, user), record in course.results.items()],
            "progress": [{k: _plain(v) for k, v in asdict(job).items()}
                         for job in course.progress.values()],
            "ledger": course.ledger, "resource_links": course.resource_links,
            "developer_key": course.developer_key,
            "counters": [course._next_result, course._next_progress, course._next_attachment],
        }


def save_course(course: Course, folder: Path, identity: dict[str, Any]) -> None:
    """Write the course atomically, owner-only: a crash mid-write leaves the previous copy."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = json.dumps(snapshot(course, identity), default=str)
    temporary = folder / f".{STATE_FILE}.{os.getpid()}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, folder / STATE_FILE)


def saved_identity(folder: Path) -> dict[str, Any] | None:
    """The options the course saved in ``folder`` was made with; None when there is none or
    it cannot be read (a start then makes a new course)."""
    try:
        identity = json.loads((folder / STATE_FILE).read_text(encoding="utf-8")).get("identity")
    except (OSError, ValueError, AttributeError):
        return None
    return identity if isinstance(identity, dict) else None


def load_course(course: Course, folder: Path, identity: dict[str, Any]) -> bool:
    """Restore a saved course into ``course`` (built from the same options); False when none
    was saved. A damaged file, or one made with other options, is a clear ValueError."""
    path = folder / STATE_FILE
    if not path.exists():
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}")
        if data.get("identity") != identity:
            raise ValueError(f"it was made with other options ({data.get('identity')})")
        people = [_record(Person, entry) for entry in data["people"]]
        items = {entry["number"]: _record(LineItemRecord, entry)
                 for entry in data["line_items"]}
        results = {(int(entry["line_item"]), str(entry["user"])): _record(ResultRecord, entry)
                   for entry in data["results"]}
        progress = {entry["number"]: _record(ProgressRecord, entry)
                    for entry in data["progress"]}
        ledger = list(data["ledger"])
        links = dict(data["resource_links"])
        developer_key = data.get("developer_key")
        if developer_key is not None and not isinstance(developer_key, dict):
            raise ValueError("the developer key is not an object")
        counters = [int(number) for number in data["counters"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"The sandbox's saved course in {path} cannot be used ({exc}); move "
                         "the file away to start from a fresh course.") from None
    with course.lock:
        course.people = people
        course.by_lti = {person.lti_id: person for person in people}
        course.by_canvas = {person.canvas_id: person for person in people}
        course.line_items, course.results, course.progress = items, results, progress
        course.ledger, course.resource_links = ledger, links
        course.developer_key = developer_key
        course._next_result, course._next_progress, course._next_attachment = counters
    return True


class SaveAfterWrites:
    """ASGI middleware: a request that may change the course schedules a save (one per
    SAVE_EVERY_S at most); ``flush()`` saves what is pending at once."""

    def __init__(self, app: ASGIApp, save: Any) -> None:
        self.app, self.save = app, save
        self._pending: asyncio.TimerHandle | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            if scope["type"] == "http" and scope.get("method") not in _READS and \
                    self._pending is None:
                self._pending = asyncio.get_running_loop().call_later(SAVE_EVERY_S, self.flush)

    def flush(self) -> None:
        self._pending = None
        self.save()
