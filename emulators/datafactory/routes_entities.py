"""Factories and their entities (linked services, datasets, pipelines, triggers): PUT, GET, list, DELETE.

PUT is create-or-replace and answers 200 with the stored resource; `If-Match` makes it conditional (412 on a
stale etag). GET honours `If-None-Match` (304). DELETE answers 200, or 204 when the entity was absent. An
entity still referenced by another (a linked service used by a dataset, a pipeline used by a trigger) and a
started trigger cannot be deleted or changed, as in ADF.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from emulators.datafactory.arm import (
    FACTORY_PATH,
    EmulatorContext,
    FactoryPath,
    Handler,
    arm_route,
    etag_matches,
    json_body,
)
from emulators.datafactory.errors import ArmError, bad_request, not_found
from emulators.datafactory.store import ENTITY_KINDS, Factory, mask_secrets
from emulators.datafactory.triggers import validate_trigger
from emulators.datafactory.validation import (
    KIND_LABEL,
    references_in,
    validate_dataset,
    validate_entity_name,
    validate_linked_service,
    validate_name_pattern,
    validate_pipeline,
)

_VALIDATORS = {
    "linkedservices": validate_linked_service,
    "datasets": validate_dataset,
    "pipelines": validate_pipeline,
    "triggers": validate_trigger,
}
EntityHandler = Callable[[Request, FactoryPath, str], Awaitable[Response]]
_OPERATION = {
    "linkedservices": "LinkedServices",
    "datasets": "Datasets",
    "pipelines": "Pipelines",
    "triggers": "Triggers",
}


def entity_json(factory: Factory, kind: str, record: dict[str, Any]) -> dict[str, Any]:
    """The SubResource shape ADF answers: id, name, type, etag, properties (secrets masked)."""
    properties = mask_secrets(record["properties"])
    if kind == "triggers":
        properties = {**properties, "runtimeState": record["runtimeState"]}
    return {
        "id": f"{factory.resource_id}/{kind}/{record['name']}",
        "name": record["name"],
        "type": f"Microsoft.DataFactory/factories/{kind}",
        "etag": record["etag"],
        "properties": properties,
    }


def factory_json(factory: Factory) -> dict[str, Any]:
    """The Factory shape of the REST description (Factories_Get example)."""
    return {
        "id": factory.resource_id,
        "name": factory.name,
        "type": "Microsoft.DataFactory/factories",
        "location": factory.location,
        "tags": factory.tags,
        "identity": {
            "type": "SystemAssigned",
            "principalId": "00000000-0000-0000-0000-00000000adf0",
            "tenantId": "00000000-0000-0000-0000-000000000000",
        },
        "properties": {"provisioningState": "Succeeded", "createTime": factory.create_time, "version": "2018-06-01"},
        "eTag": f'"{factory.etag}"',
    }


def _referrers(factory: Factory, kind: str, name: str) -> list[str]:
    found = []
    for other_kind in ENTITY_KINDS:
        for record in factory.entities[other_kind].values():
            if (kind, name.lower()) in set(references_in(record["properties"])) and not (
                other_kind == kind and record["name"].lower() == name.lower()
            ):
                found.append(f"{KIND_LABEL[other_kind]} '{record['name']}'")
    if kind == "pipelines":
        for trigger in factory.entities["triggers"].values():
            started = [
                str((p.get("pipelineReference") or {}).get("referenceName", "")).lower() for p in _pipelines(trigger)
            ]
            if name.lower() in started:
                found.append(f"trigger '{trigger['name']}'")
    return found


def _pipelines(trigger: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in trigger["properties"].get("pipelines") or [] if isinstance(p, dict)]


def _factory_routes(context: EmulatorContext) -> list[BaseRoute]:
    store = context.store

    async def get_factory(request: Request, path: FactoryPath) -> Response:
        factory = path.factory()
        if etag_matches(request.headers.get("if-none-match"), factory.etag):
            return Response(status_code=304)
        return JSONResponse(factory_json(factory))

    async def put_factory(request: Request, path: FactoryPath) -> Response:
        body = await json_body(request)
        if not isinstance(body, dict):
            raise bad_request("The factory body must be a JSON object.", "body")
        factory = path.factory()
        if isinstance(body.get("location"), str):
            factory.location = body["location"]
        if isinstance(body.get("tags"), dict):
            factory.tags = {str(k): str(v) for k, v in body["tags"].items()}
        factory.etag = store.new_etag()
        return JSONResponse(factory_json(factory))

    async def delete_factory(request: Request, path: FactoryPath) -> Response:
        factory = path.existing()
        if factory is None:
            return Response(status_code=204)
        del store.factories[factory.key]
        return Response(status_code=200)

    return [
        Route(FACTORY_PATH, arm_route(context, "Factories_Get", False, get_factory), methods=["GET"]),
        Route(FACTORY_PATH, arm_route(context, "Factories_CreateOrUpdate", True, put_factory), methods=["PUT"]),
        Route(FACTORY_PATH, arm_route(context, "Factories_Delete", True, delete_factory), methods=["DELETE"]),
    ]


def build_entity_routes(context: EmulatorContext) -> list[BaseRoute]:
    """Routes for the factory and the four entity kinds."""
    store = context.store

    async def list_entities(request: Request, path: FactoryPath, kind: str) -> Response:
        factory = path.factory()
        records = sorted(factory.entities[kind].values(), key=lambda r: r["name"].lower())
        return JSONResponse({"value": [entity_json(factory, kind, r) for r in records]})

    async def get_entity(request: Request, path: FactoryPath, kind: str) -> Response:
        factory = path.factory()
        name = request.path_params["name"]
        validate_name_pattern(kind, name)
        record = factory.entity(kind, name)
        if record is None:
            raise not_found(f"The {KIND_LABEL[kind]} '{name}' was not found in factory '{factory.name}'.")
        if etag_matches(request.headers.get("if-none-match"), record["etag"]):
            return Response(status_code=304)
        return JSONResponse(entity_json(factory, kind, record))

    async def put_entity(request: Request, path: FactoryPath, kind: str) -> Response:
        name = request.path_params["name"]
        validate_entity_name(kind, name)
        factory = path.factory()
        existing = factory.entity(kind, name)
        if_match = request.headers.get("if-match")
        if if_match is not None and not etag_matches(if_match, existing["etag"] if existing else None):
            raise ArmError(
                412, "PreconditionFailed", f"The etag in If-Match does not match the {KIND_LABEL[kind]} '{name}'."
            )
        body = await json_body(request)

        def lookup(ref_kind: str, ref_name: str) -> dict[str, Any] | None:
            return factory.entity(ref_kind, ref_name)

        properties = _VALIDATORS[kind](body, lookup)
        if kind == "triggers" and existing and existing["runtimeState"] == "Started":
            raise bad_request(
                f"Cannot update enabled trigger '{name}'; stop the trigger first.",
                "properties",
                "TriggerEnabledCannotUpdate",
            )
        record = store.put_entity(factory, kind, name, properties)
        return JSONResponse(entity_json(factory, kind, record))

    async def delete_entity(request: Request, path: FactoryPath, kind: str) -> Response:
        factory = path.factory()
        name = request.path_params["name"]
        validate_name_pattern(kind, name)
        record = factory.entity(kind, name)
        if record is None:
            return Response(status_code=204)
        if kind == "triggers" and record["runtimeState"] == "Started":
            raise bad_request(
                f"Cannot delete enabled trigger '{name}'; stop the trigger first.", "name", "TriggerEnabledCannotUpdate"
            )
        referrers = _referrers(factory, kind, name)
        if referrers:
            users = ", ".join(sorted(set(referrers)))
            message = f"The {KIND_LABEL[kind]} '{name}' cannot be deleted since it is referenced by {users}."
            raise bad_request(message, "name")
        del factory.entities[kind][name.lower()]
        return Response(status_code=200)

    routes = _factory_routes(context)

    def bind(kind: str, handler: EntityHandler) -> Handler:
        async def bound(request: Request, path: FactoryPath) -> Response:
            return await handler(request, path, kind)

        return bound

    for kind in ENTITY_KINDS:
        label = _OPERATION[kind]
        collection = f"{FACTORY_PATH}/{kind}"
        item = f"{collection}/{{name}}"
        routes += [
            Route(
                collection,
                arm_route(context, f"{label}_ListByFactory", False, bind(kind, list_entities)),
                methods=["GET"],
            ),
            Route(item, arm_route(context, f"{label}_Get", False, bind(kind, get_entity)), methods=["GET"]),
            Route(item, arm_route(context, f"{label}_CreateOrUpdate", True, bind(kind, put_entity)), methods=["PUT"]),
            Route(item, arm_route(context, f"{label}_Delete", True, bind(kind, delete_entity)), methods=["DELETE"]),
        ]
    return routes
