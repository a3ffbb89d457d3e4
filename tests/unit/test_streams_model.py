"""Pure parts of stream (F8) and crawler/enricher (F9) lineage: filter text, records, column mappings, limits."""

from __future__ import annotations

import json

from sync.features.providers.model import desired_records as provider_records
from sync.features.streams.facts import Preview
from sync.features.streams.model import Context, desired_records, target_name
from sync.features.streams.nodes import column_mappings, stream_nodes
from sync.features.streams.records import RECORD_LIMIT, fit, split_key
from sync.services.cluedin.consume import ExportedProperty, ExportTargetFacts, StreamFacts, stream_from
from sync.services.cluedin.filters import EVERYTHING, canonical, describe
from sync.services.cluedin.providers import ProviderFacts
from sync.services.purview.client import MAX_ATTRIBUTE_BYTES

EQUALS, EXISTS = "0bafc522-8011-43ba-978a-babe222ba466", "306e5d29-832f-41e7-a6db-1c02eb5ebf74"


def leaf(field: str, operator: str, *values: str, ident: str = "") -> dict[str, object]:
    return {"field": field, "operator": operator, "value": list(values), "type": "string", "id": ident, "rules": []}


def test_a_filter_tree_reads_as_text():
    tree = {"condition": "AND", "rules": [leaf("EntityType", EQUALS, "/Account"),
                                          {"condition": "OR", "rules": [leaf("Properties[a.b]", EXISTS),
                                                                        leaf("Name", EQUALS, "x")]}]}  # fmt: skip
    assert describe(tree) == "EntityType Equals /Account AND (Properties[a.b] Exists OR Name Equals x)"
    assert describe(json.dumps(tree)) == describe(tree)
    assert describe(None) == describe({"condition": "AND", "rules": []}) == EVERYTHING


def test_filters_that_differ_only_in_node_ids_are_the_same_filter():
    one = {"condition": "AND", "rules": [leaf("EntityType", EQUALS, "/A", ident="1")], "id": "x"}
    two = {"condition": "AND", "rules": [leaf("EntityType", EQUALS, "/A", ident="2")], "id": "y"}
    assert canonical(one) == canonical(two) != canonical({"condition": "AND", "rules": [leaf("EntityType", EQUALS)]})


def test_the_listing_item_becomes_facts():
    mapping = [{"sourceDataType": "a.b", "sourceObjectType": "vocabkey", "destDataType": "B"},
               {"sourceDataType": "Name", "sourceObjectType": "metadata"}]  # fmt: skip
    facts = stream_from({"id": "ABC", "name": "S", "status": "Paused", "mode": "EventStream", "connector": {"id": "T"},
                         "condition": {"condition": "AND", "rules": []}, "mappingConfiguration": mapping})  # fmt: skip
    assert (facts.id, facts.target_id, facts.mode_label) == ("abc", "t", "Event log stream")
    assert facts.vocabulary_keys() == ["a.b"]
    assert [p.column for p in facts.exported] == ["B", "Name"]


def stream(ident: str, *keys: str, target: str = "t1") -> StreamFacts:
    return StreamFacts(id=ident, name=ident.upper(), status="Streaming", target_id=target,
                       exported=[ExportedProperty(k, k.split(".")[-1], True) for k in keys])  # fmt: skip


def test_column_lineage_comes_from_the_types_whose_records_hold_the_key():
    targets = [ExportTargetFacts("t1", "sql.Golden", "Sql Server Connector")]
    previews = {
        "s1": Preview(entity_types={"/A": ["a.x"]}),  # one type: every exported key comes from it
        "s2": Preview(entity_types={"/A": ["a.x"], "/B": ["b.y"]}),
    }
    out = desired_records([stream("s1", "a.x", "a.z"), stream("s2", "a.x", "b.y")], targets, previews, {},
                          Context("acme"))  # fmt: skip
    assert out.records["stream|s1"]["mapping"] == [["/A", "a.x", "x"], ["/A", "a.z", "z"]]
    assert out.records["stream|s2"]["mapping"] == [["/A", "a.x", "x"], ["/B", "b.y", "y"]]
    assert out.records["target|t1"]["columns"] == [["x", ""], ["z", ""], ["y", ""]]
    assert out.records["entity|/A"]["columns"] == [["a.x", ""], ["a.z", ""]]
    assert out.records["entity|/B"]["columns"] == [["b.y", ""]]


def test_a_stream_whose_target_is_not_listed_is_synced_without_one_and_reported():
    out = desired_records([stream("s1", "a.x", target="gone")], [], {"s1": Preview()}, {}, Context("acme"))
    assert out.records["stream|s1"]["exportTarget"] is None
    assert out.notes == ["Stream 'S1': its export target gone is not listed; synced without one"]


def test_a_target_that_hides_its_account_is_named_by_its_connector():
    assert target_name(ExportTargetFacts("0123456789ab", "", "Dataverse Connector")) == "Dataverse Connector (01234567)"


def test_a_record_too_large_for_a_message_keeps_its_first_entries():
    record = {"org": "acme", "mapping": [["/A", f"a.key{i:04d}", f"column{i:04d}"] for i in range(2000)]}
    fitted, note = fit(record)
    assert len(json.dumps(fitted, separators=(",", ":"))) <= RECORD_LIMIT
    assert fitted["mapping"] == record["mapping"][: len(fitted["mapping"])]
    assert note.startswith(f"mapping keeps {len(fitted['mapping'])} of 2000 entries")
    assert fit({"org": "acme"}) == ({"org": "acme"}, "")


def test_a_column_mapping_stays_within_purviews_attribute_limit():
    pairs = [[f"a.key{i:04d}", f"column{i:04d}"] for i in range(1500)]
    text, kept, total = column_mappings([("src", "sink", pairs)])
    assert len(text.encode()) <= MAX_ATTRIBUTE_BYTES and 0 < kept < total == 1500
    [mapping] = json.loads(text)
    assert mapping["ColumnMapping"][0] == {"Source": "a.key0000", "Sink": "column0000"}


def test_a_stream_process_carries_stubs_of_what_it_references():
    target = {"id": "t1", "name": "sql.Golden"}
    desired = {"org": "acme", "id": "s1", "name": "S", "entityTypes": ["/A"], "mapping": [["/A", "a.x", "x"]],
               "exportTarget": target, "lastReprocessedAt": "2026-01-02T03:04:05Z"}  # fmt: skip
    process, entity, stub = stream_nodes(desired)
    assert entity.stub and stub.stub and not process.stub
    assert process.inputs == [entity.ref] and process.outputs == [stub.ref]
    assert process.attributes["lastReprocessedAt"] == 1767323045000


def test_providers_become_records_with_a_process_per_entity_type():
    providers = [ProviderFacts("p1", "Web", "web @ acme", "Enricher"), ProviderFacts("p2", "Hub", "", "Crawler")]
    records = provider_records(providers, {"p1": {"/A": ["a.w"]}, "p2": {}}, "acme", None)
    assert sorted(records) == ["enrich|p1|/A", "entity|/A", "provider|p1", "provider|p2"]
    assert records["provider|p2"]["name"] == "Hub" and records["provider|p2"]["columns"] == []
    assert split_key("enrich|p1|/A") == ("enrich", "p1|/A")
