"""Data Factory HTTP functions (function-key auth) and the queue function applying F12/F13 changes.

- `POST /api/adf/pipelines`: generate (or confirm) the copy pipeline of a Purview asset, optionally set its run
  schedule and start one run per request id. 201 when the pipeline was created, 200 otherwise.
- `GET /api/adf/pipelines/{name}/runs/{runId}`: the status of a run.
- queue `sync-datafactory`: applies the changes planned by the F12/F13 timers (same contract as appliers.py).

Every refusal is JSON `{"error": {"code", "message", "field"}}` with a 4xx; configuration and transient
problems are 503 with Retry-After; nothing about the CluedIn token (which never passes through the app) or a
stack trace is ever answered. The request/response contract is openapi/adf-pipelines.yaml.
"""

from __future__ import annotations

import logging
import math
import re
import uuid
from typing import Any

import azure.functions as func
from azure.core.exceptions import AzureError

from sync import runtime
from sync.core.engine import Notification, SyncContext
from sync.core.errors import FatalError, RetriableError, SettingsError
from sync.core.telemetry import log_event, notify
from sync.features.pipeline_schedules.triggers import SCHEDULE_KIND, apply_schedule, effective_schedule
from sync.features.pipelines.feature import endpoints_created_text, pipelines_created_text
from sync.features.pipelines.names import name_problem
from sync.features.pipelines.provision import (
    UNSET,
    AssetNotFoundError,
    ProvisionResult,
    find_asset,
    provision_pipeline,
    require_settings,
)
from sync.features.pipelines.requests import GUID_PATTERN, ParsedRequest, RequestError, parse_request
from sync.features.pipelines.runs import RunStart, start_run_once
from sync.features.pipelines.stores import UnsupportedAssetError, resolve_source
from sync.services.datafactory.client import DataFactoryClient
from sync.triggers.http_api import error_response, json_response

bp = func.Blueprint()  # type: ignore[no-untyped-call]
log = logging.getLogger("sync.adf.http")
DEFAULT_RETRY_AFTER_SECONDS = 5


def _unavailable(message: str, retry_after: float | None = None, code: str = "ServiceUnavailable") -> func.HttpResponse:
    response = error_response(503, code, message)
    response.headers["Retry-After"] = str(max(1, math.ceil(retry_after or DEFAULT_RETRY_AFTER_SECONDS)))
    return response


def _unsupported(exc: UnsupportedAssetError) -> func.HttpResponse:
    body = {
        "error": {
            "code": "UnsupportedAsset",
            "message": f"no pipeline can be generated for this asset: {exc}",
            "field": "asset",
            "supportedKinds": exc.supported,
        }
    }
    return json_response(body, 422)


@bp.route(route="adf/pipelines", methods=["POST"])
def adf_create_pipeline(req: func.HttpRequest) -> func.HttpResponse:
    """Generate the copy pipeline of a Purview asset into the configured factory."""
    try:
        return _create_pipeline(req)
    except Exception:
        log.exception("adf/pipelines failed unexpectedly")
        return error_response(500, "InternalError", "the request failed unexpectedly; see the function log")


def _create_pipeline(req: func.HttpRequest) -> func.HttpResponse:
    try:
        parsed = parse_request(req.get_body(), dict(req.headers))
    except RequestError as exc:
        return error_response(400, exc.code, str(exc), exc.field)
    try:
        ctx = runtime.context()
        require_settings(ctx.settings)
        ctx.settings.require("purview_base_url", purpose="Looking up Purview assets")
    except SettingsError as exc:
        return _unavailable(str(exc), code="NotConfigured")
    except AzureError as exc:
        return _unavailable(f"state storage is unavailable: {type(exc).__name__}")
    try:
        return _provision(ctx, parsed)
    except RequestError as exc:
        return error_response(400, exc.code, str(exc), exc.field)
    except AssetNotFoundError as exc:
        return error_response(404, "AssetNotFound", str(exc), exc.field)
    except UnsupportedAssetError as exc:
        return _unsupported(exc)
    except SettingsError as exc:
        return _unavailable(str(exc), code="NotConfigured")
    except RetriableError as exc:
        return _unavailable(f"a service is busy or a request for the same asset is in progress: {exc}", exc.retry_after)
    except AzureError as exc:
        return _unavailable(f"state storage is unavailable: {type(exc).__name__}")
    except FatalError as exc:
        log_event(log, "AdfPipelineFailed", str(exc), level=logging.ERROR)
        return error_response(502, "UpstreamRefused", f"a service refused part of the work: {exc}")


def _provision(ctx: SyncContext, parsed: ParsedRequest) -> func.HttpResponse:
    body = parsed.body
    purview = ctx.client("purview")
    asset = find_asset(
        purview, guid=body.asset.guid, type_name=body.asset.typeName, qualified_name=body.asset.qualifiedName
    )
    resolve_source(asset.type_name, asset.qualified_name, asset.attributes)
    owner = f"http:{parsed.request_id or uuid.uuid4().hex}"
    override: Any = UNSET
    if parsed.schedule_given:
        override = body.schedule if body.schedule is not None else None
    result = provision_pipeline(ctx, asset, owner=owner, origin="requested", schedule_override=override)
    notes = list(result.notifications)
    if result.endpoint_created:
        notes.append(Notification(event="IngestionEndpointsCreated", text=endpoints_created_text([asset.name])))
    if result.pipeline_created:
        notes.append(Notification(event="AdfPipelinesCreated", text=pipelines_created_text([result.names.pipeline])))
    trigger = _schedule(ctx, parsed, result, owner, notes)
    run = None
    if body.runNow and parsed.request_id:
        run = start_run_once(ctx, result.names.pipeline, parsed.request_id, owner=owner)
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
    return json_response(_response_body(result, status, trigger, run, notes), 201 if result.pipeline_created else 200)


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
    row = ctx.state.get_object(SCHEDULE_KIND, names.pipeline)
    if row is None:
        return None
    return {
        "name": names.trigger,
        "schedule": row.data.get("value") or None,
        "state": "Started" if row.active else "None",
    }


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


@bp.route(route="adf/pipelines/{name}/runs/{runId}", methods=["GET"])
def adf_get_pipeline_run(req: func.HttpRequest) -> func.HttpResponse:
    """Status of one run of a pipeline."""
    try:
        return _get_run(req)
    except Exception:
        log.exception("adf/pipelines/{name}/runs/{runId} failed unexpectedly")
        return error_response(500, "InternalError", "the request failed unexpectedly; see the function log")


def _get_run(req: func.HttpRequest) -> func.HttpResponse:
    name = req.route_params.get("name", "")
    run_id = req.route_params.get("runId", "")
    problem = name_problem("pipelines", name)
    if problem:
        return error_response(400, "InvalidName", f"the pipeline name {problem}", "name")
    if not re.match(GUID_PATTERN, run_id):
        return error_response(400, "InvalidRunId", "runId must be a GUID", "runId")
    try:
        ctx = runtime.context()
        ctx.settings.require("data_factory_base_url", purpose="Reading Data Factory runs")
        adf: DataFactoryClient = ctx.client("datafactory")
        run = adf.get_run(run_id)
    except SettingsError as exc:
        return _unavailable(str(exc), code="NotConfigured")
    except AzureError as exc:
        return _unavailable(f"state storage is unavailable: {type(exc).__name__}")
    except RetriableError as exc:
        return _unavailable(f"Data Factory is busy: {exc}", exc.retry_after)
    except FatalError as exc:
        return error_response(502, "UpstreamRefused", f"Data Factory refused the request: {exc}")
    if run is None or str(run.get("pipelineName", "")).lower() != name.lower():
        return error_response(404, "RunNotFound", f"pipeline '{name}' has no run {run_id}", "runId")
    parameters = run.get("parameters") or {}
    return json_response(
        {
            "pipeline": run.get("pipelineName"),
            "runId": run.get("runId"),
            "status": run.get("status"),
            "message": run.get("message") or "",
            "runStart": run.get("runStart"),
            "runEnd": run.get("runEnd"),
            "durationInMs": run.get("durationInMs"),
            "requestId": parameters.get("requestId") or None,
            "invokedBy": (run.get("invokedBy") or {}).get("invokedByType"),
        }
    )
