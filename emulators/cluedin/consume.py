"""Export targets (connector configurations) and streams: how golden records leave CluedIn.

A stream selects golden records with a condition (a rule set, typically on entity type), exports them to an
export target with a chosen set of properties (`mappingConfiguration`), and is started or stopped. Every change
writes the audit entry the product would, which is what a change-polling client reads.
"""

from __future__ import annotations

from typing import Any

from emulators.cluedin import filters
from emulators.cluedin.providers import (
    get_provider_definition,
    new_provider_definition,
    public_configuration,
)
from emulators.cluedin.store import CluedInStore
from emulators.cluedin.util import EmulatorError, NotFoundError, new_guid, parse_guid

STREAM_FIELDS = ("name", "description", "condition", "rules", "ownedBy")
CONNECTION_FIELDS = (
    "name",
    "accountDisplay",
    "accountId",
    "active",
    "autoSync",
    "configuration",
    "helperConfiguration",
)
EMPTY_CONDITION: dict[str, Any] = {"condition": "AND", "rules": []}
NEW, STREAMING, PAUSED, STOPPED = "New", "Streaming", "Paused", "Stopped"
"""Stream statuses as CluedIn's documentation names them ("Stream reference"); the GraphQL spelling is a guess."""


# ---------------------------------------------------------------------- export targets


def create_export_target(
    store: CluedInStore, connector_id: object, auth_info: object, account_display: str | None, author_id: str
) -> dict[str, Any]:
    """`createConnection`: configure an export target of an installed connector type."""
    connector = store.connectors.get(parse_guid(connector_id, "Connector"))
    if connector is None:
        raise NotFoundError("Connector", connector_id)
    if auth_info is not None and not isinstance(auth_info, dict):
        raise EmulatorError("authInfo must be a JSON object")
    settings = dict(auth_info or {})
    display = account_display or _default_display(settings) or connector["name"]
    record = new_provider_definition(
        store,
        kind="ExportTarget",
        provider_id=connector["id"],
        name=connector["name"],
        account_display=display,
        author_id=author_id,
        configuration=public_configuration(settings),
        helper_configuration=settings,
    )
    store.audit("ExportTarget", record["id"], "Created", author_id, name=display)
    return record


def _default_display(settings: dict[str, Any]) -> str | None:
    parts = [str(settings[k]) for k in ("host", "databaseName", "accountName", "url") if settings.get(k)]
    return ".".join(parts) or None


def save_export_target(store: CluedInStore, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`saveConnectorConfiguration`: update an export target's display name, settings, active flag."""
    spec = spec or {}
    record = get_provider_definition(store, spec.get("id"))
    changes = {f: spec[f] for f in CONNECTION_FIELDS if spec.get(f) is not None and spec[f] != record.get(f)}
    for field in ("configuration", "helperConfiguration"):
        if field in changes and not isinstance(changes[field], dict):
            raise EmulatorError(f"{field} must be a JSON object")
    if "helperConfiguration" in changes and "configuration" not in changes:
        changes["configuration"] = public_configuration(changes["helperConfiguration"])
    if changes:
        record.update(changes)
        store.touch(record)
        object_type = "ExportTarget" if record["kind"] == "ExportTarget" else "Provider"
        store.audit(
            object_type, record["id"], "Updated", author_id, name=record["accountDisplay"], details=_safe(changes)
        )
    return record


def _safe(changes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in changes.items() if k != "helperConfiguration"}


def remove_export_target(store: CluedInStore, ident: object, author_id: str) -> None:
    """Delete an export target; streams that used it are left without one (simulated user activity)."""
    record = get_provider_definition(store, ident, "ExportTarget")
    for stream in store.streams.values():
        if stream["connectorProviderDefinitionId"] == record["id"]:
            stream["connectorProviderDefinitionId"] = None
            store.touch(stream)
    del store.provider_definitions[record["id"]]
    store.version += 1
    store.audit("ExportTarget", record["id"], "Deleted", author_id, name=record["accountDisplay"])


def export_targets(store: CluedInStore) -> list[dict[str, Any]]:
    """Configured export targets, oldest first."""
    return [p for p in store.provider_definitions.values() if p["kind"] == "ExportTarget"]


# ---------------------------------------------------------------------- streams


def create_stream(store: CluedInStore, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`createStream`: a new stream ("New": not started yet) with no export target and no filter (all records)."""
    spec = spec or {}
    name = str(spec.get("name") or "").strip()
    if not name:
        raise EmulatorError("stream.name is required")
    ident = new_guid()
    stream = store.stamp_new(
        {
            "id": ident,
            "name": name,
            "description": spec.get("description"),
            "status": NEW,
            "isActive": False,
            "type": "Golden",
            "mode": None,
            "containerName": None,
            "condition": filters.normalize(spec.get("condition") or EMPTY_CONDITION, "stream.condition"),
            "rules": spec.get("rules") or [],
            "connectorProviderDefinitionId": None,
            "exportOutgoingEdges": False,
            "exportIncomingEdges": False,
            "exportOutgoingEdgeProperties": None,
            "exportIncomingEdgeProperties": None,
            "mappingConfiguration": [],
            "connectorProperties": None,
            "createdBy": author_id,
            "modifiedBy": author_id,
            "ownedBy": author_id,
            "authorId": author_id,
            "requiresAttention": False,
            "rulesApplied": False,
        },
        modified_field="modifiedAt",
    )
    store.streams[ident] = stream
    store.audit("Stream", ident, "Created", author_id, name=name)
    return stream


def get_stream(store: CluedInStore, ident: object) -> dict[str, Any]:
    """A stream by GUID, or NotFoundError."""
    stream = store.streams.get(parse_guid(ident, "Stream"))
    if stream is None:
        raise NotFoundError("Stream", ident)
    return stream


def save_stream(store: CluedInStore, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`saveStream`: name, description, condition, rules; `isActive` starts or stops it."""
    spec = spec or {}
    stream = get_stream(store, spec.get("id"))
    given = dict(spec)
    if given.get("condition") is not None:
        given["condition"] = filters.normalize(given["condition"], "stream.condition")
    if given.get("rules") is not None and not isinstance(given["rules"], list):
        raise EmulatorError("stream.rules must be a list")
    changes = {f: given[f] for f in STREAM_FIELDS if given.get(f) is not None and given[f] != stream.get(f)}
    if spec.get("isActive") is not None and bool(spec["isActive"]) != stream["isActive"]:
        changes["isActive"] = bool(spec["isActive"])
        changes["status"] = STREAMING if changes["isActive"] else STOPPED
    if changes:
        stream.update(changes)
        stream["modifiedBy"] = author_id
        store.touch(stream)
        store.audit("Stream", stream["id"], "Updated", author_id, name=stream["name"], details=_describe(changes))
    return stream


def _describe(changes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in changes.items() if k not in {"condition", "rules"}} | (
        {"conditionChanged": True} if "condition" in changes else {}
    )


def setup_connector_stream(
    store: CluedInStore, stream_id: object, export: dict[str, Any] | None, author_id: str
) -> dict[str, Any]:
    """`setupConnectorStream`: choose the export target, container, mode and exported properties."""
    stream = get_stream(store, stream_id)
    export = export or {}
    target = get_provider_definition(store, export.get("connectorProviderDefinitionId"), "ExportTarget")
    mapping = [
        {"sourceDataType": item.get("key"), "sourceObjectType": item.get("type"), "destDataType": item.get("key")}
        for item in export.get("dataTypes") or []
        if item and item.get("key")
    ]
    stream.update(
        {
            "connectorProviderDefinitionId": target["id"],
            "containerName": export.get("containerName"),
            "mode": export.get("mode") or "Sync",
            "exportOutgoingEdges": bool(export.get("exportOutgoingEdges")),
            "exportIncomingEdges": bool(export.get("exportIncomingEdges")),
            "exportOutgoingEdgeProperties": export.get("exportOutgoingEdgeProperties"),
            "exportIncomingEdgeProperties": export.get("exportIncomingEdgeProperties"),
            "mappingConfiguration": mapping,
            "modifiedBy": author_id,
        }
    )
    store.touch(stream)
    store.audit(
        "Stream",
        stream["id"],
        "Updated",
        author_id,
        name=stream["name"],
        details={"exportTargetId": target["id"], "containerName": stream["containerName"], "properties": len(mapping)},
    )
    return stream


def set_stream_active(store: CluedInStore, stream_id: object, active: bool, author_id: str) -> dict[str, Any]:
    """`activateStream` / `deActivateStream` (REST start / stop); stopping a paused stream stops it too."""
    stream = get_stream(store, stream_id)
    status = STREAMING if active else STOPPED
    if stream["status"] != status:
        stream["isActive"] = active
        stream["status"] = status
        stream["modifiedBy"] = author_id
        store.touch(stream)
        store.audit(
            "Stream", stream["id"], "Updated", author_id, name=stream["name"], details={"status": stream["status"]}
        )
    return stream


def pause_stream(store: CluedInStore, stream_id: object, author_id: str) -> dict[str, Any]:
    """REST `POST streams/{id}/pause`: keep queueing, stop sending ("Paused")."""
    stream = get_stream(store, stream_id)
    if stream["status"] != PAUSED:
        stream["isActive"] = False
        stream["status"] = PAUSED
        stream["modifiedBy"] = author_id
        store.touch(stream)
        store.audit("Stream", stream["id"], "Updated", author_id, name=stream["name"], details={"status": PAUSED})
    return stream


def reprocess_stream(store: CluedInStore, stream_id: object, author_id: str) -> dict[str, Any]:
    """Re-export every matching golden record (simulated user activity)."""
    stream = get_stream(store, stream_id)
    store.touch(stream)
    store.audit("Stream", stream["id"], "Reprocessed", author_id, name=stream["name"])
    return stream


def remove_stream(store: CluedInStore, stream_id: object, author_id: str) -> None:
    """Delete a stream (simulated user activity)."""
    stream = get_stream(store, stream_id)
    del store.streams[stream["id"]]
    store.version += 1
    store.audit("Stream", stream["id"], "Deleted", author_id, name=stream["name"])
