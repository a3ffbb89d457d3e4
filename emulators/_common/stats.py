"""Request counters per operation, so tests and benchmarks can assert "0 writes" or "N calls".

A handler names its operation and says whether it writes by setting `request.state.operation` and
`request.state.write`; otherwise the route template and HTTP method decide. GraphQL servers set both per
document (a query over POST is a read, a mutation is a write).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulators._common.faults import ADMIN_PREFIX

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Stats:
    """Thread-safe counters of operations, their statuses and whether they wrote."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget every counter (the admin API's `DELETE /_emulator/stats`)."""
        with getattr(self, "_lock", threading.Lock()):
            self._ops: dict[str, dict[str, Any]] = {}
            self._statuses: dict[int, int] = defaultdict(int)
            self.total = 0
            self.reads = 0
            self.writes = 0

    def record(self, operation: str, write: bool, status: int) -> None:
        """Count one request. Failed writes (status >= 400) are not counted as writes."""
        with self._lock:
            self.total += 1
            self._statuses[status] += 1
            op = self._ops.setdefault(operation, {"count": 0, "write": write, "statuses": defaultdict(int)})
            op["count"] += 1
            op["statuses"][status] += 1
            if write and status < 400:
                self.writes += 1
            elif not write:
                self.reads += 1

    def snapshot(self) -> dict[str, Any]:
        """JSON form served by `GET /_emulator/stats`."""
        with self._lock:
            return {
                "total": self.total,
                "reads": self.reads,
                "writes": self.writes,
                "statuses": {str(k): v for k, v in sorted(self._statuses.items())},
                "operations": {
                    name: {
                        "count": op["count"],
                        "write": op["write"],
                        "statuses": {str(k): v for k, v in op["statuses"].items()},
                    }
                    for name, op in sorted(self._ops.items())
                },
            }


class StatsMiddleware:
    """ASGI middleware recording every non-admin request into a Stats object."""

    def __init__(self, app: ASGIApp, stats: Stats) -> None:
        self.app = app
        self.stats = stats

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, then record its operation and final status."""
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})["_raw_send"] = send
        status_holder = {"status": 0}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            state = scope.get("state") or {}
            method = scope["method"].upper()
            operation = state.get("operation")
            if operation is None:
                fault = state.get("fault", "none")
                route = scope.get("route")
                template = getattr(route, "path", None)
                if template:
                    operation = f"{method} {template}"
                else:
                    operation = f"<fault:{fault}>" if fault != "none" else "<unrouted>"
            write = state.get("write")
            if write is None:
                write = method not in READ_METHODS
            self.stats.record(str(operation), bool(write), status_holder["status"])
