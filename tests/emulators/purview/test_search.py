"""Discovery: the filter grammar, keywords, paging (continuation token and legacy offset), facets, index lag."""

from __future__ import annotations

import pytest

from tests.emulators.purview.helpers import dataset, search, table, upsert

BLOB = "https://acct.blob.core.windows.net/c"
TABLES = ["customers", "orders", "sales_facts"]
SIZE_ZERO = {"attributeName": "size", "operator": "eq", "attributeValue": 0}
CSV_NAMES = {"attributeName": "qualifiedName", "operator": "contains", "attributeValue": ".csv"}
SQL_NAMES = {"attributeName": "qualifiedName", "operator": "prefix", "attributeValue": "mssql://"}


@pytest.fixture()
def estate(purview):
    """A small estate: blobs, gen2 files, SQL tables, a classification, a label, a term, a sub-collection."""
    s = purview.session()
    base = purview.datamap_url
    s.put(f"{purview.account_url}/collections/sales?api-version=2019-11-01-preview", json={"friendlyName": "Sales"})
    glossary = next(g for g in s.get(f"{base}/atlas/v2/glossary").json() if g["name"] == "Glossary")
    term = s.post(
        f"{base}/atlas/v2/glossary/term", json={"name": "Revenue", "anchor": {"glossaryGuid": glossary["guid"]}}
    ).json()
    ids = upsert(
        s,
        base,
        dataset("azure_blob_path", f"{BLOB}/exampledata1.csv", -1),
        dataset("azure_blob_path", f"{BLOB}/exampledata2.txt", -2),
        dataset("azure_datalake_gen2_path", "https://acct.dfs.core.windows.net/fs/orders.csv", -3, size=0),
        table(
            "mssql://srv/db/dbo/orders",
            guid=-4,
            classifications=[{"typeName": "MICROSOFT.PERSONAL.EMAIL"}],
            labels=["pii"],
        ),
        table("mssql://srv/db/dbo/customers", guid=-5),
    )["guidAssignments"]
    upsert(
        s, base, table("mssql://srv/db/dbo/sales_facts", guid=-6), query="?api-version=2023-09-01&collectionId=sales"
    )
    assigned = f"{base}/atlas/v2/glossary/terms/{term['guid']}/assignedEntities"
    assert s.post(assigned, json=[{"guid": ids["-4"]}, {"guid": ids["-5"]}]).status_code == 204
    return {"ids": ids, "term": term}


def names(result):
    return sorted(v["name"] for v in result["value"])


def test_result_shape_and_counts(purview, estate):
    s = purview.session()
    result = search(s, purview.datamap_url, {"keywords": "exampledata", "limit": 10})
    assert result["@search.count"] == 2
    assert result["@search.count.approximate"] is False
    assert "continuationToken" not in result
    hit = result["value"][0]
    for key in (
        "@search.score",
        "id",
        "name",
        "qualifiedName",
        "entityType",
        "assetType",
        "term",
        "classification",
        "label",
    ):
        assert key in hit
    assert hit["assetType"] == ["Azure Blob Storage"]
    assert hit["@search.highlights"]["name"][0].startswith("<em>exampledata</em>")
    assert hit["objectType"] == "Files"
    assert hit["collectionId"] == purview.store.collections.root


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"entityType": "azure_blob_path"}, ["exampledata1.csv", "exampledata2.txt"]),
        ({"kind": "TypeFilter", "typeName": "azure_sql_table", "includeSubTypes": False}, TABLES),
        ({"entityType": "DataSet", "includeSubTypes": False}, []),
        ({"and": [{"entityType": "DataSet"}, {"assetType": "Azure Data Lake Storage Gen2"}]}, ["orders.csv"]),
        ({"objectType": "Tables"}, TABLES),
        ({"collectionId": "sales"}, ["sales_facts"]),
        ({"classification": "MICROSOFT.PERSONAL.EMAIL", "includeSubClassifications": True}, ["orders"]),
        ({"label": "pii"}, ["orders"]),
        ({"term": "Revenue"}, ["customers", "orders"]),
        ({"term": "Revenue", "glossary": "Glossary"}, ["customers", "orders"]),
        ({"term": "Revenue", "glossary": "Other"}, []),
        ({"fileExtension": "csv"}, ["exampledata1.csv", "orders.csv"]),
        ({"and": [{"objectType": "Tables"}, {"not": {"term": "Revenue"}}]}, ["sales_facts"]),
        ({"or": [{"label": "pii"}, {"collectionId": "sales"}]}, ["orders", "sales_facts"]),
        ({"attributeName": "name", "operator": "eq", "attributeValue": "orders"}, ["orders"]),
        (CSV_NAMES, ["exampledata1.csv", "orders.csv"]),
        (SQL_NAMES, TABLES),
        ({"and": [{"entityType": "azure_datalake_gen2_path"}, SIZE_ZERO]}, ["orders.csv"]),
        ({"and": [{"objectType": "Files"}, {"not": SIZE_ZERO}]}, ["exampledata1.csv", "exampledata2.txt"]),
    ],
)  # fmt: skip
def test_filter_grammar(purview, estate, flt, expected):
    s = purview.session()
    assert names(search(s, purview.datamap_url, {"keywords": None, "limit": 100, "filter": flt})) == expected


def test_term_guid_id_time_and_glossary_filters(purview, estate):
    s = purview.session()
    base = purview.datamap_url
    by_guid = search(s, base, {"filter": {"termGuid": estate["term"]["guid"]}})
    assert names(by_guid) == ["customers", "orders"]
    by_id = search(s, base, {"filter": {"and": [{"id": estate["ids"]["-1"]}]}})
    assert names(by_id) == ["exampledata1.csv"]
    recent = search(s, base, {"filter": {"and": [{"objectType": "Tables"}, {"updateTime": "LAST_24H"}]}})
    assert recent["@search.count"] == 3
    old = search(s, base, {"filter": {"createTime": {"operator": "lt", "timeThreshold": 1545580800000}}})
    assert old["@search.count"] == 0
    ge = search(s, base, {"filter": {"attributeName": "createTime", "operator": "ge", "attributeValue": 1545580800000}})
    assert ge["@search.count"] >= 6
    terms = search(s, base, {"keywords": "revenue", "filter": {"glossaryType": "AtlasGlossaryTerm"}})
    assert terms["value"][0]["qualifiedName"] == "Revenue@Glossary"
    assert terms["value"][0]["objectType"] == "Glossary terms"
    assert terms["value"][0]["termStatus"] == "Draft"
    glossaries = search(
        s, base, {"filter": {"and": [{"objectType": "Glossary terms"}, {"glossaryType": "AtlasGlossary"}]}}
    )
    assert names(glossaries) == ["Glossary"]


def test_results_carry_terms_and_facets_count_the_whole_result(purview, estate):
    s = purview.session()
    result = search(
        s,
        purview.datamap_url,
        {
            "filter": {"objectType": "Tables"},
            "limit": 1,
            "facets": [
                {"facet": "term", "count": 10},
                {"facet": "classification", "count": 10},
                {"facet": "assetType", "count": 0},
            ],
        },
    )
    facets = result["@search.facets"]
    assert facets["term"] == [{"count": 2, "value": "Revenue"}]
    assert facets["classification"] == [{"count": 1, "value": "MICROSOFT.PERSONAL.EMAIL"}]
    assert facets["assetType"] == [{"count": 3, "value": "Azure SQL Database"}]
    orders = search(
        s, purview.datamap_url, {"filter": {"attributeName": "name", "operator": "eq", "attributeValue": "orders"}}
    )
    assert orders["value"][0]["term"] == [
        {"name": "Revenue", "glossaryName": "Glossary", "guid": estate["term"]["guid"]}
    ]


def test_continuation_token_pages_through_everything_once(purview, estate):
    s = purview.session()
    body = {"keywords": None, "limit": 2, "filter": {"entityType": "DataSet"}, "orderby": [{"name": "ASC"}]}
    seen, pages = [], 0
    while True:
        result = search(s, purview.datamap_url, body)
        pages += 1
        seen += [v["name"] for v in result["value"]]
        if "continuationToken" not in result:
            break
        body = {**body, "continuationToken": result["continuationToken"]}
    assert pages == 3
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 6
    token = search(s, purview.datamap_url, {"limit": 1, "filter": {"entityType": "DataSet"}})["continuationToken"]
    other = s.post(
        f"{purview.datamap_url}/search/query?api-version=2023-09-01",
        json={"limit": 1, "filter": {"entityType": "Process"}, "continuationToken": token},
    )
    assert other.status_code == 400 and other.json()["errorCode"] == "ATLAS-400-00-01A"
    garbage = s.post(f"{purview.datamap_url}/search/query?api-version=2023-09-01", json={"continuationToken": "%%%"})
    assert garbage.status_code == 400


def test_legacy_offset_paging_and_limits(purview, estate):
    s = purview.session()
    base = purview.datamap_url
    first = search(
        s, base, {"keywords": "*", "filter": {"entityType": "DataSet"}, "limit": 4, "offset": 0}, "2022-03-01-preview"
    )
    second = search(
        s, base, {"keywords": "*", "filter": {"entityType": "DataSet"}, "limit": 4, "offset": 4}, "2022-03-01-preview"
    )
    assert first["@search.count"] == 6 and "continuationToken" not in first
    assert len(first["value"]) == 4 and len(second["value"]) == 2
    assert not {v["id"] for v in first["value"]} & {v["id"] for v in second["value"]}
    ignored = search(s, base, {"filter": {"entityType": "DataSet"}, "limit": 4, "offset": 4})
    assert len(ignored["value"]) == 4
    assert s.post(f"{base}/search/query?api-version=2023-09-01", json={"limit": 1001}).status_code == 400
    assert s.post(f"{base}/search/query", json={}).status_code == 400
    unknown = s.post(f"{base}/search/query?api-version=2023-09-01", json={"filter": {"color": "blue"}})
    assert unknown.status_code == 400
    default = search(s, base, {})
    assert default["@search.count"] >= 7 and len(default["value"]) <= 50


def test_index_lag_hides_fresh_writes_until_it_passes(purview):
    s = purview.session()
    seconds = [1000.0]
    purview.store.search_index.clock = lambda: seconds[0]  # the lag passes when the test says so
    purview.set_faults(extra={"search_lag_seconds": 0.5})
    upsert(s, purview.datamap_url, table("mssql://srv/db/dbo/lagging", guid=-1))
    flt = {"filter": {"attributeName": "name", "operator": "eq", "attributeValue": "lagging"}}
    assert search(s, purview.datamap_url, flt)["@search.count"] == 0
    seconds[0] += 0.25
    assert search(s, purview.datamap_url, flt)["@search.count"] == 0
    seconds[0] += 0.25
    assert search(s, purview.datamap_url, flt)["@search.count"] == 1
    upsert(s, purview.datamap_url, table("mssql://srv/db/dbo/forced", guid=-1))
    assert s.post(f"{purview.url}/_emulator/search/refresh").status_code == 204
    forced = {"filter": {"attributeName": "name", "operator": "eq", "attributeValue": "forced"}}
    assert search(s, purview.datamap_url, forced)["@search.count"] == 1


def test_deleted_entities_leave_the_index(purview, estate):
    s = purview.session()
    base = purview.datamap_url
    s.delete(f"{base}/atlas/v2/entity/guid/{estate['ids']['-1']}")
    assert names(search(s, base, {"filter": {"entityType": "azure_blob_path"}})) == ["exampledata2.txt"]


def test_suggest_and_autocomplete(purview, estate):
    s = purview.session()
    base = purview.datamap_url
    suggested = s.post(
        f"{base}/search/suggest?api-version=2023-09-01", json={"keywords": "exampledata", "limit": 5}
    ).json()
    assert {v["name"] for v in suggested["value"]} == {"exampledata1.csv", "exampledata2.txt"}
    assert suggested["value"][0]["@search.text"].startswith("<em>")
    completed = s.post(f"{base}/search/autocomplete?api-version=2023-09-01", json={"keywords": "custo"}).json()
    assert completed["value"][0] == {"text": "customers", "queryPlusText": "customers"}
