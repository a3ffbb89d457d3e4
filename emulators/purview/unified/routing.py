"""A small route table for the Unified Catalog: method + lower-case template -> operation and handler.

The Data Map's RouteTable is typed for its own handler context; this one carries `Call` handlers. About
fifty routes, so a linear scan with literal templates tried before parameterised ones is fast enough.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from emulators.purview.unified.context import Call, Reply

Handler = Callable[[Call, dict[str, str]], Reply]


@dataclass(frozen=True)
class Route:
    """One route and the stats facts about it (operation name, whether it writes)."""

    method: str
    template: str
    pattern: re.Pattern[str]
    operation: str
    handler: Handler
    write: bool


class Routes:
    """Routes by method; `match` returns the route and its decoded path parameters."""

    def __init__(self) -> None:
        self.by_method: dict[str, list[Route]] = {}

    def add(self, method: str, template: str, operation: str, handler: Handler, *, write: bool = False) -> None:
        """Register a route; `{name}` matches one path segment."""
        parts = re.split(r"(\{[^}]+\})", template)
        regex = "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts)
        routes = self.by_method.setdefault(method, [])
        routes.append(Route(method, template, re.compile(f"^{regex}/?$"), operation, handler, write))
        routes.sort(key=lambda r: r.template.count("{"))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route for a (lower-cased) path, or None."""
        for route in self.by_method.get(method, ()):
            found = route.pattern.match(path)
            if found:
                return route, {k: unquote(v) for k, v in found.groupdict().items()}
        return None

    def allows_other_method(self, method: str, path: str) -> bool:
        """Whether the path exists under another method (405 rather than 404)."""
        return any(r.pattern.match(path) for m, rs in self.by_method.items() if m != method for r in rs)
