"""The app's Unified Catalog client against the emulator: paging, throttling, the forms the service accepts."""

from __future__ import annotations

import pytest

from sync.runtime import CLIENT_FACTORIES
from sync.services.purview.unified import DATA_ASSET, DATA_PRODUCT, UnifiedCatalogClient
from tests.support.dataproducts import ProductStack, product_stack


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator) -> ProductStack:
    return product_stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator)


def client(stack: ProductStack) -> UnifiedCatalogClient:
    built: UnifiedCatalogClient = CLIENT_FACTORIES["unified"](stack.settings)
    return built


def test_lists_and_queries_follow_next_links_to_the_end(stack, purview):
    purview.set_faults(extra={"unified_page_size": 2})
    domain = stack.domain()
    term = stack.term("Master", domain)
    products = [stack.product(f"P{i}", domain, terms=[term], status="Draft") for i in range(5)]
    unified = client(stack)
    written = stack.unified_calls()["writes"]
    assert sorted(p.id for p in unified.iter_data_products()) == sorted(products)
    assert purview.app.stats.snapshot()["operations"]["DataProducts_List"]["count"] == 3  # 2 + 2 + 1
    queried = list(unified.iter_data_products(ids=[*products[:3], products[0].upper()]))
    assert sorted(p.id for p in queried) == sorted(products[:3])
    assert {p.status for p in queried} == {"DRAFT"} and {p.asset_count for p in queried} == {0}
    related = unified.list_term_relationships(term, DATA_PRODUCT)
    assert related is not None and sorted(r.entity_id for r in related) == sorted(products)
    assert unified.list_term_relationships("00000000-0000-0000-0000-000000000001", DATA_PRODUCT) is None
    [found] = unified.find_terms("master")
    assert found.id == term and unified.find_terms("Mast") == []
    assert stack.unified_calls()["writes"] == written


def test_data_assets_are_found_or_created_once_and_related_once(stack):
    domain = stack.domain()
    product = stack.product("Customer Master", domain)
    file = stack.add_asset("customers.csv", terms=())
    unified = client(stack)
    created, made = unified.ensure_data_asset(file["guid"])
    again, made_again = unified.ensure_data_asset(file["guid"].upper())
    assert made and not made_again and again.id == created.id
    assert created.source_asset_type == "azure_datalake_gen2_path" and created.qualified_name == file["qualifiedName"]
    assert unified.add_product_relationship(product, DATA_ASSET, created.id)
    assert not unified.add_product_relationship(product, DATA_ASSET, created.id)  # 409: already related
    assert [r.entity_id for r in unified.list_product_relationships(product, DATA_ASSET)] == [created.id]
    assert unified.list_product_relationships("00000000-0000-0000-0000-000000000001", DATA_ASSET) == []


def test_a_throttled_call_waits_and_succeeds_within_the_catalogs_limit(stack, purview):
    domain = stack.domain()
    for index in range(3):
        stack.product(f"P{index}", domain)
    purview.set_faults(extra={"unified_rate_limit": {"requests": 2, "window_seconds": 1}})
    unified = client(stack)
    for _ in range(4):
        assert len(list(unified.iter_data_products())) == 3
    stats = unified.transport.stats.as_dict()
    assert stats["throttled"] >= 1 and stats["retries"] >= 1
    statuses = purview.app.stats.snapshot()["operations"]["DataProducts_List"]["statuses"]
    assert statuses.get("429", 0) >= 1 and statuses["200"] == 4
