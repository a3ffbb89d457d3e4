"""One app instance calling a service as fast as its slice of the shared budget allows (a child process of a test).

    python -m tests.support.budget_instance <connection string> <table prefix> <service> <rate> <threads>

Prints `ready` once it holds a slice, keeps acquiring tokens on `threads` threads until its stdin closes, then
gives its slice back and prints the number of tokens it took.
"""

from __future__ import annotations

import sys
import threading

from azure.data.tables import TableServiceClient

from sync.core.state.budgets import BudgetTable
from sync.services.budget import SharedRateLimiter
from sync.services.budget_policy import BudgetPolicy


def main(argv: list[str]) -> None:
    """Run until stdin closes."""
    connection, prefix, service, rate, threads = argv
    table = BudgetTable(TableServiceClient.from_connection_string(connection), prefix)
    limiter = SharedRateLimiter(service, table, BudgetPolicy.for_setting(float(rate)))
    stop = threading.Event()
    taken = [0]
    lock = threading.Lock()

    def call() -> None:
        while not stop.is_set():
            limiter.acquire()
            with lock:
                taken[0] += 1

    limiter.acquire()
    print("ready", flush=True)
    workers = [threading.Thread(target=call, daemon=True) for _ in range(int(threads))]
    for worker in workers:
        worker.start()
    sys.stdin.read()
    stop.set()
    for worker in workers:
        worker.join(timeout=30)
    limiter.release()
    print(taken[0], flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
