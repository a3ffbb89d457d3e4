"""One local host of `bench scale_out` (a child process): settings on stdin's first line, "go" on the second.

With `BENCH_PER_PROCESS_LIMIT` in the settings, the process has its own limiter at the whole rate (how the app
limited before decision 0901), for comparison.

It runs only the lineage queue function, with host.json's concurrency, until the queue is drained, and prints a
JSON line: invocations that succeeded and failed (with their reasons), when the last message was applied, and the
Table calls its budgets made.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

QUEUE_FUNCTION = "apply_purview_lineage_change"


def per_process_limits() -> None:
    """Give every process the whole rate, as before the budget was shared (`scale_out --per-process`)."""
    from sync.services.cluedin import connection as cluedin_connection
    from sync.services.purview import connection as purview_connection
    from sync.services.ratelimit import RateLimiter, shared_rate_limiter

    def own_limiter(service_key: str, settings: Any, rate: float, ceiling: float | None = None) -> RateLimiter:
        return shared_rate_limiter(service_key, rate)

    for connection in (purview_connection, cluedin_connection):
        setattr(connection, "shared_budget", own_limiter)  # noqa: B010 - replacing a module's import on purpose


def host_process() -> None:
    """Run one host until the queue is drained; report on stdout."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings_values = json.loads(sys.stdin.readline())
    if settings_values.pop("BENCH_PER_PROCESS_LIMIT", ""):
        per_process_limits()
    from devhost.host import LocalHost
    from sync import runtime
    from sync.services.budget import shared_budgets

    host = LocalHost.load("function_app:app", settings_values, functions=[QUEUE_FUNCTION])
    applied: list[float] = []
    failures: dict[str, int] = {}

    def observe(result: Any) -> None:
        if result.succeeded:
            applied.append(time.time())
            return
        reason = f"{type(result.error).__name__}: {str(result.error)[:160]}" if result.error else result.outcome
        failures[reason] = failures.get(reason, 0) + 1

    host.invoker.add_observer(observe)
    ctx = runtime.context()
    ctx.client("purview")
    ctx.client("cluedin")
    host.ensure_queues()
    print("ready", flush=True)
    sys.stdin.readline()
    error = ""
    try:
        summary = host.drain(timeout=1800)
        counts = summary.functions.get(QUEUE_FUNCTION)
    except Exception as exc:  # reported to the parent, which prints the host's log
        error, counts = repr(exc), None
    finally:
        host.close()
    budgets = shared_budgets()
    print(
        json.dumps(
            {
                "succeeded": counts.succeeded if counts else 0,
                "failed": counts.failed if counts else 0,
                "poisoned": counts.poisoned if counts else 0,
                "last_applied": max(applied, default=0.0),
                "budget_reads": sum(b.table.reads for b in budgets),
                "budget_writes": sum(b.table.writes for b in budgets),
                "error": error,
                "failures": failures,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    host_process()
