"""Client-side rate limiting shared by every thread of a process, one bucket per service endpoint.

Why client-side: Purview throttles at ~25 operations/s per account, CluedIn and ARM have their own limits, and
several invocations of one instance share them; a 429 with Retry-After pauses every caller at once. When the
app runs on several instances, the bucket's rate is this instance's slice of a budget shared by all of them
(`sync/services/budget.py`), and it changes while callers wait.

Time comes from the app's clock (`sync.core.clock`), so tests move it instead of sleeping.
"""

from __future__ import annotations

import threading

from sync.core import clock

TOKEN_ROUNDING = 1e-9
"""A token short by less than this is a whole one: refills are float sums, and a nanosecond's sleep is no wait."""

IDLE_RECHECK_SECONDS = 0.5
"""How often a caller waiting on a closed bucket (rate 0) looks again, in case no `set_rate` wakes it."""


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
    of sending a request the service said it would refuse. `set_rate()` changes the rate while callers wait (a
    rate of 0 closes the bucket until it is raised again) and wakes them to look again.
    """

    def __init__(self, rate: float, burst: float | None = None, *, burst_seconds: float = 1.0) -> None:
        self.rate = rate
        self._burst = burst
        self._burst_seconds = burst_seconds
        """Without a fixed `burst`, the bucket holds this many seconds of its rate (at least one token)."""
        self.capacity = self._capacity_for(rate)
        self._bucket_lock = threading.Lock()
        self._changed = threading.Event()
        self._restart()

    def _capacity_for(self, rate: float) -> float:
        return self._burst if self._burst is not None else max(1.0, rate * self._burst_seconds)

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

    def _refill(self, now: float) -> None:
        if now > self._stamp:
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now

    def _wake_waiters(self) -> None:
        """Wake every waiting caller to look at the bucket again (called with the lock held)."""
        self._changed.set()
        self._changed = threading.Event()

    def acquire(self, max_pause: float | None = None) -> float:
        """Take one token, sleeping as needed. Returns the seconds spent waiting.

        Raises:
            PausedTooLongError: the limiter is paused for more than `max_pause` seconds from now (nothing taken).
        """
        waited = self.acquire_within(None, max_pause=max_pause)
        assert waited is not None
        return waited

    def acquire_within(self, timeout: float | None, *, max_pause: float | None = None) -> float | None:
        """Take one token if one frees up within `timeout` seconds (None: however long it takes).

        Returns the seconds spent waiting, or None when the time ran out (no token taken).

        Raises:
            PausedTooLongError: the limiter is paused for more than `max_pause` seconds from now (nothing taken).
        """
        waited = 0.0
        while True:
            with self._bucket_lock:
                now = self._now()
                if now < self._paused_until:
                    delay = self._paused_until - now
                    if max_pause is not None and delay > max_pause:
                        raise PausedTooLongError(delay)
                elif self.rate <= 0:
                    delay = IDLE_RECHECK_SECONDS
                else:
                    self._refill(now)
                    if self._tokens >= 1.0 - TOKEN_ROUNDING:
                        self._tokens -= 1.0
                        return waited
                    delay = (1.0 - self._tokens) / self.rate
                if timeout is not None:
                    if waited >= timeout:
                        return None
                    delay = min(delay, timeout - waited)
                changed = self._changed
                started = self._clock.monotonic()
            if clock.current().nap(changed, delay):
                waited += min(delay, max(0.0, clock.monotonic() - started))  # woken early by a change
            else:
                waited += delay

    def set_rate(self, rate: float) -> None:
        """Change the rate at once, for waiting callers too; tokens saved up beyond the new burst are dropped."""
        with self._bucket_lock:
            now = self._now()
            if self.rate > 0:
                self._refill(now)
            self._stamp = max(self._stamp, now)
            self.rate = max(0.0, rate)
            self.capacity = self._capacity_for(self.rate)
            self._tokens = min(self._tokens, self.capacity)
            self._wake_waiters()

    def pause(self, seconds: float) -> None:
        """Hold every caller for `seconds` (server asked us to back off) and drain the bucket."""
        with self._bucket_lock:
            self._paused_until = max(self._paused_until, self._now() + seconds)
            self._tokens = 0.0
            self._stamp = self._paused_until
            self._wake_waiters()

    def paused_for(self) -> float:
        """Seconds left of the current pause (0 when not paused)."""
        with self._bucket_lock:
            now = self._now()  # first: on another clock it starts the limiter over, pause included
            return max(0.0, self._paused_until - now)


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
