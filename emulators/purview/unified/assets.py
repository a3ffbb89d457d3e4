"""Unified Catalog data assets: each is a catalog record pointing at one Data Map entity (its `source.assetId`).

A data asset is created from a Data Map guid (`DataAssetRequest.source.assetId` in the SDK); the service
fills name, type, source details and schema from the Data Map. Because this emulator serves the Data Map
on the same server, it derives them from the live entity store, so a seed or test can register a CSV in the
Data Map and then put it in a data product the way the portal and pvw-cli do.

Derivation choices (all **GUESS** beyond the field names, which come from the SDK models):
- `type`: `AzureSqlTable` for `azure_sql_table`/`azure_sql_view`, `ADLSGen2Path` for the ADLS Gen2 path
  and resource-set types, `General` otherwise (pvw-cli's mapping).
- `typeProperties` parsed from the qualifiedName (`mssql://server/db/schema/table`,
  `https://account.dfs.core.windows.net/container/folder/file`).
- `schema` from the entity's `columns` (SQL) or `tabular_schema.columns` (files).
- The record is a snapshot taken at creation (`source.lastRefreshedAt`); later Data Map edits do not flow in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from emulators.purview.model.entities import Entity, EntityStore
from emulators.purview.unified import values
from emulators.purview.unified.errors import invalid

ASSET_TYPES = ("AzureSqlTable", "ADLSGen2Path", "General")
TYPE_OF_ENTITY = {
    "azure_sql_table": "AzureSqlTable",
    "azure_sql_view": "AzureSqlTable",
    "azure_datalake_gen2_path": "ADLSGen2Path",
    "azure_datalake_gen2_resource_set": "ADLSGen2Path",
    "azure_datalake_gen2_filesystem": "ADLSGen2Path",
    "adls_gen2_path": "ADLSGen2Path",
}


def resolve_source(entities: EntityStore, body: Any) -> Entity:
    """The ACTIVE Data Map entity a create request points at, by `source.assetId` or `source.qualifiedName`.

    `source.qualifiedName` (with optional `source.assetType` to pick among types) is what pvw-cli sends when
    given a name instead of a guid; **GUESS** that the service resolves it.
    """
    if not isinstance(body, dict):
        raise invalid("the data asset must be a JSON object")
    source = body.get("source")
    if not isinstance(source, dict):
        raise invalid("source.assetId (the Data Map asset guid) is required", target="source")
    if source.get("assetId") not in (None, ""):
        guid = values.guid(source.get("assetId"), "source.assetId")
        entity = entities.get(guid)
        if entity is None or entity.status != "ACTIVE":
            raise invalid(f"the Data Map asset '{guid}' does not exist", target="source.assetId")
        return entity
    name = source.get("qualifiedName")
    if not isinstance(name, str) or not name:
        raise invalid("source.assetId (the Data Map asset guid) is required", target="source")
    by_type = entities.by_qualified_name.get(name, {})
    wanted = source.get("assetType")
    guids = [g for t, g in by_type.items() if wanted in (None, t)]
    if len(guids) != 1:
        problem = "does not exist" if not guids else "is ambiguous; give source.assetType"
        raise invalid(f"the Data Map asset with qualifiedName '{name}' {problem}", target="source.qualifiedName")
    return entities.require(guids[0])


def new_asset(
    entities: EntityStore, entity: Entity, body: Mapping[str, Any], *, identifier: str, principal: str, account: str
) -> dict[str, Any]:
    """A data asset record derived from `entity`, with the request's optional overrides applied."""
    stamp = values.now_iso()
    asset_type = TYPE_OF_ENTITY.get(entity.type_name, "General")
    asset: dict[str, Any] = {
        "id": identifier,
        "name": _display_name(entity),
        "type": asset_type,
        "description": entity.attributes.get("description") or entity.attributes.get("userDescription") or "",
        "source": {
            "type": "DataMap",
            "assetId": entity.guid,
            "assetType": entity.type_name,
            "assetAttributes": sorted(k for k, v in entity.attributes.items() if v is not None),
            "fqn": entity.qualified_name or "",
            "accountName": account,
            "lastRefreshedAt": stamp,
            "lastRefreshedBy": principal,
        },
        "contacts": {},
        "classifications": [str(c.get("typeName")) for c in entity.classifications if c.get("typeName")],
        "schema": schema_of(entities, entity),
        "systemData": {
            "provisioningState": "Succeeded",
            "createdAt": stamp,
            "createdBy": principal,
            "lastModifiedAt": stamp,
            "lastModifiedBy": principal,
        },
    }
    properties = type_properties(entity, asset_type)
    if properties:
        asset["typeProperties"] = properties
    apply_overrides(asset, body)
    return asset


def apply_overrides(asset: dict[str, Any], body: Mapping[str, Any]) -> None:
    """Fields a client may set on create or update: name, type, typeProperties, description, contacts, openInUrl."""
    name = values.text(body, "name")
    if name is not None and name.strip():
        asset["name"] = name
    if body.get("type") is not None:
        asset["type"] = values.canonical(body.get("type"), ASSET_TYPES, "type")
    if body.get("typeProperties") is not None:
        if not isinstance(body["typeProperties"], dict):
            raise invalid("typeProperties must be an object", target="typeProperties")
        asset["typeProperties"] = {**asset.get("typeProperties", {}), **body["typeProperties"]}
    for field in ("description", "openInUrl"):
        value = values.text(body, field)
        if value is not None:
            asset[field] = value
    people = values.contacts(body)
    if people is not None:
        asset["contacts"] = people


def _display_name(entity: Entity) -> str:
    name = entity.attributes.get("name")
    if isinstance(name, str) and name:
        return name
    qualified = entity.qualified_name or entity.guid
    return qualified.rstrip("/").rsplit("/", 1)[-1] or qualified


def type_properties(entity: Entity, asset_type: str) -> dict[str, Any]:
    """The `typeProperties` parsed from the qualifiedName, as the SDK's per-type models name them."""
    qualified = entity.qualified_name or ""
    if asset_type == "AzureSqlTable":
        parts = qualified.split("://", 1)[-1].strip("/").split("/")
        keys = ("serverEndpoint", "databaseName", "schemaName", "tableName")
        props: dict[str, Any] = {k: v for k, v in zip(keys, parts, strict=False) if v}
        props["format"] = "View" if entity.type_name.endswith("_view") else "Table"
        return props
    if asset_type == "ADLSGen2Path":
        url = urlsplit(qualified)
        segments = [s for s in url.path.split("/") if s]
        props = {"serverEndpoint": f"{url.scheme}://{url.netloc}" if url.netloc else ""}
        if segments:
            props["container"] = segments[0]
        if len(segments) > 1:
            props["folderPath"] = "/".join(segments[1:-1])
            props["fileName"] = segments[-1]
        return {k: v for k, v in props.items() if v != ""}
    return {}


def schema_of(entities: EntityStore, entity: Entity) -> list[dict[str, Any]]:
    """CatalogModelDataAssetSchema items from the entity's columns (directly or through its tabular schema)."""
    columns = _related(entities, entity.guid, "columns")
    for schema in _related(entities, entity.guid, "tabular_schema"):
        columns += _related(entities, schema.guid, "columns")
    return [
        {
            "name": str(col.attributes.get("name") or col.qualified_name or col.guid),
            "description": str(col.attributes.get("description") or ""),
            "classifications": [str(c.get("typeName")) for c in col.classifications if c.get("typeName")],
            "type": str(col.attributes.get("data_type") or col.attributes.get("type") or ""),
        }
        for col in columns
    ]


def _related(entities: EntityStore, guid: str, attribute: str) -> list[Entity]:
    found = []
    for rel in entities.attribute_relationships(guid, attribute):
        other = entities.get(rel.end2 if rel.end1 == guid else rel.end1)
        if other is not None and other.status == "ACTIVE":
            found.append(other)
    return found
