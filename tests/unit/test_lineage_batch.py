"""Bulk payloads: placeholders, references, stub merging, packing and guid resolution."""

from __future__ import annotations

from sync.features.lineage.batch import Batch, pack
from sync.features.lineage.graph import nodes_for
from sync.features.lineage.model import desired_rows, split_key
from sync.services.purview.client import MutationResult
from tests.unit.test_lineage_samples import CTX, LINK, account, contacts

ROWS = desired_rows([account(), contacts()], {"7": LINK}, CTX)


def units(rows=ROWS):
    return [nodes_for(split_key(k)[0], v) for k, v in sorted(rows.items())]


def test_shared_entity_and_stubs_are_sent_once_and_full_nodes_win():
    batch = Batch()
    for unit in units():
        batch.add(unit)
    payload = batch.payload()
    refs = [(e["typeName"], e["attributes"]["qualifiedName"]) for e in payload]
    assert len(refs) == len(set(refs))
    entities = [e for e in payload if e["typeName"] == "cluedin_entity"]
    assert len(entities) == 1
    dataset = next(
        e for e in payload if e["attributes"].get("dataSetId") == account().id and e["typeName"] == "cluedin_dataset"
    )
    assert dataset["attributes"]["dataSourceName"] == "Account.csv"  # the full node, not the name-only stub


def test_references_use_placeholders_inside_the_batch_and_unique_attributes_outside():
    batch = Batch()
    batch.add(nodes_for("ingest", ROWS[f"ingest|{account().id}"]))
    payload = batch.payload()
    process = next(e for e in payload if e["typeName"] == "cluedin_ingest_process")
    assert process["attributes"]["inputs"] == [
        {"typeName": LINK.type_name, "uniqueAttributes": {"qualifiedName": LINK.qualified_name}}
    ]
    dataset = next(e for e in payload if e["typeName"] == "cluedin_dataset")
    assert process["attributes"]["outputs"] == [{"guid": dataset["guid"], "typeName": "cluedin_dataset"}]
    assert all(int(e["guid"]) < 0 for e in payload)
    assert batch.external_references() == {(LINK.type_name, LINK.qualified_name)}


def test_columns_point_at_their_parent_placeholder():
    batch = Batch()
    batch.add(nodes_for("dataset", ROWS[f"dataset|{account().id}"]))
    payload = batch.payload()
    parent = payload[0]
    for column in payload[1:]:
        assert column["relationshipAttributes"] == {"dataset": {"guid": parent["guid"], "typeName": "cluedin_dataset"}}


def test_pack_never_splits_a_unit_and_keeps_each_batch_self_contained():
    batches = pack(units(), max_entities=12)
    assert len(batches) > 1
    for batch in batches:
        internal = set(batch.nodes)
        assert batch.external_references() <= {(LINK.type_name, LINK.qualified_name)} | internal
        assert len(batch) <= 12 or len(batch.nodes) == max(len(u) for u in units())


def test_resolve_prefers_guid_assignments_then_headers():
    batch = Batch()
    batch.add(nodes_for("entity", ROWS["entity|/Account"]))
    placeholders = batch.placeholders()
    refs = list(placeholders)
    result = MutationResult(
        guid_assignments={placeholders[refs[0]]: "g-entity"},
        updated=[{"typeName": refs[1][0], "guid": "g-col", "attributes": {"qualifiedName": refs[1][1]}}],
    )
    guids = batch.resolve(result)
    assert guids[refs[0]] == "g-entity" and guids[refs[1]] == "g-col"
