"""What "Sync data products" publishes to other features: the data sources it made for data products' assets.

Rows (kind `dataproduct`, key = the data product's Unified Catalog id):
`source` = {productId, name}; `target` = {group_id, group_name, sources: {<asset key>: {id, name}}};
`data` = {assets: {<asset key>: {guid, typeName, qualifiedName, name, catalogId, schema}}, appended:
{<Cluedin Entity qualifiedName>: <catalog data asset id>}, creating_group?, creating_sources?}. The asset key is
F1's `<typeName>|<qualifiedName>`.

Other features read them only through this module: the Data Factory automation (`assets_to_automate`) creates
ingestion endpoints and pipelines for these assets without needing a glossary term; data-set lineage and
auto-mapping see the data sources as synced from their Purview assets (`linked_assets`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sync.core.settings import Settings
from sync.core.state import StateStore, SyncObject
from sync.features.dataproducts.settings import DataProductsSettings
from sync.features.datasources.api import LinkedAsset

DATAPRODUCT_KIND = "dataproduct"


@dataclass(frozen=True)
class ProductAsset:
    """A data product's asset whose CluedIn data source exists."""

    product_id: str
    product_name: str
    key: str
    """`<typeName>|<qualifiedName>`, as F1 and the pipelines key assets."""
    guid: str
    type_name: str
    qualified_name: str
    name: str
    data_source_id: str
    columns: tuple[tuple[str, str], ...] = ()


def syncs_data_products(settings: Settings) -> bool:
    """Whether 'Sync Data Products DataSources' is on (other features then expect this feature's assets)."""
    return settings.get(DataProductsSettings).sync_data_products_datasources


def product_assets(obj: SyncObject) -> Iterator[ProductAsset]:
    """The assets of one product row whose data source exists."""
    sources = obj.target.get("sources") or {}
    for key, asset in sorted((obj.data.get("assets") or {}).items()):
        source_id = str((sources.get(key) or {}).get("id") or "")
        if not source_id:
            continue
        schema = asset.get("schema") or []
        yield ProductAsset(
            product_id=obj.key,
            product_name=str(obj.source.get("name") or obj.key),
            key=key,
            guid=str(asset.get("guid") or ""),
            type_name=str(asset.get("typeName") or ""),
            qualified_name=str(asset.get("qualifiedName") or ""),
            name=str(asset.get("name") or ""),
            data_source_id=source_id,
            columns=tuple((str(c.get("name", "")), str(c.get("type", ""))) for c in schema if c.get("name")),
        )


def iter_product_assets(state: StateStore) -> Iterator[ProductAsset]:
    """Every asset of every active data product row whose data source exists (an asset of two products twice)."""
    for obj in state.iter_objects(DATAPRODUCT_KIND):
        if obj.active:
            yield from product_assets(obj)


def assets_to_automate(state: StateStore) -> dict[str, ProductAsset]:
    """Asset key → the asset to load through Data Factory, into its data product's data source.

    An asset in several data products is loaded once, into the data source of the product with the smallest id
    (deterministic, so the pipeline never flips between products).
    """
    chosen: dict[str, ProductAsset] = {}
    for asset in iter_product_assets(state):
        known = chosen.get(asset.key)
        if known is None or asset.product_id < known.product_id:
            chosen[asset.key] = asset
    return chosen


def linked_assets(state: StateStore) -> dict[str, LinkedAsset]:
    """CluedIn data source id → the Purview asset it was made from (the same view F1 publishes of its own)."""
    return {
        asset.data_source_id: LinkedAsset(
            type_name=asset.type_name,
            qualified_name=asset.qualified_name,
            name=asset.name,
            data_source_id=asset.data_source_id,
            columns=asset.columns,
            guid=asset.guid,
        )
        for asset in iter_product_assets(state)
    }
