"""Data assets: created from Data Map guids, looked up by them (`dataAssets/query` with `sourceAssetIds`)."""

from __future__ import annotations

import uuid

import pytest

from tests.emulators.purview.unified.helpers import CSV_1, CSV_2, Catalog, datamap_files, datamap_table


@pytest.fixture()
def uc(purview):
    return Catalog(purview)


def test_asset_from_a_datamap_csv_takes_its_name_type_and_source(uc, purview):
    guid = datamap_files(purview, CSV_1)[0]
    asset = uc.asset(guid)
    assert asset["name"] == "customers.csv" and asset["type"] == "ADLSGen2Path"
    assert asset["source"]["assetId"] == guid and asset["source"]["assetType"] == "azure_datalake_gen2_path"
    assert asset["source"]["fqn"] == CSV_1 and asset["source"]["accountName"] == "purview-emulator"
    assert asset["typeProperties"] == {
        "serverEndpoint": "https://acct.dfs.core.windows.net",
        "container": "raw",
        "fileName": "customers.csv",
    }
    assert asset["systemData"]["provisioningState"] == "Succeeded"
    assert uc.ok("GET", f"/dataAssets/{asset['id']}", includeExtendedProperties="true", includeLineage="false") == asset


def test_asset_from_a_sql_table_carries_its_columns(uc, purview):
    guid = datamap_table(
        purview, "mssql://srv.database.windows.net/sales/dbo/customer", {"Id": "int", "Email": "nvarchar"}
    )
    asset = uc.asset(guid)
    assert asset["type"] == "AzureSqlTable"
    assert asset["typeProperties"] == {
        "serverEndpoint": "srv.database.windows.net",
        "databaseName": "sales",
        "schemaName": "dbo",
        "tableName": "customer",
        "format": "Table",
    }
    assert [(c["name"], c["type"]) for c in asset["schema"]] == [("Id", "int"), ("Email", "nvarchar")]


def test_query_by_source_asset_id_maps_a_datamap_guid_to_the_catalog_asset(uc, purview):
    first, second = datamap_files(purview, CSV_1, CSV_2)
    a, b = uc.asset(first), uc.asset(second)
    found = uc.ok("POST", "/dataAssets/query", {"sourceAssetIds": [second]})["value"]
    assert [x["id"] for x in found] == [b["id"]]
    assert uc.ok("POST", "/dataAssets/query", {"sourceAssetIds": [str(uuid.uuid4())]})["value"] == []
    both = uc.ok("POST", "/dataAssets/query", {"ids": [a["id"], b["id"]], "nameKeyword": "CONTACT"})["value"]
    assert [x["id"] for x in both] == [b["id"]]
    typed = uc.ok("POST", "/dataAssets/query", {"assetTypes": ["azure_datalake_gen2_path"]})["value"]
    assert len(typed) == 2


def test_one_catalog_asset_per_datamap_guid(uc, purview):
    guid = datamap_files(purview, CSV_1)[0]
    first = uc.asset(guid)
    again = uc.call("POST", "/dataAssets", {"source": {"assetId": guid}})
    assert again.status_code == 409 and again.headers["x-ms-error-code"] == "Conflict"
    assert first["id"] in again.json()["error"]["message"]


def test_create_needs_an_existing_datamap_asset(uc, purview):
    missing = uc.call("POST", "/dataAssets", {"source": {"assetId": str(uuid.uuid4())}})
    assert missing.status_code == 400 and missing.json()["error"]["target"] == "source.assetId"
    assert uc.call("POST", "/dataAssets", {"name": "no source"}).status_code == 400
    assert uc.call("POST", "/dataAssets", {"source": {"assetId": "nope"}}).status_code == 400


def test_pvw_style_create_with_name_type_and_qualified_name(uc, purview):
    datamap_files(purview, CSV_1)
    body = {
        "name": "Customers",
        "source": {"type": "DataMap", "qualifiedName": CSV_1},
        "type": "General",
        "typeProperties": {"x": 1},
    }
    asset = uc.ok("POST", "/dataAssets", body, 201)
    assert asset["name"] == "Customers" and asset["type"] == "General" and asset["typeProperties"]["x"] == 1


def test_update_by_put_and_by_patch(uc, purview):
    guid = datamap_files(purview, CSV_1)[0]
    asset = uc.asset(guid)
    owner = str(uuid.uuid4())
    put = uc.ok(
        "PUT", f"/dataAssets/{asset['id']}", {"source": {"assetId": guid}, "contacts": {"owner": [{"id": owner}]}}
    )
    assert put["contacts"]["owner"][0]["id"] == owner
    patched = uc.ok("PATCH", f"/dataassets/{asset['id']}", {"description": "customers file", "openInUrl": "https://x"})
    assert patched["description"] == "customers file" and patched["contacts"]["owner"][0]["id"] == owner
    moved = uc.call("PUT", f"/dataAssets/{asset['id']}", {"source": {"assetId": str(uuid.uuid4())}})
    assert moved.status_code == 400


def test_list_and_delete(uc, purview):
    guids = datamap_files(purview, CSV_1, CSV_2)
    ids = [uc.asset(g)["id"] for g in guids]
    listed = uc.ok("GET", "/dataAssets", includeExtendedProperties="false", orderBy="name desc")["value"]
    assert [a["name"] for a in listed] == ["customers.csv", "contacts.csv"]
    assert uc.call("DELETE", f"/dataAssets/{ids[0]}").status_code == 204
    assert uc.call("GET", f"/dataAssets/{ids[0]}").status_code == 404
    assert uc.asset(guids[0])["id"] != ids[0]  # the Data Map guid is free again
    assert uc.call("GET", f"/dataAssets/{ids[1]}", includeLineage="maybe").status_code == 400
