"""Golden records ("entities"): made by processing records, added or enriched by crawlers and enrichers.

They are found through the data GraphQL `search`.

Each entity remembers what every provider contributed (`contributions`), so removing a data source, crawler
or enricher takes exactly its properties away, and `providerDefinitionIds` always names the providers that
still contribute — the attribute the `providerDefinitionIds_v2` search filter and the metrics work on.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import shlex
from collections.abc import Callable
from typing import Any

from emulators.cluedin.store import CluedInStore
from emulators.cluedin.util import EmulatorError, stable_guid

MAX_PAGE_SIZE = 10_000
FILTER_FIELDS = {
    "providerdefinitionids_v2": "providerDefinitionIds",
    "providerdefinitionids": "providerDefinitionIds",
    "entitytype": "entityType",
    "tags": "tags",
    "codes": "codes",
    "datasetids": "dataSetIds",
}
"""Aggregation / field names the search `filters` understand (others are refused with an error)."""


def entity_id(entity_type: str, provider_id: str, code: str) -> str:
    """Deterministic golden-record id: the same origin code from the same source is the same record."""
    return stable_guid("entity", entity_type, provider_id, code)


def upsert_entity(
    store: CluedInStore,
    *,
    entity_type: str,
    provider_id: str,
    code: str,
    name: str | None,
    properties: dict[str, str],
    data_set_id: str | None = None,
    now: str | None = None,
) -> dict[str, Any]:
    """Create or update the golden record for (entity type, provider, origin code)."""
    ident = entity_id(entity_type, provider_id, code)
    now = now or store.clock.iso()
    entity = store.entities.get(ident)
    if entity is None:
        origin = f"{entity_type}#CluedIn({provider_id}):{code}"
        entity = {
            "id": ident,
            "name": name or code,
            "displayName": name or code,
            "description": None,
            "entityType": entity_type,
            "originEntityCode": origin,
            "codes": [origin],
            "tags": [],
            "uris": [],
            "providerDefinitionIds": [],
            "providerOrigins": [],
            "dataSetIds": [],
            "contributions": {},
            "properties": {},
            "createdDate": now,
            "discoveryDate": now,
            "modifiedDate": now,
            "lastProcessedDate": now,
            "sortDate": now,
        }
        store.entities[ident] = entity
    elif name:
        entity["name"] = entity["displayName"] = name
    contribute(entity, provider_id, properties)
    if data_set_id and data_set_id not in entity["dataSetIds"]:
        entity["dataSetIds"].append(data_set_id)
    entity["modifiedDate"] = entity["lastProcessedDate"] = entity["sortDate"] = now
    return entity


def contribute(entity: dict[str, Any], provider_id: str, properties: dict[str, str]) -> None:
    """Record one provider's properties on an entity and recompute the merged view."""
    current = entity["contributions"].setdefault(provider_id, {})
    current.update({f"property-{k}": v for k, v in properties.items()})
    if provider_id not in entity["providerDefinitionIds"]:
        entity["providerDefinitionIds"].append(provider_id)
        entity["providerOrigins"].append(provider_id)
    _merge(entity)


def _merge(entity: dict[str, Any]) -> None:
    merged: dict[str, Any] = {"attribute-type": entity["entityType"]}
    for provider_id in entity["providerDefinitionIds"]:
        merged.update(entity["contributions"].get(provider_id, {}))
    entity["properties"] = merged


def forget_provider(store: CluedInStore, provider_id: str) -> int:
    """Take a provider's contributions off every entity; entities nothing else contributes to disappear."""
    removed = 0
    for ident in list(store.entities):
        entity = store.entities[ident]
        if provider_id not in entity["providerDefinitionIds"]:
            continue
        entity["contributions"].pop(provider_id, None)
        entity["providerDefinitionIds"] = [p for p in entity["providerDefinitionIds"] if p != provider_id]
        entity["providerOrigins"] = [p for p in entity["providerOrigins"] if p != provider_id]
        if not entity["providerDefinitionIds"]:
            del store.entities[ident]
            removed += 1
        else:
            _merge(entity)
            entity["modifiedDate"] = entity["sortDate"] = store.clock.iso()
    store.version += 1
    return removed


def enrich_entities(store: CluedInStore, provider: dict[str, Any], properties: dict[str, Any]) -> int:
    """An enricher adds properties to every golden record of its entity type (all records if none)."""
    entity_type = provider.get("entityType")
    count = 0
    for entity in store.entities.values():
        if entity_type and entity["entityType"] != entity_type:
            continue
        values = {k: as_text(v).replace("{name}", str(entity["name"])) for k, v in properties.items()}
        contribute(entity, provider["id"], values)
        entity["modifiedDate"] = entity["sortDate"] = store.clock.iso()
        count += 1
    provider["enrichedProperties"] = {k: as_text(v) for k, v in properties.items()}
    return count


def add_crawled_entities(store: CluedInStore, provider: dict[str, Any], records: list[dict[str, Any]]) -> int:
    """A crawler brings golden records of its own (records are vocabulary key -> value)."""
    for index, record in enumerate(records):
        code = as_text(record.get("id", index))
        name = record.get("name")
        properties = {k: as_text(v) for k, v in record.items() if k not in {"id", "name"}}
        entity = upsert_entity(
            store,
            entity_type=str(provider["entityType"]),
            provider_id=provider["id"],
            code=code,
            name=as_text(name) if name is not None else None,
            properties=properties,
        )
        provider["contributedEntityIds"].append(entity["id"])
    store.version += 1
    return len(records)


def as_text(value: object) -> str:
    """A property value as CluedIn stores it: text (JSON for nested values, lowercase booleans)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return "" if value is None else str(value)


# ---------------------------------------------------------------------- search


def encode_cursor(page: int, page_size: int) -> str:
    """A paging cursor the way CluedIn writes them: base64 of UTF-16LE JSON `{"pageSize":..,"page":..}`."""
    raw = json.dumps({"pageSize": page_size, "page": page}, separators=(",", ":"))
    return base64.b64encode(raw.encode("utf-16-le")).decode("ascii")


def decode_cursor(cursor: str) -> tuple[int, int]:
    """(page, page size) from a cursor; anything else is a client error."""
    try:
        data = json.loads(base64.b64decode(cursor, validate=True).decode("utf-16-le"))
        page, size = int(data.get("page", data.get("Page"))), int(data.get("pageSize", data.get("PageSize")))
    except (ValueError, TypeError, AttributeError, UnicodeDecodeError):
        raise EmulatorError(f"invalid paging cursor {cursor!r}") from None
    if page < 0 or size < 0:
        raise EmulatorError(f"invalid paging cursor {cursor!r}")
    return page, size


def search(store: CluedInStore, args: dict[str, Any]) -> dict[str, Any]:
    """The data GraphQL `search`: query string, filters, sort, cursor paging."""
    page, size = 0, args.get("pageSize")
    if args.get("cursor"):
        page, cursor_size = decode_cursor(str(args["cursor"]))
        size = size if size is not None else cursor_size
    size = 20 if size is None else int(size)
    if size < 0 or size > MAX_PAGE_SIZE:
        raise EmulatorError(f"pageSize must be between 0 and {MAX_PAGE_SIZE}, got {size}")
    predicates = [parse_query(args.get("query"))]
    if args.get("filter"):
        predicates.append(parse_query(str(args["filter"])))
    predicates.extend(_filter_predicate(f) for f in args.get("filters") or [] if f)
    matches = [e for e in store.entities.values() if all(p(e) for p in predicates)]
    matches = _sorted(matches, args)
    start = page * size
    return {
        "totalResults": len(matches),
        "cursor": encode_cursor(page + 1, size),
        "entries": matches[start : start + size],
        "aggregations": None,
    }


def _sorted(matches: list[dict[str, Any]], args: dict[str, Any]) -> list[dict[str, Any]]:
    fields = args.get("sortFields") or []
    if args.get("sort") == "FIELDS" and fields:
        for spec in reversed([f for f in fields if f]):
            matches = _sort_by_field(matches, str(spec.get("field") or "id"), spec.get("direction") == "DESCENDING")
        return matches
    if args.get("sort") in {"DATE", "NEW", "OLD"}:
        descending = args.get("sortDirection") != "ASCENDING" if args.get("sort") != "OLD" else False
        return sorted(matches, key=lambda e: str(e["sortDate"]), reverse=descending)
    return matches


def _sort_by_field(matches: list[dict[str, Any]], field: str, descending: bool) -> list[dict[str, Any]]:
    return sorted(matches, key=lambda e: str(_field(e, field) or ""), reverse=descending)


def _field(entity: dict[str, Any], name: str) -> Any:
    if name in entity and name != "properties":
        return entity[name]
    key = name.removeprefix("properties.")
    return entity["properties"].get(f"property-{key}")


def _filter_predicate(spec: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    name = str(spec.get("aggregationName") or spec.get("fieldName") or "")
    field = FILTER_FIELDS.get(name.lower())
    if field is None:
        raise EmulatorError(f"unknown search filter {name!r}; known: {', '.join(sorted(FILTER_FIELDS))}")
    values = {str(v) for v in spec.get("values") or []}
    require_all = spec.get("operator") == "AND"

    def matches(entity: dict[str, Any]) -> bool:
        present = entity[field]
        have = {present} if isinstance(present, str) else set(present)
        return values <= have if require_all else bool(values & have)

    return matches


def parse_query(query: str | None) -> Callable[[dict[str, Any]], bool]:
    """A predicate for a Lucene-like query: `*`, `field:value` (wildcards), `+must`, `-mustNot`, free text."""
    text = (query or "").strip()
    if text in {"", "*"}:
        return lambda _: True
    try:
        tokens = shlex.split(text)
    except ValueError:
        tokens = text.split()
    must: list[Callable[[dict[str, Any]], bool]] = []
    must_not: list[Callable[[dict[str, Any]], bool]] = []
    for token in tokens:
        target = must_not if token.startswith("-") else must
        term = token.lstrip("+-")
        if term:
            target.append(_term(term))
    return lambda e: all(p(e) for p in must) and not any(p(e) for p in must_not)


def _term(term: str) -> Callable[[dict[str, Any]], bool]:
    if term == "*":
        return lambda _: True
    field, sep, value = term.partition(":")
    if not sep:
        needle = term.lower().replace("*", "")
        return lambda e: (
            needle in str(e["name"]).lower() or any(needle in str(v).lower() for v in e["properties"].values())
        )
    return lambda e: _value_matches(_term_values(e, field), value)


def _term_values(entity: dict[str, Any], field: str) -> list[str]:
    if field in entity and field not in {"properties", "contributions"}:
        value = entity[field]
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    key = field.removeprefix("properties.")
    found = entity["properties"].get(f"property-{key}")
    return [] if found is None else [str(found)]


def _value_matches(values: list[str], pattern: str) -> bool:
    if pattern == "*":
        return bool(values)
    if "*" in pattern or "?" in pattern:
        return any(fnmatch.fnmatchcase(v, pattern) for v in values)
    return pattern in values
