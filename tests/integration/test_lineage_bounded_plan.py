"""Bounded-memory lineage planning plans exactly what planning from whole mappings planned, on the same estate.

Three planners see the same CluedIn estate and the same state, each in a dry-run cycle whose whole plan is caught
by the engine's plan hook: the whole-mapping planner as it was before decision 0903 (every record derived at once,
`plan_lineage` over dictionaries), and the ordered planner with a chunk of 7 data sets and with chunking effectively
off. Their changes — kinds, keys and fingerprints of what each carries — must be the same set, on the first cycle,
after it was applied, and after data sets, a whole entity type, a source link and a column changed.
"""

from __future__ import annotations

from typing import Any

import pytest

from sync.core.feature import Snapshot, SyncContext
from sync.core.state import SyncObject
from sync.features.dataproducts.api import linked_assets as product_links
from sync.features.datasources.api import linked_assets
from sync.features.lineage.detect import refresh_facts
from sync.features.lineage.feature import LineageFeature
from sync.features.lineage.model import Context, desired_rows, group_records
from sync.features.lineage.ordered import asset_link
from sync.features.lineage.payloads import offload
from sync.services.purview.setup import target_collection
from tests.integration.test_lineage_sync import rename_column
from tests.support.lineage import LineageStack, group, lineage_stack, seed_document
from tests.support.plans import planned

TYPES = 6
DATA_SETS = 180
WIDE_COLUMNS = 700
"""One data set wide enough that its records (and its entity type's) travel as claim-check payloads."""


class WholeLineage(LineageFeature):
    """Lineage planned as before decision 0903: every record derived at once, planned from whole mappings."""

    plans_in_order = False

    def snapshot(self, ctx: SyncContext) -> Snapshot:
        cluedin = ctx.client("cluedin")
        collection, _ = target_collection(ctx)
        refresh = refresh_facts(cluedin, ctx.state, ctx.feed("cluedin"))
        links = {k: asset_link(v) for k, v in {**product_links(ctx.state), **linked_assets(ctx.state)}.items()}
        shape = self.shape(ctx).shape
        context = Context(cluedin.organization, collection, cluedin.base_url, shape)
        facts = [refresh.facts[ident] for ident in refresh.facts]
        return Snapshot(offload(ctx.state, group_records(desired_rows(facts, links, context))).records)


def ordered(chunk: int) -> LineageFeature:
    feature = LineageFeature()
    feature.plan_chunk = chunk
    return feature


def data_set(i: int) -> dict[str, Any]:
    columns = [f"c{c:03d}" for c in range(WIDE_COLUMNS if i == 0 else 3 + i % 5)]
    spec: dict[str, Any] = {"name": f"set{i:03d}.csv", "records": [], "process": False, "originalFields": columns}
    if i % 9 != 4:  # every ninth data set is not mapped
        t = i % TYPES
        spec["mapping"] = {
            "entityType": f"/Type{t}",
            "vocabulary": f"type{t}",
            "fields": {c: f"type{t}.{c}" for c in columns},
        }
    return spec


def seed(stack: LineageStack) -> None:
    document = seed_document([group(f"set{i:03d}.csv", [data_set(i)]) for i in range(DATA_SETS)])
    stack.cluedin.seed(document)
    links = []
    for i in range(0, DATA_SETS, 2):  # every other data source came from a Purview asset
        name = f"set{i:03d}.csv"
        qualified_name = f"https://lake.dfs.core.windows.net/raw/{name}"
        links.append(
            SyncObject(
                kind="datasource",
                key=f"azure_datalake_gen2_path|{qualified_name}",
                source={"typeName": "azure_datalake_gen2_path", "qualifiedName": qualified_name},
                target={"group_id": "0", "group_name": name, "source_id": stack.data_source_id(name)},
                data={"schema": [{"name": "C000", "type": "int"}], "name": name},
                status="active",
            )
        )
    stack.state.upsert_many(links)
    assets = [
        {
            "typeName": "azure_datalake_gen2_path",
            "attributes": {"qualifiedName": row.source["qualifiedName"], "name": row.data["name"]},
        }
        for row in links
    ]
    answer = stack.purview.session().post(f"{stack.purview.atlas_url}/entity/bulk", json={"entities": assets})
    answer.raise_for_status()


def same_plans(stack: LineageStack, **settings: str) -> set[tuple[str, str, str]]:
    """The one plan all three planners make (asserting that they do)."""
    whole = planned(stack, WholeLineage(), **settings).changes
    assert planned(stack, ordered(7), **settings).changes == whole
    assert planned(stack, ordered(1_000_000), **settings).changes == whole
    return whole


def kinds(changes: set[tuple[str, str, str]]) -> set[tuple[str, str]]:
    return {(kind, key.partition("|")[0]) for kind, key, _ in changes}


@pytest.mark.parametrize("shape", ["classic", "pipeline"])
def test_ordered_plans_equal_whole_plans_through_creates_updates_and_deletes(
    azurite, purview, fresh_cluedin_emulator, shape
):
    stack = lineage_stack(azurite, purview, fresh_cluedin_emulator, PURVIEW_LINEAGE_SHAPE=shape)
    seed(stack)

    first = same_plans(stack)
    assert len(first) == DATA_SETS + TYPES + (shape == "pipeline")  # each data set, entity type (and backbone)
    assert {kind for kind, _, _ in first} == {"create"}

    report, _ = stack.cycle()  # applied for real, planned in order (the default)
    assert report.status == "completed", report.errors
    assert same_plans(stack) == set()  # nothing changed: nothing planned, by any of them

    stack.activity("activity/data-set/remove", {"id": stack.data_set_id("set010.csv")})
    stack.activity("activity/data-set/remove", {"id": stack.data_set_id("set011.csv")})
    for i in range(5, DATA_SETS, TYPES):  # every data set of /Type5 goes: so does its Cluedin Entity
        stack.activity("activity/data-source/remove", {"id": stack.data_source_id(f"set{i:03d}.csv")})
    stack.state.remove_many("datasource", ["azure_datalake_gen2_path|https://lake.dfs.core.windows.net/raw/set002.csv"])
    rename_column(stack, "set003.csv", "c001", "renamed")

    changed = same_plans(stack, SYNC_DELETE_FAILSAFE_PERCENT="100")
    assert ("delete", "dataset") in kinds(changed)
    assert ("delete", "entity") in kinds(changed)
    assert ("delete", "ingest") in kinds(changed)  # set002's source link is gone: its ingest process goes
    assert ("update", "dataset") in kinds(changed)  # set003's renamed column
    retained = same_plans(stack, SYNC_DELETE_FAILSAFE_PERCENT="100", SYNC_DELETE_POLICY="retain")
    assert ("delete", "ingest") not in kinds(retained)  # under retain the part is kept, orphaned, by an update
