"""F10 end to end: a data product's asset is loaded by Data Factory, mapped in CluedIn, and its entity goes back.

Data product → data source group (F10) → ingestion endpoint and pipeline (F12) → the pipeline copies the CSV →
a CluedIn user maps the data set to /Customer → lineage writes the Cluedin Entity (F2) → "Append Asset to Data
Product" adds it to the product's data assets, once — and never again after a steward removed it.
"""

from __future__ import annotations

import pytest

from tests.support.dataproducts import ProductStack, product_stack


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator) -> ProductStack:
    return product_stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator)


def test_the_mapped_entity_is_appended_to_the_product_once(stack):
    loaded = stack.load_and_map()
    lineage, _ = stack.cycle("lineage")
    assert lineage.ok, lineage.errors
    [entity] = stack.entities("cluedin_entity").values()
    assert entity["attributes"]["name"] == "/Customer"
    ingest = stack.entities("cluedin_ingest_process")
    assert len(ingest) == 1  # lineage saw the data product's data source as coming from customers.csv

    writes = stack.unified_calls()["writes"]
    rows = sorted(o.etag or "" for o in stack.state.iter_objects("dataproduct"))
    review = stack.plan("dataproducts", SYNC_DRY_RUN=True)  # the plan shows the append and writes nothing
    assert review.status == "dry-run" and review.planned == {"update": 1}
    assert stack.unified_calls()["writes"] == writes
    assert sorted(o.etag or "" for o in stack.state.iter_objects("dataproduct")) == rows
    report, outcomes = stack.cycle("dataproducts")
    assert report.planned == {"update": 1}, (report.errors, report.events)
    assert [n.text for n in report.notifications] == [
        "Cluedin Entity '/Customer' added to purview Data Product 'Customer Master'"
    ], [o.detail for o in outcomes]
    catalog = stack.uc("POST", "/dataAssets/query", {"sourceAssetIds": [entity["guid"]]})["value"]
    [appended] = catalog
    members = stack.product_asset_ids(loaded["product"])
    assert appended["id"] in members and len(members) == 2
    assert appended["source"]["assetType"] == "cluedin_entity"

    stack.reset_counters()
    again, _ = stack.cycle("dataproducts")  # the count changed: membership re-read, the entity is not a source
    assert again.planned == {} and stack.unified_calls()["writes"] == 0
    assert sorted(s["name"] for s in stack.cluedin_groups()["Customer Master"]["dataSources"]) == ["customers.csv"]

    stack.remove_from_product(loaded["product"], appended["id"])  # a steward takes it out: that stays so
    removed, _ = stack.cycle("dataproducts")
    assert removed.planned == {} and stack.product_asset_ids(loaded["product"]) == [
        stack.catalog_asset(loaded["customers"])
    ]


def test_append_off_leaves_the_product_alone(stack):
    stack.load_and_map()
    stack.cycle("lineage")
    before = stack.unified_calls()["writes"]
    report, _ = stack.cycle("dataproducts", APPEND_ASSET_TO_DATA_PRODUCT="false")
    assert report.planned == {} and stack.unified_calls()["writes"] == before
