"""Entity create-or-update, reads, partial updates and deletes, with Atlas's placeholder and reference rules."""

from __future__ import annotations

from tests.emulators.purview.helpers import API, dataset, get_entity, process, table, upsert


def test_bulk_create_maps_int_and_string_placeholders_and_makes_its_own(purview):
    s = purview.session()
    result = upsert(
        s,
        purview.datamap_url,
        table("mssql://srv/db/dbo/a", guid=-1),
        table("mssql://srv/db/dbo/b", guid="-2"),
        table("mssql://srv/db/dbo/c"),
    )
    assignments = result["guidAssignments"]
    assert set(assignments) >= {"-1", "-2"}
    assert len(assignments) == 3
    server_made = next(k for k in assignments if k not in ("-1", "-2"))
    assert server_made.startswith("-") and server_made[1:].isdigit()
    created = result["mutatedEntities"]["CREATE"]
    assert [h["attributes"]["qualifiedName"] for h in created] == [f"mssql://srv/db/dbo/{x}" for x in "abc"]
    header = created[0]
    assert header["guid"] == assignments["-1"]
    assert header["status"] == "ACTIVE"
    assert header["lastModifiedTS"] == "1"
    assert header["displayText"] == "a"


def test_upsert_matches_by_qualified_name_and_reports_only_real_changes(purview):
    s = purview.session()
    first = upsert(s, purview.datamap_url, table("mssql://srv/db/dbo/t", guid=-1))
    guid = first["guidAssignments"]["-1"]
    before = get_entity(s, purview.datamap_url, guid)["entity"]

    same = upsert(s, purview.datamap_url, table("mssql://srv/db/dbo/t", guid=-7))
    assert same["guidAssignments"] == {"-7": guid}
    assert same["mutatedEntities"] == {}

    changed = upsert(s, purview.datamap_url, table("mssql://srv/db/dbo/t", name="renamed", guid=-8))
    assert changed["mutatedEntities"]["UPDATE"][0]["guid"] == guid
    after = get_entity(s, purview.datamap_url, guid)["entity"]
    assert after["attributes"]["name"] == "renamed"
    assert after["createTime"] == before["createTime"]
    assert after["lastModifiedTS"] == "2"
    assert after["updateTime"] >= before["updateTime"]


def test_same_qualified_name_in_another_type_is_another_entity(purview):
    s = purview.session()
    result = upsert(
        s,
        purview.datamap_url,
        dataset("azure_blob_path", "https://acct.blob.core.windows.net/c/x.csv", -1),
        dataset("azure_datalake_gen2_path", "https://acct.blob.core.windows.net/c/x.csv", -2),
    )
    assert result["guidAssignments"]["-1"] != result["guidAssignments"]["-2"]


def test_required_attribute_and_unknown_type_errors_use_atlas_codes(purview):
    s = purview.session()
    missing = s.post(
        f"{purview.datamap_url}/atlas/v2/entity{API}",
        json={"entity": {"typeName": "azure_sql_table", "attributes": {"qualifiedName": "q"}}},
    )
    assert missing.status_code == 404
    body = missing.json()
    assert body["errorCode"] == "ATLAS-404-00-007"
    assert "azure_sql_table.name: mandatory attribute value missing" in body["errorMessage"]
    assert set(body) == {"requestId", "errorCode", "errorMessage"}

    unknown = s.post(f"{purview.datamap_url}/atlas/v2/entity", json={"entity": {"typeName": "nope", "attributes": {}}})
    assert unknown.status_code == 400
    assert unknown.json()["errorCode"] == "ATLAS-400-00-014"
    assert purview.store.entities.entities == {}


def test_a_rejected_batch_changes_nothing(purview):
    s = purview.session()
    bad = s.post(
        f"{purview.datamap_url}/atlas/v2/entity/bulk",
        json={"entities": [table("mssql://srv/db/dbo/ok", guid=-1), {"typeName": "azure_sql_table", "attributes": {}}]},
    )
    assert bad.status_code == 404
    assert purview.store.entities.entities == {}


def test_references_missing_placeholders_and_unique_attributes_are_not_found(purview):
    s = purview.session()
    placeholder = s.post(
        f"{purview.datamap_url}/atlas/v2/entity/bulk",
        json={"entities": [process("p", inputs=[{"guid": -1002}], outputs=[])]},
    )
    assert placeholder.status_code == 404
    assert placeholder.json()["errorCode"] == "ATLAS-404-00-00A"
    assert placeholder.json()["errorMessage"] == "Referenced entity -1002 is not found"

    unique = s.post(
        f"{purview.datamap_url}/atlas/v2/entity/bulk",
        json={
            "entities": [
                process(
                    "p",
                    inputs=[{"typeName": "azure_sql_table", "uniqueAttributes": {"qualifiedName": "x"}}],
                    outputs=[],
                )
            ]
        },
    )
    assert unique.status_code == 404
    assert unique.json()["errorMessage"] == (
        "Referenced entity AtlasObjectId{guid='null', typeName='azure_sql_table', "
        "uniqueAttributes={qualifiedName:x}} is not found"
    )


def test_inputs_by_guid_unique_attributes_or_pyapacheatlas_minimal_form(purview):
    s = purview.session()
    base = purview.datamap_url
    existing = upsert(s, base, table("mssql://srv/db/dbo/in1", guid=-1))["guidAssignments"]["-1"]
    result = upsert(
        s,
        base,
        table("mssql://srv/db/dbo/in2", guid=-5),
        table("mssql://srv/db/dbo/out", guid=-6),
        process(
            "proc",
            inputs=[
                {"guid": existing},
                {"typeName": "azure_sql_table", "guid": -5, "qualifiedName": "mssql://srv/db/dbo/in2"},
            ],
            outputs=[{"typeName": "azure_sql_table", "uniqueAttributes": {"qualifiedName": "mssql://srv/db/dbo/out"}}],
            guid=-9,
        ),
    )
    proc = get_entity(s, base, result["guidAssignments"]["-9"])["entity"]
    assert sorted(i["guid"] for i in proc["attributes"]["inputs"]) == sorted(
        [existing, result["guidAssignments"]["-5"]]
    )
    assert proc["attributes"]["inputs"][0]["uniqueAttributes"]["qualifiedName"].startswith("mssql://")
    assert [o["guid"] for o in proc["relationshipAttributes"]["outputs"]] == [result["guidAssignments"]["-6"]]
    output = get_entity(s, base, result["guidAssignments"]["-6"])["entity"]
    assert [p["guid"] for p in output["relationshipAttributes"]["outputFromProcesses"]] == [proc["guid"]]
    assert output["relationshipAttributes"]["outputFromProcesses"][0]["relationshipType"] == "process_dataset_outputs"


def test_empty_list_clears_inputs_and_omission_keeps_them(purview):
    s = purview.session()
    base = purview.datamap_url
    ids = upsert(s, base, table("mssql://s/d/o/i", guid=-1), table("mssql://s/d/o/o", guid=-2))["guidAssignments"]
    proc_guid = upsert(s, base, process("proc", [{"guid": ids["-1"]}], [{"guid": ids["-2"]}], guid=-3))[
        "guidAssignments"
    ]["-3"]

    keep = {"typeName": "Process", "attributes": {"qualifiedName": "proc", "name": "proc", "description": "d"}}
    upsert(s, base, keep)
    entity = get_entity(s, base, proc_guid)["entity"]
    assert len(entity["attributes"]["inputs"]) == 1
    assert len(entity["attributes"]["outputs"]) == 1

    clear = {"typeName": "Process", "attributes": {"qualifiedName": "proc", "name": "proc", "inputs": []}}
    result = upsert(s, base, clear)
    assert result["mutatedEntities"]["UPDATE"][0]["guid"] == proc_guid
    entity = get_entity(s, base, proc_guid)["entity"]
    assert entity["attributes"]["inputs"] == []
    assert entity["relationshipAttributes"]["inputs"] == []
    assert len(entity["attributes"]["outputs"]) == 1
    input_table = get_entity(s, base, ids["-1"])["entity"]
    assert input_table["relationshipAttributes"]["inputToProcesses"] == []


def test_get_shows_every_attribute_and_relationship_attribute(purview):
    s = purview.session()
    guid = upsert(
        s,
        purview.datamap_url,
        dataset("azure_datalake_gen2_path", "https://a.dfs.core.windows.net/f/x.csv", -1, size=5),
    )["guidAssignments"]["-1"]
    got = get_entity(s, purview.datamap_url, guid)
    entity = got["entity"]
    assert got["referredEntities"] == {}
    assert entity["attributes"]["size"] == 5
    assert entity["attributes"]["description"] is None
    assert "ACL" in entity["attributes"]
    assert entity["collectionId"] == purview.store.collections.root
    assert entity["version"] == 0
    rel = entity["relationshipAttributes"]
    for name in ("inputToProcesses", "outputFromProcesses", "meanings", "attachedSchema", "schema"):
        assert rel[name] == []
    assert rel["tabular_schema"] is None
    assert (
        "relationshipAttributes" not in get_entity(s, purview.datamap_url, guid, "?ignoreRelationships=true")["entity"]
    )


def test_unique_attribute_reads_single_404_and_bulk_empty_object(purview):
    s = purview.session()
    base = purview.datamap_url
    guid = upsert(s, base, table("mssql://s/d/o/u", guid=-1))["guidAssignments"]["-1"]
    one = s.get(
        f"{base}/atlas/v2/entity/uniqueAttribute/type/azure_sql_table", params={"attr:qualifiedName": "mssql://s/d/o/u"}
    )
    assert one.status_code == 200
    assert one.json()["entity"]["guid"] == guid
    by_super = s.get(
        f"{base}/atlas/v2/entity/uniqueAttribute/type/DataSet", params={"attr:qualifiedName": "mssql://s/d/o/u"}
    )
    assert by_super.json()["entity"]["guid"] == guid

    miss = s.get(f"{base}/atlas/v2/entity/uniqueAttribute/type/azure_sql_table", params={"attr:qualifiedName": "nope"})
    assert miss.status_code == 404
    assert miss.json()["errorCode"] == "ATLAS-404-00-009"

    bulk = s.get(
        f"{base}/atlas/v2/entity/bulk/uniqueAttribute/type/azure_sql_table",
        params={"attr_0:qualifiedName": "mssql://s/d/o/u", "attr_1:qualifiedName": "nope"},
    )
    assert [e["guid"] for e in bulk.json()["entities"]] == [guid]
    none = s.get(
        f"{base}/atlas/v2/entity/bulk/uniqueAttribute/type/azure_sql_table", params={"attr_0:qualifiedName": "x"}
    )
    assert none.status_code == 200
    assert none.json() == {}


def test_plus_in_unique_attribute_is_not_a_space_like_on_purview(purview):
    s = purview.session()
    base = purview.datamap_url
    upsert(s, base, table("mssql://s/d/o/with space", guid=-1))
    plus = s.get(
        f"{base}/atlas/v2/entity/uniqueAttribute/type/azure_sql_table?attr:qualifiedName=mssql://s/d/o/with+space"
    )
    assert plus.status_code == 404
    encoded = s.get(
        f"{base}/atlas/v2/entity/uniqueAttribute/type/azure_sql_table?attr:qualifiedName=mssql://s/d/o/with%20space"
    )
    assert encoded.status_code == 200


def test_partial_updates_by_guid_and_by_unique_attribute(purview):
    s = purview.session()
    base = purview.datamap_url
    guid = upsert(s, base, table("mssql://s/d/o/p", guid=-1))["guidAssignments"]["-1"]
    by_guid = s.put(f"{base}/atlas/v2/entity/guid/{guid}", params={"name": "description"}, json="hello")
    assert by_guid.status_code == 200
    result = by_guid.json()
    assert result["partialUpdatedEntities"][0]["guid"] == guid
    assert result["mutatedEntities"]["PARTIAL_UPDATE"][0]["guid"] == guid
    assert result["guidAssignments"] == {}
    assert get_entity(s, base, guid)["entity"]["attributes"]["description"] == "hello"

    bad = s.put(f"{base}/atlas/v2/entity/guid/{guid}", params={"name": "nope"}, json="x")
    assert bad.status_code == 400

    by_unique = s.put(
        f"{base}/atlas/v2/entity/uniqueAttribute/type/azure_sql_table",
        params={"attr:qualifiedName": "mssql://s/d/o/p"},
        json={"entity": {"typeName": "azure_sql_table", "attributes": {"owner": "me"}}},
    )
    assert by_unique.status_code == 200
    entity = get_entity(s, base, guid)["entity"]
    assert entity["attributes"]["owner"] == "me"
    assert entity["attributes"]["description"] == "hello"


def test_soft_delete_by_guid_unique_attribute_and_bulk(purview):
    s = purview.session()
    base = purview.datamap_url
    ids = upsert(s, base, *(table(f"mssql://s/d/o/d{i}", guid=-i) for i in range(1, 5)))["guidAssignments"]
    one = s.delete(f"{base}/atlas/v2/entity/guid/{ids['-1']}")
    assert one.status_code == 200
    deleted = one.json()["mutatedEntities"]["DELETE"]
    assert deleted[0]["guid"] == ids["-1"] and deleted[0]["status"] == "DELETED"
    assert get_entity(s, base, ids["-1"])["entity"]["status"] == "DELETED"
    assert s.delete(f"{base}/atlas/v2/entity/guid/{ids['-1']}").json()["mutatedEntities"] == {}

    unique = s.delete(
        f"{base}/atlas/v2/entity/uniqueAttribute/type/azure_sql_table",
        params={"attr:qualifiedName": "mssql://s/d/o/d2"},
    )
    assert unique.json()["mutatedEntities"]["DELETE"][0]["guid"] == ids["-2"]

    bulk = s.delete(f"{base}/atlas/v2/entity/bulk", params=[("guid", ids["-3"]), ("guid", ids["-4"])])
    assert {h["guid"] for h in bulk.json()["mutatedEntities"]["DELETE"]} == {ids["-3"], ids["-4"]}
    assert s.delete(f"{base}/atlas/v2/entity/guid/00000000-0000-0000-0000-000000000000").status_code == 404

    recreated = upsert(s, base, table("mssql://s/d/o/d1", guid=-1))
    assert recreated["mutatedEntities"]["CREATE"][0]["guid"] != ids["-1"]


def test_labels_add_set_remove(purview):
    s = purview.session()
    base = purview.datamap_url
    guid = upsert(s, base, table("mssql://s/d/o/l", guid=-1))["guidAssignments"]["-1"]
    url = f"{base}/atlas/v2/entity/guid/{guid}/labels"
    assert s.put(url, json=["a", "b"]).status_code == 204
    assert s.put(url, json=["b", "c"]).status_code == 204
    assert get_entity(s, base, guid)["entity"]["labels"] == ["a", "b", "c"]
    assert s.post(url, json=["x"]).status_code == 204
    assert get_entity(s, base, guid)["entity"]["labels"] == ["x"]
    assert s.delete(url, json=["x"]).status_code == 204
    assert get_entity(s, base, guid)["entity"]["labels"] == []  # live reads always carry labels
    by_unique = f"{base}/atlas/v2/entity/uniqueAttribute/type/azure_sql_table/labels"
    assert s.put(by_unique, params={"attr:qualifiedName": "mssql://s/d/o/l"}, json=["u"]).status_code == 204
    assert get_entity(s, base, guid)["entity"]["labels"] == ["u"]
    assert s.put(url, json={"not": "a list"}).status_code == 400


def test_classifications_add_get_update_remove(purview):
    s = purview.session()
    base = purview.datamap_url
    guid = upsert(s, base, table("mssql://s/d/o/c", guid=-1))["guidAssignments"]["-1"]
    url = f"{base}/atlas/v2/entity/guid/{guid}/classifications"
    email = {"typeName": "MICROSOFT.PERSONAL.EMAIL"}
    assert s.post(url, json=[email]).status_code == 204
    again = s.post(url, json=[email])
    assert again.status_code == 400
    assert again.json()["errorCode"] == "ATLAS-400-00-01A"  # Atlas's validateEntityAssociations
    assert s.post(url, json=[{"typeName": "NOT.A.CLASSIFICATION"}]).status_code == 404
    listed = s.get(url).json()
    assert listed["totalCount"] == 1
    assert listed["list"][0]["entityGuid"] == guid
    one = s.get(f"{base}/atlas/v2/entity/guid/{guid}/classification/MICROSOFT.PERSONAL.EMAIL").json()
    assert one["typeName"] == "MICROSOFT.PERSONAL.EMAIL"
    assert (
        s.put(url, json=[{"typeName": "MICROSOFT.PERSONAL.EMAIL", "attributes": {"confidence": 80}}]).status_code == 204
    )
    assert s.delete(f"{base}/atlas/v2/entity/guid/{guid}/classification/MICROSOFT.PERSONAL.EMAIL").status_code == 204
    gone = s.delete(f"{base}/atlas/v2/entity/guid/{guid}/classification/MICROSOFT.PERSONAL.EMAIL")
    assert gone.status_code == 400
    assert gone.json()["errorCode"] == "ATLAS-400-00-06D"

    bulk = s.post(
        f"{base}/atlas/v2/entity/bulk/classification",
        json={"classification": {"typeName": "MICROSOFT.PERSONAL.NAME"}, "entityGuids": [guid]},
    )
    assert bulk.status_code == 204
    header = s.get(f"{base}/atlas/v2/entity/guid/{guid}/header").json()
    assert header["classificationNames"] == ["MICROSOFT.PERSONAL.NAME"]


def test_collection_on_create_move_and_unknown_collection(purview):
    s = purview.session()
    base = purview.datamap_url
    assert s.put(
        f"{purview.account_url}/collections/Finance?api-version=2019-11-01-preview", json={"friendlyName": "Finance"}
    ).ok
    created = upsert(s, base, table("mssql://s/d/o/m", guid=-1), query=f"{API}&collectionId=finance")
    guid = created["guidAssignments"]["-1"]
    assert get_entity(s, base, guid)["entity"]["collectionId"] == "finance"

    bad = s.post(
        f"{base}/atlas/v2/entity/bulk{API}&collectionId=nope", json={"entities": [table("mssql://x", guid=-1)]}
    )
    assert bad.status_code == 400

    moved = s.post(
        f"{base}/entity/moveTo{API}&collectionId={purview.store.collections.root}", json={"entityGuids": [guid]}
    )
    assert moved.status_code == 200
    assert moved.json()["mutatedEntities"]["UPDATE"][0]["guid"] == guid
    assert get_entity(s, base, guid)["entity"]["collectionId"] == purview.store.collections.root
    assert s.post(f"{base}/entity/moveTo?collectionId=finance", json={"entityGuids": [guid]}).status_code == 400


def test_malformed_bodies_answer_atlas_errors_not_500(purview):
    s = purview.session()
    base = purview.datamap_url
    for url, payload in [
        (f"{base}/atlas/v2/entity/bulk", b"{not json"),
        (f"{base}/atlas/v2/entity/bulk", b'{"entities": 5}'),
        (f"{base}/atlas/v2/entity/bulk", b'{"entities": [5]}'),
        (f"{base}/atlas/v2/entity", b'{"entity": {"typeName": "azure_sql_table", "attributes": []}}'),
        (f"{base}/atlas/v2/entity", b"[]"),
        (f"{base}/atlas/v2/types/typedefs", b'{"entityDefs": [{}]}'),
        (f"{base}/search/query{API}", b'{"limit": "x"}'),
    ]:
        response = s.post(url, data=payload, headers={"Content-Type": "application/json"})
        assert 400 <= response.status_code < 500, (url, payload, response.text)
        assert "errorCode" in response.json()
    assert s.get(f"{base}/atlas/v2/nothing/here").status_code == 404
    assert s.patch(f"{base}/atlas/v2/entity/bulk").status_code == 405
