"""F1 at scale: tagged Purview assets → CluedIn data sources.

    .venv/bin/python -m bench datasources_sync [--assets 10000] [--plan-only [--pipelines]]

Prints, for the initial sync and for a second cycle with no changes: Purview and CluedIn calls (reads, writes),
wall time of planning and of applying, messages enqueued, and the peak memory of the planning process.

How: Azurite and both emulators run as separate processes (their CPU is not the app's). Each planning cycle runs
in a fresh child process, as the Functions worker would run the timer's cycle, and reports its own peak resident
memory (VmHWM from /proc/self/status — not `ru_maxrss`, which a child inherits from the parent's peak). Without
`--plan-only` the queue is drained by the local host (devhost) with the host's concurrency; with it, the messages
are dropped and the state rows an apply would have written are written directly, so the second cycle measures a
no-change cycle over the whole estate without waiting for CluedIn (how large estates are measured: 100,000
assets). Client-side rate limits are raised so the figures show the app's own cost, not a configured throttle.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from devhost.azurite import start_azurite
from emulators._common import start_process

TERM = "Sync to CluedIn"
GLOSSARY = "Business Glossary"


def estate(count: int) -> dict[str, Any]:
    """Half ADLS files with a tabular schema, half SQL tables; every asset tagged; 4 columns each."""
    meanings = [{"typeName": "AtlasGlossaryTerm", "uniqueAttributes": {"qualifiedName": f"{TERM}@{GLOSSARY}"}}]
    entities: list[dict[str, Any]] = []
    guid = 0

    def next_guid() -> str:
        nonlocal guid
        guid -= 1
        return str(guid)

    for i in range(count):
        if i % 2:
            qn = f"https://lake.dfs.core.windows.net/raw/extracts/customer_extract_{i:05d}.csv"
            file_guid, schema_guid = next_guid(), next_guid()
            entities.append(
                {
                    "typeName": "azure_datalake_gen2_path",
                    "guid": file_guid,
                    "attributes": {"qualifiedName": qn, "name": f"customer_extract_{i:05d}.csv", "isFile": True},
                    "relationshipAttributes": {"meanings": meanings},
                }
            )
            entities.append(
                {
                    "typeName": "tabular_schema",
                    "guid": schema_guid,
                    "attributes": {"qualifiedName": f"{qn}#schema", "name": "tabular_schema"},
                    "relationshipAttributes": {
                        "associatedDataSets": [{"guid": file_guid, "typeName": "azure_datalake_gen2_path"}]
                    },
                }
            )
            for column in ("Id", "Name", "Email", "City"):
                entities.append(
                    {
                        "typeName": "column",
                        "guid": next_guid(),
                        "attributes": {"qualifiedName": f"{qn}#schema//{column}", "name": column, "type": "string"},
                        "relationshipAttributes": {
                            "composeSchema": {"guid": schema_guid, "typeName": "tabular_schema"}
                        },
                    }
                )
        else:
            qn = f"mssql://sql.database.windows.net/crm/dbo/customer_table_{i:05d}"
            table_guid = next_guid()
            entities.append(
                {
                    "typeName": "azure_sql_table",
                    "guid": table_guid,
                    "attributes": {"qualifiedName": qn, "name": f"customer_table_{i:05d}"},
                    "relationshipAttributes": {"meanings": meanings},
                }
            )
            for column in ("Id", "Name", "Email", "City"):
                entities.append(
                    {
                        "typeName": "azure_sql_column",
                        "guid": next_guid(),
                        "attributes": {"qualifiedName": f"{qn}#{column}", "name": column, "data_type": "nvarchar"},
                        "relationshipAttributes": {"table": {"guid": table_guid, "typeName": "azure_sql_table"}},
                    }
                )
    return {"glossaries": [{"name": GLOSSARY, "terms": [{"name": TERM}]}], "entities": entities}


def stats(url: str) -> dict[str, Any]:
    body: dict[str, Any] = requests.get(f"{url}/_emulator/stats", timeout=30).json()
    return body


def reset_stats(*urls: str) -> None:
    for url in urls:
        requests.delete(f"{url}/_emulator/stats", timeout=30).raise_for_status()


def run_timer(environment: dict[str, str], changes_file: str = "") -> tuple[float, float, str]:
    """One planning cycle in a fresh process. Returns (seconds, the process's own peak memory in MB, output).

    With `changes_file`, the planned changes are also written there, one JSON line each, as they are planned.
    """
    code = (
        "import time, json, os\n"
        "from sync import runtime\n"
        "from sync.core.engine import run_cycle\n"
        "from sync.features.datasources.feature import DataSourcesFeature\n"
        "feature = DataSourcesFeature()\n"
        "path = os.environ.get('BENCH_CHANGES_FILE')\n"
        "if path:\n"
        "    out = open(path, 'w')\n"
        "    def teed(plan):\n"
        "        def tee(*args, **kwargs):\n"
        "            for change in plan(*args, **kwargs):\n"
        "                out.write(change.model_dump_json() + '\\n'); yield change\n"
        "        return tee\n"
        "    feature.plan, feature.plan_ordered = teed(feature.plan), teed(feature.plan_ordered)\n"
        "t = time.monotonic(); report = run_cycle(feature, runtime.context())\n"
        "d = time.monotonic() - t\n"
        "assert report.ok, report.errors\n"
        "hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
        "print(json.dumps({'seconds': d, 'rss_mb': int(hwm.split()[1]) / 1024, 'planned': report.planned}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **environment, "BENCH_CHANGES_FILE": changes_file},
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return float(result["seconds"]), float(result["rss_mb"]), done.stderr


def write_applied_state(environment: dict[str, str], changes_file: Path) -> int:
    """What applying every planned change would leave in state (for `--plan-only`); the queued messages are dropped.

    The rows are derived the way the applier derives them (the planned desired state and its fingerprint), so the
    next cycle is exactly a no-change cycle.
    """
    from sync.core.messages import Change, Queues
    from sync.core.settings import Settings
    from sync.core.state import StateStore, SyncObject
    from sync.core.storage import base64_queue, queue_service, table_service

    engine = Settings(environment).engine
    state = StateStore(table_service(engine), engine.sync_table_prefix)
    base64_queue(queue_service(engine), f"{engine.sync_queue_prefix}-{Queues.CLUEDIN.value}").clear_messages()
    rows: list[SyncObject] = []
    written = 0
    with changes_file.open() as lines:
        for line in lines:
            change = Change.model_validate_json(line)
            desired = change.desired
            rows.append(
                SyncObject(
                    kind=change.object_kind,
                    key=change.key,
                    source={k: desired[k] for k in ("guid", "typeName", "qualifiedName")},
                    target={"group_id": "0", "group_name": desired["group_name"], "source_id": "0"},
                    data={"name": desired["name"], "schema": [], "terms": []},
                    fingerprint=change.fingerprint,
                    status="active",
                )
            )
            if len(rows) == 100:
                state.upsert_many(rows)
                written += len(rows)
                rows = []
    if rows:
        state.upsert_many(rows)
        written += len(rows)
    return written


def main(argv: list[str]) -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="bench datasources_sync")
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--plan-only", action="store_true", help="do not apply: write the applied state directly")
    parser.add_argument(
        "--pipelines", action="store_true", help="then F12's timer over the same estate (with --plan-only)"
    )
    args = parser.parse_args(argv)
    if args.pipelines and not args.plan_only:
        parser.error("--pipelines measures planning only: add --plan-only")
    count = args.assets
    print(f"F1 benchmark: {count} tagged Purview assets (half ADLS files with a schema, half SQL tables)", flush=True)

    azurite = start_azurite()
    with tempfile.TemporaryDirectory() as tmp:
        seed = Path(tmp) / "estate.json"
        seed.write_text(json.dumps(estate(count)))
        started = time.monotonic()
        purview = start_process("emulators.purview", ["--seed", str(seed)])
        print(f"  Purview emulator seeded with {count} assets in {time.monotonic() - started:.1f} s", flush=True)
    cluedin = start_process("emulators.cluedin", ["--org", "bench"])
    try:
        environment = {
            "AzureWebJobsStorage": azurite.connection_string,
            "SYNC_TABLE_PREFIX": "bench",
            "PURVIEW_BASE_URL": purview.url,
            "PURVIEW_STATIC_TOKEN": "bench",
            "PURVIEW_MAX_OPERATIONS_PER_SECOND": "100000",
            "CLUEDIN_URL": cluedin.url,
            "CLUEDIN_ORGANIZATION": "bench",
            "CLUEDIN_USERNAME": "admin@bench.local",
            "CLUEDIN_PASSWORD": "demo-password",
            "CLUEDIN_MAX_REQUESTS_PER_SECOND": "100000",
            "SYNC_CLUEDIN_DATA_SOURCES": "true",
            "SYNC_CLUEDIN_DATA_SOURCES_KEYWORDS": TERM,
            "SYNC_SCHEDULE": "0 */1 * * * *",
            "SYNC_QUEUE_PREFIX": "sync",
            "POLL_SCHEDULE": "30 */5 * * * *",
            "PIPELINE_AUTOMATION_SCHEDULE": "15 */1 * * * *",
            "FUNCTIONS_WORKER_RUNTIME": "python",
        }
        reset_stats(purview.url, cluedin.url)
        changes_file = Path(tempfile.mkdtemp()) / "changes.jsonl"
        plan_seconds, plan_rss, _ = run_timer(environment, str(changes_file) if args.plan_only else "")
        planned_purview = stats(purview.url)
        print("\nInitial sync")
        print(
            f"  timer (plan):  {plan_seconds:7.1f} s, peak memory {plan_rss:.0f} MB, "
            f"Purview calls {planned_purview['total']} (search pages)"
        )
        if args.plan_only:
            started = time.monotonic()
            written = write_applied_state(environment, changes_file)
            apply_seconds = 0.0
            print(f"  (plan only: {written} state rows written as an apply would, {time.monotonic() - started:.0f} s)")
        else:
            from devhost.host import LocalHost

            host = LocalHost.load("function_app:app", environment, functions=["apply_cluedin_change"])
            with host:
                started = time.monotonic()
                summary = host.drain(timeout=3600)
                apply_seconds = time.monotonic() - started
            counts = summary.functions["apply_cluedin_change"]
            print(
                f"  queue (apply): {apply_seconds:7.1f} s for {counts.invocations} messages "
                f"({counts.succeeded} ok, {counts.failed} failed and retried, {counts.poisoned} poisoned)"
            )
        purview_after = stats(purview.url)
        cluedin_after = stats(cluedin.url)
        for service, after in (("Purview", purview_after), ("CluedIn", cluedin_after)):
            print(f"  {service} calls: {after['total']} ({after['reads']} reads, {after['writes']} writes)")
        print(f"  wall time:     {plan_seconds + apply_seconds:7.1f} s")

        reset_stats(purview.url, cluedin.url)
        second_seconds, second_rss, _ = run_timer(environment)
        purview_second = stats(purview.url)
        cluedin_second = stats(cluedin.url)
        bound = 10 + math.ceil(count / 1000)
        print("\nSecond cycle, nothing changed")
        print(f"  timer (plan):  {second_seconds:7.1f} s, peak memory {second_rss:.0f} MB")
        print(f"  Purview calls: {purview_second['total']} (bound {bound}), writes {purview_second['writes']}")
        print(f"  CluedIn calls: {cluedin_second['total']}, writes {cluedin_second['writes']}")
        print(f"  peak memory of the planning process: {max(plan_rss, second_rss):.0f} MB (goal ≤ 250 MB)")
        if args.pipelines:
            from bench._pipelines_plan_only import measure_pipelines

            print(flush=True)
            measure_pipelines(environment, purview.url, cluedin.url, TERM)
    finally:
        cluedin.stop()
        purview.stop()
        azurite.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
