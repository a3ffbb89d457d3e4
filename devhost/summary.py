"""Counters per function, and the summary `--once` prints and `drain()` returns.

A cycle is judged by how messages and timer runs ended, not by how many invocations raised: a queue
message that failed once and succeeded on its retry is fine, one that ended in the poison queue is not.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

from devhost.invocation import InvocationResult


@dataclass(frozen=True)
class FunctionCounts:
    """What happened to one function during a cycle."""

    trigger: str = ""
    invocations: int = 0
    succeeded: int = 0
    failed: int = 0
    poisoned: int = 0

    def plus(self, other: FunctionCounts) -> FunctionCounts:
        """Sum of two counts for the same function."""
        return FunctionCounts(
            trigger=self.trigger or other.trigger,
            invocations=self.invocations + other.invocations,
            succeeded=self.succeeded + other.succeeded,
            failed=self.failed + other.failed,
            poisoned=self.poisoned + other.poisoned,
        )


@dataclass(frozen=True)
class Summary:
    """Result of a cycle (`--once`, `drain()`).

    Attributes:
        functions: Counts per function name.
        idle: True when every trigger queue was empty with nothing in flight before the deadline.
        remaining: Messages still in each trigger queue (approximate, visible or not) when the drain ended.
        timer_failures: Names of timer functions whose last run in this cycle failed.
    """

    functions: dict[str, FunctionCounts] = field(default_factory=dict)
    idle: bool = True
    remaining: dict[str, int] = field(default_factory=dict)
    timer_failures: tuple[str, ...] = ()

    @property
    def invocations(self) -> int:
        """All invocations in the cycle."""
        return sum(counts.invocations for counts in self.functions.values())

    @property
    def poisoned(self) -> int:
        """Messages moved to a poison queue in the cycle."""
        return sum(counts.poisoned for counts in self.functions.values())

    @property
    def ok(self) -> bool:
        """Nothing failed in the end: no poisoned message, no failed timer run, and the queues drained."""
        return self.idle and self.poisoned == 0 and not self.timer_failures

    def format_table(self) -> str:
        """Plain-text table for the console."""
        header = f"{'function':<32} {'trigger':<8} {'invocations':>11} {'succeeded':>9} {'failed':>6} {'poisoned':>8}"
        lines = [header, "-" * len(header)]
        for name in sorted(self.functions):
            c = self.functions[name]
            lines.append(
                f"{name:<32} {c.trigger:<8} {c.invocations:>11} {c.succeeded:>9} {c.failed:>6} {c.poisoned:>8}"
            )
        state = "drained" if self.idle else "NOT drained (deadline reached)"
        remaining = ", ".join(f"{queue}={count}" for queue, count in sorted(self.remaining.items()) if count)
        lines.append(f"queues {state}" + (f"; still queued: {remaining}" if remaining else ""))
        if self.timer_failures:
            lines.append(f"failed timer runs: {', '.join(self.timer_failures)}")
        lines.append("result: OK" if self.ok else "result: FAILED")
        return "\n".join(lines)


class Stats:
    """Thread-safe counters, read as a cycle (since the previous `take_cycle`) or in total."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cycle: dict[str, FunctionCounts] = {}
        self._total: dict[str, FunctionCounts] = {}
        self._timer_failed: dict[str, bool] = {}

    def register(self, function: str, trigger: str) -> None:
        """List a function with zero counts so summaries show functions that never ran."""
        with self._lock:
            for table in (self._cycle, self._total):
                table.setdefault(function, FunctionCounts(trigger=trigger))

    def record_invocation(self, result: InvocationResult) -> None:
        """Count one finished invocation."""
        delta = FunctionCounts(
            trigger=result.trigger,
            invocations=1,
            succeeded=1 if result.succeeded else 0,
            failed=0 if result.succeeded else 1,
        )
        with self._lock:
            self._add(result.function, delta)
            if result.trigger == "timer":
                self._timer_failed[result.function] = not result.succeeded

    def record_poison(self, function: str) -> None:
        """Count one message moved to the poison queue."""
        with self._lock:
            self._add(function, FunctionCounts(trigger="queue", poisoned=1))

    def _add(self, function: str, delta: FunctionCounts) -> None:
        for table in (self._cycle, self._total):
            table[function] = table.get(function, FunctionCounts()).plus(delta)

    def take_cycle(self, *, idle: bool, remaining: dict[str, int]) -> Summary:
        """The counts since the previous call, as a Summary; starts a new cycle."""
        with self._lock:
            functions = dict(self._cycle)
            self._cycle = {name: replace(FunctionCounts(), trigger=c.trigger) for name, c in functions.items()}
            failures = tuple(sorted(name for name, failed in self._timer_failed.items() if failed))
            self._timer_failed = {}
        return Summary(functions=functions, idle=idle, remaining=remaining, timer_failures=failures)

    def totals(self) -> dict[str, FunctionCounts]:
        """Counts since the host was created."""
        with self._lock:
            return dict(self._total)
