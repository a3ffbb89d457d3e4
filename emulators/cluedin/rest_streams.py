"""REST routes of CluedIn's streams controller (`/api/v1/streams...`, `streammapping`, `streamsvocabularykeys`).

Over the same service as the `consume` GraphQL. Swagger gives `StreamModel` and `StreamPagingResult{data, total}`;
`status` there is the `StreamStatus` enum 0-3, taken to be the documentation's New, Streaming, Paused, Stopped in
that order, and `StreamMappingModel.sourceObjectType` 0/1 to be entity property / vocabulary key **(guesses)**.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute

from emulators.cluedin import consume
from emulators.cluedin.auth import Principal
from emulators.cluedin.rest import bool_param, paged, rest
from emulators.cluedin.store import CluedInStore
from emulators.cluedin.util import matches_search, parse_guid

STATUS_NUMBERS = {consume.NEW: 0, consume.STREAMING: 1, consume.PAUSED: 2, consume.STOPPED: 3}
MODE_NUMBERS = {"Sync": 0, "EventStream": 1}


def stream_model(store: CluedInStore, stream: dict[str, Any]) -> dict[str, Any]:
    """Swagger's `StreamModel` for a stream."""
    keys = ("name", "description", "id", "createdAt", "createdBy", "modifiedAt", "modifiedBy", "condition",
            "connectorProviderDefinitionId", "containerName", "exportIncomingEdges", "exportOutgoingEdges",
            "requiresAttention", "connectorProperties")  # fmt: skip
    return {
        **{k: stream.get(k) for k in keys},
        "organizationId": store.org["id"],
        "rules": stream.get("rules") or [],
        "rulesApplied": 0,
        "exportIncomingEdgeProperties": bool(stream.get("exportIncomingEdgeProperties")),
        "exportOutgoingEdgeProperties": bool(stream.get("exportOutgoingEdgeProperties")),
        "mode": MODE_NUMBERS.get(str(stream.get("mode")), 0),
        "status": STATUS_NUMBERS.get(str(stream["status"]), 0),
        "loggingVersion": 1,
        "ingestionCallbackId": None,
        "ingestionCallbackData": None,
        "mostRecentIdleStreamEventAt": None,
        "streamIngestionJobId": None,
    }


async def list_streams(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET streams?page&take&searchName&orderBy&orderAsc&filterCreator&filterStreamStatus` and by export target.

    The export-target filter is `filterConnectorProviderDefinitionId`.
    """
    query = request.query_params
    items = [s for s in store.streams.values() if matches_search(s["name"], query.get("searchName"))]
    if query.get("filterCreator"):
        items = [s for s in items if s["createdBy"] == query["filterCreator"]]
    if query.get("filterConnectorProviderDefinitionId"):
        target = parse_guid(query["filterConnectorProviderDefinitionId"], "ExportTarget")
        items = [s for s in items if s["connectorProviderDefinitionId"] == target]
    if query.get("filterStreamStatus") not in (None, ""):
        wanted = str(query["filterStreamStatus"])
        items = [s for s in items if wanted in (str(STATUS_NUMBERS[s["status"]]), s["status"])]
    order = query.get("orderBy") or "createdAt"
    items.sort(key=lambda s: str(s.get(order) or "").lower(), reverse=bool_param(request, "orderAsc") is False)
    return paged([stream_model(store, s) for s in items], request)


async def get_stream(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET streams/{id}` (and `streams/{id}/stats`, which Swagger also types as `StreamModel`)."""
    return stream_model(store, consume.get_stream(store, request.path_params["id"]))


async def start(request: Request, store: CluedInStore, principal: Principal) -> Any:
    """`POST streams/{id}/start`."""
    return stream_model(store, consume.set_stream_active(store, request.path_params["id"], True, principal.user_id))


async def stop(request: Request, store: CluedInStore, principal: Principal) -> Any:
    """`POST streams/{id}/stop`."""
    return stream_model(store, consume.set_stream_active(store, request.path_params["id"], False, principal.user_id))


async def pause(request: Request, store: CluedInStore, principal: Principal) -> Any:
    """`POST streams/{id}/pause`."""
    return stream_model(store, consume.pause_stream(store, request.path_params["id"], principal.user_id))


async def delete(request: Request, store: CluedInStore, principal: Principal) -> Any:
    """`DELETE streams/{id}`."""
    consume.remove_stream(store, request.path_params["id"], principal.user_id)
    return {"success": True}


async def reingest(request: Request, store: CluedInStore, principal: Principal) -> Any:
    """`POST streams/reingest/{streamId}`: send every matching record again."""
    return stream_model(store, consume.reprocess_stream(store, request.path_params["streamId"], principal.user_id))


async def stream_mapping(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET streammapping/{id}`: the exported properties (`StreamMappingModel[]`)."""
    stream = consume.get_stream(store, request.path_params["id"])
    return [
        {"sourceDataType": m["sourceDataType"], "destDataType": m["destDataType"],
         "sourceObjectType": 1 if str(m.get("sourceObjectType")).lower() == "vocabkey" else 0}
        for m in stream["mappingConfiguration"]
    ]  # fmt: skip


async def stream_vocabulary_keys(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET streamsvocabularykeys/{streamId}`: the vocabulary keys a stream exports (guess: a list of keys)."""
    stream = consume.get_stream(store, request.path_params["streamId"])
    return [m["sourceDataType"] for m in stream["mappingConfiguration"] if str(m.get("sourceObjectType")) == "vocabkey"]


def stream_routes() -> list[BaseRoute]:
    """Stream routes (specific paths before `{id}`)."""
    table: list[BaseRoute] = []
    table += rest("streams/reingest/{streamId}", ["POST"], reingest)
    table += rest("streams/{id}/start", ["POST"], start)
    table += rest("streams/{id}/pause", ["POST"], pause)
    table += rest("streams/{id}/stop", ["POST"], stop)
    table += rest("streams/{id}/stats", ["GET"], get_stream)
    table += rest("streams/{id}", ["GET"], get_stream)
    table += rest("streams/{id}", ["DELETE"], delete)
    table += rest("streams", ["GET"], list_streams)
    table += rest("streammapping/{id}", ["GET"], stream_mapping)
    table += rest("streamsvocabularykeys/{streamId}", ["GET"], stream_vocabulary_keys)
    return table
