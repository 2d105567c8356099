"""When to try a failed delivery again: exponential backoff with jitter (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """`max_attempts` tries in all; the n-th retry waits `base * 2**(n-1)` seconds, at most
    `cap`, of which the upper half is random (jitter)."""

    max_attempts: int = 12
    base_seconds: float = 10.0
    cap_seconds: float = 6 * 3600.0

    def delay(self, attempts: int, draw: float) -> float:
        """Seconds to wait after the `attempts`-th failed try; `draw` in [0, 1)."""
        full = min(self.cap_seconds, math.ldexp(self.base_seconds, min(attempts - 1, 40)))
        return full / 2 + full / 2 * draw

    def next_attempt(self, attempts: int, now: datetime, draw: float) -> datetime | None:
        """When to try again after `attempts` failed tries, or None: give up."""
        if attempts >= self.max_attempts:
            return None
        return now + timedelta(seconds=self.delay(attempts, draw))
