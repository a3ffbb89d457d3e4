"""The data GraphQL `search` over golden records: Lucene-like query, filters, sort and cursor paging.

Golden records themselves are made in golden.py; this module only finds them. The query language is the subset
CluedIn's documentation shows (`field:value`, wildcards, `+must`, `-mustNot`, free text); `rule` takes a filter
tree (JSON text) and is evaluated by filters.py like every other tree **(guess: what the argument takes)**.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import shlex
from collections.abc import Callable
from typing import Any

from emulators.cluedin import filters
from emulators.cluedin.store import CluedInStore
from emulators.cluedin.util import EmulatorError

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
    if args.get("rule"):
        predicates.append(_rule_predicate(str(args["rule"])))
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


def _rule_predicate(text: str) -> Callable[[dict[str, Any]], bool]:
    try:
        tree = filters.normalize(json.loads(text), "rule")
    except ValueError:
        raise EmulatorError("rule must be a filter tree as JSON text") from None
    return lambda e: filters.matches(e, tree)


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
