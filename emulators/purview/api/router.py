"""A small, fast ASGI dispatcher for the Purview routes, named by Swagger operationId.

One regex table per URL family (Data Map under `/datamap/api` and `/catalog/api`, Account under
`/account` and bare `/collections`) keeps GETs cheap; naming each route by its operationId gives the
shared kit's counters meaningful names and lets request validation go straight to the right operation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote

from emulators.purview import errors

if TYPE_CHECKING:
    from emulators.purview.app import PurviewEmulator

MISSING: Any = object()
DATAMAP_PREFIXES = ("/datamap/api", "/catalog/api")
ATTR_LIST_PARAM = re.compile(r"^attr_([^:]*):(.+)$")
"""Atlas's `attr_<index>:<attribute>`: any text between `attr_` and the first `:` names one lookup."""


@dataclass
class Reply:
    """A handler's answer: status and JSON body (None = no body)."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[["Ctx"], Any]


@dataclass(frozen=True)
class RouteDef:
    """One route: method + template in a family, its operationId, and whether it writes."""

    family: str
    method: str
    template: str
    pattern: re.Pattern[str]
    operation: str
    handler: Handler
    write: bool
    legacy: bool = False  # an older path the service still answers; not the spec's template for the operation


class Ctx:
    """Everything a handler may need about the request."""

    def __init__(
        self,
        emulator: PurviewEmulator,
        scope: dict[str, Any],
        route: RouteDef,
        params: dict[str, str],
        *,
        body: bytes,
        token: str,
    ) -> None:
        self.emulator = emulator
        self.store = emulator.store
        self.scope = scope
        self.route = route
        self.params = params
        self.raw_body = body
        self.token = token
        self.principal = emulator.principal(token)
        self.raw_query = scope.get("query_string", b"").decode("latin-1")
        self.query = parse_query(self.raw_query, emulator.options.decode_plus_in_attr)

    def q(self, name: str) -> str | None:
        """Last value of a query parameter."""
        values = self.query.get(name)
        return values[-1] if values else None

    def q_list(self, name: str) -> list[str]:
        """All values of a repeated query parameter."""
        return list(self.query.get(name, []))

    def q_bool(self, name: str, default: bool = False) -> bool:
        """Boolean query parameter, case-insensitive like the service ("False" works)."""
        value = self.q(name)
        if value is None or value == "":
            return default
        lowered = value.lower()
        if lowered not in ("true", "false"):
            raise errors.INVALID_PARAMETERS(f"{name} must be true or false")
        return lowered == "true"

    def q_int(self, name: str, default: int | None = None) -> int | None:
        """Integer query parameter."""
        value = self.q(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError:
            raise errors.INVALID_PARAMETERS(f"{name} must be an integer") from None

    def attr(self) -> str | None:
        """`attr:qualifiedName` (the single unique-attribute form)."""
        return self.q("attr:qualifiedName")

    def attrs(self) -> list[str]:
        """QualifiedNames of the `attr_<index>:qualifiedName` parameters, one per distinct index.

        Atlas (`EntityREST.getAttributesList`) groups the parameters by the text between `attr_` and the
        first `:` and reads only the first value of each; the index need not be a number, so the official
        SDK's literal `attr_N:qualifiedName` is one lookup. Numeric indexes come first, in numeric order.
        """
        found: dict[str, str] = {}
        for key, values in self.query.items():
            match = ATTR_LIST_PARAM.match(key)
            if match and match.group(2) == "qualifiedName" and values:
                found.setdefault(match.group(1), values[0])
        ordered = sorted(found, key=lambda index: (0, int(index), "") if index.isdigit() else (1, 0, index))
        return [found[index] for index in ordered]

    def json(self, *, required: bool = True) -> Any:
        """The request body as JSON (400 Atlas error if malformed or required and missing)."""
        if not self.raw_body.strip():
            if required:
                raise errors.INVALID_PARAMETERS("a JSON request body is required")
            return MISSING
        try:
            return json.loads(self.raw_body, parse_constant=_no_constants)
        except ValueError as exc:
            raise errors.INVALID_PARAMETERS(f"request body is not valid JSON: {exc}") from None

    def require(self, need: str, collection: str | None = None) -> None:
        """Role check (no-op unless role assignments are configured)."""
        self.emulator.access.require(self.token, need, collection, self.store.collections)

    @property
    def base_url(self) -> str:
        """scheme://host[:port] the client used (for nextLink)."""
        headers = dict(self.scope.get("headers") or [])
        host = headers.get(b"host", b"localhost").decode("latin-1")
        return f"{self.scope.get('scheme', 'http')}://{host}"


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_query(raw: str, decode_plus_in_attr: bool) -> dict[str, list[str]]:
    """Query string to lists of values. `attr*` values keep '+' literal unless told otherwise (Purview quirk)."""
    out: dict[str, list[str]] = {}
    if not raw:
        return out
    for part in raw.split("&"):
        if not part:
            continue
        key_raw, _, value_raw = part.partition("=")
        key = unquote(key_raw.replace("+", " "))
        if key.startswith("attr") and not decode_plus_in_attr:
            value = unquote(value_raw)
        else:
            value = parse_qsl(f"x={value_raw}", keep_blank_values=True)[0][1] if value_raw else ""
        out.setdefault(key, []).append(value)
    return out


class RouteTable:
    """Routes by family and method; templates use {name} placeholders matching one path segment.

    Lookups go through an index keyed by (family, method, segment count, first three literal segments),
    so a request is checked against a handful of candidate patterns rather than the whole table.
    """

    def __init__(self) -> None:
        self.routes: dict[str, dict[str, list[RouteDef]]] = {}
        self._index: dict[tuple[str, str, int, tuple[str, ...] | None], list[RouteDef]] = {}

    def add(
        self,
        family: str,
        method: str,
        template: str,
        operation: str,
        handler: Handler,
        *,
        write: bool,
        legacy: bool = False,
    ) -> None:
        """Register a route (`legacy`: an older path of the operation that real clients still call)."""
        parts = re.split(r"(\{[^}]+\})", template)
        regex = "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts)
        route = RouteDef(family, method, template, re.compile(f"^{regex}/?$"), operation, handler, write, legacy)
        self.routes.setdefault(family, {}).setdefault(method, []).append(route)

    def finalize(self) -> None:
        """Sort literal templates before parameterised ones and build the lookup index."""
        self._index = {}
        for family, by_method in self.routes.items():
            for method, routes in by_method.items():
                routes.sort(key=lambda r: (r.template.count("{"), -len(r.template)))
                for route in routes:
                    segments = route.template.strip("/").split("/")
                    head = tuple(segments[:3])
                    key = (family, method, len(segments), None if any("{" in s for s in head) else head)
                    self._index.setdefault(key, []).append(route)

    def match(self, family: str, method: str, path: str) -> tuple[RouteDef, dict[str, str]] | None:
        """Route and decoded path parameters, or None."""
        segments = path.strip("/").split("/")
        for head in (tuple(segments[:3]), None):
            for route in self._index.get((family, method, len(segments), head), ()):
                found = route.pattern.match(path)
                if found:
                    return route, {k: unquote(v) for k, v in found.groupdict().items()}
        return None

    def allows_other_method(self, family: str, method: str, path: str) -> bool:
        """Whether the path exists under another method (405 rather than 404)."""
        return any(
            r.pattern.match(path) for m, routes in self.routes.get(family, {}).items() if m != method for r in routes
        )


def split_family(path: str) -> tuple[str | None, str]:
    """(family, path inside the family) for a full request path."""
    for prefix in DATAMAP_PREFIXES:
        if path.startswith(prefix + "/"):
            return "datamap", path[len(prefix) :]
    if path.startswith("/account/"):
        return "account", path[len("/account") :]
    if path == "/collections" or path.startswith("/collections/"):
        return "account", path
    return None, path
