"""The Unified Catalog routes, named by the generated SDK's operation ids (`DataProducts_Create`, ...).

Collection segments are matched case-insensitively: the SDK calls `/dataProducts`, pvw-cli `/dataproducts`,
both against the live service. Where the SDK and community clients disagree on an operation's form, both
forms are routed (data asset update by PUT and PATCH; duplicate counts by `POST …/query/count` and
`GET …/count`; relationship delete by query string and by path — see `relations.py`).
"""

from __future__ import annotations

from emulators.purview.unified import paging, queries, relations
from emulators.purview.unified.context import Call, Reply
from emulators.purview.unified.routing import Handler, Routes

COLLECTIONS = {"businessDomain": "businessdomains", "dataProduct": "dataproducts", "term": "terms"}
OPERATION_PREFIX = {"businessDomain": "BusinessDomains", "dataProduct": "DataProducts", "term": "Terms"}
QUERY_FILTERS = {"dataProduct": queries.product_filters, "term": queries.term_filters}


def build_routes() -> Routes:
    """Every Unified Catalog route; templates are lower case and matched against the lower-cased path."""
    table = Routes()
    add = table.add

    for kind, collection in COLLECTIONS.items():
        op = OPERATION_PREFIX[kind]
        listing = "Enumerate" if kind == "businessDomain" else "List"
        add("GET", f"/{collection}", f"{op}_{listing}", _list(kind))
        add("POST", f"/{collection}", f"{op}_Create", _create(kind), write=True)
        add("GET", f"/{collection}/{{id}}", f"{op}_Get", _get(kind))
        add("PUT", f"/{collection}/{{id}}", f"{op}_Update", _update(kind), write=True)
        add("DELETE", f"/{collection}/{{id}}", f"{op}_Delete", _delete(kind), write=True)
        if kind in QUERY_FILTERS:
            add("POST", f"/{collection}/query", f"{op}_Query", _query(kind))
            add("GET", f"/{collection}/query", f"{op}_Query", _query(kind))
            add("POST", f"/{collection}/query/count", f"{op}_Count", _count(kind))
            add("GET", f"/{collection}/count", f"{op}_Count", _count(kind))
    relations.register(add)
    return table


def _list(kind: str) -> Handler:
    def handle(call: Call, _params: dict[str, str]) -> Reply:
        catalog = call.catalog
        items = queries.select(catalog.all(kind), queries.list_filters(kind, call.params))
        items = paging.order(items, paging.order_from_query(call.param("orderBy")))
        window = call.window()
        result = call.page(items, window)
        result["value"] = [catalog.render(kind, r) for r in result["value"]]
        return Reply(200, result)

    return handle


def _create(kind: str) -> Handler:
    def handle(call: Call, _params: dict[str, str]) -> Reply:
        record = call.catalog.create(kind, call.json(), call.principal)
        return Reply(201, call.catalog.render(kind, record))

    return handle


def _get(kind: str) -> Handler:
    def handle(call: Call, params: dict[str, str]) -> Reply:
        return Reply(200, call.catalog.render(kind, call.catalog.get(kind, params["id"])))

    return handle


def _update(kind: str) -> Handler:
    def handle(call: Call, params: dict[str, str]) -> Reply:
        record = call.catalog.update(kind, params["id"], call.json(), call.principal)
        return Reply(200, call.catalog.render(kind, record))

    return handle


def _delete(kind: str) -> Handler:
    def handle(call: Call, params: dict[str, str]) -> Reply:
        call.catalog.delete(kind, params["id"])
        return Reply(204)

    return handle


def _query(kind: str) -> Handler:
    def handle(call: Call, _params: dict[str, str]) -> Reply:
        body, window = call.query()
        items = queries.select(call.catalog.all(kind), QUERY_FILTERS[kind](body))
        items = paging.order(items, paging.order_from_body(body.get("orderby")))
        result = call.page(items, window)
        result["value"] = [call.catalog.render(kind, r) for r in result["value"]]
        return Reply(200, result)

    return handle


def _count(kind: str) -> Handler:
    def handle(call: Call, _params: dict[str, str]) -> Reply:
        body = call.json() if call.method == "POST" else {"nameKeyword": call.param("nameKeyword") or ""}
        return Reply(200, {"count": queries.duplicate_count(call.catalog.all(kind), body)})

    return handle
