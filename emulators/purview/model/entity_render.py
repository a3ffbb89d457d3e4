"""How stored entities look on the wire: AtlasEntity, AtlasEntityHeader, related-object ids.

The shapes follow real Purview responses (official examples and captured service output): every
attribute of the type is present (null when unset), relationship attributes are all present ([] / null
when empty), composition children appear in `referredEntities`, and legacy relationship attributes such
as Process `inputs`/`outputs` also appear as object ids under `attributes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulators.purview.model.entities import GLOSSARY_TERM_TYPE, SEMANTIC_ASSIGNMENT, Entity, EntityStore, Relationship
from emulators.purview.model.typesystem import EntityTypeInfo, RelationshipEnd

HEADER_ATTRIBUTES = ("name", "description", "owner", "createTime")


def display_text(entity: Entity) -> str:
    """What Purview shows for an entity: its name, else its qualifiedName, else its guid."""
    name = entity.attributes.get("name")
    if isinstance(name, str) and name:
        return name
    return entity.qualified_name or entity.guid


def object_id(store: EntityStore, guid: str) -> dict[str, Any]:
    """AtlasObjectId of an entity: guid, typeName and unique attributes."""
    entity = store.entities.get(guid)
    if entity is None:
        return {"guid": guid}
    return {"guid": guid, "typeName": entity.type_name, "uniqueAttributes": {"qualifiedName": entity.qualified_name}}


def header(store: EntityStore, entity: Entity) -> dict[str, Any]:
    """AtlasEntityHeader, as used in mutation results, search-adjacent APIs and lineage."""
    attributes: dict[str, Any] = {"qualifiedName": entity.qualified_name}
    for name in HEADER_ATTRIBUTES:
        value = entity.attributes.get(name)
        if value is not None:
            attributes[name] = value
    meanings = meaning_headers(store, entity)
    return {
        "typeName": entity.type_name,
        "attributes": attributes,
        "guid": entity.guid,
        "status": entity.status,
        "displayText": display_text(entity),
        "classificationNames": [c["typeName"] for c in entity.classifications],
        "classifications": [classification(entity, c) for c in entity.classifications],
        "meaningNames": [m["displayText"] for m in meanings],
        "meanings": meanings,
        "isIncomplete": False,
        "labels": list(entity.labels),
        "lastModifiedTS": str(entity.modified),
    }


def lineage_header(store: EntityStore, entity: Entity) -> dict[str, Any]:
    """Header as lineage's guidEntityMap shows it (adds collectionId, like the service)."""
    out = header(store, entity)
    out["collectionId"] = entity.collection_id
    return out


def classification(entity: Entity, item: dict[str, Any]) -> dict[str, Any]:
    """AtlasClassification as attached to an entity."""
    out = dict(item)
    out["entityGuid"] = entity.guid
    out["entityStatus"] = entity.status
    return out


def meaning_headers(store: EntityStore, entity: Entity) -> list[dict[str, Any]]:
    """AtlasTermAssignmentHeader list for the terms assigned to an entity."""
    out: list[dict[str, Any]] = []
    if not store.rel_index.get(entity.guid, {}).get("meanings"):
        return out
    for rel in store.attribute_relationships(entity.guid, "meanings"):
        if rel.type_name != SEMANTIC_ASSIGNMENT or store.terms is None:
            continue
        shown = store.terms.term_display(rel.end1)
        if shown is None:
            continue
        item = {"termGuid": rel.end1, "relationGuid": rel.guid, "displayText": shown[0]}
        for key in ("confidence", "createdBy", "description", "expression", "source", "status", "steward"):
            if rel.attributes.get(key) is not None:
                item[key] = rel.attributes[key]
        out.append(item)
    return out


def related_object(store: EntityStore, end: RelationshipEnd, rel: Relationship, other: str) -> dict[str, Any]:
    """AtlasRelatedObjectId for the other end of a relationship, as relationshipAttributes items show it."""
    rel_attrs: dict[str, Any] = {"typeName": rel.type_name}
    rel_def = store.types.get(rel.type_name)
    if rel_def and rel_def.get("attributeDefs"):
        rel_attrs["attributes"] = {a["name"]: rel.attributes.get(a["name"]) for a in rel_def["attributeDefs"]}
    item: dict[str, Any] = {"guid": other}
    if end.other_type == GLOSSARY_TERM_TYPE and store.terms is not None:
        shown = store.terms.term_display(other)
        item.update(typeName=GLOSSARY_TERM_TYPE, entityStatus="ACTIVE", displayText=shown[0] if shown else other)
    else:
        target = store.entities.get(other)
        if target is not None:
            item.update(typeName=target.type_name, entityStatus=target.status, displayText=display_text(target))
    item.update(
        relationshipType=rel.type_name,
        relationshipGuid=rel.guid,
        relationshipStatus=rel.status,
        relationshipAttributes=rel_attrs,
    )
    return item


@dataclass(frozen=True, slots=True)
class _RenderPlan:
    """What an entity read of one type lists, computed once per type (reads are the hot path)."""

    plain: tuple[str, ...]  # attributes stored on the entity
    references: tuple[str, ...]  # entity-typed attributes that are not relationship ends (null when unset)
    relationships: tuple[tuple[str, bool, bool], ...]  # (attribute, single-valued, legacy)


def _render_plan(info: EntityTypeInfo) -> _RenderPlan:
    plan = info.render_cache.get("plan")
    if plan is None:
        plan = info.render_cache["plan"] = _RenderPlan(
            plain=tuple(n for n in info.attributes if n not in info.references),
            references=tuple(n for n in info.attributes if n in info.references and n not in info.relationships),
            relationships=tuple(
                (name, ends[0].cardinality == "SINGLE", ends[0].legacy) for name, ends in info.relationships.items()
            ),
        )
    assert isinstance(plan, _RenderPlan)
    return plan


def entity_json(
    store: EntityStore, entity: Entity, *, relationships: bool = True, minimal: bool = False
) -> dict[str, Any]:
    """Full AtlasEntity. `minimal` is Atlas's minExtInfo form for referred entities (header attributes only)."""
    info = store.types.entity_info(entity.type_name)
    plan = _render_plan(info) if info is not None and not minimal else None
    attributes: dict[str, Any]
    if plan is not None:
        stored = entity.attributes
        attributes = {name: stored.get(name) for name in plan.plain}
        for name in plan.references:
            guids = entity.refs.get(name)
            attributes[name] = None if guids is None else [object_id(store, g) for g in guids]
    else:
        attributes = {k: v for k, v in entity.attributes.items() if k == "qualifiedName" or k in HEADER_ATTRIBUTES}
    out: dict[str, Any] = {
        "typeName": entity.type_name,
        "attributes": attributes,
        "guid": entity.guid,
        "status": entity.status,
        "createdBy": entity.created_by,
        "updatedBy": entity.updated_by,
        "createTime": entity.create_time,
        "updateTime": entity.update_time,
        "version": 0,
        "lastModifiedTS": str(entity.modified),
        "collectionId": entity.collection_id,
        "isIncomplete": False,
        "provenanceType": 0,
        "proxy": False,
        "displayText": display_text(entity),
        "labels": list(entity.labels),
        "contacts": entity.contacts,
    }
    if plan is not None:
        by_attribute: dict[str, list[dict[str, Any]]] = {}
        if store.rel_index.get(entity.guid):
            for end, rel, other in store.related(entity):
                by_attribute.setdefault(end.attribute, []).append(related_object(store, end, rel, other))
                if end.legacy:
                    attributes.setdefault(end.attribute, []).append(object_id(store, other))
        rel_attrs: dict[str, Any] = {}
        for name, single, legacy in plan.relationships:
            items = by_attribute.get(name)
            if legacy and name not in attributes:
                attributes[name] = None if single else []
            rel_attrs[name] = (items[0] if items else None) if single else (items or [])
        if relationships:
            out["relationshipAttributes"] = rel_attrs
    if entity.classifications:
        out["classifications"] = [classification(entity, c) for c in entity.classifications]
    if entity.custom_attributes:
        out["customAttributes"] = entity.custom_attributes
    if entity.business_attributes:
        out["businessAttributes"] = entity.business_attributes
    return out


def with_ext_info(
    store: EntityStore, entities: list[Entity], *, min_ext_info: bool, ignore_relationships: bool
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Entities plus `referredEntities`: composition children (a table's columns, a schema's columns)."""
    rendered = [entity_json(store, e, relationships=not ignore_relationships) for e in entities]
    requested = {e.guid for e in entities}
    referred: dict[str, Any] = {}
    if ignore_relationships:
        return rendered, referred
    for entity in entities:
        for end, _rel, other in store.related(entity):
            if not end.owns_other or other in requested or other in referred:
                continue
            child = store.entities.get(other)
            if child is not None:
                referred[other] = entity_json(store, child, minimal=min_ext_info)
    return rendered, referred
