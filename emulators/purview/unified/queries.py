"""Filters of the list (`GET`) and query (`POST …/query`) operations, and the duplicate-name counts.

Filter names come from the SDK's request models (DataProductQueryRequest, DataAssetQueryRequest, the term
and CDE query requests) and the list operations' query parameters. Matching rules are **GUESSES** where the
models say only "To filter by …": `nameKeyword`/`keyword` is a case-insensitive substring of the name,
status and type filters are case-insensitive, `owners` matches `contacts.owner[].id`. `managedAttributes`
filters are accepted and ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from emulators.purview.unified import values
from emulators.purview.unified.errors import invalid

Record = dict[str, Any]
Predicate = Callable[[Record], bool]


def _strings(body: Mapping[str, Any], field: str) -> list[str] | None:
    value = body.get(field)
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid(f"{field} must be a list of strings", target=field)
    return value


def _keyword(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(f"{field} must be a string", target=field)
    return value.lower()


def _ids(values_: list[str]) -> set[str]:
    return {v.strip().lower() for v in values_}


def _owners(record: Record) -> set[str]:
    people = (record.get("contacts") or {}).get("owner") or []
    return {str(p.get("id", "")).lower() for p in people}


def common(body: Mapping[str, Any]) -> list[Predicate]:
    """ids, domainIds, nameKeyword, owners, status, multiStatus (shared by product, term and CDE queries)."""
    checks: list[Predicate] = []
    ids = _strings(body, "ids")
    if ids is not None:
        wanted = _ids(ids)
        checks.append(lambda r: r["id"] in wanted)
    domains = _strings(body, "domainIds")
    if domains is not None:
        wanted_domains = _ids(domains)
        checks.append(lambda r: str(r.get("domain", "")).lower() in wanted_domains)
    keyword = _keyword(body.get("nameKeyword"), "nameKeyword")
    if keyword:
        checks.append(lambda r: keyword in str(r.get("name", "")).lower())
    owners = _strings(body, "owners")
    if owners is not None:
        wanted_owners = _ids(owners)
        checks.append(lambda r: bool(_owners(r) & wanted_owners))
    statuses = [body["status"]] if body.get("status") is not None else []
    statuses += _strings(body, "multiStatus") or []
    if statuses:
        allowed = {values.status(s) for s in statuses}
        checks.append(lambda r: r.get("status") in allowed)
    return checks


def product_filters(body: Mapping[str, Any]) -> list[Predicate]:
    """DataProductQueryRequest: the common filters plus `type` / `types`."""
    checks = common(body)
    types = _strings(body, "types") or []
    if body.get("type") is not None:
        types += _strings(body, "type") or []
    if types:
        wanted = {t.lower() for t in types}
        checks.append(lambda r: str(r.get("type", "")).lower() in wanted)
    return checks


def term_filters(body: Mapping[str, Any]) -> list[Predicate]:
    """Term queries: the common filters plus `parentId` (GUESS)."""
    checks = common(body)
    parent = body.get("parentId")
    if parent is not None:
        wanted = values.guid(parent, "parentId")
        checks.append(lambda r: r.get("parentId") == wanted)
    return checks


def asset_filters(body: Mapping[str, Any], linked: Callable[[str], bool]) -> list[Predicate]:
    """DataAssetQueryRequest: ids, nameKeyword, owners, sourceAssetIds (Data Map guids), assetTypes, includingOrphans.

    GUESS: an orphan is a data asset in no data product; only an explicit `includingOrphans: false` hides
    them, because pvw-cli looks assets up by `sourceAssetIds` alone right after creating them.
    """
    checks: list[Predicate] = []
    ids = _strings(body, "ids")
    if ids is not None:
        wanted = _ids(ids)
        checks.append(lambda r: r["id"] in wanted)
    keyword = _keyword(body.get("nameKeyword"), "nameKeyword")
    if keyword:
        checks.append(lambda r: keyword in str(r.get("name", "")).lower())
    owners = _strings(body, "owners")
    if owners is not None:
        wanted_owners = _ids(owners)
        checks.append(lambda r: bool(_owners(r) & wanted_owners))
    sources = _strings(body, "sourceAssetIds")
    if sources is not None:
        wanted_sources = _ids(sources)
        checks.append(lambda r: r["source"]["assetId"] in wanted_sources)
    kinds = _strings(body, "assetTypes")
    if kinds is not None:
        wanted_kinds = {k.lower() for k in kinds}
        checks.append(lambda r: r["source"]["assetType"].lower() in wanted_kinds or r["type"].lower() in wanted_kinds)
    orphans = body.get("includingOrphans")
    if orphans is not None and not isinstance(orphans, bool):
        raise invalid("includingOrphans must be a boolean", target="includingOrphans")
    if orphans is False:
        checks.append(lambda r: linked(r["id"]))
    return checks


def list_filters(kind: str, params: Mapping[str, str]) -> list[Predicate]:
    """Query-parameter filters of the GET lists: domainId (products, terms), parentId, keyword, status (PVW)."""
    body: dict[str, Any] = {}
    if params.get("domainid"):
        body["domainIds"] = [params["domainid"]]
    if params.get("keyword"):
        body["nameKeyword"] = params["keyword"]
    if params.get("status"):
        body["status"] = params["status"]
    if kind == "term" and params.get("parentid"):
        body["parentId"] = params["parentid"]
    return term_filters(body) if kind == "term" else common(body)


def select(items: list[Record], checks: list[Predicate]) -> list[Record]:
    """The items passing every check, order kept."""
    return [item for item in items if all(check(item) for check in checks)]


def duplicate_count(items: list[Record], body: Any) -> int:
    """`…/query/count {"nameKeyword"}`: how many records already use that name (case-insensitive, GUESS)."""
    if not isinstance(body, dict) or not isinstance(body.get("nameKeyword"), str):
        raise invalid("nameKeyword is required", target="nameKeyword")
    name = body["nameKeyword"].strip().lower()
    return sum(1 for item in items if str(item.get("name", "")).strip().lower() == name)
