"""The `unifiedCatalog` seed section: names instead of ids, assets resolved from Data Map entities of the same seed."""

from __future__ import annotations

import copy
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulators.purview.model.store import PurviewStore
from emulators.purview.testing import seeded_purview
from tests.emulators.purview.unified.helpers import CSV_1, CSV_2, Catalog

DOMAIN_ID = str(uuid.uuid4())
SEED = {
    "entities": [
        {"typeName": "azure_datalake_gen2_path", "attributes": {"qualifiedName": CSV_1, "name": "customers.csv"}},
        {"typeName": "azure_datalake_gen2_path", "attributes": {"qualifiedName": CSV_2, "name": "contacts.csv"}},
        {
            "typeName": "azure_datalake_gen2_path",
            "attributes": {"qualifiedName": "https://acct.dfs.core.windows.net/raw/x.csv", "name": "x.csv"},
        },
    ],
    "unifiedCatalog": {
        "businessDomains": [
            {"name": "Customer Data", "type": "DataDomain", "status": "Published", "parent": "Master Data"},
            {"id": DOMAIN_ID, "name": "Master Data", "type": "FunctionalUnit", "status": "Published"},
        ],
        "terms": [
            {"name": "CluedIn Customer", "domain": "Customer Data", "status": "Published", "parent": "Party"},
            {"name": "Party", "domain": "Customer Data", "status": "Draft"},
        ],
        "dataAssets": [{"source": {"qualifiedName": "https://acct.dfs.core.windows.net/raw/x.csv"}}],
        "dataProducts": [
            {
                "name": "Customer Master",
                "domain": "Customer Data",
                "type": "MasterDataAndReferenceData",
                "status": "Published",
                "dataAssets": [CSV_1, {"qualifiedName": CSV_2, "typeName": "azure_datalake_gen2_path"}],
                "terms": ["cluedin customer"],
            },
            {"name": "Draft Product", "domain": DOMAIN_ID, "type": "Analytical", "status": "Draft"},
        ],
    },
}


def test_a_published_master_data_product_with_two_csv_assets_linked_to_a_term():
    with seeded_purview(SEED) as purview:
        uc = Catalog(purview)
        domains = {d["name"]: d for d in uc.ok("GET", "/businessdomains")["value"]}
        assert domains["Customer Data"]["parentId"] == DOMAIN_ID
        products = {p["name"]: p for p in uc.ok("GET", "/dataProducts")["value"]}
        master = products["Customer Master"]
        assert master["status"] == "PUBLISHED" and master["type"] == "MasterDataAndReferenceData"
        assert master["additionalProperties"] == {"assetCount": 2}
        assert products["Draft Product"]["domain"] == DOMAIN_ID
        links = uc.ok("GET", f"/dataProducts/{master['id']}/relationships", entityType="DATAASSET")["value"]
        assets = [uc.ok("GET", f"/dataAssets/{r['entityId']}") for r in links]
        assert [a["source"]["fqn"] for a in assets] == [CSV_1, CSV_2]
        entity = purview.store.entities.get(assets[0]["source"]["assetId"])
        assert entity is not None and entity.qualified_name == CSV_1
        terms = uc.ok("GET", f"/dataProducts/{master['id']}/relationships", entityType="TERM")["value"]
        term = uc.ok("GET", f"/terms/{terms[0]['entityId']}")
        assert term["name"] == "CluedIn Customer" and term["parentId"] is not None
        assert len(uc.ok("GET", "/dataAssets")["value"]) == 3


def test_the_same_seed_loads_through_the_admin_api(purview):
    admin = purview.session()
    assert admin.put(f"{purview.url}/_emulator/state", json=SEED).status_code == 204
    assert len(Catalog(purview).ok("GET", "/dataProducts")["value"]) == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["unifiedCatalog"]["dataProducts"][0].update(domain="Nowhere"), "unknown domain"),
        (lambda s: s["unifiedCatalog"]["dataProducts"][0].update(terms=["Nobody"]), "unknown term"),
        (
            lambda s: s["unifiedCatalog"]["dataProducts"][0].update(dataAssets=["https://nowhere/x.csv"]),
            "does not exist",
        ),
        (lambda s: s["unifiedCatalog"]["terms"][0].update(parent="Ghost"), "unknown parents"),
        (lambda s: s["unifiedCatalog"]["dataProducts"][1].update(type="Spreadsheet"), "InvalidRequest"),
        (lambda s: s["unifiedCatalog"].update(objectives=[]), "unknown unifiedCatalog section"),
        (lambda s: s.update(unifiedCatalog=[]), "must be an object"),
    ],
)
def test_bad_seeds_are_refused_with_the_reason(purview, change, message):
    seed = copy.deepcopy(SEED)
    change(seed)
    response = purview.session().put(f"{purview.url}/_emulator/state", json=seed)
    assert response.status_code == 400 and message in response.json()["error"]["message"], response.text
    assert Catalog(purview).ok("GET", "/businessdomains")["value"] == []


SECTIONS = st.sampled_from(["businessDomains", "terms", "dataAssets", "dataProducts"])
FIELDS = st.sampled_from(["name", "domain", "type", "status", "parent", "dataAssets", "terms", "source", "guid", "id"])
VALUES = st.recursive(
    st.none()
    | st.integers(-2, 2)
    | st.text(max_size=6)
    | st.sampled_from(["Master Data", CSV_1, "Published", "Master"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(FIELDS, children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(section=st.dictionaries(SECTIONS, st.lists(st.dictionaries(FIELDS, VALUES, max_size=5), max_size=3), max_size=3))
def test_random_seed_sections_are_loaded_or_refused_never_crash(section):
    store = PurviewStore()
    try:
        store.load({"entities": copy.deepcopy(SEED["entities"]), "unifiedCatalog": section})
    except ValueError:
        assert store.unified.all("dataProduct") == []
