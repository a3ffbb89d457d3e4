"""HTTP endpoints for people and tools: run reports and reviewable plans (function-key auth).

Every answer is JSON. Errors are `{"error": {"code", "message", "field"?}}` with a 4xx status naming the field
the caller got wrong, 503 when the app's own settings or storage are not usable, and 502 when a service refused;
never a bare 500.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import azure.functions as func
from azure.core.exceptions import AzureError

from sync import runtime
from sync.core.engine import run_cycle
from sync.core.errors import SettingsError, SyncError
from sync.core.report import find_report, newest_reports

bp = func.Blueprint()  # type: ignore[no-untyped-call]
log = logging.getLogger("sync.http")
MAX_RUNS = 100


def json_response(body: Any, status: int = 200) -> func.HttpResponse:
    """JSON response with the right content type."""
    return func.HttpResponse(json.dumps(body, default=str), status_code=status, mimetype="application/json")


def error_response(status: int, code: str, message: str, field: str | None = None) -> func.HttpResponse:
    """Errors are JSON naming the offending field, never a stack trace."""
    error: dict[str, Any] = {"code": code, "message": message}
    if field:
        error["field"] = field
    return json_response({"error": error}, status)


def _unavailable(exc: Exception) -> func.HttpResponse:
    if isinstance(exc, SettingsError):
        return error_response(503, "NotConfigured", str(exc))
    if isinstance(exc, SyncError):  # storage errors arrive typed, naming the service (sync/core/azure_errors.py)
        return error_response(503, "StorageUnavailable", str(exc))
    return error_response(503, "StorageUnavailable", f"state storage is unavailable: {type(exc).__name__}")


@bp.route(route="runs/{feature}", methods=["GET"])
def list_runs(req: func.HttpRequest) -> func.HttpResponse:
    """The newest run reports of a feature, with the outcomes of their applied changes folded in."""
    feature = req.route_params.get("feature", "")
    if feature not in runtime.features():
        return error_response(404, "UnknownFeature", f"unknown feature {feature!r}", "feature")
    try:
        limit = int(req.params.get("limit", "20"))
    except ValueError:
        return error_response(400, "InvalidParameter", "limit must be an integer", "limit")
    try:
        ctx = runtime.context()
        reports = newest_reports(ctx.state.runs, feature, limit=max(1, min(limit, MAX_RUNS)))
    except (SyncError, AzureError) as exc:
        return _unavailable(exc)
    return json_response({"value": [r.model_dump(mode="json") for r in reports]})


@bp.route(route="runs/{feature}/{run_id}", methods=["GET"])
def get_run(req: func.HttpRequest) -> func.HttpResponse:
    """One run report, with the outcomes of its applied changes folded in."""
    feature = req.route_params.get("feature", "")
    if feature not in runtime.features():
        return error_response(404, "UnknownFeature", f"unknown feature {feature!r}", "feature")
    try:
        ctx = runtime.context()
        report = find_report(ctx.state.runs, req.route_params.get("run_id", ""), feature=feature)
    except (SyncError, AzureError) as exc:
        return _unavailable(exc)
    if report is None:
        return error_response(404, "RunNotFound", "no run with that id", "run_id")
    return json_response(report.model_dump(mode="json"))


@bp.route(route="plan/{feature}", methods=["POST"])
def plan(req: func.HttpRequest) -> func.HttpResponse:
    """A reviewable plan: what the next cycle would change, without changing anything (a dry-run cycle)."""
    feature = runtime.features().get(req.route_params.get("feature", ""))
    if feature is None:
        return error_response(404, "UnknownFeature", "unknown feature", "feature")
    try:
        ctx = runtime.context()
        ctx.settings = ctx.settings.with_values(SYNC_DRY_RUN=True)
        report = run_cycle(feature, ctx)
    except (SyncError, AzureError) as exc:
        return _unavailable(exc)
    body = report.model_dump(mode="json")
    if report.ok:
        return json_response(body)
    code, status = ("NotConfigured", 503) if report.status == "not-configured" else ("PlanFailed", 502)
    body["error"] = {"code": code, "message": "; ".join(report.errors), "type": report.error_type}
    return json_response(body, status)
