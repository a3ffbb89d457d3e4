"""REST: status, providers, enrichers, audit log, notifications, settings, glossary, entities — all /api forms."""

from __future__ import annotations

import uuid

import pytest
import requests

from emulators.cluedin.store import OBJECT_TYPE_IDS
from tests.emulators.cluedin import documents as doc
from tests.emulators.cluedin.conftest import mapped_data_set

PREFIXES = ["/api", "/api/v1", "/api/api", "/api/api/v1"]


@pytest.mark.parametrize("path", ["/status", "/api/status", "/api/v1/status", "/api/api/status"])
def test_status_is_green_with_a_version_header_and_no_auth(emu, path):
    response = requests.get(f"{emu.url}{path}")
    assert response.status_code == 200
    assert response.json()["ServiceStatus"] == "Green"
    major = int(response.headers["x-cluedin-version"].split(".")[0])
    assert major >= 3


@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_rest_route_answers_under_all_prefixes(seeded, prefix):
    providers = seeded.rest("GET", f"{prefix}/configuration/providers")
    assert providers.status_code == 200
    kinds = {p["type"] for p in providers.json()}
    assert {"DataSource", "ExportTarget", "Crawler", "Enricher"} <= kinds


def test_providers_active_inactive_pause_play(seeded):
    crawler = next(p for p in seeded.rest("GET", "/api/api/configuration/providers").json() if p["type"] == "Crawler")
    one = seeded.rest("GET", "/api/api/configuration/providers", params={"id": crawler["id"]}).json()
    assert one["accountDisplay"] == "hubspot @ demo"
    paused = seeded.rest("PUT", "/api/v1/organization/providers", params={"id": crawler["id"], "active": "false"})
    assert paused.status_code == 200 and paused.json()["active"] is False
    inactive = seeded.rest("GET", "/api/api/configuration/inactiveproviders").json()
    assert [p["id"] for p in inactive] == [crawler["id"]]
    assert crawler["id"] not in {p["id"] for p in seeded.rest("GET", "/api/api/configuration/providers").json()}
    catalogue = seeded.rest("GET", "/api/api/configuration/providerlist").json()
    assert {"Web Enricher", "HubSpot", "Ingestion Endpoint", "Sql Server Connector"} <= {p["name"] for p in catalogue}
    enrichers = seeded.rest("GET", "/api/v1/integration/enricher/all").json()
    web = next(e for e in enrichers if e["name"] == "Web Enricher")
    assert web["configured"][0]["name"] == "OrgWebEnricher"
    configured = seeded.rest("GET", f"/api/v1/integration/enricher/{web['configured'][0]['id']}").json()
    assert configured["type"] == "Enricher"
    assert seeded.rest("GET", f"/api/v1/integration/enricher/{uuid.uuid4()}").status_code == 404
    assert seeded.rest("GET", "/api/v1/integration/connector/all").status_code == 200
    bad = seeded.rest("PUT", "/api/v1/organization/providers", params={"id": crawler["id"], "active": "maybe"})
    assert bad.status_code == 400 and bad.json()["status"] == 400


def test_audit_log_records_changes_and_filters_by_type_object_author_and_window(client):
    start = client.ok(doc.ME) and requests.post(f"{client.url}/_emulator/clock", json={}).json()["now"]
    ids = mapped_data_set(client)
    client.ok(doc.SAVE_DATA_SET, {"dataSet": {"id": ids["dataSetId"], "name": "renamed"}})
    types = OBJECT_TYPE_IDS
    response = client.rest(
        "GET", "/api/v1/auditLog/getByObjectTypeIds", params=[("objectTypeIds", types["DataSet"]), ("fromDate", start)]
    )
    body = response.json()
    assert body["total"] == 2
    assert [e["action"] for e in body["data"]] == ["Updated", "Created"]
    entry = body["data"][0]
    assert entry["objectId"] == ids["dataSetId"] and entry["objectTypeId"] == types["DataSet"]
    assert entry["details"] == {"name": "renamed"}
    both = client.rest(
        "GET",
        "/api/api/v1/auditLog/getByObjectTypeIds",
        params={"objectTypeIds": f"{types['DataSourceSet']},{types['DataSource']}"},
    ).json()
    assert {e["objectType"] for e in both["data"]} == {"DataSourceSet", "DataSource"}
    by_object = client.rest(
        "GET", "/api/v1/auditLog/getByObjectTypeIds", params={"objectIds": str(ids["dataSourceSetId"])}
    )
    assert {e["objectType"] for e in by_object.json()["data"]} == {"DataSourceSet", "DataSource", "Annotation"}, (
        "int ids repeat"
    )
    group_only = client.rest(
        "GET",
        "/api/v1/auditLog/getByObjectTypeIds",
        params={"objectIds": str(ids["dataSourceSetId"]), "objectTypeIds": types["DataSourceSet"]},
    ).json()
    assert [e["objectType"] for e in group_only["data"]] == ["DataSourceSet"] * group_only["total"]
    author = client.ok(doc.ME)["administration"]["me"]["client"]["id"]
    mine = client.rest(
        "GET", "/api/v1/auditLog/getByObjectTypeIds", params={"authorId": author, "take": 2, "page": 1}
    ).json()
    assert len(mine["data"]) == 2 and mine["total"] > 4
    later = client.rest(
        "GET", "/api/v1/auditLog/getByObjectTypeIds", params={"fromDate": "2999-01-01T00:00:00Z"}
    ).json()
    assert later["total"] == 0
    one = client.rest("GET", f"/api/v1/auditLog/{ids['annotationId']}/{types['Annotation']}").json()
    assert {e["action"] for e in one["data"]} == {"Created", "Updated"}
    bad = client.rest("GET", "/api/v1/auditLog/getByObjectTypeIds", params={"objectTypeIds": str(uuid.uuid4())})
    assert bad.status_code == 400
    bad_date = client.rest("GET", "/api/v1/auditLog/getByObjectTypeIds", params={"fromDate": "yesterday"})
    assert bad_date.status_code == 400 and "fromDate" in bad_date.json()["detail"]


def test_notifications_read_and_mark(seeded):
    [welcome] = seeded.rest("GET", "/api/v1/notification/all").json()
    assert welcome["title"] == "Welcome" and welcome["isRead"] is False
    marked = seeded.rest("PUT", "/api/v1/notification/mark", params={"id": welcome["id"]}).json()
    assert marked["isRead"] is True
    assert seeded.rest("PUT", "/api/v1/notification/markall").status_code == 200
    assert seeded.rest("GET", "/api/v1/providernotification/all").json() == []
    assert seeded.rest("PUT", "/api/v1/notification/mark", params={"id": "x"}).status_code == 404


def test_settings_over_rest(client):
    org_id = client.ok(doc.ORGANIZATION)["administration"]["organization"]["Id"]
    put = client.rest(
        "PUT",
        f"/api/v1/organization/configurationvalue/{org_id}",
        json={"configurationKey": "K", "value": "v", "useDefault": False},
    )
    assert put.json() == {"configurationKey": "K", "value": "v"}
    got = client.rest(
        "GET", f"/api/v1/organization/configurationvalue/{org_id}", params={"configurationKey": "K"}
    ).json()
    assert got["value"] == "v"
    assert client.rest("GET", f"/api/v1/organization/configurationsettings/{org_id}").json() == {"K": "v"}
    assert client.rest("GET", f"/api/v1/organization/configurationsettings/{uuid.uuid4()}").status_code == 404
    assert client.rest("PUT", f"/api/v1/organization/configurationvalue/{org_id}", data=b"[").status_code == 400


def test_glossary_rest_crud(client):
    category = client.rest("POST", "/api/v1/glossary/category", json={"name": "Purview"}).json()
    term = client.rest("POST", "/api/v1/glossary", json={"name": "Customer", "categoryId": category["id"]}).json()
    child = client.rest(
        "POST", "/api/v1/glossary", json={"name": "Email", "categoryId": category["id"], "parentId": term["id"]}
    ).json()
    assert child["parentId"] == term["id"]
    listed = client.rest("GET", "/api/v1/glossary", params={"filterCategory": category["id"], "take": 1}).json()
    assert listed["total"] == 2 and len(listed["data"]) == 1 and listed["data"][0]["categoryName"] == "Purview"
    updated = client.rest("PUT", "/api/v1/glossary", json={"id": term["id"], "active": True, "description": "d"}).json()
    assert updated["active"] is True and updated["version"] == 2
    assert client.rest("GET", f"/api/v1/glossary/{term['id']}").json()["description"] == "d"
    assert client.rest("GET", "/api/v1/glossary/term/search/mai").json()[0]["name"] == "Email"
    assert client.rest("GET", "/api/v1/glossary/category/search/pur").json()[0]["id"] == category["id"]
    assert client.rest("GET", f"/api/v1/glossary/category/{category['id']}").json()["name"] == "Purview"
    assert client.rest("DELETE", f"/api/v1/glossary/category/{category['id']}").status_code == 400
    for ident in (child["id"], term["id"]):
        assert client.rest("DELETE", f"/api/v1/glossary/{ident}").status_code == 200
    assert client.rest("DELETE", f"/api/v1/glossary/category/{category['id']}").status_code == 200
    assert client.rest("GET", f"/api/v1/glossary/{term['id']}").status_code == 404
    assert client.rest("GET", "/api/v1/glossary/category").json() == {"data": [], "total": 0}
    assert client.rest("POST", "/api/v1/glossary", json={"name": "x"}).status_code == 404


def test_entity_and_schema_over_rest(seeded):
    [entry] = seeded.ok(doc.SEARCH, {"query": "customer.name:Contoso"}, data=True)["search"]["entries"]
    body = seeded.rest("GET", "/api/api/entity", params={"id": entry["id"], "full": "true"}).json()
    # The shape the cluedin-client reads: entity['attribute-id'] and entity.processedData.{name, codes, ...}.
    entity = body["entity"]
    assert entity["attribute-id"] == entry["id"] and entity["processedData"]["name"] == "Contoso"
    assert entity["processedData"]["attribute-origin"] in entity["processedData"]["codes"]
    assert entity["processedData"]["properties"]["property-customer.country"] == "DK"
    schema = seeded.rest("GET", "/api/api/entity/schema").json()
    email = next(row for row in schema if row["Key"] == "customer.email")
    assert email["VocabularyName"] == "customer" and email["DataType"] == "Email" and email["DisplayName"] == "email"


def test_unknown_routes_and_methods_use_problem_details(client):
    missing = client.rest("GET", "/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["status"] == 404
    wrong_method = client.rest("DELETE", "/api/v1/notification/all")
    assert wrong_method.status_code == 405
