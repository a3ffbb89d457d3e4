"""One HTTP transport for every service the app calls (Purview, CluedIn, Data Factory's REST side).

Why our own and not each SDK's pipeline: the app needs the same behaviour everywhere, and the SDKs differ —
azure-core does not retry a POST on 429 unless `Retry-After` is present, pyapacheatlas and the `cluedin` SDK
never retry. Rules here:

- 429 is always retried (the request was not processed), after `Retry-After` when given; the wait also pauses
  the shared rate limiter so every concurrent handler of this instance slows down, not just the one throttled.
- 408/5xx, timeouts and lost connections are retried with capped exponential backoff and full jitter — but only
  for idempotent requests. A non-idempotent request (a GraphQL mutation that creates something) that may have
  been processed raises RetriableError instead; the caller's queue message is redelivered and its applier finds
  the object by its deterministic name rather than creating a second one.
- A connection that could not even be opened is always safe to retry.
- Everything else becomes a typed ServiceError carrying the service's own error code and message.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from sync.core.errors import ConflictError, NotFoundError, PermissionDeniedError, RetriableError, ServiceError
from sync.core.telemetry import CallStats, count_call

log = logging.getLogger("sync.http")

RETRIABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
ErrorParser = Callable[[requests.Response], tuple[str, str]]
"""Extracts (error code, message) from a service's error response."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before giving up on one call."""

    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    max_retry_after: float = 120.0
    connect_timeout: float = 10.0
    read_timeout: float = 100.0

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff for the given 1-based attempt."""
        ceiling: float = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return random.uniform(0, ceiling)


class RateLimiter:
    """Token bucket shared by every thread of a process for one service.

    Callers block in `acquire()` until a token is free. `pause()` is how a 429 with Retry-After slows down
    every caller at once: nobody gets a token before the pause ends.
    """

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.capacity = burst if burst is not None else max(1.0, rate)
        self._tokens = self.capacity
        self._stamp = time.monotonic()
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping as needed. Returns the seconds spent waiting."""
        waited = 0.0
        while True:
            with self._lock:
                now = time.monotonic()
                if now < self._paused_until:
                    delay = self._paused_until - now
                else:
                    self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
                    self._stamp = now
                    if self._tokens >= 1.0:
                        self._tokens -= 1.0
                        return waited
                    delay = (1.0 - self._tokens) / self.rate
            time.sleep(delay)
            waited += delay

    def pause(self, seconds: float) -> None:
        """Hold every caller for `seconds` (server asked us to back off) and drain the bucket."""
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)
            self._tokens = 0.0
            self._stamp = self._paused_until


_limiters: dict[str, RateLimiter] = {}
_limiters_lock = threading.Lock()


def shared_rate_limiter(service_key: str, rate: float) -> RateLimiter:
    """The process-wide limiter of a service (one per service endpoint), created on first use."""
    with _limiters_lock:
        limiter = _limiters.get(service_key)
        if limiter is None or limiter.rate != rate:
            limiter = RateLimiter(rate)
            _limiters[service_key] = limiter
        return limiter


class AuthProvider:
    """Supplies the Authorization header; `refresh()` is called once after a 401."""

    def header(self) -> str | None:
        """Value of the Authorization header (None = send none)."""
        return None

    def refresh(self) -> bool:
        """Drop cached credentials. Returns True if a retry might now succeed."""
        return False


class HttpTransport:
    """requests.Session plus the retry, throttle and error rules above, for one service."""

    def __init__(
        self,
        service: str,
        base_url: str,
        *,
        auth: AuthProvider | None = None,
        rate_limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        error_parser: ErrorParser | None = None,
        pool_size: int = 32,
    ) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.auth = auth or AuthProvider()
        self.rate_limiter = rate_limiter
        self.retry = retry or RetryPolicy()
        self.error_parser = error_parser or default_error_parser
        self.stats = CallStats()
        self.session = requests.Session()
        # Authorization is set per request; a session-level no-op auth stops requests from reading ~/.netrc on
        # every call (measured at ~10% of a lineage apply), while proxies and CA bundles from the environment
        # still apply.
        self.session.auth = _no_session_auth
        adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        write: bool | None = None,
        operation: str | None = None,
        ok: tuple[int, ...] = (200, 201, 202, 204),
    ) -> requests.Response:
        """Send one logical request, retrying as the module docstring describes.

        Args:
            method: HTTP method.
            path_or_url: path under the base URL, or an absolute URL.
            params: query parameters (a list of pairs for repeated keys).
            json: JSON body.
            data: form body.
            headers: extra headers (never logged).
            idempotent: whether repeating the request is harmless; default: every method but POST/PATCH.
            write: whether the request changes data (for call statistics); default: not GET/HEAD.
            operation: a short name for statistics and logs.
            ok: statuses that count as success.

        Raises:
            RetriableError: the call kept failing transiently; the caller's message should be retried later.
            ServiceError: the service refused the request (NotFoundError, ConflictError, PermissionDeniedError...).
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method not in {"POST", "PATCH"}
        if write is None:
            write = method not in {"GET", "HEAD"}
        url = path_or_url if path_or_url.startswith(("http://", "https://")) else f"{self.base_url}{path_or_url}"
        name = operation or f"{method} {path_or_url.split('?', 1)[0]}"
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            if self.rate_limiter is not None:
                waited = self.rate_limiter.acquire()
                if waited:
                    self._count(waited_seconds=waited)
            send_headers = dict(headers or {})
            authorization = self.auth.header()
            if authorization:
                send_headers["Authorization"] = authorization
            self._count(calls=1, writes=1 if write else 0, operation=name)
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    data=data,
                    headers=send_headers,
                    timeout=(self.retry.connect_timeout, self.retry.read_timeout),
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                never_sent = isinstance(exc, requests.ConnectTimeout) or _is_connect_failure(exc)
                if (idempotent or never_sent) and attempt < self.retry.max_attempts:
                    self._sleep_before_retry(attempt, None, name, f"{type(exc).__name__}")
                    continue
                raise RetriableError(f"{self.service} {name}: {type(exc).__name__}: connection failed") from None
            status = response.status_code
            if status in ok:
                return response
            if status == 401 and not refreshed and self.auth.refresh():
                refreshed = True
                continue
            if status in RETRIABLE_STATUSES:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                if status == 429:
                    self._count(throttled=1)
                    if self.rate_limiter is not None:
                        self.rate_limiter.pause(retry_after if retry_after is not None else self.retry.backoff(attempt))
                if (idempotent or status == 429) and attempt < self.retry.max_attempts:
                    self._sleep_before_retry(attempt, retry_after, name, str(status))
                    continue
                code, message = self.error_parser(response)
                raise RetriableError(f"{self.service} {name} → {status} {code}: {message}", retry_after=retry_after)
            raise self._service_error(method, name, response)

    def _service_error(self, method: str, name: str, response: requests.Response) -> ServiceError:
        code, message = self.error_parser(response)
        status = response.status_code
        kind: type[ServiceError] = ServiceError
        if status == 404:
            kind = NotFoundError
        elif status in (409, 412):
            kind = ConflictError
        elif status in (401, 403):
            kind = PermissionDeniedError
        return kind(self.service, status, code, message, method="", url=name)

    def _sleep_before_retry(self, attempt: int, retry_after: float | None, name: str, reason: str) -> None:
        delay = min(retry_after, self.retry.max_retry_after) if retry_after is not None else self.retry.backoff(attempt)
        self._count(retries=1, waited_seconds=delay)
        log.info(
            "%s %s: retrying after %s (attempt %d, wait %.2fs)",
            self.service,
            name,
            reason,
            attempt,
            delay,
            extra={"service": self.service, "operation": name, "reason": reason, "attempt": attempt},
        )
        time.sleep(delay)

    def _count(self, **counts: Any) -> None:
        count_call(self.stats, self.service, **counts)


def _no_session_auth(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """Session auth that leaves the request as it is (see HttpTransport.__init__)."""
    return request


def _is_connect_failure(exc: Exception) -> bool:
    """True when the TCP connection was never established, so the server cannot have seen the request."""
    text = repr(exc)
    return any(marker in text for marker in ("NewConnectionError", "Connection refused", "NameResolutionError"))


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delay-seconds or HTTP-date); None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def default_error_parser(response: requests.Response) -> tuple[str, str]:
    """Understands the error shapes of Atlas, ARM/Account API and GraphQL/plain JSON; falls back to text."""
    try:
        body = response.json()
    except ValueError:
        return str(response.status_code), response.text[:300]
    if isinstance(body, dict):
        if "errorCode" in body:
            return str(body.get("errorCode")), str(body.get("errorMessage", ""))
        error = body.get("error")
        if isinstance(error, dict):
            return str(error.get("code", response.status_code)), str(error.get("message", ""))
        if isinstance(error, str):
            return error, str(body.get("error_description", body.get("message", "")))
        if "message" in body:
            return str(body.get("code", response.status_code)), str(body["message"])
    return str(response.status_code), str(body)[:300]
