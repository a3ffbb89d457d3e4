"""Data Factory HTTP functions (function-key auth): routing and error statuses; the work is in features/pipelines.

- `POST /api/adf/pipelines`: generate (or confirm) the copy pipeline of a Purview asset, optionally set its run
  schedule and start one run per request id. 201 when the pipeline was created, 200 otherwise; 409 (with
  Retry-After) while another call with the same request id is still in flight.
- `GET /api/adf/pipelines/{name}/runs/{runId}`: the status of a run.

Every refusal is JSON `{"error": {"code", "message", "field"}}` with a 4xx; configuration, credential and
transient problems are 503 with Retry-After, naming the service (and setting) at fault; nothing about the CluedIn
token (which never passes through the app) or a stack trace is ever answered. The request/response contract is
openapi/adf-pipelines.yaml.
"""

from __future__ import annotations

import logging
import math
import re

import azure.functions as func
from azure.core.exceptions import AzureError

from sync import runtime
from sync.core.errors import FatalError, PermissionDeniedError, RetriableError, SettingsError
from sync.core.telemetry import log_event
from sync.features.pipelines.names import name_problem
from sync.features.pipelines.provision import AssetNotFoundError, require_settings
from sync.features.pipelines.requested import provision_requested
from sync.features.pipelines.requests import GUID_PATTERN, RequestError, parse_request
from sync.features.pipelines.runs import RequestInProgressError
from sync.features.pipelines.stores import UnsupportedAssetError
from sync.services.datafactory.client import DataFactoryClient
from sync.services.datafactory.settings import DataFactorySettings
from sync.services.purview.settings import PurviewSettings
from sync.triggers.http_api import error_response, json_response

bp = func.Blueprint()  # type: ignore[no-untyped-call]
log = logging.getLogger("sync.adf.http")
DEFAULT_RETRY_AFTER_SECONDS = 5


def _unavailable(message: str, retry_after: float | None = None, code: str = "ServiceUnavailable") -> func.HttpResponse:
    response = error_response(503, code, message)
    response.headers["Retry-After"] = str(max(1, math.ceil(retry_after or DEFAULT_RETRY_AFTER_SECONDS)))
    return response


def _in_progress(exc: RequestInProgressError) -> func.HttpResponse:
    response = error_response(409, "RequestInProgress", str(exc), "requestId")
    response.headers["Retry-After"] = str(max(1, math.ceil(min(exc.retry_after or 5, 60))))
    return response


def _credential_failed(exc: PermissionDeniedError) -> bool:
    return exc.code == "CredentialFailed"


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
        ctx.settings.get(PurviewSettings).require("purview_base_url", purpose="Looking up Purview assets")
    except SettingsError as exc:
        return _unavailable(str(exc), code="NotConfigured")
    except (RetriableError, FatalError) as exc:
        return _unavailable(str(exc), getattr(exc, "retry_after", None))
    except AzureError as exc:
        return _unavailable(f"state storage is unavailable: {type(exc).__name__}")
    try:
        body, status = provision_requested(ctx, parsed)
        return json_response(body, status)
    except RequestError as exc:
        return error_response(400, exc.code, str(exc), exc.field)
    except AssetNotFoundError as exc:
        return error_response(404, "AssetNotFound", str(exc), exc.field)
    except UnsupportedAssetError as exc:
        return _unsupported(exc)
    except SettingsError as exc:
        return _unavailable(str(exc), code="NotConfigured")
    except RequestInProgressError as exc:
        return _in_progress(exc)
    except RetriableError as exc:
        return _unavailable(f"a service is busy or a request for the same asset is in progress: {exc}", exc.retry_after)
    except AzureError as exc:
        return _unavailable(f"state storage is unavailable: {type(exc).__name__}")
    except PermissionDeniedError as exc:
        if _credential_failed(exc):
            log_event(log, "AdfPipelineFailed", str(exc), level=logging.ERROR, service=exc.service)
            return _unavailable(str(exc), code="CredentialFailed")
        log_event(log, "AdfPipelineFailed", str(exc), level=logging.ERROR)
        return error_response(502, "UpstreamRefused", f"a service refused part of the work: {exc}")
    except FatalError as exc:
        log_event(log, "AdfPipelineFailed", str(exc), level=logging.ERROR)
        return error_response(502, "UpstreamRefused", f"a service refused part of the work: {exc}")


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
        ctx.settings.get(DataFactorySettings).require("data_factory_base_url", purpose="Reading Data Factory runs")
        adf: DataFactoryClient = ctx.client("datafactory")
        run = adf.get_run(run_id)
    except SettingsError as exc:
        return _unavailable(str(exc), code="NotConfigured")
    except AzureError as exc:
        return _unavailable(f"state storage is unavailable: {type(exc).__name__}")
    except RetriableError as exc:
        return _unavailable(f"{exc.service or 'Data Factory'} is busy: {exc}", exc.retry_after)
    except PermissionDeniedError as exc:
        if _credential_failed(exc):
            return _unavailable(str(exc), code="CredentialFailed")
        return error_response(502, "UpstreamRefused", f"Data Factory refused the request: {exc}")
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
