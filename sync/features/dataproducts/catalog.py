"""Reading the Unified Catalog for "Sync data products": which products, and which data assets each holds.

The catalog has no bulk call saying which assets belong to which product: membership is one relationship call
per product, and adding or removing a relationship does not touch the product's `lastModifiedAt`. Reading every
product's relationships every cycle would cost one call per product (500 products: 500 calls, 50 s of the
catalog's 200-requests-per-20-s budget) for nothing. So (docs/decisions/0910-data-products.md):

1. Terms → products: each term the setting names is resolved (`terms/query` by name; ids as they are) and its
   related data products listed from the term's side — one call per term, since term links do not touch
   `lastModifiedAt` either.
2. Products → records: one `dataProducts/query` by id per 100 products: status, type, `lastModifiedAt` and
   `additionalProperties.assetCount`.
3. Membership → only where the record's signature (`lastModifiedAt`, `assetCount`) differs from the cached one,
   or no cache exists: one relationship call for that product; new data assets are looked up in one
   `dataAssets/query` by id per 100.
4. A swap (one asset removed and another added between two cycles) keeps the count: to find it, each cycle
   re-reads the membership of a random sample of unchanged products with what is left of the read budget
   ⌈products / page⌉ + ⌈assets / page⌉ + 5 after steps 1 and 2, so every product is re-checked every
   ⌈products / sample⌉ cycles on average (random, so no schedule can make a product's turn never come).

The cache (`dataproduct-catalog` rows, one per product) is pending state: written by the engine after the
cycle's changes are enqueued, never in dry-run, and only for products whose membership changed — an unchanged
catalog costs no state write.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sync.core.state import StateStore, SyncObject
from sync.services.purview.unified import (
    DATA_ASSET,
    DATA_PRODUCT,
    CatalogAsset,
    DataProduct,
    UnifiedCatalogClient,
)

CACHE_KIND = "dataproduct-catalog"
PAGE_SIZE = 100
"""The catalog's page size (a guess: the service does not document it); sizes the read budget."""
SPARE_READS = 5
"""Reads a cycle may spend beyond one pass over the products and one over their assets (the issue's budget)."""
PUBLISHED = "PUBLISHED"
PRODUCT_TYPES = frozenset({"masterdataandreferencedata", "master", "reference"})
"""CluedIn syncs "Master data and reference data" products (`MasterDataAndReferenceData`); the newer API also
splits it into `Master` and `Reference`, which are taken as the same kind of product (inferred)."""


@dataclass(frozen=True)
class MemberAsset:
    """A data asset of a product, as the catalog describes it (the Data Map entity behind it included)."""

    id: str
    name: str
    guid: str
    type_name: str
    qualified_name: str

    def to_json(self) -> dict[str, str]:
        """Cache form."""
        return {
            "id": self.id,
            "name": self.name,
            "guid": self.guid,
            "typeName": self.type_name,
            "qualifiedName": self.qualified_name,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MemberAsset:
        """Parse the cache form."""
        return cls(
            str(data.get("id", "")),
            str(data.get("name", "")),
            str(data.get("guid", "")),
            str(data.get("typeName", "")),
            str(data.get("qualifiedName", "")),
        )

    @classmethod
    def from_catalog(cls, asset: CatalogAsset) -> MemberAsset:
        """From a data asset record."""
        return cls(asset.id, asset.name, asset.source_asset_id, asset.source_asset_type, asset.qualified_name)


@dataclass
class CatalogRead:
    """One cycle's view of the catalog, with the cache writes it leaves to the engine."""

    products: dict[str, DataProduct] = field(default_factory=dict)
    """Published master/reference data products linked to a matching term, by id."""
    members: dict[str, list[MemberAsset]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    membership_reads: int = 0
    verified: int = 0
    changed_cache: list[SyncObject] = field(default_factory=list)
    dropped_cache: list[str] = field(default_factory=list)

    def store(self, state: StateStore) -> None:
        """Write the cache rows that changed and drop those of products no longer synced (after enqueueing)."""
        if self.changed_cache:
            state.upsert_many(self.changed_cache)
        if self.dropped_cache:
            state.remove_many(CACHE_KIND, self.dropped_cache)


def linked_products(
    unified: UnifiedCatalogClient, term_ids: Iterable[str], term_names: Iterable[str], notes: list[str]
) -> set[str]:
    """Ids of the data products related to the named terms; terms that match nothing are noted."""
    terms: list[tuple[str, str]] = [(term_id, term_id) for term_id in term_ids]
    for name in term_names:
        found = unified.find_terms(name)
        if not found:
            notes.append(f"Term '{name}' (Sync Data Products Term Pattern) matches no Unified Catalog term")
        terms += [(term.id, name) for term in found]
    products: set[str] = set()
    for term_id, label in terms:
        related = unified.list_term_relationships(term_id, DATA_PRODUCT)
        if related is None:
            notes.append(f"Term '{label}' (Sync Data Products Term Pattern) matches no Unified Catalog term")
        elif not related:
            notes.append(f"Term '{label}' is linked to no data product")
        products |= {r.entity_id for r in related or []}
    return products


def eligible(product: DataProduct) -> str:
    """Why a linked product is not synced ('' when it is)."""
    if product.status != PUBLISHED:
        return f"Data product '{product.name}' is skipped: its status is {product.status or 'unknown'}, not PUBLISHED"
    if product.type.lower() not in PRODUCT_TYPES:
        return (
            f"Data product '{product.name}' is skipped: its type {product.type or 'unknown'} is not master or "
            "reference data"
        )
    return ""


def _signature(product: DataProduct) -> list[Any]:
    return [product.last_modified_at, product.asset_count]


def read_catalog(
    unified: UnifiedCatalogClient,
    state: StateStore,
    *,
    term_ids: Iterable[str],
    term_names: Iterable[str],
    sampler: random.Random | None = None,
) -> CatalogRead:
    """The synced products and their data assets, reading membership only where it may have changed."""
    read = CatalogRead()
    started = unified.reads
    ids = linked_products(unified, term_ids, term_names, read.notes)
    term_reads = unified.reads - started
    products = list(unified.iter_data_products(ids=sorted(ids))) if ids else []
    for product in sorted(products, key=lambda p: p.id):
        problem = eligible(product)
        if problem:
            read.notes.append(problem)
        else:
            read.products[product.id] = product
    cache = {row.key: row for row in state.iter_objects(CACHE_KIND)}
    read.dropped_cache = sorted(set(cache) - set(read.products))
    stale = [
        p for p in read.products.values() if p.id not in cache or cache[p.id].data.get("signature") != _signature(p)
    ]
    unchanged = sorted(set(read.products) - {p.id for p in stale})
    total_assets = sum(p.asset_count or len(cache[p.id].data.get("assets") or []) for p in read.products.values())
    budget = math.ceil(total_assets / PAGE_SIZE) + SPARE_READS - term_reads - len(stale)
    sample = (sampler or random.Random()).sample(unchanged, max(0, min(len(unchanged), budget)))
    read.verified = len(sample)
    membership = {p.id: unified.list_product_relationships(p.id, DATA_ASSET) for p in stale}
    membership |= {pid: unified.list_product_relationships(pid, DATA_ASSET) for pid in sample}
    read.membership_reads = len(membership)
    known = {a["id"]: MemberAsset.from_json(a) for row in cache.values() for a in row.data.get("assets") or []}
    wanted = {r.entity_id for rels in membership.values() for r in rels} - set(known)
    if wanted:
        known |= {a.id: MemberAsset.from_catalog(a) for a in unified.query_data_assets(ids=sorted(wanted))}
    for product_id, product in read.products.items():
        if product_id not in membership:
            read.members[product_id] = [MemberAsset.from_json(a) for a in cache[product_id].data.get("assets") or []]
            continue
        related = sorted({r.entity_id for r in membership[product_id]})
        assets = [known[i] for i in related if i in known]
        missing = len(related) - len(assets)
        if missing:
            read.notes.append(f"Data product '{product.name}': {missing} related data asset(s) do not exist")
        read.members[product_id] = assets
        row_data = {"signature": _signature(product), "assets": [a.to_json() for a in assets]}
        previous = cache.get(product_id)
        if previous is None or previous.data != row_data:
            read.changed_cache.append(SyncObject(kind=CACHE_KIND, key=product_id, data=row_data, status="active"))
    return read
