"""HTTP triggers under `/<routePrefix>/<route>` with function keys, served by uvicorn in a thread.

The request becomes a `func.HttpRequest` (method, full URL, headers, query, route parameters, body) and the
function's `func.HttpResponse` goes back with its status, headers and content type. Functions with auth
level FUNCTION need a function key (`?code=` or `x-functions-key`), ADMIN the master key; a wrong or missing
key is a 401 with an empty body, as in Azure. An exception in the function is a 500 whose body says nothing
about the exception (the real host hides it too); the details go to the log.
"""

from __future__ import annotations

import hmac
import logging
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import azure.functions as func
import uvicorn
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from devhost.invocation import Invoker
from devhost.registry import HttpFunction
from devhost.routes import RouteTemplate

log = logging.getLogger("devhost.http")

GENERIC_ERROR = "An unhandled error occurred while executing the function. See the host log for details."


@dataclass(frozen=True)
class Keys:
    """Function key (FUNCTION level) and master key (ADMIN level; also accepted for FUNCTION)."""

    function_key: str
    master_key: str

    def allows(self, auth_level: str, presented: str | None) -> bool:
        """Whether the presented key opens a function of `auth_level`."""
        if auth_level == "anonymous":
            return True
        if not presented:
            return False
        offered = presented.encode("utf-8")  # bytes: compare_digest refuses non-ASCII str
        if hmac.compare_digest(offered, self.master_key.encode("utf-8")):
            return True
        return auth_level == "function" and hmac.compare_digest(offered, self.function_key.encode("utf-8"))


@dataclass(frozen=True)
class _Route:
    template: RouteTemplate
    function: HttpFunction


class HttpFrontEnd:
    """ASGI application routing requests to HTTP functions."""

    def __init__(self, functions: Sequence[HttpFunction], invoker: Invoker, *, route_prefix: str, keys: Keys) -> None:
        self._invoker = invoker
        self._keys = keys
        self._prefix = "/" + route_prefix.strip("/") if route_prefix.strip("/") else ""
        routes = [_Route(RouteTemplate.compile(function.route), function) for function in functions]
        self._routes = sorted(routes, key=lambda route: route.template.rank)

    def url_path(self, function: HttpFunction) -> str:
        """The path a function's route template is served under (for the start-up listing)."""
        return f"{self._prefix}/{function.route.strip('/')}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request."""
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        response = await self._respond(request)
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response:
        path = request.url.path
        if self._prefix:
            if not path.lower().startswith(self._prefix.lower()):
                return Response(status_code=404)
            path = path[len(self._prefix) :]
            if path and not path.startswith("/"):
                return Response(status_code=404)
        matches = [(route, params) for route in self._routes if (params := route.template.match(path)) is not None]
        if not matches:
            return Response(status_code=404)
        method = request.method.upper()
        allowed = [(route, params) for route, params in matches if method in route.function.methods]
        if not allowed:
            methods = sorted({m for route, _ in matches for m in route.function.methods})
            return Response(status_code=405, headers={"Allow": ", ".join(methods)})
        route, route_params = allowed[0]
        presented = request.query_params.get("code") or request.headers.get("x-functions-key")
        if not self._keys.allows(route.function.auth_level, presented):
            return Response(status_code=401)
        body = await request.body()
        http_request = func.HttpRequest(
            method=method,
            url=str(request.url),
            headers=_joined(request.headers.items(), ", "),
            params=_joined(request.query_params.multi_items(), ","),
            route_params=route_params,
            body=body,
        )
        result = await self._invoker.invoke_async(
            route.function,
            http_request,
            trigger="http",
            reason="This function was programmatically called via the host APIs.",
        )
        if not result.succeeded:
            return Response(GENERIC_ERROR, status_code=500, media_type="text/plain")
        return _to_response(result.value, route.function.name)


def _joined(items: Sequence[tuple[str, str]], separator: str) -> dict[str, str]:
    """Repeated names folded into one value, as the host hands headers and query values to the worker."""
    folded: dict[str, str] = {}
    for name, value in items:
        folded[name] = f"{folded[name]}{separator}{value}" if name in folded else value
    return folded


def _to_response(value: object, function_name: str) -> Response:
    if isinstance(value, func.HttpResponse):
        headers = [(name, header) for name, header in value.headers.items() if name.lower() != "content-length"]
        names = {name.lower() for name, _ in headers}
        if "content-type" not in names:
            mimetype = value.mimetype
            content_type = f"{mimetype}; charset={value.charset}" if mimetype.startswith("text/") else mimetype
            headers.append(("content-type", content_type))
        response = Response(value.get_body(), status_code=value.status_code)
        for name, header in headers:
            response.headers.append(name, header)
        return response
    if isinstance(value, str):
        return Response(value, status_code=200, media_type="text/plain")
    if value is None:
        return Response(status_code=204)
    log.error(
        "Function '%s' returned %s; an HTTP function must return func.HttpResponse or str",
        function_name,
        type(value).__name__,
    )
    return Response(GENERIC_ERROR, status_code=500, media_type="text/plain")


class HttpServer:
    """uvicorn serving an ASGI app from a daemon thread on a chosen (or free) port."""

    def __init__(self, app: HttpFrontEnd, host: str, port: int) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self._socket.listen(512)
        self.host = host
        self.port = int(self._socket.getsockname()[1])
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", server_header=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="devhost-http", daemon=True
        )

    @property
    def url(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:7071`."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        """Serve, returning once the server accepts requests."""
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the HTTP server did not start on {self.url}")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()
