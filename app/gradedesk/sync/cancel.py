"""Cooperative cancellation: the engine checks the token between items and sleeps on it, so a
Cancel (Ctrl-C in the CLI, the button in the window) takes effect at once."""

from __future__ import annotations

import threading

from gradedesk.domain import Cancelled


class CancelToken:
    """Thread-safe; one per running job."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()

    def wait(self, seconds: float) -> None:
        """Sleep up to ``seconds``; raise Cancelled as soon as the token is cancelled."""
        if self._event.wait(max(0.0, seconds)):
            raise Cancelled()
