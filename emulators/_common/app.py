"""Assembles an emulator: its own routes plus the shared admin API, counters and fault injection.

Every emulator exposes the same `/_emulator/` admin surface so tests, benchmarks and the demo drive all of
them the same way:

| Route | Meaning |
|---|---|
| `GET /_emulator/health` | 200 when serving |
| `GET /_emulator/stats`, `DELETE /_emulator/stats` | request counters per operation; reset |
| `GET /_emulator/faults`, `PUT /_emulator/faults`, `PATCH /_emulator/faults` | fault settings; replace; merge |
| `GET /_emulator/state`, `PUT /_emulator/state`, `POST /_emulator/reset` | whole-store snapshot; load; empty |
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive

from emulators._common.faults import ErrorBodyFactory, FaultInjector, FaultMiddleware, FaultSettings
from emulators._common.stats import Stats, StatsMiddleware

log = logging.getLogger("emulators")


class Store(Protocol):
    """What the admin API needs from an emulator's in-memory store."""

    def snapshot(self) -> dict[str, Any]:
        """The whole store as JSON-serialisable data."""
        ...

    def load(self, data: dict[str, Any]) -> None:
        """Replace the whole store with a snapshot taken earlier (or a seed file)."""
        ...

    def reset(self) -> None:
        """Empty the store (back to the state of a fresh start without seed)."""
        ...


@dataclass
class EmulatorApp:
    """A built emulator: the ASGI app to serve, and handles for in-process tests."""

    asgi: ASGIApp
    store: Store
    stats: Stats
    faults: FaultInjector
    extras: dict[str, Any] = field(default_factory=dict)


def build_emulator_app(
    *,
    routes: Sequence[BaseRoute],
    store: Store,
    error_body: ErrorBodyFactory,
    faults: FaultSettings | None = None,
    on_startup: Sequence[Callable[[], Awaitable[None]]] = (),
    on_shutdown: Sequence[Callable[[], Awaitable[None]]] = (),
) -> EmulatorApp:
    """Wrap an emulator's routes with the shared admin API, counters and fault injection.

    Unknown routes, wrong methods and unexpected exceptions all answer with the emulator's own JSON error
    shape, never an HTML page or a stack trace.
    """
    stats = Stats()
    injector = FaultInjector(faults)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = {404: "NotFound", 405: "MethodNotAllowed"}.get(exc.status_code, "BadRequest")
        message = f"{request.method} {request.url.path}: {exc.detail}"
        return JSONResponse(error_body(exc.status_code, code, message, request.url.path), status_code=exc.status_code)

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("emulator bug while handling %s %s", request.method, request.url.path)
        body = error_body(500, "InternalServerError", f"internal error: {type(exc).__name__}", request.url.path)
        return JSONResponse(body, status_code=500)

    admin = _admin_routes(store, stats, injector)
    lifespan_handlers = _lifespan(on_startup, on_shutdown)
    app = Starlette(
        routes=[*admin, *routes],
        exception_handlers={HTTPException: http_error, Exception: unexpected},
        lifespan=lifespan_handlers,
    )
    asgi: ASGIApp = StatsMiddleware(FaultMiddleware(app, injector, error_body), stats)
    return EmulatorApp(asgi=asgi, store=store, stats=stats, faults=injector)


def _lifespan(
    on_startup: Sequence[Callable[[], Awaitable[None]]], on_shutdown: Sequence[Callable[[], Awaitable[None]]]
) -> Any:
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> Any:
        for start in on_startup:
            await start()
        yield
        for stop in on_shutdown:
            await stop()

    return lifespan


def _admin_routes(store: Store, stats: Stats, injector: FaultInjector) -> list[BaseRoute]:
    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def get_stats(_: Request) -> Response:
        return JSONResponse({**stats.snapshot(), "faults": dict(injector.counters)})

    async def reset_stats(_: Request) -> Response:
        stats.reset()
        return Response(status_code=204)

    async def get_faults(_: Request) -> Response:
        return JSONResponse(injector.settings.to_dict())

    async def put_faults(request: Request) -> Response:
        body = await _json_object(request)
        if isinstance(body, Response):
            return body
        if request.method == "PATCH":
            body = {**injector.settings.to_dict(), **body}
        try:
            injector.configure(FaultSettings.from_dict(body))
        except (TypeError, ValueError) as exc:
            return JSONResponse({"error": {"code": "InvalidFaults", "message": str(exc)}}, status_code=400)
        return JSONResponse(injector.settings.to_dict())

    async def get_state(_: Request) -> Response:
        return JSONResponse(store.snapshot())

    async def put_state(request: Request) -> Response:
        body = await _json_object(request)
        if isinstance(body, Response):
            return body
        try:
            store.load(body)
        except (KeyError, TypeError, ValueError) as exc:
            return JSONResponse({"error": {"code": "InvalidState", "message": str(exc)}}, status_code=400)
        return Response(status_code=204)

    async def reset(_: Request) -> Response:
        store.reset()
        stats.reset()
        return Response(status_code=204)

    return [
        Route("/_emulator/health", health, methods=["GET"]),
        Route("/_emulator/stats", get_stats, methods=["GET"]),
        Route("/_emulator/stats", reset_stats, methods=["DELETE"]),
        Route("/_emulator/faults", get_faults, methods=["GET"]),
        Route("/_emulator/faults", put_faults, methods=["PUT", "PATCH"]),
        Route("/_emulator/state", get_state, methods=["GET"]),
        Route("/_emulator/state", put_state, methods=["PUT"]),
        Route("/_emulator/reset", reset, methods=["POST"]),
    ]


async def _json_object(request: Request) -> dict[str, Any] | Response:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError as exc:
        return JSONResponse({"error": {"code": "InvalidJson", "message": str(exc)}}, status_code=400)
    if not isinstance(body, dict):
        return JSONResponse({"error": {"code": "InvalidJson", "message": "expected a JSON object"}}, status_code=400)
    return body


async def read_body(receive: Receive) -> bytes:
    """The whole request body of a raw ASGI request (the emulators' fast paths bypass Starlette's Request)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)
