"""Structured logging, spans, metrics, call counting and Application Insights wiring.

Custom dimensions only reach Application Insights through the worker's OpenTelemetry path: the classic host log
path forwards the formatted message alone (reference azure-functions.md §6). So every event is logged with its
fields in `extra=` (→ customDimensions) AND the essential ones in the message text (readable on either path).

The engine's hooks are here and small (docs/operations.md has the queries):

- `planning(feature, run_id)` — a span per planning cycle (`sync.plan`), ended by `planned(report fields)`;
- `applying(run_id, feature, queue, kinds)` — a span per applied message (`sync.apply`), with the run in scope so
  every state row and Purview entity written meanwhile carries the run id (`current_run`);
- metrics (`sync.changes.planned|applied|failed|skipped`, `sync.service.calls|throttled|throttle_wait`);
- notifications as Application Insights custom events with measurements (`notify`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from opentelemetry import metrics, trace

_state = {"configured": False}
INSTRUMENTATION = "sync"
"""Name of the app's tracer and meter (and the root of its loggers)."""
CUSTOM_EVENT = "microsoft.custom_event.name"
CUSTOM_MEASUREMENTS = "microsoft.custom_measurements"
"""Log-record attributes the Azure Monitor exporter turns into a customEvents row with numeric measurements
(reference purview-more.md §3.3); measurements must be a JSON string, as attributes cannot be dicts."""
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


def log_event(
    logger: logging.Logger,
    event: str,
    message: str,
    /,
    *,
    level: int = logging.INFO,
    measurements: Mapping[str, float] | None = None,
    **fields: Any,
) -> None:
    """Log one structured event: `event` and `fields` become custom dimensions; key fields also go in the text.

    Any field name is safe: one that `logging` reserves (`name`, `module`, `message`…) is renamed rather than
    crashing the caller at INFO level, where nobody looked while testing at WARNING. With `measurements`, the
    record becomes an Application Insights custom event named `event`, its measurements numeric.
    """
    compact = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None and not isinstance(v, (dict, list)))
    text = f"{message} [{event}{' ' + compact if compact else ''}]"
    extra = {dimension_name(k): v for k, v in fields.items() if v is not None}
    if measurements is not None:
        extra[CUSTOM_EVENT] = event
        extra[CUSTOM_MEASUREMENTS] = json.dumps({k: float(v) for k, v in measurements.items()}, sort_keys=True)
    logger.log(level, text, extra={"event": event, **extra})


def notify(text: str, /, *, event: str, measurements: Mapping[str, float] | None = None, **fields: Any) -> None:
    """A user-facing notification, with the same wording as CluedIn's Notification Center.

    CluedIn has no public API to create notifications, so they are Application Insights custom events named after
    the product's event (`customEvents`, measurements default to `{"count": 1}`) and land in run reports.
    """
    log_event(NOTIFICATIONS, event, text, measurements=measurements or {"count": 1}, **fields)


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


T = TypeVar("T")

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


def counted_by_caller(function: Callable[..., T]) -> Callable[..., T]:
    """`function`, counting its calls for the run or invocation of the thread that wraps it.

    A pool thread does not inherit the context variables of the thread that submits to it, so calls a snapshot
    makes from its pool (detail reads, history samples) would be missing from the run report. Only the counters
    travel: fences stay with the invocation's own thread (sync/core/fencing.py).
    """
    sinks = _call_sinks.get()

    def run(*args: Any, **kwargs: Any) -> T:
        token = _call_sinks.set(sinks)
        try:
            return function(*args, **kwargs)
        finally:
            _call_sinks.reset(token)

    return run


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
    _service_metrics(service, calls=calls, throttled=throttled, waited_seconds=waited_seconds)


# --- metrics -------------------------------------------------------------------------------------------------------
# Instruments come from the global meter provider (Azure Monitor's in Azure; a no-op otherwise; an in-memory reader
# in tests). `metrics.get_meter` hands out proxies until a provider is set, so creating them at import is safe.
_meter = metrics.get_meter(INSTRUMENTATION)
CHANGES = {
    result: _meter.create_counter(f"sync.changes.{result}", unit="{change}", description=f"changes {result}")
    for result in ("planned", "applied", "failed", "skipped")
}
SERVICE_CALLS = _meter.create_counter("sync.service.calls", unit="{call}", description="calls to a service")
SERVICE_THROTTLED = _meter.create_counter("sync.service.throttled", unit="{response}", description="429 answers")
THROTTLE_WAIT = _meter.create_counter("sync.service.throttle_wait", unit="s", description="time spent throttled")


def _service_metrics(service: str, *, calls: int, throttled: int, waited_seconds: float) -> None:
    attributes = {"service": service}
    if calls:
        SERVICE_CALLS.add(calls, attributes)
    if throttled:
        SERVICE_THROTTLED.add(throttled, attributes)
    if waited_seconds:
        THROTTLE_WAIT.add(waited_seconds, attributes)


def count_changes(result: str, feature: str, kinds: Mapping[str, int]) -> None:
    """Add changes planned/applied/failed/skipped per change kind to the metrics."""
    for kind, count in kinds.items():
        if count:
            CHANGES[result].add(count, {"feature": feature, "change_kind": kind})


# --- spans and the run in scope ------------------------------------------------------------------------------------
@dataclass
class RunScope:
    """The run whose work is being done on this thread: what state rows and Purview entities are stamped with."""

    run_id: str
    feature: str
    previous: dict[tuple[str, str], str] = field(default_factory=dict)
    """(object kind, key) → the run that had last written the row, for every row written in this scope (rollback
    restores what that run wrote)."""


_run_scope: ContextVar[RunScope | None] = ContextVar("run_scope", default=None)


def current_run() -> RunScope | None:
    """The run being planned or applied on this thread, if any."""
    return _run_scope.get()


@contextlib.contextmanager
def in_run(run_id: str, feature: str) -> Iterator[RunScope]:
    """Put a run in scope for a block (the CLI's rollback and repair apply changes of their own runs this way)."""
    scope = RunScope(run_id, feature)
    token = _run_scope.set(scope)
    try:
        yield scope
    finally:
        _run_scope.reset(token)


def _tracer() -> trace.Tracer:
    return trace.get_tracer(INSTRUMENTATION)


@contextlib.contextmanager
def planning(feature: str, run_id: str) -> Iterator[trace.Span]:
    """The span of one planning cycle (`sync.plan`); the engine ends it with `planned`."""
    with _tracer().start_as_current_span("sync.plan", attributes={"run_id": run_id, "feature": feature}) as span:
        yield span


def planned(span: trace.Span, *, status: str, dry_run: bool, kinds: Mapping[str, int], feature: str) -> None:
    """Close a planning span's story: its status and changes per kind (also counted as `sync.changes.planned`)."""
    span.set_attribute("outcome", status)
    span.set_attribute("dry_run", dry_run)
    span.set_attribute("change_kind", ",".join(sorted(k for k, v in kinds.items() if v)))
    span.set_attribute("changes", sum(kinds.values()))
    if status in {"failed", "not-configured"}:
        span.set_status(trace.StatusCode.ERROR, status)
    if not dry_run:
        count_changes("planned", feature, kinds)


@contextlib.contextmanager
def applying(run_id: str, feature: str, queue: str, kinds: list[str]) -> Iterator[RunScope]:
    """The span of one applied message (`sync.apply`), with its run in scope; `applied` records the outcome."""
    attributes = {"run_id": run_id, "feature": feature, "queue": queue, "change_kind": ",".join(sorted(set(kinds)))}
    with _tracer().start_as_current_span("sync.apply", attributes=attributes), in_run(run_id, feature) as scope:
        yield scope


def applied(feature: str, results: list[tuple[str, str]]) -> None:
    """Record the outcome of the current message's changes ((change kind, result) pairs) on its span and metrics.

    The span's `outcome` is the worst result: failed, else applied, else skipped.
    """
    by_result: dict[str, dict[str, int]] = {}
    for kind, result in results:
        bucket = by_result.setdefault(result if result in CHANGES else "failed", {})
        bucket[kind] = bucket.get(kind, 0) + 1
    for result, kinds in by_result.items():
        count_changes(result, feature, kinds)
    outcome = next((r for r in ("failed", "applied", "skipped") if r in by_result), "skipped")
    span = trace.get_current_span()
    span.set_attribute("outcome", outcome)
    for result, kinds in by_result.items():
        span.set_attribute(f"changes.{result}", sum(kinds.values()))
    if outcome == "failed":
        span.set_status(trace.StatusCode.ERROR, "a change failed")
