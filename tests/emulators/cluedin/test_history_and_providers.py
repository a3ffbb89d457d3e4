"""Issue 11 item 4: which provider contributed what (entity history and sources), providers and enrichers over REST,
edges on the data GraphQL `Entity`, and the data GraphQL `me`.

REST calls use the routes and parameters of CluedIn's Swagger and Postman collection; the data GraphQL documents
are the ones CluedIn's GraphQL documentation and Postman collection show (`edges { outgoingOfType(...) }`).
"""

from __future__ import annotations

from typing import Any

import requests

from emulators.cluedin.store import OBJECT_TYPE_IDS
from tests.emulators.cluedin import documents as doc
from tests.emulators.cluedin import toolkit as tk

ADDED, CHANGED = 1, 2
FIND = "query($q: String) { search(query: $q) { entries { id name entityType codes properties } } }"
EDGE_SUMMARY = """{ search(query: "entityType:/Customer", pageSize: 10) { entries { id name entityType edgesSummary
  edges: edges { outgoingOfType(entityType: "/Employee", edgeType: "/ManagedBy") { entries { id name } } } } } }"""
INCOMING = """query($id: ID!) { entity(id: $id) { name
  edges { incomingOfType(edgeType: "/ManagedBy") { entries { name } } } } }"""


def _find(client, query: str) -> dict[str, Any]:
    [entry] = client.ok(FIND, {"q": query}, data=True)["search"]["entries"]
    return dict(entry)


def _providers(client) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in client.rest("GET", "/api/v1/configuration/providers").json()}


def test_history_says_which_provider_contributed_which_properties(seeded):
    contoso = _find(seeded, "customer.name:Contoso")
    providers = _providers(seeded)
    history = seeded.rest("GET", "/api/v1/entity/history", params={"id": contoso["id"]}).json()
    sources = [s for group in history["groups"] for s in group["sources"]]
    by_provider = {s["providerDefinitionId"]: s for s in sources}
    enricher = by_provider[providers["OrgWebEnricher"]["id"]]
    assert enricher["sourceName"] == "OrgWebEnricher" and enricher["changeType"] == ADDED
    assert enricher["sourceDetails"]["sourceTypeId"] == OBJECT_TYPE_IDS["Provider"]
    crm = next(s for s in sources if s["sourceDetails"]["sourceTypeId"] == OBJECT_TYPE_IDS["DataSet"])
    assert crm["sourceName"] == "CRM" and crm["sourceDetails"]["displayName"] == "customers.csv"
    assert crm["changedBy"] == "admin@demo.local" and crm["changeCount"] == 5
    details = seeded.rest("GET", "/api/v1/entity/historydetails",
                          params={"id": contoso["id"], "partId": enricher["partId"]}).json()  # fmt: skip
    assert details == [{"property": "customer.website", "changeType": ADDED, "oldValue": None,
                        "newValue": "https://www.example.com/Contoso", "changedPart": 1,
                        "oldValueProperties": None, "newValueProperties": None}]  # fmt: skip
    # The newer routes: the list (with details, narrowed to one key), the sources, the changed keys.
    listed = seeded.rest("GET", f"/api/entityhistory/list/{contoso['id']}",
                         params={"includeDetail": "true", "keys": "customer.website"}).json()  # fmt: skip
    assert [row["providerDefinitionId"] for row in listed] == [enricher["providerDefinitionId"]]
    assert listed[0]["details"][0]["property"] == "customer.website"
    contributed = seeded.rest("GET", f"/api/entitysource/{contoso['id']}").json()
    assert {s["providerDefinitionId"]: s["properties"] for s in contributed}[enricher["providerDefinitionId"]] == [
        "customer.website"
    ]
    keys = seeded.rest("GET", f"/api/entityhistory/{contoso['id']}/changedkeys").json()
    assert "customer.country" in keys and "customer.website" in keys
    assert seeded.rest("GET", f"/api/entityhistory/{contoso['id']}").json() == history
    missing = seeded.rest("GET", "/api/v1/entity/historydetails", params={"id": contoso["id"], "partId": "x"})
    assert missing.status_code == 404 and missing.json()["status"] == 404


def test_crawled_records_and_later_changes_are_data_parts(seeded):
    tailspin = _find(seeded, "name:Tailspin*")
    sources = seeded.rest("GET", f"/api/entitysource/{tailspin['id']}").json()
    assert [s["sourceName"] for s in sources] == ["HubSpot"]
    assert tailspin["codes"][0].startswith("/Customer#HubSpot:")
    seeded.activity("activity/data-set", {
        "group": "Sales", "dataSource": "CRM", "dataSet": "customers-2.csv",
        "mapping": {"entityType": "/Customer", "vocabulary": "customer", "originEntityCodeKey": "customer.id",
                    "fields": {"id": "customer.id", "country": "customer.country"}},
        "records": [{"id": "C-1", "country": "SE"}],
    })  # fmt: skip
    contoso = _find(seeded, "customer.name:Contoso")
    listed = seeded.rest("GET", f"/api/entityhistory/list/{contoso['id']}", params={"includeDetail": "true"}).json()
    newest = listed[0]
    # Same data source, so the same branch: a "Changed" part holding the previous value.
    assert newest["sourceDetails"]["displayName"] == "customers-2.csv" and newest["changeType"] == CHANGED
    assert newest["details"] == [{"property": "customer.country", "changeType": CHANGED, "oldValue": "DK",
                                  "newValue": "SE", "changedPart": 1, "oldValueProperties": None,
                                  "newValueProperties": None}]  # fmt: skip


def test_providers_and_enrichers_over_rest(seeded):
    providers = _providers(seeded)
    assert providers["HubSpot"]["type"] == "Crawler" and providers["OrgWebEnricher"]["type"] == "Enricher"
    enricher_id = providers["OrgWebEnricher"]["id"]
    one = seeded.rest("GET", "/api/v1/configuration/providers", params={"id": enricher_id}).json()
    assert one["id"] == enricher_id and one["isEnabled"] is True and one["organizationId"]
    count = seeded.rest("GET", "/api/v1/configuration/providers/count", params={"includeTypes": "Enricher"}).json()
    assert count == 1
    every = seeded.rest("GET", "/api/v1/integration/enricher/all").json()
    web = next(t for t in every if t["name"] == "Web Enricher")
    assert [c["id"] for c in web["configured"]] == [enricher_id]
    details = seeded.rest("GET", f"/api/v1/integration/enricher/{enricher_id}/details").json()
    assert details["properties"] == ["customer.website"] and details["enrichedEntities"] == 3
    assert seeded.rest("GET", f"/api/v1/integration/enricher/{enricher_id}/activeJobs").json() == []
    # A record that arrives after the enricher is enriched when the enricher runs again.
    seeded.activity("activity/data-set", {
        "group": "Sales", "dataSource": "Shop", "dataSet": "web.csv",
        "mapping": {"entityType": "/Customer", "vocabulary": "customer", "originEntityCodeKey": "customer.id",
                    "nameKey": "customer.name", "fields": {"id": "customer.id", "name": "customer.name"}},
        "records": [{"id": "W-1", "name": "Woodgrove"}],
    })  # fmt: skip
    assert "property-customer.website" not in _find(seeded, "customer.name:Woodgrove")["properties"]
    job = seeded.rest("POST", f"/api/v1/integration/enricher/{enricher_id}/enrich").json()
    assert set(job) == {"jobId"}
    woodgrove = _find(seeded, "customer.name:Woodgrove")
    assert woodgrove["properties"]["property-customer.website"] == "https://www.example.com/Woodgrove"
    removed = seeded.rest("DELETE", f"/api/v1/integration/enricher/{enricher_id}/delete")
    assert removed.status_code == 200
    assert "property-customer.website" not in _find(seeded, "customer.name:Contoso")["properties"]
    history = seeded.rest("GET", "/api/v1/entity/history", params={"id": woodgrove["id"]}).json()
    assert enricher_id not in [s["providerDefinitionId"] for g in history["groups"] for s in g["sources"]]
    audit = seeded.rest("GET", f"/api/v1/auditLog/{enricher_id}/{OBJECT_TYPE_IDS['Provider']}").json()["data"]
    assert audit[0]["action"] == "Deleted"
    assert seeded.rest("GET", f"/api/v1/integration/enricher/{enricher_id}/details").status_code == 404


EDGE_SEED: dict[str, Any] = {
    "dataSourceGroups": [{"name": "CRM", "dataSources": [{"name": "CRM", "dataSets": [
        {"name": "staff.csv", "process": True, "records": [{"id": "E1", "name": "Ada"}, {"id": "E2", "name": "Alan"}],
         "mapping": {"entityType": "/Employee", "vocabulary": "employee", "originEntityCodeKey": "employee.id",
                     "nameKey": "employee.name", "fields": {"id": "employee.id", "name": "employee.name"}}},
        {"name": "accounts.csv", "process": True,
         "records": [{"id": "A1", "name": "Contoso", "manager": "E1", "vat": "DK1"},
                     {"id": "A2", "name": "Fabrikam", "manager": "E1", "vat": ""}],
         "mapping": {"entityType": "/Customer", "vocabulary": "customer", "originEntityCodeKey": "customer.id",
                     "nameKey": "customer.name", "origin": "crm",
                     "fields": {"id": "customer.id", "name": "customer.name", "vat": "customer.vat",
                                "manager": "--ignore--"},
                     "codes": [{"vocabKey": "customer.vat", "origin": "vat"}],
                     "edges": [{"column": "manager", "edgeType": "/ManagedBy", "entityType": "/Employee"}]}},
    ]}]}],
}  # fmt: skip


def test_edges_codes_and_origin_from_mappings(client, emu):
    emu.seed(EDGE_SEED)
    entries = client.ok(EDGE_SUMMARY, data=True)["search"]["entries"]
    managed = {e["name"]: [m["name"] for m in e["edges"]["outgoingOfType"]["entries"]] for e in entries}
    assert managed == {"Contoso": ["Ada"], "Fabrikam": ["Ada"]}
    ada = _find(client, "employee.name:Ada")
    incoming = client.ok(INCOMING, {"id": ada["id"]}, data=True)["entity"]["edges"]["incomingOfType"]["entries"]
    assert sorted(e["name"] for e in incoming) == ["Contoso", "Fabrikam"]
    relations = client.rest("GET", "/api/v1/entityedges", params={"id": ada["id"]}).json()
    assert {(e["edgeType"], e["direction"], e["name"]) for e in relations["edges"]} == {
        ("/ManagedBy", "Incoming", "Contoso"), ("/ManagedBy", "Incoming", "Fabrikam"),
    }  # fmt: skip
    contoso = _find(client, "customer.name:Contoso")
    assert contoso["codes"] == ["/Customer#crm:A1", "/Customer#vat:DK1"]
    assert _find(client, "customer.name:Fabrikam")["codes"] == ["/Customer#crm:A2"]
    blob = client.rest("GET", "/api/v1/entity", params={"id": contoso["id"]}).json()["entity"]["processedData"]
    assert blob["edges"]["outgoing"][0]["attribute-type"] == "/ManagedBy"
    data_set = next(d for d in emu.services.store.data_sets.values() if d["name"] == "accounts.csv")
    annotation = client.ok(tk.GET_ANNOTATION, {"id": data_set["annotationId"]})["preparation"]["annotation"]
    manager = next(p for p in annotation["annotationProperties"] if p["key"] == "manager")
    assert manager["annotationEdges"][0]["edgeType"] == "/ManagedBy" and annotation["origin"] == "crm"
    codes = client.ok(tk.GET_ANNOTATION_CODES, {"annotationId": data_set["annotationId"]})["preparation"]
    assert codes["getAnnotationCodes"][0]["vocabKey"] == "customer.vat"


def test_me_on_the_data_graphql_for_access_and_api_tokens(seeded):
    me = seeded.ok("query { me { id userName } }", data=True)["me"]
    assert me["userName"] == "admin@demo.local" and me["id"]
    token = seeded.emulator.api_token()
    public = requests.post(f"{seeded.url}/public/api/v1/graphql", json={"query": "{ me { id userName email } }"},
                           headers={"Authorization": f"Bearer {token}"}, timeout=10).json()  # fmt: skip
    assert public["data"]["me"]["id"] == me["id"]


def test_mapping_details_through_the_toolkit_documents(seeded):
    store = seeded.emulator.services.store
    data_set = next(d for d in store.data_sets.values() if d["name"] == "customers.csv")
    annotation_id = data_set["annotationId"]
    rule = seeded.ok(
        tk.CREATE_PRE_PROCESS_RULE,
        {
            "rule": {
                "annotationId": str(annotation_id),
                "displayName": "Trim",
                "transformations": {
                    "filters": [],
                    "operations": [
                        {
                            "id": "trim",
                            "displayName": "Trim",
                            "inverse": False,
                            "parameters": [],
                            "__typename": "AnnotationValidation",
                        }
                    ],
                },
            }
        },
    )
    created = rule["preparation"]["createPreProcessDataSetRule"]
    assert created["orderNumber"] == 1 and created["isActive"] is True
    saved = seeded.ok(
        tk.SAVE_PRE_PROCESS_RULE,
        {"rule": {"id": created["id"], "displayName": "Trim all", "isActive": False, "transformations": None}},
    )
    assert saved["preparation"]["savePreProcessDataSetRule"]["displayName"] == "Trim all"
    page = seeded.ok(tk.GET_PRE_PROCESS_RULES, {"annotationId": annotation_id, "page": 0, "pageSize": 20})
    assert page["preparation"]["getAllPreProcessDataSetRules"]["data"][0]["displayName"] == "Trim all"
    code = seeded.ok(
        tk.CREATE_ANNOTATION_CODE,
        {
            "annotationCode": {
                "annotationId": str(annotation_id),
                "vocabKey": "customer.email",
                "entityCodeOrigin": "email",
                "key": "email",
                "type": "code",
                "sourceCode": None,
            }
        },
    )
    code_id = code["preparation"]["createAnnotationCode"]["id"]
    seeded.ok(
        tk.EDIT_ANNOTATION_CODE, {"id": code_id, "annotationCode": {"entityCodeOrigin": "mail", "sourceCode": "x"}}
    )
    codes = seeded.ok(tk.GET_ANNOTATION_CODES, {"annotationId": annotation_id})["preparation"]["getAnnotationCodes"]
    mine = next(c for c in codes if c["id"] == code_id)
    assert mine["entityCodeOrigin"] == "mail" and mine["sourceCode"] == "x" and mine["annotationId"] == annotation_id
    batch = {
        "propertyMappingSettings": [
            {"vocabKey": "customer.email", "entityCodeOrigin": "email", "useAsEntityCode": True, "useSourceCode": False}
        ]
    }
    seeded.ok(tk.BATCH_PROPERTY_MAPPINGS, {"annotationId": annotation_id, "batchPropertyMappings": batch})
    unknown = {"propertyMappingSettings": [{"vocabKey": "customer.nope", "useAsEntityCode": True}]}
    refused = seeded.raw(tk.BATCH_PROPERTY_MAPPINGS, {"annotationId": annotation_id, "batchPropertyMappings": unknown})
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    seeded.ok(tk.CUSTOM_ORIGIN, {"annotationId": annotation_id, "customOrigin": "salesforce"})
    edge: dict[str, Any] = {
        "entityTypeConfiguration": {},
        "edgeProperties": [],
        "edgeType": "/LocatedIn",
        "origin": None,
        "direction": None,
        "dataSetId": None,
        "dataSourceGroupId": None,
        "dataSourceId": None,
    }
    assert (
        seeded.ok(tk.ADD_EDGE_MAPPING, {"annotationId": annotation_id, "key": "country", "edgeConfiguration": edge})[
            "management"
        ]["addEdgeMapping"]
        is True
    )
    annotation = seeded.ok(tk.GET_ANNOTATION, {"id": annotation_id})["preparation"]["annotation"]
    email = next(p for p in annotation["annotationProperties"] if p["vocabKey"] == "customer.email")
    assert email["useAsEntityCode"] is True and email["entityCodeOrigin"] == "email"
    assert annotation["origin"] == "salesforce"
    actions = [
        e["details"]
        for e in seeded.rest("GET", f"/api/v1/auditLog/{annotation_id}/{OBJECT_TYPE_IDS['Annotation']}").json()["data"]
    ]
    assert {"origin": "salesforce"} in actions


def test_data_source_database_configuration_grants_and_data_set_flag(seeded):
    emu = seeded.emulator
    configuration = {
        "id": 1,
        "dialect": "mssql",
        "host": "sql",
        "username": "sa",
        "password": None,
        "database": "crm",
        "port": 1433,
        "encrypt": True,
    }
    assert seeded.ok(tk.SAVE_DATABASE_CONFIGURATION, {"id": 1, "configuration": configuration})
    source = seeded.ok(tk.GET_DATA_SOURCE, {"id": 1})["inbound"]["dataSource"]
    assert source["sql"] == {
        "dialect": "mssql",
        "host": "sql",
        "username": "sa",
        "database": "crm",
        "port": 1433,
        "encrypt": True,
    }
    targets = seeded.ok(doc.CONNECTOR_CONFIGURATIONS, {"pageNo": 1})["inbound"]["connectorConfigurations"]
    target_id = targets["configurations"][0]["id"]
    steward = next(u["id"] for u in emu.services.store.users.values() if u["username"] == "steward@demo.local")
    granted = seeded.ok(tk.GRANT_USERS_PERMISSION, {"connectorId": target_id, "userIds": [steward]})
    assert steward in [u["id"] for u in granted["inbound"]["grantUsersPermission"]["users"]]
    unknown = seeded.raw(tk.GRANT_USERS_PERMISSION, {"connectorId": target_id, "userIds": [doc.ZERO]})
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    data_set = next(iter(emu.services.store.data_sets))
    seeded.ok(tk.SAVE_DATA_SET, {"dataSet": {"id": data_set, "onlyUpdateClueHeadVersion": True}})
    flag = seeded.ok("query($id: ID!) { inbound { dataSet(id: $id) { onlyUpdateClueHeadVersion } } }", {"id": data_set})
    assert flag["inbound"]["dataSet"]["onlyUpdateClueHeadVersion"] is True


def test_manual_data_entry_records_are_attributed_to_their_project(client, emu):
    emu.seed({"manualDataEntryProjects": [{
        "title": "Account MDE", "entityType": "/Customer", "vocabulary": "customer",
        "fields": [{"key": "customer.id", "label": "Id", "useAsEntityCode": True}, {"key": "customer.name"}],
        "records": [{"Id": "M-1", "customer.name": "Litware"}]}]})  # fmt: skip
    [project] = client.ok(tk.GET_MDE_PROJECTS, {"pageNumber": 0, "pageSize": 20})["management"][
        "manualDataEntryProjects"
    ]["data"]
    detail = client.ok(tk.GET_MDE_PROJECT, {"id": project["id"]})["management"]["manualDataEntryProject"]
    litware = _find(client, "customer.name:Litware")
    assert litware["codes"] == ["/Customer#ManualDataEntry:M-1"] and litware["name"] == "Litware"
    [source] = client.rest("GET", f"/api/entitysource/{litware['id']}").json()
    assert source["providerDefinitionId"] == detail["connectorConfigurationId"]
    assert source["sourceDetails"] == {"displayName": "Account MDE", "sourceObjectId": project["id"],
                                       "sourceTypeId": OBJECT_TYPE_IDS["ManualDataEntryProject"]}  # fmt: skip
    assert sorted(source["properties"]) == ["customer.id", "customer.name"]


PROVIDER_KEYS = """query($connectorId: ID) { management {
  vocabularyKeys(connectorId: $connectorId, pageNumber: 1, pageSize: 50) {
    total data { key providerId isProvider connector { id name type } } } } }"""


def test_the_keys_an_enricher_writes_are_listed_under_its_connector(seeded):
    web = next(t for t in seeded.rest("GET", "/api/v1/integration/enricher/all").json() if t["name"] == "Web Enricher")
    keys = seeded.ok(PROVIDER_KEYS, {"connectorId": web["id"]})["management"]["vocabularyKeys"]
    assert keys["total"] == 1 and keys["data"][0]["key"] == "customer.website"
    assert keys["data"][0]["isProvider"] is True and keys["data"][0]["connector"]["name"] == "Web Enricher"


USED_TYPES = """query getEntityType($pageSize: Int) { management {
  entityTypeConfigurations(pageNumber: 1, pageSize: $pageSize, filterIsUsed: true) { total data { entityType } } } }"""


def test_a_crawler_s_entity_type_is_listed_among_the_used_ones(client, emu):
    """Golden records of a type nothing configured (a crawler's) appear in the used entity types, as the business
    domain list shows them: what a client sampling "entity types in use" reads first."""
    emu.seed({"providers": [{"kind": "Crawler", "providerId": "HubSpot", "entityType": "/Lead",
                             "records": [{"id": "L-1", "name": "Tailspin", "lead.country": "US"}]}]})  # fmt: skip
    listed = client.ok(USED_TYPES, {"pageSize": 10})["management"]["entityTypeConfigurations"]
    assert [t["entityType"] for t in listed["data"]] == ["/Lead"]
    audit = client.rest("GET", "/api/v1/auditLog/getByObjectTypeIds",
                        params={"objectTypeIds": OBJECT_TYPE_IDS["EntityType"]}).json()  # fmt: skip
    assert [e["objectName"] for e in audit["data"]] == ["/Lead"]
