"""The classic glossary: glossaries, terms and categories, their rendering, and term lookup for the entity store.

Terms are also the far end of every entity's `meanings` relationship, so this store implements the
entity store's TermDirectory; assignments themselves are AtlasGlossarySemanticAssignment relationships
kept by the entity store (term = end1, entity = end2), one record seen from both sides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from emulators.purview import errors
from emulators.purview.model import entity_render
from emulators.purview.model.clock import new_guid, now_ms
from emulators.purview.model.entities import SEMANTIC_ASSIGNMENT, EntityStore

GLOSSARY_FIELDS = ("shortDescription", "longDescription", "language", "usage")
TERM_TEXT_FIELDS = ("shortDescription", "longDescription", "abbreviation", "usage", "nickName", "status")
TERM_DATA_FIELDS = ("examples", "resources", "contacts", "classifications")
TERM_STATUSES = ("Draft", "Approved", "Alert", "Expired")
SYMMETRIC_RELATIONS = ("seeAlso", "synonyms", "antonyms")
PAIRED_RELATIONS = {
    "preferredTerms": "preferredToTerms",
    "preferredToTerms": "preferredTerms",
    "replacementTerms": "replacedBy",
    "replacedBy": "replacementTerms",
    "translationTerms": "translatedTerms",
    "translatedTerms": "translationTerms",
    "isA": "classifies",
    "classifies": "isA",
    "validValues": "validValuesFor",
    "validValuesFor": "validValues",
}
RELATED_TERM_FIELDS = (*SYMMETRIC_RELATIONS, *PAIRED_RELATIONS)


@dataclass(slots=True)
class GlossaryRecord:
    """A stored glossary."""

    guid: str
    name: str
    fields: dict[str, Any]
    created_by: str
    create_time: int
    updated_by: str
    update_time: int
    modified: int = 1
    term_guids: dict[str, str] = field(default_factory=dict)  # term guid -> anchor relation guid


@dataclass(slots=True)
class TermRecord:
    """A stored glossary term."""

    guid: str
    name: str
    glossary_guid: str
    anchor_relation: str
    fields: dict[str, Any]
    created_by: str
    create_time: int
    updated_by: str
    update_time: int
    modified: int = 1
    parent_guid: str | None = None
    parent_relation: str | None = None
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    related: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> other term guid -> relation guid


@dataclass(slots=True)
class CategoryRecord:
    """A stored glossary category (its operations live in `categories.py`)."""

    guid: str
    name: str
    glossary_guid: str
    anchor_relation: str
    fields: dict[str, Any]
    created_by: str
    create_time: int
    updated_by: str
    update_time: int
    modified: int = 1
    parent_guid: str | None = None
    parent_relation: str | None = None
    terms: dict[str, str] = field(default_factory=dict)  # term guid -> categorization relation guid


class GlossaryStore:
    """Glossaries, terms and categories by guid, terms by qualifiedName; renders the Atlas glossary shapes."""

    def __init__(self, entities: EntityStore) -> None:
        self.entities = entities
        self.glossaries: dict[str, GlossaryRecord] = {}
        self.terms: dict[str, TermRecord] = {}
        self.term_by_qualified_name: dict[str, str] = {}
        self.categories: dict[str, CategoryRecord] = {}
        entities.terms = self

    # ----- TermDirectory -------------------------------------------------------------------------------

    def term_guid_by_reference(self, ref: dict[str, Any]) -> str | None:
        """Term guid from {guid} or {uniqueAttributes: {qualifiedName}} (or a bare qualifiedName)."""
        guid = ref.get("guid")
        if isinstance(guid, str) and guid in self.terms:
            return guid
        given_unique = ref.get("uniqueAttributes")
        unique: dict[str, Any] = given_unique if isinstance(given_unique, dict) else {}
        name = unique.get("qualifiedName", ref.get("qualifiedName"))
        return self.term_by_qualified_name.get(name) if isinstance(name, str) else None

    def term_display(self, guid: str) -> tuple[str, str] | None:
        """(name, qualifiedName) of a term."""
        term = self.terms.get(guid)
        return None if term is None else (term.name, self.qualified_name(term))

    # ----- lookups -------------------------------------------------------------------------------------

    def require_glossary(self, guid: str) -> GlossaryRecord:
        """A glossary by guid, else 404."""
        found = self.glossaries.get(guid)
        if found is None:
            raise errors.INSTANCE_GUID_NOT_FOUND(guid)
        return found

    def require_term(self, guid: str) -> TermRecord:
        """A term by guid, else 404."""
        found = self.terms.get(guid)
        if found is None:
            raise errors.INSTANCE_GUID_NOT_FOUND(guid)
        return found

    def glossary_by_name(self, name: str) -> GlossaryRecord | None:
        """A glossary by (qualified) name."""
        return next((g for g in self.glossaries.values() if g.name == name), None)

    def qualified_name(self, term: TermRecord) -> str:
        """`<name>@<glossary name>`, Atlas's derived term qualifiedName."""
        return f"{term.name}@{self.glossaries[term.glossary_guid].name}"

    def children(self, term: TermRecord) -> list[TermRecord]:
        """Direct child terms."""
        return [t for t in self.terms.values() if t.parent_guid == term.guid]

    def children_index(self) -> dict[str, list[TermRecord]]:
        """Parent guid → direct child terms (in `children` order), for rendering many terms in one request."""
        index: dict[str, list[TermRecord]] = {}
        for child in self.terms.values():
            if child.parent_guid is not None:
                index.setdefault(child.parent_guid, []).append(child)
        return index

    def assignments(self, term_guid: str) -> list[Any]:
        """ACTIVE semantic-assignment relationships of a term."""
        return [
            r
            for r in self.entities.attribute_relationships(term_guid, "assignedEntities")
            if r.type_name == SEMANTIC_ASSIGNMENT
        ]

    # ----- rendering -----------------------------------------------------------------------------------

    def glossary_json(self, glossary: GlossaryRecord, *, with_terms: bool = True) -> dict[str, Any]:
        """AtlasGlossary."""
        out: dict[str, Any] = {
            "guid": glossary.guid,
            "qualifiedName": glossary.name,
            "name": glossary.name,
            **{k: v for k, v in glossary.fields.items() if v is not None},
            "lastModifiedTS": str(glossary.modified),
            "createdBy": glossary.created_by,
            "updatedBy": glossary.updated_by,
            "createTime": glossary.create_time,
            "updateTime": glossary.update_time,
        }
        if with_terms:
            out["terms"] = [
                {"termGuid": guid, "relationGuid": relation, "displayText": self.terms[guid].name}
                for guid, relation in glossary.term_guids.items()
            ]
            out["categories"] = [self.category_header(c) for c in self.glossary_categories(glossary.guid)]
        return out

    def glossary_categories(self, glossary_guid: str) -> list[CategoryRecord]:
        """The categories anchored in a glossary, in creation order."""
        return [c for c in self.categories.values() if c.glossary_guid == glossary_guid]

    def category_header(self, category: CategoryRecord) -> dict[str, Any]:
        """AtlasRelatedCategoryHeader of a category within its glossary."""
        out = {"categoryGuid": category.guid, "relationGuid": category.anchor_relation, "displayText": category.name}
        if category.parent_guid is not None:
            out["parentCategoryGuid"] = category.parent_guid
        if category.fields.get("shortDescription"):
            out["description"] = category.fields["shortDescription"]
        return out

    def term_header(self, term: TermRecord) -> dict[str, Any]:
        """AtlasRelatedTermHeader of a term within its glossary."""
        glossary = self.glossaries[term.glossary_guid]
        out = {"termGuid": term.guid, "relationGuid": glossary.term_guids.get(term.guid), "displayText": term.name}
        if term.fields.get("shortDescription"):
            out["description"] = term.fields["shortDescription"]
        return out

    def term_json(self, term: TermRecord, children_of: Mapping[str, list[TermRecord]] | None = None) -> dict[str, Any]:
        """AtlasGlossaryTerm, including assigned entities and related-term headers.

        `children_of`: a `children_index` made once for a listing (a term's children are otherwise found by a scan
        of every term, which made listing 100,000 terms take minutes).
        """
        glossary = self.glossaries[term.glossary_guid]
        out: dict[str, Any] = {
            "guid": term.guid,
            "qualifiedName": self.qualified_name(term),
            "name": term.name,
            **{k: v for k, v in term.fields.items() if v is not None},
            "lastModifiedTS": str(term.modified),
            "createdBy": term.created_by,
            "updatedBy": term.updated_by,
            "createTime": term.create_time,
            "updateTime": term.update_time,
            "anchor": {
                "glossaryGuid": glossary.guid,
                "relationGuid": term.anchor_relation,
                "displayText": glossary.name,
            },
        }
        if term.templates:
            out["attributes"] = {name: dict(values) for name, values in term.templates.items()}
            out["templateName"] = list(term.templates)
        if term.parent_guid is not None and term.parent_guid in self.terms:
            parent = self.terms[term.parent_guid]
            out["parentTerm"] = {
                "termGuid": parent.guid,
                "relationGuid": term.parent_relation,
                "displayText": parent.name,
            }
            out["hierarchyInfo"] = self._hierarchy(term)
        children = children_of.get(term.guid, []) if children_of is not None else self.children(term)
        if children:
            out["childrenTerms"] = [
                {"termGuid": c.guid, "relationGuid": c.parent_relation, "displayText": c.name} for c in children
            ]
        for name, others in term.related.items():
            if others:
                out[name] = [
                    {"termGuid": g, "relationGuid": rel, "displayText": self.terms[g].name, "status": "ACTIVE"}
                    for g, rel in others.items()
                    if g in self.terms
                ]
        categories = [
            {"categoryGuid": c.guid, "relationGuid": c.terms[term.guid], "displayText": c.name}
            for c in self.categories.values()
            if term.guid in c.terms
        ]
        if categories:
            out["categories"] = categories
        assigned = self.assigned_entities(term.guid)
        if assigned:
            out["assignedEntities"] = assigned
        return out

    def _hierarchy(self, term: TermRecord) -> list[dict[str, Any]]:
        chain = []
        current = term
        seen = {term.guid}
        while current.parent_guid and current.parent_guid in self.terms and current.parent_guid not in seen:
            current = self.terms[current.parent_guid]
            seen.add(current.guid)
            chain.append(
                {
                    "guid": current.guid,
                    "typeName": "AtlasGlossaryTerm",
                    "name": current.name,
                    "displayText": current.name,
                    "uniqueAttributes": {"qualifiedName": self.qualified_name(current)},
                }
            )
        return list(reversed(chain))

    def assigned_entities(self, term_guid: str) -> list[dict[str, Any]]:
        """AtlasRelatedObjectId list of the entities a term is assigned to."""
        out = []
        for rel in self.assignments(term_guid):
            entity = self.entities.entities.get(rel.end2)
            if entity is None:
                continue
            attributes = {
                k: rel.attributes.get(k)
                for k in ("confidence", "createdBy", "description", "expression", "source", "status", "steward")
            }
            out.append(
                {
                    "guid": entity.guid,
                    "typeName": entity.type_name,
                    "entityStatus": entity.status,
                    "displayText": entity_render.display_text(entity),
                    "relationshipType": SEMANTIC_ASSIGNMENT,
                    "relationshipGuid": rel.guid,
                    "relationshipStatus": rel.status,
                    "relationshipAttributes": {"typeName": SEMANTIC_ASSIGNMENT, "attributes": attributes},
                }
            )
        return out

    # ----- glossary writes -----------------------------------------------------------------------------

    def create_glossary(self, body: Any, principal: str) -> GlossaryRecord:
        """POST /glossary."""
        name = _name_of(body)
        if "@" in name or "." in name:
            raise errors.INVALID_DISPLAY_NAME()
        if self.glossary_by_name(name) is not None:
            raise errors.GLOSSARY_ALREADY_EXISTS(name)
        stamp = now_ms()
        glossary = GlossaryRecord(
            guid=new_guid(),
            name=name,
            fields={k: body.get(k) for k in GLOSSARY_FIELDS if isinstance(body.get(k), str)},
            created_by=principal,
            create_time=stamp,
            updated_by=principal,
            update_time=stamp,
        )
        self.glossaries[glossary.guid] = glossary
        return glossary

    def update_glossary(
        self, glossary: GlossaryRecord, changes: dict[str, Any], principal: str, *, partial: bool
    ) -> None:
        """PUT /glossary/{guid} (full) or /partial (only given fields); renames are checked for clashes."""
        name = changes.get("name", glossary.name)
        if not isinstance(name, str) or not name.strip():
            raise errors.INVALID_PARAMETERS("glossary name is required")
        if name != glossary.name:
            if "@" in name or "." in name:
                raise errors.INVALID_DISPLAY_NAME()
            if self.glossary_by_name(name) is not None:
                raise errors.GLOSSARY_ALREADY_EXISTS(name)
            old = {g: self.qualified_name(self.terms[g]) for g in glossary.term_guids}
            glossary.name = name
            for guid, qualified in old.items():
                self.term_by_qualified_name.pop(qualified, None)
                self.term_by_qualified_name[self.qualified_name(self.terms[guid])] = guid
        for key in GLOSSARY_FIELDS:
            if key in changes:
                glossary.fields[key] = changes[key]
            elif not partial:
                glossary.fields.pop(key, None)
        glossary.modified += 1
        glossary.updated_by = principal
        glossary.update_time = now_ms()

    # ----- snapshot ----------------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Glossaries and terms as data."""
        return {
            "glossaries": [
                {k: getattr(g, k) for k in GlossaryRecord.__dataclass_fields__} for g in self.glossaries.values()
            ],
            "terms": [{k: getattr(t, k) for k in TermRecord.__dataclass_fields__} for t in self.terms.values()],
            "categories": [
                {k: getattr(c, k) for k in CategoryRecord.__dataclass_fields__} for c in self.categories.values()
            ],
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Replace glossaries and terms with a snapshot."""
        self.glossaries = {g["guid"]: GlossaryRecord(**g) for g in data.get("glossaries", [])}
        self.terms = {t["guid"]: TermRecord(**t) for t in data.get("terms", [])}
        self.categories = {c["guid"]: CategoryRecord(**c) for c in data.get("categories", [])}
        self.term_by_qualified_name = {self.qualified_name(t): t.guid for t in self.terms.values()}


def _name_of(body: Any) -> str:
    if not isinstance(body, dict):
        raise errors.INVALID_PARAMETERS("invalid payload, expected an object")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise errors.INVALID_PARAMETERS("name is required")
    return name.strip()
