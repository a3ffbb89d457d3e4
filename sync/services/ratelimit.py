"""Client-side rate limiting shared by every thread of a process, one bucket per service endpoint.

Why client-side: Purview throttles at ~25 operations/s per account, CluedIn and ARM have their own limits, and
several invocations of one instance share them; a 429 with Retry-After pauses every caller at once.

Time comes from the app's clock (`sync.core.clock`), so tests move it instead of sleeping.
"""

from __future__ import annotations

import threading

from sync.core import clock

TOKEN_ROUNDING = 1e-9
"""A token short by less than this is a whole one: refills are float sums, and a nanosecond's sleep is no wait."""


class PausedTooLongError(Exception):
    """The limiter is paused for longer than the caller may wait (`seconds` left of the pause)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"paused for {seconds:.2f}s more")
        self.seconds = seconds


class RateLimiter:
    """Token bucket shared by every thread of a process for one service.

    Callers block in `acquire()` until a token is free. `pause()` is how a 429 with Retry-After slows down
    every caller at once: nobody gets a token before the pause ends. The pause lasts as long as the service
    asked, however long that is; a caller that may not wait that long (`max_pause`) is told so at once instead
    of sending a request the service said it would refuse.
    """

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.capacity = burst if burst is not None else max(1.0, rate)
        self._lock = threading.Lock()
        self._restart()

    def _restart(self) -> None:
        """A full bucket and no pause, on the clock in use: times of different clocks do not compare (tests)."""
        self._clock = clock.current()
        self._tokens = self.capacity
        self._stamp = self._clock.monotonic()
        self._paused_until = float("-inf")

    def _now(self) -> float:
        """Now on the limiter's clock (called with the lock held)."""
        if clock.current() is not self._clock:
            self._restart()
        return self._clock.monotonic()

    def acquire(self, max_pause: float | None = None) -> float:
        """Take one token, sleeping as needed. Returns the seconds spent waiting.

        Raises:
            PausedTooLongError: the limiter is paused for more than `max_pause` seconds from now (nothing taken).
        """
        waited = 0.0
        while True:
            with self._lock:
                now = self._now()
                if now < self._paused_until:
                    delay = self._paused_until - now
                    if max_pause is not None and delay > max_pause:
                        raise PausedTooLongError(delay)
                else:
                    self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
                    self._stamp = now
                    if self._tokens >= 1.0 - TOKEN_ROUNDING:
                        self._tokens -= 1.0
                        return waited
                    delay = (1.0 - self._tokens) / self.rate
            clock.sleep(delay)
            waited += delay

    def pause(self, seconds: float) -> None:
        """Hold every caller for `seconds` (server asked us to back off) and drain the bucket."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._now() + seconds)
            self._tokens = 0.0
            self._stamp = self._paused_until

    def paused_for(self) -> float:
        """Seconds left of the current pause (0 when not paused)."""
        with self._lock:
            return max(0.0, self._paused_until - self._now())


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
