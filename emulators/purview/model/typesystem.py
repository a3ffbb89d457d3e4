"""The type registry: stored typedefs plus the resolved view (inheritance, relationship attributes).

Entity writes, reads and search all ask "what attributes does this type have, including inherited ones,
and which relationship attributes come from relationshipDefs?". The answers are computed once per change
of the type system and cached, so the hot paths (bulk upsert, GET by guid) stay cheap.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulators.purview import errors
from emulators.purview.model.typedefs import (
    KEY_OF_CATEGORY,
    normalize_def,
    split_types_def,
    validate_defs,
)
from emulators.purview.model.typevalues import ParsedType, parse_type

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
BUILTIN_FILES = (
    DATA_DIR / "builtin_typedefs.json",  # Atlas base model + what every Purview account has
    DATA_DIR / "builtin_sources.json",  # source catalogues of common estates (hive, databricks, SQL, Power BI)
    DATA_DIR / "builtin_classifications.json",  # Microsoft system classifications
)
OWNED_REF = [{"type": "ownedRef"}]


@dataclass(frozen=True)
class RelationshipEnd:
    """One side of a relationshipDef as seen from an entity type: the attribute it contributes."""

    relationship: str
    attribute: str
    this_end: int  # 1 or 2
    other_type: str
    cardinality: str  # of this attribute (this end's cardinality)
    is_container: bool  # this end contains the other end
    category: str
    legacy: bool

    @property
    def owns_other(self) -> bool:
        """Composition containers own the other end: it is returned in referredEntities and deleted with us."""
        return self.is_container and self.category == "COMPOSITION"


@dataclass
class EntityTypeInfo:
    """Everything the entity store needs to know about one entity type, inheritance resolved."""

    name: str
    supertypes: list[str]  # self first, then ancestors (nearest first)
    attributes: dict[str, dict[str, Any]]
    parsed: dict[str, ParsedType]
    unique: list[str]
    required: list[str]
    references: dict[str, str] = field(default_factory=dict)  # attribute -> referenced entity type (legacy refs)
    relationships: dict[str, list[RelationshipEnd]] = field(default_factory=dict)
    service_type: str | None = None
    render_cache: dict[str, Any] = field(default_factory=dict)  # per-type read plans (entity_render)


class TypeRegistry:
    """All typedefs by name, with category indexes and a cache of resolved entity types."""

    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = {}
        self.by_guid: dict[str, str] = {}
        self.builtin: set[str] = set()
        self._resolved: dict[str, EntityTypeInfo] = {}
        self._subtypes: dict[str, set[str]] | None = None
        self.version = 0
        self.has_instances: Callable[[str], bool] = lambda _name: False

    def load_builtins(self, paths: tuple[Path, ...] = BUILTIN_FILES) -> None:
        """Install the built-in types, validated as one batch (the files may refer to each other's types)."""
        incoming = [item for path in paths for item in split_types_def(json.loads(path.read_text()))]
        validate_defs(incoming, self.defs.get)
        for category, raw in incoming:
            stored = normalize_def(category, raw, "admin", None)
            self._store(stored)
            self.builtin.add(stored["name"])

    # ----- reads -----------------------------------------------------------------------------------------

    def get(self, name: str) -> dict[str, Any] | None:
        """The stored def of that name, or None."""
        return self.defs.get(name)

    def require(self, name: str, category: str | None = None) -> dict[str, Any]:
        """The def of that name (and category), or 404 ATLAS-404-00-001."""
        found = self.defs.get(name)
        if found is None or (category is not None and found["category"] != category):
            raise errors.TYPE_NAME_NOT_FOUND(name)
        return found

    def require_guid(self, guid: str, category: str | None = None) -> dict[str, Any]:
        """The def with that guid (and category), or 404 ATLAS-404-00-002."""
        name = self.by_guid.get(guid)
        found = self.defs.get(name) if name else None
        if found is None or (category is not None and found["category"] != category):
            raise errors.TYPE_GUID_NOT_FOUND(guid)
        return found

    def render(self, typedef: Mapping[str, Any]) -> dict[str, Any]:
        """Response form of a def: computed subTypes and (for entities) relationshipAttributeDefs."""
        out = dict(typedef)
        if out["category"] in ("ENTITY", "CLASSIFICATION"):
            out["subTypes"] = sorted(self._direct_subtypes().get(out["name"], ()))
        if out["category"] == "ENTITY":
            out["relationshipAttributeDefs"] = self._relationship_attribute_defs(out["name"])
            out["businessAttributeDefs"] = self._business_attribute_defs(out["name"])
        return out

    def list_defs(self, category: str | None, include_term_templates: bool) -> dict[str, Any]:
        """AtlasTypesDef of all defs, optionally one category; term templates only when asked for.

        Every category key is always present, `termTemplateDefs` included (empty unless templates are
        asked for): the live response carries all seven, and the official SDK's smoke test asserts it.
        """
        out: dict[str, Any] = {key: [] for key in KEY_OF_CATEGORY.values()}
        for typedef in self.defs.values():
            cat = typedef["category"]
            if category is not None and cat != category:
                continue
            if cat == "TERM_TEMPLATE" and not include_term_templates and category != "TERM_TEMPLATE":
                continue
            out[KEY_OF_CATEGORY[cat]].append(self.render(typedef))
        return out

    def is_a(self, type_name: str, ancestor: str) -> bool:
        """Whether `type_name` is `ancestor` or inherits from it."""
        info = self.entity_info(type_name)
        return info is not None and ancestor in info.supertypes

    def all_subtypes(self, name: str) -> set[str]:
        """`name` and every type inheriting from it (for search with includeSubTypes)."""
        direct = self._direct_subtypes()
        out = {name}
        stack = [name]
        while stack:
            for child in direct.get(stack.pop(), ()):
                if child not in out:
                    out.add(child)
                    stack.append(child)
        return out

    def entity_info(self, name: str) -> EntityTypeInfo | None:
        """The resolved view of an entity type (None if no such entity type)."""
        found = self._resolved.get(name)
        if found is None:
            typedef = self.defs.get(name)
            if typedef is None or typedef["category"] != "ENTITY":
                return None
            found = self._resolve(typedef)
            self._resolved[name] = found
        return found

    def attribute_type(self, owner: Mapping[str, Any], attribute: str) -> ParsedType | None:
        """Parsed type of an attribute of a struct-like def (term template, classification, relationship)."""
        for attr in owner.get("attributeDefs") or []:
            if attr.get("name") == attribute:
                return parse_type(str(attr["typeName"]))
        return None

    # ----- writes ----------------------------------------------------------------------------------------

    def create(self, body: Any, principal: str) -> dict[str, Any]:
        """POST /types/typedefs: all-or-nothing create; 409 if any type already exists."""
        incoming = split_types_def(body)
        seen: set[str] = set()
        for category, raw in incoming:
            name = raw["name"].strip()
            existing = self.defs.get(name)
            if existing is not None or name in seen:
                raise errors.TYPE_ALREADY_EXISTS(name, (existing or {"category": category})["category"])
            seen.add(name)
        validate_defs(incoming, self.defs.get)
        return self._apply(incoming, principal, update=False)

    def update(self, body: Any, principal: str) -> dict[str, Any]:
        """PUT /types/typedefs: all listed types must exist; category and relationship ends are fixed."""
        incoming = split_types_def(body)
        for category, raw in incoming:
            existing = self.defs.get(raw["name"].strip())
            if existing is None or existing["category"] != category:
                raise errors.TYPE_NAME_NOT_FOUND(raw["name"])
            if category == "RELATIONSHIP":
                for end in ("endDef1", "endDef2"):
                    if (raw.get(end) or {}).get("type") != existing[end]["type"]:
                        raise errors.INVALID_PARAMETERS(
                            f"invalid update for relationshipDef {raw['name']}: {end} changed"
                        )
        validate_defs(incoming, self.defs.get)
        return self._apply(incoming, principal, update=True)

    def delete(self, names: Iterable[str]) -> None:
        """Delete types; 404 if unknown, 409 if instances, subtypes or relationshipDefs still use them."""
        wanted = list(dict.fromkeys(names))
        for name in wanted:
            typedef = self.require(name)
            if typedef["category"] in ("ENTITY", "CLASSIFICATION") and self.has_instances(name):
                raise errors.TYPE_HAS_REFERENCES(name)
            if self._direct_subtypes().get(name, set()) - set(wanted):
                raise errors.TYPE_HAS_REFERENCES(name)
            if typedef["category"] == "ENTITY":
                for other in self.defs.values():
                    ends = (other.get("endDef1", {}).get("type"), other.get("endDef2", {}).get("type"))
                    if other["category"] == "RELATIONSHIP" and other["name"] not in wanted and name in ends:
                        raise errors.TYPE_HAS_RELATIONSHIPS(name)
        for name in wanted:
            removed = self.defs.pop(name)
            self.by_guid.pop(removed["guid"], None)
            self.builtin.discard(name)
        self._invalidate()

    def _apply(self, incoming: list[tuple[str, dict[str, Any]]], principal: str, *, update: bool) -> dict[str, Any]:
        out: dict[str, Any] = {key: [] for key in KEY_OF_CATEGORY.values()}
        stored_all = []
        for category, raw in incoming:
            previous = self.defs.get(raw["name"].strip()) if update else None
            stored = normalize_def(category, raw, principal, previous)
            self._store(stored)
            stored_all.append(stored)
        for stored in stored_all:
            out.setdefault(KEY_OF_CATEGORY[stored["category"]], []).append(self.render(stored))
        return out

    def _store(self, stored: dict[str, Any]) -> None:
        self.defs[stored["name"]] = stored
        self.by_guid[stored["guid"]] = stored["name"]
        self._invalidate()

    def _invalidate(self) -> None:
        self._resolved.clear()
        self._subtypes = None
        self.version += 1

    # ----- snapshot ----------------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """All non-built-in defs plus the names of built-ins that were deleted or changed."""
        return {"defs": list(self.defs.values()), "builtin": sorted(self.builtin)}

    def restore(self, data: Mapping[str, Any]) -> None:
        """Replace the registry with a snapshot."""
        self.defs = {}
        self.by_guid = {}
        for stored in data["defs"]:
            self.defs[stored["name"]] = stored
            self.by_guid[stored["guid"]] = stored["name"]
        self.builtin = set(data.get("builtin", []))
        self._invalidate()

    # ----- resolution --------------------------------------------------------------------------------------

    def _direct_subtypes(self) -> dict[str, set[str]]:
        if self._subtypes is None:
            subtypes: dict[str, set[str]] = {}
            for typedef in self.defs.values():
                for parent in typedef.get("superTypes") or []:
                    subtypes.setdefault(parent, set()).add(typedef["name"])
            self._subtypes = subtypes
        return self._subtypes

    def _ancestry(self, name: str) -> list[str]:
        order: list[str] = []
        queue = [name]
        while queue:
            current = queue.pop(0)
            if current in order or current not in self.defs:
                continue
            order.append(current)
            queue.extend(self.defs[current].get("superTypes") or [])
        return order

    def _resolve(self, typedef: Mapping[str, Any]) -> EntityTypeInfo:
        supertypes = self._ancestry(typedef["name"])
        attributes: dict[str, dict[str, Any]] = {}
        service_type = None
        for ancestor in reversed(supertypes):
            ancestor_def = self.defs[ancestor]
            for attr in ancestor_def.get("attributeDefs") or []:
                attributes[attr["name"]] = attr
        for ancestor in supertypes:
            service_type = self.defs[ancestor].get("serviceType")
            if service_type:
                break
        parsed = {name: parse_type(str(attr["typeName"])) for name, attr in attributes.items()}
        references = {}
        for name, shape in parsed.items():
            target = shape.element if shape.kind == "array" else shape
            target_def = self.defs.get(target.name) if target is not None and target.kind == "named" else None
            if target_def is not None and target_def["category"] == "ENTITY":
                references[name] = target_def["name"]
        info = EntityTypeInfo(
            name=typedef["name"],
            supertypes=supertypes,
            attributes=attributes,
            parsed=parsed,
            unique=[n for n, a in attributes.items() if a.get("isUnique")],
            required=[n for n, a in attributes.items() if not a.get("isOptional", True) and n not in references],
            references=references,
            service_type=service_type,
        )
        ancestry = set(supertypes)
        for rel in self.defs.values():
            if rel["category"] != "RELATIONSHIP":
                continue
            for this, other in ((1, 2), (2, 1)):
                end, other_end = rel[f"endDef{this}"], rel[f"endDef{other}"]
                if end["type"] in ancestry:
                    info.relationships.setdefault(end["name"], []).append(
                        RelationshipEnd(
                            relationship=rel["name"],
                            attribute=end["name"],
                            this_end=this,
                            other_type=other_end["type"],
                            cardinality=end["cardinality"],
                            is_container=end["isContainer"],
                            category=rel["relationshipCategory"],
                            legacy=end["isLegacyAttribute"],
                        )
                    )
        for ends in info.relationships.values():  # the most specific end type first
            ends.sort(key=lambda e: supertypes.index(self._end_type(e)) if self._end_type(e) in supertypes else 99)
        return info

    def _end_type(self, end: RelationshipEnd) -> str:
        return str(self.defs[end.relationship][f"endDef{end.this_end}"]["type"])

    def _business_attribute_defs(self, name: str) -> dict[str, list[dict[str, Any]]]:
        """Business metadata attributes applicable to an entity type, by business metadata name.

        Live entityDefs carry this map (e.g. `PurviewDataQuality` on every DataSet type); applicability comes
        from each attribute's `options.applicableEntityTypes`, a JSON list of type names (inherited).
        """
        info = self.entity_info(name)
        ancestry = set(info.supertypes) if info is not None else {name}
        out: dict[str, list[dict[str, Any]]] = {}
        for typedef in self.defs.values():
            if typedef["category"] != "BUSINESS_METADATA":
                continue
            applicable = [a for a in typedef.get("attributeDefs") or [] if ancestry & _applicable_types(a)]
            if applicable:
                out[typedef["name"]] = applicable
        return out

    def _relationship_attribute_defs(self, name: str) -> list[dict[str, Any]]:
        info = self.entity_info(name)
        if info is None:
            return []
        out = []
        for attribute, ends in sorted(info.relationships.items()):
            end = ends[0]
            many = end.cardinality != "SINGLE"
            item: dict[str, Any] = {
                "name": attribute,
                "typeName": f"array<{end.other_type}>" if many else end.other_type,
                "isOptional": True,
                "cardinality": end.cardinality,
                "valuesMinCount": -1,
                "valuesMaxCount": -1,
                "isUnique": False,
                "isIndexable": False,
                "includeInNotification": False,
                "isLegacyAttribute": end.legacy,
                "relationshipTypeName": end.relationship,
            }
            if end.owns_other:
                item["constraints"] = OWNED_REF
            out.append(item)
        return out


def _applicable_types(attribute: Mapping[str, Any]) -> set[str]:
    """`options.applicableEntityTypes` of a business metadata attribute (a JSON list in a string)."""
    raw = (attribute.get("options") or {}).get("applicableEntityTypes")
    try:
        decoded = json.loads(raw) if isinstance(raw, str) else []
    except ValueError:
        return set()
    return {str(item) for item in decoded} if isinstance(decoded, list) else set()
