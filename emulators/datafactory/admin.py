"""Emulator-only admin routes: the Key Vault stand-in and "fire this trigger now".

| Route | Meaning |
|---|---|
| `GET /_emulator/keyvault/secrets` | names of the configured secrets (never values) |
| `PUT /_emulator/keyvault/secrets/{name}` body `{"value": "..."}` | set a secret (204) |
| `DELETE /_emulator/keyvault/secrets/{name}` | remove a secret (204) |
| `POST /_emulator/triggers/{factory}/{name}/fire[?force=true]` | start the trigger's pipelines now |

Scheduled firing is not emulated (README): tests and the demo call `fire` instead of waiting for the clock.
A stopped trigger never fires in ADF, so `fire` answers 409 for it unless `force=true`.
"""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from emulators.datafactory.arm import EmulatorContext, json_body
from emulators.datafactory.errors import ArmError, bad_request, not_found
from emulators.datafactory.routes_runs import start_pipeline_run
from emulators.datafactory.triggers import trigger_pipelines


def build_admin_routes(context: EmulatorContext) -> list[BaseRoute]:
    """Key Vault secret management and trigger firing."""
    store = context.store

    async def list_secrets(_: Request) -> Response:
        return JSONResponse({"value": [{"name": name} for name in sorted(store.secrets)]})

    async def put_secret(request: Request) -> Response:
        try:
            body = await json_body(request)
            if not isinstance(body, dict) or not isinstance(body.get("value"), str):
                raise bad_request('The body must be {"value": "<secret>"}.', "value")
        except ArmError as error:
            return error.response()
        store.secrets[request.path_params["name"]] = body["value"]
        return Response(status_code=204)

    async def delete_secret(request: Request) -> Response:
        store.secrets.pop(request.path_params["name"], None)
        return Response(status_code=204)

    async def fire(request: Request) -> Response:
        try:
            factory_name = request.path_params["factory"].lower()
            subscription = request.query_params.get("subscriptionId", "").lower()
            group = request.query_params.get("resourceGroup", "").lower()
            factories = [
                f
                for key, f in store.factories.items()
                if key[2] == factory_name
                and (not subscription or key[0] == subscription)
                and (not group or key[1] == group)
            ]
            if not factories:
                raise not_found(f"No factory named '{request.path_params['factory']}' exists in the emulator.")
            if len(factories) > 1:
                raise bad_request("Several factories have this name; add ?subscriptionId=&resourceGroup=.", "factory")
            factory = factories[0]
            name = request.path_params["name"]
            trigger = factory.entity("triggers", name)
            if trigger is None:
                raise not_found(f"The trigger '{name}' was not found in factory '{factory.name}'.")
            force = request.query_params.get("force", "").lower() == "true"
            if trigger["runtimeState"] != "Started" and not force:
                raise ArmError(
                    409, "Conflict", f"The trigger '{name}' is {trigger['runtimeState']}; only a started trigger fires."
                )
            trigger_run = uuid.uuid4().hex
            invoked = {
                "id": trigger_run,
                "name": trigger["name"],
                "invokedByType": str(trigger["properties"].get("type")),
            }
            run_ids = [
                start_pipeline_run(context, factory, pipeline, parameters, invoked_by=invoked)
                for pipeline, parameters in trigger_pipelines(trigger["properties"])
            ]
        except ArmError as error:
            return error.response()
        return JSONResponse({"triggerRunId": trigger_run, "runIds": run_ids})

    return [
        Route("/_emulator/keyvault/secrets", list_secrets, methods=["GET"]),
        Route("/_emulator/keyvault/secrets/{name}", put_secret, methods=["PUT"]),
        Route("/_emulator/keyvault/secrets/{name}", delete_secret, methods=["DELETE"]),
        Route("/_emulator/triggers/{factory}/{name}/fire", fire, methods=["POST"]),
    ]
