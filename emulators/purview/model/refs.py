"""Object references and small payload helpers shared by the entity writer and entity operations.

Clients refer to entities in three shapes (guid, placeholder, uniqueAttributes, plus pyapacheatlas'
minimal form); the error message for a reference that does not resolve reproduces Atlas's wording, which
real integrations match on.
"""

from __future__ import annotations

from typing import Any


def guid_key(value: Any) -> str | None:
    """A guid as sent (int or string, negative for placeholders) normalised to a string key, or None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def as_list(value: Any) -> list[Any]:
    """A relationship attribute value as a list: None clears, a single object counts as one item."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def classification_item(item: Any) -> dict[str, Any]:
    """The stored form of an AtlasClassification sent by a client."""
    out: dict[str, Any] = {"typeName": item["typeName"], "lastModifiedTS": "1"}
    if isinstance(item.get("attributes"), dict):
        out["attributes"] = dict(item["attributes"])
    for key in ("validityPeriods", "removePropagationsOnEntityDelete"):
        if key in item:
            out[key] = item[key]
    return out


def describe_reference(ref: dict[str, Any]) -> str:
    """How Atlas names an unresolved reference: the placeholder, or `AtlasObjectId{guid=..., ...}`."""
    unique = ref.get("uniqueAttributes")
    if ref.get("guid") is not None and not unique:
        return str(ref["guid"])
    if not unique and ref.get("qualifiedName") is not None:
        unique = {"qualifiedName": ref["qualifiedName"]}
    inner = ", ".join(f"{k}:{v}" for k, v in (unique or {}).items())
    guid = ref.get("guid")
    shown = "null" if guid is None else guid
    return f"AtlasObjectId{{guid='{shown}', typeName='{ref.get('typeName')}', uniqueAttributes={{{inner}}}}}"
