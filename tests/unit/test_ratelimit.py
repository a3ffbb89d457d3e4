"""The rate limiter's budget-facing half (sync/services/ratelimit.py): `set_rate`, `acquire_within`, wake-ups.

Every wait is a nap on the test's ManualClock, which lets it pass at once and records it (`clock.slept`), so
each wait is asserted to the exact second; nothing here reads wall time. (The burst, pauses and the shared
limiters per endpoint: tests/integration/test_transport.py.)
"""

from __future__ import annotations

import threading

import pytest

from sync.core.clock import use_clock
from sync.services.ratelimit import IDLE_RECHECK_SECONDS, PausedTooLongError, RateLimiter
from tests.support.clock import ManualClock


def drained(rate: float, burst: float | None = None) -> RateLimiter:
    """A limiter whose bucket was just emptied."""
    limiter = RateLimiter(rate, burst)
    while limiter.acquire_within(0) is not None:
        pass
    return limiter


def test_a_token_that_frees_within_the_time_allowed_is_taken_at_its_moment(clock):
    limiter = drained(1)
    assert limiter.acquire_within(1.0) == 1.0  # frees exactly at the end of the time allowed
    assert clock.slept == [1.0]


def test_no_token_within_the_time_allowed_takes_nothing_and_waits_only_that_long(clock):
    limiter = drained(1)
    assert limiter.acquire_within(0.4) is None
    assert clock.slept == [0.4]
    assert limiter.acquire_within(None) == pytest.approx(0.6)  # the 0.4 s refilled what they were worth
    assert limiter.acquire_within(0) is None and clock.slept == [0.4, pytest.approx(0.6)]  # no time: no wait


def test_acquire_within_honours_the_pause_and_the_pause_limit(clock):
    limiter = RateLimiter(4)
    limiter.pause(2)
    with pytest.raises(PausedTooLongError) as err:
        limiter.acquire_within(10, max_pause=1.5)
    assert err.value.seconds == 2.0
    assert limiter.acquire_within(1.0, max_pause=2.0) is None  # may wait out the pause, but not within 1 s
    assert clock.slept == [1.0]
    assert limiter.acquire_within(None, max_pause=1.0) == 1.25  # the last second of the pause, then a token
    assert clock.slept == [1.0, 1.0, 0.25]


def test_a_closed_bucket_gives_nothing_however_full_and_callers_look_again_at_the_recheck_interval(clock):
    limiter = RateLimiter(5)
    limiter.set_rate(0)
    assert limiter.rate == 0.0 and limiter.capacity == 1.0
    assert limiter.acquire_within(1.2) is None
    assert clock.slept == [IDLE_RECHECK_SECONDS, IDLE_RECHECK_SECONDS, pytest.approx(0.2)]
    assert IDLE_RECHECK_SECONDS == 0.5


def test_a_negative_rate_closes_the_bucket():
    limiter = RateLimiter(5)
    limiter.set_rate(-3)
    assert limiter.rate == 0.0
    assert limiter.acquire_within(0) is None


def test_a_lower_rate_drops_tokens_saved_beyond_its_burst(clock):
    limiter = RateLimiter(10)
    limiter.set_rate(2)
    assert limiter.capacity == 2.0
    assert [limiter.acquire(), limiter.acquire(), limiter.acquire()] == [0.0, 0.0, 0.5]


def test_a_fixed_burst_stays_whatever_the_rate(clock):
    limiter = RateLimiter(10, burst=3)
    limiter.set_rate(50)
    assert limiter.capacity == 3.0
    limiter.set_rate(0.1)
    assert limiter.capacity == 3.0
    assert [limiter.acquire() for _ in range(4)] == [0.0, 0.0, 0.0, 10.0]


def test_time_before_a_rate_change_refills_at_the_old_rate(clock):
    limiter = drained(1)
    clock.advance(0.5)  # half a token at 1/s
    limiter.set_rate(4)
    assert limiter.acquire() == 0.125  # the other half at 4/s


def test_time_while_closed_refills_nothing(clock):
    limiter = drained(1)
    limiter.set_rate(0)
    clock.advance(10)
    limiter.set_rate(1)
    assert limiter.acquire() == 1.0


def test_a_rate_change_keeps_a_pause_and_its_drained_bucket(clock):
    limiter = RateLimiter(4)
    limiter.pause(2)
    limiter.set_rate(8)
    assert limiter.paused_for() == 2.0
    assert limiter.acquire() == 2.125


def test_a_pause_never_shortens_one_already_running(clock):
    limiter = RateLimiter(4)
    limiter.pause(5)
    limiter.pause(1)
    assert limiter.paused_for() == 5.0
    clock.advance(5)
    assert limiter.paused_for() == 0.0


class WokenOnce(ManualClock):
    """The `nap`-th nap is cut short `after` seconds in by a change (what a `set_rate` from another thread does)."""

    def __init__(self, after: float, nap: int = 1) -> None:
        super().__init__()
        self.after = after
        self.naps_to_go = nap

    def nap(self, event: threading.Event, seconds: float) -> bool:
        self.naps_to_go -= 1
        if self.naps_to_go != 0:
            return super().nap(event, seconds)
        self.slept.append(self.after)
        self.advance(self.after)
        return True


def test_a_caller_woken_early_counts_only_the_time_it_waited():
    clock = WokenOnce(after=0.3)
    with use_clock(clock):
        limiter = drained(1)
        assert limiter.acquire() == 1.0  # 0.3 s until woken, then the remaining 0.7 s
        assert clock.slept == [0.3, pytest.approx(0.7)]


def test_a_wake_up_after_a_pause_adds_to_the_time_already_waited():
    clock = WokenOnce(after=0.3, nap=2)
    with use_clock(clock):
        limiter = drained(1)
        limiter.pause(2)
        assert limiter.acquire() == 3.0  # the pause, 0.3 s until woken, then the remaining 0.7 s
        assert clock.slept == [2.0, 0.3, pytest.approx(0.7)]


def test_a_wake_up_with_no_time_passed_counts_none():
    clock = WokenOnce(after=0.0)
    with use_clock(clock):
        limiter = drained(1)
        assert limiter.acquire() == 1.0
        assert clock.slept == [0.0, 1.0]


class Napping(ManualClock):
    """Real intervals (the budget's busy callers), telling the test when a caller has begun its nap."""

    def __init__(self) -> None:
        super().__init__(real_intervals=True)
        self.napping = threading.Event()

    def nap(self, event: threading.Event, seconds: float) -> bool:
        self.napping.set()
        return super().nap(event, seconds)


def test_a_rate_change_wakes_a_caller_napping_for_its_next_token():
    """At 1 token per 1,000 s the caller's nap is its whole minute: only the raise's wake-up gets it a token."""
    clock = Napping()
    with use_clock(clock):
        limiter = drained(0.001)
        waited: list[float | None] = []
        caller = threading.Thread(target=lambda: waited.append(limiter.acquire_within(60)))
        caller.start()
        assert clock.napping.wait(30)
        limiter.set_rate(1000)
        caller.join(timeout=90)
        assert not caller.is_alive()
        assert waited != [None]  # a token, not the minute's end


def test_a_limiter_made_on_another_clock_starts_over_full_and_unpaused():
    with use_clock(ManualClock()):
        limiter = drained(1)
        limiter.pause(30)
    clock = ManualClock()
    with use_clock(clock):
        assert limiter.paused_for() == 0.0
        assert limiter.acquire() == 0.0 and clock.slept == []
