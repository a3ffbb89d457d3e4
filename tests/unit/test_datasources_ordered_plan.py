"""F1 plans in bounded memory: the plan over assets and rows paired in storage order equals the whole plan (issue 17).

Full cycles pair the assets (sorted by storage order) with the state rows as they are read (`plan_ordered`);
targeted runs (the change feed) and the operator tools use `plan` over whole mappings. Both must choose the same
group names — a new asset's name must differ from every row's, whatever order rows arrive in — and the same
creates, updates and deletions.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from sync.core.diff import merge_ordered, storage_order
from sync.core.messages import Change, ChangeKind
from sync.core.settings import Settings
from sync.core.state import SyncObject
from sync.features.datasources.api import DATASOURCE_KIND
from sync.features.datasources.feature import DataSourcesFeature
from sync.services.purview.assets import asset_key

SETTINGS = Settings({})


def asset(rng: random.Random, n: int, *, stamp: int = 1) -> tuple[str, dict[str, Any]]:
    """An ADLS file or SQL table; names repeat (`orders`, `customers`) so group names collide."""
    name = rng.choice(["orders", "customers", "orders.csv", f"table{n}"])
    if n % 2:  # `dir-1/…` and `dir-1.…`: escaped, "/" sorts before "." (storage order is not key order)
        separator = "." if n % 3 == 0 else "/"
        type_name, qualified_name = "azure_datalake_gen2_path", f"https://lake.dfs/c/dir-{n // 10}{separator}{name}-{n}"
    else:
        type_name, qualified_name = "azure_sql_table", f"mssql://srv/db/dbo/{name}#{n}"
    desired = {
        "guid": f"guid-{n}",
        "typeName": type_name,
        "qualifiedName": qualified_name,
        "name": name,
        "updateTime": stamp,
    }
    return asset_key(type_name, qualified_name), desired


def described(changes: list[Change]) -> list[tuple[str, str, str, str]]:
    return sorted((str(c.kind), c.key, c.fingerprint, c.summary) for c in changes)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_ordered_plan_equals_the_whole_plan(seed: int) -> None:
    rng = random.Random(seed)
    feature = DataSourcesFeature()
    before = dict(asset(rng, n) for n in range(80))
    rows: dict[str, SyncObject] = {}
    for change in feature.plan(before, {}, SETTINGS):  # what a first sync leaves in state
        desired = change.desired
        target = {"group_name": desired["group_name"], "group_id": "1", "source_id": "2"}
        rows[change.key] = SyncObject(
            DATASOURCE_KIND, change.key, source={"guid": desired["guid"]}, target=target,
            fingerprint=change.fingerprint, status="active",
        )  # fmt: skip
    now = dict(before)
    for index, key in enumerate(sorted(before)):
        fate = index % 7
        if fate == 1:
            now[key] = {**before[key], "updateTime": 2}  # changed in Purview: an update
        elif fate == 2:
            del now[key]  # gone: a deletion (an orphan mark)
        elif fate == 3:
            rows[key].status = "orphaned"  # came back: re-applied
        elif fate == 4:
            rows[key].target = {}  # an apply that died before naming its group: named again
            rows[key].status = "pending"
        elif fate == 5 and index % 2:
            del now[key]
            rows[key].status = "orphaned"  # gone and already orphaned: nothing
    now.update(asset(rng, n) for n in range(80, 120))  # new assets, names colliding with the rows' groups
    for path in ("dir-99/fresh-a", "dir-99.fresh-b"):  # two new assets named alike: the first named keeps the name
        qualified_name = f"https://lake.dfs/c/{path}"
        key = asset_key("azure_datalake_gen2_path", qualified_name)
        now[key] = {"guid": path, "typeName": "azure_datalake_gen2_path", "qualifiedName": qualified_name,
                    "name": "fresh", "updateTime": 1}  # fmt: skip

    whole = list(feature.plan(now, rows, SETTINGS))
    ordered_assets = sorted(now.items(), key=lambda item: storage_order(item[0]))
    ordered_rows = sorted(rows.values(), key=lambda row: storage_order(row.key))
    streamed = list(feature.plan_ordered(merge_ordered(ordered_assets, ordered_rows), SETTINGS))

    assert described(streamed) == described(whole)
    kinds = {c.kind for c in whole}
    assert {ChangeKind.CREATE, ChangeKind.UPDATE, ChangeKind.DELETE} <= kinds
    names = [c.desired["group_name"] for c in whole if c.kind == ChangeKind.CREATE]
    assert any("(" in name for name in names)  # the estate exercises the unique-name rule
    assert [k for k, _ in ordered_assets] != sorted(now)  # …and storage order differs from plain key order
