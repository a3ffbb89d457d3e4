"""`preparation` (annotations, submissions, clean projects), `consume` (streams) and `administration`."""

from __future__ import annotations

from tests.emulators.cluedin import documents as doc
from tests.emulators.cluedin.conftest import mapped_data_set

SQL = "838e4ea2-80e0-4b60-b1d1-f052bfcd0caf"


def test_annotation_by_int_id_with_properties_and_vocabulary_keys(client):
    ids = mapped_data_set(client)
    annotation = client.ok(doc.ANNOTATION, {"id": str(ids["annotationId"])})["preparation"]["annotation"]
    assert annotation["id"] == ids["annotationId"] == 1
    assert annotation["entityType"] == "/Customer"
    assert annotation["originEntityCodeKey"] == "customer.id"
    assert annotation["nameKey"] == "customer.name"
    assert annotation["vocabulary"]["keyPrefix"] == "customer"
    email = next(p for p in annotation["annotationProperties"] if p["key"] == "email")
    assert email["vocabKey"] == "customer.email"
    assert email["vocabularyKey"]["key"] == "customer.email" and email["vocabularyKey"]["dataType"] == "Text"
    assert email["annotationEdges"] == []
    modified = client.ok(
        doc.MODIFY_ANNOTATION, {"annotation": {"id": ids["annotationId"], "originEntityCodeKey": "--auto-generated--"}}
    )
    assert modified == {"preparation": {"modifyAnnotation": True}}
    again = client.ok(doc.ANNOTATION, {"id": ids["annotationId"]})["preparation"]["annotation"]
    assert again["originEntityCodeKey"] == "--auto-generated--"


def test_annotations_page_from_page_zero_and_submissions_record_processing(client):
    first = mapped_data_set(client)
    mapped_data_set(client, dataSet="second")
    page = client.ok(doc.ANNOTATIONS, {"page": 0, "pageSize": 1})["preparation"]["annotations"]
    assert page["total"] == 2 and page["data"][0]["id"] == 1
    assert page["data"][0]["author"] == client.ok(doc.ME)["administration"]["me"]["client"]["id"]
    assert client.ok(doc.ANNOTATIONS, {"page": 1, "pageSize": 1})["preparation"]["annotations"]["data"][0]["id"] == 2
    submissions = client.ok(doc.SUBMISSIONS, {"dataSetId": first["dataSetId"], "page": 0, "pageSize": 10})
    [submission] = submissions["preparation"]["getAnnotationSubmissions"]["data"]
    assert submission["total"] == 3 and submission["success"] == 3 and submission["status"] == "Completed"


def test_manual_and_partial_mapping_and_property_mapping(client):
    raw = client.activity(
        "activity/data-set", {"dataSet": "raw", "entityType": "/Customer", "records": [{"id": 1, "mail": "x"}]}
    )
    vocabulary = client.ok(
        doc.CREATE_VOCABULARY, {"vocabulary": {"vocabularyName": "customer", "keyPrefix": "customer"}}
    )
    vocabulary_id = vocabulary["management"]["createVocabulary"]["vocabularyId"]
    config = {
        "entityTypeConfiguration": {"entityType": "/Customer"},
        "vocabularyConfiguration": {"vocabularyId": vocabulary_id},
    }
    created = client.ok(
        doc.MANUAL_ANNOTATION, {"dataSetId": raw["dataSetId"], "type": "endpoint", "mappingConfiguration": config}
    )
    assert created["management"]["createManualAnnotation"]["id"] >= 1
    assert client.ok(doc.DATA_SET, {"id": raw["dataSetId"]})["inbound"]["dataSet"]["fieldMappings"] == []
    mapped = client.ok(
        doc.MAP_PROPERTY,
        {
            "dataSetId": raw["dataSetId"],
            "propertyMappingConfiguration": {
                "originalField": "mail",
                "useAsAlias": False,
                "useAsEntityCode": False,
                "vocabularyKeyConfiguration": {
                    "new": True,
                    "vocabularyId": vocabulary_id,
                    "name": "email",
                    "dataType": "Email",
                },
            },
        },
    )
    assert mapped == {"management": {"addPropertyMappingToCluedMappingConfiguration": True}}
    data_set = client.ok(doc.DATA_SET, {"id": raw["dataSetId"]})["inbound"]["dataSet"]
    assert data_set["fieldMappings"][0]["key"] == "customer.email"
    again = client.raw(
        doc.MANUAL_ANNOTATION, {"dataSetId": raw["dataSetId"], "type": "endpoint", "mappingConfiguration": config}
    )
    assert "already has a mapping" in again["errors"][0]["message"]
    other = client.activity(
        "activity/data-set", {"dataSet": "raw2", "entityType": "/Customer", "records": [{"a": 1, "b": 2}]}
    )
    partial = client.ok(doc.PARTIAL_ANNOTATION, {"dataSetId": other["dataSetId"], "originalFields": ["a"]})
    assert isinstance(partial["management"]["createPartialAutoAnnotation"], int)
    keys = {
        m["originalField"]: m["key"]
        for m in client.ok(doc.DATA_SET, {"id": other["dataSetId"]})["inbound"]["dataSet"]["fieldMappings"]
    }
    assert keys == {"a": "customer.a"}


def test_clean_projects_page_from_page_one_under_projects(emu, client):
    emu.seed({"cleanProjects": [{"name": f"Clean {i}"} for i in range(3)]})
    page = client.ok(doc.CLEAN_PROJECTS, {"page": 1, "pageSize": 2})["preparation"]["allCleanProjects"]
    assert page["total"] == 3 and [p["name"] for p in page["projects"]] == ["Clean 0", "Clean 1"]
    assert (
        client.ok(doc.CLEAN_PROJECTS, {"page": 2, "pageSize": 2})["preparation"]["allCleanProjects"]["projects"][0][
            "name"
        ]
        == "Clean 2"
    )
    assert page["projects"][0]["author"]["username"] == "admin@demo.local"
    detail = client.ok(doc.CLEAN_PROJECT, {"id": page["projects"][0]["id"]})["preparation"]["cleanProjectDetail"]
    assert detail["name"] == "Clean 0" and detail["isOwner"] is True


def test_streams_create_setup_activate_and_page_from_page_one(client):
    mapped_data_set(client)
    target = client.ok(
        doc.CREATE_CONNECTION, {"connectorId": SQL, "authInfo": {"host": "h"}, "accountDisplay": "Golden"}
    )
    target_id = target["inbound"]["createConnection"]["id"]
    condition = doc.filter_group([doc.filter_leaf("EntityType", doc.EQUALS, ["/Customer"])])
    stream = client.ok(doc.CREATE_STREAM, {"stream": {"name": "Customers"}})["consume"]["createStream"]
    assert stream["status"] == "New" and stream["isActive"] is False and stream["connector"] is None
    saved = client.ok(
        doc.SAVE_STREAM, {"stream": {"id": stream["id"], "name": "Customers", "condition": condition, "rules": []}}
    )
    assert saved["consume"]["saveStream"]["numberOfRecords"] == 3
    export = {
        "connectorProviderDefinitionId": target_id,
        "containerName": "Customers",
        "mode": "Sync",
        "exportOutgoingEdges": False,
        "exportIncomingEdges": False,
        "dataTypes": [{"key": "Name", "type": "metadata"}, {"key": "customer.email", "type": "vocabkey"}],
    }
    setup = client.ok(doc.SETUP_STREAM, {"streamId": stream["id"], "exportConfiguration": export})["consume"][
        "setupConnectorStream"
    ]
    assert setup["connector"]["id"] == target_id and setup["connector"]["accountDisplay"] == "Golden"
    assert setup["mappingConfiguration"][1] == {
        "sourceDataType": "customer.email",
        "sourceObjectType": "vocabkey",
        "destDataType": "customer.email",
    }
    started = client.ok(doc.ACTIVATE_STREAM, {"streamId": stream["id"]})["consume"]["activateStream"]
    assert started == {"id": stream["id"], "isActive": True, "status": "Streaming"}
    for name in ("B", "C"):
        client.ok(doc.CREATE_STREAM, {"stream": {"name": name}})
    page = client.ok(doc.STREAMS, {"pageNumber": 1, "itemsPerPage": 2})["consume"]["streams"]
    assert page["total"] == 3 and [s["name"] for s in page["data"]] == ["Customers", "B"]
    assert client.ok(doc.STREAMS, {"pageNumber": 2, "itemsPerPage": 2})["consume"]["streams"]["data"][0]["name"] == "C"
    by_target = client.ok(doc.STREAMS, {"exportTargetId": target_id})["consume"]["streams"]
    assert by_target["total"] == 1
    stopped = client.ok(doc.DEACTIVATE_STREAM, {"streamId": stream["id"]})["consume"]["deActivateStream"]
    assert stopped["status"] == "Stopped"
    assert client.ok(doc.STREAMS, {"status": "Stopped"})["consume"]["streams"]["total"] == 1
    assert client.ok(doc.STREAMS, {"status": "New"})["consume"]["streams"]["total"] == 2
    got = client.ok(doc.STREAM, {"id": stream["id"]})["consume"]["stream"]
    assert got["updatedAt"] == got["modifiedAt"] and got["updatedAt"] > stream["updatedAt"]
    properties = client.ok(doc.STREAM_PROPERTIES)["consume"]["streamMappingProperties"]
    assert {"displayName": "email", "key": "customer.email", "type": "vocabkey"} in properties


def test_administration_organization_settings_users_features(client):
    org = client.ok(doc.ORGANIZATION)["administration"]["organization"]
    assert org["ClientId"] == "demo"
    org_id = org["Id"]
    client.ok(doc.CHANGE_SETTING, {"organizationId": org_id, "key": "Purview.SyncDataSources", "value": "true"})
    updated = client.ok(
        doc.UPDATE_SETTINGS,
        {
            "organizationId": org_id,
            "model": {"settings": [{"configurationKey": "Purview.BaseUrl", "value": "https://x", "useDefault": False}]},
        },
    )
    assert updated["administration"]["updateConfigurationSettings"]["errors"] == []
    settings = client.ok(doc.SETTINGS, {"id": org_id, "includeHiddenFromUi": True})["administration"][
        "configurationSettings"
    ]
    assert settings == {"Purview.SyncDataSources": "true", "Purview.BaseUrl": "https://x"}
    wrong = client.raw(doc.SETTINGS, {"id": "00000000-0000-0000-0000-000000000001"})
    assert wrong["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    [user] = client.ok(doc.USERS)["administration"]["users"]
    assert user["Account"]["UserName"] == "admin@demo.local"
    assert client.ok(doc.FEATURES)["administration"]["organizationFeatures"]
