"""Strict JSON to domain values: any surprise in a reply becomes MalformedReply, never a crash."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

import httpx

from gradedesk.domain import InputError
from gradedesk.platforms.errors import MalformedReply

T = TypeVar("T")


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def json_of(response: httpx.Response, what: str) -> object:
    """The reply's JSON, strictly: UTF-8, no NaN/Infinity."""
    try:
        text = response.content.decode("utf-8")
        return json.loads(text, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise MalformedReply(
            f"The platform's reply for {what} is not valid JSON ({type(exc).__name__}).",
            status=response.status_code, url=_url_of(response)) from None


def convert(response: httpx.Response, what: str, build: Callable[[object], T], raw: object) -> T:
    """Run a domain ``from_wire`` on part of a reply, turning its complaints into MalformedReply."""
    try:
        return build(raw)
    except MalformedReply:
        raise
    except (InputError, ValueError, OverflowError, RecursionError) as exc:
        detail = exc.user_message if isinstance(exc, InputError) else type(exc).__name__
        raise MalformedReply(f"The platform's reply for {what} is malformed: {detail}",
                             status=response.status_code, url=_url_of(response)) from None


def require_list(response: httpx.Response, raw: object, what: str) -> list[object]:
    if not isinstance(raw, list):
        raise MalformedReply(f"The platform's reply for {what} is not a JSON array.",
                             status=response.status_code, url=_url_of(response))
    return raw


def require_object(response: httpx.Response, raw: object, what: str) -> dict[str, object]:
    if not isinstance(raw, dict):
        raise MalformedReply(f"The platform's reply for {what} is not a JSON object.",
                             status=response.status_code, url=_url_of(response))
    return raw


def optional_text(response: httpx.Response, data: dict[str, object], key: str, what: str
                  ) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MalformedReply(f"The platform's reply for {what}: {key!r} must be text.",
                             status=response.status_code, url=_url_of(response))
    return value


def _url_of(response: httpx.Response) -> str | None:
    try:
        return str(response.request.url)
    except RuntimeError:
        return None
