"""Poll Data Sources planned in storage order plans exactly what planning from whole mappings planned.

Both planners see the same CluedIn counts and the same state, in dry-run cycles whose whole plan the engine's plan
hook catches: the whole-mapping planner (the snapshot gathered into one dictionary, `plan` over it and every state
row, as before decision 0903 reached F4) and the ordered one. Their changes — kinds, keys and fingerprints — must
be the same set on the first poll, once applied, and after records arrived in one data set, a second one still
waits for processing and a third one's lineage went.
"""

from __future__ import annotations

from typing import Any

from sync.core.engine import run_cycle
from sync.core.feature import Feature, Snapshot, SyncContext
from sync.core.state import fingerprint
from sync.features.polling.feature import PollingFeature
from tests.integration.test_polling import upload
from tests.support.lineage import LineageStack, account_set, group, lineage_stack, seed_document

DATA_SETS = 12


class WholePolling(PollingFeature):
    """F4 planned from whole mappings: the ordered snapshot gathered into one dictionary, `plan` over all rows."""

    plans_in_order = False

    def snapshot(self, ctx: SyncContext) -> Snapshot:
        ordered = super().snapshot(ctx).ordered
        assert ordered is not None
        return Snapshot(dict(ordered))


def planned(stack: LineageStack, feature: Feature) -> tuple[set[tuple[str, str, str]], int]:
    """(kind, key, fingerprint of what it carries) of every change a dry-run poll plans; the rows it would orphan."""
    ctx = stack.context(SYNC_DRY_RUN="true", SYNC_DELETE_FAILSAFE_PERCENT="100")
    seen: list[Any] = []
    ctx.plan_hook = lambda _feature, _report, changes: seen.extend(changes)
    report = run_cycle(feature, ctx)
    assert report.status == "dry-run", report.errors
    changes = {(str(c.kind), c.key, fingerprint(c.desired)) for c in seen}
    assert len(changes) == len(seen)
    return changes, report.orphaned


def same_plans(stack: LineageStack) -> tuple[set[tuple[str, str, str]], int]:
    """The one plan both planners make (asserting that they do)."""
    whole = planned(stack, WholePolling())
    assert planned(stack, PollingFeature()) == whole
    return whole


def test_ordered_plans_equal_whole_plans_through_creates_updates_and_orphans(azurite, purview, fresh_cluedin_emulator):
    stack = lineage_stack(azurite, purview, fresh_cluedin_emulator)
    names = [f"Set{i:02d}.csv" for i in range(DATA_SETS)]
    stack.cluedin.seed(seed_document([group(name, [account_set(name)]) for name in names]))
    assert stack.cycle()[0].ok  # lineage makes the Cluedin Datasets polling writes on

    first, _ = same_plans(stack)
    assert {(kind, key) for kind, key, _ in first} == {("create", stack.data_set_id(name)) for name in names}
    report, _ = stack.cycle("polling")
    assert report.ok and report.planned == {"create": DATA_SETS}, report.errors
    assert same_plans(stack) == (set(), 0)  # a quiet estate: nothing planned, by either

    record = {"Id": "9", "Name": "Tailspin", "Email": "a@tailspin.com", "Notes": ""}
    upload(stack, stack.data_set_id("Set03.csv"), [record])
    stack.activity("activity/process", {"dataSetId": stack.data_set_id("Set03.csv")})
    upload(stack, stack.data_set_id("Set07.csv"), [record])  # received, not processed yet
    stack.activity("activity/data-source/remove", {"id": stack.data_source_id("Set05.csv")})
    assert stack.cycle()[0].ok  # Set05's Cluedin Dataset goes with its data source

    changed, orphaned = same_plans(stack)
    updated = {stack.data_set_id(name) for name in ("Set03.csv", "Set07.csv")}
    assert {(kind, key) for kind, key, _ in changed} == {("update", key) for key in updated}
    assert orphaned == 1
