"""Entity and relationship records with the indexes every read and write path relies on.

Atlas keeps relationships as first-class records between two entities; relationship attributes
(`columns`, `inputToProcesses`, `meanings`, ...) are views over them. Storing them that way, indexed by
entity and attribute, makes "[] clears, omission keeps", cascading deletes of owned children and lineage
fall out naturally instead of being special cases.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from emulators.purview import errors
from emulators.purview.model.clock import new_guid, now_ms
from emulators.purview.model.typesystem import RelationshipEnd, TypeRegistry

GLOSSARY_TERM_TYPE = "AtlasGlossaryTerm"
SEMANTIC_ASSIGNMENT = "AtlasGlossarySemanticAssignment"


@dataclass(slots=True)
class Entity:
    """One stored entity; attributes hold primitives only (references live in relationships or refs)."""

    guid: str
    type_name: str
    attributes: dict[str, Any]
    collection_id: str
    created_by: str
    create_time: int
    seq: int
    updated_by: str = ""
    update_time: int = 0
    status: str = "ACTIVE"
    modified: int = 1
    refs: dict[str, list[str]] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    classifications: list[dict[str, Any]] = field(default_factory=list)
    custom_attributes: dict[str, Any] = field(default_factory=dict)
    business_attributes: dict[str, Any] = field(default_factory=dict)
    contacts: dict[str, Any] = field(default_factory=dict)

    @property
    def qualified_name(self) -> str | None:
        """The entity's qualifiedName attribute, if any."""
        value = self.attributes.get("qualifiedName")
        return value if isinstance(value, str) else None

    def touch(self, principal: str) -> None:
        """Record a change: bump lastModifiedTS and the update stamp."""
        self.modified += 1
        self.updated_by = principal
        self.update_time = now_ms()


@dataclass(slots=True)
class Relationship:
    """A relationship instance between end1 and end2 (entity guids; end1 may be a glossary term guid)."""

    guid: str
    type_name: str
    end1: str
    end2: str
    attributes: dict[str, Any]
    created_by: str
    create_time: int
    status: str = "ACTIVE"
    update_time: int = 0
    updated_by: str = ""
    modified: int = 1


class TermDirectory(Protocol):
    """What the entity store needs from the glossary: terms are relationship ends of `meanings`."""

    def term_guid_by_reference(self, ref: dict[str, Any]) -> str | None:
        """Resolve a term reference (guid or uniqueAttributes.qualifiedName) to a term guid."""
        ...

    def term_display(self, guid: str) -> tuple[str, str] | None:
        """(name, qualifiedName) of a term, or None if it does not exist."""
        ...


class Listener(Protocol):
    """Receives change notifications (the search index)."""

    def entity_changed(self, guid: str) -> None:
        """An entity was created or updated (or its relationships changed)."""
        ...

    def entity_removed(self, guid: str) -> None:
        """An entity was deleted."""
        ...


class Notifier(Protocol):
    """Receives what Purview would publish on its notification hub (`notifications.NotificationJournal`)."""

    def entities(self, operation: str, entities: Iterable[Entity]) -> None:
        """Entities changed (ENTITY_*, CLASSIFICATION_* operations)."""
        ...

    def relationship(self, operation: str, rel: Relationship) -> None:
        """A relationship changed (RELATIONSHIP_* operations)."""
        ...


class EntityStore:
    """Entities by guid, a (qualifiedName, type) index, and relationships indexed by entity and attribute."""

    def __init__(self, types: TypeRegistry) -> None:
        self.types = types
        self.entities: dict[str, Entity] = {}
        self.relationships: dict[str, Relationship] = {}
        self.by_qualified_name: dict[str, dict[str, str]] = {}  # qualifiedName -> typeName -> guid (ACTIVE only)
        self.rel_index: dict[str, dict[str, dict[str, None]]] = {}  # guid -> attribute -> relationship guids
        self.rel_pairs: dict[tuple[str, str, str], str] = {}  # (type, end1, end2) -> active relationship guid
        self.type_counts: dict[str, int] = {}
        self.terms: TermDirectory | None = None
        self.listeners: list[Listener] = []
        self.notifier: Notifier | None = None
        """Where notifications go (None while seeding: a seed is the account as it already was)."""
        self.collection_exists: Callable[[str], bool] = lambda _name: True
        self._seq = itertools.count(1)
        self._placeholder = itertools.count(int(now_ms()) * 1000)
        types.has_instances = lambda name: self.type_counts.get(name, 0) > 0

    # ----- lookups -------------------------------------------------------------------------------------

    def get(self, guid: str) -> Entity | None:
        """Entity by guid (ACTIVE or DELETED)."""
        return self.entities.get(guid)

    def require(self, guid: str) -> Entity:
        """Entity by guid, or 404 ATLAS-404-00-005."""
        found = self.entities.get(guid)
        if found is None:
            raise errors.INSTANCE_GUID_NOT_FOUND(guid)
        return found

    def require_active(self, guid: str) -> Entity:
        """An ACTIVE entity by guid; deleted and unknown guids are both 404."""
        found = self.entities.get(guid)
        if found is None or found.status != "ACTIVE":
            raise errors.INSTANCE_GUID_NOT_FOUND(guid)
        return found

    def find_unique(self, type_name: str, qualified_name: str) -> Entity | None:
        """The ACTIVE entity of `type_name` (or a subtype) with that qualifiedName."""
        candidates = self.by_qualified_name.get(qualified_name)
        if not candidates:
            return None
        exact = candidates.get(type_name)
        if exact is not None:
            return self.entities[exact]
        for candidate_type, guid in candidates.items():
            if self.types.is_a(candidate_type, type_name):
                return self.entities[guid]
        return None

    def require_unique(self, type_name: str, qualified_name: str | None) -> Entity:
        """Entity by type and qualifiedName, or 404 ATLAS-404-00-009 (unknown type: 404 ATLAS-404-00-001)."""
        if self.types.entity_info(type_name) is None:
            raise errors.TYPE_NAME_NOT_FOUND(type_name)
        found = self.find_unique(type_name, qualified_name) if qualified_name is not None else None
        if found is None:
            raise errors.INSTANCE_BY_UNIQUE_ATTRIBUTE_NOT_FOUND(type_name, f"{{qualifiedName={qualified_name}}}")
        return found

    def next_placeholder(self) -> str:
        """A server-made negative placeholder guid, like Atlas gives entities sent without one."""
        return f"-{next(self._placeholder)}"

    # ----- entity lifecycle --------------------------------------------------------------------------------

    def add(self, entity_type: str, attributes: dict[str, Any], collection_id: str, principal: str) -> Entity:
        """Create and index a new ACTIVE entity."""
        stamp = now_ms()
        entity = Entity(
            guid=new_guid(),
            type_name=entity_type,
            attributes=attributes,
            collection_id=collection_id,
            created_by=principal,
            create_time=stamp,
            updated_by=principal,
            update_time=stamp,
            seq=next(self._seq),
        )
        self.entities[entity.guid] = entity
        self._index_unique(entity)
        self.type_counts[entity_type] = self.type_counts.get(entity_type, 0) + 1
        return entity

    def reindex_unique(self, entity: Entity, old_qualified_name: str | None) -> None:
        """Keep the qualifiedName index right after an attribute update."""
        if old_qualified_name is not None and old_qualified_name != entity.qualified_name:
            by_type = self.by_qualified_name.get(old_qualified_name, {})
            if by_type.get(entity.type_name) == entity.guid:
                del by_type[entity.type_name]
        self._index_unique(entity)

    def _index_unique(self, entity: Entity) -> None:
        name = entity.qualified_name
        if name is not None:
            self.by_qualified_name.setdefault(name, {})[entity.type_name] = entity.guid

    def notify(self, operation: str, entities: Iterable[Entity]) -> None:
        """Publish an entity notification for each entity (when a notifier is attached)."""
        listed = list(entities)
        if self.notifier is not None and listed:
            self.notifier.entities(operation, listed)

    def notify_relationship(self, operation: str, rel: Relationship) -> None:
        """Publish a relationship notification (when a notifier is attached)."""
        if self.notifier is not None:
            self.notifier.relationship(operation, rel)

    def changed(self, guid: str) -> None:
        """Tell listeners an entity's searchable view changed."""
        for listener in self.listeners:
            listener.entity_changed(guid)

    def soft_delete(self, guids: Iterable[str], principal: str) -> list[Entity]:
        """Mark entities DELETED with their owned (composition) children; relationships go too.

        Returns every entity actually deleted, children included, in deletion order.
        """
        deleted: list[Entity] = []
        stack = list(guids)
        while stack:
            guid = stack.pop(0)
            entity = self.entities.get(guid)
            if entity is None or entity.status != "ACTIVE":
                continue
            for end, _rel, other in self.related(entity):
                if end.owns_other and other not in stack:
                    stack.append(other)
            entity.status = "DELETED"
            entity.touch(principal)
            name = entity.qualified_name
            if name is not None and self.by_qualified_name.get(name, {}).get(entity.type_name) == guid:
                del self.by_qualified_name[name][entity.type_name]
            self.type_counts[entity.type_name] -= 1
            for rel_guid in [r for attrs in self.rel_index.get(guid, {}).values() for r in attrs]:
                self.remove_relationship(rel_guid, principal)
            deleted.append(entity)
            for listener in self.listeners:
                listener.entity_removed(guid)
        self.notify("ENTITY_DELETE", deleted)
        return deleted

    # ----- relationships -----------------------------------------------------------------------------------

    def ends_of(self, type_name: str, attribute: str) -> list[RelationshipEnd]:
        """Relationship ends giving `type_name` the relationship attribute `attribute`."""
        info = self.types.entity_info(type_name)
        return [] if info is None else info.relationships.get(attribute, [])

    def related(self, entity: Entity) -> Iterator[tuple[RelationshipEnd, Relationship, str]]:
        """(end, relationship, other guid) for every ACTIVE relationship of an entity."""
        info = self.types.entity_info(entity.type_name)
        if info is None:
            return
        for attribute, rel_guids in self.rel_index.get(entity.guid, {}).items():
            ends = info.relationships.get(attribute, [])
            for rel_guid in rel_guids:
                rel = self.relationships[rel_guid]
                end = next((e for e in ends if e.relationship == rel.type_name), None)
                if end is not None:
                    yield end, rel, rel.end2 if end.this_end == 1 else rel.end1

    def attribute_relationships(self, guid: str, attribute: str) -> list[Relationship]:
        """ACTIVE relationships behind one relationship attribute of an entity, oldest first."""
        return [self.relationships[r] for r in self.rel_index.get(guid, {}).get(attribute, {})]

    def add_relationship(
        self, type_name: str, end1: str, end2: str, attributes: dict[str, Any], principal: str
    ) -> Relationship:
        """Create an ACTIVE relationship and index it under both ends' attribute names."""
        rel_def = self.types.require(type_name, "RELATIONSHIP")
        stamp = now_ms()
        rel = Relationship(
            guid=new_guid(),
            type_name=type_name,
            end1=end1,
            end2=end2,
            attributes=attributes,
            created_by=principal,
            create_time=stamp,
            update_time=stamp,
            updated_by=principal,
        )
        self.relationships[rel.guid] = rel
        self.rel_pairs[(type_name, end1, end2)] = rel.guid
        self.rel_index.setdefault(end1, {}).setdefault(rel_def["endDef1"]["name"], {})[rel.guid] = None
        self.rel_index.setdefault(end2, {}).setdefault(rel_def["endDef2"]["name"], {})[rel.guid] = None
        return rel

    def find_relationship(self, type_name: str, end1: str, end2: str) -> Relationship | None:
        """The ACTIVE relationship of that type between those ends, if any."""
        guid = self.rel_pairs.get((type_name, end1, end2))
        return None if guid is None else self.relationships[guid]

    def remove_relationship(self, guid: str, principal: str) -> Relationship:
        """Soft-delete a relationship and drop it from the indexes; both ends change for search."""
        rel = self.relationships[guid]
        if rel.status != "ACTIVE":
            return rel
        rel_def = self.types.get(rel.type_name)
        rel.status = "DELETED"
        rel.modified += 1
        rel.updated_by = principal
        rel.update_time = now_ms()
        self.rel_pairs.pop((rel.type_name, rel.end1, rel.end2), None)
        if rel_def is not None:
            for end_guid, end_key in ((rel.end1, "endDef1"), (rel.end2, "endDef2")):
                self.rel_index.get(end_guid, {}).get(rel_def[end_key]["name"], {}).pop(guid, None)
        for end_guid in (rel.end1, rel.end2):
            if end_guid in self.entities:
                self.changed(end_guid)
        return rel

    # ----- snapshot ----------------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Entities and relationships as plain data."""
        return {
            "entities": [_entity_data(e) for e in self.entities.values()],
            "relationships": [_relationship_data(r) for r in self.relationships.values()],
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Replace all entities and relationships with a snapshot, rebuilding every index."""
        self.entities = {}
        self.relationships = {}
        self.by_qualified_name = {}
        self.rel_index = {}
        self.rel_pairs = {}
        self.type_counts = {}
        max_seq = 0
        for item in data.get("entities", []):
            entity = Entity(**item)
            self.entities[entity.guid] = entity
            max_seq = max(max_seq, entity.seq)
            if entity.status == "ACTIVE":
                self._index_unique(entity)
                self.type_counts[entity.type_name] = self.type_counts.get(entity.type_name, 0) + 1
        self._seq = itertools.count(max_seq + 1)
        for item in data.get("relationships", []):
            rel = Relationship(**item)
            self.relationships[rel.guid] = rel
            rel_def = self.types.get(rel.type_name)
            if rel.status == "ACTIVE" and rel_def is not None:
                self.rel_pairs[(rel.type_name, rel.end1, rel.end2)] = rel.guid
                self.rel_index.setdefault(rel.end1, {}).setdefault(rel_def["endDef1"]["name"], {})[rel.guid] = None
                self.rel_index.setdefault(rel.end2, {}).setdefault(rel_def["endDef2"]["name"], {})[rel.guid] = None


def _entity_data(entity: Entity) -> dict[str, Any]:
    return {name: getattr(entity, name) for name in Entity.__dataclass_fields__}


def _relationship_data(rel: Relationship) -> dict[str, Any]:
    return {name: getattr(rel, name) for name in Relationship.__dataclass_fields__}
