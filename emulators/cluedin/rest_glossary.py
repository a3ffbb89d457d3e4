"""REST routes of CluedIn's glossary controller (`/api/v1/glossary...`), over the same service as GraphQL."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute

from emulators.cluedin import clean, consume, filters, glossary
from emulators.cluedin.auth import Principal
from emulators.cluedin.rest import bool_param, json_body, paged, rest
from emulators.cluedin.store import CluedInStore
from emulators.cluedin.util import matches_search, parse_guid


def term_list_model(store: CluedInStore, term: dict[str, Any]) -> dict[str, Any]:
    """`TermListModel`: a term as the REST list returns it, with how many golden records match its rule set."""
    category = store.glossary_categories.get(term["categoryId"]) or {}
    matches = filters.count(store.entities.values(), term["ruleSet"]) if term.get("ruleSet") else 0
    return {
        "id": term["id"],
        "createdAt": term["createdAt"],
        "modifiedAt": term["modifiedAt"],
        "name": term["name"],
        "modifiedBy": term["modifiedBy"],
        "createdBy": term["createdBy"],
        "active": term["active"],
        "categoryId": term["categoryId"],
        "categoryName": category.get("name"),
        "matches": matches,
        "requiresAttention": term["requiresAttention"],
    }


async def list_terms(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET glossary?page&take&filterActive&filterCategory&searchName&orderBy&orderAsc`."""
    query = request.query_params
    items = [t for t in store.glossary_terms.values() if matches_search(t["name"], query.get("searchName"))]
    active = bool_param(request, "filterActive")
    if active is not None:
        items = [t for t in items if t["active"] == active]
    if query.get("filterCategory"):
        category = parse_guid(query["filterCategory"], "GlossaryCategory")
        items = [t for t in items if t["categoryId"] == category]
    if query.get("filterCreator"):
        items = [t for t in items if t["createdBy"] == query["filterCreator"]]
    order = query.get("orderBy") or "createdAt"
    items.sort(key=lambda t: str(t.get(order) or "").lower(), reverse=bool_param(request, "orderAsc") is False)
    return paged([term_list_model(store, t) for t in items], request)


async def add_term(request: Request, store: CluedInStore, principal: Principal) -> Any:
    """`POST glossary` with `AddTermModel{name, categoryId, parentId, ruleSet}`."""
    return glossary.create_term(store, await json_body(request), principal.user_id)


async def update_term(request: Request, store: CluedInStore, principal: Principal) -> Any:
    """`PUT glossary` with `UpdateTermModel`."""
    return glossary.save_term(store, await json_body(request), principal.user_id)


async def get_term(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET glossary/{id}`."""
    return glossary.get_term(store, request.path_params["id"])


async def delete_term(request: Request, store: CluedInStore, principal: Principal) -> Any:
    """`DELETE glossary/{id}`."""
    glossary.delete_term(store, request.path_params["id"], principal.user_id)
    return {"success": True}


async def list_categories(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET glossary/category?page&take`."""
    return paged(list(store.glossary_categories.values()), request, default_take=2**31 - 1)


async def add_category(request: Request, store: CluedInStore, principal: Principal) -> Any:
    """`POST glossary/category` with `{name}`."""
    return glossary.create_category(store, await json_body(request), principal.user_id)


async def update_category(request: Request, store: CluedInStore, principal: Principal) -> Any:
    """`PUT glossary/category` with `{id, name}`."""
    return glossary.save_category(store, await json_body(request), principal.user_id)


async def get_category(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET glossary/category/{id}`."""
    return glossary.get_category(store, request.path_params["id"])


async def delete_category(request: Request, store: CluedInStore, principal: Principal) -> Any:
    """`DELETE glossary/category/{id}`."""
    glossary.delete_category(store, request.path_params["id"], principal.user_id)
    return {"success": True}


async def search_categories(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET glossary/category/search/{name}`: categories whose name contains `name`."""
    return [c for c in store.glossary_categories.values() if matches_search(c["name"], request.path_params["name"])]


async def search_terms(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET glossary/term/search/{name}`: terms whose name contains `name`."""
    name = request.path_params["name"]
    return [term_list_model(store, t) for t in store.glossary_terms.values() if matches_search(t["name"], name)]


async def term_entities(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET glossarysearch/entities?id=`: the golden records a term's rule set selects (guess: the row shape)."""
    term = glossary.get_term(store, request.query_params.get("id"))
    found = [e for e in store.entities.values() if term.get("ruleSet") and filters.matches(e, term["ruleSet"])]
    rows = [{k: e[k] for k in ("id", "name", "displayName", "entityType", "originEntityCode")} for e in found]
    return paged(rows, request, default_take=2**31 - 1)


async def stream_from_term(request: Request, store: CluedInStore, principal: Principal) -> Any:
    """`POST glossary/stream?id=`: a new stream named after the term, filtering by its rule set (guess: answer)."""
    term = glossary.get_term(store, request.query_params.get("id"))
    return consume.create_stream(store, {"name": term["name"], "condition": term.get("ruleSet")}, principal.user_id)


async def clean_from_term(request: Request, store: CluedInStore, principal: Principal) -> Any:
    """`POST glossary/clean?id=`: a new clean project named after the term, over its rule set (guess: answer)."""
    term = glossary.get_term(store, request.query_params.get("id"))
    spec = {"name": term["name"], "condition": term.get("ruleSet") or filters.group([])}
    return clean.create_project(store, spec, principal.user_id)


def glossary_routes() -> list[BaseRoute]:
    """Glossary routes, most specific first so `category` is not taken for a term id."""
    table: list[BaseRoute] = []
    table += rest("glossarysearch/entities", ["GET"], term_entities)
    table += rest("glossary/stream", ["POST"], stream_from_term)
    table += rest("glossary/clean", ["POST"], clean_from_term)
    table += rest("glossary/category/search/{name}", ["GET"], search_categories)
    table += rest("glossary/term/search/{name}", ["GET"], search_terms)
    table += rest("glossary/category/{id}", ["GET"], get_category)
    table += rest("glossary/category/{id}", ["DELETE"], delete_category)
    table += rest("glossary/category", ["GET"], list_categories)
    table += rest("glossary/category", ["POST"], add_category)
    table += rest("glossary/category", ["PUT"], update_category)
    table += rest("glossary/{id}", ["GET"], get_term)
    table += rest("glossary/{id}", ["DELETE"], delete_term)
    table += rest("glossary", ["GET"], list_terms)
    table += rest("glossary", ["POST"], add_term)
    table += rest("glossary", ["PUT"], update_term)
    return table
