"""Client-side rate limiting shared by every thread of a process, one bucket per service endpoint.

Why client-side: Purview throttles at ~25 operations/s per account, CluedIn and ARM have their own limits, and
several invocations of one instance share them; a 429 with Retry-After pauses every caller at once.
"""

from __future__ import annotations

import threading
import time


class RateLimiter:
    """Token bucket shared by every thread of a process for one service.

    Callers block in `acquire()` until a token is free. `pause()` is how a 429 with Retry-After slows down
    every caller at once: nobody gets a token before the pause ends.
    """

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.capacity = burst if burst is not None else max(1.0, rate)
        self._tokens = self.capacity
        self._stamp = time.monotonic()
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping as needed. Returns the seconds spent waiting."""
        waited = 0.0
        while True:
            with self._lock:
                now = time.monotonic()
                if now < self._paused_until:
                    delay = self._paused_until - now
                else:
                    self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
                    self._stamp = now
                    if self._tokens >= 1.0:
                        self._tokens -= 1.0
                        return waited
                    delay = (1.0 - self._tokens) / self.rate
            time.sleep(delay)
            waited += delay

    def pause(self, seconds: float) -> None:
        """Hold every caller for `seconds` (server asked us to back off) and drain the bucket."""
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)
            self._tokens = 0.0
            self._stamp = self._paused_until


_limiters: dict[str, RateLimiter] = {}
_limiters_lock = threading.Lock()


def shared_rate_limiter(service_key: str, rate: float) -> RateLimiter:
    """The process-wide limiter of a service (one per service endpoint), created on first use."""
    with _limiters_lock:
        limiter = _limiters.get(service_key)
        if limiter is None or limiter.rate != rate:
            limiter = RateLimiter(rate)
            _limiters[service_key] = limiter
        return limiter
