"""Other clients read the lineage the app wrote: the official azure-purview-datamap SDK and pyapacheatlas.

Both are used unmodified. The SDK needs its plain-http workaround (reference purview-datamap.md §4.1: a bearer
policy that allows http); pyapacheatlas is pointed at the emulator with `AtlasClient(endpoint_url=...)`.
"""

from __future__ import annotations

import json

import pytest

from sync.services.purview import qualified_names as names
from tests.support.lineage import ORG, account_set, group, lineage_stack, seed_document
from tests.support.witnesses import atlas_sdk, datamap_sdk


@pytest.fixture()
def synced(azurite, purview, fresh_cluedin_emulator):
    stack = lineage_stack(azurite, purview, fresh_cluedin_emulator)
    fresh_cluedin_emulator.seed(seed_document([group("Account.csv", [account_set()])]))
    asset = stack.add_asset("Account.csv", ["ID", "Name", "Email", "Notes"])
    stack.link("Account.csv", asset)
    report, _ = stack.cycle()
    assert report.status == "completed", report.errors
    return stack, asset


def test_the_official_sdk_reads_our_lineage_and_column_mapping(synced):
    stack, asset = synced
    client = datamap_sdk(stack.purview)
    lineage = client.lineage.get(asset["guid"], direction="OUTPUT", depth=4)
    by_type = {e["typeName"]: e for e in lineage["guidEntityMap"].values()}
    assert {"cluedin_ingest_process", "cluedin_dataset", "cluedin_map_process", "cluedin_entity"} <= set(by_type)
    assert len(lineage["relations"]) >= 4

    data_set_id = stack.data_set_id("Account.csv")
    found = client.entity.get_by_unique_attribute(
        "cluedin_map_process", attribute=names.map_process_name(ORG, data_set_id)
    )
    mapping = json.loads(found["entity"]["attributes"]["columnMapping"])
    assert mapping[0]["DatasetMapping"]["Sink"] == names.entity_name(ORG, "/Account")
    assert {"Source": "Email", "Sink": "account.email"} in mapping[0]["ColumnMapping"]

    entity_def = client.type_definition.get_entity_by_name("cluedin_dataset")
    assert entity_def["description"] == "Cluedin Dataset"


def test_pyapacheatlas_reads_our_lineage(synced):
    stack, asset = synced
    client = atlas_sdk(stack.purview)
    lineage = client.get_entity_lineage(asset["guid"], depth=4, direction="OUTPUT")
    types = {e["typeName"] for e in lineage["guidEntityMap"].values()}
    assert {"cluedin_ingest_process", "cluedin_dataset", "cluedin_map_process", "cluedin_entity"} <= types
    dataset_qn = names.dataset_name(ORG, stack.data_set_id("Account.csv"))
    entity = client.get_entity(qualifiedName=dataset_qn, typeName="cluedin_dataset")["entities"][0]
    columns = entity["relationshipAttributes"]["columns"]
    assert sorted(c["displayText"] for c in columns) == ["Email", "Id", "Name", "Notes"]
