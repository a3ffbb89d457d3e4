"""Client-side rate limiting shared by every thread of a process, one bucket per service endpoint.

Why client-side: Purview throttles at ~25 operations/s per account, CluedIn and ARM have their own limits, and
several invocations of one instance share them; a 429 with Retry-After pauses every caller at once. When the
app runs on several instances, the bucket's rate is this instance's slice of a budget shared by all of them
(`sync/services/budget.py`), and it changes while callers wait.
"""

from __future__ import annotations

import threading
import time

IDLE_RECHECK_SECONDS = 0.5
"""How often a caller waiting on a closed bucket (rate 0) looks again, in case no `set_rate` wakes it."""


class RateLimiter:
    """Token bucket shared by every thread of a process for one service.

    Callers block in `acquire()` until a token is free. `pause()` is how a 429 with Retry-After slows down
    every caller at once: nobody gets a token before the pause ends. `set_rate()` changes the rate while callers
    wait (a rate of 0 closes the bucket until it is raised again).
    """

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self._burst = burst
        self.capacity = self._capacity_for(rate)
        self._tokens = self.capacity
        self._stamp = time.monotonic()
        self._paused_until = 0.0
        self._changed = threading.Condition(threading.Lock())

    def _capacity_for(self, rate: float) -> float:
        return self._burst if self._burst is not None else max(1.0, rate)

    def acquire(self) -> float:
        """Take one token, sleeping as needed. Returns the seconds spent waiting."""
        waited = self.acquire_within(None)
        assert waited is not None
        return waited

    def acquire_within(self, timeout: float | None) -> float | None:
        """Take one token if one frees up within `timeout` seconds (None: however long it takes).

        Returns the seconds spent waiting, or None when the time ran out (no token taken).
        """
        started = time.monotonic()
        deadline = None if timeout is None else started + timeout
        slept = False
        with self._changed:
            while True:
                now = time.monotonic()
                if now < self._paused_until:
                    delay = self._paused_until - now
                elif self.rate <= 0:
                    delay = IDLE_RECHECK_SECONDS
                else:
                    self._refill(now)
                    if self._tokens >= 1.0:
                        self._tokens -= 1.0
                        return now - started if slept else 0.0
                    delay = (1.0 - self._tokens) / self.rate
                if deadline is not None:
                    if now >= deadline:
                        return None
                    delay = min(delay, deadline - now)
                self._changed.wait(delay)
                slept = True

    def _refill(self, now: float) -> None:
        if now > self._stamp:
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now

    def set_rate(self, rate: float) -> None:
        """Change the rate at once, for waiting callers too; tokens saved up beyond the new burst are dropped."""
        with self._changed:
            now = time.monotonic()
            if self.rate > 0:
                self._refill(now)
            self._stamp = max(self._stamp, now)
            self.rate = max(0.0, rate)
            self.capacity = self._capacity_for(self.rate)
            self._tokens = min(self._tokens, self.capacity)
            self._changed.notify_all()

    def pause(self, seconds: float) -> None:
        """Hold every caller for `seconds` (server asked us to back off) and drain the bucket."""
        with self._changed:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)
            self._tokens = 0.0
            self._stamp = self._paused_until
            self._changed.notify_all()


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
