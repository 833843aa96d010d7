"""Adaptive, per-origin pacing shared by every thread.

Canvas meters one leaky bucket per developer key (all courses and threads share it) and reports
what is left in ``X-Rate-Limit-Remaining``. A request is refused (403 "Rate Limit Exceeded", no
Retry-After) once remaining drops to 50, so we slow down well before that, back off sharply when
throttled, and recover gradually.
"""

from __future__ import annotations

import random as _random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

# Canvas: a request needs remaining > 50 (it reserves 50 units up front).
_CANVAS_RESERVE = 50.0


@dataclass(slots=True)
class _OriginState:
    limit: int
    in_flight: int = 0
    not_before: float = 0.0
    spacing_s: float = 0.0
    last_start: float = field(default=float("-inf"))
    throttles: int = 0
    healthy: int = 0
    remaining: float | None = None
    peak: float = 0.0  # the most ever remaining: about the bucket's high-water mark


@dataclass(frozen=True, slots=True)
class RateLimitPolicy:
    # Requests in flight: start at two (Canvas's advice for an unknown bucket), then as many
    # as the bucket's remaining units show room for, each in-flight request reserving
    # ``up_front`` (Canvas: 12 in flight reserve its 600), up to ``max_concurrency``. A
    # platform that reports no remaining units gets ``untracked_concurrency``.
    start_concurrency: int = 2
    max_concurrency: int = 11
    untracked_concurrency: int = 4
    up_front: float = 50.0
    slow_below: float = 300.0  # remaining under which requests are spaced out
    leak_per_s: float = 10.0  # Canvas's default leak rate
    max_spacing_s: float = 2.0
    max_backoff_s: float = 60.0
    recover_after: int = 5  # healthy replies before one more request may run in parallel


class RateLimiter:
    """Thread-safe; one instance per app, shared by every client talking to the same platform."""

    def __init__(
        self,
        policy: RateLimitPolicy | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] = _random.random,
    ) -> None:
        self.policy = policy or RateLimitPolicy()
        self._clock = clock
        self._sleep = sleep
        self._random = random
        self._cond = threading.Condition()
        self._origins: dict[str, _OriginState] = {}

    def _state(self, origin: str) -> _OriginState:
        state = self._origins.get(origin)
        if state is None:
            state = self._origins[origin] = _OriginState(
                limit=min(self.policy.start_concurrency, self.policy.max_concurrency))
        return state

    @contextmanager
    def slot(self, origin: str, *,
             interrupt: Callable[[], None] | None = None) -> Iterator[None]:
        """Hold one request slot for ``origin``: waits for pacing and for a free slot. While
        it waits, ``interrupt`` is called now and then and may raise to give up the wait (a
        cancelled job: its request never goes out)."""
        self.acquire(origin, interrupt=interrupt)
        try:
            yield
        finally:
            self.release(origin)

    def acquire(self, origin: str, *, interrupt: Callable[[], None] | None = None) -> None:
        slept_until = float("-inf")
        while True:
            if interrupt is not None:
                interrupt()
            with self._cond:
                state = self._state(origin)
                if state.in_flight >= state.limit:
                    # Woken by release(); the timeout re-checks pacing if a peer hangs.
                    self._cond.wait(timeout=0.5)
                    continue
                # Trust a completed sleep even if the clock disagrees (an injected sleep in
                # tests, a coarse clock); a later, longer back-off still wins.
                now = max(self._clock(), slept_until)
                ready_at = max(state.not_before, state.last_start + state.spacing_s)
                wait_s = ready_at - now
                if wait_s <= 0:
                    state.in_flight += 1
                    state.last_start = now
                    return
            # Sleep outside the lock so other origins (and releases) are not held up.
            self._sleep(wait_s)
            slept_until = ready_at

    def release(self, origin: str) -> None:
        with self._cond:
            state = self._state(origin)
            state.in_flight = max(0, state.in_flight - 1)
            self._cond.notify_all()

    def delay_hint(self, origin: str) -> float:
        """Seconds until ``origin`` may be called again (0 when free)."""
        with self._cond:
            state = self._state(origin)
            return max(0.0, state.not_before - self._clock())

    def concurrency(self, origin: str) -> int:
        with self._cond:
            return self._state(origin).limit

    def observe(self, origin: str, *, remaining: float | None, throttled: bool) -> float:
        """Feed one reply's rate-limit facts; returns the back-off delay when it was throttled."""
        policy = self.policy
        with self._cond:
            state = self._state(origin)
            now = self._clock()
            if remaining is not None:
                state.remaining = remaining
                state.peak = max(state.peak, remaining)
            if throttled:
                state.throttles += 1
                state.healthy = 0
                state.limit = 1
                left = remaining if remaining is not None else 0.0
                base = max(1.0, (_CANVAS_RESERVE - left) / policy.leak_per_s)
                delay = min(policy.max_backoff_s, base * 2.0 ** (state.throttles - 1))
                delay = min(policy.max_backoff_s, delay + self._random() * min(1.0, delay / 4))
                state.not_before = max(state.not_before, now + delay)
                state.spacing_s = policy.max_spacing_s
                return delay
            if remaining is None:
                self._recover(state, min(policy.untracked_concurrency, policy.max_concurrency))
                return 0.0
            headroom = remaining - (_CANVAS_RESERVE + 10.0)
            if headroom < 0:
                # The next request would be refused: wait until the bucket has leaked enough.
                state.healthy = 0
                state.limit = 1
                state.not_before = max(state.not_before, now - headroom / policy.leak_per_s)
                return 0.0
            # Slow below half the bucket (Canvas: 300 of 600), scaled to smaller buckets.
            slow_below = min(policy.slow_below, state.peak / 2)
            if remaining >= slow_below:
                # Room for this many more besides the others still in flight (this reply's
                # own slot is about to be released).
                room = int((remaining - _CANVAS_RESERVE - 10.0) // policy.up_front)
                others = max(0, state.in_flight - 1)
                self._recover(state, max(1, min(policy.max_concurrency, others + room)))
                return 0.0
            # Slow early: spacing grows as remaining falls towards the 50-unit reserve.
            state.healthy = 0
            state.limit = 1
            span = max(1.0, slow_below - _CANVAS_RESERVE)
            pressure = min(1.0, max(0.0, (slow_below - remaining) / span))
            state.spacing_s = policy.max_spacing_s * pressure * pressure
            return 0.0

    def _recover(self, state: _OriginState, ceiling: int) -> None:
        """Spacing halves per healthy reply. Concurrency follows ``ceiling`` (what the bucket
        has room for, each request in flight holding its up-front units): straight to it, or,
        while a recent throttle is remembered, up by one every few healthy replies."""
        state.spacing_s = state.spacing_s / 2 if state.spacing_s > 0.01 else 0.0
        if state.limit > ceiling:
            state.limit = ceiling
        state.healthy += 1
        if state.throttles == 0:
            if state.limit < ceiling:
                state.limit = ceiling
                self._cond.notify_all()
            return
        if state.healthy >= self.policy.recover_after:
            state.healthy = 0
            state.throttles -= 1
            if state.limit < ceiling:
                state.limit += 1
            self._cond.notify_all()
