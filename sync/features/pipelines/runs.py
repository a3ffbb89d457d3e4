"""`run now` exactly once per request id, although ADF's createRun is not idempotent.

A caller-supplied request id (HTTP header `Idempotency-Key` or body field `requestId`) names the run. A state row
(kind `adf_run`, key `<pipeline>|<requestId>`) is written BEFORE createRun (status `starting`, with the time) and
AFTER it (the run id). createRun also passes the request id as the pipeline parameter `requestId`, so if the
process dies between the two writes, or the answer to createRun is lost, the retry finds the run it already
started by querying the pipeline's runs around the recorded time, instead of starting a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sync.core.feature import SyncContext
from sync.features.pipelines.builders import REQUEST_ID_PARAMETER
from sync.services.datafactory.client import DataFactoryClient

RUN_KIND = "adf_run"
QUERY_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True)
class RunStart:
    """The run belonging to a request id; `started` is False when an earlier attempt had already started it."""

    run_id: str
    request_id: str
    started: bool


def _find_started_run(adf: DataFactoryClient, pipeline: str, request_id: str, since: datetime) -> str | None:
    now = datetime.now(UTC)
    for run in adf.query_runs(pipeline, since - QUERY_MARGIN, now + QUERY_MARGIN):
        if str((run.get("parameters") or {}).get(REQUEST_ID_PARAMETER, "")) == request_id and run.get("runId"):
            return str(run["runId"])
    return None


def start_run_once(ctx: SyncContext, pipeline: str, request_id: str, *, owner: str) -> RunStart:
    """Start the pipeline for this request id unless a run for it already exists; record it either way."""
    adf: DataFactoryClient = ctx.client("datafactory")
    with ctx.state.leased(RUN_KIND, f"{pipeline}|{request_id}", owner=owner) as obj:
        if obj.target.get("run_id"):
            ctx.state.release(obj)
            return RunStart(str(obj.target["run_id"]), request_id, started=False)
        if obj.status == "starting" and obj.data.get("started_at"):
            found = _find_started_run(adf, pipeline, request_id, datetime.fromisoformat(obj.data["started_at"]))
            if found:
                obj.target = {"run_id": found, "pipeline": pipeline}
                obj.status = "active"
                ctx.state.release(obj)
                return RunStart(found, request_id, started=False)
        obj.source = {"pipeline": pipeline, "requestId": request_id}
        obj.status = "starting"
        obj.data = {"started_at": datetime.now(UTC).isoformat()}
        ctx.state.save(obj)
        run_id = adf.create_run(pipeline, {REQUEST_ID_PARAMETER: request_id})
        obj.target = {"run_id": run_id, "pipeline": pipeline}
        obj.status = "active"
        ctx.state.release(obj)
    return RunStart(run_id, request_id, started=True)
