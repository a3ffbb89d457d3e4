"""Faults through the shared kit, counters, snapshot/load, seeding and the spec-violation recorder."""

from __future__ import annotations

import pytest
import requests

from emulators.purview.testing import seeded_purview
from tests.emulators.purview.helpers import API, get_entity, search, table, upsert

SEED = {
    "typedefs": {"entityDefs": [{"name": "cluedin_entity", "superTypes": ["DataSet"], "serviceType": "CluedIn"}]},
    "termTemplates": [{"name": "CluedIn Template", "attributeDefs": [{"name": "CluedInVocab", "typeName": "boolean"}]}],
    "collections": [
        {"name": "payroll", "friendlyName": "Payroll", "parentCollection": {"referenceName": "finance"}},
        {"name": "finance", "friendlyName": "Finance"},
    ],
    "glossaries": [
        {
            "name": "Glossary",
            "terms": [
                {"name": "Contact", "status": "Approved", "attributes": {"CluedIn Template": {"CluedInVocab": True}}},
                {"name": "Contact_Email", "nickName": "Email", "parentTerm": {"name": "Contact"}},
            ],
        },
        {"name": "Finance", "terms": [{"name": "Revenue"}]},
    ],
    "entities": [
        {
            "typeName": "azure_sql_table",
            "guid": -1,
            "collectionId": "payroll",
            "attributes": {"qualifiedName": "mssql://srv/db/dbo/people", "name": "people"},
            "relationshipAttributes": {
                "columns": [{"guid": -2}],
                "meanings": [
                    {"typeName": "AtlasGlossaryTerm", "uniqueAttributes": {"qualifiedName": "Contact@Glossary"}}
                ],
            },
        },
        {
            "typeName": "azure_sql_column",
            "guid": -2,
            "collectionId": "payroll",
            "attributes": {
                "qualifiedName": "mssql://srv/db/dbo/people#email",
                "name": "email",
                "data_type": "nvarchar",
            },
        },
        {
            "typeName": "cluedin_entity",
            "guid": -3,
            "attributes": {"qualifiedName": "cluedin://person", "name": "person"},
        },
        {
            "typeName": "Process",
            "attributes": {
                "qualifiedName": "sync",
                "name": "sync",
                "inputs": [{"guid": -1}],
                "outputs": [{"guid": -3}],
            },
        },
    ],
}


def test_throttling_answers_429_with_retry_after_in_each_shape(purview):
    s = purview.session()
    purview.set_faults(throttle_ops_per_sec=0.2, throttle_burst=1)
    statuses = [s.get(f"{purview.atlas_url}/types/typedefs/headers").status_code for _ in range(3)]
    assert statuses[0] == 200 and 429 in statuses
    throttled = s.get(f"{purview.atlas_url}/types/typedefs/headers")
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) >= 1
    assert set(throttled.json()) == {"requestId", "errorCode", "errorMessage"}
    assert throttled.json()["errorCode"] == "ATLAS-429-00-001"
    account = s.get(f"{purview.account_url}/collections?api-version=2019-11-01-preview")
    assert account.status_code == 429 and "error" in account.json()


def test_injected_errors_and_dropped_connections(purview):
    s = purview.session()
    purview.set_faults(fail_next=1, fail_next_status=503, methods=["POST"])
    failed = s.post(f"{purview.datamap_url}/atlas/v2/entity/bulk", json={"entities": [table("mssql://x", guid=-1)]})
    assert failed.status_code == 503 and failed.json()["errorCode"] == "ATLAS-503-00-001"
    purview.set_faults(drop_rate=1.0, methods=["POST"])
    with pytest.raises(requests.ConnectionError):
        s.post(f"{purview.datamap_url}/atlas/v2/entity/bulk", json={"entities": [table("mssql://y", guid=-1)]})
    purview.clear_faults()
    assert purview.store.entities.entities == {}


def test_counters_are_named_by_operation_id(purview):
    s = purview.session()
    guid = upsert(s, purview.datamap_url, table("mssql://c", guid=-1))["guidAssignments"]["-1"]
    get_entity(s, purview.datamap_url, guid)
    s.get(f"{purview.datamap_url}/atlas/v2/entity/guid/missing")
    stats = s.get(f"{purview.url}/_emulator/stats").json()
    assert stats["operations"]["Entity_BulkCreateOrUpdate"] == {"count": 1, "write": True, "statuses": {"200": 1}}
    assert stats["operations"]["Entity_Get"]["statuses"] == {"200": 1, "404": 1}
    assert stats["writes"] == 1


def test_seed_loads_through_the_api_rules(purview):
    s = purview.session()
    assert s.put(f"{purview.url}/_emulator/state", json=SEED).status_code == 204
    people = s.get(
        f"{purview.datamap_url}/atlas/v2/entity/uniqueAttribute/type/azure_sql_table",
        params={"attr:qualifiedName": "mssql://srv/db/dbo/people"},
    ).json()
    entity = people["entity"]
    assert entity["collectionId"] == "payroll"
    assert entity["relationshipAttributes"]["meanings"][0]["displayText"] == "Contact"
    assert len(people["referredEntities"]) == 1
    assert entity["relationshipAttributes"]["inputToProcesses"][0]["displayText"] == "sync"
    glossary = next(g for g in s.get(f"{purview.datamap_url}/atlas/v2/glossary").json() if g["name"] == "Glossary")
    terms = {t["name"]: t for t in s.get(f"{purview.datamap_url}/atlas/v2/glossary/{glossary['guid']}/terms").json()}
    assert terms["Contact_Email"]["parentTerm"]["termGuid"] == terms["Contact"]["guid"]
    assert terms["Contact"]["attributes"] == {"CluedIn Template": {"CluedInVocab": True}}
    assert len([g for g in s.get(f"{purview.datamap_url}/atlas/v2/glossary").json() if g["name"] == "Glossary"]) == 1
    assert search(s, purview.datamap_url, {"filter": {"term": "Contact"}})["@search.count"] == 1


def test_invalid_seed_is_rejected_with_the_atlas_reason(purview):
    s = purview.session()
    bad = {"entities": [{"typeName": "azure_sql_table", "attributes": {"qualifiedName": "no name"}}]}
    response = s.put(f"{purview.url}/_emulator/state", json=bad)
    assert response.status_code == 400
    assert "ATLAS-404-00-007" in response.json()["error"]["message"]
    with pytest.raises(ValueError, match="unknown seed section"):
        purview.seed({"entitys": []})


def test_snapshot_and_load_restore_everything_exactly(purview):
    s = purview.session()
    purview.seed(SEED)
    snapshot = s.get(f"{purview.url}/_emulator/state").json()
    assert snapshot["format"] == "purview-emulator-state/1"
    before = search(s, purview.datamap_url, {"keywords": "*", "limit": 100})
    assert s.post(f"{purview.url}/_emulator/reset").status_code == 204
    assert search(s, purview.datamap_url, {"filter": {"entityType": "DataSet"}})["@search.count"] == 0
    assert s.put(f"{purview.url}/_emulator/state", json=snapshot).status_code == 204
    after = search(s, purview.datamap_url, {"keywords": "*", "limit": 100})
    assert {v["id"] for v in after["value"]} == {v["id"] for v in before["value"]}
    people = next(v for v in after["value"] if v["name"] == "people")
    assert get_entity(s, purview.datamap_url, people["id"])["entity"]["relationshipAttributes"]["columns"]
    created = upsert(s, purview.datamap_url, table("mssql://after/load", guid=-1))
    assert created["mutatedEntities"]["CREATE"]
    assert s.get(f"{purview.atlas_url}/types/typedef/name/cluedin_entity").status_code == 200


def test_validate_requests_rejects_and_records_spec_violations():
    with seeded_purview(validate_requests=True) as emu:
        s = emu.session()
        good = s.post(
            f"{emu.datamap_url}/atlas/v2/entity/bulk{API}", json={"entities": [table("mssql://ok", guid="-1")]}
        )
        assert good.status_code == 200
        bad = s.post(f"{emu.datamap_url}/atlas/v2/entity/bulk{API}", json={"entities": [table("mssql://int", guid=-1)]})
        assert bad.status_code == 400
        assert bad.json()["errorCode"] == "ATLAS-400-00-01A"
        assert "body.entities[0].guid" in bad.json()["errorMessage"]
        no_version = s.post(f"{emu.datamap_url}/search/query", json={})
        assert no_version.status_code == 400
        read_only = s.put(
            f"{emu.account_url}/collections/x?api-version=2019-11-01-preview",
            json={"parentCollection": {"referenceName": emu.store.collections.root, "type": "CollectionReference"}},
        )
        assert read_only.status_code == 400 and "error" in read_only.json()
        recorded = s.get(f"{emu.url}/_emulator/violations").json()
        assert recorded["count"] == 3
        assert recorded["violations"][0]["operationId"] == "Entity_BulkCreateOrUpdate"
        assert any("read-only" in v for v in recorded["violations"][2]["violations"])
        assert s.delete(f"{emu.url}/_emulator/violations").status_code == 204
        assert s.get(f"{emu.url}/_emulator/violations").json()["count"] == 0
