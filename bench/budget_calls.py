"""The shared budget alone: N processes calling Purview as fast as their slices allow, for a fixed time.

    python -m bench budget_calls [--instances 1,4,8] [--seconds 30] [--threads 8] [--no-halved]

`bench scale_out` drains a real backlog, so on a busy machine its figures mix the budget with the CPU the apply
work needs. Here each call is a cheap read (`get_typedef`), so what is measured is the budget itself: how close N
instances together come to the emulator's 25 operations/s without 429s, and how fast they find a capacity
silently halved after 40 % of the time. Each instance is its own process with the app's Purview client (its
limiter is its slice of the budget in Azurite); each configuration starts a fresh ledger.

Printed per configuration: operations served per second against the capacity (ratio = capacity ÷ served rate,
1.0 is perfect), the share of answers that were 429, calls that failed, and the budget's Table calls per
instance and second. With the halving: the same ratio after the halving, against 12.5 operations/s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
import uuid

import requests

from bench.lineage_sync import emulator_stats, needed_operations
from bench.scale_out import RATE, ROOT, load, throttle
from devhost.azurite import start_azurite
from emulators._common import start_process


def run(azurite_connection: str, purview_url: str, count: int, args: argparse.Namespace, *, halve: bool) -> str:
    """One configuration: `count` caller processes for `args.seconds`; its figures as a sentence."""
    settings = {
        "AzureWebJobsStorage": azurite_connection,
        "SYNC_TABLE_PREFIX": "c" + uuid.uuid4().hex[:10],
        "PURVIEW_BASE_URL": purview_url,
        "PURVIEW_STATIC_TOKEN": "bench",
        "PURVIEW_MAX_OPERATIONS_PER_SECOND": str(RATE),
    }
    callers = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.budget_calls", "--caller", str(args.threads), str(args.seconds)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(count)
    ]
    for caller in callers:
        assert caller.stdin is not None and caller.stdout is not None
        caller.stdin.write(json.dumps(settings) + "\n")
        caller.stdin.flush()
    for caller in callers:
        assert caller.stdout is not None
        if caller.stdout.readline().strip() != "ready":
            raise RuntimeError("a caller did not start")
    throttle(purview_url, RATE)
    requests.delete(f"{purview_url}/_emulator/stats", timeout=10).raise_for_status()
    before = load()
    started = time.time()
    halved: dict[str, float] = {}
    if halve:

        def halve_later() -> None:
            time.sleep(args.seconds * 0.4)
            throttle(purview_url, RATE / 2)
            halved.update(at=time.time(), served=needed_operations(emulator_stats(purview_url)))

        threading.Thread(target=halve_later, daemon=True).start()
    for caller in callers:
        assert caller.stdin is not None
        caller.stdin.write("go\n")
        caller.stdin.close()
    results = [json.loads(finished(caller)) for caller in callers]
    elapsed = max(r["ended"] for r in results) - min(r["began"] for r in results)  # while anybody was calling
    stats = emulator_stats(purview_url)
    served, throttled = needed_operations(stats), int(stats["statuses"].get("429", 0))
    table_calls = sum(r["budget_table_calls"] for r in results)
    capacity_ops = RATE * elapsed  # what the service could serve in the window (less after a halving)
    if halved:
        capacity_ops -= RATE / 2 * (max(r["ended"] for r in results) - halved["at"])
    text = (
        f"{count} instance(s), {args.threads} threads each, {elapsed:.1f}s: {served / elapsed:.2f} ops/s served "
        f"(ratio {capacity_ops / max(1, served):.3f}); 429s {throttled} "
        f"({100 * throttled / max(1, served + throttled):.1f} %); failed calls {sum(r['failed'] for r in results)}; "
        f"budget Table calls {table_calls / (count * elapsed):.2f}/s per instance; {before} → {load()}"
    )
    if halved:
        after_served = served - halved["served"]
        after_seconds = max(r["ended"] for r in results) - halved["at"]
        text += (
            f"\n    halved to {RATE / 2:g}/s after {halved['at'] - started:.1f}s: {after_served / after_seconds:.2f} "
            f"ops/s served after it (ratio {RATE / 2 * after_seconds / max(1, after_served):.3f})"
        )
    return text


def finished(caller: subprocess.Popen[str]) -> str:
    """The last line a caller printed, once it ended."""
    assert caller.stdout is not None
    lines = caller.stdout.read().splitlines()
    caller.wait(timeout=120)
    return lines[-1]


def main(argv: list[str]) -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="python -m bench budget_calls")
    parser.add_argument("--instances", default="1,4,8")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--no-halved", action="store_true")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.instances.split(",") if n.strip()]
    print(f"budget_calls: Purview throttled to {RATE:g} ops/s; {load()}", flush=True)
    azurite = start_azurite()
    purview = start_process("emulators.purview", ["--account-name", "bench"])
    try:
        for count in counts:
            print(run(azurite.connection_string, purview.url, count, args, halve=False), flush=True)
        if not args.no_halved:
            print(run(azurite.connection_string, purview.url, max(counts), args, halve=True), flush=True)
    finally:
        purview.stop()
        azurite.stop()


def caller(threads: int, seconds: float) -> None:
    """One instance (`--caller`): settings on stdin, then "go"; calls for `seconds`; a JSON line at the end."""
    from sync.core.errors import SyncError
    from sync.core.settings import Settings
    from sync.services.budget import shared_budgets
    from sync.services.purview.connection import purview_client

    client = purview_client(Settings(json.loads(sys.stdin.readline())))
    print("ready", flush=True)
    sys.stdin.readline()
    began = time.time()
    deadline = time.monotonic() + seconds
    counts = {"calls": 0, "failed": 0}
    lock = threading.Lock()

    def call() -> None:
        while time.monotonic() < deadline:
            try:
                client.get_typedef("DataSet")
                outcome = "calls"
            except SyncError:
                outcome = "failed"
            with lock:
                counts[outcome] += 1

    workers = [threading.Thread(target=call) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    ended = time.time()
    budgets = shared_budgets()
    for budget in budgets:
        budget.release()
    table_calls = sum(b.table.reads + b.table.writes for b in budgets)
    print(json.dumps({**counts, "budget_table_calls": table_calls, "began": began, "ended": ended}), flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--caller"]:
        caller(int(sys.argv[2]), float(sys.argv[3]))
    else:
        main(sys.argv[1:])
