"""Poll Data Sources planned in storage order plans exactly what planning from whole mappings planned.

Both planners see the same CluedIn counts and the same state, in dry-run cycles whose whole plan the engine's plan
hook catches: the whole-mapping planner (the snapshot gathered into one dictionary, `plan` over it and every state
row, as before decision 0903 reached F4) and the ordered one. Their changes — kinds, keys and fingerprints — must
be the same set on the first poll, once applied, and after records arrived in one data set, a second one still
waits for processing and a third one's lineage went.
"""

from __future__ import annotations

from sync.features.polling.feature import PollingFeature
from tests.integration.test_polling import upload
from tests.support.lineage import LineageStack, account_set, group, lineage_stack, seed_document
from tests.support.plans import Plan, same_plans

DATA_SETS = 12


def both_plans(stack: LineageStack) -> Plan:
    """The one plan Polling makes from whole mappings and in storage order (every deletion allowed)."""
    return same_plans(stack, PollingFeature, SYNC_DELETE_FAILSAFE_PERCENT="100")


def test_ordered_plans_equal_whole_plans_through_creates_updates_and_orphans(azurite, purview, fresh_cluedin_emulator):
    stack = lineage_stack(azurite, purview, fresh_cluedin_emulator)
    names = [f"Set{i:02d}.csv" for i in range(DATA_SETS)]
    stack.cluedin.seed(seed_document([group(name, [account_set(name)]) for name in names]))
    assert stack.cycle()[0].ok  # lineage makes the Cluedin Datasets polling writes on

    first, _ = both_plans(stack)
    assert {(kind, key) for kind, key, _ in first} == {("create", stack.data_set_id(name)) for name in names}
    report, _ = stack.cycle("polling")
    assert report.ok and report.planned == {"create": DATA_SETS}, report.errors
    assert both_plans(stack) == (set(), 0)  # a quiet estate: nothing planned, by either

    record = {"Id": "9", "Name": "Tailspin", "Email": "a@tailspin.com", "Notes": ""}
    upload(stack, stack.data_set_id("Set03.csv"), [record])
    stack.activity("activity/process", {"dataSetId": stack.data_set_id("Set03.csv")})
    upload(stack, stack.data_set_id("Set07.csv"), [record])  # received, not processed yet
    stack.activity("activity/data-source/remove", {"id": stack.data_source_id("Set05.csv")})
    assert stack.cycle()[0].ok  # Set05's Cluedin Dataset goes with its data source

    changed, orphaned = both_plans(stack)
    updated = {stack.data_set_id(name) for name in ("Set03.csv", "Set07.csv")}
    assert {(kind, key) for kind, key, _ in changed} == {("update", key) for key in updated}
    assert orphaned == 1
