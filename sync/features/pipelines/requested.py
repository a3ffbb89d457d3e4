"""A pipeline requested over HTTP (`POST /api/adf/pipelines`): provision, schedule, run once, answer.

The same provisioning as the automation (`provision.py`), the run schedule through the schedules feature's
operation (so F13's applier and a request write triggers the same way), and `run now` once per request id
(`runs.py`). The HTTP function (`sync/triggers/adf_http.py`) only maps errors to statuses.
"""

from __future__ import annotations

import logging
from typing import Any

from sync.core.feature import Notification, SyncContext
from sync.core.state.leases import new_owner
from sync.core.telemetry import log_event, notify
from sync.features.pipeline_schedules.api import apply_schedule, current_schedule, effective_schedule
from sync.features.pipelines.feature import endpoints_created_text, pipelines_created_text
from sync.features.pipelines.provision import UNSET, ProvisionResult, current_names, find_asset, provision_pipeline
from sync.features.pipelines.requests import ParsedRequest
from sync.features.pipelines.runs import RunStart, hold_request, run_once
from sync.features.pipelines.stores import resolve_source

log = logging.getLogger("sync.adf.http")


def provision_requested(ctx: SyncContext, parsed: ParsedRequest) -> tuple[dict[str, Any], int]:
    """Do what the request asks; returns the response body and status (201 when the pipeline was created).

    A `runNow` request holds its request id's run row for the whole request (runs.py): a concurrent request with
    the same id waits for it, or gets 409, and never starts a second run.

    Raises:
        RequestInProgressError: a request with the same id is still in flight (409).
    """
    body = parsed.body
    purview = ctx.client("purview")
    asset = find_asset(
        purview, guid=body.asset.guid, type_name=body.asset.typeName, qualified_name=body.asset.qualifiedName
    )
    resolve_source(asset.type_name, asset.qualified_name, asset.attributes)
    owner = new_owner()
    override: Any = UNSET
    if parsed.schedule_given:
        override = body.schedule if body.schedule is not None else None
    run = None
    if body.runNow and parsed.request_id:
        pipeline = current_names(ctx, asset).pipeline
        with hold_request(ctx, pipeline, parsed.request_id, owner=owner) as run_row:
            result, notes, trigger = _provision(ctx, parsed, asset, owner, override)
            run = run_once(ctx, run_row, result.names.pipeline, parsed.request_id)
    else:
        result, notes, trigger = _provision(ctx, parsed, asset, owner, override)
    for note in notes:
        notify(note.text, event=note.event, feature="adf-http", key=result.key)
    status = "created" if result.pipeline_created else ("updated" if result.changed else "unchanged")
    log_event(
        log,
        "AdfPipelineRequested",
        f"pipeline {result.names.pipeline} {status}",
        pipeline=result.names.pipeline,
        status=status,
        written=len(result.written),
        run_started=bool(run and run.started),
    )
    return _response_body(result, status, trigger, run, notes), 201 if result.pipeline_created else 200


def _provision(
    ctx: SyncContext, parsed: ParsedRequest, asset: Any, owner: str, override: Any
) -> tuple[ProvisionResult, list[Notification], dict[str, Any] | None]:
    """Provision the pipeline and apply the request's schedule: the result, its notifications and the trigger."""
    result = provision_pipeline(ctx, asset, owner=owner, origin="requested", schedule_override=override)
    notes = list(result.notifications)
    if result.endpoint_created:
        notes.append(Notification(event="IngestionEndpointsCreated", text=endpoints_created_text([asset.name])))
    if result.pipeline_created:
        notes.append(Notification(event="AdfPipelinesCreated", text=pipelines_created_text([result.names.pipeline])))
    trigger = _schedule(ctx, parsed, result, owner, notes)
    return result, notes, trigger


def _schedule(
    ctx: SyncContext, parsed: ParsedRequest, result: ProvisionResult, owner: str, notes: list[Notification]
) -> dict[str, Any] | None:
    """Apply the request's schedule now (same code path as F13); report the pipeline's current schedule."""
    names = result.names
    if parsed.schedule_given:
        value = effective_schedule(parsed.body.schedule, ctx.settings)
        note, _ = apply_schedule(ctx, pipeline=names.pipeline, trigger=names.trigger, value=value, owner=owner)
        if note is not None:
            notes.append(note)
    current = current_schedule(ctx.state, names.pipeline)
    if current is None:
        return None
    return {"name": names.trigger, "schedule": current.schedule, "state": "Started" if current.started else "None"}


def _response_body(
    result: ProvisionResult,
    status: str,
    trigger: dict[str, Any] | None,
    run: RunStart | None,
    notes: list[Notification],
) -> dict[str, Any]:
    names = result.names
    return {
        "status": status,
        "asset": {
            "guid": result.asset.guid,
            "typeName": result.asset.type_name,
            "qualifiedName": result.asset.qualified_name,
            "name": result.asset.name,
            "source": result.store.describe(),
        },
        "pipeline": names.pipeline,
        "datasets": {"source": names.source_dataset, "sink": names.sink_dataset},
        "linkedServices": result.linked_services,
        "ingestionEndpoint": {
            "dataSetId": result.data_set_id,
            "dataSourceId": result.data_source_id,
            "created": result.endpoint_created,
        },
        "trigger": trigger,
        "run": {"runId": run.run_id, "requestId": run.request_id, "started": run.started} if run else None,
        "written": result.written,
        "notifications": [note.text for note in notes],
    }
