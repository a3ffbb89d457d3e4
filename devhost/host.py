"""`LocalHost`: runs a `func.FunctionApp`'s timer, queue, HTTP and Event Hub functions the way the Functions host does.

Event Hub triggers read a stand-in for the hub (an Azurite queue; devhost/eventhubs.py).

Built for machines without Azure Functions Core Tools. Everything is checked when the host is created —
schedules and queue names resolved from settings, connection strings present, route templates valid — so a
misconfiguration fails at start with a message naming the setting, as the real host does, instead of at the
first invocation. Two ways to run:

- a cycle: `fire_all_timers()` then `drain()` (what `python -m devhost --once` and the demo do);
- long-running: `start()` … `stop()` (timers on schedule, queue listeners, HTTP server).
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import azure.functions as func

from devhost.eventhubs import EventHubListener
from devhost.hostconfig import HostConfig, load_host_config
from devhost.http import HttpFrontEnd, HttpServer, Keys
from devhost.invocation import InvocationResult, Invoker
from devhost.ncrontab import ScheduleError, parse_schedule, schedule_time_zone
from devhost.queues import QueueListener
from devhost.registry import (
    EventHubFunction,
    FunctionSpec,
    HttpFunction,
    QueueFunction,
    RegistryError,
    TimerFunction,
    UnsupportedFunction,
    describe_functions,
    load_app,
    select,
)
from devhost.settings import SettingsError, export_settings, resolve_placeholders
from devhost.storage import connection_string_for, validate_queue_name
from devhost.summary import FunctionCounts, Stats, Summary
from devhost.timer_monitor import ScheduleMonitor, default_host_id, monitor_default
from devhost.timers import TimerRunner

log = logging.getLogger("devhost")

_DISABLED_VALUES = {"1", "true"}


def _default_host_json() -> Path | None:
    candidate = Path.cwd() / "host.json"
    return candidate if candidate.exists() else None


class LocalHost:
    """The local Functions host for one app.

    Args:
        app: The app object (`function_app.app`); its functions are collected once (see `registry`).
        settings: App settings to export to the environment first (they replace variables already set).
            None: use the environment as it is (the CLI exports local.settings.json itself).
        host_json: Path or parsed content of host.json; default `./host.json` if present, else the
            extension defaults. `AzureFunctionsJobHost__...` settings override it either way.
        functions: Run only these functions (CLI `--functions`); default all that are not disabled
            by an `AzureWebJobs.<name>.Disabled` setting.
        http_host: Interface for the HTTP server.
        http_port: Port for the HTTP server (0 = any free port; the CLI defaults to 7071).
        function_key: Key for FUNCTION-level routes; default setting DEVHOST_FUNCTION_KEY, else generated.
    """

    def __init__(
        self,
        app: func.FunctionApp,
        settings: Mapping[str, str] | None = None,
        *,
        host_json: Path | Mapping[str, Any] | None = None,
        functions: Sequence[str] | None = None,
        http_host: str = "127.0.0.1",
        http_port: int = 0,
        function_key: str | None = None,
    ) -> None:
        if settings is not None:
            export_settings(settings, override=True)
        self.settings: dict[str, str] = dict(os.environ)
        source = host_json if host_json is not None else _default_host_json()
        self.config: HostConfig = load_host_config(source, self.settings)
        chosen = select(describe_functions(app), functions)
        if not functions:
            chosen = [spec for spec in chosen if not self._disabled(spec)]
        self.functions: list[FunctionSpec] = chosen
        for spec in chosen:
            if isinstance(spec, UnsupportedFunction):
                log.warning(
                    "Function '%s' uses trigger '%s', which the local host does not run", spec.name, spec.trigger_type
                )
        self.stats = Stats()
        self._time_zone = schedule_time_zone()
        self.timers: dict[str, TimerRunner] = {}
        self.listeners: dict[str, QueueListener] = {}
        self.event_hubs: dict[str, EventHubListener] = {}
        self._http_functions = [spec for spec in chosen if isinstance(spec, HttpFunction)]
        self.function_key = function_key or self.settings.get("DEVHOST_FUNCTION_KEY") or secrets.token_urlsafe(30)
        self.master_key = self.settings.get("DEVHOST_MASTER_KEY") or self.function_key
        self.invoker = Invoker(timeout=self.config.function_timeout, max_workers=self._pool_size(chosen))
        self.invoker.add_observer(self.stats.record_invocation)
        try:
            self._build_triggers(chosen)
            self.http_app = HttpFrontEnd(
                self._http_functions,
                self.invoker,
                route_prefix=self.config.route_prefix,
                keys=Keys(self.function_key, self.master_key),
            )
        except Exception:
            self.invoker.close()
            raise
        self._http_host = http_host
        self._http_port = http_port
        self._server: HttpServer | None = None
        self._running = False

    @classmethod
    def load(
        cls, app_spec: str = "function_app:app", settings: Mapping[str, str] | None = None, **options: Any
    ) -> LocalHost:
        """Export `settings`, then import the app (`module:attribute`) and build a host for it.

        Use this when the app reads settings at import time: the settings must be in the environment
        before `function_app` is imported, as they are when the Functions host starts the worker.
        """
        if settings is not None:
            export_settings(settings, override=True)
        return cls(load_app(app_spec), None, **options)

    def _disabled(self, spec: FunctionSpec) -> bool:
        value = self.settings.get(f"AzureWebJobs.{spec.name}.Disabled", "")
        return value.strip().lower() in _DISABLED_VALUES

    def _pool_size(self, chosen: Sequence[FunctionSpec]) -> int:
        configured = self.settings.get("PYTHON_THREADPOOL_THREAD_COUNT")
        if configured:
            try:
                return max(1, int(configured))
            except ValueError as error:
                raise RegistryError(f"PYTHON_THREADPOOL_THREAD_COUNT={configured!r} is not an integer") from error
        queues = sum(1 for spec in chosen if isinstance(spec, QueueFunction))
        return queues * self.config.queues.max_concurrency + len(chosen) + 16  # an Event Hub listener: one at a time

    def _build_triggers(self, chosen: Sequence[FunctionSpec]) -> None:
        for spec in chosen:
            self.stats.register(spec.name, _trigger_label(spec))
            if isinstance(spec, TimerFunction):
                text = resolve_placeholders(spec.schedule, self.settings, what=f"schedule of timer '{spec.name}'")
                try:
                    schedule = parse_schedule(text)
                except ScheduleError as error:
                    raise ScheduleError(f"timer '{spec.name}' (schedule {spec.schedule!r}): {error}") from error
                self.timers[spec.name] = TimerRunner(spec, schedule, self.invoker, time_zone=self._time_zone)
            elif isinstance(spec, QueueFunction):
                name = resolve_placeholders(spec.queue_name, self.settings, what=f"queue name of '{spec.name}'")
                connection = connection_string_for(spec.connection, self.settings)
                self.listeners[spec.name] = QueueListener(
                    spec,
                    validate_queue_name(name),
                    connection,
                    options=self.config.queues,
                    invoker=self.invoker,
                    stats=self.stats,
                )
            elif isinstance(spec, EventHubFunction):
                self._build_event_hub(spec)

    def _build_event_hub(self, spec: EventHubFunction) -> None:
        """An Event Hub listener on the hub's stand-in; a binding that does not resolve disables the function only.

        The real host fails indexing of that function ("Function '…' failed indexing and will be disabled") and
        runs the others, so a feature whose settings are absent does not stop the app.
        """
        try:
            hub = resolve_placeholders(spec.event_hub_name, self.settings, what=f"event hub of '{spec.name}'")
            group = resolve_placeholders(spec.consumer_group, self.settings, what=f"consumer group of '{spec.name}'")
        except SettingsError as error:
            log.warning("Function '%s' failed indexing and will be disabled: %s", spec.name, error)
            return
        self.event_hubs[spec.name] = EventHubListener(
            spec,
            hub,
            group,
            connection_string_for("AzureWebJobsStorage", self.settings),
            max_batch_size=self.config.event_hubs.max_event_batch_size,
            invoker=self.invoker,
            stats=self.stats,
        )

    # ----------------------------------------------------------------- cycle mode

    def ensure_queues(self) -> None:
        """Create every trigger queue (and Event Hub stand-in) that does not exist yet, before any function runs."""
        for listener in self.listeners.values():
            listener.ensure_queue()
        for hub in self.event_hubs.values():
            hub.ensure_queue()

    def run_timer(self, name: str, *, past_due: bool = False) -> InvocationResult:
        """Invoke one timer function now (waits for a run of the same timer in progress)."""
        runner = self.timers.get(name)
        if runner is None:
            raise KeyError(f"no timer function named {name!r}; timers: {', '.join(sorted(self.timers)) or 'none'}")
        self.ensure_queues()
        return runner.run_now(reason="Manual", past_due=past_due)

    def fire_all_timers(self) -> list[InvocationResult]:
        """Invoke every timer function once, one after the other, in declaration order."""
        self.ensure_queues()
        return [runner.run_now(reason="Manual") for runner in self.timers.values()]

    def drain(self, timeout: float = 300.0, *, poll_interval: float = 0.2) -> Summary:
        """Process every trigger queue until idle, or until `timeout` seconds have passed.

        Idle means: no message in any trigger queue (visible, in flight, or waiting out a retry's
        visibility timeout), no message being processed, and no timer running. Returns the summary of the
        cycle — everything that happened since the previous `drain()` (or since the host was created),
        including timer runs fired before it.
        """
        self.ensure_queues()
        started_here: list[QueueListener | EventHubListener] = []
        for listener in self._all_listeners():
            if not listener.running:
                listener.start()
                started_here.append(listener)
        deadline = time.monotonic() + timeout
        idle, remaining = self._idle_state()
        try:
            while not idle and time.monotonic() < deadline:
                time.sleep(poll_interval)
                idle, remaining = self._idle_state()
        finally:
            for listener in started_here:
                listener.stop()
        if not idle:
            log.warning("Queues not drained within %.0f s; still queued: %s", timeout, remaining)
        return self.stats.take_cycle(idle=idle, remaining=remaining)

    def _idle_state(self) -> tuple[bool, dict[str, int]]:
        listeners = self._all_listeners()
        before = [(listener.activity, listener.in_flight) for listener in listeners]
        busy_timer = any(runner.busy for runner in self.timers.values())
        remaining: dict[str, int] = {}
        for listener in listeners:
            remaining[listener.queue_name] = remaining.get(listener.queue_name, 0) + listener.approximate_count()
        after = [(listener.activity, listener.in_flight) for listener in listeners]
        quiet = before == after and all(in_flight == 0 for _, in_flight in after)
        return quiet and not busy_timer and not any(remaining.values()), remaining

    def _all_listeners(self) -> list[QueueListener | EventHubListener]:
        """Queue listeners and Event Hub listeners (both poll a queue and report their activity alike)."""
        return [*self.listeners.values(), *self.event_hubs.values()]

    def totals(self) -> dict[str, FunctionCounts]:
        """Counts per function since the host was created."""
        return self.stats.totals()

    # ----------------------------------------------------------------- long-running mode

    def start(self, *, http: bool = True, timers: bool = True, queues: bool = True) -> None:
        """Start the HTTP server, the timer schedules and the queue and Event Hub listeners (each can be left out)."""
        if self._running:
            raise RuntimeError("the local host is already running")
        self._running = True
        if http:
            self._server = HttpServer(self.http_app, self._http_host, self._http_port)
            self._server.start()
        self.ensure_queues()
        if queues:
            for listener in self._all_listeners():
                listener.start()
        if timers:
            monitor = self._monitor()
            for runner in self.timers.values():
                if monitor is not None and monitor_default(runner.schedule, runner.spec.use_monitor):
                    runner.monitor = monitor
                runner.start()
        self._log_functions()

    def _monitor(self) -> ScheduleMonitor | None:
        try:
            connection = connection_string_for("AzureWebJobsStorage", self.settings)
        except ValueError:
            log.warning("AzureWebJobsStorage is not set: timer schedules are not monitored (no past-due detection)")
            return None
        host_id = self.settings.get("AzureFunctionsWebHost__hostid") or default_host_id()
        return ScheduleMonitor(connection, host_id)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop everything started by `start()`, waiting (bounded) for invocations in progress."""
        for runner in self.timers.values():
            runner.stop(timeout)
        for listener in self._all_listeners():
            if listener.running:
                listener.stop(timeout)
        if self._server is not None:
            self._server.stop()
            self._server = None
        self._running = False

    def close(self) -> None:
        """Stop and release the worker threads; the host cannot be used afterwards."""
        self.stop()
        self.invoker.close()

    def __enter__(self) -> LocalHost:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    @property
    def http_url(self) -> str:
        """Base URL of the running HTTP server (routes are under `/<routePrefix>/`)."""
        if self._server is None:
            raise RuntimeError("the HTTP server is not running; call start() first")
        return self._server.url

    def _log_functions(self) -> None:
        lines = ["Functions:"]
        for spec in self.functions:
            if isinstance(spec, HttpFunction):
                base = self._server.url if self._server is not None else ""
                lines.append(f"  {spec.name}: [{','.join(spec.methods)}] {base}{self.http_app.url_path(spec)}")
            elif isinstance(spec, QueueFunction):
                lines.append(f"  {spec.name}: queueTrigger ({self.listeners[spec.name].queue_name})")
            elif isinstance(spec, TimerFunction):
                lines.append(f"  {spec.name}: timerTrigger ({self.timers[spec.name].schedule.text})")
            elif isinstance(spec, EventHubFunction) and spec.name in self.event_hubs:
                hub = self.event_hubs[spec.name]
                lines.append(f"  {spec.name}: eventHubTrigger ({hub.hub}, stand-in queue {hub.queue_name})")
            else:
                lines.append(f"  {spec.name}: {spec.trigger_type} (not run by the local host)")
        log.info("\n".join(lines))


def _trigger_label(spec: FunctionSpec) -> str:
    if isinstance(spec, TimerFunction):
        return "timer"
    if isinstance(spec, QueueFunction):
        return "queue"
    if isinstance(spec, HttpFunction):
        return "http"
    if isinstance(spec, EventHubFunction):
        return "eventHub"
    return spec.trigger_type
