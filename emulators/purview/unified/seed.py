"""The `unifiedCatalog` section of a Purview emulator seed.

Seeds go through the same operations as API calls (validation included), so a seed that loads is one the
API would accept. References may use names instead of ids, and data assets may point at Data Map entities
seeded in the same file by qualifiedName, so a test can say "a published master-data product with two CSV
assets linked to term X" without knowing any generated id:

    "unifiedCatalog": {
      "businessDomains": [{"name": "Master Data", "type": "DataDomain", "status": "Published"}],
      "terms": [{"name": "Customer", "domain": "Master Data", "status": "Published"}],
      "dataProducts": [{"name": "Customer Master", "domain": "Master Data",
                        "type": "MasterDataAndReferenceData", "status": "Published",
                        "dataAssets": [{"qualifiedName": "https://acct.dfs.core.windows.net/raw/customers.csv"}],
                        "terms": ["Customer"]}]
    }
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from emulators.purview.unified import assets
from emulators.purview.unified.catalog import UnifiedCatalog
from emulators.purview.unified.errors import CatalogError

SEED_PRINCIPAL = "seed"
SECTIONS = ("businessDomains", "terms", "dataAssets", "dataProducts", "_comment")


def load_seed(catalog: UnifiedCatalog, data: Any) -> None:
    """Apply a `unifiedCatalog` seed section; any problem is a ValueError naming the offending item."""
    if not isinstance(data, dict):
        raise ValueError("unifiedCatalog must be an object")
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise ValueError(f"unknown unifiedCatalog section(s): {', '.join(sorted(unknown))}")
    seeder = _Seeder(catalog)
    try:
        seeder.hierarchy("businessDomain", _items(data, "businessDomains"), lambda item: {})
        seeder.hierarchy("term", _items(data, "terms"), lambda item: {"domain": seeder.ref("businessDomain", item)})
        for asset in _items(data, "dataAssets"):
            catalog.create_asset(asset, SEED_PRINCIPAL)
        for product in _items(data, "dataProducts"):
            seeder.product(product)
    except CatalogError as exc:
        raise ValueError(f"unifiedCatalog seed rejected: {exc.code}: {exc.message}") from exc


def _items(data: Mapping[str, Any], section: str) -> list[dict[str, Any]]:
    items = data.get(section) or []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ValueError(f"unifiedCatalog.{section} must be a list of objects")
    return [dict(item) for item in items]


class _Seeder:
    def __init__(self, catalog: UnifiedCatalog) -> None:
        self.catalog = catalog

    def find(self, kind: str, key: Any) -> str | None:
        """The id of a record given its id or (case-insensitive) name."""
        if not isinstance(key, str):
            return None
        if self.catalog.exists(kind, key):
            return str(self.catalog.get(kind, key)["id"])
        named = [r["id"] for r in self.catalog.all(kind) if str(r.get("name", "")).lower() == key.lower()]
        if len(named) > 1:
            raise ValueError(f"unifiedCatalog seed: the name {key!r} matches several {kind} records; use its id")
        return str(named[0]) if named else None

    def ref(self, kind: str, item: Mapping[str, Any]) -> str:
        """An item's `domain` given by name or id, resolved to an id."""
        key = item.get("domain")
        found = self.find(kind, key)
        if found is None:
            raise ValueError(f"unifiedCatalog seed: {item.get('name')!r} refers to an unknown domain {key!r}")
        return found

    def hierarchy(
        self, kind: str, items: list[dict[str, Any]], resolve: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> None:
        """Create domains or terms in any order: parents (`parent` name/id or `parentId`) come first."""
        pending = items
        while pending:
            waiting = []
            for item in pending:
                parent = item.pop("parent", None)
                if parent is not None:
                    parent_id = self.find(kind, parent)
                    if parent_id is None:
                        item["parent"] = parent
                        waiting.append(item)
                        continue
                    item["parentId"] = parent_id
                self.catalog.create(kind, {**item, **resolve(item)}, SEED_PRINCIPAL)
            if len(waiting) == len(pending):
                names = ", ".join(str(i.get("name")) for i in waiting)
                raise ValueError(f"unifiedCatalog seed: {kind} records with unknown parents: {names}")
            pending = waiting

    def product(self, item: dict[str, Any]) -> None:
        """A data product, then its data assets (created from Data Map entities as needed) and terms."""
        asset_refs = item.pop("dataAssets", None) or []
        term_refs = item.pop("terms", None) or []
        if not isinstance(asset_refs, list) or not isinstance(term_refs, list):
            raise ValueError(f"unifiedCatalog seed: dataAssets and terms of {item.get('name')!r} must be lists")
        record = self.catalog.create(
            "dataProduct", {**item, "domain": self.ref("businessDomain", item)}, SEED_PRINCIPAL
        )
        for ref in asset_refs:
            asset_id = self.asset(ref)
            self.catalog.relate(
                "dataProduct", record["id"], "DATAASSET", {"entityId": asset_id}, SEED_PRINCIPAL, strict=True
            )
        for ref in term_refs:
            term_id = self.find("term", ref)
            if term_id is None:
                raise ValueError(f"unifiedCatalog seed: {item.get('name')!r} refers to an unknown term {ref!r}")
            self.catalog.relate("dataProduct", record["id"], "TERM", {"entityId": term_id}, SEED_PRINCIPAL, strict=True)

    def asset(self, ref: Any) -> str:
        """A product's asset reference: a catalog asset id, a Data Map `guid`, or a Data Map `qualifiedName`."""
        if isinstance(ref, str):
            ref = {"id": ref} if self.catalog.exists("dataAsset", ref) else {"qualifiedName": ref}
        if not isinstance(ref, dict):
            raise ValueError("unifiedCatalog seed: a data asset reference must be a string or an object")
        if isinstance(ref.get("id"), str) and self.catalog.exists("dataAsset", ref["id"]):
            return str(self.catalog.get("dataAsset", ref["id"])["id"])
        source = {"assetId": ref["guid"]} if "guid" in ref else {
            "qualifiedName": ref.get("qualifiedName"), "assetType": ref.get("typeName"),
        }  # fmt: skip
        body = {"source": source, **{k: v for k, v in ref.items() if k in ("name", "description", "contacts")}}
        entity = assets.resolve_source(self.catalog.entities, body)
        existing = self.catalog.by_source.get(entity.guid)
        return existing or str(self.catalog.create_asset(body, SEED_PRINCIPAL)["id"])
