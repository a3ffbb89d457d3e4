"""Entities built from desired records: types, names, references, stubs and Purview's columnMapping format."""

from __future__ import annotations

import json

from sync.features.lineage.graph import column_mapping, nodes_for, owned
from sync.features.lineage.model import desired_rows
from sync.services.purview import qualified_names as names
from tests.unit.test_lineage_samples import CTX, LINK, account

A = "11111111-1111-1111-1111-111111111111"
ROWS = desired_rows([account()], {"7": LINK}, CTX)
DATASET_QN = names.dataset_name("acme", A)
ENTITY_QN = names.entity_name("acme", "/Account")


def test_column_mapping_is_purviews_json_string_format():
    value, kept = column_mapping("src", "dst", [["a", "b"], ["c", "d"]])
    assert kept == 2
    assert json.loads(value) == [
        {
            "DatasetMapping": {"Source": "src", "Sink": "dst"},
            "ColumnMapping": [{"Source": "a", "Sink": "b"}, {"Source": "c", "Sink": "d"}],
        }
    ]


def test_dataset_record_owns_the_dataset_and_its_columns():
    nodes = nodes_for("dataset", ROWS[f"dataset|{A}"])
    dataset, *columns = nodes
    assert (dataset.type_name, dataset.qualified_name) == ("cluedin_dataset", DATASET_QN)
    assert dataset.attributes["name"] == "Account.csv"
    assert dataset.attributes["dataSetId"] == A
    assert [c.attributes["name"] for c in columns] == ["Id", "Name", "Email", "Notes"]
    assert all(c.type_name == "cluedin_column" and c.parent == ("dataset", dataset.ref) for c in columns)
    assert columns[0].attributes["data_type"] == "int" and "data_type" not in columns[3].attributes
    assert owned("dataset", ROWS[f"dataset|{A}"]) == [n.ref for n in nodes]


def test_ingest_process_reads_the_source_asset_and_writes_the_dataset():
    process, stub = nodes_for("ingest", ROWS[f"ingest|{A}"])
    assert process.type_name == "cluedin_ingest_process"
    assert process.attributes["name"] == "Ingest Data"
    assert process.inputs == [(LINK.type_name, LINK.qualified_name)]
    assert process.outputs == [("cluedin_dataset", DATASET_QN)]
    mapping = json.loads(process.attributes["columnMapping"])
    assert mapping[0]["DatasetMapping"] == {"Source": LINK.qualified_name, "Sink": DATASET_QN}
    assert {"Source": "ID", "Sink": "Id"} in mapping[0]["ColumnMapping"]
    assert stub.stub and stub.ref == ("cluedin_dataset", DATASET_QN)
    assert owned("ingest", ROWS[f"ingest|{A}"]) == [process.ref]


def test_map_process_maps_fields_to_vocabulary_keys_of_the_shared_entity():
    process, dataset_stub, entity_stub = nodes_for("map", ROWS[f"map|{A}"])
    assert process.type_name == "cluedin_map_process" and process.attributes["name"] == "Map to Entity"
    assert process.inputs == [("cluedin_dataset", DATASET_QN)]
    assert process.outputs == [("cluedin_entity", ENTITY_QN)]
    mapping = json.loads(process.attributes["columnMapping"])[0]
    assert mapping["DatasetMapping"] == {"Source": DATASET_QN, "Sink": ENTITY_QN}
    assert {"Source": "Name", "Sink": "account.name"} in mapping["ColumnMapping"]
    assert all(m["Source"] != "Notes" for m in mapping["ColumnMapping"])
    assert dataset_stub.stub and entity_stub.stub
    full_entity = nodes_for("entity", ROWS["entity|/Account"])[0]
    assert entity_stub.attributes == full_entity.attributes


def test_entity_record_owns_the_entity_and_vocabulary_key_columns():
    entity, *columns = nodes_for("entity", ROWS["entity|/Account"])
    assert entity.attributes["name"] == "/Account"
    assert entity.attributes["description"] == "/Account Entity in CluedIn"
    assert [c.attributes["name"] for c in columns] == ["account.email", "account.id", "account.name"]
    assert all(c.parent == ("entity", entity.ref) for c in columns)


def test_a_column_mapping_never_exceeds_purviews_attribute_limit():
    from sync.services.purview.client import MAX_ATTRIBUTE_BYTES

    pairs = [
        [f"Field_{i:04d}_with_a_long_descriptive_name", f"wide.field_{i:04d}_with_a_long_name"] for i in range(900)
    ]
    text, kept = column_mapping("cluedin://acme/dataset/x", "cluedin://acme/entity/Wide", pairs)
    assert (
        len(text.encode()) <= MAX_ATTRIBUTE_BYTES < len(column_mapping("s", "t", pairs[: kept + 20])[0].encode()) + 4096
    )
    assert 300 < kept < 900
    assert [m["Source"] for m in json.loads(text)[0]["ColumnMapping"]] == [p[0] for p in pairs[:kept]]  # field order
