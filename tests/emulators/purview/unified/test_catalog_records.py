"""Business domains, data products and terms: create, read, update, delete as the SDK and community clients do."""

from __future__ import annotations

import uuid

import pytest

from emulators.purview.unified.values import DATA_PRODUCT_TYPES
from tests.emulators.purview.unified.helpers import Catalog


@pytest.fixture()
def uc(purview):
    return Catalog(purview)


def test_domain_create_get_list_and_sdk_shape(uc):
    created = uc.domain("Finance", description="money", isRestricted=True, thumbnail={"color": "#123456"})
    assert created["name"] == "Finance" and created["type"] == "DataDomain" and created["status"] == "PUBLISHED"
    assert {"createdAt", "createdBy", "lastModifiedAt", "lastModifiedBy"} <= set(created["systemData"])
    assert created["thumbnail"] == {"color": "#123456"} and created["domains"] == [] and created["isRestricted"]
    assert uc.ok("GET", f"/businessdomains/{created['id']}") == created
    assert [d["id"] for d in uc.ok("GET", "/businessdomains")["value"]] == [created["id"]]


def test_client_supplied_id_is_kept_and_missing_id_is_generated(uc):
    given = str(uuid.uuid4())
    assert uc.domain("With id", id=given.upper())["id"] == given
    generated = uc.domain("Without id")["id"]
    assert uuid.UUID(generated)
    clash = uc.call("POST", "/businessdomains", {"id": given, "name": "Again"})
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "Conflict"
    bad = uc.call("POST", "/businessdomains", {"id": "not-a-guid", "name": "x"})
    assert bad.status_code == 400 and bad.headers["x-ms-error-code"] == "InvalidRequest"


@pytest.mark.parametrize(
    ("published", "draft"), [("Published", "Draft"), ("PUBLISHED", "DRAFT"), ("published", "draft")]
)
def test_status_is_accepted_in_any_casing_and_returned_upper_case(uc, published, draft):
    domain = uc.domain(status=published)
    assert domain["status"] == "PUBLISHED"
    assert uc.product(domain["id"], status=draft)["status"] == "DRAFT"
    bad = uc.call(
        "POST", "/dataProducts", {"name": "x", "domain": domain["id"], "type": "Master", "status": "Archived"}
    )
    assert bad.status_code == 400 and bad.json()["error"]["target"] == "status"


def test_every_documented_data_product_type_is_accepted(uc):
    domain = uc.domain()["id"]
    for i, product_type in enumerate(DATA_PRODUCT_TYPES):
        created = uc.product(domain, f"p{i}", type=product_type.lower())
        assert created["type"] == product_type
    bad = uc.call("POST", "/dataProducts", {"name": "x", "domain": domain, "type": "Spreadsheet"})
    assert bad.status_code == 400 and bad.json()["error"]["target"] == "type"


def test_data_product_fields_round_trip(uc):
    domain = uc.domain()["id"]
    owner = str(uuid.uuid4())
    product = uc.product(
        domain,
        description="golden customers",
        businessUse="MDM",
        updateFrequency="daily",
        contacts={"owner": [{"id": owner, "description": "Owner"}], "expert": [{"id": owner}]},
        termsOfUse=[{"name": "Policy", "url": "https://example.com/tou"}],
        documentation=["https://example.com/doc"],
        audience=["DataEngineer", "BusinessAnalyst"],
        sensitivityLabel="Confidential",
        endorsed="true",
        managedAttributes=[{"name": "Cost centre", "value": "42"}],
        unknownField="ignored",
    )
    assert product["updateFrequency"] == "Daily" and product["endorsed"] is True
    assert product["contacts"]["owner"] == [{"id": owner, "description": "Owner"}]
    assert product["contacts"]["expert"] == [{"id": owner, "description": ""}]
    assert product["termsOfUse"] == [{"name": "Policy", "url": "https://example.com/tou"}]
    assert product["documentation"] == [{"name": "https://example.com/doc", "url": "https://example.com/doc"}]
    assert product["audience"] == ["DataEngineer", "BusinessAnalyst"]
    assert product["additionalProperties"] == {"assetCount": 0} and product["activeSubscriberCount"] == 0
    assert "unknownField" not in product


def test_data_product_needs_an_existing_domain_and_a_type(uc):
    missing = uc.call("POST", "/dataProducts", {"name": "x", "domain": str(uuid.uuid4()), "type": "Master"})
    assert missing.status_code == 400 and missing.json()["error"]["target"] == "domain"
    domain = uc.domain()["id"]
    untyped = uc.call("POST", "/dataProducts", {"name": "x", "domain": domain})
    assert untyped.status_code == 400 and untyped.json()["error"]["target"] == "type"
    nameless = uc.call("POST", "/dataProducts", {"name": " ", "domain": domain, "type": "Master"})
    assert nameless.status_code == 400


def test_put_with_the_whole_body_replaces_fields_pvw_style(uc):
    domain = uc.domain()["id"]
    product = uc.product(domain, description="old")
    current = uc.ok("GET", f"/dataproducts/{product['id']}")
    current.update(description="new", status="Draft")
    updated = uc.ok("PUT", f"/dataproducts/{product['id']}", current)
    assert updated["description"] == "new" and updated["status"] == "DRAFT"
    assert updated["systemData"]["createdAt"] == product["systemData"]["createdAt"]


def test_put_with_nulls_keeps_stored_fields_ucpy_style(uc):
    domain = uc.domain()["id"]
    product = uc.product(domain, businessUse="MDM")
    body = {
        "id": product["id"],
        "name": None,
        "description": "changed",
        "domain": None,
        "type": None,
        "status": "Draft",
    }
    updated = uc.ok("PUT", f"/dataProducts/{product['id']}", body)
    assert updated["name"] == "Customer Master" and updated["businessUse"] == "MDM"
    assert updated["description"] == "changed" and updated["status"] == "DRAFT"
    other = uc.call("PUT", f"/dataProducts/{product['id']}", {"id": str(uuid.uuid4())})
    assert other.status_code == 400


def test_expiring_stamps_expired_at(uc):
    domain = uc.domain()["id"]
    product = uc.product(domain)
    expired = uc.ok("PUT", f"/dataProducts/{product['id']}", {"status": "Expired"})
    assert expired["status"] == "EXPIRED" and "expiredAt" in expired["systemData"]
    revived = uc.ok("PUT", f"/dataProducts/{product['id']}", {"status": "Published"})
    assert "expiredAt" not in revived["systemData"]


def test_terms_hierarchy_and_leaf_flag(uc):
    domain = uc.domain()["id"]
    parent = uc.term(domain, "Party", acronyms=["PTY"], resources=[{"name": "wiki", "url": "https://w"}])
    child = uc.term(domain, "Customer", parentId=parent["id"])
    assert uc.ok("GET", f"/terms/{parent['id']}")["isLeaf"] is False
    assert child["isLeaf"] is True and child["parentId"] == parent["id"]
    assert parent["acronyms"] == ["PTY"] and parent["resources"] == [{"name": "wiki", "url": "https://w"}]
    children = uc.ok("GET", "/terms", parentId=parent["id"])["value"]
    assert [t["id"] for t in children] == [child["id"]]
    assert uc.call("DELETE", f"/terms/{parent['id']}").status_code == 409
    other_domain = uc.domain("Other")["id"]
    wrong = uc.call("POST", "/terms", {"name": "x", "domain": other_domain, "parentId": parent["id"]})
    assert wrong.status_code == 400
    loop = uc.call("PUT", f"/terms/{parent['id']}", {"parentId": child["id"]})
    assert loop.status_code == 400 and "cycle" in loop.json()["error"]["message"]


def test_domain_hierarchy_and_delete_rules(uc):
    root = uc.domain("Root")
    leaf = uc.domain("Leaf", parentId=root["id"])
    assert leaf["parentId"] == root["id"]
    assert uc.call("DELETE", f"/businessdomains/{root['id']}").status_code == 409
    product = uc.product(leaf["id"])
    assert uc.call("DELETE", f"/businessdomains/{leaf['id']}").status_code == 409
    assert uc.call("DELETE", f"/dataproducts/{product['id']}").status_code == 204
    assert uc.call("DELETE", f"/businessdomains/{leaf['id']}").status_code == 204
    assert uc.call("DELETE", f"/businessdomains/{root['id']}").status_code == 204
    gone = uc.call("GET", f"/businessdomains/{root['id']}")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "NotFound"
    assert gone.headers["x-ms-error-code"] == "NotFound"


def test_collection_segments_match_in_either_casing(uc):
    domain = uc.domain()["id"]
    product = uc.product(domain)
    for path in ("/dataProducts", "/dataproducts", "/DATAPRODUCTS"):
        assert uc.ok("GET", f"{path}/{product['id'].upper()}")["id"] == product["id"]
    assert uc.ok("GET", "/businessDomains")["value"][0]["id"] == domain


def test_lists_filter_by_domain_keyword_and_status(uc):
    finance, sales = uc.domain("Finance")["id"], uc.domain("Sales")["id"]
    a = uc.product(finance, "Ledger", status="Published")
    b = uc.product(sales, "Leads", status="Draft")
    assert [p["id"] for p in uc.ok("GET", "/dataProducts", domainId=sales)["value"]] == [b["id"]]
    assert [p["id"] for p in uc.ok("GET", "/dataProducts", status="Published")["value"]] == [a["id"]]
    uc.term(finance, "Account")
    uc.term(finance, "Invoice")
    assert [t["name"] for t in uc.ok("GET", "/terms", keyword="voi")["value"]] == ["Invoice"]


def test_duplicate_name_counts_in_both_forms(uc):
    domain = uc.domain()["id"]
    uc.product(domain, "Customer Master")
    assert uc.ok("POST", "/dataProducts/query/count", {"nameKeyword": "customer master"}) == {"count": 1}
    assert uc.ok("GET", "/dataProducts/count", nameKeyword="Other") == {"count": 0}
    uc.term(domain, "Customer")
    assert uc.ok("POST", "/terms/query/count", {"nameKeyword": "CUSTOMER"}) == {"count": 1}
    assert uc.call("POST", "/terms/query/count", {}).status_code == 400
