"""Type definition routes: list, headers, bulk create/update/delete, get by name or guid per category."""

from __future__ import annotations

from typing import Any

from emulators.purview import errors
from emulators.purview.api.entity_routes import require_api_version
from emulators.purview.api.router import Ctx, Reply, RouteTable
from emulators.purview.model.access import CURATOR
from emulators.purview.model.typedefs import split_types_def

CATEGORIES = {
    "PRIMITIVE",
    "OBJECT_ID_TYPE",
    "ENUM",
    "STRUCT",
    "CLASSIFICATION",
    "ENTITY",
    "ARRAY",
    "MAP",
    "RELATIONSHIP",
    "TERM_TEMPLATE",
    "BUSINESS_METADATA",
}
PATH_CATEGORIES = {
    "businessmetadatadef": ("BUSINESS_METADATA", "BusinessMetadataDef"),
    "classificationdef": ("CLASSIFICATION", "ClassificationDef"),
    "entitydef": ("ENTITY", "EntityDef"),
    "enumdef": ("ENUM", "EnumDef"),
    "relationshipdef": ("RELATIONSHIP", "RelationshipDef"),
    "structdef": ("STRUCT", "StructDef"),
}


def _category_filter(ctx: Ctx) -> str | None:
    value = ctx.q("type")
    if value is None or value == "":
        return None
    upper = value.upper()
    if upper not in CATEGORIES:
        raise errors.INVALID_PARAMETERS(f"invalid type category {value}")
    return upper


def list_typedefs(ctx: Ctx) -> Any:
    """GET /atlas/v2/types/typedefs."""
    return ctx.store.types.list_defs(_category_filter(ctx), ctx.q_bool("includeTermTemplate"))


def list_headers(ctx: Ctx) -> Any:
    """GET /atlas/v2/types/typedefs/headers."""
    category = _category_filter(ctx)
    include_templates = ctx.q_bool("includeTermTemplate")
    out = []
    for typedef in ctx.store.types.defs.values():
        if category is not None and typedef["category"] != category:
            continue
        if typedef["category"] == "TERM_TEMPLATE" and not include_templates and category != "TERM_TEMPLATE":
            continue
        item = {"category": typedef["category"], "guid": typedef["guid"], "name": typedef["name"]}
        if typedef.get("serviceType"):  # captured headers carry it (purviewcli `types readTypeDefsHeaders`)
            item["serviceType"] = typedef["serviceType"]
        out.append(item)
    return out


def create(ctx: Ctx) -> Any:
    """POST /atlas/v2/types/typedefs."""
    ctx.require(CURATOR, ctx.store.collections.root)
    return ctx.store.types.create(ctx.json(), ctx.principal)


def update(ctx: Ctx) -> Any:
    """PUT /atlas/v2/types/typedefs."""
    ctx.require(CURATOR, ctx.store.collections.root)
    return ctx.store.types.update(ctx.json(), ctx.principal)


def bulk_delete(ctx: Ctx) -> Any:
    """DELETE /atlas/v2/types/typedefs."""
    ctx.require(CURATOR, ctx.store.collections.root)
    defs = split_types_def(ctx.json())
    ctx.store.types.delete(d["name"].strip() for _c, d in defs)
    return Reply(204)


def delete_by_name(ctx: Ctx) -> Any:
    """DELETE /atlas/v2/types/typedef/name/{name}."""
    ctx.require(CURATOR, ctx.store.collections.root)
    ctx.store.types.delete([ctx.params["name"]])
    return Reply(204)


def by_name(category: str | None) -> Any:
    """Handler factory: get a def by name, optionally restricted to a category."""

    def handler(ctx: Ctx) -> Any:
        if category == "TERM_TEMPLATE":
            require_api_version(ctx)
        return ctx.store.types.render(ctx.store.types.require(ctx.params["name"], category))

    return handler


def by_guid(category: str | None) -> Any:
    """Handler factory: get a def by guid, optionally restricted to a category."""

    def handler(ctx: Ctx) -> Any:
        if category == "TERM_TEMPLATE":
            require_api_version(ctx)
        return ctx.store.types.render(ctx.store.types.require_guid(ctx.params["guid"], category))

    return handler


def register(table: RouteTable) -> None:
    """Add the type definition routes."""
    t = "/atlas/v2/types"
    table.add("datamap", "GET", f"{t}/typedefs", "Type_List", list_typedefs, write=False)
    table.add("datamap", "GET", f"{t}/typedefs/headers", "Type_ListHeaders", list_headers, write=False)
    table.add("datamap", "POST", f"{t}/typedefs", "Type_BulkCreate", create, write=True)
    table.add("datamap", "PUT", f"{t}/typedefs", "Type_BulkUpdate", update, write=True)
    table.add("datamap", "DELETE", f"{t}/typedefs", "Type_BulkDelete", bulk_delete, write=True)
    table.add("datamap", "GET", f"{t}/typedef/name/{{name}}", "Type_GetByName", by_name(None), write=False)
    table.add("datamap", "GET", f"{t}/typedef/guid/{{guid}}", "Type_GetByGuid", by_guid(None), write=False)
    table.add("datamap", "DELETE", f"{t}/typedef/name/{{name}}", "Type_Delete", delete_by_name, write=True)
    for segment, (category, suffix) in PATH_CATEGORIES.items():
        table.add(
            "datamap", "GET", f"{t}/{segment}/name/{{name}}", f"Type_Get{suffix}ByName", by_name(category), write=False
        )
        table.add(
            "datamap", "GET", f"{t}/{segment}/guid/{{guid}}", f"Type_Get{suffix}ByGuid", by_guid(category), write=False
        )
    table.add(
        "datamap",
        "GET",
        "/types/termtemplatedef/name/{name}",
        "Type_GetTermTemplateDefByName",
        by_name("TERM_TEMPLATE"),
        write=False,
    )
    table.add(
        "datamap",
        "GET",
        "/types/termtemplatedef/guid/{guid}",
        "Type_GetTermTemplateDefByGuid",
        by_guid("TERM_TEMPLATE"),
        write=False,
    )
