"""Create-or-update of entities (single, bulk, partial), with Atlas's placeholder and reference rules.

A batch is planned, validated and only then applied, so a rejected request leaves the store untouched
(Atlas runs a batch in one graph transaction). Matching is by guid, else by typeName + qualifiedName;
negative or unknown guids are placeholders mapped in `guidAssignments`; references may be guids,
placeholders or `uniqueAttributes`, and a relationship attribute sent as `[]` clears it while an omitted
one is left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emulators.purview import errors
from emulators.purview.model import entity_render
from emulators.purview.model.entities import GLOSSARY_TERM_TYPE, Entity, EntityStore
from emulators.purview.model.refs import as_list, classification_item, describe_reference, guid_key
from emulators.purview.model.typesystem import EntityTypeInfo, RelationshipEnd
from emulators.purview.model.typevalues import normalize

_NON_ENTITY_TYPES = frozenset({"AtlasGlossary", GLOSSARY_TERM_TYPE, "AtlasGlossaryCategory"})


@dataclass
class _Plan:
    raw: dict[str, Any]
    info: EntityTypeInfo
    key: str | None  # placeholder / unknown guid the client used (reported in guidAssignments)
    existing: Entity | None
    alias_of: int | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    refs: dict[str, list[Any] | None] = field(default_factory=dict)  # None: the attribute is cleared
    rel_writes: dict[str, tuple[RelationshipEnd, list[Any]]] = field(default_factory=dict)
    collection: str | None = None
    entity: Entity | None = None


@dataclass
class _Target:
    guid: str | None
    plan: int | None
    type_name: str


class EntityWriter:
    """Applies AtlasEntity payloads to an EntityStore."""

    def __init__(self, store: EntityStore, default_collection: Callable[[], str]) -> None:
        self.store = store
        self.default_collection = default_collection

    def upsert(
        self,
        raw_entities: list[Any],
        *,
        principal: str,
        collection_id: str | None = None,
        collection_of: Callable[[dict[str, Any]], str | None] | None = None,
        partial: bool = False,
        business_behavior: str | None = None,
        forced_target: Entity | None = None,
    ) -> dict[str, Any]:
        """Create or update a batch; returns EntityMutationResult. Nothing changes if the batch is invalid."""
        plans = self._plan(raw_entities, collection_id, collection_of, forced_target)
        self._validate(plans)
        return self._commit(plans, principal, partial=partial, business_behavior=business_behavior)

    # ----- planning ------------------------------------------------------------------------------------

    def _plan(
        self,
        raw_entities: list[Any],
        collection_id: str | None,
        collection_of: Callable[[dict[str, Any]], str | None] | None,
        forced_target: Entity | None,
    ) -> list[_Plan]:
        plans: list[_Plan] = []
        batch_unique: dict[tuple[str, str], int] = {}
        batch_keys: dict[str, int] = {}
        for raw in raw_entities:
            if not isinstance(raw, dict) or not isinstance(raw.get("typeName"), str):
                raise errors.INVALID_PARAMETERS("invalid payload, every entity needs a typeName")
            type_name = raw["typeName"]
            info = self.store.types.entity_info(type_name)
            if info is None or type_name in _NON_ENTITY_TYPES:
                raise errors.TYPE_NAME_INVALID("ENTITY", type_name)
            for section in (
                "attributes",
                "relationshipAttributes",
                "customAttributes",
                "businessAttributes",
                "contacts",
            ):
                if raw.get(section) is not None and not isinstance(raw[section], dict):
                    raise errors.INVALID_PARAMETERS(f"invalid payload, {section} of {type_name} must be an object")
            for section in ("labels", "classifications"):
                if raw.get(section) is not None and not isinstance(raw[section], list):
                    raise errors.INVALID_PARAMETERS(f"invalid payload, {section} of {type_name} must be a list")
            key: str | None = None if forced_target is not None else guid_key(raw.get("guid"))
            existing: Entity | None = forced_target
            if existing is None and key is not None and not key.startswith("-"):
                found = self.store.entities.get(key)
                if found is not None and found.status == "ACTIVE":
                    existing = found
                    key = None
            if existing is not None and existing.type_name != type_name:
                raise errors.TYPE_MATCH_FAILED(type_name, existing.type_name)
            qualified_name = (raw.get("attributes") or {}).get("qualifiedName")
            alias_of = None
            if existing is None and isinstance(qualified_name, str):
                alias_of = batch_unique.get((type_name, qualified_name))
                if alias_of is None:
                    candidates = self.store.by_qualified_name.get(qualified_name, {})
                    found_guid = candidates.get(type_name)
                    existing = self.store.entities[found_guid] if found_guid else None
            if key is None and existing is None and forced_target is None:
                key = self.store.next_placeholder()
            plan = _Plan(raw=raw, info=info, key=key, existing=existing, alias_of=alias_of)
            if collection_of is not None:
                plan.collection = collection_of(raw)
            plan.collection = plan.collection or collection_id
            if plan.collection is not None:
                if not isinstance(plan.collection, str) or not self.store.collection_exists(plan.collection):
                    raise errors.INVALID_PARAMETERS(f"collection {plan.collection} does not exist")
                plan.collection = plan.collection.lower()
            index = len(plans)
            if isinstance(qualified_name, str) and alias_of is None:
                batch_unique[(type_name, qualified_name)] = index
            if key is not None:
                batch_keys.setdefault(key, index if alias_of is None else alias_of)
            plans.append(plan)
        self._batch_keys = batch_keys
        return plans

    # ----- validation -----------------------------------------------------------------------------------

    def _validate(self, plans: list[_Plan]) -> None:
        problems: list[str] = []
        for plan in plans:
            info = plan.info
            creating = plan.existing is None and plan.alias_of is None
            given = plan.raw.get("attributes") or {}
            rel_given = dict(plan.raw.get("relationshipAttributes") or {})
            for name, value in given.items():
                if name in info.relationships and name not in rel_given:
                    rel_given[name] = value
                elif name in info.references:
                    plan.refs[name] = value if isinstance(value, list) or value is None else [value]
                elif name in info.attributes:
                    try:
                        plan.attributes[name] = normalize(info.parsed[name], value, self.store.types.get)
                    except ValueError as exc:
                        problems.append(f"{info.name}.{name}: {exc}")
            for name in info.required:
                if plan.attributes.get(name) is None and (creating or name in given):
                    problems.append(f"{info.name}.{name}: mandatory attribute value missing in type {info.name}")
            for name, value in rel_given.items():
                ends = info.relationships.get(name)
                if not ends:
                    continue
                items = as_list(value)
                end = self._choose_end(ends, items, info.name)
                plan.rel_writes[name] = (end, items)
            for refs in plan.refs.values():
                for ref in refs or ():
                    self._resolve(ref, plans)
            for end, items in plan.rel_writes.values():
                for ref in items:
                    self._check_end_type(plan, end, self._resolve(ref, plans, end.other_type))
            self._check_classifications(plan.raw.get("classifications"))
        if problems:
            raise errors.INSTANCE_CRUD_INVALID_PARAMS(problems if len(problems) > 1 else problems[0])

    def _choose_end(self, ends: list[RelationshipEnd], items: list[Any], owner: str) -> RelationshipEnd:
        wanted = next(
            (i.get("relationshipType") for i in items if isinstance(i, dict) and i.get("relationshipType")), None
        )
        if wanted is None:
            return ends[0]
        for end in ends:
            if end.relationship == wanted:
                return end
        rel_def = self.store.types.get(str(wanted))
        if rel_def is None or rel_def.get("category") != "RELATIONSHIP":
            raise errors.TYPE_NAME_NOT_FOUND(wanted)
        raise errors.INVALID_RELATIONSHIP_END_TYPE(wanted, rel_def["endDef1"]["type"], owner)

    def _check_end_type(self, plan: _Plan, end: RelationshipEnd, target: _Target) -> None:
        if end.other_type == GLOSSARY_TERM_TYPE:
            if target.type_name != GLOSSARY_TERM_TYPE:
                raise errors.INVALID_RELATIONSHIP_END_TYPE(end.relationship, target.type_name, plan.info.name)
            return
        if not self.store.types.is_a(target.type_name, end.other_type):
            types = (plan.info.name, target.type_name) if end.this_end == 1 else (target.type_name, plan.info.name)
            raise errors.INVALID_RELATIONSHIP_END_TYPE(end.relationship, *types)

    def _check_classifications(self, items: Any) -> None:
        for item in items or []:
            name = item.get("typeName") if isinstance(item, dict) else None
            typedef = self.store.types.get(name) if isinstance(name, str) else None
            if typedef is None or typedef["category"] != "CLASSIFICATION":
                raise errors.CLASSIFICATION_NOT_FOUND(name)

    def _resolve(self, ref: Any, plans: list[_Plan], end_type: str | None = None) -> _Target:
        """Resolve an object reference to an existing entity, a batch member, or a glossary term.

        In a relationship attribute a reference may carry only `qualifiedName`, the type being the end's
        (Microsoft's Databricks accelerator sends `"workspace": {"qualifiedName": ...}`, and it works live).
        """
        if isinstance(ref, int | str) and not isinstance(ref, bool):
            ref = {"guid": ref}
        if not isinstance(ref, dict):
            raise errors.INVALID_PARAMETERS(f"invalid object reference {ref!r}")
        type_name = ref.get("typeName")
        if type_name is None and end_type == GLOSSARY_TERM_TYPE:
            type_name = end_type
        if type_name == GLOSSARY_TERM_TYPE or (type_name is None and self._is_term_ref(ref)):
            term = self.store.terms.term_guid_by_reference(ref) if self.store.terms else None
            if term is None:
                raise errors.REFERENCED_ENTITY_NOT_FOUND(describe_reference(ref))
            return _Target(term, None, GLOSSARY_TERM_TYPE)
        key = guid_key(ref.get("guid"))
        if key is not None:
            index = self._batch_keys.get(key)
            if index is not None:
                return _Target(None, index, plans[index].info.name)
            found = self.store.entities.get(key)
            if found is not None and found.status == "ACTIVE":
                return _Target(found.guid, None, found.type_name)
        given_unique = ref.get("uniqueAttributes")
        unique: dict[str, Any] = given_unique if isinstance(given_unique, dict) else {}
        qualified_name = unique.get("qualifiedName", ref.get("qualifiedName"))
        if type_name is None:
            type_name = end_type
        if isinstance(type_name, str) and isinstance(qualified_name, str):
            for index, plan in enumerate(plans):
                attrs = plan.raw.get("attributes") or {}
                if attrs.get("qualifiedName") == qualified_name and self.store.types.is_a(plan.info.name, type_name):
                    return _Target(None, plan.alias_of if plan.alias_of is not None else index, plan.info.name)
            found = self.store.find_unique(type_name, qualified_name)
            if found is not None:
                return _Target(found.guid, None, found.type_name)
        raise errors.REFERENCED_ENTITY_NOT_FOUND(describe_reference(ref))

    def _is_term_ref(self, ref: dict[str, Any]) -> bool:
        key = guid_key(ref.get("guid"))
        return (
            key is not None
            and key not in self._batch_keys
            and key not in self.store.entities
            and self.store.terms is not None
            and self.store.terms.term_display(key) is not None
        )

    # ----- commit -----------------------------------------------------------------------------------------

    def _commit(
        self, plans: list[_Plan], principal: str, *, partial: bool, business_behavior: str | None
    ) -> dict[str, Any]:
        created: list[Entity] = []
        updated: dict[str, Entity] = {}
        assignments: dict[str, str] = {}
        for plan in plans:
            if plan.existing is None and plan.alias_of is None:
                collection = plan.collection or self.default_collection()
                plan.entity = self.store.add(plan.info.name, {}, collection, principal)
                created.append(plan.entity)
            elif plan.existing is not None:
                plan.entity = plan.existing
        for plan in plans:
            if plan.entity is None and plan.alias_of is not None:
                plan.entity = plans[plan.alias_of].entity
        created_guids = {e.guid for e in created}
        for plan in plans:
            entity = plan.entity
            assert entity is not None
            if plan.key is not None:
                assignments[plan.key] = entity.guid
            is_new = entity.guid in created_guids
            changed = self._apply_fields(plan, entity, is_new, principal, business_behavior)
            changed |= self._apply_references(plan, entity, plans, principal)
            if changed and not is_new:
                entity.touch(principal)
                updated[entity.guid] = entity
        for entity in created:
            self.store.changed(entity.guid)
        for entity in updated.values():
            self.store.changed(entity.guid)
        self.store.notify("ENTITY_CREATE", created)
        self.store.notify("ENTITY_UPDATE", updated.values())
        mutated: dict[str, list[dict[str, Any]]] = {}
        if created:
            mutated["CREATE"] = [entity_render.header(self.store, e) for e in created]
        bucket = "PARTIAL_UPDATE" if partial else "UPDATE"
        if updated:
            mutated[bucket] = [entity_render.header(self.store, e) for e in updated.values()]
        result: dict[str, Any] = {"mutatedEntities": mutated, "guidAssignments": assignments}
        if partial:
            result["partialUpdatedEntities"] = mutated.get(bucket, [])
        return result

    def _apply_fields(
        self, plan: _Plan, entity: Entity, is_new: bool, principal: str, business_behavior: str | None
    ) -> bool:
        changed = False
        old_name = entity.qualified_name
        for name, value in plan.attributes.items():
            if entity.attributes.get(name) != value or name not in entity.attributes:
                entity.attributes[name] = value
                changed = True
        if old_name != entity.qualified_name or is_new:
            self.store.reindex_unique(entity, old_name)
        raw = plan.raw
        if not is_new and plan.collection is not None and plan.collection != entity.collection_id:
            entity.collection_id = plan.collection
            changed = True
        if raw.get("labels") is not None:
            labels = list(dict.fromkeys(str(x) for x in raw["labels"]))
            changed |= labels != entity.labels
            entity.labels = labels
        if raw.get("classifications") is not None:
            items = [classification_item(c) for c in raw["classifications"]]
            changed |= items != entity.classifications
            entity.classifications = items
        for key, attr in (("customAttributes", "custom_attributes"), ("contacts", "contacts")):
            if raw.get(key) is not None and raw[key] != getattr(entity, attr):
                setattr(entity, attr, dict(raw[key]))
                changed = True
        business = raw.get("businessAttributes")
        if business is not None and (is_new or business_behavior in ("replace", "merge")):
            merged = (
                dict(business)
                if is_new or business_behavior == "replace"
                else {**entity.business_attributes, **business}
            )
            changed |= merged != entity.business_attributes
            entity.business_attributes = merged
        del principal
        return changed

    def _apply_references(self, plan: _Plan, entity: Entity, plans: list[_Plan], principal: str) -> bool:
        changed = False
        for name, refs in plan.refs.items():
            if refs is None:  # null: the attribute is unset again (reads show null, as live does)
                changed |= entity.refs.pop(name, None) is not None
                continue
            guids = [self._final(self._resolve(r, plans), plans) for r in refs]
            if entity.refs.get(name) != guids:
                entity.refs[name] = guids
                changed = True
        for name, (end, items) in plan.rel_writes.items():
            desired: dict[str, dict[str, Any] | None] = {}
            for item in items:
                other = self._final(self._resolve(item, plans, end.other_type), plans)
                attrs = (item.get("relationshipAttributes") or {}).get("attributes") if isinstance(item, dict) else None
                desired[other] = attrs if isinstance(attrs, dict) else None
            changed |= self.set_relationship_attribute(entity, name, end, desired, principal)
        return changed

    def set_relationship_attribute(
        self,
        entity: Entity,
        attribute: str,
        end: RelationshipEnd,
        desired: dict[str, dict[str, Any] | None],
        principal: str,
    ) -> bool:
        """Make one relationship attribute hold exactly `desired` (other guid -> relationship attributes)."""
        store = self.store
        changed = False
        current = {}
        for rel in store.attribute_relationships(entity.guid, attribute):
            if rel.type_name == end.relationship:
                current[rel.end2 if end.this_end == 1 else rel.end1] = rel
        for other, rel in current.items():
            if other not in desired:
                store.remove_relationship(rel.guid, principal)
                changed = True
        rel_def = store.types.require(end.relationship, "RELATIONSHIP")
        other_end = rel_def["endDef2" if end.this_end == 1 else "endDef1"]
        for other, attrs in desired.items():
            existing = current.get(other)
            if existing is not None:
                if attrs is not None and attrs != existing.attributes:
                    existing.attributes = dict(attrs)
                    changed = True
                continue
            if other_end["cardinality"] == "SINGLE":
                for rel in list(store.attribute_relationships(other, other_end["name"])):
                    if rel.type_name == end.relationship:
                        store.remove_relationship(rel.guid, principal)
            end1, end2 = (entity.guid, other) if end.this_end == 1 else (other, entity.guid)
            store.add_relationship(end.relationship, end1, end2, dict(attrs or {}), principal)
            if other in store.entities:
                store.changed(other)
            changed = True
        return changed

    def _final(self, target: _Target, plans: list[_Plan]) -> str:
        if target.guid is not None:
            return target.guid
        assert target.plan is not None
        entity = plans[target.plan].entity
        assert entity is not None
        return entity.guid
