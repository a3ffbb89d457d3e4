"""The shared stack with what data-product tests (F10, F3) need: a Unified Catalog curated over its own API.

Catalog content is created the way a data steward does it in the portal (or with pvw-cli): a governance domain,
a glossary term, a data product linked to the term, and data assets registered from Data Map entities and
related to the product — all through the Purview emulator's Unified Catalog routes. Files exist in Azurite so
the generated pipelines can copy them, and CluedIn data sets can be mapped for lineage.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sync.features.pipelines.runs import start_run_once
from sync.services.purview.collections import forget_resolutions
from sync.services.purview.typedefs import forget_registrations
from tests.support.adf import AUTOMATION_TERM, SECRET_NAME, AdfStack
from tests.support.lineage import LineageStack
from tests.support.stack import SYNC_TERM, build_stack, purview_seed

API_VERSION = "2026-03-20-preview"
MASTER_TERM = "CluedIn Master"
UNIFIED_OPERATIONS = ("BusinessDomains_", "DataProducts_", "Terms_", "DataAssets_")
CREATE_VOCABULARY = """
mutation ($vocabulary: InputVocabulary) { management { createVocabulary(vocabulary: $vocabulary) { vocabularyId } } }
"""
CREATE_KEY = """
mutation ($key: InputVocabularyKey) { management { createVocabularyKey(vocabularyKey: $key) { vocabularyKeyId } } }
"""
AUTO_MAP = """
mutation ($dataSetId: ID!, $config: InputMappingConfiguration) {
  management {
    createAutoAnnotation(dataSetId: $dataSetId, type: "endpoint", mappingConfiguration: $config) { id }
  }
}
"""


class ProductStack(AdfStack, LineageStack):  # type: ignore[misc]  # AdfStack's add_asset (a copyable file) wins
    """The stack with a curated Unified Catalog, copyable files and CluedIn's side."""

    def uc(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        """One Unified Catalog call as a steward's client makes it; the JSON answer (None for 204)."""
        response = self.purview.session().request(
            method,
            f"{self.purview.unified_url}{path}",
            params={**params, "api-version": API_VERSION},
            json=body,
            timeout=30,
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def domain(self, name: str = "Master Data") -> str:
        """A published governance domain's id."""
        body = {"name": name, "type": "DataDomain", "status": "Published"}
        return str(self.uc("POST", "/businessdomains", body)["id"])

    def term(self, name: str, domain: str) -> str:
        """A published catalog term's id."""
        return str(self.uc("POST", "/terms", {"name": name, "domain": domain, "status": "Published"})["id"])

    def product(
        self,
        name: str,
        domain: str,
        *,
        terms: Iterable[str] = (),
        assets: Iterable[dict[str, Any]] = (),
        kind: str = "MasterDataAndReferenceData",
        status: str = "Published",
    ) -> str:
        """A data product linked to terms (ids) and holding the given Data Map assets; its id."""
        body = {"name": name, "domain": domain, "type": kind, "status": status}
        product = str(self.uc("POST", "/dataProducts", body)["id"])
        for term in terms:
            self.uc("POST", f"/dataProducts/{product}/relationships", {"entityId": term}, entityType="TERM")
        for asset in assets:
            self.add_to_product(product, asset)
        return product

    def catalog_asset(self, asset: dict[str, Any]) -> str:
        """The catalog data asset of a Data Map entity, registered when missing (as pvw-cli's create-if-missing)."""
        found = self.uc("POST", "/dataAssets/query", {"sourceAssetIds": [asset["guid"]]})["value"]
        if found:
            return str(found[0]["id"])
        return str(self.uc("POST", "/dataAssets", {"source": {"assetId": asset["guid"]}})["id"])

    def add_to_product(self, product: str, asset: dict[str, Any]) -> str:
        """Put a Data Map asset into a data product; returns its catalog data asset id."""
        asset_id = self.catalog_asset(asset)
        body = {"entityId": asset_id, "relationshipType": "Related", "description": "added by a steward"}
        self.uc("POST", f"/dataProducts/{product}/relationships", body, entityType="DATAASSET")
        return asset_id

    def remove_from_product(self, product: str, asset_id: str) -> None:
        """Take a data asset out of a product (the SDK's query-string delete form)."""
        self.uc("DELETE", f"/dataProducts/{product}/relationships", entityType="DATAASSET", entityId=asset_id)

    def product_asset_ids(self, product: str) -> list[str]:
        """Catalog ids of a product's data assets."""
        answer = self.uc("GET", f"/dataProducts/{product}/relationships", entityType="DATAASSET")
        return sorted(str(r["entityId"]) for r in answer["value"])

    def load_and_map(self) -> dict[str, Any]:
        """Data product → data source (F10) → pipeline (F12) run → the data set mapped to /Customer by a user."""
        domain = self.domain()
        customers = self.add_asset("customers.csv", terms=())
        product = self.product("Customer Master", domain, terms=[self.term(MASTER_TERM, domain)], assets=[customers])
        self.cycle("dataproducts")
        self.cycle("pipelines")
        row = next(iter(self.state.iter_objects("adf_pipeline")))
        run = start_run_once(self.context(), row.target["names"]["pipeline"], "load-and-map", owner="test")
        assert self.adf.wait_for_run(None, run.run_id)["status"] == "Succeeded"
        data_set_id = str(row.target["data_set_id"])
        assert self.received(data_set_id) == 3
        config = {
            "entityTypeConfiguration": {"new": True, "entityType": "/Customer", "displayName": "Customer"},
            "vocabularyConfiguration": {"new": True, "vocabularyName": "Customer", "keyPrefix": "customer"},
        }
        self.cluedin_graphql(AUTO_MAP, {"dataSetId": data_set_id, "config": config})
        return {"product": product, "customers": customers, "data_set_id": data_set_id}

    def f6_vocabulary(self, term: str, keys: dict[str, str]) -> str:
        """The vocabulary F6 makes of a glossary term (its name, "<Term> added from Purview Glossary" as rich
        text, prefix `purview.<Term>`, entity type `/Purview/<Term>`), with a key per child term (name → type)."""
        text = json.dumps([{"type": "paragraph", "children": [{"text": f"{term} added from Purview Glossary"}]}])
        vocabulary = {
            "vocabularyName": term,
            "keyPrefix": f"purview.{term}",
            "description": text,
            "entityTypeConfiguration": {"new": True, "entityType": f"/Purview/{term}", "displayName": term},
        }
        made = self.cluedin_graphql(CREATE_VOCABULARY, {"vocabulary": vocabulary})
        vocabulary_id = str(made["management"]["createVocabulary"]["vocabularyId"])
        for name, data_type in keys.items():
            key = {"vocabularyId": vocabulary_id, "name": name, "displayName": name, "dataType": data_type}
            self.cluedin_graphql(CREATE_KEY, {"key": key})
        return vocabulary_id

    def unified_calls(self) -> dict[str, int]:
        """Unified Catalog reads and writes the emulator served since its counters were last reset."""
        operations = self.purview.app.stats.snapshot()["operations"]
        counts = {"reads": 0, "writes": 0}
        for name, op in operations.items():
            if name.startswith(UNIFIED_OPERATIONS):
                counts["writes" if op["write"] else "reads"] += int(op["count"])
        return counts


def product_stack(azurite: Any, purview: Any, cluedin: Any, adf: Any, **settings: str) -> ProductStack:
    """The stack with F10 on for term 'CluedIn Master', the factory's defaults, lineage and append available."""
    forget_registrations()
    forget_resolutions()
    defaults = {
        "SYNC_DATA_PRODUCTS_DATASOURCES": "true",
        "SYNC_DATA_PRODUCTS_TERM_PATTERN": MASTER_TERM,
        "APPEND_ASSET_TO_DATA_PRODUCT": "true",
        "DATA_FACTORY_KEY_VAULT_URL": "https://demo-kv.vault.azure.net/",
        "DATA_FACTORY_CLUEDIN_TOKEN_SECRET_NAME": SECRET_NAME,
        "DATA_FACTORY_PIPELINE_AUTOMATION": "true",
        "PIPELINE_AUTOMATION_TERM_PATTERN": "^CluedIn.*ADF$",
    }
    seed = purview_seed((AUTOMATION_TERM, SYNC_TERM))
    stack = build_stack(
        azurite, purview, cluedin, adf=adf, seed=seed, stack_type=ProductStack, **{**defaults, **settings}
    )
    assert isinstance(stack, ProductStack)
    adf.set_secret(SECRET_NAME, f"Bearer {cluedin.api_token('dataproduct-tests')}")
    stack.blob_service.create_container(stack.container)
    return stack
