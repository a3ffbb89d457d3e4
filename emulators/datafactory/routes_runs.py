"""Pipeline runs over ARM: createRun, pipelineruns/{runId} (get, cancel), queries; trigger start/stop.

`createRun` answers `{"runId"}` at once and the run proceeds in the background (runner.py); callers poll
`pipelineruns/{runId}` like they poll ADF. Query operations filter on lastUpdated and the documented
operands (PipelineName, Status, RunGroupId / ActivityName, ActivityType, Status) without paging.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from emulators.datafactory.arm import FACTORY_PATH, EmulatorContext, FactoryPath, arm_route, json_body
from emulators.datafactory.copy_activity import FactoryView
from emulators.datafactory.errors import ArmError, bad_request, not_found
from emulators.datafactory.runner import RunPlan
from emulators.datafactory.store import MASK, Factory, utc_now
from emulators.datafactory.triggers import parse_time
from emulators.datafactory.validation import validate_name_pattern

_OPERATORS = {"Equals", "NotEquals", "In", "NotIn"}


def _display(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def start_pipeline_run(
    context: EmulatorContext,
    factory: Factory,
    pipeline_name: str,
    supplied: dict[str, Any],
    *,
    invoked_by: dict[str, str],
    reference: dict[str, Any] | None = None,
) -> str:
    """Create a run record (Queued) and hand it to the executor; returns the run id."""
    record = factory.entity("pipelines", pipeline_name)
    if record is None:
        raise not_found(f"The pipeline '{pipeline_name}' was not found in factory '{factory.name}'.")
    pipeline = record["properties"]
    specs = pipeline.get("parameters") or {}
    values: dict[str, Any] = {}
    for name, spec in specs.items():
        if name in supplied:
            values[name] = supplied[name]
        elif isinstance(spec, dict) and "defaultValue" in spec:
            values[name] = spec["defaultValue"]
        else:
            raise bad_request(f"The required pipeline parameter '{name}' was not provided.", f"parameters.{name}")
    run_id = str(uuid.uuid4())
    group_id = reference["runGroupId"] if reference else run_id
    if reference:
        for other in context.store.runs.values():
            if other["run"].get("runGroupId") == group_id:
                other["run"]["isLatest"] = False
    secure = {name for name, spec in specs.items() if isinstance(spec, dict) and spec.get("type") == "SecureString"}
    shown = {name: MASK if name in secure else _display(value) for name, value in values.items()}
    run = {
        "runId": run_id,
        "runGroupId": group_id,
        "isLatest": True,
        "pipelineName": record["name"],
        "parameters": shown,
        "invokedBy": invoked_by,
        "runStart": None,
        "runEnd": None,
        "durationInMs": None,
        "status": "Queued",
        "message": "",
        "lastUpdated": utc_now(),
        "annotations": list(pipeline.get("annotations") or []),
        "runDimension": dict(pipeline.get("runDimensions") or {}),
    }
    store = context.store
    store.add_run(factory, run)
    store.runs[run_id]["rawParameters"] = dict(supplied)  # for reruns; SecureString ones masked in snapshots
    store.runs[run_id]["secureParameters"] = sorted(secure)
    view = FactoryView(
        datasets=dict(factory.entities["datasets"]),
        linked_services=dict(factory.entities["linkedservices"]),
        secrets=store.secrets,
        connection_string=context.connection_string,
        cancelled=lambda: bool(store.runs.get(run_id, {"cancel": True})["cancel"]),
    )
    context.executor.start(RunPlan(run_id, record["name"], pipeline, values, view))
    return run_id


def _run_of(context: EmulatorContext, factory: Factory, run_id: str) -> dict[str, Any]:
    record = context.store.runs.get(run_id)
    if record is None or tuple(record["factory"]) != factory.key:
        raise not_found(f"The pipeline run '{run_id}' was not found in factory '{factory.name}'.")
    return record


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _filtered(items: list[dict[str, Any]], body: Any, fields: dict[str, str]) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        raise bad_request("The filter parameters must be a JSON object.", "filterParameters")
    after = _aware(parse_time(body.get("lastUpdatedAfter"), "lastUpdatedAfter"))
    before = _aware(parse_time(body.get("lastUpdatedBefore"), "lastUpdatedBefore"))
    selected = []
    for item in items:
        stamp = item.get("lastUpdated") or item.get("activityRunEnd") or item.get("activityRunStart")
        if stamp and not after <= parse_time(stamp, "lastUpdated") <= before:
            continue
        selected.append(item)
    filters = body.get("filters") or []
    orders = body.get("orderBy") or []
    if not isinstance(filters, list) or not isinstance(orders, list):
        raise bad_request("'filters' and 'orderBy' must be JSON arrays.", "filters")
    for index, condition in enumerate(filters):
        path = f"filters[{index}]"
        if (
            not isinstance(condition, dict)
            or not isinstance(condition.get("operand"), str)
            or condition["operand"] not in fields
        ):
            raise bad_request(f"'{path}.operand' must be one of {', '.join(fields)}.", f"{path}.operand")
        operator = condition.get("operator")
        if not isinstance(operator, str) or operator not in _OPERATORS or not isinstance(condition.get("values"), list):
            raise bad_request(f"'{path}' needs an operator ({', '.join(sorted(_OPERATORS))}) and a values array.", path)
        key = fields[condition["operand"]]
        wanted = {str(v) for v in condition["values"]}
        negate = condition["operator"] in {"NotEquals", "NotIn"}
        selected = [i for i in selected if (str(i.get(key)) in wanted) != negate]
    for index, order in reversed(list(enumerate(orders))):
        if not isinstance(order, dict):
            raise bad_request(f"'orderBy[{index}]' must be a JSON object.", f"orderBy[{index}]")
        key = fields.get(str(order.get("orderBy")), str(order.get("orderBy")))
        selected.sort(key=lambda i: str(i.get(key) or ""), reverse=order.get("order") == "DESC")
    return selected


def build_run_routes(context: EmulatorContext) -> list[BaseRoute]:
    """Routes for runs and trigger start/stop."""
    store = context.store

    async def create_run(request: Request, path: FactoryPath) -> Response:
        factory = path.factory()
        validate_name_pattern("pipelines", request.path_params["name"])
        body = await json_body(request, required=False)
        if body is not None and not isinstance(body, dict):
            raise bad_request("The createRun body must be a JSON object of parameter values.", "parameters")
        reference = None
        reference_id = request.query_params.get("referencePipelineRunId")
        if reference_id:
            previous = _run_of(context, factory, reference_id)
            reference = previous["run"] if request.query_params.get("isRecovery", "").lower() == "true" else None
            body = previous.get("rawParameters") or {}
        invoked = {"id": uuid.uuid4().hex, "name": "Manual", "invokedByType": "Manual"}
        run_id = start_pipeline_run(
            context, factory, request.path_params["name"], body or {}, invoked_by=invoked, reference=reference
        )
        return JSONResponse({"runId": run_id})

    async def get_run(request: Request, path: FactoryPath) -> Response:
        return JSONResponse(_run_of(context, path.factory(), request.path_params["runId"])["run"])

    async def cancel_run(request: Request, path: FactoryPath) -> Response:
        record = _run_of(context, path.factory(), request.path_params["runId"])
        if record["run"]["status"] in {"Queued", "InProgress"}:
            record["cancel"] = True
            record["run"]["status"] = "Canceling"
        return Response(status_code=200)

    async def query_runs(request: Request, path: FactoryPath) -> Response:
        factory = path.factory()
        runs = [r["run"] for r in store.runs.values() if tuple(r["factory"]) == factory.key]
        fields = {
            "PipelineName": "pipelineName",
            "Status": "status",
            "RunGroupId": "runGroupId",
            "RunStart": "runStart",
            "RunEnd": "runEnd",
        }
        return JSONResponse({"value": _filtered(runs, await json_body(request), fields)})

    async def query_activity_runs(request: Request, path: FactoryPath) -> Response:
        record = _run_of(context, path.factory(), request.path_params["runId"])
        fields = {
            "ActivityName": "activityName",
            "ActivityType": "activityType",
            "Status": "status",
            "ActivityRunStart": "activityRunStart",
            "ActivityRunEnd": "activityRunEnd",
        }
        return JSONResponse({"value": _filtered(list(record["activities"]), await json_body(request), fields)})

    def set_state(state: str) -> Any:
        async def handler(request: Request, path: FactoryPath) -> Response:
            factory = path.factory()
            name = request.path_params["name"]
            validate_name_pattern("triggers", name)
            trigger = factory.entity("triggers", name)
            if trigger is None:
                raise not_found(f"The trigger '{name}' was not found in factory '{factory.name}'.")
            if (
                state == "Started"
                and not trigger["properties"].get("pipelines")
                and trigger["properties"]["type"] == "ScheduleTrigger"
            ):
                raise ArmError(400, "BadRequest", f"The trigger '{name}' starts no pipeline.", "properties.pipelines")
            trigger["runtimeState"] = state
            return Response(status_code=200)

        return handler

    runs = f"{FACTORY_PATH}/pipelineruns/{{runId}}"
    return [
        Route(
            f"{FACTORY_PATH}/pipelines/{{name}}/createRun",
            arm_route(context, "Pipelines_CreateRun", True, create_run),
            methods=["POST"],
        ),
        Route(runs, arm_route(context, "PipelineRuns_Get", False, get_run), methods=["GET"]),
        Route(f"{runs}/cancel", arm_route(context, "PipelineRuns_Cancel", True, cancel_run), methods=["POST"]),
        Route(
            f"{runs}/queryActivityruns",
            arm_route(context, "ActivityRuns_QueryByPipelineRun", False, query_activity_runs),
            methods=["POST"],
        ),
        Route(
            f"{FACTORY_PATH}/queryPipelineRuns",
            arm_route(context, "PipelineRuns_QueryByFactory", False, query_runs),
            methods=["POST"],
        ),
        Route(
            f"{FACTORY_PATH}/triggers/{{name}}/start",
            arm_route(context, "Triggers_Start", True, set_state("Started")),
            methods=["POST"],
        ),
        Route(
            f"{FACTORY_PATH}/triggers/{{name}}/stop",
            arm_route(context, "Triggers_Stop", True, set_state("Stopped")),
            methods=["POST"],
        ),
    ]
