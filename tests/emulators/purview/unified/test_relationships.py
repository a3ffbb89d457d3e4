"""Relationships of data products (DATAASSET, TERM), seen from both ends, created and deleted in every client's form."""

from __future__ import annotations

import uuid

import pytest

from emulators.purview.unified.values import ZERO_GUID
from tests.emulators.purview.unified.helpers import CSV_1, CSV_2, Catalog, datamap_files


@pytest.fixture()
def uc(purview):
    return Catalog(purview)


@pytest.fixture()
def product(uc):
    return uc.product(uc.domain()["id"])


def test_append_a_datamap_asset_to_a_data_product(uc, purview, product):
    """The F10 "append asset" sequence: find the catalog asset by Data Map guid, create it if missing, relate it."""
    guid = datamap_files(purview, CSV_1)[0]
    found = uc.ok("POST", "/dataAssets/query", {"sourceAssetIds": [guid]})["value"]
    asset_id = found[0]["id"] if found else uc.asset(guid)["id"]
    body = {"entityId": asset_id, "relationshipType": "Related", "description": "CluedIn entity", "assetId": asset_id}
    created = uc.ok("POST", f"/dataProducts/{product['id']}/relationships", body, entityType="DATAASSET")
    assert created["entityId"] == asset_id and created["relationshipType"] == "Related"
    assert created["description"] == "CluedIn entity" and "createdAt" in created["systemData"]
    listed = uc.ok("GET", f"/dataProducts/{product['id']}/relationships", entityType="DATAASSET")["value"]
    assert [r["entityId"] for r in listed] == [asset_id]
    assert uc.ok("GET", f"/dataProducts/{product['id']}")["additionalProperties"] == {"assetCount": 1}
    from_asset = uc.ok("GET", f"/dataAssets/{asset_id}/relationships", entityType="DATAPRODUCT")["value"]
    assert [r["entityId"] for r in from_asset] == [product["id"]]
    again = uc.call("POST", f"/dataProducts/{product['id']}/relationships", body, entityType="DATAASSET")
    assert again.status_code == 409 and again.headers["x-ms-error-code"] == "Conflict"


def test_terms_and_assets_are_listed_by_entity_type(uc, purview, product):
    term = uc.term(product["domain"])
    asset = uc.asset(datamap_files(purview, CSV_1)[0])
    uc.ok("POST", f"/dataProducts/{product['id']}/relationships", {"entityId": term["id"]}, entityType="TERM")
    uc.ok("POST", f"/dataProducts/{product['id']}/relationships", {"entityId": asset["id"]}, entityType="DATAASSET")
    terms = uc.ok("GET", f"/dataProducts/{product['id']}/relationships", entityType="TERM")["value"]
    assert [r["entityId"] for r in terms] == [term["id"]] and terms[0]["relationshipType"] == "Related"
    assert len(uc.ok("GET", f"/dataProducts/{product['id']}/relationships")["value"]) == 2
    products = uc.ok("GET", f"/terms/{term['id']}/relationships", entityType="DATAPRODUCT")["value"]
    assert [r["entityId"] for r in products] == [product["id"]]


def test_ucpy_sends_entity_type_in_title_case(uc, product):
    term = uc.term(product["domain"])
    uc.ok(
        "POST",
        f"/dataproducts/{product['id']}/relationships",
        {"entityId": term["id"], "description": ""},
        entityType="Term",
    )
    assert len(uc.ok("GET", f"/dataproducts/{product['id']}/relationships", entityType="term")["value"]) == 1


def test_delete_by_query_string_sdk_and_ucpy_form(uc, purview, product):
    assets = [uc.asset(g)["id"] for g in datamap_files(purview, CSV_1, CSV_2)]
    for asset_id in assets:
        uc.ok("POST", f"/dataProducts/{product['id']}/relationships", {"entityId": asset_id}, entityType="DATAASSET")
    gone = uc.call(
        "DELETE",
        f"/dataProducts/{product['id']}/relationships",
        entityType="DATAASSET",
        entityId=assets[0],
        relationshipType="Related",
    )
    assert gone.status_code == 204 and gone.content == b""
    left = uc.ok("GET", f"/dataProducts/{product['id']}/relationships", entityType="DATAASSET")["value"]
    assert [r["entityId"] for r in left] == [assets[1]]
    twice = uc.call(
        "DELETE", f"/dataProducts/{product['id']}/relationships", entityType="DATAASSET", entityId=assets[0]
    )
    assert twice.status_code == 404 and twice.json()["error"]["code"] == "NotFound"


def test_delete_by_path_pvw_form(uc, purview, product):
    asset_id = uc.asset(datamap_files(purview, CSV_1)[0])["id"]
    uc.ok("POST", f"/dataproducts/{product['id']}/relationships", {"entityId": asset_id}, entityType="DATAASSET")
    gone = uc.call("DELETE", f"/dataproducts/{product['id']}/relationships/{asset_id}", entityType="DATAASSET")
    assert gone.status_code == 204
    assert uc.ok("GET", f"/dataproducts/{product['id']}")["additionalProperties"]["assetCount"] == 0


def test_delete_from_the_asset_side_removes_the_product_link(uc, purview, product):
    asset_id = uc.asset(datamap_files(purview, CSV_1)[0])["id"]
    uc.ok("POST", f"/dataAssets/{asset_id}/relationships", {"entityId": product["id"]}, entityType="DATAPRODUCT")
    assert uc.ok("GET", f"/dataProducts/{product['id']}")["additionalProperties"]["assetCount"] == 1
    uc.ok(
        "DELETE", f"/dataAssets/{asset_id}/relationships", None, 204, entityType="DATAPRODUCT", entityId=product["id"]
    )
    assert uc.ok("GET", f"/dataProducts/{product['id']}/relationships", entityType="DATAASSET")["value"] == []


def test_wrapped_body_is_stored_with_the_zero_guid_like_the_live_service(uc, product):
    """pvw-cli's regression: a body wrapped in another key was accepted and stored with a zero entityId."""
    wrapped = {"relationship1": {"entityId": str(uuid.uuid4()), "relationshipType": "Related"}}
    created = uc.ok("POST", f"/dataProducts/{product['id']}/relationships", wrapped, entityType="DATAASSET")
    assert created["entityId"] == ZERO_GUID
    unknown = str(uuid.uuid4())
    assert uc.ok("POST", f"/dataProducts/{product['id']}/relationships", {"entityId": unknown}, entityType="DATAASSET")


def test_strict_mode_refuses_unknown_targets(uc, purview, product):
    purview.set_faults(extra={"unified_strict_relationships": True})
    wrapped = uc.call("POST", f"/dataProducts/{product['id']}/relationships", {"x": {}}, entityType="DATAASSET")
    assert wrapped.status_code == 404
    unknown = uc.call(
        "POST", f"/dataProducts/{product['id']}/relationships", {"entityId": str(uuid.uuid4())}, entityType="TERM"
    )
    assert unknown.status_code == 404 and unknown.headers["x-ms-error-code"] == "NotFound"


def test_bad_relationship_requests(uc, product):
    path = f"/dataProducts/{product['id']}/relationships"
    no_type = uc.call("POST", path, {"entityId": str(uuid.uuid4())})
    assert no_type.status_code == 400 and no_type.json()["error"]["target"] == "entityType"
    assert uc.call("POST", path, {"entityId": str(uuid.uuid4())}, entityType="SPREADSHEET").status_code == 400
    assert uc.call("POST", path, {"entityId": "not-a-guid"}, entityType="TERM").status_code == 400
    assert uc.call("POST", path, {"entityId": product["id"]}, entityType="DATAPRODUCT").status_code == 400
    assert uc.call("DELETE", path, entityType="TERM").status_code == 400
    missing = uc.call("GET", f"/dataProducts/{uuid.uuid4()}/relationships", entityType="TERM")
    assert missing.status_code == 404


def test_deleting_a_product_or_asset_drops_its_relationships(uc, purview, product):
    asset_id = uc.asset(datamap_files(purview, CSV_1)[0])["id"]
    uc.ok("POST", f"/dataProducts/{product['id']}/relationships", {"entityId": asset_id}, entityType="DATAASSET")
    assert uc.call("DELETE", f"/dataAssets/{asset_id}").status_code == 204
    assert uc.ok("GET", f"/dataProducts/{product['id']}/relationships")["value"] == []
    term = uc.term(product["domain"])
    uc.ok("POST", f"/terms/{term['id']}/relationships", {"entityId": product["id"]}, entityType="DATAPRODUCT")
    assert uc.call("DELETE", f"/dataProducts/{product['id']}").status_code == 204
    assert uc.ok("GET", f"/terms/{term['id']}/relationships")["value"] == []


def test_term_to_term_relationships_default_to_term(uc, product):
    a, b = uc.term(product["domain"], "Client"), uc.term(product["domain"], "Customer")
    synonym = uc.ok("POST", f"/terms/{a['id']}/relationships", {"entityId": b["id"], "relationshipType": "synonym"})
    assert synonym["relationshipType"] == "Synonym"
    listed = uc.ok("GET", f"/terms/{b['id']}/relationships", entityType="TERM", relationshipType="Synonym")["value"]
    assert [r["entityId"] for r in listed] == [a["id"]]
    gone = uc.call("DELETE", f"/terms/{a['id']}/relationships", entityId=b["id"], relationshipType="Synonym")
    assert gone.status_code == 204
