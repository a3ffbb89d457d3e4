"""Paging: nextLink with `$skipToken`, skip/top, and POST queries continued by GET (as the generated SDK does)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.emulators.purview.unified.helpers import API_VERSION, Catalog


@pytest.fixture()
def uc(purview):
    purview.set_faults(extra={"unified_page_size": 3})
    return Catalog(purview)


def _products(uc, count, **fields):
    domain = uc.domain()["id"]
    return domain, [uc.product(domain, f"Product {i:02d}", **fields)["id"] for i in range(count)]


def test_business_domains_page_with_skip_token(uc, purview):
    ids = [uc.domain(f"D{i}")["id"] for i in range(7)]
    first = uc.ok("GET", "/businessdomains")
    assert len(first["value"]) == 3
    link = urlsplit(first["nextLink"])
    assert link.netloc == urlsplit(purview.url).netloc and link.path == "/datagovernance/catalog/businessdomains"
    query = parse_qs(link.query)
    assert query["api-version"] == [API_VERSION] and "$skipToken" in query
    token = query["$skipToken"][0]
    second = uc.ok("GET", "/businessdomains", **{"$skipToken": token})
    assert [d["id"] for d in second["value"]] == ids[3:6]
    assert [d["id"] for d in uc.all_pages("GET", "/businessdomains")] == ids
    last = uc.ok(
        "GET", "/businessdomains", **{"$skiptoken": parse_qs(urlsplit(second["nextLink"]).query)["$skipToken"][0]}
    )
    assert "nextLink" not in last and [d["id"] for d in last["value"]] == ids[6:]


def test_data_products_skip_and_top(uc):
    _, ids = _products(uc, 8)
    assert [p["id"] for p in uc.all_pages("GET", "/dataProducts")] == ids
    window = uc.ok("GET", "/dataProducts", skip=2, top=4)
    assert [p["id"] for p in window["value"]] == ids[2:5]
    rest = uc.http.get(window["nextLink"], params={"api-version": API_VERSION}).json()
    assert [p["id"] for p in rest["value"]] == ids[5:6] and "nextLink" not in rest
    assert [p["id"] for p in uc.all_pages("GET", "/dataProducts", top=5)] == ids[:5]
    assert uc.ok("GET", "/dataProducts", skip=20)["value"] == []


def test_order_by_name_descending(uc):
    _, ids = _products(uc, 4)
    assert [p["id"] for p in uc.all_pages("GET", "/dataProducts", orderBy="name desc")] == ids[::-1]
    assert uc.call("GET", "/dataProducts", orderBy="colour asc").status_code == 400


def test_query_pages_are_followed_by_get_like_the_sdk(uc):
    domain, published = _products(uc, 5, status="Published")
    other = uc.domain("Other")["id"]
    uc.product(other, "Elsewhere")
    body = {"domainIds": [domain], "multiStatus": ["Published"], "types": ["masterdataandreferencedata"]}
    found = uc.all_pages("POST", "/dataProducts/query", body)
    assert [p["id"] for p in found] == published


def test_query_next_page_by_repeating_the_post(uc):
    domain, ids = _products(uc, 5)
    first = uc.ok("POST", "/dataProducts/query", {"domainIds": [domain]})
    token = parse_qs(urlsplit(first["nextLink"]).query)["$skipToken"][0]
    second = uc.ok("POST", "/dataProducts/query", {"domainIds": [domain]}, **{"$skipToken": token})
    assert [p["id"] for p in first["value"] + second["value"]] == ids


def test_query_skip_top_and_orderby_in_the_body(uc):
    domain, ids = _products(uc, 6)
    body = {"domainIds": [domain], "skip": 1, "top": 4, "orderby": [{"field": "name", "direction": "desc"}]}
    assert [p["id"] for p in uc.all_pages("POST", "/dataProducts/query", body)] == ids[::-1][1:5]
    status = uc.ok("POST", "/dataProducts/query", {"status": "draft", "nameKeyword": "product 0"})["value"]
    assert status == []


def test_bad_continuation_and_paging_values(uc):
    _products(uc, 1)
    token = uc.call("GET", "/dataProducts", **{"$skipToken": "not-ours"})
    assert token.status_code == 400 and token.json()["error"]["target"] == "$skipToken"
    assert uc.call("GET", "/dataProducts", top=-1).status_code == 400
    assert uc.call("GET", "/dataProducts", skip="x").status_code == 400
    assert uc.call("POST", "/dataProducts/query", {"top": "lots"}).status_code == 400
    assert uc.call("GET", "/dataProducts/query").status_code == 400
    assert uc.call("POST", "/dataProducts/query", ["not", "an", "object"]).status_code == 400


def test_relationship_lists_page_too(uc, purview):
    domain, ids = _products(uc, 1)
    terms = [uc.term(domain, f"T{i}")["id"] for i in range(5)]
    for term in terms:
        uc.ok("POST", f"/dataProducts/{ids[0]}/relationships", {"entityId": term}, entityType="TERM")
    page = uc.ok("GET", f"/dataProducts/{ids[0]}/relationships", entityType="TERM")
    assert len(page["value"]) == 3 and "nextLink" in page
    listed = uc.all_pages("GET", f"/dataProducts/{ids[0]}/relationships", entityType="TERM")
    assert [r["entityId"] for r in listed] == terms


def test_term_queries_filter_by_parent(uc):
    domain = uc.domain()["id"]
    parent = uc.term(domain, "Party")["id"]
    children = [uc.term(domain, f"Child {i}", parentId=parent)["id"] for i in range(4)]
    found = uc.all_pages("POST", "/terms/query", {"parentId": parent, "domainIds": [domain]})
    assert [t["id"] for t in found] == children
