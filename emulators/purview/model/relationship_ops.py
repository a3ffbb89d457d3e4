"""The relationship API (/atlas/v2/relationship): explicit create, update, get and delete.

Real integrations (tabular schemas, column lineage) link entities this way after uploading them; the
relationships created here are the same records relationship attributes read, so both views agree.
"""

from __future__ import annotations

from typing import Any

from emulators.purview import errors
from emulators.purview.model import entity_render
from emulators.purview.model.entities import GLOSSARY_TERM_TYPE, EntityStore, Relationship
from emulators.purview.model.typevalues import normalize, parse_type


class RelationshipService:
    """Relationship CRUD with Atlas's validation of end types and duplicates."""

    def __init__(self, store: EntityStore) -> None:
        self.store = store

    def render(self, rel: Relationship) -> dict[str, Any]:
        """AtlasRelationship JSON."""
        return {
            "typeName": rel.type_name,
            "guid": rel.guid,
            "end1": self._end_id(rel.end1),
            "end2": self._end_id(rel.end2),
            "attributes": dict(rel.attributes),
            "status": rel.status,
            "label": f"r:{rel.type_name}",
            "createdBy": rel.created_by,
            "updatedBy": rel.updated_by,
            "createTime": rel.create_time,
            "updateTime": rel.update_time,
            "version": 0,
            "lastModifiedTS": str(rel.modified),
        }

    def _end_id(self, guid: str) -> dict[str, Any]:
        if guid in self.store.entities:
            return entity_render.object_id(self.store, guid)
        shown = self.store.terms.term_display(guid) if self.store.terms else None
        unique = {"qualifiedName": shown[1]} if shown else {}
        return {"guid": guid, "typeName": GLOSSARY_TERM_TYPE, "uniqueAttributes": unique}

    def create(self, body: Any, principal: str) -> dict[str, Any]:
        """POST /relationship."""
        rel_def, end1, end2, attributes = self._parse(body)
        if self.store.find_relationship(rel_def["name"], end1, end2) is not None:
            raise errors.RELATIONSHIP_ALREADY_EXISTS(rel_def["name"], end1, end2)
        rel = self.store.add_relationship(rel_def["name"], end1, end2, attributes, principal)
        for guid in (end1, end2):
            if guid in self.store.entities:
                self.store.changed(guid)
        self.store.notify_relationship("RELATIONSHIP_CREATE", rel)
        return self.render(rel)

    def update(self, body: Any, principal: str) -> dict[str, Any]:
        """PUT /relationship: only attributes change; ends and type are fixed."""
        if not isinstance(body, dict) or not isinstance(body.get("guid"), str):
            raise errors.RELATIONSHIP_CRUD_INVALID_PARAMS("relationship guid is required for update")
        rel = self.require(body["guid"])
        rel_def, end1, end2, attributes = self._parse(body)
        if rel_def["name"] != rel.type_name or (end1, end2) != (rel.end1, rel.end2):
            raise errors.RELATIONSHIP_CRUD_INVALID_PARAMS("change of relationship type or ends is not permitted")
        if attributes != rel.attributes:
            rel.attributes = attributes
            rel.modified += 1
            rel.updated_by = principal
            self.store.notify_relationship("RELATIONSHIP_UPDATE", rel)
        return self.render(rel)

    def require(self, guid: str) -> Relationship:
        """An ACTIVE relationship by guid, else 404 ATLAS-404-00-00C."""
        rel = self.store.relationships.get(guid)
        if rel is None or rel.status != "ACTIVE":
            raise errors.RELATIONSHIP_GUID_NOT_FOUND(guid)
        return rel

    def get(self, guid: str, extended: bool) -> dict[str, Any]:
        """GET /relationship/guid/{guid}: AtlasRelationshipWithExtInfo."""
        rel = self.store.relationships.get(guid)
        if rel is None:
            raise errors.RELATIONSHIP_GUID_NOT_FOUND(guid)
        referred = {}
        if extended:
            for end in (rel.end1, rel.end2):
                entity = self.store.entities.get(end)
                if entity is not None:
                    referred[end] = entity_render.header(self.store, entity)
        return {"relationship": self.render(rel), "referredEntities": referred}

    def delete(self, guid: str, principal: str) -> None:
        """DELETE /relationship/guid/{guid}."""
        rel = self.store.remove_relationship(self.require(guid).guid, principal)
        self.store.notify_relationship("RELATIONSHIP_DELETE", rel)

    def _parse(self, body: Any) -> tuple[dict[str, Any], str, str, dict[str, Any]]:
        if not isinstance(body, dict) or not isinstance(body.get("typeName"), str):
            raise errors.RELATIONSHIP_CRUD_INVALID_PARAMS("typeName is required")
        rel_def = self.store.types.get(body["typeName"])
        if rel_def is None or rel_def["category"] != "RELATIONSHIP":
            raise errors.TYPE_NAME_INVALID("RELATIONSHIP", body["typeName"])
        ends = []
        for key in ("end1", "end2"):
            ref = body.get(key)
            if not isinstance(ref, dict):
                raise errors.RELATIONSHIP_CRUD_INVALID_PARAMS(f"{key} is required")
            ends.append(self._resolve(ref, rel_def[f"endDef{key[-1]}"]["type"]))
        (guid1, type1), (guid2, type2) = ends
        if not self._fits(type1, rel_def["endDef1"]["type"]) or not self._fits(type2, rel_def["endDef2"]["type"]):
            raise errors.INVALID_RELATIONSHIP_END_TYPE(rel_def["name"], type1, type2)
        attributes: dict[str, Any] = {}
        given = body.get("attributes") or {}
        if not isinstance(given, dict):
            raise errors.RELATIONSHIP_CRUD_INVALID_PARAMS("attributes must be an object")
        for attr in rel_def.get("attributeDefs") or []:
            if attr["name"] in given:
                try:
                    attributes[attr["name"]] = normalize(
                        parse_type(attr["typeName"]), given[attr["name"]], self.store.types.get
                    )
                except ValueError as exc:
                    raise errors.RELATIONSHIP_CRUD_INVALID_PARAMS(f"{attr['name']}: {exc}") from None
        return rel_def, guid1, guid2, attributes

    def _fits(self, actual: str, expected: str) -> bool:
        return actual == expected or self.store.types.is_a(actual, expected)

    def _resolve(self, ref: dict[str, Any], expected: str) -> tuple[str, str]:
        guid = ref.get("guid")
        if isinstance(guid, str) and guid in self.store.entities and self.store.entities[guid].status == "ACTIVE":
            return guid, self.store.entities[guid].type_name
        if expected == GLOSSARY_TERM_TYPE and self.store.terms is not None:
            term = self.store.terms.term_guid_by_reference(ref)
            if term is not None:
                return term, GLOSSARY_TERM_TYPE
        unique = ref.get("uniqueAttributes") or {}
        type_name = ref.get("typeName") or expected
        if isinstance(unique, dict) and isinstance(unique.get("qualifiedName"), str) and isinstance(type_name, str):
            found = self.store.find_unique(type_name, unique["qualifiedName"])
            if found is not None:
                return found.guid, found.type_name
        raise errors.REFERENCED_ENTITY_NOT_FOUND(guid if guid is not None else unique)
