"""Strict readers for JSON values from a server: each returns the typed value or raises
InvalidWireData naming the field, so a malformed reply never turns into a crash."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from gradedesk.domain.clock import parse_timestamp
from gradedesk.domain.errors import InputError, InvalidWireData
from gradedesk.domain.safe_text import without_controls

JsonObject = Mapping[str, Any]


def require_object(value: object, what: str) -> JsonObject:
    if not isinstance(value, Mapping):
        raise InvalidWireData(f"Expected a JSON object for {what}, got {_kind(value)}.")
    for key in value:
        if not isinstance(key, str):
            raise InvalidWireData(f"{what} has a non-text key.")
    return value


def require_list(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidWireData(f"Expected a JSON array for {what}, got {_kind(value)}.")
    return value


def text(data: JsonObject, key: str, what: str, *, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise InvalidWireData(f"{what} has no {key!r}.")
        return None
    if not isinstance(value, str):
        raise InvalidWireData(f"{what}: {key!r} must be text, got {_kind(value)}.")
    # Platform text is printed and stored: no terminal escapes or other controls in it.
    return without_controls(value)


@contextmanager
def refusals_as_wire_errors(what: str) -> Iterator[None]:
    """A domain value's refusal (InputError) while reading a reply becomes InvalidWireData
    naming what was read."""
    try:
        yield
    except InvalidWireData:
        raise
    except InputError as exc:
        raise InvalidWireData(f"{what}: {exc.user_message}") from None


def required_text(data: JsonObject, key: str, what: str) -> str:
    value = text(data, key, what, required=True)
    assert value is not None
    if not value.strip():
        raise InvalidWireData(f"{what}: {key!r} is empty.")
    return value


def id_text(data: JsonObject, key: str, what: str, *, required: bool = False) -> str | None:
    """An identifier that some platforms send as a number (Canvas user ids, for one)."""
    value = data.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    found = text(data, key, what, required=required)
    if required and (found is None or not found.strip()):
        raise InvalidWireData(f"{what}: {key!r} is empty.")
    return found


def number(data: JsonObject, key: str, what: str, *, required: bool = False) -> float | None:
    value = data.get(key)
    if value is None:
        if required:
            raise InvalidWireData(f"{what} has no {key!r}.")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidWireData(f"{what}: {key!r} must be a number, got {_kind(value)}.")
    result = float(value)
    if not math.isfinite(result):
        raise InvalidWireData(f"{what}: {key!r} is not a finite number.")
    return result


def boolean(data: JsonObject, key: str, what: str) -> bool | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise InvalidWireData(f"{what}: {key!r} must be true or false, got {_kind(value)}.")
    return value


def timestamp(data: JsonObject, key: str, what: str) -> datetime | None:
    raw = text(data, key, what)
    if raw is None or raw == "":
        return None
    try:
        return parse_timestamp(raw)
    except InputError as exc:
        raise InvalidWireData(f"{what}: {key!r}: {exc.user_message}") from None


def text_list(data: JsonObject, key: str, what: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    items = require_list(value, f"{what} {key!r}")
    if not all(isinstance(item, str) for item in items):
        raise InvalidWireData(f"{what}: {key!r} must be a list of text.")
    return tuple(without_controls(item) for item in items)


def extras(data: JsonObject, known: frozenset[str]) -> dict[str, Any]:
    """Fields this version does not model, kept so that they survive a round trip."""
    return {key: value for key, value in data.items() if key not in known}


def _kind(value: object) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "text",
        list: "an array",
        dict: "an object",
    }.get(type(value), type(value).__name__)
