"""How a service's shared budget adapts and is divided: additive increase, multiplicative decrease, max-min shares.

Pure functions over a `BudgetLedger` (sync/core/state/budgets.py) and an explicit `now`, so the rules can be
tested without Table Storage and without waiting; `sync/services/budget.py` applies them under the ledger's ETag.
Why these rules and bounds: docs/decisions/0902-shared-capacity-budget.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sync.core.state.budgets import BudgetLedger, Claim
from sync.core.state.leases import CLOCK_SKEW_SECONDS

FLOOR_FRACTION = 0.05
"""The rate never drops below this fraction of the setting: a few 429s cannot silence the app."""


@dataclass(frozen=True)
class BudgetPolicy:
    """The bounds and pace of one service's budget."""

    start: float
    """The setting (PURVIEW_MAX_OPERATIONS_PER_SECOND…): where the app-wide rate starts."""
    ceiling: float
    """Highest rate probed for (the …_CEILING setting; by default the start: never above the setting)."""
    floor: float
    decrease_factor: float = 0.5
    """After a 429 the app-wide rate is multiplied by this (at most once per `decrease_gap`): halved, since a 429
    says the account serves less than the app sends (why 0.5 and not 0.7: decision 0902, item 4)."""
    increase_step: float = 0.0
    """Operations/s added per `increase_every` while the app uses its whole rate without a 429."""
    increase_every: float = 1.0
    decrease_gap: float = 1.0
    """429s within this many seconds of a decrease are the same congestion, answered once (one refresh: by then
    every instance sends at the decreased rate)."""
    recovery_seconds: float = 10.0
    """After a decrease the increase step grows from a tenth of `increase_step` to all of it over this many seconds:
    the rate creeps back toward where it was throttled instead of overshooting it again every two seconds."""
    claim_seconds: float = 6.0
    """How long a slice lasts unless renewed (renewed every `renew_after`)."""
    renew_after: float = 2.0
    refresh_seconds: float = 1.0
    """How often an instance that calls the service reads the ledger (new instances, a changed rate)."""

    @classmethod
    def for_setting(cls, start: float, ceiling: float | None = None) -> BudgetPolicy:
        """The policy of a service whose setting is `start` operations/s (and optional ceiling)."""
        top = max(start, ceiling or start)
        return cls(start=start, ceiling=top, floor=start * FLOOR_FRACTION, increase_step=start * 0.05)


def adapt(ledger: BudgetLedger, policy: BudgetPolicy, now: datetime, *, throttled: bool, saturated: bool) -> bool:
    """Apply AIMD to the ledger's app-wide rate; True when it changed.

    A 429 (`throttled`) multiplies the rate by `decrease_factor` unless the rate was already decreased within
    `decrease_gap` (the requests sent before that decrease reached everybody are still arriving). An instance that
    uses all of its slice (`saturated`) and saw no 429 adds `increase_step` once per `increase_every`, up to the
    ceiling — a smaller step in the `recovery_seconds` after a decrease. A ledger started from another setting
    (a new deployment changed it) starts over from this one.
    """
    if ledger.start != policy.start:
        ledger.start = ledger.rate = policy.start
        ledger.decreased_at = ledger.increased_at = None
        return True
    before = ledger.rate
    rate = min(policy.ceiling, max(policy.floor, ledger.rate))
    if throttled:
        if ledger.decreased_at is None or _seconds(now, ledger.decreased_at) >= policy.decrease_gap:
            rate = max(policy.floor, rate * policy.decrease_factor)
            ledger.decreased_at = now
    elif saturated and rate < policy.ceiling:
        moments = [t for t in (ledger.decreased_at, ledger.increased_at) if t is not None]
        if not moments or _seconds(now, max(moments)) >= policy.increase_every:
            rate = min(policy.ceiling, rate + policy.increase_step * _recovered(ledger, policy, now))
            ledger.increased_at = now
    ledger.rate = rate
    return rate != before


def _recovered(ledger: BudgetLedger, policy: BudgetPolicy, now: datetime) -> float:
    """How far the increase step has recovered since the last decrease (0.1 … 1)."""
    if ledger.decreased_at is None or policy.recovery_seconds <= 0:
        return 1.0
    return min(1.0, max(0.1, _seconds(now, ledger.decreased_at) / policy.recovery_seconds))


def live_claims(ledger: BudgetLedger, now: datetime, me: str) -> dict[str, Claim]:
    """Claims that may still be in use: one's own, and others' until their end plus the allowed clock skew."""
    skew = timedelta(seconds=CLOCK_SKEW_SECONDS)
    return {owner: c for owner, c in ledger.claims.items() if owner == me or c.until + skew > now}


def max_min_shares(rate: float, wants: Mapping[str, float | None]) -> dict[str, float]:
    """Divide `rate` so nobody gets more than it wants and the rest is split equally (max-min fairness).

    An instance that uses less than an equal split (a timer reading a little) gets what it uses plus headroom;
    the instances that could use more (None) share what is left. When every instance is modest, what none of them
    asked for is split among them too: a lone instance that called little for a while holds the whole rate, so
    its next burst (a planner's first messages, the listeners starting on them) is not held to its recent use
    until the next round. A newcomer then waits for the others to give up their excess at their next round, as it
    does when they all want more.
    """
    shares: dict[str, float] = {}
    pending = dict(wants)
    remaining = rate
    while pending:
        equal = remaining / len(pending)
        modest = {owner: want for owner, want in pending.items() if want is not None and want <= equal}
        if not modest:
            shares.update(dict.fromkeys(pending, equal))
            return shares
        for owner, want in modest.items():
            shares[owner] = float(want or 0.0)
            remaining -= float(want or 0.0)
            del pending[owner]
    extra = max(0.0, remaining) / max(1, len(shares))
    return {owner: share + extra for owner, share in shares.items()}


def my_share(ledger: BudgetLedger, me: str, want: float | None, now: datetime) -> tuple[float, float]:
    """This instance's slice and its max-min share: the share, but never more than the other live claims leave free.

    Others that hold more than their share now give it up at their next refresh (within a second); until then a
    new instance takes only what is free, so the slices in the ledger never add up to more than the rate.
    """
    claims = live_claims(ledger, now, me)
    wants = {owner: claim.want for owner, claim in claims.items() if owner != me}
    wants[me] = want
    fair = max_min_shares(ledger.rate, wants)[me]
    taken = sum(claim.share for owner, claim in claims.items() if owner != me)
    return max(0.0, min(fair, ledger.rate - taken)), fair


def _seconds(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds()
