"""Validation and normalisation of incoming type definitions (the body of POST/PUT /types/typedefs).

Purview validates typedef payloads more strictly than open-source Atlas (for example `options` values must
be strings and `schemaAttributes` must be a JSON list-of-strings string); type uploads that pass here but
fail on the real service are exactly the surprise this module exists to prevent.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from emulators.purview import errors
from emulators.purview.model.clock import new_guid, now_ms
from emulators.purview.model.typevalues import PRIMITIVES, parse_type, referenced_names

CATEGORY_OF_KEY = {
    "enumDefs": "ENUM",
    "structDefs": "STRUCT",
    "classificationDefs": "CLASSIFICATION",
    "entityDefs": "ENTITY",
    "relationshipDefs": "RELATIONSHIP",
    "businessMetadataDefs": "BUSINESS_METADATA",
    "termTemplateDefs": "TERM_TEMPLATE",
}
KEY_OF_CATEGORY = {category: key for key, category in CATEGORY_OF_KEY.items()}
_MAX = 2147483647
_CARDINALITIES = frozenset({"SINGLE", "LIST", "SET"})
_REL_CATEGORIES = frozenset({"ASSOCIATION", "AGGREGATION", "COMPOSITION"})


def split_types_def(body: Any) -> list[tuple[str, dict[str, Any]]]:
    """(category, def) pairs of an AtlasTypesDef body, rejecting malformed shapes with Atlas errors."""
    if not isinstance(body, dict):
        raise errors.INVALID_PARAMETERS("invalid payload, expected an AtlasTypesDef object")
    out: list[tuple[str, dict[str, Any]]] = []
    for key, category in CATEGORY_OF_KEY.items():
        defs = body.get(key)
        if defs is None:
            continue
        if not isinstance(defs, list):
            raise errors.INVALID_PARAMETERS(f"invalid payload, {key} must be a list")
        for item in defs:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
                raise errors.INVALID_PARAMETERS(f"invalid payload, every entry of {key} needs a name")
            out.append((category, item))
    return out


def normalize_def(
    category: str, raw: Mapping[str, Any], principal: str, previous: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The stored (response) form of a typedef: server fields added, attribute defaults filled in."""
    stamp = now_ms()
    out: dict[str, Any] = {k: v for k, v in raw.items() if k not in ("subTypes", "relationshipAttributeDefs")}
    out["category"] = category
    out["name"] = raw["name"].strip()
    out.setdefault("description", out["name"])
    out.setdefault("typeVersion", "1.0")
    out["guid"] = previous["guid"] if previous else (raw.get("guid") if _is_uuid(raw.get("guid")) else new_guid())
    out["createdBy"] = previous["createdBy"] if previous else principal
    out["createTime"] = previous["createTime"] if previous else stamp
    out["updatedBy"] = principal
    out["updateTime"] = stamp
    out["version"] = int(previous["version"]) + 1 if previous else 1
    out["lastModifiedTS"] = str(int(previous.get("lastModifiedTS", "1")) + 1) if previous else "1"
    if category == "ENUM":
        out["elementDefs"] = [
            {**e, "ordinal": e.get("ordinal", i)}
            for i, e in enumerate(raw.get("elementDefs") or [])
            if isinstance(e, dict)
        ]
        return out
    out["attributeDefs"] = [normalize_attribute(a) for a in raw.get("attributeDefs") or []]
    if category in ("ENTITY", "CLASSIFICATION"):
        out["superTypes"] = list(raw.get("superTypes") or [])
    if category == "CLASSIFICATION":
        out["entityTypes"] = list(raw.get("entityTypes") or [])
    if category == "RELATIONSHIP":
        out["relationshipCategory"] = raw.get("relationshipCategory") or "ASSOCIATION"
        out["relationshipLabel"] = raw.get("relationshipLabel") or f"r:{out['name']}"
        out.setdefault("propagateTags", "NONE")
        for end in ("endDef1", "endDef2"):
            given = raw.get(end) or {}
            out[end] = {
                "type": given.get("type"),
                "name": given.get("name"),
                "isContainer": bool(given.get("isContainer", False)),
                "cardinality": given.get("cardinality") or "SINGLE",
                "isLegacyAttribute": bool(given.get("isLegacyAttribute", False)),
            }
    return out


def normalize_attribute(raw: Mapping[str, Any]) -> dict[str, Any]:
    """An attribute def with Atlas's defaults (valuesMinCount/MaxCount follow optionality and cardinality)."""
    attr = dict(raw)
    attr.setdefault("isOptional", True)
    attr.setdefault("cardinality", "SINGLE")
    attr.setdefault("isUnique", False)
    attr.setdefault("isIndexable", False)
    attr.setdefault("includeInNotification", False)
    attr.setdefault("valuesMinCount", 0 if attr["isOptional"] else 1)
    attr.setdefault("valuesMaxCount", 1 if attr["cardinality"] == "SINGLE" else _MAX)
    return attr


def validate_defs(
    incoming: list[tuple[str, dict[str, Any]]], existing: Callable[[str], Mapping[str, Any] | None]
) -> None:
    """Check a batch of new/updated defs against each other and the registry, raising Atlas errors."""
    batch = {d["name"].strip(): (category, d) for category, d in incoming}

    def category_of(name: str) -> str | None:
        if name in batch:
            return batch[name][0]
        found = existing(name)
        return None if found is None else str(found["category"])

    for category, raw in incoming:
        name = raw["name"].strip()
        _check_options(name, raw.get("options"))
        if category == "ENUM":
            _check_enum(name, raw)
            continue
        attributes = raw.get("attributeDefs") or []
        if not isinstance(attributes, list):
            raise errors.INVALID_PARAMETERS(f"invalid payload, attributeDefs of {name} must be a list")
        for attr in attributes:
            _check_attribute(name, attr, category_of)
        if category in ("ENTITY", "CLASSIFICATION"):
            for parent in raw.get("superTypes") or []:
                if category_of(str(parent)) != category:
                    raise errors.TYPE_NAME_NOT_FOUND(parent)
            _check_cycles(name, batch, existing)
        if category == "CLASSIFICATION":
            for entity_type in raw.get("entityTypes") or []:
                if category_of(str(entity_type)) != "ENTITY":
                    raise errors.TYPE_NAME_NOT_FOUND(entity_type)
        if category == "RELATIONSHIP":
            _check_relationship(name, raw, category_of)


def _check_options(name: str, options: Any) -> None:
    if options is None:
        return
    if not isinstance(options, dict):
        raise errors.INVALID_PARAMETERS(f"invalid payload, options of {name} must be a map of strings")
    for key, value in options.items():
        if key == "schemaAttributes":
            if not _is_json_string_list(value):
                raise errors.INVALID_PARAMETERS(
                    f"invalid payload, expect schemaAttributes of {name} to be a JSON string of a list, "
                    "schemaAttributes should be list of string"
                )
        elif not isinstance(value, str):
            raise errors.INVALID_PARAMETERS(f"invalid payload, options.{key} of {name} should be a string")


def _is_json_string_list(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        decoded = json.loads(value)
    except ValueError:
        return False
    return isinstance(decoded, list) and all(isinstance(item, str) for item in decoded)


def _check_enum(name: str, raw: Mapping[str, Any]) -> None:
    elements = raw.get("elementDefs")
    if not isinstance(elements, list) or not elements:
        raise errors.INVALID_PARAMETERS(f"invalid payload, enum {name} needs elementDefs")
    for element in elements:
        if not isinstance(element, dict) or not isinstance(element.get("value"), str):
            raise errors.INVALID_PARAMETERS(f"invalid payload, every elementDef of {name} needs a string value")


def _check_attribute(owner: str, attr: Any, category_of: Callable[[str], str | None]) -> None:
    if not isinstance(attr, dict) or not isinstance(attr.get("name"), str) or not isinstance(attr.get("typeName"), str):
        raise errors.INVALID_PARAMETERS(f"invalid payload, attributeDefs of {owner} need name and typeName")
    cardinality = attr.get("cardinality", "SINGLE")
    if cardinality not in _CARDINALITIES:
        raise errors.INVALID_PARAMETERS(f"invalid payload, {owner}.{attr['name']}: unknown cardinality {cardinality}")
    try:
        parsed = parse_type(attr["typeName"])
    except ValueError:
        raise errors.UNKNOWN_TYPE_ATTR(attr["typeName"], owner, attr["name"]) from None
    if cardinality in ("SET", "LIST") and parsed.kind != "array":
        raise errors.INVALID_ATTRIBUTE_TYPE_FOR_CARDINALITY(owner, attr["name"])
    for referenced in referenced_names(parsed):
        if referenced not in PRIMITIVES and category_of(referenced) is None:
            raise errors.UNKNOWN_TYPE_ATTR(referenced, owner, attr["name"])


def _check_cycles(name: str, batch: Mapping[str, tuple[str, dict[str, Any]]], existing: Callable[[str], Any]) -> None:
    seen: set[str] = set()
    stack = [name]
    while stack:
        current = stack.pop()
        source = batch[current][1] if current in batch else existing(current)
        for parent in (source or {}).get("superTypes") or []:
            if parent == name:
                raise errors.CIRCULAR_REFERENCE(name, name)
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)


def _check_relationship(name: str, raw: Mapping[str, Any], category_of: Callable[[str], str | None]) -> None:
    ends = [raw.get("endDef1"), raw.get("endDef2")]
    if not all(isinstance(end, dict) and end.get("type") and end.get("name") for end in ends):
        raise errors.RELATIONSHIPDEF_INSUFFICIENT_ENDS(name)
    for end in ends:
        assert isinstance(end, dict)
        if category_of(str(end["type"])) != "ENTITY":
            raise errors.RELATIONSHIPDEF_END_TYPE_NAME_NOT_FOUND(name, end["type"])
        if end.get("cardinality", "SINGLE") not in _CARDINALITIES:
            raise errors.INVALID_PARAMETERS(f"invalid payload, {name}: unknown cardinality {end.get('cardinality')}")
    category = raw.get("relationshipCategory") or "ASSOCIATION"
    if category not in _REL_CATEGORIES:
        raise errors.INVALID_PARAMETERS(f"invalid payload, {name}: unknown relationshipCategory {category}")
    containers = [bool(end.get("isContainer")) for end in ends if isinstance(end, dict)]
    if all(containers):
        raise errors.RELATIONSHIPDEF_DOUBLE_CONTAINERS(name)
    if category == "ASSOCIATION" and any(containers):
        raise errors.RELATIONSHIPDEF_ASSOCIATION_AND_CONTAINER(name)
    if category != "ASSOCIATION" and not any(containers):
        raise (
            errors.RELATIONSHIPDEF_COMPOSITION_NO_CONTAINER
            if category == "COMPOSITION"
            else errors.RELATIONSHIPDEF_AGGREGATION_NO_CONTAINER
        )(name)


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
