"""Glossary category routes (operation names are the spec's operationIds); the rules are in `categories.py`."""

from __future__ import annotations

from typing import Any

from emulators.purview.api.router import Ctx, Reply, RouteTable
from emulators.purview.model.access import CURATOR, READER
from emulators.purview.model.term_ops import page


def _read(ctx: Ctx) -> None:
    ctx.require(READER)


def _write(ctx: Ctx) -> None:
    ctx.require(CURATOR, ctx.store.collections.root)


def _paging(ctx: Ctx) -> dict[str, Any]:
    return {"limit": ctx.q_int("limit"), "offset": ctx.q_int("offset", 0), "sort": ctx.q("sort")}


def create(ctx: Ctx) -> Any:
    """POST /atlas/v2/glossary/category."""
    _write(ctx)
    return ctx.store.categories.render(ctx.store.categories.create(ctx.json(), ctx.principal))


def create_many(ctx: Ctx) -> Any:
    """POST /atlas/v2/glossary/categories."""
    _write(ctx)
    created = ctx.store.categories.create_many(ctx.json(), ctx.principal)
    return [ctx.store.categories.render(c) for c in created]


def get(ctx: Ctx) -> Any:
    """GET /atlas/v2/glossary/category/{categoryId}."""
    _read(ctx)
    return ctx.store.categories.render(ctx.store.categories.require(ctx.params["categoryId"]))


def update(partial: bool) -> Any:
    """Handler factory for PUT /glossary/category/{id} (full) and /partial."""

    def handler(ctx: Ctx) -> Any:
        _write(ctx)
        service = ctx.store.categories
        category = service.require(ctx.params["categoryId"])
        updated = (service.partial_update if partial else service.update)(category, ctx.json(), ctx.principal)
        return service.render(updated)

    return handler


def delete(ctx: Ctx) -> Any:
    """DELETE /atlas/v2/glossary/category/{categoryId} (204)."""
    _write(ctx)
    ctx.store.categories.delete(ctx.store.categories.require(ctx.params["categoryId"]))
    return Reply(204)


def related(ctx: Ctx) -> Any:
    """GET /atlas/v2/glossary/category/{categoryId}/related: `parent` / `children` headers."""
    _read(ctx)
    return ctx.store.categories.related(ctx.store.categories.require(ctx.params["categoryId"]))


def terms(ctx: Ctx) -> Any:
    """GET /atlas/v2/glossary/category/{categoryId}/terms: AtlasRelatedTermHeader list, paged like Atlas."""
    _read(ctx)
    headers = ctx.store.categories.term_headers(ctx.store.categories.require(ctx.params["categoryId"]))
    return page(headers, key=lambda h: str(h["displayText"]), **_paging(ctx))


def of_glossary(headers: bool) -> Any:
    """Handler factory for GET /glossary/{id}/categories and /categories/headers."""

    def handler(ctx: Ctx) -> Any:
        _read(ctx)
        glossary = ctx.store.glossary.require_glossary(ctx.params["glossaryId"])
        chosen = page(ctx.store.glossary.glossary_categories(glossary.guid), key=lambda c: c.name, **_paging(ctx))
        render = ctx.store.glossary.category_header if headers else ctx.store.categories.render
        return [render(c) for c in chosen]

    return handler


def register(table: RouteTable) -> None:
    """Add the category routes."""
    g = "/atlas/v2/glossary"
    c = f"{g}/category/{{categoryId}}"
    routes: list[tuple[str, str, str, Any, bool]] = [
        ("GET", f"{g}/{{glossaryId}}/categories", "Glossary_ListCategories", of_glossary(False), False),
        ("GET", f"{g}/{{glossaryId}}/categories/headers", "Glossary_ListCategoriesHeaders", of_glossary(True), False),
        ("POST", f"{g}/categories", "Glossary_CreateCategories", create_many, True),
        ("POST", f"{g}/category", "Glossary_CreateCategory", create, True),
        ("GET", c, "Glossary_GetCategory", get, False),
        ("PUT", c, "Glossary_UpdateCategory", update(False), True),
        ("DELETE", c, "Glossary_DeleteCategory", delete, True),
        ("PUT", f"{c}/partial", "Glossary_PartialUpdateCategory", update(True), True),
        ("GET", f"{c}/related", "Glossary_ListRelatedCategories", related, False),
        ("GET", f"{c}/terms", "Glossary_ListCategoryTerms", terms, False),
    ]
    for method, template, operation, handler, write in routes:
        table.add("datamap", method, template, operation, handler, write=write)
