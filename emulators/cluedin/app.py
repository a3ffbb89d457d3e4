"""Assembles the CluedIn emulator: auth, both GraphQL endpoints, REST, ingestion, simulated activity.

Built on the shared emulator kit, which adds the `/_emulator/` admin API, per-operation counters and fault
injection. Errors the kit produces (unknown routes, injected faults) take the shape the real service would use at
that path: GraphQL errors under `/graphql`, OAuth errors under `/auth`, the ingestion body under `/upload`, and
ASP.NET problem details elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from emulators._common import EmulatorApp, FaultSettings, build_emulator_app
from emulators.cluedin import rest, simulate
from emulators.cluedin.auth import AuthService, openid_configuration, token_endpoint
from emulators.cluedin.graphql.engine import GraphQLEndpoint
from emulators.cluedin.graphql.schema import data_schema, ui_schema
from emulators.cluedin.ingestion import ingestion_error, upload_endpoint
from emulators.cluedin.metrics import MetricsCalculator
from emulators.cluedin.store import DEFAULT_ORG, DEFAULT_TOKEN_LIFETIME_MINUTES, CluedInStore

DATA_GRAPHQL_PATHS = ("/api/api/graphql", "/api/graphql", "/public/api/v1/graphql")


@dataclass
class CluedInServices:
    """The emulator's state and the services over it, reachable from handlers as `request.state.cluedin`."""

    store: CluedInStore
    auth: AuthService
    metrics: MetricsCalculator


class _ProvideServices:
    """Outermost ASGI layer putting the services into every request's state."""

    def __init__(self, app: ASGIApp, services: CluedInServices) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope.setdefault("state", {})["cluedin"] = self.services
        await self.app(scope, receive, send)


def error_body(status: int, code: str, message: str, path: str) -> dict[str, Any]:
    """CluedIn's error shape for a path (used by the kit for 404/405, faults and unexpected errors)."""
    if path.endswith("/graphql"):
        return {"errors": [{"message": message, "extensions": {"code": code, "status": status}}]}
    if path.startswith("/auth"):
        return {"error": "server_error" if status >= 500 else "invalid_request", "error_description": message}
    if path.startswith("/upload"):
        data_set_id = path.rstrip("/").rsplit("/", 1)[-1]
        return ingestion_error(status, code, message, data_set_id, "storing")
    return rest.problem(status, code, message, path)


def build_cluedin_app(
    *,
    org: str = DEFAULT_ORG,
    token_lifetime_minutes: float = DEFAULT_TOKEN_LIFETIME_MINUTES,
    faults: FaultSettings | None = None,
    fast_path: bool = True,
) -> EmulatorApp:
    """A complete CluedIn emulator for one organization (default `demo` with user `admin@demo.local`)."""
    store = CluedInStore(org, token_lifetime_minutes)
    auth = AuthService(store)
    metrics = MetricsCalculator(store)
    services = CluedInServices(store=store, auth=auth, metrics=metrics)
    ui = GraphQLEndpoint(ui_schema(), auth, metrics, allow_api_tokens=False, fast_path=fast_path)
    data = GraphQLEndpoint(data_schema(), auth, metrics, allow_api_tokens=True, fast_path=fast_path)
    routes: list[BaseRoute] = [
        Route("/auth/connect/token", token_endpoint, methods=["POST"]),
        Route("/auth/.well-known/openid-configuration", openid_configuration, methods=["GET"]),
        Route("/graphql", ui.handle, methods=["GET", "POST"]),
        *(Route(path, data.handle, methods=["GET", "POST"]) for path in DATA_GRAPHQL_PATHS),
        Route("/upload/api/endpoint/{dataSetId}", upload_endpoint, methods=["POST"]),
        *simulate.routes(),
        *rest.routes(),
    ]
    emulator = build_emulator_app(routes=routes, store=store, error_body=error_body, faults=faults)
    emulator.asgi = _ProvideServices(emulator.asgi, services)
    emulator.extras["services"] = services
    return emulator
