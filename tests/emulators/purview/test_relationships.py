"""Relationship attributes derived from relationshipDefs, referredEntities, cascades and the relationship API."""

from __future__ import annotations

from tests.emulators.purview.helpers import dataset, get_entity, table, upsert

COLUMN = "azure_sql_column"


def column(qualified_name: str, guid: int, **relationship_attributes: object) -> dict[str, object]:
    entity: dict[str, object] = {
        "typeName": COLUMN,
        "guid": guid,
        "attributes": {
            "qualifiedName": qualified_name,
            "name": qualified_name.rsplit("#", 1)[-1],
            "data_type": "nvarchar",
        },
    }
    if relationship_attributes:
        entity["relationshipAttributes"] = relationship_attributes
    return entity


def test_table_columns_from_either_side_and_referred_entities(purview):
    s = purview.session()
    base = purview.datamap_url
    result = upsert(
        s,
        base,
        table("mssql://s/d/o/t", guid=-1, relationshipAttributes={"columns": [{"guid": -2}]}),
        column("mssql://s/d/o/t#a", -2),
        column("mssql://s/d/o/t#b", -3, table={"guid": -1}),
    )
    ids = result["guidAssignments"]
    got = get_entity(s, base, ids["-1"])
    columns = got["entity"]["relationshipAttributes"]["columns"]
    assert sorted(c["guid"] for c in columns) == sorted([ids["-2"], ids["-3"]])
    assert columns[0]["relationshipType"] == "azure_sql_table_columns"
    assert columns[0]["relationshipAttributes"] == {"typeName": "azure_sql_table_columns"}
    assert set(got["referredEntities"]) == {ids["-2"], ids["-3"]}
    referred = got["referredEntities"][ids["-2"]]
    assert referred["attributes"]["data_type"] == "nvarchar"
    assert referred["relationshipAttributes"]["table"]["guid"] == ids["-1"]
    minimal = get_entity(s, base, ids["-1"], "?minExtInfo=true")["referredEntities"][ids["-2"]]
    assert "relationshipAttributes" not in minimal
    assert get_entity(s, base, ids["-1"], "?ignoreRelationships=true")["referredEntities"] == {}


def test_single_valued_end_moves_a_column_to_its_new_table(purview):
    s = purview.session()
    base = purview.datamap_url
    ids = upsert(
        s,
        base,
        table("mssql://s/d/o/t1", guid=-1),
        table("mssql://s/d/o/t2", guid=-2),
        column("c#x", -3, table={"guid": -1}),
    )["guidAssignments"]
    upsert(s, base, column("c#x", -4, table={"guid": ids["-2"]}))
    assert get_entity(s, base, ids["-1"])["entity"]["relationshipAttributes"]["columns"] == []
    assert [c["guid"] for c in get_entity(s, base, ids["-2"])["entity"]["relationshipAttributes"]["columns"]] == [
        ids["-3"]
    ]


def test_file_tabular_schema_columns_chain(purview):
    s = purview.session()
    base = purview.datamap_url
    path = "https://acct.dfs.core.windows.net/fs/data.csv"
    result = upsert(
        s,
        base,
        dataset("azure_datalake_gen2_path", path, -1, isFile=True),
        {
            "typeName": "tabular_schema",
            "guid": -2,
            "attributes": {"qualifiedName": f"{path}#tabular_schema", "name": "tabular_schema"},
            "relationshipAttributes": {"associatedDataSets": [{"guid": -1}]},
        },
        {
            "typeName": "column",
            "guid": -3,
            "attributes": {"qualifiedName": f"{path}#tabular_schema//id", "name": "id", "type": "int"},
            "relationshipAttributes": {"composeSchema": {"guid": -2}},
        },
    )
    ids = result["guidAssignments"]
    file_entity = get_entity(s, base, ids["-1"])
    link = file_entity["entity"]["relationshipAttributes"]["tabular_schema"]
    assert link["guid"] == ids["-2"]
    assert link["relationshipType"] == "tabular_schema_datasets"
    assert file_entity["referredEntities"] == {}
    schema = get_entity(s, base, ids["-2"])
    assert [c["guid"] for c in schema["entity"]["relationshipAttributes"]["columns"]] == [ids["-3"]]
    assert ids["-3"] in schema["referredEntities"]
    col = get_entity(s, base, ids["-3"])["entity"]
    assert col["relationshipAttributes"]["composeSchema"]["displayText"] == "tabular_schema"


def test_deleting_a_container_deletes_owned_children(purview):
    s = purview.session()
    base = purview.datamap_url
    ids = upsert(s, base, table("mssql://s/d/o/t", guid=-1), column("c#1", -2, table={"guid": -1}))["guidAssignments"]
    result = s.delete(f"{base}/atlas/v2/entity/guid/{ids['-1']}").json()
    assert {h["guid"] for h in result["mutatedEntities"]["DELETE"]} == {ids["-1"], ids["-2"]}
    assert get_entity(s, base, ids["-2"])["entity"]["status"] == "DELETED"


def test_wrong_end_type_is_rejected(purview):
    s = purview.session()
    base = purview.datamap_url
    ids = upsert(s, base, table("mssql://s/d/o/t", guid=-1))["guidAssignments"]
    bad = s.post(
        f"{base}/atlas/v2/entity/bulk",
        json={
            "entities": [
                {"typeName": "Process", "attributes": {"qualifiedName": "p", "name": "p", "inputs": [{"guid": "x"}]}}
            ]
        },
    )
    assert bad.status_code == 404
    proc_as_input = s.post(
        f"{base}/atlas/v2/entity/bulk",
        json={
            "entities": [
                {"typeName": "Process", "guid": -1, "attributes": {"qualifiedName": "p1", "name": "p1"}},
                {"typeName": "Process", "attributes": {"qualifiedName": "p2", "name": "p2", "inputs": [{"guid": -1}]}},
            ]
        },
    )
    assert proc_as_input.status_code == 400
    assert proc_as_input.json()["errorCode"] == "ATLAS-400-00-036"
    wrong_rel = s.post(
        f"{base}/atlas/v2/entity",
        json={
            "entity": {
                "typeName": "azure_sql_column",
                "attributes": {"qualifiedName": "c", "name": "c", "data_type": "int"},
                "relationshipAttributes": {"table": {"guid": ids["-1"], "relationshipType": "dataset_process_inputs"}},
            }
        },
    )
    assert wrong_rel.status_code == 400
    assert wrong_rel.json()["errorMessage"].startswith("invalid relationshipDef: dataset_process_inputs")


def test_relationship_api_create_get_update_delete(purview):
    s = purview.session()
    base = purview.datamap_url
    ids = upsert(s, base, table("mssql://s/d/o/t", guid=-1), column("c#1", -2))["guidAssignments"]
    body = {
        "typeName": "azure_sql_table_columns",
        "end1": {"guid": ids["-1"]},
        "end2": {"typeName": COLUMN, "uniqueAttributes": {"qualifiedName": "c#1"}},
    }
    created = s.post(f"{base}/atlas/v2/relationship", json=body)
    assert created.status_code == 200
    rel = created.json()
    assert rel["end1"]["guid"] == ids["-1"] and rel["end2"]["guid"] == ids["-2"]
    assert s.post(f"{base}/atlas/v2/relationship", json=body).json()["errorCode"] == "ATLAS-409-00-004"
    assert [c["guid"] for c in get_entity(s, base, ids["-1"])["entity"]["relationshipAttributes"]["columns"]] == [
        ids["-2"]
    ]
    got = s.get(f"{base}/atlas/v2/relationship/guid/{rel['guid']}", params={"extendedInfo": "true"}).json()
    assert set(got["referredEntities"]) == {ids["-1"], ids["-2"]}
    assert s.put(f"{base}/atlas/v2/relationship", json={**body, "guid": rel["guid"]}).status_code == 200
    swapped = {"typeName": "azure_sql_table_columns", "end1": {"guid": ids["-2"]}, "end2": {"guid": ids["-1"]}}
    assert s.post(f"{base}/atlas/v2/relationship", json=swapped).json()["errorCode"] == "ATLAS-400-00-036"
    assert s.delete(f"{base}/atlas/v2/relationship/guid/{rel['guid']}").status_code == 204
    assert get_entity(s, base, ids["-1"])["entity"]["relationshipAttributes"]["columns"] == []
    assert s.delete(f"{base}/atlas/v2/relationship/guid/{rel['guid']}").status_code == 404
