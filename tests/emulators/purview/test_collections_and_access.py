"""Account API collections, bearer authentication and the collection-scoped role model."""

from __future__ import annotations

import requests

from emulators.purview.testing import seeded_purview
from tests.emulators.purview.helpers import API, search, table, upsert

V = "?api-version=2019-11-01-preview"
FORBIDDEN = {"error": {"code": "Unauthorized", "message": "Not authorized to access account"}}


def test_collection_tree_crud_with_account_error_shape(purview):
    s = purview.session()
    acct = purview.account_url
    root = purview.store.collections.root
    listed = s.get(f"{acct}/collections{V}").json()
    assert [c["name"] for c in listed["value"]] == [root]
    created = s.put(
        f"{acct}/collections/Finance{V}", json={"friendlyName": "Finance", "parentCollection": {"referenceName": root}}
    )
    assert created.status_code == 200
    assert created.json()["name"] == "finance"
    assert created.json()["parentCollection"] == {"type": "CollectionReference", "referenceName": root}
    assert created.json()["collectionProvisioningState"] == "Succeeded"
    child = s.put(f"{acct}/collections/payroll{V}", json={"parentCollection": {"referenceName": "FINANCE"}}).json()
    assert child["friendlyName"] == "payroll"
    assert s.get(f"{acct}/collections/FINANCE{V}").json()["friendlyName"] == "Finance"
    assert s.get(f"{acct}/collections/finance/getChildCollectionNames{V}").json()["value"] == [
        {"name": "payroll", "friendlyName": "payroll"}
    ]
    assert s.get(f"{acct}/collections/payroll/getCollectionPath{V}").json() == {
        "parentNameChain": [root, "finance"],
        "parentFriendlyNameChain": [root, "Finance"],
    }
    blocked = s.delete(f"{acct}/collections/finance{V}")
    assert blocked.status_code == 409
    assert set(blocked.json()["error"]) == {"code", "message", "target", "details"}
    missing = s.get(f"{acct}/collections/nope{V}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "CollectionNotFound"
    no_version = s.get(f"{acct}/collections")
    assert no_version.status_code == 400 and "error" in no_version.json()
    bad_parent = s.put(f"{acct}/collections/x{V}", json={"parentCollection": {"referenceName": "nope"}})
    assert bad_parent.status_code == 400
    assert s.delete(f"{acct}/collections/payroll{V}").status_code == 204
    upsert(s, purview.datamap_url, table("mssql://s/d/o/f", guid=-1), query=f"{API}&collectionId=finance")
    assert s.delete(f"{acct}/collections/finance{V}").status_code == 409
    assert s.delete(f"{acct}/collections/{root}{V}").status_code == 400


def test_list_pages_with_next_link_and_bare_collections_path():
    with seeded_purview({"collections": [{"name": f"c{i}"} for i in range(5)]}, collection_page_size=2) as emu:
        s = emu.session()
        url = f"{emu.url}/collections{V}"
        names = []
        while url:
            page = s.get(url).json()
            names += [c["name"] for c in page["value"]]
            url = page.get("nextLink")
        assert sorted(names) == sorted([emu.store.collections.root, *(f"c{i}" for i in range(5))])
        assert s.get(f"{emu.account_url}/collections/c1{V}").status_code == 200


def test_bearer_token_is_required_everywhere(purview):
    for url in (f"{purview.atlas_url}/types/typedefs", f"{purview.account_url}/collections{V}"):
        response = requests.get(url)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "Unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert (
        requests.get(f"{purview.atlas_url}/types/typedefs", headers={"Authorization": "Basic abc"}).status_code == 401
    )
    assert requests.get(f"{purview.atlas_url}/types/typedefs", headers={"Authorization": "Bearer "}).status_code == 401
    assert purview.session("anything-goes").get(f"{purview.atlas_url}/types/typedefs").status_code == 200


def test_token_option_restricts_accepted_tokens():
    with seeded_purview(tokens=("good",)) as emu:
        assert emu.session("good").get(f"{emu.atlas_url}/types/typedefs/headers").status_code == 200
        assert emu.session("bad").get(f"{emu.atlas_url}/types/typedefs/headers").status_code == 401


def test_roles_are_per_collection_and_inherited(purview):
    admin = purview.session("admin")
    root = purview.store.collections.root
    admin.put(f"{purview.account_url}/collections/finance{V}", json={"parentCollection": {"referenceName": root}})
    admin.put(f"{purview.account_url}/collections/payroll{V}", json={"parentCollection": {"referenceName": "finance"}})
    guid = upsert(admin, purview.datamap_url, table("mssql://s/d/o/pay", guid=-1), query=f"{API}&collectionId=payroll")[
        "guidAssignments"
    ]["-1"]
    upsert(admin, purview.datamap_url, table("mssql://s/d/o/rootonly", guid=-1))
    purview.set_roles(
        {
            "admin": {root: ["data_curator", "collection_admin", "data_reader"]},
            "reader": {"finance": ["data_reader"]},
            "curator": {"finance": ["data_curator"]},
            "fin-admin": {"finance": ["collection_admin"]},
        }
    )
    reader, curator = purview.session("reader"), purview.session("curator")
    entity_url = f"{purview.datamap_url}/atlas/v2/entity/guid/{guid}"
    assert reader.get(entity_url).status_code == 200
    denied = reader.post(
        f"{purview.datamap_url}/atlas/v2/entity/bulk{API}&collectionId=payroll",
        json={"entities": [table("x", guid=-1)]},
    )
    assert denied.status_code == 403
    assert denied.json() == FORBIDDEN
    assert curator.get(entity_url).status_code == 200
    assert curator.post(
        f"{purview.datamap_url}/atlas/v2/entity/bulk{API}&collectionId=payroll",
        json={"entities": [table("x", guid=-1)]},
    ).ok
    assert (
        curator.post(
            f"{purview.datamap_url}/atlas/v2/entity/bulk{API}", json={"entities": [table("y", guid=-1)]}
        ).status_code
        == 403
    )
    assert purview.session("nobody").get(entity_url).status_code == 403
    visible = search(reader, purview.datamap_url, {"filter": {"objectType": "Tables"}})
    assert sorted(v["name"] for v in visible["value"]) == ["pay", "x"]
    fin_admin = purview.session("fin-admin")
    assert fin_admin.put(
        f"{purview.account_url}/collections/tax{V}", json={"parentCollection": {"referenceName": "finance"}}
    ).ok
    refused = fin_admin.put(
        f"{purview.account_url}/collections/top{V}", json={"parentCollection": {"referenceName": root}}
    )
    assert refused.status_code == 403 and refused.json() == FORBIDDEN
    assert fin_admin.get(entity_url).status_code == 403
    assert reader.post(f"{purview.datamap_url}/atlas/v2/glossary", json={"name": "G2"}).status_code == 403
    roles = admin.get(f"{purview.url}/_emulator/roles").json()
    assert roles["assignments"]["reader"] == {"finance": ["data_reader"]}
