"""Streams, crawlers and enrichers benchmark: 200 streams over 50 entity types, 30 providers, Purview at 25 ops/s.

    python -m bench streams_sync [--streams 200] [--entity-types 50] [--providers 30] [--targets 20]
                                 [--records 20] [--workers 16]

Azurite, the Purview emulator and the CluedIn emulator run as separate processes. CluedIn holds `--records`
golden records per entity type (one processed data set each), `--targets` export targets, `--streams` streams
(stream i exports five keys of entity type i mod T to target i mod targets), and `--providers` crawlers and
enrichers (two thirds enrichers of one entity type each, one third crawlers bringing records of one type each).

The initial sync is one timer tick of "Sync CluedIn Streams" and "Sync CluedIn Crawlers and Enrichers"
(`run_tick`, as the timer runs them) while `--workers` queue listeners apply messages as the host's queue trigger
does. Purview is throttled to 25 operations/s and the app's limiter set to the same rate, so Purview should be the
bottleneck: the figure of merit is the sync's duration, from the timer firing to the last message applied, against
its lower bound (Purview operations ÷ 25; the app's CluedIn rate is set high, `CLUEDIN_RATE`, so that CluedIn's own
bound, reads ÷ that rate, stays far below it). Printed too: CluedIn reads by kind against the sampling formula, what a
no-change cycle costs, and how many Purview calls one updated stream takes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import threading
import time
import uuid
from collections.abc import Sequence
from math import ceil
from typing import Any

import requests
from azure.core.exceptions import ResourceExistsError

from bench._listener import deliver
from bench.lineage_sync import CLUEDIN_RATE, cpu_seconds, emulator_stats, needed_operations
from devhost.azurite import start_azurite
from emulators._common import start_process
from emulators.cluedin.seed import DEFAULT_PASSWORD, default_username
from sync.core.engine import run_tick
from sync.core.feature import Feature, SyncContext
from sync.core.messages import Queues
from sync.core.report import RunReport
from sync.core.settings import Settings
from sync.core.state import StateStore
from sync.core.storage import QueueSender, base64_queue, table_service
from sync.core.storage import queue_service as queue_service_client
from sync.features.providers.feature import ProvidersFeature
from sync.features.providers.settings import ProvidersSettings
from sync.features.streams.feature import StreamsFeature
from sync.features.streams.settings import StreamsSettings
from sync.runtime import CLIENT_FACTORIES, FEED_SOURCES

ORG = "bench"
RATE = 25.0
KEYS = 8
ENRICHERS = ("Web Enricher", "Clearbit Enricher", "Google Maps Enricher")
CRAWLERS = ("HubSpot", "SharePoint", "Salesforce")
SAMPLE_PAGE = 500


def cluedin_seed(streams: int, entity_types: int, providers: int, targets: int, records: int) -> dict[str, Any]:
    """The estate in the CluedIn emulator's seed format."""
    vocabularies, groups = [], []
    for t in range(entity_types):
        keys = [f"k{k}" for k in range(KEYS)]
        vocabularies.append({"name": f"type{t}", "keyPrefix": f"type{t}", "entityType": f"/Type{t}",
                             "keys": [{"name": k} for k in keys]})  # fmt: skip
        mapping = {"entityType": f"/Type{t}", "vocabulary": f"type{t}", "originEntityCodeKey": f"type{t}.k0"}
        data_set = {
            "name": f"type{t}.csv",
            "mapping": {**mapping, "fields": {k: f"type{t}.{k}" for k in keys}},
            "records": [{k: f"{k}-{t}-{r}" for k in keys} for r in range(records)],
            "process": True,
        }
        groups.append({"name": f"type{t}", "dataSources": [{"name": f"type{t}", "dataSets": [data_set]}]})
    export_targets = [{"connector": "Sql Server Connector", "accountDisplay": f"sql{i}.golden"} for i in range(targets)]
    stream_specs = [
        {
            "name": f"Stream {i:03d}",
            "entityType": f"/Type{i % entity_types}",
            "exportTarget": f"sql{i % targets}.golden",
            "properties": [f"type{i % entity_types}.k{(i + k) % KEYS}" for k in range(5)],
            "active": i % 4 != 0,
        }
        for i in range(streams)
    ]
    provider_specs: list[dict[str, Any]] = []
    for p in range(providers):
        t = p % entity_types
        if p % 3 == 2:
            crawled = [{"id": f"C{p}-{r}", "name": f"Crawled {p}-{r}", f"crawl{p}.score": str(r)} for r in range(5)]
            provider_specs.append({"kind": "Crawler", "providerId": CRAWLERS[p % 3], "name": f"Crawler {p}",
                                   "entityType": f"/Type{t}", "records": crawled})  # fmt: skip
        else:
            added = {f"enrich{p}.a": "x", f"enrich{p}.b": "{name}"}
            provider_specs.append({"kind": "Enricher", "providerId": ENRICHERS[p % 3], "name": f"Enricher {p}",
                                   "entityType": f"/Type{t}", "properties": added})  # fmt: skip
    return {
        "organization": {"name": ORG},
        "vocabularies": vocabularies,
        "dataSourceGroups": groups,
        "exportTargets": export_targets,
        "streams": stream_specs,
        "providers": provider_specs,
    }


def start_workers(
    settings: Settings, state: StateStore, queues: QueueSender, workers: int, done: threading.Event
) -> tuple[list[threading.Thread], list[float]]:
    """Queue listeners applying lineage-queue messages as the host's queue trigger does (always on)."""
    features: dict[str, Feature] = {f.name: f for f in (StreamsFeature(), ProvidersFeature())}
    service = queues.service
    with contextlib.suppress(ResourceExistsError):
        base64_queue(service, queues.name(Queues.PURVIEW_LINEAGE)).create_queue()
    applied: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        client = base64_queue(service, queues.name(Queues.PURVIEW_LINEAGE))
        ctx = SyncContext(settings, state, queues, clients=CLIENT_FACTORIES, feed_sources=FEED_SOURCES)
        empty = idle_after_done = 0
        while idle_after_done < 3:  # stop once planning is over and the queue stayed empty three times
            messages = list(client.receive_messages(max_messages=1, visibility_timeout=600))
            if not messages:
                empty += 1
                idle_after_done += done.is_set()
                time.sleep(random.uniform(0.05, min(2.0, 0.1 * 2 ** min(empty, 5))))
                continue
            empty = idle_after_done = 0
            for message in messages:
                if deliver(client, message, queue=Queues.PURVIEW_LINEAGE.value, features=features, ctx=ctx):
                    with lock:
                        applied.append(time.monotonic())

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    return threads, applied


def tick(
    settings: Settings, state: StateStore, queues: QueueSender, workers: int
) -> tuple[float, float, int, list[RunReport]]:
    """One timer tick of both features with listeners running: (sync seconds, planning seconds, messages, reports)."""
    ctx = SyncContext(settings, state, queues, clients=CLIENT_FACTORIES, feed_sources=FEED_SOURCES)
    done = threading.Event()
    threads, applied = start_workers(settings, state, queues, workers, done)
    start = time.monotonic()
    reports = run_tick([StreamsFeature(), ProvidersFeature()], ctx)
    planned = time.monotonic() - start
    done.set()
    for thread in threads:
        thread.join()
    first = min(applied, default=start + planned) - start
    print(f"  tick: first message applied after {first:.1f}s, planning returned after {planned:.1f}s", flush=True)
    return max(applied, default=start + planned) - start, planned, len(applied), reports


def reads(stats: dict[str, Any]) -> dict[str, int]:
    """CluedIn requests by kind."""
    kinds = {"search (previews and samples)": "graphql:search", "entity history": "entityhistory",
             "stream listing": "consume.streams", "export-target listing": "connectorConfigurations",
             "provider listing": "organization/providers", "entity-type listing": "entityTypeConfigurations",
             "audit log (change feed)": "auditLog"}  # fmt: skip
    out = dict.fromkeys(kinds, 0)
    for name, op in stats["operations"].items():
        for label, needle in kinds.items():
            if needle in name:
                out[label] += int(op["count"])
    out["total"] = int(stats["total"])
    return out


def main(argv: Sequence[str]) -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="python -m bench streams_sync")
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--entity-types", type=int, default=50)
    parser.add_argument("--providers", type=int, default=30)
    parser.add_argument("--targets", type=int, default=20)
    parser.add_argument("--records", type=int, default=20)
    parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args(argv)

    azurite = start_azurite()
    purview = start_process("emulators.purview", ["--account-name", "bench"])
    cluedin = start_process("emulators.cluedin", ["--org", ORG])
    try:
        clock = time.monotonic()
        seed = cluedin_seed(args.streams, args.entity_types, args.providers, args.targets, args.records)
        requests.put(f"{cluedin.url}/_emulator/state", json=seed, timeout=900).raise_for_status()
        prefix = "b" + uuid.uuid4().hex[:10]
        environment = {
            "AzureWebJobsStorage": azurite.connection_string,
            "SYNC_TABLE_PREFIX": prefix,
            "SYNC_QUEUE_PREFIX": prefix,
            "PURVIEW_BASE_URL": purview.url,
            "PURVIEW_STATIC_TOKEN": "bench",
            "PURVIEW_MAX_OPERATIONS_PER_SECOND": str(RATE),
            "CLUEDIN_URL": cluedin.url,
            "CLUEDIN_ORGANIZATION": ORG,
            "CLUEDIN_USERNAME": default_username(ORG),
            "CLUEDIN_PASSWORD": DEFAULT_PASSWORD,
            # High, as in bench lineage_sync: ~590 CluedIn reads for 52 Purview operations took 1.2 s of a 2.1 s
            # Purview bound at 500 requests/s, so the ratio measured the CluedIn limiter as much as Purview.
            "CLUEDIN_MAX_REQUESTS_PER_SECOND": str(CLUEDIN_RATE),
            "SYNC_CLUEDIN_STREAMS": "true",
            "SYNC_CLUEDIN_CRAWLERS_AND_ENRICHERS": "true",
        }
        settings = Settings(environment)
        state = StateStore(table_service(settings.engine), prefix)
        state.ensure_tables()
        queues = QueueSender(queue_service_client(settings.engine), prefix)
        n = settings.get(StreamsSettings).sync_streams_preview_condition_sample_size
        provider_settings = settings.get(ProvidersSettings)
        types_sample = provider_settings.sync_cluedin_organization_providers_query_entity_type_sample_size
        per_type = provider_settings.sync_cluedin_organization_providers_query_sample_size_per_entity_type
        print(
            f"setup: {args.streams} streams over {args.entity_types} entity types, {args.targets} export targets, "
            f"{args.providers} providers, {args.records} golden records per type ({time.monotonic() - clock:.1f}s)",
            flush=True,
        )
        faults = {"throttle_ops_per_sec": RATE, "throttle_burst": int(RATE), "retry_after_seconds": 1}
        requests.put(f"{purview.url}/_emulator/faults", json=faults, timeout=10).raise_for_status()
        time.sleep(1.0)  # let the emulator's token bucket fill, as after an idle minute
        requests.delete(f"{purview.url}/_emulator/stats", timeout=10)
        requests.delete(f"{cluedin.url}/_emulator/stats", timeout=10)

        emulator_cpu = cpu_seconds(cluedin.process.pid), cpu_seconds(purview.process.pid)
        seconds, planning, messages, reports = tick(settings, state, queues, args.workers)
        cluedin_cpu = cpu_seconds(cluedin.process.pid) - emulator_cpu[0]
        purview_cpu = cpu_seconds(purview.process.pid) - emulator_cpu[1]
        purview_stats = emulator_stats(purview.url)
        operations = needed_operations(purview_stats)
        bound = operations / RATE
        cluedin_reads = reads(emulator_stats(cluedin.url))
        for report in reports:
            print(f"plan {report.feature}: {report.status}, {report.enqueued} changes, {report.duration_ms} ms"
                  + (f", errors {report.errors}" if report.errors else ""))  # fmt: skip
        print(
            f"initial sync (timer fired → last message applied): {seconds:.1f}s for {operations} Purview operations "
            f"({int(purview_stats['statuses'].get('429', 0))} throttled answers) in {messages} messages; lower bound "
            f"{bound:.1f}s at {RATE:g} ops/s; ratio {seconds / max(bound, 1e-9):.3f} (planning took {planning:.1f}s)"
        )
        print(
            f"  CluedIn's own bound: {cluedin_reads['total']} reads at the app's {CLUEDIN_RATE} requests/s = "
            f"{cluedin_reads['total'] / CLUEDIN_RATE:.2f}s"
        )
        print(
            f"  meanwhile the CluedIn emulator used {cluedin_cpu:.1f}s of CPU answering the planners' reads and the "
            f"Purview emulator {purview_cpu:.1f}s (both share this machine's {os.cpu_count()} cores with the app)"
        )
        previews = args.streams * ceil(n / SAMPLE_PAGE)
        types = min(types_sample, args.entity_types)
        searches = types * ceil(per_type / SAMPLE_PAGE)
        print(
            "CluedIn reads: "
            + ", ".join(f"{k} {v}" for k, v in cluedin_reads.items())
            + f"\n  bound on searches: distinct stream filters x ceil(N/{SAMPLE_PAGE}) + T x ceil(S/{SAMPLE_PAGE}) <= "
            f"{previews} + {searches} = {previews + searches} (N={n}, T={types}, S={per_type}); "
            f"bound on history reads: T x S = {types * per_type} (records contributed to by a crawler or enricher "
            "are the ones sampled)"
        )

        requests.delete(f"{purview.url}/_emulator/stats", timeout=10)
        requests.delete(f"{cluedin.url}/_emulator/stats", timeout=10)
        again, _, leftover, again_reports = tick(settings, state, queues, 2)
        quiet = emulator_stats(purview.url)
        quiet_reads = reads(emulator_stats(cluedin.url))
        print(
            f"no-change cycle: {sum(sum(r.planned.values()) for r in again_reports)} changes, {leftover} messages, "
            f"{quiet['writes']} Purview writes, {quiet['total']} Purview calls, CluedIn {quiet_reads['total']} calls "
            f"({', '.join(f'{k} {v}' for k, v in quiet_reads.items() if v and k != 'total')}), "
            f"{again:.1f}s"
        )

        stream_id = next(iter(requests.get(f"{cluedin.url}/_emulator/state", timeout=60).json()["collections"]
                              ["streams"]))["id"]  # fmt: skip
        requests.post(f"{cluedin.url}/_emulator/activity/stream/update",
                      json={"id": stream_id, "name": "Renamed stream"}, timeout=30).raise_for_status()  # fmt: skip
        requests.delete(f"{purview.url}/_emulator/stats", timeout=10)
        _, _, _, updated_reports = tick(settings, state, queues, 2)
        updated = emulator_stats(purview.url)
        planned = {r.feature: r.planned for r in updated_reports}
        print(f"one updated stream: planned {planned}; {updated['total']} Purview calls ({updated['writes']} writes)")
        print(json.dumps({"summary": {
            "ratio": round(seconds / max(bound, 1e-9), 3), "sync_seconds": round(seconds, 2),
            "lower_bound_seconds": round(bound, 2), "purview_operations": operations,
            "cluedin_reads": cluedin_reads, "no_change_purview_writes": quiet["writes"],
            "no_change_history_reads": quiet_reads["entity history"], "updated_stream_purview_calls": updated["total"],
        }}))  # fmt: skip
    finally:
        cluedin.stop()
        purview.stop()
        azurite.stop()
