"""Canvas's leaky bucket, one per developer key: a request needs level + up-front cost under the
high-water mark, holds the up-front cost while in flight, then pays its real cost."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from gradedesk.sandbox.config import Knobs


@dataclass
class Bucket:
    level: float = 0.0
    stamp: float = field(default_factory=time.monotonic)

    def leak(self, rate: float) -> None:
        now = time.monotonic()
        self.level = max(0.0, self.level - (now - self.stamp) * rate)
        self.stamp = now


class Throttle:
    def __init__(self, knobs: Knobs) -> None:
        self.knobs = knobs
        self.buckets: dict[str, Bucket] = {}

    def remaining(self, client_id: str) -> float:
        bucket = self.buckets.setdefault(client_id, Bucket())
        bucket.leak(self.knobs.leak_per_s)
        return self.knobs.high_water - bucket.level

    def admit(self, client_id: str) -> bool:
        """Reserve the up-front cost, or say no (the caller replies 403)."""
        if not self.knobs.throttle:
            return True
        bucket = self.buckets.setdefault(client_id, Bucket())
        bucket.leak(self.knobs.leak_per_s)
        if bucket.level + self.knobs.up_front >= self.knobs.high_water:
            return False
        bucket.level += self.knobs.up_front
        return True

    def settle(self, client_id: str, cost: float) -> float:
        """Refund the up-front cost, charge the real one; returns X-Rate-Limit-Remaining."""
        bucket = self.buckets.setdefault(client_id, Bucket())
        bucket.leak(self.knobs.leak_per_s)
        if self.knobs.throttle:
            bucket.level = min(self.knobs.maximum,
                               max(0.0, bucket.level - self.knobs.up_front) + cost)
        return self.knobs.high_water - bucket.level
