"""Data asset routes and the relationship routes of data products, data assets and terms.

Relationship calls read their body at the root (`{entityId, relationshipType, description, assetId?}`) and
take `entityType` from the query string. Delete has two forms in the wild, both routed:

- query form — `DELETE …/relationships?entityType=DATAASSET&entityId=<id>[&relationshipType=Related]`
  (the generated SDK and unifiedcatalogpy);
- path form — `DELETE …/relationships/<entityId>?entityType=DATAASSET` (pvw-cli, whose maintainers say the
  query form was ignored by the service for them).

GUESS: `entityType` is optional on list and delete (all categories match) and required on create, except
on a term, where it defaults to `TERM`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulators.purview.unified import paging, queries, values
from emulators.purview.unified.context import Call, Reply
from emulators.purview.unified.errors import invalid
from emulators.purview.unified.routing import Handler

Add = Callable[..., None]
OWNERS = {
    "dataProduct": ("dataproducts", "DataProducts", ("ListRelationships", "CreateRelationship", "DeleteRelationship")),
    "dataAsset": ("dataassets", "DataAssets", ("ListRelationships", "CreateRelationship", "DeleteRelationship")),
    "term": ("terms", "Terms", ("ListRelatedEntities", "AddRelatedEntity", "DeleteRelated")),
}


def register(add: Add) -> None:
    """Add the data asset and relationship routes through the route table's `add`."""
    add("GET", "/dataassets", "DataAssets_List", _list_assets)
    add("POST", "/dataassets", "DataAssets_Create", _create_asset, write=True)
    add("POST", "/dataassets/query", "DataAssets_Query", _query_assets)
    add("GET", "/dataassets/query", "DataAssets_Query", _query_assets)
    add("GET", "/dataassets/{id}", "DataAssets_GetById", _get_asset)
    add("PUT", "/dataassets/{id}", "DataAssets_Update", _update_asset, write=True)
    add("PATCH", "/dataassets/{id}", "DataAssets_Update", _update_asset, write=True)
    add("DELETE", "/dataassets/{id}", "DataAssets_DeleteById", _delete_asset, write=True)
    for kind, (collection, op, (list_op, create_op, delete_op)) in OWNERS.items():
        base = f"/{collection}/{{id}}/relationships"
        add("GET", base, f"{op}_{list_op}", _list_relationships(kind))
        add("POST", base, f"{op}_{create_op}", _create_relationship(kind), write=True)
        add("DELETE", base, f"{op}_{delete_op}", _delete_relationship(kind), write=True)
        add("DELETE", f"{base}/{{entityId}}", f"{op}_{delete_op}", _delete_relationship(kind), write=True)


# ----- data assets -----------------------------------------------------------------------------------


def _list_assets(call: Call, _params: dict[str, str]) -> Reply:
    _flag(call, "includeExtendedProperties")
    items = paging.order(call.catalog.all("dataAsset"), paging.order_from_query(call.param("orderBy")))
    return Reply(200, call.page(items, call.window()))


def _create_asset(call: Call, _params: dict[str, str]) -> Reply:
    return Reply(201, call.catalog.create_asset(call.json(), call.principal))


def _get_asset(call: Call, params: dict[str, str]) -> Reply:
    """GetById; lineage is not emulated (the field is omitted).

    GUESS: `includeExtendedProperties` and `includeLineage`, required by the SDK, are optional here.
    """
    _flag(call, "includeExtendedProperties")
    _flag(call, "includeLineage")
    return Reply(200, call.catalog.get("dataAsset", params["id"]))


def _update_asset(call: Call, params: dict[str, str]) -> Reply:
    return Reply(200, call.catalog.update_asset(params["id"], call.json(), call.principal))


def _delete_asset(call: Call, params: dict[str, str]) -> Reply:
    call.catalog.delete("dataAsset", params["id"])
    return Reply(204)


def _query_assets(call: Call, _params: dict[str, str]) -> Reply:
    body, window = call.query()
    catalog = call.catalog
    checks = queries.asset_filters(body, lambda i: catalog.relationships.count(("DATAASSET", i), "DATAPRODUCT") > 0)
    items = paging.order(queries.select(catalog.all("dataAsset"), checks), paging.order_from_body(body.get("orderby")))
    return Reply(200, call.page(items, window))


def _flag(call: Call, name: str) -> bool | None:
    value = call.param(name)
    if value is None:
        return None
    if value.lower() not in ("true", "false"):
        raise invalid(f"{name} must be true or false", target=name)
    return value.lower() == "true"


# ----- relationships -----------------------------------------------------------------------------------


def _category(call: Call, *, default: str | None = None, required: bool = False) -> str | None:
    value = call.param("entityType")
    if value is None:
        if required and default is None:
            raise invalid("the entityType query parameter is required", target="entityType")
        return default
    return values.entity_category(value)


def _list_relationships(kind: str) -> Handler:
    def handle(call: Call, params: dict[str, str]) -> Reply:
        items = call.catalog.related(kind, params["id"], _category(call))
        wanted = call.param("relationshipType")
        if wanted is not None:
            items = [r for r in items if r["relationshipType"].lower() == wanted.lower()]
        return Reply(200, call.page(items, call.window()))

    return handle


def _create_relationship(kind: str) -> Handler:
    def handle(call: Call, params: dict[str, str]) -> Reply:
        category = _category(call, default="TERM" if kind == "term" else None, required=True)
        assert category is not None
        body: Any = call.json()
        created = call.catalog.relate(
            kind, params["id"], category, body, call.principal, strict=call.strict_relationships
        )
        return Reply(200, created)

    return handle


def _delete_relationship(kind: str) -> Handler:
    def handle(call: Call, params: dict[str, str]) -> Reply:
        entity_id = params.get("entityId") or call.param("entityId")
        if entity_id is None:
            raise invalid("entityId is required (query string, or path …/relationships/{entityId})", target="entityId")
        relationship_type = call.param("relationshipType")
        call.catalog.unrelate(kind, params["id"], _category(call), entity_id, relationship_type)
        return Reply(204)

    return handle
