"""Simulated user activity under `/_emulator/`: what a person would do in CluedIn's UI.

The app under test reacts to changes it did not make (a new data set with a mapping, an enricher added, a stream
reprocessed, an export target removed). These JSON POST routes make those changes through the same services
as the API, so each writes the audit entry the product would and bumps `updatedAt`. They are admin routes: not
counted in `/_emulator/stats` and never faulted. Every body may name an `actor` (username; default the first
user). Each route is documented in the README.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from emulators.cluedin import consume, filters, inbound, mde, processing, providers
from emulators.cluedin.rest_providers import provider_view
from emulators.cluedin.seed import seed_mapping
from emulators.cluedin.store import CluedInStore
from emulators.cluedin.util import EmulatorError

Action = Callable[[CluedInStore, dict[str, Any], str], Any]


def _actor(store: CluedInStore, body: dict[str, Any]) -> str:
    wanted = body.get("actor")
    if not wanted:
        return next(iter(store.users))
    found = next((u for u in store.users.values() if str(u["username"]).lower() == str(wanted).lower()), None)
    if found is None:
        raise EmulatorError(f"unknown actor {wanted!r}", status=404)
    return str(found["id"])


def _route(path: str, action: Action) -> BaseRoute:
    async def endpoint(request: Request) -> Response:
        store: CluedInStore = request.state.cluedin.store
        try:
            body = json.loads(await request.body() or b"{}")
            if not isinstance(body, dict):
                raise EmulatorError("body must be a JSON object")
            result = action(store, body, _actor(store, body))
        except ValueError as exc:
            return JSONResponse({"error": {"code": "InvalidJson", "message": str(exc)}}, status_code=400)
        except EmulatorError as exc:
            return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, status_code=exc.status)
        except KeyError as exc:
            return JSONResponse({"error": {"code": "MissingField", "message": f"missing {exc}"}}, status_code=400)
        return JSONResponse(result)

    return Route(f"/_emulator/{path}", endpoint, methods=["POST"])


def _required(body: dict[str, Any], name: str) -> Any:
    if body.get(name) in (None, ""):
        raise EmulatorError(f"{name} is required")
    return body[name]


def create_data_set(store: CluedInStore, body: dict[str, Any], actor: str) -> dict[str, Any]:
    """Create (or reuse by name) a group and data source, add a data set, map it, load and process records."""
    group_name = str(body.get("group") or "Simulated")
    group = next((g for g in store.data_source_sets.values() if g["name"] == group_name), None)
    group = group or inbound.create_data_source_set(store, group_name, actor)
    source_name = str(body.get("dataSource") or group_name)
    source = next(
        (store.data_sources[i] for i in group["dataSourceIds"] if store.data_sources[i]["name"] == source_name), None
    )
    source = source or inbound.create_data_source(store, group["id"], {"name": source_name, "type": "endpoint"}, actor)
    mapping_spec = body.get("mapping")
    entity_type = (mapping_spec or {}).get("entityType") or body.get("entityType")
    configuration = {
        "object": {"endPointName": _required(body, "dataSet"), "autoSubmit": False, "entityType": entity_type},
        "entityTypeConfiguration": {"new": bool(entity_type), "entityType": entity_type},
    }
    [data_set] = inbound.create_data_sets(
        store, source["id"], [{"name": body["dataSet"], "type": "endpoint", "configuration": configuration}], actor
    )
    records = body.get("records") or []
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise EmulatorError("records must be a list of objects")
    if records:
        processing.ingest_records(store, data_set["id"], records, len(json.dumps(records)), actor)
    if mapping_spec:
        seed_mapping(store, data_set, mapping_spec, actor)
    if body.get("autoSubmit"):
        inbound.set_auto_submit(store, data_set["id"], True, actor)
    elif body.get("process", True) and mapping_spec and records:
        processing.process_data_set(store, data_set["id"], actor)
    return {
        "dataSourceSetId": group["id"],
        "dataSourceId": source["id"],
        "connectorConfigurationId": source["connectorConfigurationId"],
        "dataSetId": data_set["id"],
        "annotationId": data_set["annotationId"],
        "entities": sum(1 for e in store.entities.values() if data_set["id"] in e["dataSetIds"]),
    }


def process(store: CluedInStore, body: dict[str, Any], actor: str) -> dict[str, Any]:
    """Process a data set's waiting records (what "Process" in the UI does)."""
    return processing.process_data_set(store, _required(body, "dataSetId"), actor)


def update_group(store: CluedInStore, body: dict[str, Any], actor: str) -> dict[str, Any]:
    """Rename a data source group."""
    return inbound.rename_data_source_set(store, _required(body, "id"), body.get("name"), actor)


def remove_group(store: CluedInStore, body: dict[str, Any], actor: str) -> dict[str, Any]:
    """Delete a data source group with everything in it."""
    inbound.remove_data_source_set(store, _required(body, "id"), actor)
    return {"removed": body["id"]}


def update_data_source(store: CluedInStore, body: dict[str, Any], actor: str) -> dict[str, Any]:
    """Rename a data source."""
    return inbound.rename_data_source(store, _required(body, "id"), body.get("name"), actor)


def remove_data_source(store: CluedInStore, body: dict[str, Any], actor: str) -> dict[str, Any]:
    """Delete a data source with its data sets."""
    inbound.remove_data_source(store, _required(body, "id"), actor)
    return {"removed": body["id"]}


def remove_data_set(store: CluedInStore, body: dict[str, Any], actor: str) -> dict[str, Any]:
    """Delete one data set."""
    inbound.remove_data_set(store, _required(body, "id"), actor)
    return {"removed": body["id"]}


def add_provider(store: CluedInStore, body: dict[str, Any], actor: str) -> dict[str, Any]:
    """Add a crawler (with the golden records it brings) or an enricher (with the properties it adds)."""
    record = providers.add_provider(store, body, actor)
    return {**provider_view(record), "entities": len(record["contributedEntityIds"])}


def remove_provider(store: CluedInStore, body: dict[str, Any], actor: str) -> dict[str, Any]:
    """Remove a crawler or enricher and what it contributed."""
    providers.remove_provider(store, _required(body, "id"), actor)
    return {"removed": body["id"]}


def add_export_target(store: CluedInStore, body: dict[str, Any], actor: str) -> dict[str, Any]:
    """Configure an export target of an installed connector (by name or id; default Sql Server)."""
    wanted = str(body.get("connector") or "Sql Server Connector")
    connector = next((c for c in store.connectors.values() if wanted in (c["id"], c["name"])), None)
    if connector is None:
        raise EmulatorError(f"unknown connector {wanted!r}", status=404)
    record = consume.create_export_target(
        store, connector["id"], body.get("configuration") or {}, body.get("accountDisplay"), actor
    )
    return provider_view(record)


def update_export_target(store: CluedInStore, body: dict[str, Any], actor: str) -> dict[str, Any]:
    """Change an export target's display name, settings or active flag."""
    return provider_view(consume.save_export_target(store, body, actor))


def remove_export_target(store: CluedInStore, body: dict[str, Any], actor: str) -> dict[str, Any]:
    """Delete an export target."""
    consume.remove_export_target(store, _required(body, "id"), actor)
    return {"removed": body["id"]}


def add_stream(store: CluedInStore, body: dict[str, Any], actor: str) -> dict[str, Any]:
    """Create a stream for an entity type, optionally exporting `properties` to an export target and started."""
    condition = filters.from_seed(body.get("condition"), "condition")
    if condition is None and body.get("entityType"):
        condition = filters.entity_type_filter(str(body["entityType"]))
    stream = consume.create_stream(store, {"name": body.get("name"), "condition": condition}, actor)
    if body.get("exportTargetId"):
        consume.setup_connector_stream(
            store,
            stream["id"],
            {
                "connectorProviderDefinitionId": body["exportTargetId"],
                "containerName": body.get("containerName") or str(stream["name"]).replace(" ", ""),
                "mode": body.get("mode") or "Sync",
                "dataTypes": [{"key": k, "type": "vocabkey"} for k in body.get("properties") or []],
            },
            actor,
        )
    if body.get("active"):
        consume.set_stream_active(store, stream["id"], True, actor)
    return stream


def update_stream(store: CluedInStore, body: dict[str, Any], actor: str) -> dict[str, Any]:
    """Rename, describe, re-condition, start or stop a stream."""
    stream = consume.get_stream(store, _required(body, "id"))
    spec: dict[str, Any] = {k: body[k] for k in ("name", "description") if k in body}
    if "condition" in body:
        spec["condition"] = filters.from_seed(body["condition"], "condition")
    if body.get("entityType"):
        spec["condition"] = filters.entity_type_filter(str(body["entityType"]))
    if "active" in body:
        spec["isActive"] = bool(body["active"])
    return consume.save_stream(store, {"id": stream["id"], **spec}, actor)


def reprocess_stream(store: CluedInStore, body: dict[str, Any], actor: str) -> dict[str, Any]:
    """Reprocess (re-export) a stream."""
    return consume.reprocess_stream(store, _required(body, "id"), actor)


def remove_stream(store: CluedInStore, body: dict[str, Any], actor: str) -> dict[str, Any]:
    """Delete a stream."""
    consume.remove_stream(store, _required(body, "id"), actor)
    return {"removed": body["id"]}


def remove_manual_data_entry_project(store: CluedInStore, body: dict[str, Any], actor: str) -> dict[str, Any]:
    """A manual-data-entry project deleted (CluedIn publishes no API for it; see `mde.remove_project`)."""
    mde.remove_project(store, _required(body, "id"), actor)
    return {"removed": str(body["id"])}


def advance_clock(store: CluedInStore, body: dict[str, Any], _actor_id: str) -> dict[str, Any]:
    """Move the emulator clock forward by `advanceSeconds` (expires tokens, ages metrics) without sleeping."""
    try:
        seconds = float(body.get("advanceSeconds", 0))
    except (TypeError, ValueError):
        raise EmulatorError("advanceSeconds must be a number") from None
    store.clock.advance(seconds)
    return {"now": store.clock.iso(), "offsetSeconds": store.clock.offset_seconds}


def add_notification(store: CluedInStore, body: dict[str, Any], _actor_id: str) -> dict[str, Any]:
    """Raise an in-app notification (readable at `notification/all`)."""
    return store.notify(str(_required(body, "title")), str(body.get("message") or ""))


ACTIONS: dict[str, Action] = {
    "activity/data-set": create_data_set,
    "activity/process": process,
    "activity/data-set/remove": remove_data_set,
    "activity/data-source/update": update_data_source,
    "activity/data-source/remove": remove_data_source,
    "activity/data-source-group/update": update_group,
    "activity/data-source-group/remove": remove_group,
    "activity/provider": add_provider,
    "activity/provider/remove": remove_provider,
    "activity/export-target": add_export_target,
    "activity/export-target/update": update_export_target,
    "activity/export-target/remove": remove_export_target,
    "activity/stream": add_stream,
    "activity/stream/update": update_stream,
    "activity/stream/reprocess": reprocess_stream,
    "activity/stream/remove": remove_stream,
    "activity/manual-data-entry/remove": remove_manual_data_entry_project,
    "clock": advance_clock,
    "notifications": add_notification,
}


def routes() -> list[BaseRoute]:
    """All simulated-activity routes."""
    return [_route(path, action) for path, action in ACTIONS.items()]
