"""HTTP endpoints for people and tools: run reports and reviewable plans (function-key auth)."""

from __future__ import annotations

import json
import logging
from typing import Any

import azure.functions as func

from sync import runtime
from sync.core.engine import run_cycle, run_report
from sync.core.errors import SettingsError

bp = func.Blueprint()  # type: ignore[no-untyped-call]
log = logging.getLogger("sync.http")


def json_response(body: Any, status: int = 200) -> func.HttpResponse:
    """JSON response with the right content type."""
    return func.HttpResponse(json.dumps(body, default=str), status_code=status, mimetype="application/json")


def error_response(status: int, code: str, message: str, field: str | None = None) -> func.HttpResponse:
    """Errors are JSON naming the offending field, never a stack trace."""
    error: dict[str, Any] = {"code": code, "message": message}
    if field:
        error["field"] = field
    return json_response({"error": error}, status)


@bp.route(route="runs/{feature}", methods=["GET"])
def list_runs(req: func.HttpRequest) -> func.HttpResponse:
    """The newest run reports of a feature."""
    feature = req.route_params.get("feature", "")
    if feature not in runtime.features():
        return error_response(404, "UnknownFeature", f"unknown feature {feature!r}", "feature")
    try:
        limit = int(req.params.get("limit", "20"))
    except ValueError:
        return error_response(400, "InvalidParameter", "limit must be an integer", "limit")
    try:
        ctx = runtime.context()
    except SettingsError as exc:
        return error_response(503, "NotConfigured", str(exc))
    return json_response({"value": ctx.state.list_runs(feature, limit=max(1, min(limit, 100)))})


@bp.route(route="runs/{feature}/{run_id}", methods=["GET"])
def get_run(req: func.HttpRequest) -> func.HttpResponse:
    """One run report, with the outcomes of its applied changes folded in."""
    try:
        ctx = runtime.context()
    except SettingsError as exc:
        return error_response(503, "NotConfigured", str(exc))
    report = run_report(ctx.state, req.route_params.get("run_id", ""))
    if report is None:
        return error_response(404, "RunNotFound", "no run with that id", "run_id")
    return json_response(report.model_dump(mode="json"))


@bp.route(route="plan/{feature}", methods=["POST"])
def plan(req: func.HttpRequest) -> func.HttpResponse:
    """A reviewable plan: what the next cycle would change, without changing anything."""
    feature = runtime.features().get(req.route_params.get("feature", ""))
    if feature is None:
        return error_response(404, "UnknownFeature", "unknown feature", "feature")
    try:
        ctx = runtime.context()
    except SettingsError as exc:
        return error_response(503, "NotConfigured", str(exc))
    ctx.settings = ctx.settings.model_copy(update={"sync_dry_run": True})
    report = run_cycle(feature, ctx)
    return json_response(report.model_dump(mode="json"))
