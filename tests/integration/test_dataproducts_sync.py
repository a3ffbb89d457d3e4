"""F10 — data products from the Unified Catalog become CluedIn data source groups, and Data Factory loads them.

Everything over real HTTP: a steward curates the catalog through the Purview emulator's Unified Catalog API,
the app plans and applies as its timer and queue functions do, CluedIn and the factory are their emulators.
"""

from __future__ import annotations

import logging

import pytest

from tests.support.dataproducts import MASTER_TERM, ProductStack, product_stack
from tests.support.witnesses import cluedin_data_source_groups, cluedin_sdk_of


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator) -> ProductStack:
    return product_stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator)


@pytest.fixture()
def curated(stack):
    """A published master-data product with two CSV files, linked to the term the setting names."""
    domain = stack.domain()
    term = stack.term(MASTER_TERM, domain)
    customers = stack.add_asset("customers.csv", terms=())
    contacts = stack.add_asset("contacts.csv", terms=())
    product = stack.product("Customer Master", domain, terms=[term], assets=[customers, contacts])
    return {"domain": domain, "term": term, "product": product, "customers": customers, "contacts": contacts}


def test_a_published_product_becomes_a_group_with_a_data_source_per_asset(stack, curated, caplog):
    caplog.set_level(logging.INFO, logger="sync")
    report, outcomes = stack.cycle("dataproducts")
    assert report.planned == {"create": 1} and report.applied == {"create": 1}, report.errors
    assert [o.result for o in outcomes] == ["applied"]
    assert [n.text for n in report.notifications] == [
        "Datasource Sets 'Customer Master' created for purview Data Product",
        "2 data sources have been created. (contacts.csv, customers.csv)",
    ]
    group = stack.cluedin_groups()["Customer Master"]
    assert sorted(s["name"] for s in group["dataSources"]) == ["contacts.csv", "customers.csv"]
    assert any(r.getMessage().startswith("dataproducts create") for r in caplog.records)

    stack.reset_counters()
    again, _ = stack.cycle("dataproducts")
    assert again.planned == {} and again.status == "completed"
    assert stack.unified_calls()["writes"] == 0 and stack.cluedin_writes() == 0
    assert again.calls["unified"]["writes"] == 0


def test_the_product_s_group_reads_back_through_the_cluedin_sdk(stack, curated):
    report, _ = stack.cycle("dataproducts")
    assert report.applied == {"create": 1}, report.errors
    groups = cluedin_data_source_groups(cluedin_sdk_of(stack))
    assert {name: sorted(s["name"] for s in sources) for name, sources in groups.items()} == {
        "Customer Master": ["contacts.csv", "customers.csv"]
    }


def test_the_factory_loads_the_product_assets_without_a_term(stack, curated):
    stack.cycle("dataproducts")
    report, _ = stack.cycle("pipelines")
    assert report.planned == {"create": 2}, report.errors
    texts = [n.text for n in report.notifications]
    assert "2 Ingestion Endpoints created for purview assets. (contacts.csv, customers.csv)" in texts
    group = stack.cluedin_groups()["Customer Master"]
    sources = {s["name"]: str(s["id"]) for s in group["dataSources"]}
    rows = {row.data["name"]: row for row in stack.state.iter_objects("adf_pipeline")}
    assert rows["customers.csv"].target["data_source_id"] == sources["customers.csv"]
    assert rows["contacts.csv"].target["data_source_id"] == sources["contacts.csv"]
    assert "customers.csv" not in stack.cluedin_groups()  # no per-asset group: the product's data source is used
    assert stack.cycle("pipelines")[0].planned == {}


def test_what_cannot_be_synced_is_reported_and_nothing_is_created(stack):
    domain = stack.domain()
    term = stack.term(MASTER_TERM, domain)
    sheet = stack.add_asset("budget.xlsx", terms=())
    stack.product("Draft Master", domain, terms=[term], assets=[stack.add_asset("a.csv", terms=())], status="Draft")
    analytics = [stack.add_asset("b.csv", terms=())]
    stack.product("Sales Analytics", domain, terms=[term], assets=analytics, kind="Analytical")
    stack.product("Budget Reference", domain, terms=[term], assets=[sheet], kind="Reference")
    before = stack.cluedin_writes()
    report, _ = stack.cycle("dataproducts", SYNC_DATA_PRODUCTS_TERM_PATTERN=f"{MASTER_TERM}, Nowhere")
    assert report.ok and report.planned == {}, report.errors
    events = set(report.events)
    assert "Term 'Nowhere' (Sync Data Products Term Pattern) matches no Unified Catalog term" in events
    assert "Data product 'Draft Master' is skipped: its status is DRAFT, not PUBLISHED" in events
    assert "Data product 'Sales Analytics' is skipped: its type Analytical is not master or reference data" in events
    assert "Data product 'Budget Reference' has no data asset Data Factory can copy: nothing created" in events
    assert any(e.startswith("Data product 'Budget Reference': asset 'budget.xlsx' is skipped: ") for e in events)
    assert stack.cluedin_writes() == before and stack.cluedin_groups() == {}


def test_membership_changes_add_data_sources_and_orphan_nothing_in_cluedin(stack, curated):
    stack.cycle("dataproducts")
    orders = stack.add_asset("orders.csv", terms=())
    stack.add_to_product(curated["product"], orders)
    report, _ = stack.cycle("dataproducts")
    assert report.planned == {"update": 1}
    assert [n.text for n in report.notifications] == ["1 data sources have been created. (orders.csv)"]
    # A swap keeps the asset count: the product's membership is re-checked anyway (the verification sample).
    contacts_id = stack.catalog_asset(curated["contacts"])
    stack.remove_from_product(curated["product"], contacts_id)
    stack.add_to_product(curated["product"], stack.add_asset("invoices.csv", terms=()))
    swapped, _ = stack.cycle("dataproducts")
    assert swapped.planned == {"update": 1}
    assert [n.text for n in swapped.notifications] == ["1 data sources have been created. (invoices.csv)"]
    pipelines, _ = stack.cycle("pipelines")
    assert pipelines.planned == {"create": 3}  # customers, orders, invoices; contacts left the product
    # The product leaves the selection: its row is orphaned, CluedIn keeps the group (no delete API).
    stack.uc("PUT", f"/dataProducts/{curated['product']}", {"status": "Expired"})
    gone, _ = stack.cycle("dataproducts")
    assert gone.orphaned == 1 and gone.planned == {}
    assert "Customer Master" in stack.cluedin_groups()
