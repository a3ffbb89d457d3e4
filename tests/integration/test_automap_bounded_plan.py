"""Auto-mapping planned in storage order plans exactly what planning from whole mappings planned, on one estate.

Both planners see the same CluedIn data sets (lineage's facts cache, over real HTTP and Azurite) and the same
state, in dry-run cycles whose whole plan the engine's plan hook catches: the whole-mapping planner (the snapshot
gathered into one dictionary, `plan` over it and every state row, as before decision 0903 reached F3) and the
ordered one (`plan_ordered` over pairs read as it goes). Their changes — kinds, keys and fingerprints of what each
carries — must be the same set on the first cycle, once applied, and after a data set, a link and a column
changed and the app's own part of a mapping differed from the user's.
"""

from __future__ import annotations

from typing import Any

from sync.features.automap.feature import AutoMapFeature
from tests.integration.test_lineage_sync import rename_column
from tests.support.lineage import LineageStack, group, lineage_stack, seed_document
from tests.support.plans import Plan, same_plans

DATA_SETS = 40
SETTINGS = {"AUTO_MAP_CLUEDIN_DATA_SETS": "true"}


def data_set(i: int) -> dict[str, Any]:
    columns = [f"c{c}" for c in range(2 + i % 4)]
    spec: dict[str, Any] = {"name": f"set{i:02d}.csv", "records": [], "process": False, "originalFields": columns}
    if i % 5 != 3:  # some data sets are not mapped at all
        spec["mapping"] = {"entityType": "/Thing", "vocabulary": "thing", "fields": {c: f"thing.{c}" for c in columns}}
    return spec


def seed(stack: LineageStack) -> None:
    """Data sets in CluedIn; three of every four data sources came from a Purview asset (F1's rows)."""
    stack.cluedin.seed(seed_document([group(f"set{i:02d}.csv", [data_set(i)]) for i in range(DATA_SETS)]))
    for i in range(DATA_SETS):
        if i % 4 != 1:
            name = f"set{i:02d}.csv"
            stack.link(name, stack.add_asset(name, [f"c{c}" for c in range(2 + i % 4)]))


def both_plans(stack: LineageStack) -> Plan:
    """The one plan AutoMap makes from whole mappings and in storage order (every deletion allowed)."""
    return same_plans(stack, AutoMapFeature, SYNC_DELETE_FAILSAFE_PERCENT="100", **SETTINGS)


def test_ordered_plans_equal_whole_plans_through_creates_updates_and_deletes(azurite, purview, fresh_cluedin_emulator):
    stack = lineage_stack(azurite, purview, fresh_cluedin_emulator, **SETTINGS)
    seed(stack)
    assert stack.cycle()[0].ok  # lineage reads CluedIn's data sets into the cache auto-mapping plans from

    first, _ = both_plans(stack)
    linked = [i for i in range(DATA_SETS) if i % 4 != 1 and i % 5 != 3]  # a data set without records nor mapping
    # has no known columns: nothing to map
    assert {key for _, key, _ in first} == {stack.data_set_id(f"set{i:02d}.csv") for i in linked}
    assert {kind for kind, _, _ in first} == {"create"}

    report, _ = stack.cycle("automap", **SETTINGS)  # applied for real, planned in order (the default)
    assert report.ok, report.errors
    assert report.planned == {"create": len(linked)}
    assert both_plans(stack) == (set(), 0)  # nothing changed: nothing planned, by either

    removed, unlinked, renamed = (stack.data_set_id(f"set{i:02d}.csv") for i in (0, 4, 6))
    stack.activity("activity/data-set/remove", {"id": removed})
    stack.state.remove_many("datasource", [_link_key(stack, "set04.csv")])
    rename_column(stack, "set06.csv", "c1", "renamed")
    claimed = stack.data_set_id("set10.csv")  # the app now claims a field the user mapped: the user's part shrinks
    with stack.state.leased("automap", claimed, owner="test") as row:
        row.data = {"mapped": {"c0": "thing.c0"}}
        stack.state.release(row)
    assert stack.cycle()[0].ok

    changed, orphaned = both_plans(stack)
    assert {(kind, key) for kind, key, _ in changed} == {("update", renamed), ("update", claimed)}
    assert orphaned == 2  # set00 is gone from CluedIn, set04's data source no longer comes from an asset
    assert stack.cycle("automap", **SETTINGS)[0].ok
    statuses = {row.key: row.status for row in stack.state.iter_objects("automap")}
    assert {key for key, status in statuses.items() if status == "orphaned"} == {removed, unlinked}


def _link_key(stack: LineageStack, name: str) -> str:
    return next(row.key for row in stack.state.iter_objects("datasource") if row.target.get("group_name") == name)
