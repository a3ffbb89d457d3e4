"""Fault injection shared by every emulator: throttling, injected errors, dropped connections, latency.

Real services fail in a handful of recognisable ways, and the app's retry, rate-limit and idempotency code
is only proven if tests can make those failures happen on demand. This ASGI middleware makes them happen
for any emulator, with the error body shaped by the emulator that owns it (Atlas-shaped for Purview,
ARM-shaped for Data Factory, ...).
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ErrorBodyFactory = Callable[[int, str, str, str], dict[str, Any]]
"""Builds an emulator-specific JSON error body from (status, code, message, request path).

The path lets one emulator answer in more than one shape (Purview's Atlas routes vs its Account API)."""

ADMIN_PREFIX = "/_emulator"


async def _close_connection(scope: Scope) -> None:
    """Close the client's TCP connection without sending a byte, like a load balancer dropping it.

    uvicorn hands the app a bound `send` of its request cycle, which owns the transport; the outermost
    middleware stashes it in the scope state (`_raw_send`) so inner layers can reach the socket.
    """
    raw_send = scope.get("state", {}).get("_raw_send")
    transport = getattr(getattr(raw_send, "__self__", None), "transport", None)
    if transport is None:
        raise RuntimeError("cannot drop the connection: server transport not reachable")
    transport.close()
    for _ in range(3):  # let the loop run connection_lost so uvicorn knows the client is gone
        await asyncio.sleep(0)


@dataclass
class FaultSettings:
    """Knobs for the faults an emulator injects. All are off by default.

    Rates are probabilities in [0, 1] applied per request. `path_pattern` (a regex matched against the
    request path) and `methods` narrow which requests are affected; admin routes are never affected.
    """

    throttle_ops_per_sec: float | None = None
    throttle_burst: int | None = None
    retry_after_seconds: float | None = None
    error_rate: float = 0.0
    error_status: int = 503
    drop_rate: float = 0.0
    lose_response_rate: float = 0.0
    latency_ms: float = 0.0
    fail_next: int = 0
    fail_next_status: int = 503
    path_pattern: str | None = None
    methods: list[str] | None = None
    seed: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultSettings:
        """Build settings from JSON, refusing unknown keys so typos do not silently disable a fault."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        settings = cls(**data)
        settings.validate()
        return settings

    def validate(self) -> None:
        """Reject values that would make the emulator misbehave rather than inject a fault."""
        for name in ("error_rate", "drop_rate", "lose_response_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        if self.throttle_ops_per_sec is not None and self.throttle_ops_per_sec <= 0:
            raise ValueError("throttle_ops_per_sec must be positive (or null to disable throttling)")
        if self.latency_ms < 0 or self.fail_next < 0:
            raise ValueError("latency_ms and fail_next must not be negative")
        if not 500 <= self.error_status <= 599 and self.error_status != 429:
            raise ValueError("error_status must be a 5xx status or 429")
        if self.path_pattern is not None:
            re.compile(self.path_pattern)

    def to_dict(self) -> dict[str, Any]:
        """JSON form, as served by the admin API."""
        return asdict(self)


class TokenBucket:
    """Classic token bucket: `rate` tokens per second, holding at most `burst` tokens."""

    def __init__(self, rate: float, burst: int | None = None) -> None:
        self.rate = rate
        self.capacity = float(burst if burst is not None else max(1, math.ceil(rate)))
        self._tokens = self.capacity
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def try_take(self) -> float:
        """Take one token. Returns 0 on success, else the seconds until a token will be available."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return 0.0
            return (1.0 - self._tokens) / self.rate


class FaultInjector:
    """Holds the live fault settings and decides, per request, which fault (if any) applies."""

    def __init__(self, settings: FaultSettings | None = None) -> None:
        self._lock = threading.Lock()
        self.counters: dict[str, int] = {}
        self.configure(settings or FaultSettings())

    def configure(self, settings: FaultSettings) -> None:
        """Replace the settings atomically; the throttle bucket restarts full."""
        settings.validate()
        with self._lock:
            self.settings = settings
            self._random = random.Random(settings.seed)
            self._pattern = re.compile(settings.path_pattern) if settings.path_pattern else None
            self._bucket = (
                TokenBucket(settings.throttle_ops_per_sec, settings.throttle_burst)
                if settings.throttle_ops_per_sec
                else None
            )
            self.counters = {"throttled": 0, "errors": 0, "dropped": 0, "lost_responses": 0}

    def applies_to(self, method: str, path: str) -> bool:
        """Whether this request is in scope of the configured faults."""
        s = self.settings
        if s.methods and method.upper() not in {m.upper() for m in s.methods}:
            return False
        return not (self._pattern and not self._pattern.search(path))

    def decide(self, method: str, path: str) -> tuple[str, float]:
        """Return (fault kind, detail): ("throttle", retry_after) / ("error", status) / ("drop"|"lose"|"none", 0)."""
        if not self.applies_to(method, path):
            return "none", 0.0
        with self._lock:
            s = self.settings
            if s.fail_next > 0:
                s.fail_next -= 1
                self.counters["errors"] += 1
                return "error", float(s.fail_next_status)
            if self._bucket is not None:
                wait = self._bucket.try_take()
                if wait > 0:
                    self.counters["throttled"] += 1
                    return "throttle", wait
            roll = self._random.random
            if s.drop_rate and roll() < s.drop_rate:
                self.counters["dropped"] += 1
                return "drop", 0.0
            if s.error_rate and roll() < s.error_rate:
                self.counters["errors"] += 1
                return "error", float(s.error_status)
            if s.lose_response_rate and roll() < s.lose_response_rate:
                self.counters["lost_responses"] += 1
                return "lose", 0.0
        return "none", 0.0

    def retry_after_header(self, wait: float) -> str:
        """Retry-After is whole seconds on the wire (RFC 9110 delay-seconds), at least 1."""
        fixed = self.settings.retry_after_seconds
        seconds = fixed if fixed is not None else max(1.0, math.ceil(wait))
        return str(math.ceil(seconds))


class FaultMiddleware:
    """ASGI middleware applying a FaultInjector to every non-admin HTTP request."""

    def __init__(self, app: ASGIApp, injector: FaultInjector, error_body: ErrorBodyFactory) -> None:
        self.app = app
        self.injector = injector
        self.error_body = error_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Inject the configured fault, or pass the request through."""
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        latency = self.injector.settings.latency_ms
        if latency and self.injector.applies_to(scope["method"], scope["path"]):
            await asyncio.sleep(latency / 1000.0)
        kind, detail = self.injector.decide(scope["method"], scope["path"])
        scope.setdefault("state", {})["fault"] = kind
        if kind == "throttle":
            body = self.error_body(429, "TooManyRequests", "Rate limit is exceeded. Try again later.", scope["path"])
            await _send_json(send, 429, body, {"retry-after": self.injector.retry_after_header(detail)})
            return
        if kind == "error":
            status = int(detail)
            if status == 429:
                message, code = "Rate limit is exceeded. Try again later.", "TooManyRequests"
                headers = {"retry-after": self.injector.retry_after_header(1.0)}
            else:
                message, code = "The service is temporarily unavailable (injected fault).", "ServiceUnavailable"
                headers = {}
            await _send_json(send, status, self.error_body(status, code, message, scope["path"]), headers)
            return
        if kind == "drop":
            await _close_connection(scope)
            return
        if kind == "lose":
            await self.app(scope, receive, _discard_response(send))
            await _close_connection(scope)
            return
        await self.app(scope, receive, send)


def _discard_response(send: Send) -> Send:
    """Let the app fully handle the request but deliver nothing, so the connection can be dropped after.

    This is the nastiest real-world failure for idempotency: the write happened, the client never heard.
    """

    async def discard(message: Message) -> None:
        return None

    return discard


async def _send_json(send: Send, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
    payload = json.dumps(body).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw_headers += [(k.encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})
