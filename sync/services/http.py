"""One HTTP transport for every service the app calls (Purview, CluedIn, Data Factory's REST side).

Why our own and not each SDK's pipeline: the app needs the same behaviour everywhere, and the SDKs differ —
azure-core does not retry a POST on 429 unless `Retry-After` is present, pyapacheatlas and the `cluedin` SDK
never retry. Rules here:

- 429 is always retried (the request was not processed), after `Retry-After` when given; the wait also pauses
  the shared rate limiter so every concurrent handler of this instance slows down, not just the one throttled
  (and, for a limiter that is a slice of the app's budget, lowers the rate of every instance: budget.py).
- 408/5xx, timeouts and lost connections are retried with capped exponential backoff and full jitter — but only
  for idempotent requests. A non-idempotent request (a GraphQL mutation that creates something) that may have
  been processed raises RetriableError instead; the caller's queue message is redelivered and its applier finds
  the object by its deterministic name rather than creating a second one.
- A connection that could not even be opened is always safe to retry.
- A successful answer whose body is cut off or is not JSON is a transient failure like a lost answer.
- A non-idempotent request is sent only after the invocation's leases were re-confirmed (`sync.core.fencing`),
  and its attempt ends (timeout) before those leases could; a Retry-After longer than `max_retry_after` is not
  slept through — neither by the throttled call nor, through the shared limiter's pause, by any other: a caller
  facing a longer pause gives up at once (RetriableError carrying the time left) without sending anything.
- Waits use the app's clock (`sync.core.clock`), so tests assert them exactly by moving time.
- The bearer token goes only to the configured host: an absolute URL elsewhere (a `nextLink`) is refused.
- Everything else becomes a typed ServiceError carrying the service's own error code and message; every exception
  leaving the transport is one of the app's typed errors (credentials: `sync/services/auth.py`).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from sync.core import clock, fencing
from sync.core.errors import (
    ConflictError,
    FatalError,
    NotFoundError,
    PermissionDeniedError,
    RetriableError,
    ServiceError,
)
from sync.core.sessions import environment_session
from sync.core.telemetry import CallStats, count_call
from sync.services.ratelimit import PausedTooLongError, RateLimiter, shared_rate_limiter

log = logging.getLogger("sync.http")

RETRIABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
INVALID_REQUEST_ERRORS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidHeader,
    requests.exceptions.URLRequired,
    requests.exceptions.TooManyRedirects,
)
FENCED_CALL_MARGIN_SECONDS = 5.0
ErrorParser = Callable[[requests.Response], tuple[str, str]]
"""Extracts (error code, message) from a service's error response."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before giving up on one call."""

    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    max_retry_after: float = 30.0
    """A longer Retry-After is not slept through: the call gives up (RetriableError carrying the wait) and its
    message comes back later, so no invocation sits on a lease for minutes (leases last 60 s)."""
    connect_timeout: float = 10.0
    read_timeout: float = 100.0

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff for the given 1-based attempt."""
        ceiling: float = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return random.uniform(0, ceiling)

    def fenced_read_timeout(self, budget: float) -> float:
        """Read timeout of a non-idempotent attempt under a lease that lasts `budget` seconds more.

        Connecting plus reading end before the lease could, so no other invocation can take the object over while
        this call may still be in flight on our side.
        """
        return max(1.0, min(self.read_timeout, budget - self.connect_timeout - FENCED_CALL_MARGIN_SECONDS))


class AuthProvider:
    """Supplies the Authorization header; `refresh()` is called once after a 401."""

    def header(self) -> str | None:
        """Value of the Authorization header (None = send none)."""
        return None

    def refresh(self) -> bool:
        """Drop cached credentials. Returns True if a retry might now succeed."""
        return False


class JsonResponse(requests.Response):
    """A response whose JSON body the transport already parsed and checked: `json()` returns it."""

    parsed: Any = None

    def json(self, **kwargs: Any) -> Any:
        """The body, parsed once by the transport."""
        return self.parsed


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
        self.origin = _origin(self.base_url)
        self.auth = auth or AuthProvider()
        self.rate_limiter = rate_limiter
        self.retry = retry or RetryPolicy()
        self.error_parser = error_parser or default_error_parser
        self.stats = CallStats()
        self.session = environment_session(self.base_url)
        adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def url_for(self, path_or_url: str) -> str:
        """The URL of a path under the base URL, or an absolute URL on the service's own host.

        Raises:
            FatalError: an absolute URL (a `nextLink`, an async-operation monitor) on another host, port or scheme:
                the service's bearer token is only ever sent to the host it was configured for.
        """
        if not path_or_url.startswith(("http://", "https://")):
            return f"{self.base_url}{path_or_url}"
        if _origin(path_or_url) != self.origin:
            raise FatalError(
                f"{self.service}: refused to follow a link to {_origin(path_or_url)}, which is not the configured "
                f"{self.origin} (its token is only sent there)",
                service=self.service,
            )
        return path_or_url

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
        expect_json: bool = True,
    ) -> requests.Response:
        """Send one logical request, retrying as the module docstring describes.

        Args:
            method: HTTP method.
            path_or_url: path under the base URL, or an absolute URL on the configured host.
            params: query parameters (a list of pairs for repeated keys).
            json: JSON body.
            data: form body.
            headers: extra headers (never logged).
            idempotent: whether repeating the request is harmless; default: every method but POST/PATCH.
            write: whether the request changes data (for call statistics); default: not GET/HEAD.
            operation: a short name for statistics and logs.
            ok: statuses that count as success.
            expect_json: a non-empty successful body must be JSON (checked here, so `json()` cannot fail later).

        Raises:
            RetriableError: the call kept failing transiently, or a non-idempotent call's outcome is unknown; the
                caller's message should be retried later. ContentionError: the invocation's lease was lost, so a
                non-idempotent call was not sent.
            FatalError: the request can never succeed as it is (ServiceError subclasses for statuses the
                service refused with; PermissionDeniedError also when no token could be obtained).
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method not in {"POST", "PATCH"}
        if write is None:
            write = method not in {"GET", "HEAD"}
        url = self.url_for(path_or_url)
        name = operation or f"{method} {path_or_url.split('?', 1)[0]}"
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            retries_left = attempt < self.retry.max_attempts
            timeout = self._prepare(idempotent, write, name)
            send_headers = dict(headers or {})
            authorization = self.auth.header()
            if authorization:
                send_headers["Authorization"] = authorization
            try:
                response = self.session.request(
                    method, url, params=params, json=json, data=data, headers=send_headers, timeout=timeout
                )
            except requests.RequestException as exc:
                self._unanswered(exc, name, attempt, idempotent=idempotent, retries_left=retries_left)
                continue
            status = response.status_code
            if status in ok:
                checked = self._checked(response, expect_json)
                if checked is not None:
                    return checked
                if not (idempotent and retries_left):
                    raise RetriableError(
                        f"{self.service} {name} → {status} with a body that is not JSON (cut off or not from the "
                        "service)" + ("" if idempotent else "; outcome unknown"),
                        service=self.service,
                    )
                self._sleep_before_retry(attempt, self.retry.backoff(attempt), name, "a body that is not JSON")
                continue
            if status == 401 and not refreshed and self.auth.refresh():
                refreshed = True
                continue
            if status not in RETRIABLE_STATUSES:
                raise self._service_error(method, name, response)
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            wait = retry_after if retry_after is not None else self.retry.backoff(attempt)
            if status == 429:
                self._count(throttled=1)
                if self.rate_limiter is not None:
                    # The whole process honours the service's wait, however long; nobody sleeps through more
                    # than max_retry_after of it (see _prepare).
                    self.rate_limiter.pause(wait)
            within = retry_after is None or retry_after <= self.retry.max_retry_after
            if not ((idempotent or status == 429) and retries_left and within):
                code, message = self.error_parser(response)
                raise RetriableError(
                    f"{self.service} {name} → {status} {code}: {message}", retry_after=retry_after, service=self.service
                )
            self._sleep_before_retry(attempt, wait, name, str(status))

    def _prepare(self, idempotent: bool, write: bool, name: str) -> tuple[float, float]:
        """Wait for the rate limiter, check the fences of a non-idempotent call, count the call; its timeouts."""
        if self.rate_limiter is not None:
            try:
                waited = self.rate_limiter.acquire(max_pause=self.retry.max_retry_after)
            except PausedTooLongError as exc:
                raise RetriableError(
                    f"{self.service} {name}: throttled; the service asked every caller to wait {exc.seconds:.0f}s "
                    f"more, longer than {self.retry.max_retry_after:.0f}s (not sent)",
                    retry_after=exc.seconds,
                    service=self.service,
                ) from None
            if waited:
                self._count(waited_seconds=waited)
        read_timeout = self.retry.read_timeout
        if not idempotent:
            budget = fencing.check()  # raises when the invocation's lease was lost: nothing is sent
            if budget is not None:
                read_timeout = self.retry.fenced_read_timeout(budget)
        self._count(calls=1, writes=1 if write else 0, operation=name)
        return self.retry.connect_timeout, read_timeout

    def _unanswered(
        self, exc: requests.RequestException, name: str, attempt: int, *, idempotent: bool, retries_left: bool
    ) -> None:
        """A request that got no (complete) answer: sleep before resending it when that is safe, else raise."""
        never_sent = _never_sent(exc)
        if never_sent is None:
            raise FatalError(
                f"{self.service} {name}: the request is invalid ({type(exc).__name__})", service=self.service
            ) from None
        if not ((idempotent or never_sent) and retries_left):
            outcome = "connection failed" if never_sent else "the answer was lost or cut off; outcome unknown"
            raise RetriableError(
                f"{self.service} {name}: {type(exc).__name__}: {outcome}", service=self.service
            ) from None
        self._sleep_before_retry(attempt, self.retry.backoff(attempt), name, type(exc).__name__)

    def _checked(self, response: requests.Response, expect_json: bool) -> requests.Response | None:
        """The response, its JSON body parsed once (None when a JSON body was expected and is not one)."""
        if not expect_json or not response.content:
            return response
        try:
            parsed = response.json()
        except (ValueError, RecursionError):
            return None
        checked = JsonResponse()
        checked.__dict__.update(response.__dict__)
        checked.parsed = parsed
        return checked

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

    def _sleep_before_retry(self, attempt: int, delay: float, name: str, reason: str) -> None:
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
        clock.sleep(delay)

    def _count(self, **counts: Any) -> None:
        count_call(self.stats, self.service, **counts)


def _origin(url: str) -> str:
    """`scheme://host:port` of a URL (default ports made explicit), lower case."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme, 0)
    return f"{scheme}://{(parts.hostname or '').lower()}:{port}"


def _never_sent(exc: requests.RequestException) -> bool | None:
    """Whether the server cannot have seen the request (True), may have (False), or it is invalid (None)."""
    if isinstance(exc, INVALID_REQUEST_ERRORS):
        return None
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError):
        return _is_connect_failure(exc)
    return False  # read timeouts, answers cut off (ChunkedEncodingError), undecodable bodies, anything else


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
    return max(0.0, (when - clock.now()).total_seconds())


def default_error_parser(response: requests.Response) -> tuple[str, str]:
    """Understands the error shapes of Atlas, ARM/Account API and GraphQL/plain JSON; falls back to text."""
    try:
        body = response.json()
    except (ValueError, RecursionError):
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


__all__ = ["AuthProvider", "HttpTransport", "JsonResponse", "RateLimiter", "RetryPolicy", "shared_rate_limiter"]
