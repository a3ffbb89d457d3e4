"""The REST sink: post rows as JSON arrays the way ADF's RestSink does (connector-rest article).

Batches of `writeBatchSize` rows (default 10000) are sent with `requestMethod` (POST, PUT or PATCH), waiting
`requestInterval` milliseconds (10..60000, default 10) between requests and at most `httpRequestTimeout`
(default 00:01:40) for each answer. Headers come from the linked service's `authHeaders` (secrets already
resolved by the caller) and the sink's `additionalHeaders`. A 4xx/5xx answer fails the copy, naming the status.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from emulators.datafactory.source import CopyError

_TIMESPAN = re.compile(r"^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$")


def parse_timespan(value: Any, default_seconds: float) -> float:
    """Seconds in a .NET TimeSpan string `[d.]hh:mm:ss[.fff]`."""
    if value is None:
        return default_seconds
    match = _TIMESPAN.match(str(value))
    if not match:
        raise CopyError(f"httpRequestTimeout {value!r} is not a TimeSpan like 00:01:40")
    days, hours, minutes, seconds, fraction = match.groups()
    total = int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + int(seconds)
    return total + (float(f"0.{fraction}") if fraction else 0.0)


def _int_setting(value: Any, name: str, default: int, low: int, high: int) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise CopyError(f"{name} {value!r} is not an integer") from None
    if not low <= number <= high:
        raise CopyError(f"{name} must be between {low} and {high}; got {number}")
    return number


def parse_additional_headers(value: Any) -> dict[str, str]:
    """`additionalHeaders` as key/value pairs, or the older single string `Name: value` per line."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(key): str(item) for key, item in value.items()}
    if isinstance(value, str):
        headers = {}
        for line in value.splitlines():
            if line.strip():
                name, sep, item = line.partition(":")
                if not sep:
                    raise CopyError("additionalHeaders lines must look like 'Name: value'")
                headers[name.strip()] = item.strip()
        return headers
    raise CopyError("additionalHeaders must be key/value pairs or a string")


@dataclass
class RestSinkSettings:
    """A RestSink after expressions and secrets are resolved."""

    url: str
    method: str = "POST"
    headers: dict[str, str] = field(default_factory=dict)
    batch_size: int = 10000
    interval_ms: int = 10
    timeout_seconds: float = 100.0
    gzip_body: bool = False

    @classmethod
    def from_sink(cls, url: str, sink: dict[str, Any], auth_headers: dict[str, str]) -> RestSinkSettings:
        """Read the documented RestSink properties, validating their ranges."""
        method = str(sink.get("requestMethod") or "POST").upper()
        if method not in {"POST", "PUT", "PATCH"}:
            raise CopyError(f"requestMethod {method!r} is not allowed for a REST sink (POST, PUT or PATCH)")
        compression = str(sink.get("httpCompressionType") or "none").lower()
        if compression not in {"none", "gzip"}:
            raise CopyError(f"httpCompressionType {compression!r} is not allowed (none or gzip)")
        headers = {**auth_headers, **parse_additional_headers(sink.get("additionalHeaders"))}
        return cls(
            url=url,
            method=method,
            headers=headers,
            batch_size=_int_setting(sink.get("writeBatchSize"), "writeBatchSize", 10000, 1, 10**9),
            interval_ms=_int_setting(sink.get("requestInterval"), "requestInterval", 10, 10, 60000),
            timeout_seconds=parse_timespan(sink.get("httpRequestTimeout"), 100.0),
            gzip_body=compression == "gzip",
        )


@dataclass
class SinkResult:
    """What was written: rows, bytes and requests."""

    rows: int = 0
    bytes: int = 0
    requests: int = 0


def post_rows(
    settings: RestSinkSettings,
    rows: list[dict[str, Any]],
    *,
    cancelled: Callable[[], bool] = lambda: False,
    session: requests.Session | None = None,
) -> SinkResult:
    """Send every batch; stops at the first failed request with a CopyError naming its status."""
    result = SinkResult()
    http = session or requests.Session()
    headers = {"Content-Type": "application/json", **settings.headers}
    if settings.gzip_body:
        headers["Content-Encoding"] = "gzip"
    for start in range(0, len(rows), settings.batch_size):
        if cancelled():
            raise CopyError("the run was cancelled")
        if start:
            time.sleep(settings.interval_ms / 1000.0)
        batch = rows[start : start + settings.batch_size]
        body = json.dumps(batch, ensure_ascii=False).encode("utf-8")
        payload = gzip.compress(body) if settings.gzip_body else body
        try:
            answer = http.request(
                settings.method, settings.url, data=payload, headers=headers, timeout=settings.timeout_seconds
            )
        except requests.Timeout:
            raise CopyError(
                f"the REST sink did not answer {settings.method} {settings.url} within {settings.timeout_seconds:g} s"
            ) from None
        except requests.RequestException as exc:
            raise CopyError(f"the REST sink could not be reached at {settings.url}: {type(exc).__name__}") from None
        result.requests += 1
        if answer.status_code >= 400:
            snippet = answer.text[:300].replace("\n", " ")
            target = f"{settings.method} {settings.url}"
            message = f"the REST sink answered {answer.status_code} to {target} after {result.rows} rows: {snippet}"
            raise CopyError(message)
        result.rows += len(batch)
        result.bytes += len(body)
    return result
