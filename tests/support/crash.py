"""Crash injection for idempotency tests: kill an apply between any two of its external calls.

The steps of an apply are its calls to the outside world — state store, Purview, CluedIn. Wrapping those
objects (real clients over real HTTP, not mocks) with a shared counter lets a test stop the apply right after the
N-th call has taken effect, exactly as if the process died there, then redeliver the message and check that the
end state is the same as without the crash.
"""

from __future__ import annotations

from typing import Any

from sync.core.feature import SyncContext


class SimulatedCrash(BaseException):
    """The process "died" at this point (a BaseException, so no `except Exception` handler runs, as in a real death)."""


class CallCounter:
    """Counts calls across every wrapped object and crashes after the chosen one."""

    def __init__(self, crash_after: int | None, *, crash_at: str | None = None) -> None:
        self.crash_after = crash_after
        self.crash_at = crash_at
        """Crash after the first call of this name (e.g. `cluedin.create_data_source_set`) instead."""
        self.calls: list[str] = []

    def record(self, name: str) -> None:
        self.calls.append(name)
        if self.crash_after is not None and len(self.calls) == self.crash_after:
            raise SimulatedCrash(f"crash after call {len(self.calls)}: {name}")
        if self.crash_at == name:
            raise SimulatedCrash(f"crash after call {len(self.calls)}: {name}")


class Crashing:
    """Proxy forwarding every public method call to `target`, counting it after it returned."""

    def __init__(self, target: Any, label: str, counter: CallCounter) -> None:
        self._target = target
        self._label = label
        self._counter = counter

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if name.startswith("_") or not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            result = value(*args, **kwargs)
            if hasattr(result, "__next__"):  # a lazy pager: the calls happen while iterating
                result = list(result)
            self._counter.record(f"{self._label}.{name}")
            return result

        return call


def crashing_context(
    ctx: SyncContext, counter: CallCounter, clients: tuple[str, ...] = ("purview", "cluedin")
) -> SyncContext:
    """The same context with its state store and service clients wrapped by the crash counter."""
    wrapped = SyncContext(ctx.settings, Crashing(ctx.state, "state", counter), ctx.queues)  # type: ignore[arg-type]
    for name in clients:
        wrapped.provide(name, Crashing(ctx.client(name), name, counter))
    return wrapped
