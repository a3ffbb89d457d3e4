"""A service's capacity shared by every instance of the app: slices of one rate, claimed in Table Storage.

Flex Consumption runs the queue functions on as many instances as the backlog asks for, and each instance used to
send up to the whole configured rate: 8 instances against one Purview capacity unit got half their calls answered
429. Here the configured rate (PURVIEW_MAX_OPERATIONS_PER_SECOND…) is the app's: each instance that calls the
service claims a slice of it in the service's ledger row (sync/core/state/budgets.py) for a few seconds, renews it
while it keeps calling and gives it up when it stops; the local token bucket (`RateLimiter`) runs at that slice.
429s lower the app-wide rate (multiplicatively, once per congestion) and a saturated app raises it (additively, up
to a configured ceiling), so a smaller real capacity is found and a larger one used (`budget_policy.py`).

Safety: nothing here waits on Table Storage while holding a token. A background thread per budget does the Table
calls; callers only take tokens. A slice is used only until its end: when it could not be renewed (Table Storage
slow or down), the instance falls back to half of an equal split of the last rate it saw and logs
`BudgetFallback`; a slice of a dead instance ends by itself. Design, bounds and cost: docs/decisions/0901.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from datetime import datetime, timedelta

from sync.core import clock
from sync.core.errors import ContentionError, SettingsError
from sync.core.settings import Settings
from sync.core.state.budgets import BudgetLedger, BudgetTable, Claim
from sync.core.storage import table_service
from sync.core.telemetry import log_event
from sync.services.budget_policy import BudgetPolicy, adapt, live_claims, my_share
from sync.services.ratelimit import RateLimiter, shared_rate_limiter

log = logging.getLogger("sync.budget")

CHECK_SECONDS = 0.25
"""How often a caller waiting for a token looks whether its slice ran out (then it falls back)."""
FIRST_CLAIM_SECONDS = 3.0
"""How long the first caller waits for the first slice before falling back."""
RENEWAL_GRACE_SECONDS = 1.0
"""How long a caller finding its slice ended waits for a renewal under way before falling back."""
CONTENTION_ATTEMPTS = 6
IDLE_SECONDS = 3.0
"""An instance that has not called the service for this long (the app's clock) gives its slice back."""
WAITING_REFRESH_SECONDS = 0.25
"""Refresh pace of an instance that holds less than it asks for (others are giving theirs up)."""
SATURATED_WAIT_FRACTION = 0.05
"""Callers waited for tokens for at least this fraction of the window: the slice is the limit."""
WANT_HEADROOM = 1.5
"""An instance that could use more than it does asks for its use times this (room to grow until the next round)."""
MIN_WANT = 0.05
"""…and at least this fraction of the setting, so a burst after a quiet second does not start from nothing."""
BURST_SECONDS = 0.5
"""An instance saves up at most this much of its slice: eight instances that all saved a whole second would
send the service a second's worth of the app's rate at once, on top of its own pace (429s without overload)."""


def instance_name() -> str:
    """A readable, unique name of this process in ledgers (host, process id, random suffix)."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class SharedRateLimiter(RateLimiter):
    """The local token bucket of one instance, running at its slice of a budget shared by every instance."""

    def __init__(
        self,
        service: str,
        table: BudgetTable,
        policy: BudgetPolicy,
        *,
        instance: str | None = None,
        background: bool = True,
    ) -> None:
        super().__init__(0.0, burst_seconds=BURST_SECONDS)
        self.service = service
        self.table = table
        self.policy = policy
        self.instance = instance or instance_name()
        self.background = background
        """False: nobody refreshes on its own (tests call `refresh()` and move the clock)."""
        self._lock = threading.Lock()
        self._refreshed = threading.Condition(self._lock)
        self._wake = threading.Event()
        self._rounds = 0
        self._running = False
        self._claimed: Claim | None = None
        self._fair = 0.0
        self._fallback = False
        self._last_rate = policy.start
        self._last_instances = 1
        self._throttled = 0
        self._calls = 0
        self._waited = 0.0
        self._waiting = 0
        self._window_start = clock.now()
        self._last_call = clock.now()

    @property
    def falling_back(self) -> bool:
        """Whether this instance runs at its fallback share (its slice could not be renewed)."""
        return self._fallback

    # --- callers ------------------------------------------------------------------------------------------------
    def acquire(self, max_pause: float | None = None) -> float:
        """Take one token of this instance's slice; a slice that ended unrenewed falls back first.

        Raises:
            PausedTooLongError: a 429 paused the bucket for more than `max_pause` seconds (nothing taken).
        """
        with self._lock:
            self._last_call = clock.now()
            self._waiting += 1
        self._start_refresher()
        waited = 0.0
        try:
            while True:
                self._check_slice()
                took = self.acquire_within(CHECK_SECONDS, max_pause=max_pause)
                if took is not None:
                    waited += took
                    return waited
                waited += CHECK_SECONDS
        finally:
            with self._lock:
                self._waiting -= 1
                self._calls += 1
                self._waited += waited

    def pause(self, seconds: float) -> None:
        """A 429: hold this instance's callers, shrink its slice at once, and report it to the ledger now."""
        super().pause(seconds)
        self.set_rate(self.rate * self.policy.decrease_factor)
        with self._lock:
            self._throttled += 1
        self._wake.set()

    # --- the ledger -----------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """One round with the ledger: adapt the app-wide rate, take this instance's slice, publish, apply.

        Raises:
            RetriableError: Table Storage failed (ContentionError: others kept writing; the next round retries).
            SyncError: any other typed storage failure.
        """
        for attempt in range(CONTENTION_ATTEMPTS):
            try:
                self._round()
                return
            except ContentionError:
                if attempt == CONTENTION_ATTEMPTS - 1:
                    raise
                time.sleep(random.uniform(0.0, 0.02 * (attempt + 1)))

    def release(self) -> None:
        """Give this instance's slice back now (it stopped calling the service)."""
        with self._lock:
            self._last_call = clock.now() - timedelta(seconds=IDLE_SECONDS)
        self.refresh()

    def _round(self) -> None:
        ledger = self.table.read(self.service) or BudgetLedger(self.service, self.policy.start, self.policy.start)
        now = clock.now()  # after the read, which may have been slow: the slice lasts from now
        with self._lock:
            throttled, claimed, waiting = self._throttled, self._claimed, self._waiting
            elapsed = max(1e-3, (now - self._window_start).total_seconds())
            used, waited = self._calls / elapsed, self._waited
            demand = waiting > 0 or (now - self._last_call).total_seconds() < IDLE_SECONDS
        saturated = waiting > 0 or waited >= SATURATED_WAIT_FRACTION * elapsed
        want = None if saturated or claimed is None else max(self.policy.start * MIN_WANT, used * WANT_HEADROOM)
        before = ledger.rate
        changed = adapt(ledger, self.policy, now, throttled=throttled > 0, saturated=demand and saturated)
        share, fair = my_share(ledger, self.instance, want, now) if demand else (0.0, 0.0)
        ledger.claims = live_claims(ledger, now, self.instance)
        if share < self.rate:
            self.set_rate(share)  # give up first, publish after: the slices never add up to more than the rate
        if not (
            changed
            or throttled
            or self._needs_write(claimed, share=share, want=want, demand=demand, rate=ledger.rate, now=now)
        ):
            assert claimed is None or demand
            self._applied(ledger, min(share, claimed.share) if claimed else 0.0, fair, claimed, throttled=0)
            return
        mine = Claim(share, now + timedelta(seconds=self.policy.claim_seconds), want) if demand else None
        if mine is None:
            ledger.claims.pop(self.instance, None)
        else:
            ledger.claims[self.instance] = mine
        self.table.swap(ledger)
        if throttled and ledger.rate < before:
            log_event(
                log,
                "BudgetDecreased",
                f"{self.service} answered 429: the app-wide rate goes from {before:.2f} to {ledger.rate:.2f}/s",
                service=self.service,
                rate=round(ledger.rate, 3),
            )
        self._applied(ledger, share, fair, mine, throttled=throttled)

    def _needs_write(
        self, claimed: Claim | None, *, share: float, want: float | None, demand: bool, rate: float, now: datetime
    ) -> bool:
        """Whether the ledger must hear from this instance (else a read was enough this round)."""
        if claimed is None or not demand:
            return demand or claimed is not None
        if abs(claimed.share - share) > 0.01 * rate or (claimed.want is None) != (want is None):
            return True
        if want is not None and claimed.want is not None and abs(want - claimed.want) > 0.25 * claimed.want:
            return True
        return (claimed.until - now).total_seconds() < self.policy.claim_seconds - self.policy.renew_after

    def _applied(self, ledger: BudgetLedger, share: float, fair: float, mine: Claim | None, *, throttled: int) -> None:
        """A round succeeded: remember the slice and when it ends, and run the bucket at it."""
        with self._refreshed:
            self._throttled -= throttled
            self._claimed, self._fair = mine, fair
            self._last_rate = ledger.rate
            self._last_instances = max(1, len(ledger.claims))
            self._window_start = clock.now()
            self._calls, self._waited = 0, 0.0
            restored, self._fallback = self._fallback, False
            self._rounds += 1
            self._refreshed.notify_all()
        self.set_rate(share)
        if restored:
            log_event(
                log,
                "BudgetRestored",
                f"{self.service}: the shared budget is reachable again; this instance's slice is {share:.2f}/s",
                service=self.service,
                share=round(share, 3),
            )

    # --- falling back ---------------------------------------------------------------------------------------------
    def _check_slice(self) -> None:
        """Fall back when this instance's slice ended unrenewed (after a short wait for a renewal under way)."""
        with self._refreshed:
            if self._fallback or not self._slice_ended():
                return
            if self.background:
                self._wake.set()
                rounds = self._rounds
                grace = FIRST_CLAIM_SECONDS if self._claimed is None else RENEWAL_GRACE_SECONDS
                self._refreshed.wait_for(lambda: self._rounds != rounds and not self._slice_ended(), timeout=grace)
                if not self._slice_ended():
                    return
            self._fallback = True
            share = self._last_rate / (2 * self._last_instances)
            rate, instances = self._last_rate, self._last_instances
        self.set_rate(share if self.rate <= 0 else min(self.rate, share))
        log_event(
            log,
            "BudgetFallback",
            f"{self.service}: this instance's slice of the shared budget could not be renewed (Table Storage slow "
            f"or unavailable); it falls back to {self.rate:.2f}/s, half an equal split of {rate:.2f}/s among "
            f"{instances} instance(s)",
            level=logging.WARNING,
            service=self.service,
            share=round(self.rate, 3),
        )

    def _slice_ended(self) -> bool:
        """No slice backs the bucket: none was ever granted (and callers wait), or it ended unrenewed."""
        if self._claimed is None:
            return self._waiting > 0
        return clock.now() >= self._claimed.until

    # --- the background round ---------------------------------------------------------------------------------------
    def _start_refresher(self) -> None:
        if not self.background:
            return
        with self._lock:
            if self._running:
                return
            self._running = True
        threading.Thread(target=self._refresher, name=f"budget {self.service}", daemon=True).start()

    def _refresher(self) -> None:
        """Refresh while the instance calls the service; give the slice back and stop once it is idle.

        A failing round is tried again after 0.25 s, doubling up to 4 refresh periods; an idle instance whose
        ledger cannot be reached stops once its slice ended (the others ignore the slice after that anyway).
        """
        failures = 0
        while True:
            with self._lock:
                idle = self._waiting == 0 and (clock.now() - self._last_call).total_seconds() >= IDLE_SECONDS
                ended = self._claimed is None or clock.now() >= self._claimed.until
                if idle and ended:
                    self._claimed = None
            if idle and ended:
                self.set_rate(0.0)  # no slice backs the bucket any more; the next caller claims one first
                with self._lock:
                    if self._waiting == 0 and self._claimed is None:
                        self._running = False
                        return
            try:
                self.refresh()
                failures = 0
            except Exception as exc:  # the refresher must outlive any failure; callers fall back meanwhile
                if not failures:
                    log.warning("%s: could not refresh this instance's budget slice: %s", self.service, exc)
                failures += 1
            with self._lock:
                short = self._claimed is not None and self._claimed.share < 0.95 * self._fair
            if failures:
                pace = min(self.policy.refresh_seconds * 4, WAITING_REFRESH_SECONDS * 2 ** (failures - 1))
            else:
                pace = WAITING_REFRESH_SECONDS if short else self.policy.refresh_seconds
            self._wake.wait(pace)
            self._wake.clear()


_budgets: dict[tuple[str, str, str, float, float | None], RateLimiter] = {}
_budgets_lock = threading.Lock()


def shared_budget(service_key: str, settings: Settings, rate: float, ceiling: float | None = None) -> RateLimiter:
    """The process-wide limiter of a service, running at this instance's slice of the app's budget.

    Without state storage settings (a tool or test that configures only a service) the limiter is this process's
    own, at the whole rate, as before the budget was shared.
    """
    engine = settings.engine
    storage = engine.storage_connection or engine.storage_account_name or ""
    if not storage:
        return shared_rate_limiter(service_key, rate)
    key = (service_key, storage, engine.sync_table_prefix, rate, ceiling)
    with _budgets_lock:
        limiter = _budgets.get(key)
        if limiter is None:
            try:
                table = BudgetTable(table_service(engine), engine.sync_table_prefix)
            except SettingsError:
                return shared_rate_limiter(service_key, rate)
            limiter = SharedRateLimiter(service_key, table, BudgetPolicy.for_setting(rate, ceiling))
            _budgets[key] = limiter
        return limiter


def shared_budgets() -> list[SharedRateLimiter]:
    """The budgets this process takes part in (for benchmarks and diagnostics: Table calls, slices)."""
    with _budgets_lock:
        return [limiter for limiter in _budgets.values() if isinstance(limiter, SharedRateLimiter)]
