"""Type definitions: built-ins, inheritance, create/update/get/list/headers/delete and Purview's validation."""

from __future__ import annotations

import json

from tests.emulators.purview.helpers import API, get_entity, upsert

CUSTOM = {
    "enumDefs": [{"name": "cluedin_state", "elementDefs": [{"value": "NEW"}, {"value": "SYNCED"}]}],
    "structDefs": [{"name": "cluedin_struct", "attributeDefs": [{"name": "x", "typeName": "string"}]}],
    "classificationDefs": [{"name": "CLUEDIN.GOLDEN", "attributeDefs": []}],
    "entityDefs": [
        {
            "name": "cluedin_dataset",
            "superTypes": ["DataSet"],
            "serviceType": "CluedIn",
            "attributeDefs": [
                {"name": "state", "typeName": "cluedin_state", "isOptional": True},
                {"name": "tags", "typeName": "array<string>", "cardinality": "SET"},
            ],
            "options": {"schemaElementsAttribute": "fields"},
        },
        {"name": "cluedin_field", "superTypes": ["DataSet"], "options": {"schemaAttributes": json.dumps(["dataType"])}},
        {"name": "cluedin_process", "superTypes": ["Process"]},
    ],
    "relationshipDefs": [
        {
            "name": "cluedin_dataset_fields",
            "relationshipCategory": "COMPOSITION",
            "endDef1": {"type": "cluedin_dataset", "name": "fields", "isContainer": True, "cardinality": "SET"},
            "endDef2": {"type": "cluedin_field", "name": "dataset", "isContainer": False, "cardinality": "SINGLE"},
        }
    ],
}


def test_builtins_include_atlas_base_types_and_azure_assets(purview):
    s = purview.session()
    base = purview.datamap_url
    for name in (
        "Referenceable", "Asset", "DataSet", "Process", "azure_datalake_gen2_path", "azure_datalake_gen2_resource_set",
        "azure_blob_path", "azure_sql_server", "azure_sql_db", "azure_sql_schema", "azure_sql_table",
        "azure_sql_column", "tabular_schema", "column",
    ):  # fmt: skip
        response = s.get(f"{base}/atlas/v2/types/typedef/name/{name}")
        assert response.status_code == 200, name
        assert response.json()["category"] == "ENTITY"
    table = s.get(f"{base}/atlas/v2/types/entitydef/name/azure_sql_table").json()
    rel_attrs = {a["name"]: a for a in table["relationshipAttributeDefs"]}
    assert rel_attrs["columns"]["relationshipTypeName"] == "azure_sql_table_columns"
    assert rel_attrs["columns"]["constraints"] == [{"type": "ownedRef"}]
    assert rel_attrs["dbSchema"]["typeName"] == "azure_sql_schema"
    assert rel_attrs["inputToProcesses"]["relationshipTypeName"] == "dataset_process_inputs"
    assert rel_attrs["meanings"]["typeName"] == "array<AtlasGlossaryTerm>"
    dataset = s.get(f"{base}/atlas/v2/types/entitydef/name/DataSet").json()
    assert "azure_sql_table" in dataset["subTypes"]
    rel = s.get(f"{base}/atlas/v2/types/relationshipdef/name/tabular_schema_columns").json()
    assert rel["endDef1"]["name"] == "columns" and rel["endDef2"]["name"] == "composeSchema"


def test_create_all_categories_then_get_by_name_and_guid(purview):
    s = purview.session()
    base = purview.datamap_url
    created = s.post(f"{base}/atlas/v2/types/typedefs", json=CUSTOM)
    assert created.status_code == 200, created.text
    body = created.json()
    entity_def = next(d for d in body["entityDefs"] if d["name"] == "cluedin_dataset")
    assert entity_def["category"] == "ENTITY"
    assert entity_def["version"] == 1 and entity_def["lastModifiedTS"] == "1"
    assert entity_def["attributeDefs"][1]["valuesMaxCount"] == 2147483647
    for key, path in (
        ("enumDefs", "enumdef"), ("structDefs", "structdef"), ("classificationDefs", "classificationdef"),
        ("entityDefs", "entitydef"), ("relationshipDefs", "relationshipdef"),
    ):  # fmt: skip
        typedef = body[key][0]
        by_name = s.get(f"{base}/atlas/v2/types/{path}/name/{typedef['name']}")
        by_guid = s.get(f"{base}/atlas/v2/types/{path}/guid/{typedef['guid']}")
        assert by_name.status_code == by_guid.status_code == 200
        assert by_name.json()["guid"] == typedef["guid"]
    wrong_category = s.get(f"{base}/atlas/v2/types/enumdef/name/cluedin_dataset")
    assert wrong_category.status_code == 404
    assert wrong_category.json()["errorCode"] == "ATLAS-404-00-001"


def test_custom_types_inherit_and_entities_get_their_relationship_attributes(purview):
    s = purview.session()
    base = purview.datamap_url
    assert s.post(f"{base}/atlas/v2/types/typedefs", json=CUSTOM).status_code == 200
    result = upsert(
        s,
        base,
        {
            "typeName": "cluedin_dataset",
            "guid": -1,
            "attributes": {"qualifiedName": "cluedin://ds", "name": "ds", "state": "synced", "tags": ["a"]},
            "relationshipAttributes": {"fields": [{"guid": -2}]},
        },
        {"typeName": "cluedin_field", "guid": -2, "attributes": {"qualifiedName": "cluedin://ds#f", "name": "f"}},
    )
    got = get_entity(s, base, result["guidAssignments"]["-1"])
    entity = got["entity"]
    assert entity["attributes"]["state"] == "SYNCED"
    assert entity["attributes"]["tags"] == ["a"]
    assert [f["guid"] for f in entity["relationshipAttributes"]["fields"]] == [result["guidAssignments"]["-2"]]
    assert result["guidAssignments"]["-2"] in got["referredEntities"]
    bad_enum = s.post(
        f"{base}/atlas/v2/entity",
        json={
            "entity": {"typeName": "cluedin_dataset", "attributes": {"qualifiedName": "q", "name": "n", "state": "X"}}
        },
    )
    assert bad_enum.status_code == 404
    assert "invalid value for type cluedin_state" in bad_enum.json()["errorMessage"]


def test_recreating_a_type_is_a_409_with_purviews_message(purview):
    s = purview.session()
    base = purview.datamap_url
    body = {"entityDefs": [{"name": "dup_type", "superTypes": ["DataSet"]}]}
    assert s.post(f"{base}/atlas/v2/types/typedefs", json=body).status_code == 200
    again = s.post(f"{base}/atlas/v2/types/typedefs", json=body)
    assert again.status_code == 409
    assert again.json()["errorCode"] == "ATLAS-409-00-001"
    assert again.json()["errorMessage"] == "Given type dup_type already exists in ENTITY category."


def test_purview_rejects_schema_attributes_that_are_not_a_json_list_string(purview):
    s = purview.session()
    base = purview.datamap_url
    for bad in (["dataType"], "dataType", json.dumps([1, 2])):
        body = {
            "entityDefs": [{"name": "bad_options", "superTypes": ["DataSet"], "options": {"schemaAttributes": bad}}]
        }
        response = s.post(f"{base}/atlas/v2/types/typedefs", json=body)
        assert response.status_code == 400
        assert response.json()["errorCode"] == "ATLAS-400-00-01A"
        assert response.json()["errorMessage"].startswith("invalid parameters: invalid payload")
    assert s.get(f"{base}/atlas/v2/types/typedef/name/bad_options").status_code == 404


def test_structural_validation_errors(purview):
    s = purview.session()
    base = purview.datamap_url
    unknown_super = s.post(
        f"{base}/atlas/v2/types/typedefs", json={"entityDefs": [{"name": "x", "superTypes": ["Nope"]}]}
    )
    assert unknown_super.status_code == 404
    unknown_attr = s.post(
        f"{base}/atlas/v2/types/typedefs",
        json={"entityDefs": [{"name": "x", "attributeDefs": [{"name": "a", "typeName": "nope"}]}]},
    )
    assert unknown_attr.json()["errorCode"] == "ATLAS-400-00-001"
    association_with_container = {
        "name": "r",
        "relationshipCategory": "ASSOCIATION",
        "endDef1": {"type": "DataSet", "name": "a", "isContainer": True},
        "endDef2": {"type": "DataSet", "name": "b"},
    }
    bad_rel = s.post(f"{base}/atlas/v2/types/typedefs", json={"relationshipDefs": [association_with_container]})
    assert bad_rel.json()["errorCode"] == "ATLAS-400-00-030"
    cycle = s.post(
        f"{base}/atlas/v2/types/typedefs",
        json={"entityDefs": [{"name": "c1", "superTypes": ["c2"]}, {"name": "c2", "superTypes": ["c1"]}]},
    )
    assert cycle.json()["errorCode"] == "ATLAS-400-00-002"


def test_list_filters_by_category_and_headers(purview):
    s = purview.session()
    base = purview.datamap_url
    template = {
        "termTemplateDefs": [
            {"name": "CluedIn Template", "attributeDefs": [{"name": "CluedInVocab", "typeName": "boolean"}]}
        ]
    }
    assert s.post(f"{base}/atlas/v2/types/typedefs", json=template).status_code == 200
    everything = s.get(f"{base}/atlas/v2/types/typedefs").json()
    assert everything["termTemplateDefs"] == []  # always present, filled only with includeTermTemplate
    assert any(d["name"] == "azure_sql_table" for d in everything["entityDefs"])
    only_templates = s.get(f"{base}/atlas/v2/types/typedefs", params={"type": "term_template"}).json()
    assert [d["name"] for d in only_templates["termTemplateDefs"]] == ["CluedIn Template"]
    assert only_templates["entityDefs"] == []
    enums = s.get(f"{base}/atlas/v2/types/typedefs{API}&type=ENUM").json()
    assert {d["name"] for d in enums["enumDefs"]} >= {"glossary_term_status_value"}
    headers = s.get(f"{base}/atlas/v2/types/typedefs/headers", params={"type": "RELATIONSHIP"}).json()
    assert {"category": "RELATIONSHIP"}.items() <= headers[0].items()
    by_name = s.get(f"{base}/types/termtemplatedef/name/CluedIn Template{API}")
    assert by_name.status_code == 200
    assert by_name.json()["category"] == "TERM_TEMPLATE"
    assert s.get(f"{base}/types/termtemplatedef/name/CluedIn Template").status_code == 400


def test_update_bumps_version_and_unknown_types_are_404(purview):
    s = purview.session()
    base = purview.datamap_url
    s.post(f"{base}/atlas/v2/types/typedefs", json={"entityDefs": [{"name": "upd", "superTypes": ["DataSet"]}]})
    changed = {
        "entityDefs": [{"name": "upd", "superTypes": ["DataSet"], "attributeDefs": [{"name": "n", "typeName": "int"}]}]
    }
    updated = s.put(f"{base}/atlas/v2/types/typedefs", json=changed)
    assert updated.status_code == 200
    assert updated.json()["entityDefs"][0]["version"] == 2
    assert s.put(f"{base}/atlas/v2/types/typedefs", json={"entityDefs": [{"name": "never"}]}).status_code == 404


def test_delete_refuses_types_in_use(purview):
    s = purview.session()
    base = purview.datamap_url
    s.post(f"{base}/atlas/v2/types/typedefs", json={"entityDefs": [{"name": "gone", "superTypes": ["DataSet"]}]})
    guid = upsert(s, base, {"typeName": "gone", "guid": -1, "attributes": {"qualifiedName": "g", "name": "g"}})[
        "guidAssignments"
    ]["-1"]
    in_use = s.delete(f"{base}/atlas/v2/types/typedef/name/gone")
    assert in_use.status_code == 409
    assert in_use.json()["errorCode"] == "ATLAS-409-00-002"
    s.delete(f"{base}/atlas/v2/entity/guid/{guid}")
    assert s.delete(f"{base}/atlas/v2/types/typedef/name/gone").status_code == 204
    assert s.get(f"{base}/atlas/v2/types/typedef/name/gone").status_code == 404
    assert s.delete(f"{base}/atlas/v2/types/typedef/name/DataSet").status_code == 409
    s.post(f"{base}/atlas/v2/types/typedefs", json={"structDefs": [{"name": "bulk_gone", "attributeDefs": []}]})
    assert s.delete(f"{base}/atlas/v2/types/typedefs", json={"structDefs": [{"name": "bulk_gone"}]}).status_code == 204
