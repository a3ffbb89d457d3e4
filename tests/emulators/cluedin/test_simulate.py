"""Simulated user activity under /_emulator/: each action changes state, bumps updatedAt and writes the audit log."""

from __future__ import annotations

import pytest
import requests

from emulators.cluedin.store import OBJECT_TYPE_IDS
from tests.emulators.cluedin import documents as doc
from tests.emulators.cluedin.conftest import mapped_data_set


def _audit(client, object_type):
    response = client.rest(
        "GET", "/api/v1/auditLog/getByObjectTypeIds", params={"objectTypeIds": OBJECT_TYPE_IDS[object_type]}
    )
    return response.json()["data"]


def _count(client, query="*", filters=None):
    variables = {"query": query, "filters": filters or []}
    return client.ok(doc.SEARCH, variables, data=True)["search"]["totalResults"]


def test_data_set_activity_creates_group_source_mapped_data_set_and_golden_records(client):
    ids = mapped_data_set(client)
    assert ids["entities"] == 3 and ids["annotationId"] == 1
    assert {e["action"] for e in _audit(client, "DataSourceSet")} == {"Created"}
    assert {e["action"] for e in _audit(client, "DataSource")} == {"Created"}
    assert "Created" in {e["action"] for e in _audit(client, "Annotation")}
    again = mapped_data_set(client, dataSet="second")
    assert (again["dataSourceSetId"], again["dataSourceId"]) == (ids["dataSourceSetId"], ids["dataSourceId"])


def test_process_activity_processes_waiting_records(client):
    ids = mapped_data_set(client, process=False)
    assert _count(client) == 0
    submission = client.activity("activity/process", {"dataSetId": ids["dataSetId"]})
    assert submission["total"] == 3 and submission["success"] == 3
    assert _count(client) == 3


def test_enricher_adds_and_removing_it_takes_away_its_properties(client):
    mapped_data_set(client)
    enricher = client.activity(
        "activity/provider",
        {"kind": "Enricher", "providerId": "Web Enricher", "name": "Web", "entityType": "/Customer",
         "properties": {"customer.website": "https://{name}.example"}},
    )  # fmt: skip
    by_enricher = [{"aggregationName": "providerDefinitionIds_v2", "operator": "OR", "values": [enricher["id"]]}]
    assert _count(client, filters=by_enricher) == 3
    [entry] = client.ok(doc.SEARCH, {"query": "customer.name:Contoso"}, data=True)["search"]["entries"]
    assert entry["properties"]["property-customer.website"] == "https://Contoso.example"
    assert [e["action"] for e in _audit(client, "Provider")] == ["Created"]
    client.activity("activity/provider/remove", {"id": enricher["id"]})
    assert _count(client, filters=by_enricher) == 0
    [entry] = client.ok(doc.SEARCH, {"query": "customer.name:Contoso"}, data=True)["search"]["entries"]
    assert "property-customer.website" not in entry["properties"]
    assert _count(client) == 3
    assert [e["action"] for e in _audit(client, "Provider")] == ["Deleted", "Created"]


def test_crawler_brings_golden_records_that_leave_with_it(client):
    crawler = client.activity(
        "activity/provider",
        {"kind": "Crawler", "providerId": "HubSpot", "entityType": "/Organization",
         "records": [{"id": "h1", "name": "Tailspin", "organization.country": "US"}, {"id": "h2", "name": "Litware"}]},
    )  # fmt: skip
    assert crawler["entities"] == 2 and crawler["type"] == "Crawler"
    assert _count(client, "entityType:/Organization") == 2
    client.activity("activity/provider/remove", {"id": crawler["id"]})
    assert _count(client, "entityType:/Organization") == 0


def test_export_target_and_stream_lifecycle_is_audited_and_bumps_updated_at(client):
    mapped_data_set(client)
    target = client.activity("activity/export-target", {"accountDisplay": "Golden", "configuration": {"host": "h"}})
    stream = client.activity(
        "activity/stream",
        {
            "name": "Customers",
            "entityType": "/Customer",
            "exportTargetId": target["id"],
            "properties": ["customer.name"],
            "active": True,
        },
    )
    got = client.ok(doc.STREAM, {"id": stream["id"]})["consume"]["stream"]
    assert got["isActive"] is True and got["numberOfRecords"] == 3 and got["connector"]["id"] == target["id"]
    updated = client.activity("activity/stream/update", {"id": stream["id"], "name": "Customers v2", "active": False})
    assert updated["updatedAt"] > stream["updatedAt"] and updated["status"] == "Stopped"
    reprocessed = client.activity("activity/stream/reprocess", {"id": stream["id"]})
    assert reprocessed["updatedAt"] > updated["updatedAt"]
    renamed = client.activity("activity/export-target/update", {"id": target["id"], "accountDisplay": "Golden v2"})
    assert renamed["accountDisplay"] == "Golden v2" and renamed["updatedAt"] > target["updatedAt"]
    client.activity("activity/stream/remove", {"id": stream["id"]})
    client.activity("activity/export-target/remove", {"id": target["id"]})
    assert [e["action"] for e in _audit(client, "Stream")] == [
        "Deleted",
        "Reprocessed",
        "Updated",
        "Updated",
        "Updated",
        "Created",
    ]
    assert [e["action"] for e in _audit(client, "ExportTarget")] == ["Deleted", "Updated", "Created"]
    assert client.ok(doc.STREAMS)["consume"]["streams"]["total"] == 0


def test_removing_a_data_source_removes_its_data_sets_and_golden_records(client):
    ids = mapped_data_set(client)
    before = client.ok(doc.DATA_SOURCE_SETS)["inbound"]["dataSourceSets"]["data"][0]["updatedAt"]
    client.activity("activity/data-source/remove", {"id": ids["dataSourceId"]})
    group = client.ok(doc.DATA_SOURCE_SETS)["inbound"]["dataSourceSets"]["data"][0]
    assert group["dataSources"] == [] and group["updatedAt"] > before
    assert _count(client) == 0
    assert [e["action"] for e in _audit(client, "DataSet")] == ["Deleted", "Created"]
    assert _audit(client, "DataSource")[0]["action"] == "Deleted"


def test_groups_and_sources_are_renamed_and_removed_with_audit_entries(client):
    ids = mapped_data_set(client)
    group = client.activity("activity/data-source-group/update", {"id": ids["dataSourceSetId"], "name": "Sales EMEA"})
    source = client.activity("activity/data-source/update", {"id": ids["dataSourceId"], "name": "CRM EMEA"})
    assert group["name"] == "Sales EMEA" and source["name"] == "CRM EMEA"
    listed = client.ok(doc.DATA_SOURCE_SETS)["inbound"]["dataSourceSets"]["data"][0]
    assert listed["name"] == "Sales EMEA" and listed["dataSources"][0]["name"] == "CRM EMEA"
    client.activity("activity/data-source-group/remove", {"id": ids["dataSourceSetId"]})
    assert client.ok(doc.DATA_SOURCE_SETS)["inbound"]["dataSourceSets"]["total"] == 0
    assert [e["action"] for e in _audit(client, "DataSourceSet")] == ["Deleted", "Updated", "Created"]
    assert [e["action"] for e in _audit(client, "DataSource")] == ["Deleted", "Updated", "Created"]
    assert _count(client) == 0


def test_actor_names_the_author_of_activity(emu, client):
    emu.seed({"users": [{"username": "admin@demo.local"}, {"username": "ops@demo.local"}]})
    client = type(client)(emu)
    client.activity("activity/data-set", {"dataSet": "d", "actor": "ops@demo.local"})
    assert {e["authorName"] for e in _audit(client, "DataSet")} == {"ops@demo.local"}


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("activity/process", {}, 400),
        ("activity/process", {"dataSetId": "00000000-0000-0000-0000-000000000000"}, 404),
        ("activity/provider", {"kind": "Wizard"}, 400),
        ("activity/provider", {"kind": "Crawler"}, 400),
        ("activity/provider/remove", {"id": "nope"}, 404),
        ("activity/stream/update", {"id": "nope"}, 404),
        ("activity/export-target", {"connector": "Carrier Pigeon"}, 404),
        ("activity/data-set", {"dataSet": "x", "records": "not a list"}, 400),
        ("activity/data-set", {"dataSet": "x", "actor": "ghost@demo.local"}, 404),
        ("clock", {"advanceSeconds": "soon"}, 400),
        ("notifications", {}, 400),
    ],
)
def test_bad_activity_input_is_a_4xx(emu, path, body, status):
    response = requests.post(f"{emu.url}/_emulator/{path}", json=body)
    assert response.status_code == status, response.text
    assert "error" in response.json()
    assert requests.post(f"{emu.url}/_emulator/{path}", data=b"{nope").status_code == 400
