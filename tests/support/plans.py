"""What a dry-run cycle plans, caught whole by the engine's plan hook: for tests that hold two planners to one plan."""

from __future__ import annotations

from typing import Any, NamedTuple

from sync.core.engine import run_cycle
from sync.core.feature import Feature, Snapshot, SyncContext
from sync.core.state import fingerprint
from tests.support.stack import Stack


class Plan(NamedTuple):
    """(kind, key, fingerprint of what it carries) of every change, and how many rows the cycle would orphan."""

    changes: set[tuple[str, str, str]]
    orphaned: int


def planned(stack: Stack, feature: Feature, **settings: str) -> Plan:
    """The plan of one dry-run cycle of `feature` (nothing is sent or written)."""
    ctx = stack.context(SYNC_DRY_RUN="true", **settings)
    seen: list[Any] = []
    ctx.plan_hook = lambda _feature, _report, changes: seen.extend(changes)
    report = run_cycle(feature, ctx)
    assert report.status == "dry-run", report.errors
    changes = {(str(c.kind), c.key, fingerprint(c.desired)) for c in seen}
    assert len(changes) == len(seen)
    return Plan(changes, report.orphaned)


def whole_mapping(feature: type[Feature]) -> Feature:
    """`feature` planned from whole mappings: its ordered snapshot gathered into one dictionary, `plan` over every
    state row (how a feature planned before decision 0903 reached it)."""

    class Whole(feature):  # type: ignore[valid-type,misc]
        plans_in_order = False

        def snapshot(self, ctx: SyncContext) -> Snapshot:
            ordered = super().snapshot(ctx).ordered
            assert ordered is not None
            return Snapshot(dict(ordered))

    return Whole()


def same_plans(stack: Stack, feature: type[Feature], **settings: str) -> Plan:
    """The one plan a feature makes from whole mappings and in storage order (asserting that it is one)."""
    whole = planned(stack, whole_mapping(feature), **settings)
    assert planned(stack, feature(), **settings) == whole
    return whole
