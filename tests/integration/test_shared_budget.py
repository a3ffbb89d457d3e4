"""A service's rate is the app's, shared by every instance through a ledger row on Azurite (decision 0902).

Instances are separate `SharedRateLimiter` objects (each its own instance name) or separate processes on one
Azurite. Time that matters (slices ending, AIMD pace) is moved with the manual clock; tests that let background
threads run only wait for what they observe, and never judge by how long it took.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from azure.core.credentials import AzureNamedKeyCredential
from azure.data.tables import TableServiceClient

from devhost.azurite import ACCOUNT, ACCOUNT_KEY
from sync.core.clock import use_clock
from sync.core.errors import RetriableError
from sync.core.state import StateStore
from sync.core.state.budgets import BudgetLedger, BudgetTable
from sync.core.state.leases import CLOCK_SKEW_SECONDS
from sync.services.budget import BURST_SECONDS, SharedRateLimiter
from sync.services.budget_policy import BudgetPolicy
from sync.services.http import AuthProvider, RetryPolicy
from sync.services.purview.client import PurviewClient
from tests.support.clock import ManualClock

SERVICE = "purview|http://purview.test"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def clock() -> Iterator[ManualClock]:
    """Slices end when the test moves the clock; callers kept busy in the background wait for tokens in real time."""
    with use_clock(ManualClock(real_intervals=True)) as manual:
        assert isinstance(manual, ManualClock)
        yield manual


def limiter(state: StateStore, name: str, *, rate: float = 25, ceiling: float | None = None) -> SharedRateLimiter:
    """An instance refreshed by the test (no background thread)."""
    policy = BudgetPolicy.for_setting(rate, ceiling)
    return SharedRateLimiter(SERVICE, state.budgets, policy, instance=name, background=False)


def ledger(state: StateStore) -> BudgetLedger:
    found = state.budgets.read(SERVICE)
    assert found is not None
    return found


def wait_until(condition: Any, what: str, seconds: float = 60) -> None:
    """Poll until `condition()` holds (a bound against hanging, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


def unreachable_table(prefix: str) -> BudgetTable:
    """A budget table on a port nothing listens on (Table Storage down), failing at once instead of retrying."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    service = TableServiceClient(
        endpoint=f"http://127.0.0.1:{port}/{ACCOUNT}",
        credential=AzureNamedKeyCredential(ACCOUNT, ACCOUNT_KEY),
        retry_total=0,
    )
    return BudgetTable(service, prefix)


@contextmanager
def busy(*instances: SharedRateLimiter) -> Iterator[None]:
    """Two callers per instance taking tokens without pause: each instance can use more than its slice."""
    stop = threading.Event()

    def call(instance: SharedRateLimiter) -> None:
        while not stop.is_set():
            instance.acquire()

    callers = [threading.Thread(target=call, args=(i,), daemon=True) for i in instances for _ in range(2)]
    for caller in callers:
        caller.start()
    try:
        yield
    finally:
        stop.set()
        for instance in instances:
            instance.set_rate(1000)  # let the callers see the stop
        for caller in callers:
            caller.join(timeout=30)


def rounds(instances: list[SharedRateLimiter], state: StateStore, clock: ManualClock, count: int = 3) -> None:
    """Refresh every instance `count` times, a second apart, checking the ledger never grants more than the rate."""
    for _ in range(count):
        for instance in instances:
            instance.refresh()
            assert sum(c.share for c in ledger(state).claims.values()) <= 25 + 1e-6
        clock.advance(1)


def test_instances_split_the_rate_and_never_claim_more_than_it(state, clock: ManualClock):
    instances = [limiter(state, f"i{n}") for n in range(4)]
    rounds(instances, state, clock, count=1)  # a newcomer takes only what is free
    assert [instance.rate for instance in instances] == [25, 0, 0, 0]
    with busy(*instances):
        rounds(instances, state, clock)  # holders give up their excess at their next round
        shares = {name: claim.share for name, claim in ledger(state).claims.items()}
        assert shares == dict.fromkeys(("i0", "i1", "i2", "i3"), 6.25)
        assert [instance.rate for instance in instances] == [6.25] * 4  # each local bucket runs at its slice
    with busy(*instances[:3]):
        instances[3].release()  # an instance that stopped calling gives its slice back at once
        rounds(instances[:3], state, clock, count=2)
        assert set(ledger(state).claims) == {"i0", "i1", "i2"}
        assert instances[2].rate == pytest.approx(25 / 3)


def test_an_instance_that_calls_little_leaves_the_rest_to_the_others(state, clock: ManualClock):
    timer, applier = limiter(state, "timer"), limiter(state, "applier")
    rounds([timer, applier], state, clock, count=1)
    timer.acquire()  # one call, then quiet for a while
    with busy(applier):
        rounds([timer, applier], state, clock, count=2)
        claims = ledger(state).claims
    assert claims["timer"].want is not None and claims["timer"].share == claims["timer"].want < 2
    assert claims["applier"].share == pytest.approx(25 - claims["timer"].share)


def test_processes_share_one_budget(state, azurite):
    """Three real processes calling as fast as they may: the ledger never grants more than the rate in total."""
    command = [sys.executable, "-m", "tests.support.budget_instance", azurite.connection_string, state.prefix]
    processes = [
        subprocess.Popen(
            [*command, SERVICE, "25", "4"],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    observed: list[float] = []
    try:
        for process in processes:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "ready"

        def all_three_hold_a_slice() -> bool:
            claims = ledger(state).claims
            observed.append(sum(c.share for c in claims.values()))
            return len(claims) == 3 and all(c.share > 0 for c in claims.values())

        wait_until(all_three_hold_a_slice, "every process to hold a slice")
        for _ in range(20):
            observed.append(sum(c.share for c in ledger(state).claims.values()))
    finally:
        taken = []
        for process in processes:
            out, err = process.communicate(input="", timeout=120)
            assert process.returncode == 0, err
            taken.append(int(out.split()[-1]))
    assert max(observed) <= 25 + 1e-6
    assert all(count > 0 for count in taken)
    assert ledger(state).claims == {}  # each gave its slice back on the way out


def test_a_429_lowers_the_rate_of_every_instance_once_per_congestion(state, clock: ManualClock, caplog):
    caplog.set_level(logging.INFO, logger="sync")
    first, second = limiter(state, "a"), limiter(state, "b")
    rounds([first, second], state, clock, count=1)
    with busy(first, second):
        rounds([first, second], state, clock, count=1)
        assert first.rate == second.rate == 12.5
        assert first.capacity == 12.5 * BURST_SECONDS  # eight instances cannot each burst a second of the rate

        first.pause(0)  # what the transport does with a 429
        assert first.rate == 6.25  # this instance slows down before the ledger hears of it
        first.refresh()
        assert ledger(state).rate == 12.5
        assert first.rate == 0  # what the other instance leaves free, until it shrinks at its next round
        second.pause(0)  # the same congestion, seen by the other instance
        second.refresh()
        assert ledger(state).rate == 12.5  # answered once
        first.refresh()
        assert second.rate == 6.25 and first.rate == 6.25
        assert "the app-wide rate goes from 25.00 to 12.50/s" in caplog.text

        clock.advance(1)
        first.pause(0)
        first.refresh()
        assert ledger(state).rate == pytest.approx(6.25)


def test_a_saturated_app_probes_up_to_its_ceiling(state, clock: ManualClock):
    alone = limiter(state, "solo", rate=5, ceiling=5.5)
    alone.refresh()
    found = []
    with busy(alone):
        for _ in range(3):
            clock.advance(1)
            alone.refresh()
            found.append(ledger(state).rate)
        assert found == [5.25, 5.5, 5.5]
        assert alone.rate == 5.5


def test_a_dead_instances_slice_is_taken_over_after_it_ends(state, clock: ManualClock):
    dead, alive = limiter(state, "dead"), limiter(state, "alive")
    rounds([dead, alive], state, clock, count=1)
    assert alive.rate == 0  # the dead one holds everything until its slice ends
    with busy(alive):
        for _ in range(int(dead.policy.claim_seconds + CLOCK_SKEW_SECONDS) + 1):
            alive.refresh()
            clock.advance(1)
        alive.refresh()
        assert alive.rate == 25
        assert set(ledger(state).claims) == {"alive"}
        assert not alive.falling_back


def test_table_storage_down_falls_back_to_a_conservative_share_and_recovers(state, clock: ManualClock, caplog):
    caplog.set_level(logging.INFO, logger="sync")
    first, second = limiter(state, "a"), limiter(state, "b")
    rounds([first, second], state, clock, count=1)
    with busy(first, second):
        rounds([first, second], state, clock, count=1)
        assert first.rate == 12.5
        reachable = first.table
        first.table = unreachable_table(state.prefix)
        with pytest.raises(RetriableError, match="state storage is unavailable"):
            first.refresh()
        assert not first.falling_back  # its slice is still valid
        clock.advance(first.policy.claim_seconds)
        wait_until(lambda: first.falling_back, "a caller to find the slice ended")  # callers never block on it
        assert first.rate == pytest.approx(25 / 4)  # half an equal split of the last rate among the instances seen
        assert "BudgetFallback" in caplog.text

        first.table = reachable
        first.refresh()
        assert not first.falling_back and first.rate == 12.5
        assert "BudgetRestored" in caplog.text


def test_a_first_caller_with_table_storage_down_is_not_stuck(state, caplog):
    caplog.set_level(logging.WARNING, logger="sync")
    policy = BudgetPolicy.for_setting(25)
    orphan = SharedRateLimiter(SERVICE, unreachable_table(state.prefix), policy, instance="orphan")
    orphan.acquire()  # waits a few seconds for a first slice that cannot come, then falls back
    assert orphan.falling_back and orphan.rate == 12.5
    assert "BudgetFallback" in caplog.text


class HangingTable(BudgetTable):
    """The real ledger, except that reads hang while `hang` is set (Table Storage slow: Azurite cannot be)."""

    def __init__(self, table: BudgetTable) -> None:
        super().__init__(table.service, table.table.table_name.removesuffix("Budgets"))
        self.hang = threading.Event()
        self.released = threading.Event()

    def read(self, service: str) -> BudgetLedger | None:
        if self.hang.is_set():
            self.released.wait(120)
        return super().read(service)


def test_callers_never_wait_for_a_slow_ledger(state, clock: ManualClock, caplog):
    caplog.set_level(logging.WARNING, logger="sync")
    table = HangingTable(state.budgets)
    slow = SharedRateLimiter(SERVICE, table, BudgetPolicy.for_setting(25), instance="slow")
    slow.acquire()
    with busy(slow):
        assert slow.rate == 25
        table.hang.set()  # from now on every refresh hangs in the middle of a read
        try:
            taken = slow._calls
            wait_until(lambda: slow._calls > taken + 30, "tokens to keep coming while the slice lasts")
            assert not slow.falling_back
            clock.advance(slow.policy.claim_seconds)
            wait_until(lambda: slow.falling_back, "a caller to find the slice ended with the refresher stuck")
            assert slow.rate == 12.5
            assert "BudgetFallback" in caplog.text
        finally:
            table.released.set()
        wait_until(lambda: not slow.falling_back, "the refresher to renew the slice once the ledger answers")


def test_an_idle_instance_gives_its_slice_back_and_claims_again_when_it_calls(state, clock: ManualClock):
    instance = SharedRateLimiter(SERVICE, state.budgets, BudgetPolicy.for_setting(25), instance="idle")
    instance.acquire()
    assert set(ledger(state).claims) == {"idle"}
    clock.advance(4)  # no call for longer than IDLE_SECONDS
    wait_until(lambda: ledger(state).claims == {}, "the idle instance to give its slice back")
    wait_until(lambda: not instance._running, "its refresher to stop")
    assert instance.rate == 0
    instance.acquire()  # a new call claims a slice again (and starts the refresher)
    assert instance.rate == 25 and set(ledger(state).claims) == {"idle"}


class StaticToken(AuthProvider):
    """The emulator accepts any bearer token."""

    def header(self) -> str | None:
        return "Bearer test"


def test_429s_from_purview_lower_the_rate_of_every_instance(state, purview, caplog):
    """End to end through the transport: the emulator throttles, both instances slow down, every call succeeds."""
    caplog.set_level(logging.INFO, logger="sync")
    purview.set_faults(throttle_ops_per_sec=5, throttle_burst=1, retry_after_seconds=0.2)
    policy = BudgetPolicy.for_setting(25)
    limiters = [SharedRateLimiter(f"purview|{purview.url}", state.budgets, policy, instance=f"i{n}") for n in range(2)]
    clients = [
        PurviewClient(purview.url, StaticToken(), rate_limiter=lim, retry=RetryPolicy(max_attempts=30))
        for lim in limiters
    ]
    errors: list[Exception] = []

    def call(client: PurviewClient) -> None:
        for _ in range(12):
            try:
                client.get_typedef("DataSet")
            except Exception as exc:  # collected: the assertion below names it
                errors.append(exc)

    threads = [threading.Thread(target=call, args=(c,)) for c in clients for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert sum(c.transport.stats.throttled for c in clients) > 0  # counted where run reports read them
    found = state.budgets.read(f"purview|{purview.url}")
    assert found is not None and found.rate < 25
    assert "BudgetDecreased" in caplog.text
