"""Lookups and paging exactly as real clients send them (issue 11, item 10).

- `attr_<index>:qualifiedName`: Atlas groups these by whatever text sits between `attr_` and `:`, so
  the official SDK's literal `attr_N:qualifiedName` is a valid single lookup.
- A string `limit` in a search body: Microsoft's Databricks lineage accelerator always sends
  `"limit": "1000"` (with an integer `offset` and api-version 2021-05-01-preview).
- `GET atlas/v2/lineage/{guid}/next`: pyapacheatlas' `get_entity_next_lineage` path (no api-version,
  `limit=-1` meaning no paging); its live-Purview integration test expects 2 entities for `limit=1`.
"""

from __future__ import annotations

from pyapacheatlas.core import AtlasEntity, AtlasProcess

from tests.emulators.purview.helpers import paa_purview_client, sdk_client, table, upsert

BULK_UNIQUE = "/atlas/v2/entity/bulk/uniqueAttribute/type/azure_sql_table"


def test_sdk_literal_attr_n_parameter_finds_the_entity(purview):
    base = purview.datamap_url
    upsert(purview.session(), base, table("mssql://s/d/dbo/orders", guid=-1))
    found = sdk_client(purview).entity.batch_get_by_unique_attributes(
        "azure_sql_table", attr_n_qualified_name="mssql://s/d/dbo/orders"
    )
    assert [e["attributes"]["qualifiedName"] for e in found["entities"]] == ["mssql://s/d/dbo/orders"]


def test_any_index_text_between_attr_and_colon_is_one_lookup(purview):
    s, base = purview.session(), purview.datamap_url
    upsert(s, base, table("mssql://s/d/dbo/a", guid=-1), table("mssql://s/d/dbo/b", guid=-2))
    query = "attr_x:qualifiedName=mssql://s/d/dbo/b&attr_:qualifiedName=mssql://s/d/dbo/a&attr_7:name=ignored"
    names = [e["attributes"]["qualifiedName"] for e in s.get(f"{base}{BULK_UNIQUE}?{query}").json()["entities"]]
    assert sorted(names) == ["mssql://s/d/dbo/a", "mssql://s/d/dbo/b"]
    # Atlas reads only the first value of a repeated index; numeric indexes come back in index order
    repeated = "attr_1:qualifiedName=mssql://s/d/dbo/a&attr_0:qualifiedName=mssql://s/d/dbo/b"
    repeated += "&attr_0:qualifiedName=mssql://s/d/dbo/a"
    got = s.get(f"{base}{BULK_UNIQUE}?{repeated}").json()["entities"]
    assert [e["attributes"]["qualifiedName"] for e in got] == ["mssql://s/d/dbo/b", "mssql://s/d/dbo/a"]
    assert s.get(f"{base}{BULK_UNIQUE}?attr_q:qualifiedName=nope").json() == {}


def test_accelerator_shaped_search_with_string_limit(purview):
    s, base = purview.session(), purview.url + "/catalog/api"
    upsert(s, purview.datamap_url, table("mssql://srv.database.windows.net/db/dbo/people", guid=-1))
    body = {
        "limit": "1000",
        "offset": 0,
        "filter": {"and": [{"attributeName": "qualifiedName", "operator": "contains", "attributeValue": "people"}]},
    }
    response = s.post(f"{base}/search/query?api-version=2021-05-01-preview", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["@search.count"] == 1
    bad = s.post(f"{base}/search/query?api-version=2023-09-01", json={"limit": "lots"})
    assert bad.status_code == 400 and bad.json()["errorCode"] == "ATLAS-400-00-01A"
    assert s.post(f"{base}/search/query?api-version=2023-09-01", json={"limit": "1001"}).status_code == 400


def test_pyapacheatlas_next_lineage_on_the_atlas_path(purview):
    client = paa_purview_client(purview)
    source = AtlasEntity("test_in", "DataSet", "test://lineage_in", guid=-101)
    target = AtlasEntity("test_out", "DataSet", "test://lineage_out", guid=-102)
    job = AtlasProcess("test_proc", "Process", "test://lineage_proc", guid=-103, inputs=[source], outputs=[target])
    assignments = client.upload_entities(batch=[source, target, job])["guidAssignments"]

    one = client.get_entity_next_lineage(guid=assignments["-102"], direction="INPUT", offset=0, limit=1)
    assert set(one["guidEntityMap"]) == {assignments["-102"], assignments["-103"]}
    assert one["childrenCount"] == 1 and one["lineageWidth"] == 1
    everything = client.get_entity_next_lineage(assignments["-103"], "INPUT")  # limit=-1: no paging
    assert set(everything["guidEntityMap"]) == {assignments["-103"], assignments["-101"]}
    assert everything["relations"][0]["fromEntityId"] == assignments["-101"]
    # the spec path still needs its api-version; the Atlas path does not
    s = purview.session()
    assert s.get(f"{purview.datamap_url}/lineage/{assignments['-102']}/next?direction=INPUT").status_code == 400
    legacy = s.get(f"{purview.datamap_url}/atlas/v2/lineage/{assignments['-102']}/next/?direction=INPUT")
    assert legacy.status_code == 200
