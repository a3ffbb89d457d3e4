"""Discovery (search/suggest/autocomplete) and lineage routes."""

from __future__ import annotations

from typing import Any

from emulators.purview.api.entity_routes import require_api_version
from emulators.purview.api.router import Ctx, RouteTable
from emulators.purview.model.access import READER


def query(ctx: Ctx) -> Any:
    """POST /search/query (api-version required; old versions page with `offset`)."""
    version = require_api_version(ctx)
    ctx.require(READER)
    allowed = ctx.emulator.access.readable(ctx.token, ctx.store.collections)
    return ctx.store.search.query(ctx.json(), version, allowed)


def suggest(ctx: Ctx) -> Any:
    """POST /search/suggest."""
    require_api_version(ctx)
    ctx.require(READER)
    return ctx.store.search.suggest(ctx.json(), ctx.emulator.access.readable(ctx.token, ctx.store.collections))


def autocomplete(ctx: Ctx) -> Any:
    """POST /search/autocomplete."""
    require_api_version(ctx)
    ctx.require(READER)
    return ctx.store.search.autocomplete(ctx.json())


def lineage(ctx: Ctx) -> Any:
    """GET /atlas/v2/lineage/{guid}?direction=&depth= (pyapacheatlas' extra `width` is accepted)."""
    entity = ctx.store.entities.require(ctx.params["guid"])
    ctx.require(READER, entity.collection_id)
    return ctx.store.lineage.get(entity.guid, ctx.q("direction"), ctx.q_int("depth"), ctx.q_int("width"))


def lineage_unique(ctx: Ctx) -> Any:
    """GET /atlas/v2/lineage/uniqueAttribute/type/{typeName}?attr:qualifiedName=..."""
    entity = ctx.store.entities.require_unique(ctx.params["typeName"], ctx.attr())
    ctx.require(READER, entity.collection_id)
    return ctx.store.lineage.get(entity.guid, ctx.q("direction"), ctx.q_int("depth"), ctx.q_int("width"))


def lineage_next(ctx: Ctx) -> Any:
    """GET /lineage/{guid}/next (api-version required) and its Atlas path /atlas/v2/lineage/{guid}/next.

    pyapacheatlas' `get_entity_next_lineage` calls the Atlas path without an api-version and with
    `limit=-1` ("no paging") and `getDerivedLineage`; its integration test against live Purview expects
    the base entity plus one neighbour for `limit=1`.
    """
    if not ctx.route.legacy:
        require_api_version(ctx)
    entity = ctx.store.entities.require(ctx.params["guid"])
    ctx.require(READER, entity.collection_id)
    offset = ctx.q_int("offset", 0) or 0
    limit = ctx.q_int("limit", 10)
    ctx.q_bool("getDerivedLineage")
    return ctx.store.lineage.next_page(entity.guid, ctx.q("direction"), offset, 10 if limit is None else limit)


def register(table: RouteTable) -> None:
    """Add the discovery and lineage routes."""
    table.add("datamap", "POST", "/search/query", "Discovery_Query", query, write=False)
    table.add("datamap", "POST", "/search/suggest", "Discovery_Suggest", suggest, write=False)
    table.add("datamap", "POST", "/search/autocomplete", "Discovery_AutoComplete", autocomplete, write=False)
    table.add("datamap", "GET", "/atlas/v2/lineage/{guid}", "Lineage_Get", lineage, write=False)
    table.add(
        "datamap",
        "GET",
        "/atlas/v2/lineage/uniqueAttribute/type/{typeName}",
        "Lineage_GetByUniqueAttribute",
        lineage_unique,
        write=False,
    )
    table.add("datamap", "GET", "/lineage/{guid}/next", "Lineage_GetNextPage", lineage_next, write=False)
    table.add(
        "datamap", "GET", "/atlas/v2/lineage/{guid}/next", "Lineage_GetNextPage", lineage_next, write=False, legacy=True
    )
