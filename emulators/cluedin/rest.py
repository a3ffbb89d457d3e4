"""CluedIn's REST surface (Server.WebApi): status, audit log, notifications, settings, and the route table.

Real deployments expose the same controllers as `/api/<route>`, `/api/v1/<route>` and, behind the gateway that
strips one `/api`, as `/api/api/<route>` and `/api/api/v1/<route>`; all four forms are served. Errors use ASP.NET
Core's problem-details shape. Every route but `status` needs a bearer token (user access token or API token).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from emulators.cluedin.auth import AuthError, Principal
from emulators.cluedin.store import OBJECT_TYPE_IDS, CluedInStore
from emulators.cluedin.util import EmulatorError, NotFoundError, iso_to_datetime, parse_guid

CLUEDIN_VERSION = "2025.05.00"
"""`x-cluedin-version` the status endpoint reports (a plausible release number: a guess)."""

REST_PREFIXES = ("/api", "/api/v1", "/api/api", "/api/api/v1")
Handler = Callable[[Request, CluedInStore, Principal], Awaitable[Any]]


def problem(status: int, title: str, detail: str, path: str = "") -> dict[str, Any]:
    """An ASP.NET Core problem-details body."""
    return {
        "type": f"https://httpstatuses.io/{status}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": path or None,
    }


def rest(route: str, methods: list[str], handler: Handler, *, status_code: int = 200) -> list[BaseRoute]:
    """The four prefixed forms of one REST route, counted as `rest:<METHOD> <route>`."""

    async def endpoint(request: Request) -> Response:
        request.state.operation = f"rest:{request.method} {route}"
        request.state.write = request.method not in {"GET", "HEAD"}
        emulator = request.state.cluedin
        try:
            principal = emulator.auth.authenticate(request, allow_api_tokens=True)
            result = await handler(request, emulator.store, principal)
        except AuthError as exc:
            return JSONResponse(problem(401, "Unauthorized", exc.message, request.url.path), status_code=401)
        except EmulatorError as exc:
            title = "Not Found" if exc.status == 404 else "Bad Request"
            return JSONResponse(problem(exc.status, title, exc.message, request.url.path), status_code=exc.status)
        if isinstance(result, Response):
            return result
        return JSONResponse(result, status_code=status_code)

    return [Route(f"{prefix}/{route}", endpoint, methods=methods) for prefix in REST_PREFIXES]


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object body, or a 400."""
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError as exc:
        raise EmulatorError(f"request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise EmulatorError("request body must be a JSON object")
    return body


def int_param(request: Request, name: str, default: int) -> int:
    """An integer query parameter, or a 400."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw))
    except ValueError:
        raise EmulatorError(f"query parameter {name} must be an integer, got {raw!r}") from None
    if value < 0:
        raise EmulatorError(f"query parameter {name} must not be negative")
    return value


def bool_param(request: Request, name: str) -> bool | None:
    """A boolean query parameter (`true`/`false`), or None when absent."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    if str(raw).lower() not in {"true", "false"}:
        raise EmulatorError(f"query parameter {name} must be true or false, got {raw!r}")
    return str(raw).lower() == "true"


def paged(items: list[Any], request: Request, *, default_take: int = 20) -> dict[str, Any]:
    """`{data, total}` for `page` (0-based) and `take` query parameters."""
    page, take = int_param(request, "page", 0), int_param(request, "take", default_take)
    return {"data": items[page * take : page * take + take], "total": len(items)}


# ---------------------------------------------------------------------- status


async def status(request: Request) -> Response:
    """`GET /api/status`: service health and the product version header (no auth)."""
    request.state.operation = "rest:GET status"
    body = {"ServiceStatus": "Green", "Version": CLUEDIN_VERSION, "Components": {"Api": "Green", "Auth": "Green"}}
    return JSONResponse(body, headers={"x-cluedin-version": CLUEDIN_VERSION})


# ---------------------------------------------------------------------- audit log


async def audit_by_types(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET auditLog/getByObjectTypeIds?objectIds&objectTypeIds&authorId&fromDate&toDate&page&take` (newest first)."""
    query = request.query_params
    object_ids = _multi(query.getlist("objectIds"))
    type_ids = {parse_guid(t, "ObjectType") for t in _multi(query.getlist("objectTypeIds"))}
    unknown = type_ids - set(OBJECT_TYPE_IDS.values())
    if unknown:
        raise EmulatorError(f"unknown objectTypeIds: {', '.join(sorted(unknown))}")
    author = query.get("authorId")
    start, end = _date(query.get("fromDate"), "fromDate"), _date(query.get("toDate"), "toDate")
    items = [
        e
        for e in reversed(store.audit_log)
        if (not object_ids or e["objectId"] in object_ids)
        and (not type_ids or e["objectTypeId"] in type_ids)
        and (not author or e["authorId"] == author)
        and (start is None or iso_to_datetime(e["createdAt"]) >= start)
        and (end is None or iso_to_datetime(e["createdAt"]) <= end)
    ]
    return paged(items, request)


async def audit_for_object(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET auditLog/{objectId}/{objectTypeId}?page&take` (newest first)."""
    object_id = request.path_params["objectId"]
    type_id = parse_guid(request.path_params["objectTypeId"], "ObjectType")
    items = [e for e in reversed(store.audit_log) if e["objectId"] == object_id and e["objectTypeId"] == type_id]
    return paged(items, request)


def _multi(values: list[str]) -> set[str]:
    return {v.strip() for raw in values for v in raw.split(",") if v.strip()}


def _date(value: str | None, name: str) -> Any:
    if not value:
        return None
    try:
        return iso_to_datetime(value)
    except ValueError:
        raise EmulatorError(f"{name} must be an ISO-8601 date-time, got {value!r}") from None


# ---------------------------------------------------------------------- notifications, settings, entities


async def notifications(_request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET notification/all`: in-app notifications, newest first."""
    return list(reversed(store.notifications))


async def mark_notification(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`PUT notification/mark?id`: mark one notification read."""
    ident = parse_guid(request.query_params.get("id"), "Notification")
    found = next((n for n in store.notifications if n["id"] == ident), None)
    if found is None:
        raise NotFoundError("Notification", ident)
    found["isRead"] = True
    return found


async def mark_all_notifications(_request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`PUT notification/markall`."""
    for note in store.notifications:
        note["isRead"] = True
    return {"success": True}


async def provider_notifications(_request: Request, _store: CluedInStore, _p: Principal) -> Any:
    """`GET providernotification/all` (the emulator raises none)."""
    return []


def _check_org(store: CluedInStore, ident: str) -> None:
    if parse_guid(ident, "Organization") != store.org["id"]:
        raise NotFoundError("Organization", ident)


async def configuration_settings(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET organization/configurationsettings/{orgId}?includeHiddenFromUi`."""
    _check_org(store, request.path_params["orgId"])
    return dict(store.settings)


async def configuration_value(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET|PUT organization/configurationvalue/{orgId}`: read a key, or set `{configurationKey, value, useDefault}`."""
    _check_org(store, request.path_params["orgId"])
    if request.method == "GET":
        key = request.query_params.get("configurationKey") or ""
        return {"configurationKey": key, "value": store.settings.get(key)}
    body = await json_body(request)
    key = str(body.get("configurationKey") or "")
    if not key:
        raise EmulatorError("configurationKey is required")
    if body.get("useDefault"):
        store.settings.pop(key, None)
    else:
        store.settings[key] = body.get("value")
    store.version += 1
    return {"configurationKey": key, "value": store.settings.get(key)}


def routes() -> list[BaseRoute]:
    """Every REST route in all its prefixed forms (glossary routes live in rest_glossary.py)."""
    from emulators.cluedin.rest_entities import entity_routes
    from emulators.cluedin.rest_glossary import glossary_routes
    from emulators.cluedin.rest_providers import provider_routes
    from emulators.cluedin.rest_streams import stream_routes
    from emulators.cluedin.rest_vocabularies import vocabulary_routes

    table: list[BaseRoute] = [
        Route(p, status, methods=["GET"]) for p in ("/status", *(f"{x}/status" for x in REST_PREFIXES))
    ]
    table += rest("auditLog/getByObjectTypeIds", ["GET"], audit_by_types)
    table += rest("auditLog/{objectId}/{objectTypeId}", ["GET"], audit_for_object)
    table += rest("notification/all", ["GET"], notifications)
    table += rest("notification/mark", ["PUT"], mark_notification)
    table += rest("notification/markall", ["PUT"], mark_all_notifications)
    table += rest("providernotification/all", ["GET"], provider_notifications)
    table += rest("organization/configurationsettings/{orgId}", ["GET"], configuration_settings)
    table += rest("organization/configurationvalue/{orgId}", ["GET", "PUT"], configuration_value)
    table += glossary_routes()
    table += provider_routes()
    table += entity_routes()
    table += stream_routes()
    table += vocabulary_routes()
    return table
