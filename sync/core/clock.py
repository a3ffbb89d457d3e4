"""The app's clock for leases: one place where "now" and "wait" come from, so tests can move time.

Leases compare times written by different processes and expire while nobody is looking; proving that a lease
which ran out cannot lead to a second create needs a test that *moves* time rather than sleeping through it.
Code that reasons about lease time or waits on a service (Retry-After, the rate limiter) asks this module
(`now()`, `monotonic()`, `sleep()`, `wait()`); tests install their own
clock with `use_clock` (tests/support/clock.py). The clock is process-wide on purpose: heartbeat threads and
HTTP worker threads must see the same time as the test that moved it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime


class Clock:
    """Wall-clock time (UTC) and waiting. The base class is the system clock."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        return datetime.now(UTC)

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for intervals: rate limits, pauses); its zero means nothing."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Let `seconds` pass for the calling thread."""
        time.sleep(max(0.0, seconds))

    def wait(self, event: threading.Event, seconds: float) -> bool:
        """Wait until `event` is set or `seconds` have passed; True when the event was set."""
        return event.wait(max(0.0, seconds))

    def nap(self, event: threading.Event, seconds: float) -> bool:
        """Sleep `seconds` unless `event` cuts it short; True when it did.

        Unlike `wait`, a nap is the sleeper's own time passing (a rate limiter's wait for its next token), so a
        test clock lets it pass at once, as it does a `sleep`.
        """
        return event.wait(max(0.0, seconds))


_current: Clock = Clock()


def current() -> Clock:
    """The clock in use."""
    return _current


def now() -> datetime:
    """The current time (UTC) of the clock in use."""
    return _current.now()


def monotonic() -> float:
    """Interval seconds of the clock in use (see `Clock.monotonic`)."""
    return _current.monotonic()


def sleep(seconds: float) -> None:
    """Sleep on the clock in use."""
    _current.sleep(seconds)


def wait(event: threading.Event, seconds: float) -> bool:
    """Wait for an event on the clock in use (see `Clock.wait`)."""
    return _current.wait(event, seconds)


@contextmanager
def use_clock(clock: Clock) -> Iterator[Clock]:
    """Install a clock for the duration of a block (tests)."""
    global _current  # noqa: PLW0603 - the process-wide clock is the point of this module
    previous, _current = _current, clock
    try:
        yield clock
    finally:
        _current = previous
