"""Desired lineage records derived from CluedIn facts and F1's asset links (pure)."""

from __future__ import annotations

from sync.features.lineage.model import desired_rows
from sync.services.cluedin.datasets import DataSetFacts, FieldMapping
from tests.unit.test_lineage_samples import CTX, LINK, account, contacts

A = "11111111-1111-1111-1111-111111111111"
C = "22222222-2222-2222-2222-222222222222"


def test_linked_and_mapped_data_set_gets_all_three_records_and_its_entity():
    rows = desired_rows([account()], {"7": LINK}, CTX)
    assert set(rows) == {f"dataset|{A}", f"ingest|{A}", f"map|{A}", "entity|/Account"}
    dataset = rows[f"dataset|{A}"]
    assert dataset["columns"] == [["Id", "int"], ["Name", "string"], ["Email", "string"], ["Notes", ""]]
    assert dataset["collection"] == "abc123" and dataset["org"] == "acme"
    assert dataset["url"].startswith("https://acme.cluedin.test/")


def test_ingest_columns_match_the_asset_schema_case_insensitively():
    ingest = desired_rows([account()], {"7": LINK}, CTX)[f"ingest|{A}"]
    assert ingest["asset"] == {"typeName": LINK.type_name, "qualifiedName": LINK.qualified_name}
    assert ingest["columns"] == [["ID", "Id"], ["Name", "Name"], ["Email", "Email"]]


def test_asset_without_known_schema_maps_fields_one_to_one():
    link = LINK.__class__(LINK.type_name, LINK.qualified_name, "x", ())
    ingest = desired_rows([account()], {"7": link}, CTX)[f"ingest|{A}"]
    assert ingest["columns"] == [["Id", "Id"], ["Name", "Name"], ["Email", "Email"], ["Notes", "Notes"]]


def test_ignored_fields_are_excluded_from_column_lineage():
    mapping = desired_rows([account()], {}, CTX)[f"map|{A}"]
    assert mapping["columns"] == [["Id", "account.id"], ["Name", "account.name"], ["Email", "account.email"]]
    assert mapping["entityType"] == "/Account"


def test_unlinked_data_set_still_gets_dataset_to_entity_lineage():
    rows = desired_rows([account()], {}, CTX)
    assert f"ingest|{A}" not in rows
    assert {f"dataset|{A}", f"map|{A}", "entity|/Account"} <= set(rows)


def test_no_map_process_without_a_mapped_property():
    unmapped = account(mappings=[FieldMapping("Id", "--ignore--"), FieldMapping("Name", "")])
    rows = desired_rows([unmapped], {}, CTX)
    assert set(rows) == {f"dataset|{A}"}
    no_annotation = account(entity_type="", annotation_id="", mappings=[])
    assert set(desired_rows([no_annotation], {}, CTX)) == {f"dataset|{A}"}


def test_one_entity_per_type_with_the_union_of_keys():
    rows = desired_rows([account(), contacts()], {}, CTX)
    entity = rows["entity|/Account"]
    assert entity["columns"] == [
        ["account.email", ""],
        ["account.id", "Integer"],
        ["account.name", "Text"],
        ["account.phone", "PhoneNumber"],
    ]
    assert sum(1 for k in rows if k.startswith("entity|")) == 1


def test_same_facts_same_records():
    assert desired_rows([account(), contacts()], {"7": LINK}, CTX) == desired_rows(
        [contacts(), account()], {"7": LINK}, CTX
    )


def test_facts_round_trip_through_json():
    facts = account()
    assert DataSetFacts.from_json(facts.to_json()) == facts
    assert DataSetFacts.from_json({**facts.to_json(), "unknown": 1}) == facts


def test_fields_fall_back_to_the_mapping_and_drop_duplicates():
    facts = account(original_fields=[], mappings=[FieldMapping("A", "x.a"), FieldMapping("A", "x.b")])
    assert facts.fields() == ["A"]
