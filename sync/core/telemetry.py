"""Structured logging, call counting and Application Insights wiring.

Custom dimensions only reach Application Insights through the worker's OpenTelemetry path: the classic host log
path forwards the formatted message alone (reference azure-functions.md §6). So every event is logged with its
fields in `extra=` (→ customDimensions) AND the essential ones in the message text (readable on either path).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

_state = {"configured": False}
NOTIFICATIONS = logging.getLogger("sync.notifications")
RESERVED_RECORD_KEYS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "event",
}
"""Attributes of a LogRecord, which `logging` refuses to overwrite from `extra=` (KeyError), and our own `event`."""


def configure_telemetry() -> None:
    """Send logs and traces to Application Insights when a connection string is set (once per process).

    Guarded so tests and local runs never try to export. When the platform's worker already configures Azure
    Monitor (`PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY=true`), the app leaves it to the worker.
    """
    if _state["configured"]:
        return
    _state["configured"] = True
    if not os.environ.get("APPLICATIONINSIGHTS_CONNECTION_STRING"):
        return
    if os.environ.get("PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY", "").lower() == "true":
        return
    from azure.monitor.opentelemetry import configure_azure_monitor

    configure_azure_monitor(logger_name="sync")


def dimension_name(key: str) -> str:
    """The custom-dimension name of an event field: fields that collide with LogRecord attributes get `sync_`."""
    return f"sync_{key}" if key in RESERVED_RECORD_KEYS else key


def log_event(logger: logging.Logger, event: str, message: str, /, *, level: int = logging.INFO, **fields: Any) -> None:
    """Log one structured event: `event` and `fields` become custom dimensions; key fields also go in the text.

    Any field name is safe: one that `logging` reserves (`name`, `module`, `message`…) is renamed rather than
    crashing the caller at INFO level, where nobody looked while testing at WARNING.
    """
    compact = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None and not isinstance(v, (dict, list)))
    text = f"{message} [{event}{' ' + compact if compact else ''}]"
    extra = {dimension_name(k): v for k, v in fields.items() if v is not None}
    logger.log(level, text, extra={"event": event, **extra})


def notify(text: str, /, *, event: str, **fields: Any) -> None:
    """A user-facing notification, with the same wording as CluedIn's Notification Center.

    CluedIn has no public API to create notifications, so they are structured log events (and land in run reports).
    """
    log_event(NOTIFICATIONS, event, text, **fields)


@dataclass
class CallStats:
    """What a client did, for run reports and benchmarks."""

    calls: int = 0
    writes: int = 0
    retries: int = 0
    throttled: int = 0
    waited_seconds: float = 0.0
    by_operation: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON form for reports."""
        return {
            "calls": self.calls,
            "writes": self.writes,
            "retries": self.retries,
            "throttled": self.throttled,
            "waited_seconds": round(self.waited_seconds, 3),
        }


_call_sinks: ContextVar[dict[str, CallStats] | None] = ContextVar("call_sinks", default=None)
_sink_lock = threading.Lock()


@contextlib.contextmanager
def collect_calls() -> Iterator[dict[str, CallStats]]:
    """Count the calls made by this thread of work (one run or invocation), per service.

    Clients are shared by every invocation of a process, so their own counters mix invocations; a run report needs
    just its own calls. Invocations run in their own threads, and a context variable follows each one.
    """
    sinks: dict[str, CallStats] = {}
    token = _call_sinks.set(sinks)
    try:
        yield sinks
    finally:
        _call_sinks.reset(token)


def count_call(
    own: CallStats,
    service: str,
    *,
    calls: int = 0,
    writes: int = 0,
    retries: int = 0,
    throttled: int = 0,
    waited_seconds: float = 0.0,
    operation: str | None = None,
) -> None:
    """Add to a client's own counters and to those of the run or invocation collecting calls, if any."""
    sinks = _call_sinks.get()
    targets = [own]
    if sinks is not None:
        targets.append(sinks.setdefault(service, CallStats()))
    with _sink_lock:
        for stats in targets:
            stats.calls += calls
            stats.writes += writes
            stats.retries += retries
            stats.throttled += throttled
            stats.waited_seconds += waited_seconds
            if operation:
                stats.by_operation[operation] = stats.by_operation.get(operation, 0) + 1
