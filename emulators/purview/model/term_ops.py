"""Glossary term operations: create/update/delete, term templates, hierarchy, related terms, assignments.

Purview adds two things to Atlas terms that integrations trip over: term templates (custom attributes
such as a boolean `CluedInVocab` under `attributes.<template name>`) and parent/child terms; writes using
either must carry `includeTermHierarchy=true` or fail with `TermHierarchyQueryParameterMissing`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulators.purview import errors
from emulators.purview.model.clock import new_guid, now_ms
from emulators.purview.model.entities import SEMANTIC_ASSIGNMENT
from emulators.purview.model.glossary import (
    PAIRED_RELATIONS,
    RELATED_TERM_FIELDS,
    SYMMETRIC_RELATIONS,
    TERM_DATA_FIELDS,
    TERM_STATUSES,
    TERM_TEXT_FIELDS,
    GlossaryRecord,
    GlossaryStore,
    TermRecord,
)
from emulators.purview.model.typevalues import normalize, parse_type

ASSIGNMENT_ATTRIBUTES = ("confidence", "createdBy", "description", "expression", "source", "status", "steward")


class TermService:
    """Term writes and listings on top of GlossaryStore."""

    def __init__(self, glossary: GlossaryStore, on_change: Callable[[str, str], None]) -> None:
        self.glossary = glossary
        self.on_change = on_change  # (kind, guid): kind in {"term", "glossary", "term-removed", "glossary-removed"}

    # ----- create / update -----------------------------------------------------------------------------

    def create(self, body: Any, principal: str, *, include_hierarchy: bool) -> TermRecord:
        """POST /glossary/term."""
        plan = self._parse(body, include_hierarchy=include_hierarchy, existing=None)
        anchor = plan["glossary"]
        stamp = now_ms()
        term = TermRecord(
            guid=new_guid(),
            name=plan["name"],
            glossary_guid=anchor.guid,
            anchor_relation=new_guid(),
            fields=plan["fields"],
            created_by=principal,
            create_time=stamp,
            updated_by=principal,
            update_time=stamp,
            templates=plan["templates"],
        )
        self.glossary.terms[term.guid] = term
        anchor.term_guids[term.guid] = term.anchor_relation
        self.glossary.term_by_qualified_name[self.glossary.qualified_name(term)] = term.guid
        self._set_parent(term, plan["parent"])
        self._set_related(term, plan["related"])
        self.on_change("term", term.guid)
        return term

    def create_many(self, body: Any, principal: str, *, include_hierarchy: bool) -> list[TermRecord]:
        """POST /glossary/terms: validated one by one in order, like the service."""
        if not isinstance(body, list):
            raise errors.INVALID_PARAMETERS("invalid payload, expected a list of terms")
        return [self.create(item, principal, include_hierarchy=include_hierarchy) for item in body]

    def update(self, term: TermRecord, body: Any, principal: str, *, include_hierarchy: bool) -> TermRecord:
        """PUT /glossary/term/{guid}: full replacement of the term's fields."""
        plan = self._parse(body, include_hierarchy=include_hierarchy, existing=term)
        self._rename(term, plan["name"], plan["glossary"])
        term.fields = plan["fields"]
        term.templates = plan["templates"]
        self._set_parent(term, plan["parent"])
        self._set_related(term, plan["related"])
        self._touch(term, principal)
        return term

    def partial_update(self, term: TermRecord, body: Any, principal: str, *, include_hierarchy: bool) -> TermRecord:
        """PUT /glossary/term/{guid}/partial: only the given top-level fields change (values are strings)."""
        if not isinstance(body, dict):
            raise errors.INVALID_PARAMETERS("invalid payload, expected a map of field names to values")
        current = self.glossary.term_json(term)
        merged = {k: v for k, v in current.items() if k not in ("assignedEntities", "childrenTerms", "hierarchyInfo")}
        for key, value in body.items():
            if key not in ("name", *TERM_TEXT_FIELDS, *TERM_DATA_FIELDS):
                raise errors.INVALID_PARTIAL_UPDATE_ATTR(key, term.guid)
            merged[key] = value
        return self.update(term, merged, principal, include_hierarchy=include_hierarchy)

    def _parse(self, body: Any, *, include_hierarchy: bool, existing: TermRecord | None) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise errors.INVALID_PARAMETERS("invalid payload, expected an AtlasGlossaryTerm object")
        if _uses_hierarchy(body) and not include_hierarchy:
            raise errors.TERM_HIERARCHY_MISSING
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise errors.INVALID_PARAMETERS("term name is required")
        name = name.strip()
        if "@" in name:
            raise errors.INVALID_DISPLAY_NAME()
        anchor = body.get("anchor")
        glossary_guid = anchor.get("glossaryGuid") if isinstance(anchor, dict) else None
        if not isinstance(glossary_guid, str):
            if existing is None:
                raise errors.MISSING_MANDATORY_ANCHOR()
            glossary_guid = existing.glossary_guid
        glossary = self.glossary.require_glossary(glossary_guid)
        qualified = f"{name}@{glossary.name}"
        clash = self.glossary.term_by_qualified_name.get(qualified)
        if clash is not None and (existing is None or clash != existing.guid):
            raise errors.GLOSSARY_TERM_ALREADY_EXISTS(qualified)
        fields: dict[str, Any] = {}
        for key in TERM_TEXT_FIELDS:
            value = body.get(key)
            if value is not None and not isinstance(value, str):
                raise errors.INVALID_PARAMETERS(f"invalid payload, {key} must be a string")
            fields[key] = value
        if fields["status"] is None:
            fields["status"] = "Draft"
        if fields["status"] not in TERM_STATUSES:
            raise errors.INVALID_PARAMETERS(
                f"invalid term status {fields['status']}; expected one of {', '.join(TERM_STATUSES)}"
            )
        for key in TERM_DATA_FIELDS:
            if body.get(key) is not None:
                fields[key] = body[key]
        return {
            "name": name,
            "glossary": glossary,
            "fields": fields,
            "templates": self._templates(body.get("attributes")),
            "parent": self._parent(body.get("parentTerm"), existing, glossary),
            "related": self._related(body, existing),
        }

    def _templates(self, given: Any) -> dict[str, dict[str, Any]]:
        if given is None:
            return {}
        if not isinstance(given, dict):
            raise errors.INVALID_PARAMETERS("invalid payload, term attributes must map template names to values")
        types = self.glossary.entities.types
        out: dict[str, dict[str, Any]] = {}
        for template_name, values in given.items():
            template = types.get(template_name)
            if template is None or template["category"] != "TERM_TEMPLATE":
                raise errors.INVALID_PARAMETERS(f"term template {template_name} does not exist")
            if not isinstance(values, dict):
                raise errors.INVALID_PARAMETERS(f"invalid payload, attributes.{template_name} must be an object")
            defs = {a["name"]: a for a in template.get("attributeDefs") or []}
            normalized: dict[str, Any] = {}
            for attr, value in values.items():
                if attr not in defs:
                    raise errors.INVALID_PARAMETERS(f"attribute {attr} is not defined in term template {template_name}")
                try:
                    normalized[attr] = normalize(parse_type(defs[attr]["typeName"]), value, types.get)
                except ValueError as exc:
                    raise errors.INVALID_PARAMETERS(f"{template_name}.{attr}: {exc}") from None
            for attr, definition in defs.items():
                if not definition.get("isOptional", True) and normalized.get(attr) is None:
                    raise errors.INVALID_PARAMETERS(f"{template_name}.{attr} is required by the term template")
            out[template_name] = normalized
        return out

    def _parent(self, given: Any, existing: TermRecord | None, glossary: GlossaryRecord) -> str | None:
        if given is None:
            return None
        guid = given.get("termGuid") if isinstance(given, dict) else None
        if not isinstance(guid, str) or guid not in self.glossary.terms:
            raise errors.INVALID_PARAMETERS(f"parent term {guid} does not exist")
        parent = self.glossary.terms[guid]
        if parent.glossary_guid != glossary.guid:
            raise errors.INVALID_PARAMETERS("a parent term must belong to the same glossary")
        cursor: TermRecord | None = parent
        while cursor is not None and existing is not None:
            if cursor.guid == existing.guid:
                raise errors.INVALID_PARAMETERS("a term cannot be its own ancestor")
            cursor = self.glossary.terms.get(cursor.parent_guid) if cursor.parent_guid else None
        return guid

    def _related(self, body: dict[str, Any], existing: TermRecord | None) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for key in RELATED_TERM_FIELDS:
            items = body.get(key)
            if items is None:
                continue
            if not isinstance(items, list):
                raise errors.INVALID_PARAMETERS(f"invalid payload, {key} must be a list of term headers")
            guids = []
            for item in items:
                guid = item.get("termGuid") if isinstance(item, dict) else None
                if not isinstance(guid, str) or guid not in self.glossary.terms:
                    raise errors.INVALID_PARAMETERS(f"related term {guid} does not exist")
                if existing is not None and guid == existing.guid:
                    raise errors.INVALID_TERM_RELATION_TO_SELF()
                guids.append(guid)
            out[key] = guids
        return out

    def _rename(self, term: TermRecord, name: str, glossary: GlossaryRecord) -> None:
        old_glossary = self.glossary.glossaries[term.glossary_guid]
        self.glossary.term_by_qualified_name.pop(self.glossary.qualified_name(term), None)
        if glossary.guid != old_glossary.guid:
            old_glossary.term_guids.pop(term.guid, None)
            glossary.term_guids[term.guid] = term.anchor_relation
            term.glossary_guid = glossary.guid
        term.name = name
        self.glossary.term_by_qualified_name[self.glossary.qualified_name(term)] = term.guid

    def _set_parent(self, term: TermRecord, parent: str | None) -> None:
        if parent != term.parent_guid:
            term.parent_guid = parent
            term.parent_relation = new_guid() if parent else None

    def _set_related(self, term: TermRecord, related: dict[str, list[str]]) -> None:
        for key, guids in related.items():
            mirror = key if key in SYMMETRIC_RELATIONS else PAIRED_RELATIONS[key]
            current = term.related.get(key, {})
            for old in set(current) - set(guids):
                self.glossary.terms[old].related.get(mirror, {}).pop(
                    term.guid, None
                ) if old in self.glossary.terms else None
            kept = {g: current.get(g) or new_guid() for g in guids}
            term.related[key] = kept
            for other, relation in kept.items():
                self.glossary.terms[other].related.setdefault(mirror, {})[term.guid] = relation

    def _touch(self, term: TermRecord, principal: str) -> None:
        term.modified += 1
        term.updated_by = principal
        term.update_time = now_ms()
        self.on_change("term", term.guid)
        for rel in self.glossary.assignments(term.guid):
            self.glossary.entities.changed(rel.end2)

    # ----- delete --------------------------------------------------------------------------------------

    def delete(self, term: TermRecord, principal: str) -> None:
        """DELETE /glossary/term/{guid}: refused while assigned to entities or while it has child terms."""
        assigned = self.glossary.assignments(term.guid)
        if assigned:
            raise errors.TERM_HAS_ENTITY_ASSOCIATION(term.guid, len(assigned))
        children = self.glossary.children(term)
        if children:
            raise errors.TERM_HAS_CHILDREN(term.guid, len(children))
        self._remove(term)
        del principal

    def _remove(self, term: TermRecord) -> None:
        for key, others in term.related.items():
            mirror = key if key in SYMMETRIC_RELATIONS else PAIRED_RELATIONS[key]
            for other in others:
                if other in self.glossary.terms:
                    self.glossary.terms[other].related.get(mirror, {}).pop(term.guid, None)
        self.glossary.glossaries[term.glossary_guid].term_guids.pop(term.guid, None)
        self.glossary.term_by_qualified_name.pop(self.glossary.qualified_name(term), None)
        del self.glossary.terms[term.guid]
        self.on_change("term-removed", term.guid)

    def delete_glossary(self, glossary: GlossaryRecord) -> None:
        """DELETE /glossary/{guid}: removes its terms too, unless one of them is assigned."""
        terms = [self.glossary.terms[g] for g in glossary.term_guids if g in self.glossary.terms]
        for term in terms:
            assigned = self.glossary.assignments(term.guid)
            if assigned:
                raise errors.TERM_HAS_ENTITY_ASSOCIATION(term.guid, len(assigned))
        for term in terms:
            self._remove(term)
        del self.glossary.glossaries[glossary.guid]
        self.on_change("glossary-removed", glossary.guid)

    # ----- assignments -----------------------------------------------------------------------------------

    def assign(self, term: TermRecord, body: Any, principal: str) -> None:
        """POST /glossary/terms/{guid}/assignedEntities: already-assigned entities are skipped (Atlas)."""
        items = _related_objects(body)
        store = self.glossary.entities
        targets = [store.require_active(str(item.get("guid"))) for item in items]
        for item, entity in zip(items, targets, strict=True):
            if store.find_relationship(SEMANTIC_ASSIGNMENT, term.guid, entity.guid) is not None:
                continue
            given = (item.get("relationshipAttributes") or {}).get("attributes") or {}
            attributes = {k: given.get(k) for k in ASSIGNMENT_ATTRIBUTES if given.get(k) is not None}
            rel = store.add_relationship(SEMANTIC_ASSIGNMENT, term.guid, entity.guid, attributes, principal)
            store.changed(entity.guid)
            store.notify_relationship("RELATIONSHIP_CREATE", rel)

    def unassign(self, term: TermRecord, body: Any, principal: str) -> None:
        """DELETE /glossary/terms/{guid}/assignedEntities: each item needs the assignment's relationshipGuid."""
        items = _related_objects(body)
        store = self.glossary.entities
        for item in items:
            relation = item.get("relationshipGuid")
            if not isinstance(relation, str):
                raise errors.TERM_DISSOCIATION_MISSING_RELATION_GUID()
            rel = store.relationships.get(relation)
            if rel is None or rel.status != "ACTIVE" or rel.end1 != term.guid or rel.end2 != item.get("guid"):
                raise errors.INVALID_TERM_DISSOCIATION(relation, term.guid, item.get("guid"))
        for item in items:
            rel = store.remove_relationship(item["relationshipGuid"], principal)
            store.notify_relationship("RELATIONSHIP_DELETE", rel)


def _uses_hierarchy(body: Any) -> bool:
    return isinstance(body, dict) and (bool(body.get("parentTerm")) or bool(body.get("attributes")))


def _related_objects(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, list) or not all(isinstance(i, dict) and isinstance(i.get("guid"), str) for i in body):
        raise errors.INVALID_PARAMETERS("invalid payload, expected a list of AtlasRelatedObjectId with guid")
    return body


def page(items: list[Any], limit: Any, offset: Any, sort: Any, key: Callable[[Any], str]) -> list[Any]:
    """Atlas list paging: limit -1 (or absent) means all; sort ASC/DESC by display name."""
    ordered = sorted(items, key=key, reverse=str(sort).upper() == "DESC") if sort else items
    start = max(int(offset or 0), 0)
    if limit is None or int(limit) < 0:
        return ordered[start:]
    return ordered[start : start + int(limit)]
