"""Data GraphQL: search with cursor paging and filters, entity by id, data-quality metrics per data source."""

from __future__ import annotations

import base64
import json

from tests.emulators.cluedin import documents as doc
from tests.emulators.cluedin.conftest import mapped_data_set


def _all_pages(client, variables):
    seen: list[str] = []
    cursor, pages = None, 0
    while True:
        result = client.ok(doc.SEARCH, {**variables, "cursor": cursor}, data=True)["search"]
        if not result["entries"]:
            return seen, pages, result
        seen += [e["id"] for e in result["entries"]]
        cursor, pages = result["cursor"], pages + 1


def test_cursor_paging_walks_every_result_once(client):
    records = [{"id": str(i), "name": f"Customer {i:02d}"} for i in range(25)]
    mapped_data_set(client, records=records)
    ids, pages, last = _all_pages(client, {"query": "*", "pageSize": 10})
    assert len(ids) == 25 == len(set(ids)) and pages == 3
    assert ids == sorted(ids)
    assert last["totalResults"] == 25
    decoded = json.loads(base64.b64decode(last["cursor"]).decode("utf-16-le"))
    assert decoded == {"pageSize": 10, "page": 4}


def test_query_syntax_entity_type_properties_wildcards_and_free_text(client):
    mapped_data_set(client)
    client.activity(
        "activity/data-set",
        {"dataSet": "emp", "dataSource": "HR", "records": [{"id": "e1", "name": "Ada"}],
         "mapping": {"entityType": "/Employee", "vocabulary": "employee",
                     "fields": {"id": "employee.id", "name": "employee.name"}, "originEntityCodeKey": "employee.id"}},
    )  # fmt: skip

    def total(query):
        return client.ok(doc.SEARCH, {"query": query}, data=True)["search"]["totalResults"]

    assert total("*") == 4
    assert total("entityType:/Employee") == 1
    assert total("properties.customer.country:DK") == 1
    assert total("customer.country:dk") == 0, "lookups are case-sensitive"
    assert total("+entityType:/Customer +customer.name:North*") == 1
    assert total("+entityType:/Customer -customer.country:DK") == 2
    assert total("customer.country:*") == 3
    assert total("fabrikam") == 1


def test_provider_definition_filter_selects_a_data_source(client):
    first = mapped_data_set(client)
    second = mapped_data_set(client, dataSource="ERP", dataSet="erp", records=[{"id": "x", "name": "Other"}])
    assert first["connectorConfigurationId"] != second["connectorConfigurationId"]
    filters = [
        {
            "aggregationName": "providerDefinitionIds_v2",
            "operator": "OR",
            "values": [second["connectorConfigurationId"]],
        }
    ]
    found = client.ok(doc.SEARCH, {"query": "*", "filters": filters}, data=True)["search"]
    assert found["totalResults"] == 1 and found["entries"][0]["name"] == "Other"
    provider = first["connectorConfigurationId"]
    literal = client.ok(
        f'{{ search(query: "*", filters: [{{aggregationName: "providerDefinitionIds_v2", operator: OR, '
        f'values: ["{provider}"]}}]) {{ totalResults }} }}',
        data=True,
    )
    assert literal["search"]["totalResults"] == 3
    unknown = client.raw(doc.SEARCH, {"filters": [{"aggregationName": "colour", "values": ["red"]}]}, data=True)
    assert "unknown search filter" in unknown["errors"][0]["message"]


def test_search_arguments_are_validated(client):
    bad_cursor = client.raw(doc.SEARCH, {"cursor": "%%%"}, data=True)
    assert "invalid paging cursor" in bad_cursor["errors"][0]["message"]
    too_big = client.raw(doc.SEARCH, {"pageSize": 10_001}, data=True)
    assert too_big["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    wrong_enum = client.raw("{ search(sort: SIDEWAYS) { totalResults } }", data=True)
    assert wrong_enum["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_entity_properties_can_be_narrowed(client):
    mapped_data_set(client)
    [entry] = client.ok(doc.SEARCH, {"query": "customer.name:Contoso"}, data=True)["search"]["entries"]
    narrowed = client.ok(
        'query($id: ID!) { entity(id: $id) { properties(propertyNames: ["customer.email"]) } }',
        {"id": entry["id"]},
        data=True,
    )
    assert narrowed["entity"]["properties"] == {
        "attribute-type": "/Metadata/KeyValue",
        "property-customer.email": "a@contoso.com",
    }
    missing = client.raw(doc.ENTITY, {"id": "5b5f3c50-6fbc-4d1d-9a19-000000000000"}, data=True)
    assert missing["data"] == {"entity": None} and missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_metrics_have_a_global_dimension_per_data_source(client):
    crm = mapped_data_set(client)
    erp = mapped_data_set(
        client,
        dataSource="ERP",
        dataSet="erp",
        records=[{"id": "7", "name": "Full", "email": "f@x.org", "country": "DE"}],
    )
    metrics = client.ok(doc.METRICS, {"names": []}, data=True)["metrics"]
    names = {m["name"] for m in metrics}
    assert {"accuracy", "completeness", "timeliness", "uniqueness"} <= names
    completeness = next(m for m in metrics if m["name"] == "completeness")
    assert completeness["dataType"] == "Percentage"
    by_provider = {d["providerDefinitionId"]: d for d in completeness["globalDimensions"]}
    assert by_provider[crm["connectorConfigurationId"]]["latestValue"] == round(100 * 11 / 12, 2)
    assert by_provider[erp["connectorConfigurationId"]]["latestValue"] == 100.0
    assert by_provider[crm["connectorConfigurationId"]]["detail"] == "CRM"
    assert by_provider[None]["type"] == "Global"
    only = client.ok(doc.METRICS, {"names": ["accuracy"]}, data=True)["metrics"]
    assert [m["name"] for m in only] == ["accuracy"]


def test_accuracy_checks_values_against_vocabulary_key_data_types(emu, client):
    emu.seed(
        {
            "vocabularies": [{"name": "customer", "keys": [{"name": "email", "dataType": "Email"}, {"name": "id"}]}],
            "dataSourceGroups": [{"name": "G", "dataSources": [{"name": "S", "dataSets": [{
                "name": "d", "mapping": {"entityType": "/Customer", "vocabulary": "customer",
                                         "fields": {"id": "customer.id", "email": "customer.email"}},
                "records": [{"id": "1", "email": "a@b.c"}, {"id": "2", "email": "broken"}]}]}]}],
        }
    )  # fmt: skip
    [accuracy] = client.ok(doc.METRICS, {"names": ["accuracy"]}, data=True)["metrics"]
    source = next(d for d in accuracy["globalDimensions"] if d["providerDefinitionId"])
    assert source["latestValue"] == 75.0
    timeliness = client.ok(doc.METRICS, {"names": ["timeliness"]}, data=True)["metrics"][0]["globalDimensions"][1]
    assert timeliness["latestValue"] == 100.0
    client.activity("clock", {"advanceSeconds": 15 * 86400})
    aged = emu.graphql(doc.METRICS, {"names": ["timeliness"]}, data=True)["data"]["metrics"][0]["globalDimensions"][1]
    assert 49 < aged["latestValue"] < 51
