"""The Purview emulator as an ASGI app: options, the request pipeline, and assembly with the shared kit.

Pipeline per request: route by family and operationId -> bearer auth -> optional spec validation of the
request -> handler (synchronous, on the event-loop thread, so the store needs no locks) -> error shaping
-> optional spec validation of the response. Operation names in the shared kit's counters are the
Swagger operationIds.
"""

from __future__ import annotations

import gc
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from emulators._common import EmulatorApp, FaultSettings, build_emulator_app
from emulators._common.app import read_body
from emulators.purview import errors
from emulators.purview.api import (
    account_routes,
    category_routes,
    discovery_routes,
    entity_routes,
    glossary_routes,
    type_routes,
)
from emulators.purview.api.admin_routes import handle_admin
from emulators.purview.api.router import Ctx, Reply, RouteDef, RouteTable, split_family
from emulators.purview.limits import Limits, check_request
from emulators.purview.model.access import AccessPolicy
from emulators.purview.model.clock import principal_for
from emulators.purview.model.notifications import DEFAULT_MAX_MESSAGE_BYTES
from emulators.purview.model.store import PurviewStore
from emulators.purview.spec import Violation, parse_query, purview_specs
from emulators.purview.unified.app import UnifiedCatalogApp
from emulators.purview.unified.context import PREFIX as UNIFIED_PREFIX

log = logging.getLogger("emulators.purview")
MAX_VIOLATIONS = 1000
GC_YOUNG_THRESHOLD = 50_000
GC_FREEZE_EVERY = 10
JSON_HEADERS = [(b"content-type", b"application/json; charset=utf-8")]


@dataclass
class PurviewOptions:
    """How an emulator instance behaves. Every field has a CLI flag (see `python -m emulators.purview -h`)."""

    account_name: str = "purview-emulator"
    tokens: tuple[str, ...] = ()
    roles: Mapping[str, Any] | None = None
    validate_requests: bool = False
    record_request_violations: bool = False
    validate_responses: bool = False
    search_lag_seconds: float = 0.0
    default_glossary: bool = True
    decode_plus_in_attr: bool = False
    collection_page_size: int = 100
    seed: Mapping[str, Any] | None = None
    tune_gc: bool = False
    faults: FaultSettings | None = None
    limits: Limits | Mapping[str, Any] = field(default_factory=Limits)
    notification_max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    """Atlas's notification size limit (minus its 512-byte margin): longer ones are gzipped, then split."""
    extra: dict[str, Any] = field(default_factory=dict)


class PurviewEmulator:
    """The ASGI app behind every Purview route, plus the emulator-specific admin routes."""

    def __init__(self, options: PurviewOptions) -> None:
        self.options = options
        self.fault_extra: Callable[[], Mapping[str, Any]] = dict
        self.store = PurviewStore(
            account_name=options.account_name,
            default_glossary=options.default_glossary,
            search_lag=self.search_lag,
            notification_max_bytes=options.notification_max_bytes,
        )
        self.access = AccessPolicy(options.tokens, options.roles)
        self.violations: list[dict[str, Any]] = []
        self.routes = RouteTable()
        for module in (entity_routes, type_routes, glossary_routes, category_routes, discovery_routes, account_routes):
            module.register(self.routes)
        self.routes.finalize()
        self._principals: dict[str, str] = {}
        self._writes = 0
        if options.seed:
            self.store.load(dict(options.seed))
        if options.tune_gc:
            gc.set_threshold(GC_YOUNG_THRESHOLD, 20, 50)
            gc.freeze()

    def search_lag(self) -> float:
        """Index lag in seconds: the runtime fault setting `extra.search_lag_seconds` wins over the option."""
        value = self.fault_extra().get("search_lag_seconds", self.options.search_lag_seconds)
        try:
            return max(float(value), 0.0)
        except (TypeError, ValueError):
            return self.options.search_lag_seconds

    def limits(self) -> Limits:
        """Enforced limits: the options' (a Limits or a mapping of overrides), then `extra.limits` faults."""
        configured = self.options.limits
        base = configured if isinstance(configured, Limits) else Limits().merged(configured)
        overrides = self.fault_extra().get("limits")
        return base.merged(overrides if isinstance(overrides, Mapping) else None)

    def principal(self, token: str) -> str:
        """createdBy/updatedBy value for a token (stable pseudo object id)."""
        found = self._principals.get(token)
        if found is None:
            found = self._principals[token] = principal_for(token)
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Route, authenticate, validate, handle, shape errors, respond."""
        body = await read_body(receive)
        path: str = scope["path"]
        if path.startswith("/_emulator/"):
            query = scope.get("query_string", b"").decode("latin-1")
            status, payload = handle_admin(self, scope["method"], path, body, query)
            await _send(send, Reply(status, payload))
            return
        method: str = scope["method"]
        family, relative = split_family(path)
        state = scope.setdefault("state", {})
        found = self.routes.match(family, method, relative) if family else None
        if found is None:
            state["operation"] = "NotFound"
            state["write"] = False
            exists = family is not None and self.routes.allows_other_method(family, method, relative)
            status, code = (405, "MethodNotAllowed") if exists else (404, "NotFound")
            message = f"{method} {path} is not a valid operation of this API"
            await _send(send, Reply(status, errors.error_body_for(status, code, message, path)))
            return
        route, params = found
        state["operation"] = route.operation
        state["write"] = route.write
        reply = self.handle(scope, route, params, body)
        await _send(send, reply)

    def handle(self, scope: Scope, route: RouteDef, params: dict[str, str], body: bytes) -> Reply:
        """Run one request synchronously and turn every outcome into a Reply."""
        try:
            headers = dict(scope.get("headers") or [])
            token = self.access.authenticate(_header(headers, b"authorization"))
            if body:
                check_request(self.limits(), body)
            if self.options.validate_requests or self.options.record_request_violations:
                self._validate_request(scope, route, body)
            result = route.handler(Ctx(self, dict(scope), route, params, body=body, token=token))
            reply = result if isinstance(result, Reply) else Reply(200, result)
        except errors.AtlasError as exc:
            reply = Reply(exc.status, self._shape(route, exc.status, exc.code, exc.message))
        except errors.AccountError as exc:
            reply = Reply(exc.status, errors.account_body(exc.code, exc.message, exc.target))
        except errors.AuthorizationError as exc:
            extra = (
                {"www-authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common"'}
                if exc.status == 401
                else {}
            )
            reply = Reply(exc.status, errors.auth_body(exc.code, exc.message), extra)
        except Exception as exc:
            log.exception("emulator bug in %s", route.operation)
            reply = Reply(
                500, self._shape(route, 500, "ATLAS-500-00-001", f"Internal server error {type(exc).__name__}")
            )
        finally:
            self.store.after_request()
            if route.write and self.options.tune_gc:
                self._settle_heap()
        if self.options.validate_responses:
            self._validate_response(scope, route, reply)
        return reply

    def _settle_heap(self) -> None:
        """Keep cyclic-GC pauses out of request latency as the store grows (CLI processes only).

        The store is a large, almost acyclic heap; letting the collector rescan it on every full
        collection makes bulk upserts stall for hundreds of milliseconds once 100k assets are loaded.
        Every few writes everything alive is frozen (moved out of the collector's sight); the store holds
        almost no reference cycles, so the little cyclic garbage frozen with it is an accepted cost.
        """
        self._writes += 1
        if self._writes % GC_FREEZE_EVERY == 0:
            gc.freeze()

    def _shape(self, route: RouteDef, status: int, code: str, message: str) -> dict[str, Any]:
        if route.family == "account":
            return errors.account_body(code, message)
        return errors.atlas_body(code, message)

    # ----- spec validation -------------------------------------------------------------------------------

    def _operation(self, route: RouteDef) -> Any:
        specs = purview_specs()
        spec = specs.account if route.family == "account" else specs.datamap
        return spec.operations.get(route.operation)

    def _validate_request(self, scope: Scope, route: RouteDef, body: bytes) -> None:
        operation = self._operation(route)
        query = parse_query(scope.get("query_string", b"").decode("latin-1"))
        problems: list[Violation]
        if operation is None:
            problems = [Violation("path", f"{route.operation} is not an operation of the Purview specs")]
        elif route.legacy:
            problems = [Violation("path", f"{route.template} is an older path of {route.operation}, not in the spec")]
        elif not body.strip():
            problems = operation.spec.validate_request(operation, query)
        else:
            try:
                decoded = json.loads(body)
            except ValueError as exc:
                problems = [Violation("body", f"not valid JSON: {exc}")]
            else:
                problems = operation.spec.validate_request(operation, query, decoded)
        if problems:
            self._record("request", scope, route, problems)
            if not self.options.validate_requests:
                return
            detail = "; ".join(str(p) for p in problems[:5])
            raise errors.AtlasError(
                400,
                "ATLAS-400-00-01A",
                f"invalid parameters: request does not conform to the API specification: {detail}",
            )

    def _validate_response(self, scope: Scope, route: RouteDef, reply: Reply) -> None:
        operation = self._operation(route)
        if operation is None or isinstance(reply.body, bytes):
            return
        args = (operation, reply.status) if reply.body is None else (operation, reply.status, reply.body)
        problems = operation.spec.validate_response(*args)
        if problems:
            self._record("response", scope, route, problems, status=reply.status)

    def _record(
        self, kind: str, scope: Scope, route: RouteDef, problems: list[Violation], status: int | None = None
    ) -> None:
        if len(self.violations) >= MAX_VIOLATIONS:
            return
        self.violations.append(
            {
                "kind": kind,
                "time": time.time(),
                "method": scope["method"],
                "path": scope["path"],
                "query": scope.get("query_string", b"").decode("latin-1"),
                "operationId": route.operation,
                "status": status,
                "violations": [str(p) for p in problems],
            }
        )


def build_purview_app(options: PurviewOptions | None = None, **overrides: Any) -> EmulatorApp:
    """A ready-to-serve emulator (shared admin API, counters and faults included).

    `overrides` set PurviewOptions fields, e.g. `build_purview_app(validate_requests=True, seed={...})`.
    The PurviewEmulator is available as `app.extras["purview"]`. The Unified Catalog (`unified/`) is
    mounted under `/datagovernance/catalog` on the same server.
    """
    base = options or PurviewOptions()
    opts = PurviewOptions(**{**base.__dict__, **overrides})
    emulator = PurviewEmulator(opts)
    routes = [Mount(UNIFIED_PREFIX, app=UnifiedCatalogApp(emulator)), Mount("", app=emulator)]
    app = build_emulator_app(routes=routes, store=emulator.store, error_body=errors.error_body_for, faults=opts.faults)
    emulator.fault_extra = lambda: app.faults.settings.extra
    app.extras["purview"] = emulator
    return app


def _header(headers: dict[bytes, bytes], name: bytes) -> str | None:
    value = headers.get(name)
    return None if value is None else value.decode("latin-1")


async def _send(send: Send, reply: Reply) -> None:
    headers: list[tuple[bytes, bytes]]
    if reply.status == 204 or reply.body is None:
        payload = b""
        headers = []
    elif isinstance(reply.body, bytes):
        payload = reply.body
        headers = []
    else:
        payload = json.dumps(reply.body, separators=(",", ":"), ensure_ascii=False).encode()
        headers = list(JSON_HEADERS)
    headers += [(k.encode(), v.encode()) for k, v in reply.headers.items()]
    headers.append((b"content-length", str(len(payload)).encode()))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
