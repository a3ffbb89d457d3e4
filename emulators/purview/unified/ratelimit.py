"""The Unified Catalog's documented rate limits, as an opt-in fault: 429 + `Retry-After` once a window is full.

Learn and the generated SDK state a limit per operation ("Rate limit: 200 requests per 20-second window"
for creates; 80 for deletes, 1,500 for gets, ...). Off by default, like every other fault; switched on at
run time through the shared fault settings:

- `PUT /_emulator/faults {"extra": {"unified_rate_limit": true}}`: each operation's documented limit per 20 s.
- `{"extra": {"unified_rate_limit": {"requests": 200, "window_seconds": 20}}}`: one limit for every operation.

Counting is a sliding window of accepted requests per operation (refused requests do not count). Whether the
live service counts per operation, per caller or per tenant is not documented: per operation is a **GUESS**.
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from collections.abc import Callable
from typing import Any

log = logging.getLogger("emulators.purview.unified")

WINDOW_SECONDS = 20.0
DEFAULT_LIMIT = 200
DOCUMENTED_LIMITS = {
    "BusinessDomains_Enumerate": 500,
    "BusinessDomains_Create": 200,
    "BusinessDomains_Get": 2000,
    "BusinessDomains_Update": 150,
    "BusinessDomains_Delete": 80,
    "DataProducts_List": 100,
    "DataProducts_Create": 200,
    "DataProducts_Query": 800,
    "DataProducts_Get": 1500,
    "DataProducts_Update": 150,
    "DataProducts_Delete": 80,
    "DataProducts_ListRelationships": 1500,
    "DataProducts_CreateRelationship": 600,
    "DataProducts_DeleteRelationship": 80,
    "DataProducts_Count": 200,
    "Terms_Create": 200,
    "Terms_List": 100,
    "Terms_Update": 150,
    "Terms_Count": 200,
    "DataAssets_List": 150,
    "DataAssets_Create": 500,
    "DataAssets_Query": 800,
    "DataAssets_GetById": 1000,
    "DataAssets_Update": 350,
    "DataAssets_DeleteRelationship": 80,
}
"""From the SDK docstrings. Operations missing here get DEFAULT_LIMIT (the figure Learn's CDE page gives)."""


class RateLimiter:
    """Sliding-window counters per operation; reset whenever the setting changes."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._setting: Any = None
        self._windows: dict[str, deque[float]] = {}

    def check(self, operation: str, setting: Any) -> float | None:
        """Record one request; None if allowed, else the seconds to wait (for `Retry-After`)."""
        if setting != self._setting:
            self._setting = setting
            self._windows = {}
        limits = _limits(setting)
        if limits is None:
            return None
        limit, window = limits(operation)
        now = self.clock()
        stamps = self._windows.setdefault(operation, deque())
        while stamps and stamps[0] <= now - window:
            stamps.popleft()
        if len(stamps) >= limit:
            return max(stamps[0] + window - now, 0.0)
        stamps.append(now)
        return None


def retry_after(wait: float) -> str:
    """Whole seconds, at least 1 (RFC 9110 delay-seconds)."""
    return str(max(1, math.ceil(wait)))


def _limits(setting: Any) -> Callable[[str], tuple[int, float]] | None:
    """The limit function a setting stands for, or None when rate limiting is off."""
    if setting is None or setting is False:
        return None
    if isinstance(setting, dict):
        requests, window = setting.get("requests", DEFAULT_LIMIT), setting.get("window_seconds", WINDOW_SECONDS)
        valid_requests = isinstance(requests, int) and not isinstance(requests, bool) and requests > 0
        valid_window = isinstance(window, int | float) and not isinstance(window, bool) and window > 0
        if valid_requests and valid_window:
            return lambda _operation: (requests, float(window))
        log.warning("ignoring invalid unified_rate_limit %r; using the documented limits", setting)
    elif setting is not True:
        log.warning("ignoring invalid unified_rate_limit %r; using the documented limits", setting)
    return lambda operation: (DOCUMENTED_LIMITS.get(operation, DEFAULT_LIMIT), WINDOW_SECONDS)
