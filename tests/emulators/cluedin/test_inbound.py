"""`inbound`: data source groups, data sources, data sets, data-set mappings, export targets — shapes and paging."""

from __future__ import annotations

import uuid

from tests.emulators.cluedin import documents as doc
from tests.emulators.cluedin.conftest import CUSTOMERS, mapped_data_set

ENDPOINT_CONFIG = {
    "object": {"endPointName": "customers", "autoSubmit": False, "entityType": "/Customer"},
    "entityTypeConfiguration": {"new": True, "icon": "Person", "entityType": "/Customer", "displayName": "Customer"},
}


def _group(client, name):
    return client.ok(doc.CREATE_DATA_SOURCE_SET, {"dataSourceSet": {"name": name}})["inbound"]["createDataSourceSet"]


def _source(client, group, name="src"):
    created = client.ok(
        doc.CREATE_DATA_SOURCE, {"dataSourceSetId": group, "dataSource": {"name": name, "type": "endpoint"}}
    )
    return created["inbound"]["createDataSource"]["id"]


def _data_set(client, source, name="customers"):
    created = client.ok(
        doc.CREATE_DATA_SETS,
        {
            "dataSourceId": str(source),
            "dataSets": [{"name": name, "type": "endpoint", "store": True, "configuration": ENDPOINT_CONFIG}],
        },
    )
    return created["inbound"]["createDataSets"][0]["id"]


def test_data_source_groups_are_int_ids_paged_from_page_zero(client):
    author = client.ok(doc.ME)["administration"]["me"]["client"]["id"]
    ids = [
        client.ok(doc.CREATE_DATA_SOURCE_SET, {"dataSourceSet": {"name": f"Group {i}", "author": author}})["inbound"][
            "createDataSourceSet"
        ]
        for i in range(5)
    ]
    assert ids == [1, 2, 3, 4, 5]
    first = client.ok(doc.DATA_SOURCE_SETS, {"page": 0, "pageSize": 2})["inbound"]["dataSourceSets"]
    assert first["total"] == 5
    assert [g["id"] for g in first["data"]] == [1, 2]
    last = client.ok(doc.DATA_SOURCE_SETS, {"page": 2, "pageSize": 2})["inbound"]["dataSourceSets"]
    assert [g["id"] for g in last["data"]] == [5]
    group = first["data"][0]
    assert group["author"]["id"] == author
    assert group["createdAt"] == group["updatedAt"]
    assert group["dataSources"] == []
    found = client.ok(doc.DATA_SOURCE_SETS, {"searchName": "oup 3"})["inbound"]["dataSourceSets"]
    assert found["total"] == 1 and found["data"][0]["name"] == "Group 3"


def test_create_group_validates_input(client):
    body = client.raw(doc.CREATE_DATA_SOURCE_SET, {"dataSourceSet": {"name": ""}})
    assert body["data"]["inbound"]["createDataSourceSet"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = client.raw(doc.CREATE_DATA_SOURCE_SET, {"dataSourceSet": {"name": "x", "author": str(uuid.uuid4())}})
    assert "not a user" in body["errors"][0]["message"]


def test_data_source_lists_in_its_group_with_a_provider_definition(client):
    group = _group(client, "Sales")
    source = _source(client, group, "CRM")
    assert source == 1
    listed = client.ok(doc.DATA_SOURCE_SETS)["inbound"]["dataSourceSets"]["data"][0]
    assert listed["dataSources"][0] == {
        "id": 1, "type": "endpoint", "name": "CRM", "hasError": False, "latestErrorMessage": None, "stopped": False,
        "connectionStatus": {"connected": True, "errorMessage": None}, "dataSets": [],
    }  # fmt: skip
    got = client.ok(doc.DATA_SOURCE, {"id": source})["inbound"]["dataSource"]
    assert got["dataSourceSet"] == {"id": group, "name": "Sales"}
    assert got["connectorConfigurationId"] == got["connectorConfiguration"]["id"]
    assert got["connectorConfiguration"]["accountDisplay"] == "CRM"
    missing = client.raw(doc.CREATE_DATA_SOURCE, {"dataSourceSetId": 99, "dataSource": {"name": "x"}})
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_data_sets_are_guid_ingestion_endpoints_with_their_mapping(client):
    source = _source(client, _group(client, "Sales"))
    data_set_id = _data_set(client, source)
    assert str(uuid.UUID(data_set_id)) == data_set_id
    client.http.post(f"{client.url}/upload/api/endpoint/{data_set_id}", json=CUSTOMERS).raise_for_status()
    data_set = client.ok(doc.DATA_SET, {"id": data_set_id})["inbound"]["dataSet"]
    assert data_set["originalFields"] == ["id", "name", "email", "country"]
    assert data_set["stats"]["total"] == 3 and data_set["stats"]["successful"] == 3 and data_set["stats"]["failed"] == 0
    assert data_set["fieldMappings"] == [] and data_set["annotation"] is None
    assert data_set["hasReceivedData"] is True
    assert data_set["dataSource"]["id"] == source
    assert data_set["configuration"] == ENDPOINT_CONFIG
    listed = client.ok(doc.DATA_SOURCE_SETS)["inbound"]["dataSourceSets"]["data"][0]
    assert listed["dataSources"][0]["dataSets"] == [{"id": data_set_id}]
    created_entity_type = client.ok(doc.ENTITY_TYPE_INFO, {"type": "/Customer"})["management"]["getEntityTypeInfo"]
    assert created_entity_type["displayName"] == "Customer"


def test_mapping_changes_bump_updated_at_and_show_in_field_mappings(client):
    source = _source(client, _group(client, "Sales"))
    data_set_id = _data_set(client, source)
    client.http.post(f"{client.url}/upload/api/endpoint/{data_set_id}", json=CUSTOMERS).raise_for_status()
    before = client.ok(doc.DATA_SET, {"id": data_set_id})["inbound"]["dataSet"]["updatedAt"]
    client.ok(
        doc.AUTO_ANNOTATION,
        {
            "dataSetId": data_set_id,
            "type": "endpoint",
            "mappingConfiguration": {
                "entityTypeConfiguration": {"new": False, "entityType": "/Customer", "displayName": "Customer"},
                "ignoredFields": ["email"],
                "vocabularyConfiguration": {"new": True, "vocabularyName": "customer", "keyPrefix": "customer"},
            },
            "isDynamicVocab": False,
        },
    )
    data_set = client.ok(doc.DATA_SET, {"id": data_set_id})["inbound"]["dataSet"]
    assert data_set["updatedAt"] > before
    mappings = {m["originalField"]: m["key"] for m in data_set["fieldMappings"]}
    assert mappings == {
        "id": "customer.id",
        "name": "customer.name",
        "email": "--ignore--",
        "country": "customer.country",
    }
    assert data_set["annotation"]["entityType"] == "/Customer"
    assert {p["key"]: p["vocabKey"] for p in data_set["annotation"]["annotationProperties"]} == {
        "id": "customer.id", "name": "customer.name", "country": "customer.country",
    }  # fmt: skip
    client.ok(
        doc.ADD_FIELD_MAPPINGS,
        {"dataSetId": data_set_id, "fieldMappings": [{"originalField": "country", "key": "--ignore--"}]},
    )
    data_set = client.ok(doc.DATA_SET, {"id": data_set_id})["inbound"]["dataSet"]
    country = next(m for m in data_set["fieldMappings"] if m["originalField"] == "country")
    assert country["key"] == "--ignore--"
    client.ok(doc.DELETE_FIELD_MAPPING, {"dataSetId": data_set_id, "propertyId": country["id"]})
    data_set = client.ok(doc.DATA_SET, {"id": data_set_id})["inbound"]["dataSet"]
    assert "country" not in {m["originalField"] for m in data_set["fieldMappings"]}
    unknown_key = client.raw(
        doc.ADD_FIELD_MAPPINGS, {"dataSetId": data_set_id, "fieldMappings": [{"originalField": "a", "key": "no.such"}]}
    )
    assert unknown_key["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_auto_submit_processes_waiting_records_and_commit_processes_on_demand(client):
    ids = mapped_data_set(client, process=False)
    count = '{ search(query: "entityType:/Customer") { totalResults } }'
    assert client.ok(count, data=True)["search"]["totalResults"] == 0
    assert client.ok(doc.COMMIT, {"dataSetId": ids["dataSetId"], "purgeQuarantine": True}) == {
        "inbound": {"commitDataSet": True}
    }
    assert client.ok(count, data=True)["search"]["totalResults"] == 3
    other = mapped_data_set(client, dataSet="more", records=[{"id": "9", "name": "Late"}], process=False)
    client.ok(doc.AUTO_SUBMIT, {"dataSetId": other["dataSetId"], "autoSubmit": True})
    assert client.ok(count, data=True)["search"]["totalResults"] == 4
    client.http.post(f"{client.url}/upload/api/endpoint/{other['dataSetId']}", json=[{"id": "10", "name": "Auto"}])
    assert client.ok(count, data=True)["search"]["totalResults"] == 5
    unmapped = client.activity("activity/data-set", {"dataSet": "raw", "records": [{"a": 1}]})
    failure = client.raw(doc.COMMIT, {"dataSetId": unmapped["dataSetId"]})
    assert "has no mapping" in failure["errors"][0]["message"]


def test_data_set_content_pages_the_stored_records_from_page_zero(client):
    ids = mapped_data_set(client)
    content = client.ok(doc.DATA_SET_CONTENT, {"dataSetId": ids["dataSetId"], "page": 0, "pageSize": 2})
    assert content["inbound"]["dataSetContent"] == {"total": 3, "data": CUSTOMERS[:2]}
    filtered = client.ok(doc.DATA_SET_CONTENT, {"dataSetId": ids["dataSetId"], "terms": "north"})
    assert filtered["inbound"]["dataSetContent"]["data"] == [CUSTOMERS[2]]


def test_save_data_set_renames_and_changes_its_hash(client):
    ids = mapped_data_set(client)
    saved = client.ok(doc.SAVE_DATA_SET, {"dataSet": {"id": ids["dataSetId"], "name": "renamed"}})["inbound"][
        "saveDataSet"
    ]
    assert saved["name"] == "renamed" and saved["hashCheck"]


def test_existing_mapping_is_shared_by_a_new_data_set(client):
    ids = mapped_data_set(client)
    created = client.ok(
        doc.CREATE_DATA_SETS,
        {
            "dataSourceId": ids["dataSourceId"],
            "dataSets": [{"name": "copy", "type": "endpoint"}],
            "existingDataSetId": ids["dataSetId"],
        },
    )["inbound"]["createDataSets"][0]["id"]
    data_set = client.ok(doc.DATA_SET, {"id": created})["inbound"]["dataSet"]
    assert data_set["annotationId"] == ids["annotationId"]
    assert {m["key"] for m in data_set["fieldMappings"]} >= {"customer.id", "customer.name"}


def test_export_targets_page_from_page_one_under_configurations(client):
    connectors = client.ok(doc.CONNECTORS)["inbound"]["connectors"]
    sql = next(c for c in connectors if c["name"] == "Sql Server Connector")
    assert sql["id"] == "838e4ea2-80e0-4b60-b1d1-f052bfcd0caf"
    ids = []
    for i in range(3):
        auth = {"host": f"db{i}", "databaseName": "Golden", "username": "sa", "password": "secret"}
        created = client.ok(doc.CREATE_CONNECTION, {"connectorId": sql["id"], "authInfo": auth})
        ids.append(created["inbound"]["createConnection"]["id"])
    page = client.ok(doc.CONNECTOR_CONFIGURATIONS, {"pageNo": 1, "itemsPerPage": 2, "status": "All"})
    listing = page["inbound"]["connectorConfigurations"]
    assert listing["total"] == 3
    assert [c["id"] for c in listing["configurations"]] == ids[:2]
    first = listing["configurations"][0]
    assert first["accountDisplay"] == "db0.Golden"
    assert "password" not in first["configuration"]
    assert first["connectorStatus"]["connectorStatusDetails"][0]["providerDefinitionId"] == first["id"]
    second = client.ok(doc.CONNECTOR_CONFIGURATIONS, {"pageNo": 2, "itemsPerPage": 2})["inbound"][
        "connectorConfigurations"
    ]
    assert [c["id"] for c in second["configurations"]] == ids[2:]
    one = client.ok(doc.CONNECTOR_CONFIGURATION, {"id": ids[0]})["inbound"]["connectorConfiguration"]
    assert one["helperConfiguration"]["password"] == "secret"
    assert one["connector"]["streamModes"] == ["Sync", "EventStream"]


def test_save_connector_configuration_and_test_connection(client):
    sql = "838e4ea2-80e0-4b60-b1d1-f052bfcd0caf"
    created = client.ok(
        doc.CREATE_CONNECTION, {"connectorId": sql, "authInfo": {"host": "h"}, "accountDisplay": "Golden"}
    )
    ident = created["inbound"]["createConnection"]["id"]
    saved = client.ok(
        doc.SAVE_CONNECTOR_CONFIGURATION,
        {"connectorConfiguration": {"id": ident, "accountDisplay": "Golden v2", "helperConfiguration": {"host": "h2"}}},
    )["inbound"]["saveConnectorConfiguration"]
    assert saved == {"id": ident, "accountDisplay": "Golden v2", "helperConfiguration": {"host": "h2"}}
    assert client.ok(doc.TEST_CONNECTION, {"providerId": sql, "connection": {"host": "h"}})["inbound"][
        "testConnection"
    ]["success"]
    unknown = client.ok(doc.TEST_CONNECTION, {"providerId": str(uuid.uuid4())})
    assert unknown["inbound"]["testConnection"]["success"] is False
    bad = client.raw(doc.CREATE_CONNECTION, {"connectorId": str(uuid.uuid4()), "authInfo": {}})
    assert bad["errors"][0]["extensions"]["code"] == "NOT_FOUND"
