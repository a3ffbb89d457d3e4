"""Data Factory management calls (ARM, api-version 2018-06-01) through the app's shared transport.

The resource bodies come from the pinned SDK's models (sync/adf/builders.py); the calls go through
`HttpTransport` rather than the SDK's client so Data Factory gets the same retry, throttle and error rules as
Purview and CluedIn, shows up in run reports' call statistics, and needs no bearer-over-http workaround to talk
to the local emulator. The factory is addressed by CluedIn's own "Data Factory Base Url" setting
(`…/providers/Microsoft.DataFactory/factories/<name>`), so every path below is relative to it.

Conventions: `get_*` → None when missing, `delete_*` succeed when already gone, `put_*` are full replaces
(idempotent, retried like any PUT). `create_run` is the one non-idempotent call; sync/adf/runs.py makes it safe.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sync.core.errors import NotFoundError, RetriableError
from sync.services.http import AuthProvider, HttpTransport, RateLimiter, RetryPolicy

API_VERSION = "2018-06-01"
ARM_SCOPE = "https://management.azure.com/.default"
ENTITY_KINDS = ("linkedservices", "datasets", "pipelines", "triggers")
ASYNC_POLL_SECONDS = 60.0


class DataFactoryClient:
    """Calls to one factory."""

    def __init__(
        self,
        factory_url: str,
        auth: AuthProvider,
        *,
        rate_limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.factory_url = factory_url.rstrip("/")
        self.transport = HttpTransport(
            "datafactory", self.factory_url, auth=auth, rate_limiter=rate_limiter, retry=retry
        )

    def _params(self) -> dict[str, str]:
        return {"api-version": API_VERSION}

    def _path(self, kind: str, name: str, suffix: str = "") -> str:
        if kind not in ENTITY_KINDS:
            raise ValueError(f"unknown entity kind {kind!r}")
        return f"/{kind}/{quote(name, safe='')}{suffix}"

    # --- entities -------------------------------------------------------------------------------------------
    def get_entity(self, kind: str, name: str) -> dict[str, Any] | None:
        """A linked service, dataset, pipeline or trigger, or None when it does not exist."""
        try:
            response = self.transport.request(
                "GET", self._path(kind, name), params=self._params(), operation=f"{kind}.get"
            )
        except NotFoundError:
            return None
        body: dict[str, Any] = response.json()
        return body

    def put_entity(self, kind: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
        """Create or replace an entity (references must already exist: put in dependency order)."""
        response = self.transport.request(
            "PUT", self._path(kind, name), params=self._params(), json=body, operation=f"{kind}.create_or_update"
        )
        result: dict[str, Any] = response.json() if response.content else {}
        return result

    def delete_entity(self, kind: str, name: str) -> None:
        """Delete an entity; fine when it is already gone."""
        try:
            self.transport.request("DELETE", self._path(kind, name), params=self._params(), operation=f"{kind}.delete")
        except NotFoundError:
            return

    # --- triggers -------------------------------------------------------------------------------------------
    def start_trigger(self, name: str) -> None:
        """Start a trigger (a long-running operation in ARM; waited for here). Starting twice is harmless."""
        self._long_running("POST", self._path("triggers", name, "/start"), "triggers.start")

    def stop_trigger(self, name: str) -> None:
        """Stop a trigger; stopping a stopped or missing trigger is fine."""
        try:
            self._long_running("POST", self._path("triggers", name, "/stop"), "triggers.stop")
        except NotFoundError:
            return

    def _long_running(self, method: str, path: str, operation: str) -> None:
        response = self.transport.request(
            method, path, params=self._params(), idempotent=True, operation=operation, ok=(200, 202, 204)
        )
        if response.status_code != 202:
            return
        monitor = response.headers.get("Azure-AsyncOperation") or response.headers.get("Location")
        deadline = time.monotonic() + ASYNC_POLL_SECONDS
        while monitor and time.monotonic() < deadline:
            time.sleep(float(response.headers.get("Retry-After", "1") or 1))
            response = self.transport.request("GET", monitor, operation=f"{operation}.poll", ok=(200, 202))
            status = (response.json() if response.content else {}).get("status", "")
            if response.status_code == 200 and status.lower() not in {"inprogress", "running", "accepted"}:
                return
        raise RetriableError(f"datafactory {operation}: the operation did not finish within {ASYNC_POLL_SECONDS:g} s")

    # --- runs -----------------------------------------------------------------------------------------------
    def create_run(self, pipeline: str, parameters: dict[str, Any]) -> str:
        """Start a pipeline run; NOT idempotent (a resend after a lost answer would start a second run)."""
        response = self.transport.request(
            "POST",
            self._path("pipelines", pipeline, "/createRun"),
            params=self._params(),
            json=parameters,
            idempotent=False,
            operation="pipelines.create_run",
        )
        return str(response.json()["runId"])

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        """A pipeline run, or None when the factory knows no run with that id."""
        try:
            response = self.transport.request(
                "GET", f"/pipelineruns/{quote(run_id, safe='')}", params=self._params(), operation="pipelineruns.get"
            )
        except NotFoundError:
            return None
        body: dict[str, Any] = response.json()
        return body

    def query_runs(self, pipeline: str, after: datetime, before: datetime) -> list[dict[str, Any]]:
        """Runs of one pipeline updated in a time window (follows continuationToken)."""
        body: dict[str, Any] = {
            "lastUpdatedAfter": after.isoformat(),
            "lastUpdatedBefore": before.isoformat(),
            "filters": [{"operand": "PipelineName", "operator": "Equals", "values": [pipeline]}],
        }
        runs: list[dict[str, Any]] = []
        while True:
            response = self.transport.request(
                "POST",
                "/queryPipelineRuns",
                params=self._params(),
                json=body,
                idempotent=True,
                write=False,
                operation="pipelineruns.query",
            )
            page = response.json()
            runs.extend(page.get("value") or [])
            token = page.get("continuationToken")
            if not token:
                return runs
            body = {**body, "continuationToken": token}


DATA_FACTORY_REQUESTS_PER_SECOND = 8.0
"""Client-side limit per instance: ARM allows about 12,000 reads and 1,200 writes per hour and subscription."""
