"""`run now` exactly once per request id, although ADF's createRun is not idempotent.

A caller-supplied request id (HTTP header `Idempotency-Key` or body field `requestId`) names the run. Its state row
(kind `adf_run`, key `<pipeline>|<requestId>`) is the request's lock and record:

- The request holds the row's lease for as long as it works (`hold_request`), owned by its own invocation, so a
  second request with the same id that arrives meanwhile is never mistaken for it: it waits for the first to
  finish (then answers with the same run), or answers `409 RequestInProgress` naming the request when the wait
  runs out. It never starts a second run.
- The row is written BEFORE createRun (status `starting`, with the time) and AFTER it (the run id). createRun
  also passes the request id as the pipeline parameter `requestId`, so if the process dies between the two
  writes, or the answer to createRun is lost, the retry finds the run it already started by querying the
  pipeline's runs around the recorded time, instead of starting a second one.
- createRun is fenced like every non-idempotent call: it is not sent if the lease was lost meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sync.core import clock
from sync.core.errors import ContentionError, LeaseHeldError, RetriableError
from sync.core.feature import SyncContext
from sync.core.state import SyncObject
from sync.features.pipelines.builders import REQUEST_ID_PARAMETER
from sync.services.datafactory.client import DataFactoryClient

log = logging.getLogger("sync.features.pipelines.runs")
RUN_KIND = "adf_run"
QUERY_MARGIN = timedelta(minutes=5)
REQUEST_WAIT_SECONDS = 20.0
"""How long a request waits for an in-flight request with the same id before answering 409."""


@dataclass(frozen=True)
class RunStart:
    """The run belonging to a request id; `started` is False when an earlier attempt had already started it."""

    run_id: str
    request_id: str
    started: bool


class RequestInProgressError(ContentionError):
    """Another invocation is still working on a request with the same id (answered 409 with Retry-After)."""

    def __init__(self, pipeline: str, request_id: str, retry_after: float | None) -> None:
        super().__init__(
            f"request '{request_id}' for pipeline {pipeline} is still being processed by an earlier call; "
            "no second run was started — retry later for its answer",
            retry_after=retry_after,
            service="state storage",
        )
        self.pipeline = pipeline
        self.request_id = request_id


def run_key(pipeline: str, request_id: str) -> str:
    """The state key of a request's run."""
    return f"{pipeline}|{request_id}"


@contextmanager
def hold_request(
    ctx: SyncContext, pipeline: str, request_id: str, *, owner: str, wait: float = REQUEST_WAIT_SECONDS
) -> Iterator[SyncObject]:
    """Hold the request's run row for a block, waiting up to `wait` seconds for a request with the same id.

    Raises:
        RequestInProgressError: a request with the same id was still in flight when the wait ran out.
    """
    try:
        lease = ctx.state.lease(RUN_KIND, run_key(pipeline, request_id), owner=owner, wait=wait)
    except LeaseHeldError as exc:
        raise RequestInProgressError(pipeline, request_id, exc.retry_after) from None
    with lease.held() as obj:
        yield obj


def _find_started_run(adf: DataFactoryClient, pipeline: str, request_id: str, since: datetime) -> str | None:
    moment = clock.now()
    for run in adf.query_runs(pipeline, since - QUERY_MARGIN, moment + QUERY_MARGIN):
        if str((run.get("parameters") or {}).get(REQUEST_ID_PARAMETER, "")) == request_id and run.get("runId"):
            return str(run["runId"])
    return None


def run_once(ctx: SyncContext, obj: SyncObject, pipeline: str, request_id: str) -> RunStart:
    """Start the pipeline for this request unless a run for it exists; `obj` is the held run row (released here)."""
    adf: DataFactoryClient = ctx.client("datafactory")
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
    obj.data = {"started_at": clock.now().isoformat()}
    ctx.state.save(obj)
    run_id = adf.create_run(pipeline, {REQUEST_ID_PARAMETER: request_id})
    obj.target = {"run_id": run_id, "pipeline": pipeline}
    obj.status = "active"
    try:
        ctx.state.release(obj)
    except RetriableError as exc:
        # The run started: say so. A later request with this id finds it by its requestId parameter.
        log.warning("run %s of %s started, but its state row could not be updated: %s", run_id, pipeline, exc)
    return RunStart(run_id, request_id, started=True)


def start_run_once(ctx: SyncContext, pipeline: str, request_id: str, *, owner: str) -> RunStart:
    """Start the pipeline for this request id unless a run for it already exists; record it either way."""
    with hold_request(ctx, pipeline, request_id, owner=owner) as obj:
        return run_once(ctx, obj, pipeline, request_id)
