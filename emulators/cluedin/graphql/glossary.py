"""Resolvers for the glossary fields of the `management` namespace (categories, terms, tags)."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType

from emulators.cluedin import glossary
from emulators.cluedin.graphql.context import Info, ctx, requires
from emulators.cluedin.graphql.management import mutation, query
from emulators.cluedin.util import matches_search, page_slice, parse_guid, sort_items

GLOSSARY = "management.glossary"

glossary_category = ObjectType("GlossaryCategory")
glossary_term = ObjectType("GlossaryTerm")


@query.field("glossaryCategories")
@requires(GLOSSARY)
def _categories(_obj: Any, info: Info) -> list[dict[str, Any]]:
    return list(ctx(info).store.glossary_categories.values())


@query.field("glossaryCategory")
@requires(GLOSSARY)
def _category(_obj: Any, info: Info, id: object) -> dict[str, Any]:
    return glossary.get_category(ctx(info).store, id)


@glossary_category.field("terms")
def _category_terms(obj: dict[str, Any], info: Info, isActive: bool | None = None) -> dict[str, Any]:
    terms = glossary.terms_in(ctx(info).store, obj["id"], isActive)
    return {"total": len(terms), "data": terms}


@query.field("glossaryTerms")
@requires(GLOSSARY)
def _terms(_obj: Any, info: Info, **args: Any) -> dict[str, Any]:
    items = [t for t in ctx(info).store.glossary_terms.values() if matches_search(t["name"], args.get("searchName"))]
    if args.get("isActive") is not None:
        items = [t for t in items if t["active"] == args["isActive"]]
    if args.get("categoryId"):
        category = parse_guid(args["categoryId"], "GlossaryCategory")
        items = [t for t in items if t["categoryId"] == category]
    items = sort_items(items, args.get("sortBy"), args.get("sortDirection"), default=lambda t: t["createdAt"])
    return {"total": len(items), "data": page_slice(items, args.get("pageNumber"), args.get("pageSize"), first_page=1)}


@query.field("glossaryTerm")
@requires(GLOSSARY)
def _term(_obj: Any, info: Info, id: object) -> dict[str, Any]:
    return glossary.get_term(ctx(info).store, id)


@query.field("glossaryTags")
@requires(GLOSSARY)
def _tags(_obj: Any, info: Info) -> list[dict[str, Any]]:
    return list(ctx(info).store.glossary_tags.values())


@mutation.field("createGlossaryCategory")
@requires(GLOSSARY, write=True)
def _create_category(_obj: Any, info: Info, category: dict[str, Any] | None = None) -> dict[str, Any]:
    return glossary.create_category(ctx(info).store, category, ctx(info).user_id)


@mutation.field("createGlossaryTerm")
@requires(GLOSSARY, write=True)
def _create_term(_obj: Any, info: Info, term: dict[str, Any] | None = None) -> dict[str, Any]:
    return glossary.create_term(ctx(info).store, term, ctx(info).user_id)


@mutation.field("saveGlossaryTerm")
@requires(GLOSSARY, write=True)
def _save_term(_obj: Any, info: Info, term: dict[str, Any] | None = None) -> dict[str, Any]:
    return glossary.save_term(ctx(info).store, term, ctx(info).user_id)


@mutation.field("endorseGlossaryTerm")
@requires(GLOSSARY, write=True)
def _endorse_term(_obj: Any, info: Info, termId: object = None, status: bool | None = None) -> dict[str, Any]:
    return glossary.endorse_term(ctx(info).store, termId, status, ctx(info).user_id)


@glossary_term.field("category")
def _term_category(obj: dict[str, Any], info: Info) -> dict[str, Any] | None:
    return ctx(info).store.glossary_categories.get(obj["categoryId"])


@glossary_term.field("isEndorsedByCurrentUser")
def _term_endorsed(obj: dict[str, Any], info: Info) -> bool:
    return ctx(info).user_id in obj["endorsedBy"]


@glossary_term.field("isOwner")
def _term_owner(obj: dict[str, Any], info: Info) -> bool:
    return bool(obj.get("ownedBy") == ctx(info).user_id)


BINDABLES = [glossary_category, glossary_term]
