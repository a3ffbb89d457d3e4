"""Classic glossary routes: glossaries, terms, term assignments (categories are in `category_routes`)."""

from __future__ import annotations

from typing import Any

from emulators.purview import errors
from emulators.purview.api.router import Ctx, Reply, RouteTable
from emulators.purview.model.access import CURATOR, READER
from emulators.purview.model.glossary import RELATED_TERM_FIELDS
from emulators.purview.model.term_ops import page


def _read(ctx: Ctx) -> None:
    ctx.require(READER)


def _write(ctx: Ctx) -> None:
    ctx.require(CURATOR, ctx.store.collections.root)


def _paging(ctx: Ctx) -> dict[str, Any]:
    return {"limit": ctx.q_int("limit"), "offset": ctx.q_int("offset", 0), "sort": ctx.q("sort")}


def list_glossaries(ctx: Ctx) -> Any:
    """GET /atlas/v2/glossary."""
    _read(ctx)
    ignore = ctx.q_bool("ignoreTermsAndCategories")
    glossaries = page(list(ctx.store.glossary.glossaries.values()), key=lambda g: g.name, **_paging(ctx))
    return [ctx.store.glossary.glossary_json(g, with_terms=not ignore) for g in glossaries]


def create_glossary(ctx: Ctx) -> Any:
    """POST /atlas/v2/glossary."""
    _write(ctx)
    glossary = ctx.store.glossary.create_glossary(ctx.json(), ctx.principal)
    ctx.store.search_index.glossary_changed("glossary", glossary.guid)
    return ctx.store.glossary.glossary_json(glossary)


def get_glossary(ctx: Ctx) -> Any:
    """GET /atlas/v2/glossary/{glossaryId}."""
    _read(ctx)
    return ctx.store.glossary.glossary_json(ctx.store.glossary.require_glossary(ctx.params["glossaryId"]))


def update_glossary(partial: bool) -> Any:
    """Handler factory for PUT /glossary/{id} and /glossary/{id}/partial."""

    def handler(ctx: Ctx) -> Any:
        _write(ctx)
        glossary = ctx.store.glossary.require_glossary(ctx.params["glossaryId"])
        body = ctx.json()
        if not isinstance(body, dict):
            raise errors.INVALID_PARAMETERS("invalid payload, expected an object")
        ctx.store.glossary.update_glossary(glossary, body, ctx.principal, partial=partial)
        ctx.store.search_index.glossary_changed("glossary", glossary.guid)
        for term_guid in glossary.term_guids:
            ctx.store.search_index.glossary_changed("term", term_guid)
            for rel in ctx.store.glossary.assignments(term_guid):
                ctx.store.entities.changed(rel.end2)
        return ctx.store.glossary.glossary_json(glossary, with_terms=not ctx.q_bool("ignoreTermsAndCategories"))

    return handler


def delete_glossary(ctx: Ctx) -> Any:
    """DELETE /atlas/v2/glossary/{glossaryId}."""
    _write(ctx)
    glossary = ctx.store.glossary.require_glossary(ctx.params["glossaryId"])
    ctx.store.terms.delete_glossary(glossary)
    ctx.store.categories.remove_glossary(glossary.guid)
    return Reply(204)


def detailed(ctx: Ctx) -> Any:
    """GET /atlas/v2/glossary/{glossaryId}/detailed."""
    _read(ctx)
    glossary = ctx.store.glossary.require_glossary(ctx.params["glossaryId"])
    out = ctx.store.glossary.glossary_json(glossary)
    out["termInfo"] = {g: ctx.store.glossary.term_json(ctx.store.glossary.terms[g]) for g in glossary.term_guids}
    out["categoryInfo"] = {
        c.guid: ctx.store.categories.render(c) for c in ctx.store.glossary.glossary_categories(glossary.guid)
    }
    return out


def list_terms(headers: bool) -> Any:
    """Handler factory for /glossary/{id}/terms and /terms/headers."""

    def handler(ctx: Ctx) -> Any:
        _read(ctx)
        glossary = ctx.store.glossary.require_glossary(ctx.params["glossaryId"])
        terms = [ctx.store.glossary.terms[g] for g in glossary.term_guids]
        chosen = page(terms, key=lambda t: t.name, **_paging(ctx))
        if headers:
            return [ctx.store.glossary.term_header(t) for t in chosen]
        children_of = ctx.store.glossary.children_index() if len(chosen) > 1 else None
        return [ctx.store.glossary.term_json(t, children_of) for t in chosen]

    return handler


def _anchor_of(body: Any) -> str | None:
    anchor = body.get("anchor") if isinstance(body, dict) else None
    guid = anchor.get("glossaryGuid") if isinstance(anchor, dict) else None
    return guid if isinstance(guid, str) else None


def _create_one(ctx: Ctx, body: Any) -> Any:
    """One term with its `categories` (validated before the term is stored)."""
    categories = ctx.store.categories.parse_term_categories(body, _anchor_of(body))
    term = ctx.store.terms.create(body, ctx.principal, include_hierarchy=ctx.q_bool("includeTermHierarchy"))
    if categories is not None:
        ctx.store.categories.set_term_categories(term, categories)
    return term


def create_term(ctx: Ctx) -> Any:
    """POST /atlas/v2/glossary/term."""
    _write(ctx)
    return ctx.store.glossary.term_json(_create_one(ctx, ctx.json()))


def create_terms(ctx: Ctx) -> Any:
    """POST /atlas/v2/glossary/terms: created one by one in order, like the service."""
    _write(ctx)
    body = ctx.json()
    if not isinstance(body, list):
        raise errors.INVALID_PARAMETERS("invalid payload, expected a list of terms")
    return [ctx.store.glossary.term_json(_create_one(ctx, item)) for item in body]


def get_term(ctx: Ctx) -> Any:
    """GET /atlas/v2/glossary/term/{termId}."""
    _read(ctx)
    return ctx.store.glossary.term_json(ctx.store.glossary.require_term(ctx.params["termId"]))


def update_term(partial: bool) -> Any:
    """Handler factory for PUT /glossary/term/{id} and /partial."""

    def handler(ctx: Ctx) -> Any:
        _write(ctx)
        term = ctx.store.glossary.require_term(ctx.params["termId"])
        include = ctx.q_bool("includeTermHierarchy")
        body = ctx.json()
        categories = None
        if not partial:  # a full update replaces the term's categories (absent: none), as in Atlas
            categories = ctx.store.categories.parse_term_categories(body, _anchor_of(body) or term.glossary_guid)
        service = ctx.store.terms
        updated = (service.partial_update if partial else service.update)(
            term, body, ctx.principal, include_hierarchy=include
        )
        if not partial:
            ctx.store.categories.set_term_categories(updated, categories or [])
        return ctx.store.glossary.term_json(updated)

    return handler


def delete_term(ctx: Ctx) -> Any:
    """DELETE /atlas/v2/glossary/term/{termId}."""
    _write(ctx)
    term = ctx.store.glossary.require_term(ctx.params["termId"])
    ctx.store.terms.delete(term, ctx.principal)
    ctx.store.categories.forget_term(term.guid)
    return Reply(204)


def assigned_entities(ctx: Ctx) -> Any:
    """GET /atlas/v2/glossary/terms/{termId}/assignedEntities."""
    _read(ctx)
    term = ctx.store.glossary.require_term(ctx.params["termId"])
    items = ctx.store.glossary.assigned_entities(term.guid)
    readable = ctx.emulator.access.readable(ctx.token, ctx.store.collections)
    if readable is not None:
        items = [i for i in items if ctx.store.entities.entities[i["guid"]].collection_id in readable]
    return page(items, key=lambda i: str(i.get("displayText")), **_paging(ctx))


def assign(ctx: Ctx) -> Any:
    """POST /atlas/v2/glossary/terms/{termId}/assignedEntities (204)."""
    _write(ctx)
    ctx.store.terms.assign(ctx.store.glossary.require_term(ctx.params["termId"]), ctx.json(), ctx.principal)
    return Reply(204)


def unassign(ctx: Ctx) -> Any:
    """DELETE /atlas/v2/glossary/terms/{termId}/assignedEntities (204)."""
    _write(ctx)
    ctx.store.terms.unassign(ctx.store.glossary.require_term(ctx.params["termId"]), ctx.json(), ctx.principal)
    return Reply(204)


def related_terms(ctx: Ctx) -> Any:
    """GET /atlas/v2/glossary/terms/{termId}/related: relation name -> related term headers."""
    _read(ctx)
    term_json = ctx.store.glossary.term_json(ctx.store.glossary.require_term(ctx.params["termId"]))
    return {name: term_json[name] for name in RELATED_TERM_FIELDS if term_json.get(name)}


def register(table: RouteTable) -> None:
    """Add the glossary routes."""
    g = "/atlas/v2/glossary"
    routes: list[tuple[str, str, str, Any, bool]] = [
        ("GET", g, "Glossary_List", list_glossaries, False),
        ("POST", g, "Glossary_Create", create_glossary, True),
        ("GET", f"{g}/{{glossaryId}}", "Glossary_Get", get_glossary, False),
        ("PUT", f"{g}/{{glossaryId}}", "Glossary_Update", update_glossary(False), True),
        ("DELETE", f"{g}/{{glossaryId}}", "Glossary_Delete", delete_glossary, True),
        ("GET", f"{g}/{{glossaryId}}/detailed", "Glossary_GetDetailed", detailed, False),
        ("PUT", f"{g}/{{glossaryId}}/partial", "Glossary_PartialUpdate", update_glossary(True), True),
        ("GET", f"{g}/{{glossaryId}}/terms", "Glossary_ListTerms", list_terms(False), False),
        ("GET", f"{g}/{{glossaryId}}/terms/headers", "Glossary_ListTermHeaders", list_terms(True), False),
        ("POST", f"{g}/term", "Glossary_CreateTerm", create_term, True),
        ("GET", f"{g}/term/{{termId}}", "Glossary_GetTerm", get_term, False),
        ("PUT", f"{g}/term/{{termId}}", "Glossary_UpdateTerm", update_term(False), True),
        ("DELETE", f"{g}/term/{{termId}}", "Glossary_DeleteTerm", delete_term, True),
        ("PUT", f"{g}/term/{{termId}}/partial", "Glossary_PartialUpdateTerm", update_term(True), True),
        ("POST", f"{g}/terms", "Glossary_CreateTerms", create_terms, True),
        (
            "GET",
            f"{g}/terms/{{termId}}/assignedEntities",
            "Glossary_ListEntitiesAssignedWithTerm",
            assigned_entities,
            False,
        ),
        ("POST", f"{g}/terms/{{termId}}/assignedEntities", "Glossary_AssignTermToEntities", assign, True),
        (
            "DELETE",
            f"{g}/terms/{{termId}}/assignedEntities",
            "Glossary_DeleteTermAssignmentFromEntities",
            unassign,
            True,
        ),
        ("GET", f"{g}/terms/{{termId}}/related", "Glossary_ListRelatedTerms", related_terms, False),
    ]
    for method, template, operation, handler, write in routes:
        table.add("datamap", method, template, operation, handler, write=write)
