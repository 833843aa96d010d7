"""When and how long to wait before trying a platform call again.

Reads are retried on connection problems, 5xx, 429 and Canvas's throttle 403. A write (a Score
POST) is re-sent only when it provably never reached the server, or when the server explicitly
refused it for rate limiting before doing anything (Canvas throttles before the controller runs):
each Canvas Score POST can add a comment and an attempt, so a blind replay is never safe.
"""

from __future__ import annotations

import random as _random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from gradedesk.platforms.errors import PlatformError, ServerError, ThrottledError, TransportError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    max_retry_after_s: float = 120.0  # a longer Retry-After is reported, not waited out
    retry_throttled_writes: bool = True


class Retrier:
    """Runs one call with retries. ``sleep`` is injectable: tests pass a fake, the sync engine a
    cancellable wait (``CancelToken.wait``) so that Cancel interrupts a back-off at once."""

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] = _random.random,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._random = random

    def backoff(self, attempt: int) -> float:
        """Exponential with jitter: attempt 1 waits about base, then doubling, capped."""
        policy = self.policy
        raw = min(policy.max_delay_s, policy.base_delay_s * 2.0 ** max(0, attempt - 1))
        return raw * (0.5 + self._random() / 2)

    def delay_for(self, error: PlatformError, attempt: int, *, idempotent: bool) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or None when it must not be retried."""
        policy = self.policy
        if attempt >= policy.max_attempts:
            return None
        if isinstance(error, TransportError):
            return self.backoff(attempt) if idempotent or error.never_sent else None
        if isinstance(error, ThrottledError):
            if not (idempotent or policy.retry_throttled_writes):
                return None
        elif not (isinstance(error, ServerError) and idempotent):
            return None
        if error.retry_after_s is not None:
            if error.retry_after_s > policy.max_retry_after_s:
                return None
            return error.retry_after_s + self._random() * 0.25
        return self.backoff(attempt)

    def run(self, call: Callable[[], T], *, idempotent: bool,
            deadline: float | None = None) -> T:
        """Call until success or a final error; with ``deadline`` (a ``time.monotonic()``
        value) no wait goes past it: the last error is raised instead."""
        attempt = 1
        while True:
            try:
                return call()
            except PlatformError as error:
                delay = self.delay_for(error, attempt, idempotent=idempotent)
                if delay is None:
                    raise
                if deadline is not None and time.monotonic() + delay > deadline:
                    raise
            self._sleep(delay)
            attempt += 1
