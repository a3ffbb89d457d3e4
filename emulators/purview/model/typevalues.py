"""Atlas attribute types: parsing type names and normalising values the way Atlas does on write.

Purview inherits Atlas's lenient coercions (a number sent to a string attribute is stored as a string, an
ISO date string sent to a `date` attribute becomes epoch milliseconds). Reproducing them keeps the app from
depending on leniency the emulator would not have, and rejecting what Atlas rejects keeps it honest.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

PRIMITIVES = frozenset(
    {"boolean", "byte", "short", "int", "long", "biginteger", "float", "double", "bigdecimal", "string", "date"}
)
_INTEGERS = frozenset({"byte", "short", "int", "long", "biginteger"})
_FLOATS = frozenset({"float", "double", "bigdecimal"})


@dataclass(frozen=True)
class ParsedType:
    """A type name split into its shape: primitive, array<elem>, map<key,value>, or a named type."""

    kind: str  # "primitive" | "array" | "map" | "named"
    name: str
    element: ParsedType | None = None
    key: ParsedType | None = None


def parse_type(type_name: str) -> ParsedType:
    """Parse `array<...>` / `map<...,...>` / primitive / named type names."""
    text = type_name.strip()
    if text.startswith("array<") and text.endswith(">"):
        return ParsedType("array", text, element=parse_type(text[6:-1]))
    if text.startswith("map<") and text.endswith(">"):
        inner = text[4:-1]
        depth = 0
        for index, char in enumerate(inner):
            depth += char == "<"
            depth -= char == ">"
            if char == "," and depth == 0:
                return ParsedType("map", text, key=parse_type(inner[:index]), element=parse_type(inner[index + 1 :]))
        raise ValueError(f"invalid map type {type_name}")
    if text in PRIMITIVES:
        return ParsedType("primitive", text)
    return ParsedType("named", text)


def referenced_names(parsed: ParsedType) -> list[str]:
    """Named (non-primitive) types a type name refers to, for existence checks."""
    if parsed.kind == "named":
        return [parsed.name]
    out: list[str] = []
    for part in (parsed.element, parsed.key):
        if part is not None:
            out += referenced_names(part)
    return out


def normalize(parsed: ParsedType, value: Any, lookup: Callable[[str], Mapping[str, Any] | None]) -> Any:
    """Normalise `value` for a non-entity type, raising ValueError with Atlas-like wording if invalid.

    `lookup` returns the stored typedef for a named type (enum or struct); entity references are handled
    by the entity writer, not here.
    """
    if value is None:
        return None
    if parsed.kind == "primitive":
        return _primitive(parsed.name, value)
    if parsed.kind == "array":
        assert parsed.element is not None
        items = value if isinstance(value, list) else [value]
        return [normalize(parsed.element, item, lookup) for item in items]
    if parsed.kind == "map":
        if not isinstance(value, dict):
            raise ValueError(f"invalid value for type {parsed.name}")
        assert parsed.element is not None and parsed.key is not None
        return {str(k): normalize(parsed.element, v, lookup) for k, v in value.items()}
    typedef = lookup(parsed.name)
    if typedef is None:
        raise ValueError(f"unknown type {parsed.name}")
    if typedef.get("category") == "ENUM":
        return _enum(typedef, value)
    if typedef.get("category") == "STRUCT":
        if not isinstance(value, dict):
            raise ValueError(f"invalid value for type {parsed.name}")
        return value
    raise ValueError(f"invalid value for type {parsed.name}")


def _primitive(name: str, value: Any) -> Any:
    if name == "string":
        if isinstance(value, dict | list):
            raise ValueError("invalid value for type string")
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else json.dumps(value)
    if name == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValueError("invalid value for type boolean")
    if name in _INTEGERS:
        return _integer(name, value)
    if name in _FLOATS:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError(f"invalid value for type {name}")
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"invalid value for type {name}") from None
    return _date(value)


def _integer(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"invalid value for type {name}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise ValueError(f"invalid value for type {name}")


def _date(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("invalid value for type date")
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError("invalid value for type date") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        return int(parsed.timestamp() * 1000)
    raise ValueError("invalid value for type date")


def _enum(typedef: Mapping[str, Any], value: Any) -> str:
    elements = typedef.get("elementDefs") or []
    if isinstance(value, int) and not isinstance(value, bool):
        for element in elements:
            if element.get("ordinal") == value:
                return str(element["value"])
    if isinstance(value, str):
        for element in elements:
            if str(element.get("value")).lower() == value.lower():
                return str(element["value"])
    raise ValueError(f"invalid value for type {typedef.get('name')}")
