"""Golden records ("entities"): made by processing records, added or enriched by crawlers and enrichers.

Each entity remembers what every provider contributed (`contributions`, plus its codes and outgoing edges), so
removing a data source, crawler or enricher takes exactly its data away, and `providerDefinitionIds` always names
the providers that still contribute — the attribute the `providerDefinitionIds_v2` search filter, the
`ProviderDefinitionIds` filter field and the metrics work on. Every contribution also becomes a data part in the
entity's history (history.py), which says which provider brought which property.
"""

from __future__ import annotations

import json
from typing import Any

from emulators.cluedin import history
from emulators.cluedin.store import OBJECT_TYPE_IDS, CluedInStore
from emulators.cluedin.util import stable_guid

PROPERTY_BAG_TYPE = "/Metadata/KeyValue"
"""`properties.attribute-type` of every clue and golden record in CluedIn's documentation ("Clue reference")."""


def entity_id(entity_type: str, provider_id: str, code: str) -> str:
    """Deterministic golden-record id: the same origin code from the same source is the same record."""
    return stable_guid("entity", entity_type, provider_id, code)


def upsert_entity(
    store: CluedInStore,
    *,
    entity_type: str,
    provider_id: str,
    code: str,
    name: str | None,
    properties: dict[str, str],
    data_set_id: str | None = None,
    now: str | None = None,
    origin: dict[str, Any] | None = None,
    origin_name: str | None = None,
    codes: list[str] | None = None,
    edges: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Create or update the golden record for (entity type, provider, origin code).

    `origin_name` is the origin part of the entity code (`/Type#<origin>:<code>`); processing passes the data
    set's name without punctuation (the documentation's clue sample: `/Customer#customers_smallcopycsv:1`).
    """
    ident = entity_id(entity_type, provider_id, code)
    now = now or store.clock.iso()
    entity = store.entities.get(ident)
    if entity is None:
        origin_code = f"{entity_type}#{origin_name or f'CluedIn({provider_id})'}:{code}"
        entity = {
            "id": ident,
            "name": name or code,
            "displayName": name or code,
            "description": None,
            "entityType": entity_type,
            "originEntityCode": origin_code,
            "codes": [origin_code],
            "tags": [],
            "aliases": [],
            "uris": [],
            "providerDefinitionIds": [],
            "providerOrigins": [],
            "dataSetIds": [],
            "contributions": {},
            "contributedCodes": {},
            "outgoingEdges": [],
            "properties": {},
            "history": [],
            "createdDate": now,
            "discoveryDate": now,
            "modifiedDate": now,
            "lastProcessedDate": now,
            "sortDate": now,
        }
        store.entities[ident] = entity
    contribute(entity, provider_id, properties, origin=origin, now=now, name=name)
    if name:
        entity["name"] = entity["displayName"] = name
    if codes:
        own = entity.setdefault("contributedCodes", {}).setdefault(provider_id, [])
        own.extend(c for c in codes if c not in own)
        _merge_codes(entity)
    if edges is not None:
        kept = [e for e in entity.setdefault("outgoingEdges", []) if e["providerDefinitionId"] != provider_id]
        entity["outgoingEdges"] = kept + [{**e, "providerDefinitionId": provider_id, "createdDate": now} for e in edges]
    if data_set_id and data_set_id not in entity["dataSetIds"]:
        entity["dataSetIds"].append(data_set_id)
    entity["modifiedDate"] = entity["lastProcessedDate"] = entity["sortDate"] = now
    return entity


def contribute(
    entity: dict[str, Any],
    provider_id: str,
    properties: dict[str, str],
    *,
    origin: dict[str, Any] | None = None,
    now: str | None = None,
    name: str | None = None,
) -> None:
    """Record one provider's properties on an entity (and the data part saying so); recompute the merged view."""
    current = entity["contributions"].setdefault(provider_id, {})
    before = dict(current)
    current.update({f"property-{k}": v for k, v in properties.items()})
    history.record_part(
        entity, provider_id, before, current, origin=origin, now=now or entity["modifiedDate"], name=name
    )
    if provider_id not in entity["providerDefinitionIds"]:
        entity["providerDefinitionIds"].append(provider_id)
        entity["providerOrigins"].append(provider_id)
    _merge(entity)


def _merge(entity: dict[str, Any]) -> None:
    merged: dict[str, Any] = {"attribute-type": PROPERTY_BAG_TYPE}
    for provider_id in entity["providerDefinitionIds"]:
        merged.update(entity["contributions"].get(provider_id, {}))
    entity["properties"] = merged


def _merge_codes(entity: dict[str, Any]) -> None:
    codes = [entity["originEntityCode"]]
    for provider_id in entity["providerDefinitionIds"]:
        codes.extend(c for c in entity.get("contributedCodes", {}).get(provider_id, []) if c not in codes)
    entity["codes"] = codes


def forget_provider(store: CluedInStore, provider_id: str) -> int:
    """Take a provider's contributions off every entity; entities nothing else contributes to disappear."""
    removed = 0
    for ident in list(store.entities):
        entity = store.entities[ident]
        if provider_id not in entity["providerDefinitionIds"]:
            continue
        entity["contributions"].pop(provider_id, None)
        entity.get("contributedCodes", {}).pop(provider_id, None)
        entity["outgoingEdges"] = [
            e for e in entity.get("outgoingEdges", []) if e["providerDefinitionId"] != provider_id
        ]
        entity["providerDefinitionIds"] = [p for p in entity["providerDefinitionIds"] if p != provider_id]
        entity["providerOrigins"] = [p for p in entity["providerOrigins"] if p != provider_id]
        history.forget(entity, provider_id)
        if not entity["providerDefinitionIds"]:
            del store.entities[ident]
            removed += 1
        else:
            _merge(entity)
            _merge_codes(entity)
            entity["modifiedDate"] = entity["sortDate"] = store.clock.iso()
    store.version += 1
    return removed


def provider_origin(store: CluedInStore, provider: dict[str, Any], author_id: str) -> dict[str, Any]:
    """The history source of a crawler's or enricher's contributions."""
    user = store.users.get(author_id) or {}
    return history.source(
        provider["id"], provider["name"], display_name=provider["accountDisplay"], object_id=provider["id"],
        object_type_id=OBJECT_TYPE_IDS["Provider"], changed_by=str(user.get("username") or ""),
    )  # fmt: skip


def enrich_entities(store: CluedInStore, provider: dict[str, Any], properties: dict[str, Any], author_id: str) -> int:
    """An enricher adds properties to every golden record of its entity type (all records if none)."""
    entity_type = provider.get("entityType")
    origin = provider_origin(store, provider, author_id)
    count = 0
    now = store.clock.iso()
    for entity in store.entities.values():
        if entity_type and entity["entityType"] != entity_type:
            continue
        values = {k: as_text(v).replace("{name}", str(entity["name"])) for k, v in properties.items()}
        contribute(entity, provider["id"], values, origin=origin, now=now)
        entity["modifiedDate"] = entity["sortDate"] = now
        count += 1
    provider["enrichedProperties"] = {k: as_text(v) for k, v in properties.items()}
    return count


def add_crawled_entities(
    store: CluedInStore, provider: dict[str, Any], records: list[dict[str, Any]], author_id: str
) -> int:
    """A crawler brings golden records of its own (records are vocabulary key -> value; `id`/`name` special).

    Its entity type becomes a configured (and, with records, used) entity type, as data arriving with a new
    entity type does in the product's business-domain list **(guess: when CluedIn registers it)**.
    """
    from emulators.cluedin.catalog import ensure_entity_type

    if records:
        ensure_entity_type(store, str(provider["entityType"]), None, None, author_id)
    origin = provider_origin(store, provider, author_id)
    for index, record in enumerate(records):
        code = as_text(record.get("id", index))
        name = record.get("name")
        properties = {k: as_text(v) for k, v in record.items() if k not in {"id", "name"}}
        entity = upsert_entity(
            store,
            entity_type=str(provider["entityType"]),
            provider_id=provider["id"],
            code=code,
            name=as_text(name) if name is not None else None,
            properties=properties,
            origin=origin,
            origin_name=str(provider["name"]).replace(" ", ""),
        )
        provider["contributedEntityIds"].append(entity["id"])
    store.version += 1
    return len(records)


def as_text(value: object) -> str:
    """A property value as CluedIn stores it: text (JSON for nested values, lowercase booleans)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return "" if value is None else str(value)
