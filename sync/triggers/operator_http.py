"""Read-only HTTP views for operators (function-key auth): the drift report and the lineage picture.

- `GET /api/drift[?feature=lineage&feature=polling]`: what the app owns in Purview that was edited or deleted
  there since the app wrote it (JSON; state + one bulk read of Purview). Repair is a CLI command
  (`cluedin-purview-sync drift --repair`), never an HTTP side effect.
- `GET /api/lineage`: the interactive lineage picture (HTML), read from Purview with the app's credential.

Errors are JSON as everywhere else: 400 naming the parameter, 503 when settings or storage are not usable,
502 when Purview refused.
"""

from __future__ import annotations

import logging

import azure.functions as func
from azure.core.exceptions import AzureError

from sync import runtime
from sync.core.errors import RetriableError, SettingsError, SyncError
from sync.reporting.drift import as_json, find_drift
from sync.reporting.lineage_html import lineage_page
from sync.triggers.http_api import error_response, json_response

bp = func.Blueprint()  # type: ignore[no-untyped-call]
log = logging.getLogger("sync.http")


def _failure(exc: Exception) -> func.HttpResponse:
    if isinstance(exc, SettingsError):
        return error_response(503, "NotConfigured", str(exc))
    if isinstance(exc, AzureError):
        return error_response(503, "StorageUnavailable", f"state storage is unavailable: {type(exc).__name__}")
    if isinstance(exc, RetriableError):
        return error_response(503, "Busy", f"a service is busy: {exc}")
    return error_response(502, "UpstreamRefused", f"a service refused the read: {exc}")


@bp.route(route="drift", methods=["GET"])
def drift(req: func.HttpRequest) -> func.HttpResponse:
    """The drift report of the named features (default: every feature)."""
    known = runtime.features()
    wanted = [name for value in req.params.get("feature", "").split(",") if (name := value.strip())]
    unknown = [name for name in wanted if name not in known]
    if unknown:
        return error_response(400, "UnknownFeature", f"unknown feature(s) {unknown}; known: {sorted(known)}", "feature")
    try:
        ctx = runtime.context()
        report = find_drift([known[name] for name in wanted] or list(known.values()), ctx)
    except (SettingsError, AzureError, SyncError) as exc:
        return _failure(exc)
    return json_response(as_json(report))


@bp.route(route="lineage", methods=["GET"])
def lineage(req: func.HttpRequest) -> func.HttpResponse:
    """The lineage picture of what Purview holds (self-contained HTML)."""
    try:
        ctx = runtime.context()
        page = lineage_page(ctx.client("purview"))
    except (SettingsError, AzureError, SyncError) as exc:
        return _failure(exc)
    return func.HttpResponse(page, status_code=200, mimetype="text/html", charset="utf-8")
