"""Append Asset to Data Product: the Cluedin Entity a product's data sets map to, added to the product, once.

The golden-record entity type a product's data sets are mapped to is a *Cluedin Entity* node in the Data Map,
written (and held) by data-set lineage; lineage publishes which data set maps to which node (`iter_mapped_entities`
in its `api.py`). Appending it follows what pvw-cli's `add-relationship --create-if-missing` does: find the node's
catalog data asset by its Data Map guid (`dataAssets/query`), create it when missing, then relate it to the product
(`DATAASSET`). Each entity is recorded in the product's row once appended and never added again — also not after
a user removed it from the product, which is the user's call to make. A retry after a crash between the
relationship and the record finds the relationship there (409) and only records it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sync.core.errors import NotFoundError, ServiceError
from sync.core.state import SyncObject
from sync.features.lineage.api import MappedEntity
from sync.services.purview.unified import DATA_ASSET, UnifiedCatalogClient

APPENDED_EVENT = "DataProductAssetAppended"


def appended_text(entity_type: str, product: str) -> str:
    """Notification for an appended entity (the product publishes no wording for this one)."""
    return f"Cluedin Entity '{entity_type}' added to purview Data Product '{product}'"


def entry(entity: MappedEntity) -> dict[str, str]:
    """The desired-state form of an entity to append."""
    return {"qualifiedName": entity.qualified_name, "guid": entity.guid, "entityType": entity.entity_type}


def entries_to_append(entities: Iterable[MappedEntity], row: SyncObject | None) -> list[dict[str, str]]:
    """Entities mapped from the product's data sets plus those already appended, sorted (a stable fingerprint).

    Entities whose Purview guid is not recorded yet wait for the next cycle.
    """
    found = {e.qualified_name: entry(e) for e in entities if e.guid}
    done: Mapping[str, Mapping[str, str]] = (row.data.get("appended") or {}) if row is not None else {}
    for qualified_name, info in done.items():
        found[qualified_name] = {
            "qualifiedName": qualified_name,
            "guid": str(info.get("guid", "")),
            "entityType": str(info.get("entityType", "")),
        }
    return [found[q] for q in sorted(found)]


def append_entities(
    unified: UnifiedCatalogClient, obj: SyncObject, product_id: str, wanted: Sequence[Mapping[str, Any]]
) -> tuple[list[str], list[str]]:
    """Append what is not appended yet; records each in `obj`. Returns (entity types appended, problems)."""
    appended: dict[str, dict[str, str]] = obj.data.setdefault("appended", {})
    done: list[str] = []
    problems: list[str] = []
    for item in wanted:
        qualified_name, guid, entity_type = str(item["qualifiedName"]), str(item["guid"]), str(item["entityType"])
        if qualified_name in appended:
            continue
        try:
            asset, _ = unified.ensure_data_asset(guid)
            unified.add_product_relationship(
                product_id, DATA_ASSET, asset.id, description=f"CluedIn golden records of {entity_type}"
            )
        except NotFoundError:
            problems.append("the data product no longer exists in the Unified Catalog")
            break
        except ServiceError as exc:
            if exc.status != 400:
                raise
            problems.append(f"Cluedin Entity '{entity_type}' could not be appended: {exc.detail}")
            continue
        appended[qualified_name] = {"guid": guid, "entityType": entity_type, "assetId": asset.id}
        done.append(entity_type)
    return done, problems
