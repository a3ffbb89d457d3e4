"""A clock tests move by hand, so lease expiry is reproduced by moving time, never by sleeping through it.

`ManualClock.now()` is the real time at creation plus what the test advanced. Threads waiting on the clock
(lease heartbeats) wake when the test moves time past their deadline; a thread that *sleeps* on it (a request
waiting for another one's lease) moves time itself, as if the sleep had happened. Install one with the `clock`
fixture (tests/conftest.py) or `sync.core.clock.use_clock`.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from sync.core.clock import Clock

POLL_SECONDS = 0.005


class ManualClock(Clock):
    """Time that moves only when told to (or when a thread sleeps on it)."""

    def __init__(self, start: datetime | None = None, *, real_intervals: bool = False) -> None:
        self._now = start or datetime.now(UTC)
        self.real_intervals = real_intervals
        """True: intervals (`monotonic`, `nap`: rate limiters) run on real time while `now()` moves by hand.

        For tests of what happens *around* busy callers (the shared budget's slices): callers kept busy in the
        background must neither move the time the test reasons about nor stall when it stands still.
        """
        self._advanced = 0.0
        self._lock = threading.Lock()
        self.slept: list[float] = []
        """Every sleep on this clock, in order (what a test asserts a wait against)."""
        self._waiting = 0

    def now(self) -> datetime:
        """The clock's current time."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        """Move time forward; returns the new time."""
        with self._lock:
            self._now += timedelta(seconds=seconds)
            self._advanced += seconds
            return self._now

    def monotonic(self) -> float:
        """Seconds advanced since the clock was made (exact floats: `now()` has only microseconds)."""
        if self.real_intervals:
            return time.monotonic()
        with self._lock:
            return self._advanced

    def sleep(self, seconds: float) -> None:
        """A sleeping thread lets its time pass at once (and the wait is recorded in `slept`)."""
        with self._lock:
            self.slept.append(seconds)
        self.advance(max(0.0, seconds))

    def nap(self, event: threading.Event, seconds: float) -> bool:
        """A nap is a sleep here: its time passes at once, unless the event was already set (see `real_intervals`)."""
        if self.real_intervals:
            return event.wait(max(0.0, seconds))
        if event.is_set():
            return True
        self.sleep(seconds)
        return False

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Block until the event is set or the test moved time past the deadline."""
        with self._lock:
            deadline = self._now + timedelta(seconds=seconds)
            self._waiting += 1
        try:
            while not event.wait(POLL_SECONDS):
                if self.now() >= deadline:
                    return event.is_set()
            return True
        finally:
            with self._lock:
                self._waiting -= 1

    def waiting(self) -> int:
        """How many threads wait on this clock now: a test moves time only once they do, or they would miss it."""
        with self._lock:
            return self._waiting
