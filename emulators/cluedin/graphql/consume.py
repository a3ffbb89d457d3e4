"""Resolvers for the `consume` namespace (streams) and for the data GraphQL (search, entity, metrics)."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType, QueryType, ScalarType

from emulators.cluedin import consume, edges, entities, filters
from emulators.cluedin.graphql.context import Info, ctx, requires
from emulators.cluedin.graphql.shared import json_scalar, resolve_author, resolve_is_owner
from emulators.cluedin.util import NotFoundError, matches_search, page_slice, parse_guid, sort_items

STREAMS = "consume.streams"
METADATA_PROPERTIES = ("Name", "EntityType", "OriginEntityCode", "Codes", "CreatedDate", "ModifiedDate")

query = ObjectType("ConsumeQuery")
mutation = ObjectType("ConsumeMutation")
stream = ObjectType("Stream")


@query.field("streams")
@requires(STREAMS)
def _streams(_obj: Any, info: Info, **args: Any) -> dict[str, Any]:
    items = [s for s in ctx(info).store.streams.values() if matches_search(s["name"], args.get("searchName"))]
    status = str(args.get("status") or "All")
    if status.lower() != "all":
        items = [s for s in items if str(s["status"]).lower() == status.lower()]
    if args.get("exportTargetId"):
        target = parse_guid(args["exportTargetId"], "ExportTarget")
        items = [s for s in items if s["connectorProviderDefinitionId"] == target]
    items = sort_items(items, args.get("sortBy"), args.get("sortDirection"), default=lambda s: s["createdAt"])
    page = page_slice(items, args.get("pageNumber"), args.get("itemsPerPage"), first_page=1)
    return {"total": len(items), "data": page}


@query.field("stream")
@requires(STREAMS)
def _stream(_obj: Any, info: Info, id: object) -> dict[str, Any]:
    return consume.get_stream(ctx(info).store, id)


@query.field("streamMappingProperties")
@requires(STREAMS)
def _mapping_properties(_obj: Any, info: Info) -> list[dict[str, Any]]:
    keys = [
        {"displayName": k["displayName"], "key": k["key"], "type": "vocabkey"}
        for k in ctx(info).store.vocabulary_keys.values()
    ]
    return [{"displayName": p, "key": p, "type": "metadata"} for p in METADATA_PROPERTIES] + keys


@mutation.field("createStream")
@requires(STREAMS, write=True)
def _create_stream(_obj: Any, info: Info, stream: dict[str, Any]) -> dict[str, Any]:
    return consume.create_stream(ctx(info).store, stream, ctx(info).user_id)


@mutation.field("saveStream")
@requires(STREAMS, write=True)
def _save_stream(_obj: Any, info: Info, stream: dict[str, Any]) -> dict[str, Any]:
    return consume.save_stream(ctx(info).store, stream, ctx(info).user_id)


@mutation.field("setupConnectorStream")
@requires(STREAMS, write=True)
def _setup_connector_stream(
    _obj: Any, info: Info, streamId: object, exportConfiguration: dict[str, Any] | None = None
) -> dict[str, Any]:
    return consume.setup_connector_stream(ctx(info).store, streamId, exportConfiguration, ctx(info).user_id)


@mutation.field("activateStream")
@requires(STREAMS, write=True)
def _activate(_obj: Any, info: Info, streamId: object) -> dict[str, Any]:
    return consume.set_stream_active(ctx(info).store, streamId, True, ctx(info).user_id)


@mutation.field("deActivateStream")
@requires(STREAMS, write=True)
def _deactivate(_obj: Any, info: Info, streamId: object) -> dict[str, Any]:
    return consume.set_stream_active(ctx(info).store, streamId, False, ctx(info).user_id)


@stream.field("numberOfRecords")
def _number_of_records(obj: dict[str, Any], info: Info) -> int:
    return filters.count(ctx(info).store.entities.values(), obj["condition"])


@stream.field("connector")
def _stream_connector(obj: dict[str, Any], info: Info) -> dict[str, Any] | None:
    return ctx(info).store.provider_definitions.get(obj.get("connectorProviderDefinitionId") or "")


stream.set_field("author", resolve_author)
stream.set_field("isOwner", resolve_is_owner)

UI_BINDABLES = [query, mutation, stream]

# ---------------------------------------------------------------------- data GraphQL

data_query = QueryType()
entity = ObjectType("Entity")
entity_edges = ObjectType("EntityEdges")
paging_cursor = ScalarType("PagingCursor")
guid_scalar = ScalarType("Guid")


@paging_cursor.value_parser
def _parse_cursor(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("PagingCursor must be a string")
    return value


@guid_scalar.value_parser
def _parse_guid_scalar(value: Any) -> str:
    return parse_guid(value, "Guid")


@data_query.field("search")
def _search(_obj: Any, info: Info, **args: Any) -> dict[str, Any]:
    return entities.search(ctx(info).store, args)


@data_query.field("entity")
def _entity(_obj: Any, info: Info, id: object) -> dict[str, Any]:
    found = ctx(info).store.entities.get(parse_guid(id, "Entity"))
    if found is None:
        raise NotFoundError("Entity", id)
    return found


@data_query.field("metrics")
def _metrics(_obj: Any, info: Info, names: list[str | None] | None = None) -> list[dict[str, Any]]:
    return ctx(info).metrics.metrics([n for n in names or [] if n])


@entity.field("properties")
def _entity_properties(obj: dict[str, Any], _info: Info, propertyNames: list[str] | None = None) -> Any:
    properties: dict[str, Any] = obj["properties"]
    if not propertyNames:
        return properties
    wanted = {f"property-{n}" for n in propertyNames if n}
    return {k: v for k, v in properties.items() if k in wanted or k == "attribute-type"}


@entity.field("edgesSummary")
def _edges_summary(_obj: dict[str, Any], _info: Info) -> dict[str, Any]:
    return {"incoming": [], "outgoing": []}


@entity.field("edges")
def _edges(obj: dict[str, Any], _info: Info) -> dict[str, Any]:
    return {"entity": obj}


@entity_edges.field("outgoingOfType")
def _outgoing(obj: dict[str, Any], info: Info, entityType: str | None = None, edgeType: str | None = None) -> Any:
    return {"entries": edges.of_type(ctx(info).store, obj["entity"], "Outgoing", entityType, edgeType)}


@entity_edges.field("incomingOfType")
def _incoming(obj: dict[str, Any], info: Info, entityType: str | None = None, edgeType: str | None = None) -> Any:
    return {"entries": edges.of_type(ctx(info).store, obj["entity"], "Incoming", entityType, edgeType)}


@data_query.field("me")
def _me(_obj: Any, info: Info) -> dict[str, Any]:
    """The caller (user access token or API token: both name a user)."""
    context = ctx(info)
    user, org = context.principal.user, context.store.org
    return {
        "id": user["id"],
        "userName": user["username"],
        "email": user["username"],
        "roles": user["roles"],
        "clientId": org["name"],
        "organizationId": org["id"],
        "organizationName": org["displayName"],
        "entity": None,
    }


DATA_BINDABLES = [data_query, entity, entity_edges, paging_cursor, guid_scalar, json_scalar]
