"""Lineage backfill benchmark: 2,000 data sets, 50 entity types, 20 columns each, Purview throttled to 25 ops/s.

    python -m bench lineage_sync [--data-sets 2000] [--entity-types 50] [--columns 20] [--workers 16]

Azurite, the Purview emulator and the CluedIn emulator run as separate processes. CluedIn is seeded with the
data sets (one per data source, every column mapped to a vocabulary key of its entity type), Purview with one
source asset per data source, and F1's state links the two, so every data set gets the full graph: Cluedin
Dataset + columns, Ingest Data, Map to Entity, and the shared Cluedin Entity of its type.

The backfill is one planning cycle (`run_cycle`, as the timer runs it) while `--workers` queue listeners call
`apply_message` (as the Functions host's queue trigger does, batchSize 16; listeners run all the time, so
messages are applied as soon as they are enqueued). With the emulator throttled to 25 operations/s and the app's
shared limiter at the same rate, Purview is the bottleneck by design; the figure of merit is the backfill's
duration, from the timer firing to the last message applied, against its lower bound (Purview operations ÷ 25,
type registration included).
Printed: entities per bulk call, operations, durations and ratios, and what a second, no-change cycle costs.

    python -m bench lineage_sync --plan-only --datasets 30000

plans a large estate without applying it and prints the timer's own peak memory and a no-change cycle's cost
(bench/_lineage_plan_only.py).

    python -m bench lineage_sync --scenario pipeline

runs the same measurement for CluedIn's 2025 lineage shape with every processing-pipeline feature on: 1,000 data
sets, 200 processing rules, 50 clean, 50 deduplication and 50 manual-data-entry projects, planned in one tick
(as the timer plans every feature of its schedule) and applied by the same listeners. It also prints what a
renamed rule costs in Purview calls. `--shape`, `--rules`, `--clean`, `--dedup` and `--mde` set the parts alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import threading
import time
import uuid
from typing import Any

import requests
from azure.core.exceptions import ResourceExistsError
from azure.storage.queue import QueueServiceClient

from bench._lineage_plan_only import plan_only
from bench._listener import deliver
from bench._pipeline_objects import PIPELINE_FEATURES, objects_seed, parse
from devhost.azurite import start_azurite
from devhost.cluedin_user import CluedInUser
from emulators._common import start_process
from emulators.cluedin.seed import DEFAULT_PASSWORD, default_username
from sync.core.engine import run_tick
from sync.core.feature import Feature, SyncContext
from sync.core.messages import Queues
from sync.core.settings import Settings
from sync.core.state import StateStore, SyncObject
from sync.core.storage import QueueSender, base64_queue, table_service
from sync.core.storage import queue_service as queue_service_client
from sync.features.lineage.feature import LineageFeature
from sync.features.lineage.pipeline import PIPELINE_TYPES
from sync.features.processing_rules.feature import ProcessingRulesFeature
from sync.runtime import CLIENT_FACTORIES, FEED_SOURCES

ORG = "bench"
RATE = 25.0
CLUEDIN_RATE = 2000
"""The app's CluedIn rate on the benchmarks' stack: high enough that Purview is the only bottleneck, as the ratio
assumes. At 200 requests/s the pipeline scenario's ~330 planning reads (a detail read per rule and project) held
back the first Purview writes by over a second, and the ratio measured the CluedIn limiter as much as Purview."""
ASSET_TYPE = "azure_datalake_gen2_path"
OUR_TYPES = ("cluedin_dataset", "cluedin_column", "cluedin_ingest_process", "cluedin_map_process", "cluedin_entity")


def cluedin_seed(data_sets: int, entity_types: int, columns: int) -> dict[str, Any]:
    """Vocabularies per entity type, and one group/data source/data set per data set, fully mapped."""
    fields = [f"col{c:02d}" for c in range(columns)]
    vocabularies = [
        {"name": f"type{t}", "keyPrefix": f"type{t}", "keys": [{"name": f} for f in fields]}
        for t in range(entity_types)
    ]
    groups = []
    for i in range(data_sets):
        t = i % entity_types
        data_set = {
            "name": f"file{i:04d}.csv",
            "mapping": {
                "entityType": f"/Type{t}",
                "vocabulary": f"type{t}",
                "fields": {f: f"type{t}.{f}" for f in fields},
            },
            "records": [{f: f"{f}-{i}" for f in fields}],
            "process": False,
        }
        name = f"file{i:04d}.csv"
        groups.append({"name": name, "dataSources": [{"name": name, "type": "endpoint", "dataSets": [data_set]}]})
    return {"organization": {"name": ORG}, "vocabularies": vocabularies, "dataSourceGroups": groups}


def source_assets(data_sets: int) -> list[dict[str, str]]:
    """The ADLS file asset each data source came from."""
    return [
        {
            "typeName": ASSET_TYPE,
            "qualifiedName": f"https://lake.dfs.core.windows.net/raw/file{i:04d}.csv",
            "name": f"file{i:04d}.csv",
        }
        for i in range(data_sets)
    ]


def seed_purview(url: str, data_sets: int) -> list[dict[str, str]]:
    """One ADLS file asset per data source, written before throttling starts."""
    session = requests.Session()
    session.headers["Authorization"] = "Bearer bench"
    assets = source_assets(data_sets)
    for start in range(0, data_sets, 1000):
        batch = [
            {"typeName": a["typeName"], "attributes": {"qualifiedName": a["qualifiedName"], "name": a["name"]}}
            for a in assets[start : start + 1000]
        ]
        answer = session.post(f"{url}/datamap/api/atlas/v2/entity/bulk", json={"entities": batch}, timeout=120)
        answer.raise_for_status()
    return assets


def link_all(state: StateStore, cluedin_url: str, assets: list[dict[str, str]], columns: int) -> None:
    """F1's `datasource` rows: data source `fileNNNN.csv` was created from asset `fileNNNN.csv`."""
    token = requests.post(
        f"{cluedin_url}/auth/connect/token",
        data={
            "username": default_username(ORG),
            "password": DEFAULT_PASSWORD,
            "client_id": ORG,
            "grant_type": "password",
        },
        timeout=30,
    ).json()["access_token"]
    query = "query($p:Int,$s:Int){inbound{dataSourceSets(page:$p,pageSize:$s){total data{dataSources{id name}}}}}"
    by_name: dict[str, str] = {}
    page = 0
    while True:
        body = requests.post(
            f"{cluedin_url}/graphql",
            json={"query": query, "variables": {"p": page, "s": 500}},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        ).json()["data"]["inbound"]["dataSourceSets"]
        for group in body["data"]:
            for source in group["dataSources"]:
                by_name[source["name"]] = str(source["id"])
        page += 1
        if len(by_name) >= body["total"] or not body["data"]:
            break
    schema = [{"name": f"col{c:02d}", "type": "string"} for c in range(columns)]
    objects = [
        SyncObject(
            kind="datasource",
            key=f"{a['typeName']}|{a['qualifiedName']}",
            source={"guid": "", "typeName": a["typeName"], "qualifiedName": a["qualifiedName"]},
            target={"group_id": "", "group_name": a["name"], "source_id": by_name[a["name"]]},
            data={"schema": schema, "name": a["name"]},
            status="active",
        )
        for a in assets
    ]
    state.upsert_many(objects)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115, PTH123
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def emulator_stats(url: str) -> dict[str, Any]:
    """`GET /_emulator/stats` of an emulator."""
    body: dict[str, Any] = requests.get(f"{url}/_emulator/stats", timeout=30).json()
    return body


def needed_operations(stats: dict[str, Any]) -> int:
    """Requests the work needed: every request served except throttled (429) answers, which were retried."""
    return sum(int(n) for status, n in stats["statuses"].items() if int(status) != 429)


def bulk_calls(stats: dict[str, Any]) -> int:
    """Bulk upserts served."""
    return sum(
        int(op["count"])
        for name, op in stats["operations"].items()
        if "bulk" in name.lower() and op.get("write") and "delete" not in name.lower()
    )


def entity_count(url: str, type_names: tuple[str, ...] = OUR_TYPES) -> dict[str, int]:
    """Active entities of each of our types (search counts)."""
    session = requests.Session()
    session.headers["Authorization"] = "Bearer bench"
    counts = {}
    for type_name in type_names:
        answer = session.post(
            f"{url}/datamap/api/search/query?api-version=2023-09-01",
            json={"keywords": None, "limit": 1, "filter": {"entityType": type_name}},
            timeout=60,
        )
        counts[type_name] = int(answer.json().get("@search.count") or 0)
    return counts


def start_workers(
    settings: Settings,
    state: StateStore,
    queue_service: QueueServiceClient,
    workers: int,
    planning_done: threading.Event,
    *,
    features: list[Feature] | None = None,
) -> tuple[list[threading.Thread], list[float]]:
    """Queue listeners applying lineage messages the way the queue trigger does, running before the timer fires.

    As in the Functions host, listeners are always on: a message is applied as soon as the planner enqueues it.
    They stop once planning is done and the queue has stayed empty. Returns the threads and a list that receives
    the time of each applied message.
    """
    by_name = {f.name: f for f in features or [LineageFeature()]}
    applied: list[float] = []
    queues = QueueSender(queue_service, settings.engine.sync_queue_prefix)
    with contextlib.suppress(ResourceExistsError):  # the host creates trigger queues when it starts
        base64_queue(queue_service, queues.name(Queues.PURVIEW_LINEAGE)).create_queue()
    lock = threading.Lock()

    def worker() -> None:
        client = base64_queue(queue_service, queues.name(Queues.PURVIEW_LINEAGE))
        ctx = SyncContext(settings, state, queues, clients=CLIENT_FACTORIES, feed_sources=FEED_SOURCES)
        empty = 0
        while not (planning_done.is_set() and empty >= 3 and not waiting(client)):
            messages = list(client.receive_messages(max_messages=1, visibility_timeout=600))
            if not messages:
                empty += 1
                # Idle polling backs off like the host's: randomized, doubling from 0.1 s up to 2 s.
                time.sleep(random.uniform(0.05, min(2.0, 0.1 * 2 ** min(empty, 5))))
                continue
            empty = 0
            for message in messages:
                if deliver(client, message, queue=Queues.PURVIEW_LINEAGE.value, features=by_name, ctx=ctx):
                    with lock:
                        applied.append(time.monotonic())

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    return threads, applied


def waiting(client: Any) -> bool:
    """Whether the queue still holds messages, visible or not (one deferred after contention comes back later)."""
    return int(client.get_queue_properties().approximate_message_count or 0) > 0


def drain(
    settings: Settings,
    state: StateStore,
    queue_service: QueueServiceClient,
    workers: int,
    features: list[Feature] | None = None,
) -> int:
    """Apply every waiting lineage message with `workers` listeners; returns how many were applied."""
    done = threading.Event()
    done.set()
    threads, applied = start_workers(settings, state, queue_service, workers, done, features=features)
    for thread in threads:
        thread.join()
    return len(applied)


def stack_environment(storage: str, prefix: str, purview: str, cluedin: str) -> dict[str, str]:
    """The app's settings against a benchmark's local stack (Azurite, both emulators), no feature switched on."""
    return {
        "AzureWebJobsStorage": storage,
        "SYNC_TABLE_PREFIX": prefix,
        "SYNC_QUEUE_PREFIX": prefix,
        "PURVIEW_BASE_URL": purview,
        "PURVIEW_STATIC_TOKEN": "bench",
        "PURVIEW_MAX_OPERATIONS_PER_SECOND": str(RATE),
        "CLUEDIN_URL": cluedin,
        "CLUEDIN_ORGANIZATION": ORG,
        "CLUEDIN_USERNAME": default_username(ORG),
        "CLUEDIN_PASSWORD": DEFAULT_PASSWORD,
        "CLUEDIN_MAX_REQUESTS_PER_SECOND": str(CLUEDIN_RATE),
    }


def environment(
    storage: str, prefix: str, purview: str, cluedin: str, *, shape: str, toggles: dict[str, str]
) -> dict[str, str]:
    """The app's settings for this benchmark's stack."""
    return {
        **stack_environment(storage, prefix, purview, cluedin),
        "SYNC_CLUEDIN_DATA_SOURCES": "true",
        "PURVIEW_LINEAGE_SHAPE": shape,
        **toggles,
    }


def main(argv: list[str]) -> None:
    """Run the benchmark and print its figures."""
    args = parse(argv)
    if args.plan_only:
        plan_only(args.data_sets, args.entity_types, args.columns, args.shape, readers=args.readers)
        return
    counts = {name: int(getattr(args, name)) for name in PIPELINE_FEATURES}
    features: list[Feature] = [LineageFeature()]
    features += [cls() for name, (cls, _) in PIPELINE_FEATURES.items() if counts[name]]
    toggles = {setting: "true" for name, (_, setting) in PIPELINE_FEATURES.items() if counts[name]}
    type_names = OUR_TYPES
    if args.shape == "pipeline" or toggles:
        extra = [t.name for f in features[1:] for t in getattr(f, "own_types", ())]
        type_names = (*OUR_TYPES, *(t.name for t in PIPELINE_TYPES), *dict.fromkeys(extra))

    azurite = start_azurite()
    purview = start_process("emulators.purview", ["--account-name", "bench"])
    cluedin = start_process("emulators.cluedin", ["--org", ORG])
    try:
        clock = time.monotonic()
        seed = cluedin_seed(args.data_sets, args.entity_types, args.columns)
        seed |= objects_seed(counts["rules"], counts["clean"], counts["dedup"], counts["mde"], args.entity_types)
        requests.put(f"{cluedin.url}/_emulator/state", json=seed, timeout=600).raise_for_status()
        assets = seed_purview(purview.url, args.data_sets)
        prefix = "b" + uuid.uuid4().hex[:10]
        storage = Settings({"AzureWebJobsStorage": azurite.connection_string}).engine
        state = StateStore(table_service(storage), prefix)
        state.ensure_tables()
        link_all(state, cluedin.url, assets, args.columns)
        objects = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
        print(
            f"setup: {args.data_sets} data sets, {args.entity_types} entity types, {args.columns} columns each, "
            f"{args.shape} lineage shape{'; ' + objects if objects else ''} ({time.monotonic() - clock:.1f}s)",
            flush=True,
        )

        stack = (azurite.connection_string, prefix, purview.url, cluedin.url)
        env = environment(*stack, shape=args.shape, toggles=toggles)
        settings = Settings(env)
        queue_service = queue_service_client(storage)
        faults = {"throttle_ops_per_sec": RATE, "throttle_burst": int(RATE), "retry_after_seconds": 1}
        requests.put(f"{purview.url}/_emulator/faults", json=faults, timeout=10).raise_for_status()
        time.sleep(1.0)  # let the emulator's token bucket fill, as it would be after an idle minute
        requests.delete(f"{purview.url}/_emulator/stats", timeout=10)

        queues = QueueSender(queue_service, prefix)
        ctx = SyncContext(settings, state, queues, clients=CLIENT_FACTORIES, feed_sources=FEED_SOURCES)
        planning_done = threading.Event()
        threads, applied = start_workers(settings, state, queue_service, args.workers, planning_done, features=features)
        emulator_cpu = cpu_seconds(purview.process.pid)
        cluedin_start = emulator_stats(cluedin.url)["total"]
        plan_start = time.monotonic()
        reports = run_tick(features, ctx)  # as the timer plans every feature of its schedule, in one tick
        plan_seconds = time.monotonic() - plan_start
        planning_done.set()
        for thread in threads:
            thread.join()
        backfill_seconds = max(applied, default=plan_start + plan_seconds) - plan_start
        messages = len(applied)
        apply_stats = emulator_stats(purview.url)
        apply_seconds = backfill_seconds - plan_seconds

        operations = needed_operations(apply_stats)
        throttled = int(apply_stats["statuses"].get("429", 0))
        calls = bulk_calls(apply_stats)
        found = entity_count(purview.url, type_names)
        written = sum(found.values())
        bound = operations / RATE
        statuses = ", ".join(f"{r.feature} {r.status} in {r.duration_ms / 1000:.1f}s" for r in reports)
        enqueued = sum(r.enqueued for r in reports)
        print(f"plan (the timer): {statuses}; {enqueued} changes in {messages} messages, {plan_seconds:.1f}s")
        print(f"entities written: {written} ({', '.join(f'{k}={v}' for k, v in found.items())})")
        print(f"bulk upserts: {calls}; entities per bulk call: {written / max(calls, 1):.1f} (unique entities ÷ calls)")
        print(
            f"backfill (timer fired → last message applied; queue listeners running, as in the host): "
            f"{backfill_seconds:.1f}s for {operations} Purview operations ({throttled} throttled answers); "
            f"lower bound {bound:.1f}s at {RATE:g} ops/s; ratio {backfill_seconds / max(bound, 1e-9):.3f}"
        )
        cluedin_reads = emulator_stats(cluedin.url)["total"] - cluedin_start
        print(
            f"  CluedIn's own bound: {cluedin_reads} reads at the app's {CLUEDIN_RATE} requests/s = "
            f"{cluedin_reads / CLUEDIN_RATE:.2f}s (set high so that Purview is the only bottleneck)"
        )
        first = min(applied, default=plan_start) - plan_start
        print(f"  first message applied after {first:.1f}s; the timer returned after {plan_seconds:.1f}s")
        print(
            f"  the Purview emulator used {cpu_seconds(purview.process.pid) - emulator_cpu:.1f}s of CPU meanwhile "
            f"(it shares this machine's {os.cpu_count()} cores with the app, Azurite and the CluedIn emulator)"
        )

        requests.delete(f"{purview.url}/_emulator/stats", timeout=10)
        cluedin_before = emulator_stats(cluedin.url)["total"]
        again_start = time.monotonic()
        again = run_tick(
            features, SyncContext(settings, state, queues, clients=CLIENT_FACTORIES, feed_sources=FEED_SOURCES)
        )
        leftover = drain(settings, state, queue_service, 2, features)
        again_stats = emulator_stats(purview.url)
        print(
            f"no-change cycle: {sum(sum(r.planned.values()) for r in again)} changes, {leftover} messages, "
            f"{again_stats['writes']} Purview writes, {again_stats['total']} Purview calls, "
            f"{emulator_stats(cluedin.url)['total'] - cluedin_before} CluedIn calls, "
            f"{time.monotonic() - again_start:.1f}s"
        )
        summary: dict[str, Any] = {
            "entities_per_bulk_call": round(written / max(calls, 1), 1),
            "apply_seconds": round(apply_seconds, 2),
            "lower_bound_seconds": round(bound, 2),
            "ratio": round(backfill_seconds / max(bound, 1e-9), 3),
            "backfill_seconds": round(backfill_seconds, 2),
            "no_change_purview_writes": again_stats["writes"],
        }
        if counts["rules"]:
            summary["renamed_rule_purview_calls"] = renamed_rule_calls(
                settings, state, queue_service, purview.url, features
            )
        print(json.dumps({"summary": summary}))
    finally:
        cluedin.stop()
        purview.stop()
        azurite.stop()


def renamed_rule_calls(
    settings: Settings, state: StateStore, queue_service: QueueServiceClient, purview: str, features: list[Feature]
) -> int:
    """A CluedIn user renames one rule; one rules cycle later, how many Purview calls carried it there."""
    user = CluedInUser(settings.environ["CLUEDIN_URL"], ORG, default_username(ORG), DEFAULT_PASSWORD)
    found = user.graphql(
        'query r($p: Int) { management { rules(pageNumber: $p, searchName: "Rule 000") { data { id name } } } }',
        {"p": 1},
    )
    rule = next(r for r in found["management"]["rules"]["data"] if r["name"] == "Rule 000")
    user.rename_rule(str(rule["id"]), "Rule 000 (renamed)")
    requests.delete(f"{purview}/_emulator/stats", timeout=10)
    rules = ProcessingRulesFeature()
    queues = QueueSender(queue_service, settings.engine.sync_queue_prefix)
    ctx = SyncContext(settings, state, queues, clients=CLIENT_FACTORIES, feed_sources=FEED_SOURCES)
    [report] = run_tick([rules], ctx)
    drain(settings, state, queue_service, 1, features)
    stats = emulator_stats(purview)
    print(
        f"renamed rule: {report.changes} → {stats['total']} Purview calls ({stats['writes']} writes) "
        f"until Purview showed the new name"
    )
    return int(stats["total"])
