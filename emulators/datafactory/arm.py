"""What every ARM route does before its own work: authenticate, check api-version, name the operation.

ARM authenticates before anything else (401 `AuthenticationFailed` without a bearer token), then requires
`api-version=2018-06-01` for Microsoft.DataFactory. The emulator accepts any non-empty bearer token: it stands
in for Azure, not for Entra ID.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulators.datafactory.errors import ArmError, bad_request
from emulators.datafactory.runner import RunExecutor
from emulators.datafactory.store import DataFactoryStore, Factory
from emulators.datafactory.validation import validate_factory_path

API_VERSION = "2018-06-01"
FACTORY_PATH = (
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}"
    "/providers/Microsoft.DataFactory/factories/{factoryName}"
)


@dataclass
class EmulatorContext:
    """Shared by all handlers: the store, the run executor and the storage the runs read from."""

    store: DataFactoryStore
    executor: RunExecutor
    connection_string: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass
class FactoryPath:
    """The factory a request addresses; `factory()` creates it on first use."""

    subscription_id: str
    resource_group: str
    name: str
    store: DataFactoryStore

    def factory(self) -> Factory:
        """The addressed factory, created if it does not exist yet."""
        return self.store.factory(self.subscription_id, self.resource_group, self.name)

    def existing(self) -> Factory | None:
        """The addressed factory if it exists."""
        key = (self.subscription_id.lower(), self.resource_group.lower(), self.name.lower())
        return self.store.factories.get(key)


Handler = Callable[[Request, FactoryPath], Awaitable[Response]]


def check_auth(request: Request) -> None:
    """401 unless the request carries `Authorization: Bearer <something>`."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
    if scheme.lower() != "bearer" or not token.strip():
        raise ArmError(
            401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is not a bearer token."
        )


def check_api_version(request: Request) -> None:
    """400 unless `api-version=2018-06-01`."""
    version = request.query_params.get("api-version")
    if not version:
        message = "The api-version query parameter (?api-version=) is required for all requests."
        raise ArmError(400, "MissingApiVersionParameter", message)
    if version != API_VERSION:
        message = f"The api-version '{version}' is invalid. The supported versions are '{API_VERSION}'."
        raise ArmError(400, "InvalidApiVersionParameter", message)


def arm_route(
    context: EmulatorContext, operation: str, write: bool, handler: Handler
) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler with auth, api-version and factory-path checks, counters and ARM-shaped errors."""

    async def endpoint(request: Request) -> Response:
        request.state.operation = operation
        request.state.write = write
        try:
            check_auth(request)
            check_api_version(request)
            params = request.path_params
            validate_factory_path(params["resourceGroupName"], params["factoryName"])
            path = FactoryPath(
                params["subscriptionId"], params["resourceGroupName"], params["factoryName"], context.store
            )
            return await handler(request, path)
        except ArmError as error:
            return error.response()

    return endpoint


async def json_body(request: Request, *, required: bool = True) -> Any:
    """The request body as JSON; a malformed or (when required) empty body is a 400."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise bad_request("The request body is required and must be JSON.", "body")
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"The request body is not valid JSON: {exc}", "body") from None


def etag_matches(header: str | None, etag: str | None) -> bool:
    """Whether an If-Match / If-None-Match header matches an etag (`*` matches anything that exists)."""
    if header is None or etag is None:
        return False
    wanted = {part.strip().removeprefix("W/").strip('"') for part in header.split(",")}
    return "*" in wanted or etag.strip('"') in wanted
