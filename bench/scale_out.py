"""Scale-out benchmark: one lineage backlog drained by 1, 4 and 8 local hosts against one Purview capacity unit.

    python -m bench scale_out [--instances 1,4,8] [--data-sets 2000] [--no-halved] [--floor] [--per-process]

The backlog is `bench lineage_sync`'s (2,000 data sets → 2,050 changes in ~343 messages; its setup is reused).
For each configuration the Purview emulator starts afresh and is seeded, the lineage timer plans once (nothing
applies yet), the emulator is throttled to 25 operations/s (burst 25, Retry-After 1 s), and then N local
Functions hosts (`devhost`, queue functions only, host.json concurrency), each its own process as on N Flex
instances, drain the queue together. The app's limit is PURVIEW_MAX_OPERATIONS_PER_SECOND=25 for the whole app:
the hosts share it through the budget in the state tables (sync/services/budget.py).

Printed per configuration: the drain's duration (first host released → last message applied) against its lower
bound (Purview operations served ÷ 25), the share of Purview answers that were 429, failed invocations, and what
the budget cost in Table calls. Then the same with 8 hosts while the emulator's capacity is silently halved once
`--halve-at` of the work is done: the figure of merit is the time after the halving against its new lower bound
(operations served after it ÷ 12.5). The machine's load average is printed with each figure: the hosts, the
emulators and Azurite share its cores, so figures from a busy machine are noisy. With `--floor` each
configuration is also drained with Purview unthrottled, which shows what the machine itself allows (one host is
one Python process, about one core): a ratio is only about the budget where the floor is below the bound. With
`--per-process` every host limits itself to the whole rate, as before the budget was shared, for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import IO, Any

import requests

from bench.lineage_sync import ORG, cluedin_seed, emulator_stats, link_all, needed_operations, seed_purview
from devhost.azurite import Azurite, start_azurite
from emulators._common import start_process
from emulators.cluedin.seed import DEFAULT_PASSWORD, default_username

RATE = 25.0
RETRY_AFTER = 1
ROOT = Path(__file__).resolve().parents[1]


def throttle(purview_url: str, rate: float | None) -> None:
    """Set the emulator's capacity (its token bucket restarts full, as after an idle minute); None: unlimited."""
    faults: dict[str, Any] = {}
    if rate is not None:
        faults = {"throttle_ops_per_sec": rate, "throttle_burst": int(rate), "retry_after_seconds": RETRY_AFTER}
    requests.put(f"{purview_url}/_emulator/faults", json=faults, timeout=10).raise_for_status()


def load() -> str:
    """The machine's load averages (as `uptime` prints them)."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def environment(azurite: Azurite, purview_url: str, cluedin_url: str, prefix: str, rate: float) -> dict[str, str]:
    """App settings of every host of one configuration."""
    return {
        "AzureWebJobsStorage": azurite.connection_string,
        "SYNC_TABLE_PREFIX": prefix,
        "SYNC_QUEUE_PREFIX": prefix,
        "PURVIEW_BASE_URL": purview_url,
        "PURVIEW_STATIC_TOKEN": "bench",
        "PURVIEW_MAX_OPERATIONS_PER_SECOND": str(rate),
        "CLUEDIN_URL": cluedin_url,
        "CLUEDIN_ORGANIZATION": ORG,
        "CLUEDIN_USERNAME": default_username(ORG),
        "CLUEDIN_PASSWORD": DEFAULT_PASSWORD,
        "CLUEDIN_MAX_REQUESTS_PER_SECOND": "200",
        "SYNC_CLUEDIN_DATA_SOURCES": "true",
        "SYNC_SCHEDULE": "0 */1 * * * *",
        "POLL_SCHEDULE": "30 */5 * * * *",
        "PIPELINE_AUTOMATION_SCHEDULE": "15 */1 * * * *",
        "FUNCTIONS_WORKER_RUNTIME": "python",
    }


def plan_backlog(settings_values: dict[str, str]) -> int:
    """Run the lineage timer's cycle once (nothing applies) and give the planner's budget slice back; changes."""
    from sync.core.engine import run_cycle
    from sync.core.feature import SyncContext
    from sync.core.settings import Settings
    from sync.core.state import StateStore
    from sync.core.storage import QueueSender, queue_service, table_service
    from sync.features.lineage.feature import LineageFeature
    from sync.runtime import CLIENT_FACTORIES, FEED_SOURCES
    from sync.services.budget import SharedRateLimiter

    settings = Settings(settings_values)
    state = StateStore(table_service(settings.engine), settings.engine.sync_table_prefix)
    queues = QueueSender(queue_service(settings.engine), settings.engine.sync_queue_prefix)
    ctx = SyncContext(settings, state, queues, clients=CLIENT_FACTORIES, feed_sources=FEED_SOURCES)
    report = run_cycle(LineageFeature(), ctx)
    limiter = ctx.client("purview").transport.rate_limiter
    if isinstance(limiter, SharedRateLimiter):
        limiter.release()  # the timer is done: its instance stops calling Purview
    return int(report.enqueued)


def start_hosts(count: int, settings_values: dict[str, str], logs: Path) -> list[subprocess.Popen[str]]:
    """Start `count` local hosts (one process each) and wait until each is ready to listen."""
    hosts = []
    for index in range(count):
        log_file = (logs / f"host{index}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "bench._scale_out_host"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
            cwd=ROOT,
        )
        assert process.stdin is not None
        process.stdin.write(json.dumps(settings_values) + "\n")
        process.stdin.flush()
        hosts.append(process)
    for process in hosts:
        assert process.stdout is not None
        line = process.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"a local host did not start (see {logs})")
    return hosts


def collect(process: subprocess.Popen[str]) -> dict[str, Any]:
    """A host's final JSON line."""
    stdout: IO[str] | None = process.stdout
    assert stdout is not None
    lines = [line for line in stdout.read().splitlines() if line.startswith("{")]
    process.wait(timeout=60)
    if not lines:
        raise RuntimeError("a local host ended without reporting")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def sample(
    purview_url: str, halve_at: int | None, done: threading.Event, halving: dict[str, float]
) -> list[tuple[float, int, int]]:
    """Read the emulator's counters every 0.25 s until `done`: (time, served, 429s) samples.

    With `halve_at`, the capacity is halved, without telling the app, once that many operations were served.
    """
    samples: list[tuple[float, int, int]] = []

    def run() -> None:
        while not done.is_set():
            stats = emulator_stats(purview_url)
            served, throttled = needed_operations(stats), int(stats["statuses"].get("429", 0))
            samples.append((time.time(), served, throttled))
            if halve_at is not None and not halving and served >= halve_at:
                throttle(purview_url, RATE / 2)
                halving.update(at=time.time(), served=float(served))
            time.sleep(0.25)

    threading.Thread(target=run, daemon=True).start()
    return samples


def per_second(samples: list[tuple[float, int, int]], started: float, column: int = 1) -> str:
    """Operations served (`column` 1) or 429s (2) in each second of the drain (where the time went)."""
    counts: list[int] = []
    previous = 0
    for second in range(int(max((t for t, _, _ in samples), default=started) - started) + 1):
        upto = [int(sample[column]) for sample in samples if sample[0] <= started + second + 1]
        current = upto[-1] if upto else 0
        counts.append(current - previous)
        previous = current
    return " ".join(str(n) for n in counts)


def run_configuration(
    azurite: Azurite,
    cluedin_url: str,
    args: argparse.Namespace,
    hosts_count: int,
    *,
    halve_at: int | None = None,
    unthrottled: bool = False,
) -> dict[str, Any]:
    """Plan the backlog on a fresh Purview and fresh state, then drain it with `hosts_count` hosts.

    `unthrottled`: Purview and the app's limit are lifted, to measure what the machine itself allows (the floor).
    """
    capacity = None if unthrottled else RATE
    purview = start_process("emulators.purview", ["--account-name", "bench"])
    try:
        assets = seed_purview(purview.url, args.data_sets)
        prefix = "s" + uuid.uuid4().hex[:10]
        settings_values = environment(azurite, purview.url, cluedin_url, prefix, capacity or 10_000.0)
        if args.per_process:
            settings_values["BENCH_PER_PROCESS_LIMIT"] = "1"
        from sync.core.settings import Settings
        from sync.core.state import StateStore
        from sync.core.storage import table_service

        state = StateStore(table_service(Settings(settings_values).engine), prefix)
        state.ensure_tables()
        link_all(state, cluedin_url, assets, args.columns)
        throttle(purview.url, capacity)
        changes = plan_backlog(settings_values)
        with tempfile.TemporaryDirectory(prefix="scale_out_") as tmp:
            hosts = start_hosts(hosts_count, settings_values, Path(tmp))
            time.sleep(1.0)  # the emulator's bucket is full again, as after an idle second
            throttle(purview.url, capacity)
            requests.delete(f"{purview.url}/_emulator/stats", timeout=10).raise_for_status()
            load_before = load()
            done, halving = threading.Event(), dict[str, float]()
            started = time.time()
            samples = sample(purview.url, halve_at, done, halving)
            for process in hosts:
                assert process.stdin is not None
                process.stdin.write("go\n")
                process.stdin.close()
            results = [collect(process) for process in hosts]
            done.set()
            if any(result.get("error") for result in results):
                print((Path(tmp) / "host0.log").read_text()[-3000:], file=sys.stderr)
        stats = emulator_stats(purview.url)
    finally:
        purview.stop()
    finished = max((r["last_applied"] for r in results if r["last_applied"]), default=started)
    served = needed_operations(stats)
    throttled = int(stats["statuses"].get("429", 0))
    outcome: dict[str, Any] = {
        "hosts": hosts_count,
        "changes": changes,
        "messages_applied": sum(r["succeeded"] for r in results),
        "failed_invocations": sum(r["failed"] for r in results),
        "failure_reasons": merge_counts(r.get("failures", {}) for r in results),
        "poisoned": sum(r["poisoned"] for r in results),
        "seconds": round(finished - started, 2),
        "operations": served,
        "throttled": throttled,
        "throttled_share": round(throttled / max(1, served + throttled), 4),
        "lower_bound_seconds": round(served / RATE, 2),
        "ratio": round((finished - started) / max(1e-9, served / RATE), 3),
        "budget_table_calls": sum(r["budget_reads"] + r["budget_writes"] for r in results),
        "budget_table_calls_per_host_second": round(
            sum(r["budget_reads"] + r["budget_writes"] for r in results)
            / max(1e-9, hosts_count * (finished - started)),
            2,
        ),
        "load_before": load_before,
        "load_after": load(),
        "served_per_second": per_second(samples, started),
        "throttled_per_second": per_second(samples, started, column=2),
    }
    if halving and served > halving["served"]:
        after = served - halving["served"]
        new_bound = after / (RATE / 2)
        outcome.update(
            halved_after_seconds=round(halving["at"] - started, 2),
            operations_after_halving=int(after),
            new_lower_bound_seconds=round(new_bound, 2),
            ratio_after_halving=round((finished - halving["at"]) / max(1e-9, new_bound), 3),
        )
    return outcome


def merge_counts(counts: Any) -> dict[str, int]:
    """Counts of the same reasons from every host, added up."""
    total: dict[str, int] = {}
    for one in counts:
        for reason, count in one.items():
            total[reason] = total.get(reason, 0) + int(count)
    return total


def describe(outcome: dict[str, Any]) -> str:
    """One configuration's figures in a sentence."""
    text = (
        f"{outcome['hosts']} host(s): {outcome['seconds']:.1f}s for {outcome['operations']} Purview operations "
        f"(lower bound {outcome['lower_bound_seconds']:.1f}s) → ratio {outcome['ratio']:.3f}; "
        f"429s {outcome['throttled']} ({100 * outcome['throttled_share']:.1f} %); "
        f"failed invocations {outcome['failed_invocations']}; {outcome['messages_applied']} messages applied "
        f"({outcome['changes']} changes); budget Table calls {outcome['budget_table_calls']} "
        f"({outcome['budget_table_calls_per_host_second']:.2f}/s per host); "
        f"{outcome['load_before']} → {outcome['load_after']}"
    )
    text += f"\n    operations served in each second: {outcome['served_per_second']}"
    if outcome["throttled"]:
        text += f"\n    429s in each second: {outcome['throttled_per_second']}"
    for reason, count in sorted(outcome.get("failure_reasons", {}).items()):
        text += f"\n    failed {count} times: {reason}"
    if "floor_seconds" in outcome:
        text += (
            f"\n    ratio to the larger of the bound and the unthrottled floor ({outcome['floor_seconds']:.1f}s): "
            f"{outcome['ratio_to_floor_or_bound']:.3f}"
        )
    if "ratio_after_halving" in outcome:
        text += (
            f"\n    capacity halved to {RATE / 2:g}/s after {outcome['halved_after_seconds']:.1f}s: "
            f"{outcome['operations_after_halving']} operations after it, new lower bound "
            f"{outcome['new_lower_bound_seconds']:.1f}s → ratio after halving {outcome['ratio_after_halving']:.3f}"
        )
    return text


HALVING_ATTEMPTS = 3
"""The halving is triggered from the emulator's counters; when they answer late (a busy emulator on a busy
machine), it comes after most of the work and the run says nothing: the run is repeated, at most this often."""


def main(argv: list[str]) -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="python -m bench scale_out")
    parser.add_argument("--instances", default="1,4,8", help="host counts to measure, comma-separated")
    parser.add_argument("--data-sets", type=int, default=2000)
    parser.add_argument("--entity-types", type=int, default=50)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--halve-at", type=float, default=0.4, help="share of the operations served before halving")
    parser.add_argument("--no-halved", action="store_true", help="skip the halved-capacity run")
    parser.add_argument("--per-process", action="store_true", help="each host limits itself (before decision 0901)")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also drain each configuration with Purview unthrottled (the machine's floor)",
    )
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.instances.split(",") if n.strip()]

    print(f"scale_out: {args.data_sets} data sets; Purview throttled to {RATE:g} ops/s; {load()}", flush=True)
    azurite = start_azurite()
    cluedin = start_process("emulators.cluedin", ["--org", ORG])
    outcomes = []
    try:
        seed = cluedin_seed(args.data_sets, args.entity_types, args.columns)
        requests.put(f"{cluedin.url}/_emulator/state", json=seed, timeout=600).raise_for_status()
        for count in counts:
            floor = None
            if args.floor:
                floor = run_configuration(azurite, cluedin.url, args, count, unthrottled=True)
                print(
                    f"{count} host(s), Purview unthrottled (the machine's floor): {floor['seconds']:.1f}s", flush=True
                )
            outcome = run_configuration(azurite, cluedin.url, args, count)
            if floor is not None:
                outcome["floor_seconds"] = floor["seconds"]
                bound = max(outcome["lower_bound_seconds"], floor["seconds"])
                outcome["ratio_to_floor_or_bound"] = round(outcome["seconds"] / bound, 3)
            outcomes.append(outcome)
            print(describe(outcome), flush=True)
        if not args.no_halved:
            hosts = max(counts)
            expected = next((o["operations"] for o in outcomes if o["hosts"] == hosts), 340)
            for attempt in range(1, HALVING_ATTEMPTS + 1):
                outcome = run_configuration(azurite, cluedin.url, args, hosts, halve_at=int(expected * args.halve_at))
                outcome["halved"] = True
                print(describe(outcome), flush=True)
                after = outcome["seconds"] - outcome.get("halved_after_seconds", outcome["seconds"])
                if after >= outcome["seconds"] * (1 - args.halve_at) / 2:
                    break
                print(
                    f"    (attempt {attempt}: the halving came too late to measure — the emulator's counters "
                    "answered late while it was busy; measured again)",
                    flush=True,
                )
            outcomes.append(outcome)
    finally:
        cluedin.stop()
        azurite.stop()
    print(json.dumps({"summary": outcomes}))


if __name__ == "__main__":
    main(sys.argv[1:])
