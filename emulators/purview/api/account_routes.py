"""Account data plane routes (collections), under /account and under the bare /collections pyapacheatlas uses."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from emulators.purview.api.router import Ctx, Reply, RouteTable
from emulators.purview.errors import AccountError
from emulators.purview.model.access import ADMIN, READER


def _api_version(ctx: Ctx) -> str:
    version = ctx.q("api-version")
    if not version:
        raise AccountError(
            400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required."
        )
    return version


def _can_read(ctx: Ctx) -> None:
    access = ctx.emulator.access
    collections = ctx.store.collections
    if not (access.allows(ctx.token, READER, None, collections) or access.allows(ctx.token, ADMIN, None, collections)):
        ctx.require(READER)


def _page_link(ctx: Ctx, offset: int) -> str:
    path = ctx.scope["path"]
    version = quote(_api_version(ctx))
    return f"{ctx.base_url}{path}?api-version={version}&$skipToken={offset}"


def _paged(ctx: Ctx, items: list[dict[str, Any]]) -> dict[str, Any]:
    token = ctx.q("$skipToken")
    try:
        offset = int(token) if token else 0
    except ValueError:
        raise AccountError(400, "InvalidSkipToken", "The $skipToken is not valid.") from None
    size = ctx.emulator.options.collection_page_size
    window = items[offset : offset + size]
    out: dict[str, Any] = {"value": window, "count": len(window)}
    if offset + size < len(items):
        out["nextLink"] = _page_link(ctx, offset + size)
    return out


def list_collections(ctx: Ctx) -> Any:
    """GET /collections (nextLink paging)."""
    _api_version(ctx)
    _can_read(ctx)
    return _paged(ctx, list(ctx.store.collections.collections.values()))


def get_collection(ctx: Ctx) -> Any:
    """GET /collections/{collectionName}."""
    _api_version(ctx)
    _can_read(ctx)
    return ctx.store.collections.get(ctx.params["collectionName"])


def put_collection(ctx: Ctx) -> Any:
    """PUT /collections/{collectionName}: collection admin on the parent (or on the collection when updating)."""
    _api_version(ctx)
    body = ctx.json()
    store = ctx.store.collections
    name = ctx.params["collectionName"]
    parent = ((body.get("parentCollection") or {}) if isinstance(body, dict) else {}).get("referenceName")
    scope = name if store.exists(name) else (parent or store.root)
    ctx.require(ADMIN, scope if isinstance(scope, str) and store.exists(scope) else store.root)
    return store.create_or_update(name, body, ctx.principal)


def delete_collection(ctx: Ctx) -> Any:
    """DELETE /collections/{collectionName}."""
    _api_version(ctx)
    name = ctx.store.collections.get(ctx.params["collectionName"])["name"]
    ctx.require(ADMIN, name)
    ctx.store.collections.delete(name)
    return Reply(204)


def child_names(ctx: Ctx) -> Any:
    """GET /collections/{collectionName}/getChildCollectionNames."""
    _api_version(ctx)
    _can_read(ctx)
    ctx.store.collections.get(ctx.params["collectionName"])
    children = ctx.store.collections.children(ctx.params["collectionName"])
    return _paged(ctx, [{"name": c["name"], "friendlyName": c["friendlyName"]} for c in children])


def collection_path(ctx: Ctx) -> Any:
    """GET /collections/{collectionName}/getCollectionPath."""
    _api_version(ctx)
    _can_read(ctx)
    return ctx.store.collections.path(ctx.params["collectionName"])


def register(table: RouteTable) -> None:
    """Add the Account API collection routes (the same templates serve /account/... and /collections...)."""
    c = "/collections"
    table.add("account", "GET", c, "Collections_ListByAccount", list_collections, write=False)
    table.add("account", "GET", f"{c}/{{collectionName}}", "Collections_Get", get_collection, write=False)
    table.add("account", "PUT", f"{c}/{{collectionName}}", "Collections_CreateOrUpdate", put_collection, write=True)
    table.add("account", "DELETE", f"{c}/{{collectionName}}", "Collections_Delete", delete_collection, write=True)
    table.add(
        "account",
        "GET",
        f"{c}/{{collectionName}}/getChildCollectionNames",
        "Collections_GetChildCollectionNames",
        child_names,
        write=False,
    )
    table.add(
        "account",
        "GET",
        f"{c}/{{collectionName}}/getCollectionPath",
        "Collections_GetCollectionPath",
        collection_path,
        write=False,
    )
