"""Entity operations beyond plain upsert: reads, deletes, labels, classifications, moves, business metadata.

Each method is one Data Map operation with Atlas's semantics and error codes, so the HTTP layer only
parses parameters and serialises results.
"""

from __future__ import annotations

from typing import Any

from emulators.purview import errors
from emulators.purview.model import entity_render
from emulators.purview.model.entities import Entity, EntityStore
from emulators.purview.model.entity_write import EntityWriter
from emulators.purview.model.refs import classification_item


class EntityService:
    """Entity reads and the smaller write operations, on top of EntityStore and EntityWriter."""

    def __init__(self, store: EntityStore, writer: EntityWriter) -> None:
        self.store = store
        self.writer = writer

    # ----- reads ---------------------------------------------------------------------------------------

    def get(self, guid: str, *, min_ext_info: bool = False, ignore_relationships: bool = False) -> dict[str, Any]:
        """AtlasEntityWithExtInfo for one guid (deleted entities are returned with status DELETED)."""
        entity = self.store.require(guid)
        rendered, referred = entity_render.with_ext_info(
            self.store, [entity], min_ext_info=min_ext_info, ignore_relationships=ignore_relationships
        )
        return {"referredEntities": referred, "entity": rendered[0]}

    def get_many(
        self, guids: list[str], *, min_ext_info: bool = False, ignore_relationships: bool = False
    ) -> dict[str, Any]:
        """AtlasEntitiesWithExtInfo; any unknown guid is a 404."""
        entities = [self.store.require(g) for g in dict.fromkeys(guids)]
        rendered, referred = entity_render.with_ext_info(
            self.store, entities, min_ext_info=min_ext_info, ignore_relationships=ignore_relationships
        )
        return {"referredEntities": referred, "entities": rendered}

    def get_unique(self, type_name: str, qualified_name: str | None, **options: bool) -> dict[str, Any]:
        """Get by typeName + qualifiedName (404 ATLAS-404-00-009 if none)."""
        entity = self.store.require_unique(type_name, qualified_name)
        return self.get(entity.guid, **options)

    def get_unique_many(self, type_name: str, qualified_names: list[str], **options: bool) -> dict[str, Any]:
        """Bulk get by unique attributes; no match at all is an empty JSON object (200 {}), as on Purview."""
        if self.store.types.entity_info(type_name) is None:
            raise errors.TYPE_NAME_NOT_FOUND(type_name)
        found = [e for e in (self.store.find_unique(type_name, q) for q in qualified_names) if e is not None]
        if not found:
            return {}
        return self.get_many([e.guid for e in found], **options)

    def header(self, guid: str) -> dict[str, Any]:
        """AtlasEntityHeader of one entity."""
        return entity_render.header(self.store, self.store.require(guid))

    # ----- deletes -------------------------------------------------------------------------------------

    def delete(self, guids: list[str], principal: str) -> dict[str, Any]:
        """Soft delete (status DELETED) with owned children; unknown guids are 404."""
        for guid in guids:
            self.store.require(guid)
        deleted = self.store.soft_delete(guids, principal)
        mutated = {"DELETE": [entity_render.header(self.store, e) for e in deleted]} if deleted else {}
        return {"mutatedEntities": mutated}

    def delete_unique(self, type_name: str, qualified_name: str | None, principal: str) -> dict[str, Any]:
        """Delete by typeName + qualifiedName."""
        entity = self.store.require_unique(type_name, qualified_name)
        return self.delete([entity.guid], principal)

    # ----- partial updates ------------------------------------------------------------------------------

    def update_attribute(self, guid: str, name: str, value: Any, principal: str) -> dict[str, Any]:
        """PUT /entity/guid/{guid}?name=attr: one primitive attribute or entity reference; null is refused."""
        entity = self.store.require_active(guid)
        info = self.store.types.entity_info(entity.type_name)
        assert info is not None
        if name not in info.attributes and name not in info.relationships:
            raise errors.INVALID_PARTIAL_UPDATE_ATTR(name, entity.type_name)
        if value is None:
            raise errors.INVALID_PARAMETERS(f"null value for attribute {name}: null updates are not supported")
        raw = {"typeName": entity.type_name, "guid": guid, "attributes": {name: value}}
        return self.writer.upsert([raw], principal=principal, partial=True, forced_target=entity)

    def update_unique(self, type_name: str, qualified_name: str | None, body: Any, principal: str) -> dict[str, Any]:
        """PUT /entity/uniqueAttribute/type/{t}: partial update of the provided attributes."""
        entity = self.store.require_unique(type_name, qualified_name)
        payload = body.get("entity") if isinstance(body, dict) else None
        if not isinstance(payload, dict):
            raise errors.INVALID_PARAMETERS("invalid payload, expected AtlasEntityWithExtInfo with an entity")
        raw = {**payload, "typeName": entity.type_name, "guid": entity.guid}
        return self.writer.upsert([raw], principal=principal, partial=True, forced_target=entity)

    def move(self, guids: list[str], collection: str, principal: str) -> dict[str, Any]:
        """POST /entity/moveTo: change the collection of each entity; result lists them under UPDATE."""
        if not self.store.collection_exists(collection):
            raise errors.INVALID_PARAMETERS(f"collection {collection} does not exist")
        collection = collection.lower()
        entities = [self.store.require_active(g) for g in dict.fromkeys(guids)]
        moved = [entity for entity in entities if entity.collection_id != collection]
        for entity in moved:
            entity.collection_id = collection
            entity.touch(principal)
            self.store.changed(entity.guid)
        self.store.notify("ENTITY_UPDATE", moved)
        return {
            "mutatedEntities": {"UPDATE": [entity_render.header(self.store, e) for e in entities]},
            "guidAssignments": {},
        }

    # ----- labels --------------------------------------------------------------------------------------

    def labels(self, entity: Entity, labels: Any, mode: str, principal: str) -> None:
        """Add, set or remove labels (PUT / POST / DELETE .../labels)."""
        if labels is None:
            labels = []
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise errors.INVALID_PARAMETERS("invalid payload, labels must be a list of strings")
        if entity.status != "ACTIVE":
            raise errors.INSTANCE_GUID_NOT_FOUND(entity.guid)
        if mode == "add":
            updated = list(dict.fromkeys([*entity.labels, *labels]))
        elif mode == "set":
            updated = list(dict.fromkeys(labels))
        else:
            updated = [x for x in entity.labels if x not in set(labels)]
        if updated != entity.labels:
            entity.labels = updated
            entity.touch(principal)
            self.store.changed(entity.guid)

    # ----- classifications ------------------------------------------------------------------------------

    def add_classifications(self, entity: Entity, items: Any, principal: str, *, update: bool = False) -> None:
        """POST (add) or PUT (update, add if missing) classifications of one entity."""
        parsed = self._classification_items(items)
        if entity.status != "ACTIVE":
            raise errors.INSTANCE_GUID_NOT_FOUND(entity.guid)
        if not update:
            self._check_addable(entity, parsed)
        self._apply_classifications(entity, parsed, principal)

    def _check_addable(self, entity: Entity, parsed: list[dict[str, Any]]) -> None:
        """Atlas's checks before adding a classification to an entity.

        An existing association is 400 `ATLAS-400-00-01A` (the store's `validateEntityAssociations`); the
        same name twice in one request is 400 `ATLAS-400-00-01B` (`CLASSIFICATION_ALREADY_ASSOCIATED`,
        raised by the graph mapper on the second copy).
        """
        current = {c["typeName"] for c in entity.classifications}
        for item in parsed:
            if item["typeName"] in current:
                raise errors.INVALID_PARAMETERS(
                    f"entity: {entity.guid}, already associated with classification: {item['typeName']}"
                )
        seen: set[str] = set()
        for item in parsed:
            if item["typeName"] in seen:
                raise errors.CLASSIFICATION_ALREADY_ASSOCIATED(entity.guid, item["typeName"])
            seen.add(item["typeName"])

    def _apply_classifications(self, entity: Entity, parsed: list[dict[str, Any]], principal: str) -> None:
        # Purview was seen reporting CLASSIFICATION_UPDATE when the entity already carried classifications.
        operation = "CLASSIFICATION_UPDATE" if entity.classifications else "CLASSIFICATION_ADD"
        current = {c["typeName"]: c for c in entity.classifications}
        for item in parsed:
            previous = current.get(item["typeName"])
            if previous is not None:
                item["lastModifiedTS"] = str(int(previous.get("lastModifiedTS", "1")) + 1)
            current[item["typeName"]] = item
        entity.classifications = list(current.values())
        entity.touch(principal)
        self.store.changed(entity.guid)
        self.store.notify(operation, [entity])

    def remove_classification(self, entity: Entity, name: str, principal: str) -> None:
        """DELETE .../classification/{name}; 400 if the entity does not carry it."""
        if not any(c["typeName"] == name for c in entity.classifications):
            if self.store.types.get(name) is None:
                raise errors.CLASSIFICATION_NOT_FOUND(name)
            raise errors.CLASSIFICATION_NOT_ASSOCIATED(name)
        entity.classifications = [c for c in entity.classifications if c["typeName"] != name]
        entity.touch(principal)
        self.store.changed(entity.guid)
        self.store.notify("CLASSIFICATION_DELETE", [entity])

    def classification(self, entity: Entity, name: str) -> dict[str, Any]:
        """One AtlasClassification of an entity (404 if not associated)."""
        for item in entity.classifications:
            if item["typeName"] == name:
                return entity_render.classification(entity, item)
        raise errors.CLASSIFICATION_NOT_FOUND(name)

    def classifications(self, entity: Entity) -> dict[str, Any]:
        """AtlasClassifications page of an entity's classifications."""
        items = [entity_render.classification(entity, c) for c in entity.classifications]
        return {"list": items, "pageSize": len(items), "sortType": "NONE", "startIndex": 0, "totalCount": len(items)}

    def bulk_classify(self, body: Any, principal: str) -> None:
        """POST /entity/bulk/classification: one classification onto many entities, all or nothing.

        Like Atlas's `addClassification(guids, classification)`, every entity is checked first (unknown
        guid 404, classification already there 400) and only then is any of them changed.
        """
        if not isinstance(body, dict) or not isinstance(body.get("classification"), dict):
            raise errors.INVALID_PARAMETERS("invalid payload, expected ClassificationAssociateOptions")
        guids = body.get("entityGuids")
        if not isinstance(guids, list) or not all(isinstance(g, str) for g in guids):
            raise errors.INVALID_PARAMETERS("invalid payload, entityGuids must be a list of guids")
        if not guids:
            raise errors.INVALID_PARAMETERS("Guid(s) not specified")
        parsed = self._classification_items([body["classification"]])
        entities = [self.store.require_active(g) for g in dict.fromkeys(guids)]
        for entity in entities:
            self._check_addable(entity, parsed)
        for entity in entities:
            self._apply_classifications(entity, [dict(item) for item in parsed], principal)

    def bulk_set_classifications(self, body: Any, principal: str) -> list[str]:
        """POST /entity/bulk/setClassifications: per-entity add/update; returns Purview's status strings."""
        header_map = body.get("guidHeaderMap") if isinstance(body, dict) else None
        if not isinstance(header_map, dict):
            raise errors.INVALID_PARAMETERS("invalid payload, expected AtlasEntityHeaders with guidHeaderMap")
        out = []
        for guid, item in header_map.items():
            entity = self.store.require_active(guid)
            for classification in self._classification_items((item or {}).get("classifications") or []):
                verb = (
                    "Update"
                    if any(c["typeName"] == classification["typeName"] for c in entity.classifications)
                    else "Add"
                )
                self.add_classifications(entity, [classification], principal, update=True)
                out.append(f"{verb}:{guid}:{entity.type_name}:qualifiedName -> {classification['typeName']}:(Done)")
        return out

    def _classification_items(self, items: Any) -> list[dict[str, Any]]:
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise errors.INVALID_PARAMETERS("invalid payload, expected a list of AtlasClassification")
        self.writer._check_classifications(items)
        return [classification_item(i) for i in items]

    # ----- business metadata -----------------------------------------------------------------------------

    def business_metadata(
        self,
        entity: Entity,
        body: Any,
        principal: str,
        *,
        remove: bool,
        overwrite: bool = False,
        name: str | None = None,
    ) -> None:
        """Add/update or remove business metadata attributes of an entity."""
        if not isinstance(body, dict):
            raise errors.INVALID_PARAMETERS("invalid payload, expected an object")
        incoming: dict[str, Any] = {name: body} if name is not None else body
        for bm_name, values in incoming.items():
            typedef = self.store.types.get(bm_name)
            if typedef is None or typedef["category"] != "BUSINESS_METADATA":
                raise errors.TYPE_NAME_NOT_FOUND(bm_name)
            if not isinstance(values, dict):
                raise errors.INVALID_PARAMETERS(f"invalid payload, {bm_name} must map attribute names to values")
        current = {} if overwrite and not remove else {k: dict(v) for k, v in entity.business_attributes.items()}
        for bm_name, values in incoming.items():
            target = current.setdefault(bm_name, {})
            for attr, value in values.items():
                if remove:
                    target.pop(attr, None)
                else:
                    target[attr] = value
            if not target:
                current.pop(bm_name)
        if current != entity.business_attributes:
            entity.business_attributes = current
            entity.touch(principal)
            self.store.changed(entity.guid)
