"""The ASGI app behind `/datagovernance/catalog`, mounted beside the Data Map in the Purview emulator.

Pipeline per request: route (404/405) -> bearer token, through the Purview emulator's access policy so
`--token` applies here too (401) -> opt-in rate limit (429) -> api-version (400) -> handler -> Azure.Core
error shaping with `x-ms-error-code`. Each request names its operation and whether it writes in the
ASGI scope state, so the shared kit's `/_emulator/stats` counts catalog writes like Data Map writes (an app
test can assert that a dry run wrote nothing).
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from starlette.types import Receive, Scope, Send

from emulators._common.app import read_body
from emulators.purview.errors import AuthorizationError
from emulators.purview.unified import errors, paging, values
from emulators.purview.unified.context import PREFIX, Call, Reply
from emulators.purview.unified.ratelimit import RateLimiter, retry_after
from emulators.purview.unified.routes import build_routes

if TYPE_CHECKING:
    from emulators.purview.app import PurviewEmulator

log = logging.getLogger("emulators.purview.unified")
PAGE_SIZE_SETTING = "unified_page_size"
RATE_LIMIT_SETTING = "unified_rate_limit"
STRICT_SETTING = "unified_strict_relationships"


class UnifiedCatalogApp:
    """Serves the Unified Catalog of the Purview emulator's store (`emulator.store.unified`)."""

    def __init__(self, emulator: PurviewEmulator) -> None:
        self.emulator = emulator
        self.routes = build_routes()
        self.limiter = RateLimiter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one HTTP request and send the reply."""
        body = await read_body(receive)
        reply = self.handle(scope, body)
        await _send(send, reply)

    def handle(self, scope: Scope, body: bytes) -> Reply:
        """Run one request synchronously (the store needs no locks) and turn every outcome into a Reply."""
        path: str = scope["path"]
        relative = path[len(PREFIX) :] if path.startswith(PREFIX) else path
        method: str = scope["method"]
        state = scope.setdefault("state", {})
        found = self.routes.match(method, relative.lower())
        if found is None:
            state["operation"], state["write"] = "NotFound", False
            if self.routes.allows_other_method(method, relative.lower()):
                return _error(405, errors.METHOD_NOT_ALLOWED, f"{method} is not allowed on {path}")
            return _error(404, errors.NOT_FOUND, f"{method} {path} is not an operation of the Unified Catalog API")
        route, params = found
        state["operation"], state["write"] = route.operation, route.write
        try:
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}
            token = self.emulator.access.authenticate(headers.get("authorization"))
            extra = self.emulator.fault_extra()
            wait = self.limiter.check(route.operation, extra.get(RATE_LIMIT_SETTING))
            if wait is not None:
                raise errors.CatalogError(
                    429,
                    errors.TOO_MANY_REQUESTS,
                    f"Rate limit exceeded for {route.operation}. Retry after the window resets.",
                    headers={"retry-after": retry_after(wait)},
                )
            raw_query = scope.get("query_string", b"").decode("latin-1")
            call = Call(
                catalog=self.emulator.store.unified,
                method=method,
                path=relative,
                raw_query=raw_query,
                body=body,
                principal=self.emulator.principal(token),
                base_url=_base_url(scope, headers),
                page_size=_page_size(extra.get(PAGE_SIZE_SETTING)),
                strict_relationships=bool(extra.get(STRICT_SETTING)),
            )
            _check_api_version(call.param("api-version"))
            result: Reply = route.handler(call, params)
            return result
        except errors.CatalogError as exc:
            return Reply(exc.status, exc.body(), {**exc.headers, "x-ms-error-code": exc.code})
        except AuthorizationError as exc:
            extra_headers = {"x-ms-error-code": exc.code}
            if exc.status == 401:
                extra_headers["www-authenticate"] = (
                    'Bearer authorization_uri="https://login.microsoftonline.com/common"'
                )
            return Reply(exc.status, errors.error_body(exc.code, exc.message), extra_headers)
        except Exception as exc:
            log.exception("emulator bug in %s", route.operation)
            return _error(500, errors.INTERNAL_ERROR, f"Internal server error {type(exc).__name__}")


def _check_api_version(version: str | None) -> None:
    """api-version is required on every operation (Learn: `api-version` query, Required: True)."""
    if version is None:
        raise errors.CatalogError(
            400, errors.MISSING_API_VERSION, "The api-version query parameter is required.", target="api-version"
        )
    if version not in values.API_VERSIONS:
        supported = ", ".join(values.API_VERSIONS)
        raise errors.CatalogError(
            400,
            errors.UNSUPPORTED_API_VERSION,
            f"The api-version '{version}' is not supported. Supported versions: {supported}.",
            target="api-version",
        )


def _page_size(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return paging.DEFAULT_PAGE_SIZE


def _base_url(scope: Scope, headers: dict[str, str]) -> str:
    """scheme://host[:port] the client used, so nextLinks point back at this server."""
    return f"{scope.get('scheme', 'http')}://{headers.get('host', 'localhost')}"


def _error(status: int, code: str, message: str) -> Reply:
    return Reply(status, errors.error_body(code, message), {"x-ms-error-code": code})


async def _send(send: Send, reply: Reply) -> None:
    headers: list[tuple[bytes, bytes]] = []
    if reply.status == 204 or reply.body is None:
        payload = b""
    else:
        payload = json.dumps(reply.body, separators=(",", ":"), ensure_ascii=False).encode()
        headers.append((b"content-type", b"application/json; charset=utf-8"))
    headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers.items()]
    headers.append((b"content-length", str(len(payload)).encode()))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
