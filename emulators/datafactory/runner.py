"""Pipeline runs: Queued -> InProgress -> Succeeded/Failed/Cancelled, executed in worker threads.

A run walks its activities in dependency order. An activity whose `dependsOn` conditions are not met is
Skipped; a Copy activity really copies (copy_activity.py) and is retried per `policy.retry` /
`policy.retryIntervalInSeconds` (scaled by `--retry-wait-scale` so tests need not wait 30 s); a Wait activity
waits; every other activity type fails the run with a clear "not supported by the emulator" message.
Progress reaches the store through the event loop (`call_soon_threadsafe`), which stays its only writer.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from emulators.datafactory.copy_activity import FactoryView, run_copy
from emulators.datafactory.expressions import ExpressionContext, ExpressionError, resolve
from emulators.datafactory.source import CopyError
from emulators.datafactory.store import DataFactoryStore, utc_now

log = logging.getLogger("emulators.datafactory")
Report = Callable[[dict[str, Any], dict[str, Any] | None], None]


@dataclass
class RunPlan:
    """Everything a run needs, frozen when it was created."""

    run_id: str
    pipeline_name: str
    pipeline: dict[str, Any]
    parameters: dict[str, Any]
    view: FactoryView


def _ordered(activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Activities in an order where every activity comes after those it depends on."""
    by_name = {a["name"].lower(): a for a in activities}
    done: list[dict[str, Any]] = []
    seen: set[str] = set()

    def visit(activity: dict[str, Any], trail: frozenset[str]) -> None:
        key = activity["name"].lower()
        if key in seen:
            return
        if key in trail:
            raise CopyError(f"activities depend on each other in a cycle through '{activity['name']}'")
        for dependency in activity.get("dependsOn") or []:
            target = by_name.get(str(dependency.get("activity", "")).lower())
            if target is not None:
                visit(target, trail | {key})
        seen.add(key)
        done.append(activity)

    for activity in activities:
        visit(activity, frozenset())
    return done


def _dependencies_met(activity: dict[str, Any], outcomes: dict[str, str]) -> bool:
    for dependency in activity.get("dependsOn") or []:
        outcome = outcomes.get(str(dependency.get("activity", "")).lower(), "Skipped")
        conditions = set(dependency.get("dependencyConditions") or [])
        if "Completed" in conditions:
            conditions |= {"Succeeded", "Failed"}
        if outcome not in conditions:
            return False
    return True


class RunExecutor:
    """Starts runs on a small thread pool and reports their progress to the store."""

    def __init__(self, store: DataFactoryStore, retry_wait_scale: float = 1.0, workers: int = 4) -> None:
        self.store = store
        self.retry_wait_scale = retry_wait_scale
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="adf-run")

    def start(self, plan: RunPlan) -> None:
        """Queue the run; must be called on the event loop that owns the store."""
        loop = asyncio.get_running_loop()

        def report(run_changes: dict[str, Any], activity: dict[str, Any] | None = None) -> None:
            changes = {**run_changes, "lastUpdated": utc_now()}
            loop.call_soon_threadsafe(self.store.update_run, plan.run_id, changes, activity)

        self._pool.submit(self._execute, plan, report)

    def shutdown(self) -> None:
        """Stop accepting runs; runs in flight finish in the background."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _execute(self, plan: RunPlan, report: Report) -> None:
        started = time.monotonic()
        report({"status": "InProgress", "runStart": utc_now()}, None)
        try:
            status, message = self._run_activities(plan, report)
        except Exception as exc:  # a bug must still end the run, never leave it InProgress
            log.exception("pipeline run %s crashed", plan.run_id)
            status, message = "Failed", f"internal emulator error: {type(exc).__name__}"
        duration = int((time.monotonic() - started) * 1000)
        report({"status": status, "message": message, "runEnd": utc_now(), "durationInMs": duration}, None)

    def _run_activities(self, plan: RunPlan, report: Report) -> tuple[str, str]:
        ctx = ExpressionContext(plan.pipeline_name, plan.run_id, plan.parameters)
        outcomes: dict[str, str] = {}
        failures: list[str] = []
        try:
            ordered = _ordered(list(plan.pipeline.get("activities") or []))
        except CopyError as exc:
            return "Failed", str(exc)
        for activity in ordered:
            if plan.view.cancelled():
                return "Cancelled", "The pipeline run was cancelled."
            key = activity["name"].lower()
            if not _dependencies_met(activity, outcomes):
                outcomes[key] = "Skipped"
                continue
            outcome, error = self._run_with_retries(plan, activity, ctx, report)
            outcomes[key] = outcome
            if outcome == "Failed":
                failures.append(f"Operation on target {activity['name']} failed: {error}")
        if plan.view.cancelled():
            return "Cancelled", "The pipeline run was cancelled."
        return ("Failed", "; ".join(failures)) if failures else ("Succeeded", "")

    def _run_with_retries(
        self, plan: RunPlan, activity: dict[str, Any], ctx: ExpressionContext, report: Report
    ) -> tuple[str, str]:
        policy = activity.get("policy") or {}
        try:
            retries = int(resolve(policy.get("retry", 0), ctx) or 0)
        except (ExpressionError, TypeError, ValueError):
            retries = 0
        interval = float(policy.get("retryIntervalInSeconds", 30)) * self.retry_wait_scale
        error = ""
        for attempt in range(retries + 1):
            if attempt:
                time.sleep(interval)
            outcome, error = self._attempt(plan, activity, ctx, report, attempt)
            if outcome != "Failed" or plan.view.cancelled():
                return outcome, error
        return "Failed", error

    def _attempt(
        self, plan: RunPlan, activity: dict[str, Any], ctx: ExpressionContext, report: Report, attempt: int
    ) -> tuple[str, str]:
        record: dict[str, Any] = {
            "activityRunId": str(uuid.uuid4()),
            "activityName": activity["name"],
            "activityType": activity["type"],
            "pipelineName": plan.pipeline_name,
            "pipelineRunId": plan.run_id,
            "status": "InProgress",
            "activityRunStart": utc_now(),
            "retryAttempt": attempt or None,
            "linkedServiceName": "",
            "input": _activity_input(activity),
            "output": {},
            "error": {"errorCode": "", "message": "", "failureType": "", "target": activity["name"]},
            "userProperties": {},
        }
        report({}, dict(record))
        started = time.monotonic()
        outcome, error, output = "Succeeded", "", {}
        try:
            if activity["type"] == "Copy":
                output = run_copy(activity, plan.view, ctx)
            elif activity["type"] == "Wait":
                seconds = float(resolve((activity.get("typeProperties") or {}).get("waitTimeInSeconds", 0), ctx))
                time.sleep(seconds * self.retry_wait_scale)
            else:
                raise CopyError(f"activity type '{activity['type']}' is not supported by the emulator")
        except (CopyError, ExpressionError) as exc:
            outcome, error = "Failed", str(exc)
        except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
            outcome, error = "Failed", f"the activity definition could not be executed ({type(exc).__name__}: {exc})"
        record.update(
            status=outcome,
            activityRunEnd=utc_now(),
            durationInMs=int((time.monotonic() - started) * 1000),
            output=output,
        )
        if error:
            record["error"] = {
                "errorCode": "2200",
                "message": error,
                "failureType": "UserError",
                "target": activity["name"],
            }
        report({}, record)
        return outcome, error


def _activity_input(activity: dict[str, Any]) -> dict[str, Any]:
    """What ADF shows as the activity input; only types, so nothing sensitive can leak through it."""
    type_props = activity.get("typeProperties") or {}
    shown: dict[str, Any] = {}
    for key in ("source", "sink"):
        if isinstance(type_props.get(key), dict):
            shown[key] = {"type": type_props[key].get("type")}
    return shown
