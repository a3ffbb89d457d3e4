"""Swagger 2.0 schemas turned into JSON Schema that `jsonschema` can check.

Swagger 2.0 is close to JSON Schema draft 4 but not the same: `x-nullable`, `readOnly`, `discriminator`,
boolean `exclusiveMinimum`, `type: file` and AutoRest's `int32`/`int64` formats have no direct JSON Schema
meaning. This module is the small adapter that gives each of them a deliberate meaning (see
docs/decisions/0100-swagger-validation.md) so the conformance checks are strict where the spec is clear
and lenient only where real Purview traffic shows the spec under-describes the service.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError

OR_NULL = "x-or-null"
"""Keyword for "this schema, or JSON null": keeps error messages precise where anyOf would blur them."""

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)

ENUM_EXTENSIONS: dict[str, list[str]] = {
    # The official example Type_BulkCreateBusinessMetadataDefs returns category BUSINESS_METADATA, which the
    # TypeCategory enum of the 2023-09-01 file omits. The service is the authority on its own output.
    "TypeCategory": ["BUSINESS_METADATA"],
}
"""Enum values the service demonstrably uses but the vendored files leave out, per definition name."""

_DROPPED_KEYS = frozenset(
    {"description", "title", "example", "externalDocs", "xml", "x-ms-enum", "x-ms-client-name", "x-ms-identifiers"}
)


def format_checker() -> FormatChecker:
    """Formats Swagger/AutoRest use, checked the way the service's Java/.NET parsers would accept them."""
    checker = FormatChecker(formats=())

    def _int_range(bounds: tuple[int, int]) -> Any:
        def check(value: object) -> bool:
            if isinstance(value, bool) or not isinstance(value, int):
                return True  # the "type" keyword reports wrong types; formats only refine
            return bounds[0] <= value <= bounds[1]

        return check

    checker.checks("int32")(_int_range(INT32))
    checker.checks("int64")(_int_range(INT64))

    @checker.checks("uuid")
    def _uuid(value: object) -> bool:
        if not isinstance(value, str):
            return True
        try:
            uuid.UUID(value)
        except ValueError:
            return False
        return True

    @checker.checks("date-time")
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        try:
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return False
        return True

    return checker


def convert_definitions(definitions: Mapping[str, Any]) -> dict[str, Any]:
    """Convert every Swagger definition, including discriminator dispatch, into JSON Schema definitions."""
    subtypes = _discriminator_subtypes(definitions)
    converted: dict[str, Any] = {}
    for name, schema in definitions.items():
        patched = copy.deepcopy(schema)
        if name in ENUM_EXTENSIONS and isinstance(patched.get("enum"), list):
            patched["enum"] = [*patched["enum"], *ENUM_EXTENSIONS[name]]
        base = convert_schema(patched, redirect_refs=subtypes.keys() - {name})
        if name in subtypes:
            converted[f"{name}__base"] = base
            converted[name] = _dispatch(name, patched["discriminator"], subtypes[name])
        else:
            converted[name] = base
    return converted


def convert_schema(schema: Any, *, nullable: bool = False, redirect_refs: Any = frozenset()) -> Any:
    """Convert one Swagger schema object. `nullable` says whether `null` is an acceptable value here.

    `redirect_refs` names polymorphic bases: a subtype's `allOf` reference to its base must point at the
    undispatched base, otherwise validating the subtype would dispatch back to itself.
    """
    if not isinstance(schema, dict):
        return schema
    nullable = bool(schema.get("x-nullable", nullable))
    if "$ref" in schema:
        target = schema["$ref"]
        ref = {"$ref": target}
        if "readOnly" in schema:
            ref = {"allOf": [ref], "readOnly": schema["readOnly"]}
        return {OR_NULL: ref} if nullable else ref
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DROPPED_KEYS or key.startswith("x-") or key == "discriminator":
            continue
        if key == "type":
            if value == "file":
                continue
            out["type"] = [value, "null"] if nullable else value
        elif key == "properties":
            required = set(schema.get("required", []))
            out["properties"] = {
                prop: convert_schema(sub, nullable=prop not in required, redirect_refs=redirect_refs)
                for prop, sub in value.items()
            }
        elif key == "items":
            out["items"] = convert_schema(value, redirect_refs=redirect_refs)
        elif key == "additionalProperties":
            out[key] = convert_schema(value, redirect_refs=redirect_refs) if isinstance(value, dict) else value
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [_redirect(convert_schema(sub, redirect_refs=redirect_refs), redirect_refs) for sub in value]
        elif key == "enum":
            out["enum"] = [*value, None] if nullable and None not in value else list(value)
        elif key in ("exclusiveMinimum", "exclusiveMaximum"):
            continue
        elif key in ("minimum", "maximum"):
            exclusive = schema.get("exclusiveMinimum" if key == "minimum" else "exclusiveMaximum") is True
            out[("exclusiveMinimum" if key == "minimum" else "exclusiveMaximum") if exclusive else key] = value
        else:
            out[key] = value
    if "allOf" in out and nullable and "type" not in out:
        return {OR_NULL: out}
    return out


def _redirect(schema: Any, bases: Any) -> Any:
    if isinstance(schema, dict) and schema.get("$ref", "").removeprefix("#/definitions/") in bases:
        return {"$ref": schema["$ref"] + "__base"}
    return schema


def _discriminator_subtypes(definitions: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """Map base name -> {discriminator value -> subtype name}, from `allOf` references to bases."""
    bases = {name for name, schema in definitions.items() if isinstance(schema, dict) and "discriminator" in schema}
    found: dict[str, dict[str, str]] = {base: {} for base in bases}
    for name, schema in definitions.items():
        for part in schema.get("allOf", []) if isinstance(schema, dict) else []:
            base = str(part.get("$ref", "")).removeprefix("#/definitions/")
            if base in bases and base != name:
                found[base][schema.get("x-ms-discriminator-value", name)] = name
    return found


def _dispatch(base: str, field: str, subtypes: Mapping[str, str]) -> dict[str, Any]:
    branches: list[dict[str, Any]] = [{"$ref": f"#/definitions/{base}__base"}]
    for value, sub in subtypes.items():
        branches.append(
            {
                "if": {"properties": {field: {"const": value}}, "required": [field]},
                "then": {"$ref": f"#/definitions/{sub}"},
            }
        )
    return {"allOf": branches}


def _or_null(validator: Any, subschema: Any, instance: Any, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    if instance is not None:
        yield from validator.descend(instance, subschema)


def _read_only_in_request(
    validator: Any, read_only: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if read_only is True:
        yield ValidationError("is read-only in the spec and must not be sent in a request")


RequestValidator = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"readOnly": _read_only_in_request, OR_NULL: _or_null}
)
"""Validator for request bodies: a read-only property present in a request is a violation (Swagger 2.0)."""

ResponseValidator = validators.extend(Draft202012Validator, {OR_NULL: _or_null})  # type: ignore[no-untyped-call]
"""Validator for response bodies: read-only properties are exactly what responses carry."""

INTEGER_RE = re.compile(r"^[+-]?\d+$")
