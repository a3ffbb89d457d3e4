"""Calling user functions the way the Python worker does, and logging one record per invocation.

The worker runs `async def` functions on one event loop and plain functions on a thread pool, passes a
`context` argument to functions that ask for it, and the host enforces `functionTimeout`. The local host
mirrors that so code which works here (shared async clients, thread-safety assumptions, timeouts) behaves
the same in Azure. Every invocation ends in exactly one `Executed 'Functions.<name>' (...)` log record
carrying structured fields (function, invocation_id, trigger, duration_ms, outcome) for tests and dashboards.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import azure.functions as func
from azure.functions._abc import RetryContext, TraceContext

from devhost.hostconfig import format_timespan
from devhost.registry import FunctionSpec

invocation_log = logging.getLogger("devhost.invocation")

SUCCEEDED = "succeeded"
FAILED = "failed"
TIMED_OUT = "timeout"


@dataclass(frozen=True)
class CurrentInvocation:
    """Which invocation the running code belongs to (read by `InvocationLogFilter`)."""

    function: str
    invocation_id: str


current_invocation: contextvars.ContextVar[CurrentInvocation | None] = contextvars.ContextVar(
    "devhost_current_invocation", default=None
)


class InvocationLogFilter(logging.Filter):
    """Adds `function` and `invocation_id` to log records emitted while user code runs.

    The worker tags every log line of an invocation with its id; this lets the CLI's formatter (and a test's
    caplog) tell which invocation wrote which line even when many run at once.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Annotate the record; never drops it."""
        current = current_invocation.get()
        if current is not None:
            if not hasattr(record, "invocation_id"):
                record.invocation_id = current.invocation_id
            if not hasattr(record, "function"):
                record.function = current.function
        return True


class _TraceContext(TraceContext):
    def __init__(self) -> None:
        trace_id = uuid.uuid4().hex
        span_id = uuid.uuid4().hex[:16]
        self._parent = f"00-{trace_id}-{span_id}-00"

    @property
    def trace_state(self) -> str:
        return ""

    @property
    def trace_parent(self) -> str:
        return self._parent

    @property
    def attributes(self) -> dict[str, str]:
        return {}


class _RetryContext(RetryContext):
    @property
    def retry_count(self) -> int:
        return 0

    @property
    def max_retry_count(self) -> int:
        return 0

    @property
    def exception(self) -> Any:
        return None


class InvocationContext(func.Context):
    """The `context` argument: invocation id, function name and directory, trace and retry context."""

    _thread_local = threading.local()

    def __init__(self, function_name: str, invocation_id: str, function_directory: str) -> None:
        self._function_name = function_name
        self._invocation_id = invocation_id
        self._function_directory = function_directory
        self._trace = _TraceContext()
        self._retry = _RetryContext()

    @property
    def invocation_id(self) -> str:
        """Same id as in the host's `Executed` log record."""
        return self._invocation_id

    @property
    def thread_local_storage(self) -> Any:
        """Thread-local storage whose `invocation_id` user threads may set (worker convention)."""
        return self._thread_local

    @property
    def function_name(self) -> str:
        """The function's name as registered."""
        return self._function_name

    @property
    def function_directory(self) -> str:
        """The app root (v2 apps have no per-function directory)."""
        return self._function_directory

    @property
    def trace_context(self) -> TraceContext:
        """A fresh W3C trace parent per invocation."""
        return self._trace

    @property
    def retry_context(self) -> RetryContext:
        """Retry policies are not emulated: always the first try."""
        return self._retry


@dataclass
class InvocationResult:
    """How one invocation ended."""

    function: str
    invocation_id: str
    trigger: str
    outcome: str
    duration: float
    value: Any = None
    error: BaseException | None = field(default=None, repr=False)

    @property
    def succeeded(self) -> bool:
        """True only for a function that returned without raising, within the timeout."""
        return self.outcome == SUCCEEDED


class Invoker:
    """Runs user functions: async ones on one event-loop thread, sync ones on a thread pool.

    Args:
        timeout: host.json `functionTimeout` (None = unbounded).
        max_workers: Size of the pool for sync functions.
        app_directory: Reported as `context.function_directory`.
    """

    def __init__(self, *, timeout: timedelta | None, max_workers: int, app_directory: Path | None = None) -> None:
        self.timeout = timeout
        self._directory = str(app_directory or Path.cwd())
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="devhost-fn")
        self._loop = asyncio.new_event_loop()
        self._loop_thread = threading.Thread(target=self._run_loop, name="devhost-async", daemon=True)
        self._loop_thread.start()
        self._observers: list[Callable[[InvocationResult], None]] = []

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    def add_observer(self, observer: Callable[[InvocationResult], None]) -> None:
        """Call `observer` with every finished invocation (used for counters)."""
        self._observers.append(observer)

    def close(self) -> None:
        """Stop the event loop and the pool; running sync functions are not interrupted."""
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._loop_thread.join(timeout=5)
        if not self._loop.is_running():
            for task in asyncio.all_tasks(self._loop):
                task.cancel()
            self._loop.close()
        self._executor.shutdown(wait=False, cancel_futures=True)

    def invoke(
        self,
        spec: FunctionSpec,
        argument: object,
        *,
        trigger: str,
        reason: str,
        heartbeat: Callable[[], None] | None = None,
        heartbeat_interval: float = 60.0,
    ) -> InvocationResult:
        """Run one invocation to its end (blocking) and return how it ended.

        `heartbeat` is called every `heartbeat_interval` seconds while the function runs (the queue
        listener renews the message's invisibility with it, as the host does for long functions).
        """
        pending = self._begin(spec, trigger, reason)
        future = self._submit(spec, argument, pending.invocation_id)
        deadline = None if self.timeout is None else pending.started + self.timeout.total_seconds()
        while True:
            wait = heartbeat_interval
            if deadline is not None:
                wait = min(wait, max(0.0, deadline - time.monotonic()))
            concurrent.futures.wait([future], timeout=wait)
            if future.done():
                break
            if deadline is not None and time.monotonic() >= deadline:
                future.cancel()
                return self._finish(pending, TIMED_OUT, None, None)
            if heartbeat is not None:
                heartbeat()
        return self._settle(pending, future)

    async def invoke_async(
        self, spec: FunctionSpec, argument: object, *, trigger: str, reason: str
    ) -> InvocationResult:
        """Same as `invoke`, awaited from another event loop (the HTTP server's)."""
        pending = self._begin(spec, trigger, reason)
        future = self._submit(spec, argument, pending.invocation_id)
        timeout = None if self.timeout is None else self.timeout.total_seconds()
        waiter = asyncio.wrap_future(future)
        done, _ = await asyncio.wait({waiter}, timeout=timeout)
        if done and not waiter.cancelled():
            waiter.exception()  # retrieved here; reported through _settle (else asyncio logs it as lost)
        if not done:
            future.cancel()
            return self._finish(pending, TIMED_OUT, None, None)
        return self._settle(pending, future)

    def _settle(self, pending: _Pending, future: concurrent.futures.Future[Any]) -> InvocationResult:
        if future.cancelled():
            error: BaseException = concurrent.futures.CancelledError()
            return self._finish(pending, FAILED, None, error)
        failure = future.exception()
        if failure is not None:
            return self._finish(pending, FAILED, None, failure)
        return self._finish(pending, SUCCEEDED, future.result(), None)

    def _submit(self, spec: FunctionSpec, argument: object, invocation_id: str) -> concurrent.futures.Future[Any]:
        kwargs: dict[str, Any] = {spec.arg_name: argument}
        if spec.wants_context:
            kwargs["context"] = InvocationContext(spec.name, invocation_id, self._directory)
        marker = CurrentInvocation(spec.name, invocation_id)
        if spec.is_async:
            return asyncio.run_coroutine_threadsafe(_run_coroutine(spec, kwargs, marker), self._loop)
        return self._executor.submit(_run_sync, spec, kwargs, marker)

    @staticmethod
    def _begin(spec: FunctionSpec, trigger: str, reason: str) -> _Pending:
        pending = _Pending(spec, str(uuid.uuid4()), trigger, time.monotonic())
        invocation_log.debug(
            "Executing 'Functions.%s' (Reason='%s', Id=%s)",
            spec.name,
            reason,
            pending.invocation_id,
            extra={"function": spec.name, "invocation_id": pending.invocation_id},
        )
        return pending

    def _finish(self, pending: _Pending, outcome: str, value: object, error: BaseException | None) -> InvocationResult:
        spec, invocation_id, trigger = pending.spec, pending.invocation_id, pending.trigger
        duration = time.monotonic() - pending.started
        result = InvocationResult(spec.name, invocation_id, trigger, outcome, duration, value, error)
        fields: Mapping[str, object] = {
            "function": spec.name,
            "invocation_id": invocation_id,
            "trigger": trigger,
            "duration_ms": round(duration * 1000, 1),
            "outcome": outcome,
        }
        if outcome == SUCCEEDED:
            invocation_log.info(
                "Executed 'Functions.%s' (Succeeded, Id=%s, Duration=%dms)",
                spec.name,
                invocation_id,
                duration * 1000,
                extra=fields,
            )
        elif outcome == TIMED_OUT:
            assert self.timeout is not None
            invocation_log.error(
                "Timeout value of %s exceeded by function 'Functions.%s' (Id: '%s'). Initiating cancellation.",
                format_timespan(self.timeout),
                spec.name,
                invocation_id,
                extra=fields,
            )
        else:
            invocation_log.error(
                "Executed 'Functions.%s' (Failed, Id=%s, Duration=%dms)",
                spec.name,
                invocation_id,
                duration * 1000,
                exc_info=(type(error), error, error.__traceback__) if error is not None else None,
                extra=fields,
            )
        for observer in self._observers:
            observer(result)
        return result


@dataclass(frozen=True)
class _Pending:
    spec: FunctionSpec
    invocation_id: str
    trigger: str
    started: float


def _run_sync(spec: FunctionSpec, kwargs: dict[str, Any], marker: CurrentInvocation) -> Any:
    token = current_invocation.set(marker)
    try:
        return spec.user_function(**kwargs)
    finally:
        current_invocation.reset(token)


async def _run_coroutine(spec: FunctionSpec, kwargs: dict[str, Any], marker: CurrentInvocation) -> Any:
    current_invocation.set(marker)
    return await spec.user_function(**kwargs)
