"""Business domains, data products and catalog terms: which fields each accepts, and how writes merge.

Each kind is a table of field parsers, so create and update share one validation path and the README's
field lists come from one place. Unknown top-level keys are ignored rather than refused: pvw-cli's bug of
wrapping a relationship body in another key was silently accepted by the live service, and TypeSpec
services generally drop properties they do not model.

Update semantics (PUT) are a **GUESS**: present, non-null fields replace stored ones; absent or `null`
fields keep their stored values. That is what makes both observed client styles work: pvw-cli GETs the
resource and PUTs it back whole, unifiedcatalogpy PUTs `null` for every field it was not asked to change.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from emulators.purview.unified import values
from emulators.purview.unified.errors import conflict, invalid

Parser = Callable[[Mapping[str, Any], str], Any]


def _text(body: Mapping[str, Any], field: str) -> Any:
    return values.text(body, field)


def _name(body: Mapping[str, Any], field: str) -> Any:
    value = values.text(body, field)
    if value is not None and not value.strip():
        raise invalid(f"{field} must not be empty", target=field)
    return value


def _guid(body: Mapping[str, Any], field: str) -> Any:
    value = body.get(field)
    return None if value is None or value == "" else values.guid(value, field)


def _enum(allowed: tuple[str, ...]) -> Parser:
    def parse(body: Mapping[str, Any], field: str) -> Any:
        value = body.get(field)
        return None if value is None else values.canonical(value, allowed, field)

    return parse


def _status(body: Mapping[str, Any], field: str) -> Any:
    value = body.get(field)
    return None if value is None else values.status(value, field)


def _thumbnail(body: Mapping[str, Any], field: str) -> Any:
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("color", ""), str):
        raise invalid("thumbnail must be an object {color}", target=field)
    return {"color": value["color"]} if "color" in value else {}


def _managed(body: Mapping[str, Any], field: str) -> Any:
    return values.objects(body, field, ("name", "value", "isRequired"))


def _resources(body: Mapping[str, Any], field: str) -> Any:
    return values.objects(body, field, ("name", "url"))


def _contacts(body: Mapping[str, Any], _field: str) -> Any:
    return values.contacts(body)


@dataclass(frozen=True)
class Kind:
    """One resource kind: its user-facing name, fields, required fields and defaults."""

    name: str
    label: str
    fields: dict[str, Parser]
    required: tuple[str, ...]
    defaults: dict[str, Any]


DOMAIN = Kind(
    name="businessDomain",
    label="business domain",
    fields={
        "name": _name,
        "type": _enum(values.DOMAIN_TYPES),
        "status": _status,
        "description": _text,
        "parentId": _guid,
        "isRestricted": values.boolean,
        "thumbnail": _thumbnail,
        "contacts": _contacts,
        "managedAttributes": _managed,
    },
    required=("name",),
    defaults={"status": "DRAFT", "isRestricted": False},
)

DATA_PRODUCT = Kind(
    name="dataProduct",
    label="data product",
    fields={
        "name": _name,
        "domain": _guid,
        "type": _enum(values.DATA_PRODUCT_TYPES),
        "status": _status,
        "description": _text,
        "businessUse": _text,
        "updateFrequency": _enum(values.UPDATE_FREQUENCIES),
        "contacts": _contacts,
        "termsOfUse": values.links,
        "documentation": values.links,
        "managedAttributes": _managed,
        "audience": values.string_list,
        "sensitivityLabel": _text,
        "endorsed": values.boolean,
    },
    required=("name", "domain", "type"),
    defaults={"status": "DRAFT", "endorsed": False},
)

TERM = Kind(
    name="term",
    label="term",
    fields={
        "name": _name,
        "domain": _guid,
        "status": _status,
        "description": _text,
        "parentId": _guid,
        "contacts": _contacts,
        "acronyms": values.string_list,
        "resources": _resources,
        "managedAttributes": _managed,
    },
    required=("name", "domain"),
    defaults={"status": "DRAFT"},
)

KINDS = {kind.name: kind for kind in (DOMAIN, DATA_PRODUCT, TERM)}


def parse_body(kind: Kind, body: Any) -> dict[str, Any]:
    """The known, non-null fields of a request body, validated and canonicalised."""
    if not isinstance(body, dict):
        raise invalid(f"the {kind.label} must be a JSON object")
    parsed: dict[str, Any] = {}
    for field, parser in kind.fields.items():
        value = parser(body, field)
        if value is not None:
            parsed[field] = value
    return parsed


def new_record(kind: Kind, body: Any, identifier: str, principal: str) -> dict[str, Any]:
    """A stored record for a create: defaults, then the body; required fields checked."""
    fields = {**kind.defaults, **parse_body(kind, body)}
    _check_required(kind, fields)
    stamp = values.now_iso()
    system = {"createdAt": stamp, "createdBy": principal, "lastModifiedAt": stamp, "lastModifiedBy": principal}
    record = {"id": identifier, **fields, "systemData": system}
    _stamp_expiry(record, None, principal)
    return record


def merged_record(kind: Kind, existing: dict[str, Any], body: Any, principal: str) -> dict[str, Any]:
    """The record after a PUT: stored fields overlaid with the body's non-null fields."""
    changes = parse_body(kind, body)
    record = {**existing, **changes, "systemData": dict(existing["systemData"])}
    _check_required(kind, record)
    record["systemData"].update(lastModifiedAt=values.now_iso(), lastModifiedBy=principal)
    _stamp_expiry(record, existing.get("status"), principal)
    return record


def _check_required(kind: Kind, fields: Mapping[str, Any]) -> None:
    for field in kind.required:
        if field not in fields:
            raise invalid(f"{field} is required for a {kind.label}", target=field)


def _stamp_expiry(record: dict[str, Any], before: str | None, principal: str) -> None:
    """CatalogModelSystemDataWithExpired: expiredAt/expiredBy appear when the status becomes EXPIRED."""
    system = record["systemData"]
    if record.get("status") == "EXPIRED" and before != "EXPIRED":
        system.update(expiredAt=values.now_iso(), expiredBy=principal)
    elif record.get("status") != "EXPIRED":
        system.pop("expiredAt", None)
        system.pop("expiredBy", None)


def identifier_from(body: Any, taken: Callable[[str], bool], label: str) -> str:
    """The id of a new resource: the client's `id` (required by the SDK model) or a fresh one.

    GUESS: pvw-cli and unifiedcatalogpy create without an id and read the service's, so a missing id is
    generated rather than refused; a given id must be a GUID and unused (409 otherwise).
    """
    given = body.get("id") if isinstance(body, dict) else None
    if given is None or given == "":
        return str(uuid.uuid4())
    identifier = values.guid(given, "id")
    if taken(identifier):
        raise conflict(f"A {label} with id '{identifier}' already exists.")
    return identifier
