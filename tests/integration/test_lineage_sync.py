"""F2 against Azurite and the emulators: create, re-run, mapping change, column rename, removal, fail-safe."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests

from sync.services.purview import qualified_names as names
from tests.support.lineage import ORG, LineageStack, account_set, group, lineage_stack, seed_document

VOCABULARY = {
    "name": "account",
    "keyPrefix": "account",
    "entityType": "/Account",
    "keys": [{"name": n} for n in ("id", "name", "email", "notes", "phone")],
}


def seed(stack: LineageStack, groups: list[dict[str, Any]]) -> None:
    document = seed_document(groups)
    document["vocabularies"] = [VOCABULARY]
    stack.cluedin.seed(document)


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator):
    return lineage_stack(azurite, purview, fresh_cluedin_emulator)


@pytest.fixture()
def linked(stack):
    """Account.csv: a CluedIn data set in a data source F1 created from a Purview asset; lineage synced once."""
    seed(stack, [group("Account.csv", [account_set()])])
    asset = stack.add_asset("Account.csv", ["ID", "Name", "Email", "Notes"])
    stack.link("Account.csv", asset)
    report, _ = stack.cycle()
    assert report.status == "completed", report.errors
    return stack, asset


def column_names(entity: dict[str, Any], stack: LineageStack) -> list[str]:
    session = stack.purview.session()
    names_ = []
    for ref in entity["relationshipAttributes"].get("columns") or []:
        column = session.get(f"{stack.purview.atlas_url}/entity/guid/{ref['guid']}", timeout=10).json()["entity"]
        if column.get("status", "ACTIVE") == "ACTIVE":
            names_.append(column["attributes"]["name"])
    return sorted(names_)


def mapping_of(process: dict[str, Any]) -> dict[str, str]:
    value = json.loads(process["attributes"]["columnMapping"])
    assert len(value) == 1
    return {m["Source"]: m["Sink"] for m in value[0]["ColumnMapping"]}


def test_first_cycle_writes_the_whole_lineage_graph(linked):
    stack, asset = linked
    data_set_id = stack.data_set_id("Account.csv")
    dataset_qn = names.dataset_name(ORG, data_set_id)
    entity_qn = names.entity_name(ORG, "/Account")

    datasets = stack.entities("cluedin_dataset")
    assert list(datasets) == [dataset_qn]
    dataset = datasets[dataset_qn]
    assert dataset["attributes"]["name"] == "Account.csv"
    assert column_names(dataset, stack) == ["Email", "Id", "Name", "Notes"]

    ingest = stack.entities("cluedin_ingest_process")[names.ingest_process_name(ORG, data_set_id)]
    assert ingest["attributes"]["inputs"][0]["guid"] == asset["guid"]
    assert mapping_of(ingest) == {"ID": "Id", "Name": "Name", "Email": "Email", "Notes": "Notes"}

    mapper = stack.entities("cluedin_map_process")[names.map_process_name(ORG, data_set_id)]
    assert mapping_of(mapper) == {"Id": "account.id", "Name": "account.name", "Email": "account.email"}

    entity = stack.entities("cluedin_entity")[entity_qn]
    assert entity["attributes"]["name"] == "/Account"
    assert column_names(entity, stack) == ["account.email", "account.id", "account.name"]

    # Purview's own lineage API walks asset → Ingest Data → Cluedin Dataset → Map to Entity → Cluedin Entity
    lineage = stack.purview_client().get_lineage(asset["guid"], direction="OUTPUT", depth=5)
    types = {e["typeName"] for e in lineage["guidEntityMap"].values()}
    assert {"cluedin_ingest_process", "cluedin_dataset", "cluedin_map_process", "cluedin_entity"} <= types
    assert stack.purview.violations() == []


def test_the_run_report_carries_the_products_notification(linked):
    stack, _ = linked
    runs = stack.state.runs.newest("lineage")
    report = stack.state.runs.find(runs[0]["run_id"])
    assert report is not None
    from sync.core.report import find_report

    folded = find_report(stack.state.runs, runs[0]["run_id"])
    assert folded is not None
    assert [n.text for n in folded.notifications] == ["Data Set 'Account.csv' synced to Purview"]
    assert folded.status == "completed"


def test_a_cycle_without_changes_writes_nothing(linked):
    stack, _ = linked
    writes = stack.purview_writes()
    report, outcomes = stack.cycle()
    assert report.planned == {} and outcomes == []
    assert stack.purview_writes() == writes
    assert report.calls.get("purview", {}).get("calls", 0) == 0  # types and collection: cursors, no calls
    assert stack.purview.violations() == []


def test_a_changed_mapping_updates_the_existing_entities(linked):
    stack, _ = linked
    data_set_id = stack.data_set_id("Account.csv")
    before = {qn: e["guid"] for qn, e in stack.entities("cluedin_map_process").items()}
    stack.cluedin_graphql(
        "mutation m($id: ID, $f: [InputPropertyMapping]) { inbound { updateAnnotationMappingInDataSet("
        "dataSetId: $id, fieldMappings: $f) } }",
        {
            "id": data_set_id,
            "f": [{"originalField": "Email", "key": "--ignore--"}, {"originalField": "Notes", "key": "account.notes"}],
        },
    )
    report, _ = stack.cycle()
    assert report.status == "completed", report.errors
    processes = stack.entities("cluedin_map_process")
    assert {qn: e["guid"] for qn, e in processes.items()} == before  # same process, updated in place
    assert mapping_of(next(iter(processes.values()))) == {
        "Id": "account.id",
        "Name": "account.name",
        "Notes": "account.notes",
    }
    entity = stack.entities("cluedin_entity")[names.entity_name(ORG, "/Account")]
    assert column_names(entity, stack) == ["account.id", "account.name", "account.notes"]
    assert [n.text for n in report.notifications] == ["Data Set 'Account.csv' synced to Purview"]
    assert stack.purview.violations() == []


def rename_column(stack: LineageStack, data_set_name: str, old: str, new: str) -> None:
    """Rename an original field of a CluedIn data set (through the emulator's state admin API)."""
    url = f"{stack.cluedin.url}/_emulator/state"
    snapshot = requests.get(url, timeout=10).json()
    data_set = next(d for d in snapshot["collections"]["data_sets"] if d["name"] == data_set_name)
    data_set["originalFields"] = [new if f == old else f for f in data_set["originalFields"]]
    for mapping in data_set["fieldMappings"]:
        if mapping["originalField"] == old:
            mapping["originalField"] = new
    for annotation in snapshot["collections"]["annotations"]:
        if annotation["id"] == data_set["annotationId"]:
            for prop in annotation["annotationProperties"]:
                if prop.get("key") == old:
                    prop["key"] = new
    later = datetime.fromisoformat(data_set["updatedAt"].replace("Z", "+00:00")) + timedelta(seconds=1)
    data_set["updatedAt"] = later.isoformat().replace("+00:00", "Z")
    requests.put(url, json=snapshot, timeout=10).raise_for_status()


def test_a_renamed_column_replaces_its_column_entity(linked):
    stack, _ = linked
    data_set_id = stack.data_set_id("Account.csv")
    rename_column(stack, "Account.csv", "Name", "FullName")
    report, _ = stack.cycle()
    assert report.planned == {"update": 1}, report.changes  # the data set (its three records); entity unchanged
    dataset = stack.entities("cluedin_dataset")[names.dataset_name(ORG, data_set_id)]
    assert column_names(dataset, stack) == ["Email", "FullName", "Id", "Notes"]
    mapper = stack.entities("cluedin_map_process")[names.map_process_name(ORG, data_set_id)]
    assert mapping_of(mapper)["FullName"] == "account.name"
    ingest = stack.entities("cluedin_ingest_process")[names.ingest_process_name(ORG, data_set_id)]
    assert "Name" not in mapping_of(ingest)  # the source asset has no FullName column
    assert stack.purview.violations() == []


def test_a_removed_data_set_removes_what_it_alone_produced(stack):
    contacts = account_set("Contacts.csv")
    seed(stack, [group("Account.csv", [account_set()]), group("Contacts.csv", [contacts])])
    stack.cycle()
    assert len(stack.entities("cluedin_dataset")) == 2
    stack.activity("activity/data-set/remove", {"id": stack.data_set_id("Contacts.csv")})
    report, _ = stack.cycle()
    assert report.planned == {"delete": 1}, report.changes  # one row owns its dataset, columns and map process
    assert [d["attributes"]["name"] for d in stack.entities("cluedin_dataset").values()] == ["Account.csv"]
    assert len(stack.entities("cluedin_map_process")) == 1
    assert len(stack.entities("cluedin_entity")) == 1  # still used by Account.csv
    assert "Data Set 'Contacts.csv' removed from Purview" in [n.text for n in report.notifications]
    assert stack.purview.violations() == []


def test_the_last_data_set_of_an_entity_type_takes_the_entity_with_it(linked):
    stack, _ = linked
    stack.activity("activity/data-source/remove", {"id": stack.data_source_id("Account.csv")})
    report, _ = stack.cycle(sync_delete_failsafe_percent=100.0)  # all owned objects: raised for one cycle
    assert report.planned == {"delete": 2}  # the data set (with its processes) and the entity type
    for type_name in ("cluedin_dataset", "cluedin_ingest_process", "cluedin_map_process", "cluedin_entity"):
        assert stack.entities(type_name) == {}, type_name
    assert stack.entities("cluedin_column") == {}
    assert stack.purview.violations() == []


def test_the_fail_safe_refuses_a_mass_removal(stack):
    seed(stack, [group(f"Set{i}.csv", [account_set(f"Set{i}.csv")]) for i in range(4)])
    stack.cycle()
    writes = stack.purview_writes()
    for i in range(3):
        stack.activity("activity/data-source/remove", {"id": stack.data_source_id(f"Set{i}.csv")})
    report, _ = stack.cycle(sync_delete_failsafe_percent=20.0)
    assert report.deletes_refused
    assert "SYNC_DELETE_FAILSAFE_PERCENT" in report.deletes_refused_reason
    assert stack.purview_writes() == writes
    assert len(stack.entities("cluedin_dataset")) == 4


def test_under_retain_removed_objects_are_only_marked_orphaned(linked):
    stack, _ = linked
    writes = stack.purview_writes()
    stack.activity("activity/data-source/remove", {"id": stack.data_source_id("Account.csv")})
    report, _ = stack.cycle(sync_delete_policy="retain", sync_delete_failsafe_percent=100.0)
    assert report.orphaned == 2 and stack.purview_writes() == writes
    assert len(stack.entities("cluedin_dataset")) == 1


def test_unlinked_data_sets_still_get_dataset_to_entity_lineage(stack):
    seed(stack, [group("Manual", [account_set("Manual.csv")])])
    report, _ = stack.cycle()
    assert report.planned == {"create": 2}  # the entity type and the data set (no ingest without a source asset)
    assert stack.entities("cluedin_ingest_process") == {}
    assert len(stack.entities("cluedin_map_process")) == 1


def test_data_sets_of_one_entity_type_share_one_cluedin_entity(stack):
    seed(stack, [group("CRM", [account_set("A.csv"), account_set("B.csv"), account_set("C.csv")])])
    stack.cycle()
    assert len(stack.entities("cluedin_entity")) == 1
    outputs = {p["attributes"]["outputs"][0]["guid"] for p in stack.entities("cluedin_map_process").values()}
    assert len(outputs) == 1


def test_a_data_set_added_later_is_reflected_within_one_cycle(linked):
    stack, _ = linked
    stack.activity(
        "activity/data-set",
        {
            "group": "Account.csv",
            "dataSource": "Account.csv",
            "dataSet": "Account-2026.csv",
            "mapping": {"entityType": "/Account", "vocabulary": "account", "fields": {"Id": "account.id"}},
            "records": [{"Id": "9"}],
        },
    )
    report, _ = stack.cycle()
    assert report.planned == {"create": 1}  # one data set: dataset, ingest (same linked data source) and map
    assert "Data Set 'Account-2026.csv' synced to Purview" in [n.text for n in report.notifications]


def test_a_source_asset_that_vanished_fails_only_its_ingest_process(linked):
    stack, asset = linked
    rename_column(stack, "Account.csv", "Notes", "Remarks")
    stack.purview_client().delete_entities([asset["guid"]])  # soft-deleted: no longer resolvable by name
    report, outcomes = stack.cycle()
    [outcome] = outcomes
    assert outcome.result == "failed" and "no longer exists" in outcome.detail and not outcome.fatal
    dataset = stack.entities("cluedin_dataset")[names.dataset_name(ORG, stack.data_set_id("Account.csv"))]
    assert "Remarks" in column_names(dataset, stack)  # the dataset record was written; only the ingest failed
    assert any("no longer exists" in e for e in report.errors)


IGNORE_ALL = [{"originalField": f, "key": "--ignore--"} for f in ("Id", "Name", "Email", "Notes")]
UPDATE_MAPPING = (
    "mutation m($id: ID, $f: [InputPropertyMapping]) { inbound { updateAnnotationMappingInDataSet("
    "dataSetId: $id, fieldMappings: $f) } }"
)


def test_a_removed_mapping_removes_the_map_process_and_the_unshared_entity(linked):
    stack, _ = linked
    stack.cluedin_graphql(UPDATE_MAPPING, {"id": stack.data_set_id("Account.csv"), "f": IGNORE_ALL})
    report, _ = stack.cycle(sync_delete_failsafe_percent=100.0)
    assert sorted(report.changes) == [
        "remove Cluedin Entity '/Account'",
        "remove Map to Entity process of 'Account.csv'",
    ]
    assert stack.entities("cluedin_map_process") == {} and stack.entities("cluedin_entity") == {}
    assert len(stack.entities("cluedin_dataset")) == 1 and len(stack.entities("cluedin_ingest_process")) == 1
    writes = stack.purview_writes()
    again, _ = stack.cycle()
    assert again.planned == {} and stack.purview_writes() == writes


def test_under_retain_a_removed_mapping_is_kept_and_reported_once(linked):
    stack, _ = linked
    stack.cluedin_graphql(UPDATE_MAPPING, {"id": stack.data_set_id("Account.csv"), "f": IGNORE_ALL})
    writes = stack.purview_writes()
    report, outcomes = stack.cycle(sync_delete_policy="retain", sync_delete_failsafe_percent=100.0)
    assert report.orphaned == 1  # the entity type's row
    assert any("kept as orphaned" in o.detail for o in outcomes)  # the map process, a part of the data set's row
    assert stack.purview_writes() == writes
    assert len(stack.entities("cluedin_map_process")) == 1
    again, _ = stack.cycle(sync_delete_policy="retain")
    assert again.planned == {} and again.orphaned == 0


def test_records_too_large_for_a_queue_message_travel_beside_it(stack):
    fields = [f"Measurement_{i:03d}_with_a_long_descriptive_name" for i in range(400)]
    wide = {
        "name": "Wide.csv",
        "mapping": {"entityType": "/Wide", "vocabulary": "wide", "fields": {f: f"wide.{f.lower()}" for f in fields}},
        "records": [dict.fromkeys(fields, "1")],
        "process": True,
    }
    seed(stack, [group("Wide.csv", [wide])])
    report, outcomes = stack.cycle()
    assert report.status == "completed" and [o.result for o in outcomes] == ["applied", "applied"], report.errors
    assert any(stack.state.iter_objects("lineage-payloads"))  # the big records went beside the message
    dataset = next(iter(stack.entities("cluedin_dataset").values()))
    assert len(dataset["relationshipAttributes"]["columns"]) == 400
    mapper = next(iter(stack.entities("cluedin_map_process").values()))
    kept = len(mapping_of(mapper))  # Purview refuses attribute values over 32 KB: the mapping keeps what fits
    assert 200 < kept < 400
    details = [o.detail for o in outcomes]
    assert any(f"keeps {kept} of 400 column pairs" in d for d in details), details
    writes = stack.purview_writes()
    again, _ = stack.cycle()
    assert again.planned == {} and stack.purview_writes() == writes
