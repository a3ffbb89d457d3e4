"""The Purview change feed: from a Purview entity change (its notification delivered) to the change in CluedIn.

    .venv/bin/python -m bench change_feed [--changes 36] [--estate 1000]

Prints the median, p95 and worst latency over `--changes` tagged assets, and what polling would take instead.

How: Azurite and the Purview and CluedIn emulators run as separate processes; the Purview emulator holds an estate
of `--estate` tagged assets, synced once by a full cycle before measuring. The app runs in the local Functions host
(devhost) with the repository's host.json, so the queue functions poll as in Azure (up to `maxPollingInterval`,
2 s, when idle). A bridge forwards what the Purview emulator publishes on its notification hub to the host's
stand-in Event Hub every 50 ms (devhost/purview_feed.py). Each change is one of:

- a new table upserted with the keyword term in its `meanings` (one ENTITY_CREATE notification), or
- every third one, an existing untagged table given the term through the glossary API (RELATIONSHIP_CREATE);

the clock starts when the bridge hands the change's notification to the hub and stops when the CluedIn emulator
answers with the new data source group (polled every 20 ms). Polling instead: the next timer tick is 0-60 s away
(SYNC_SCHEDULE every minute), then one full cycle over the estate plans and applies it — measured here once.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from devhost.azurite import start_azurite
from devhost.host import LocalHost
from devhost.purview_feed import NotificationBridge
from emulators._common import start_process

TERM = "Sync to CluedIn"
GLOSSARY = "Business Glossary"
HUB, GROUP = "atlas_entities", "cluedin-sync"
TIMEOUT = 60.0


def table(name: str, *, tagged: bool, guid: str = "-1") -> dict[str, Any]:
    """An Azure SQL table entity, with the keyword term in `meanings` when tagged."""
    entity: dict[str, Any] = {
        "typeName": "azure_sql_table",
        "guid": guid,
        "attributes": {"qualifiedName": f"mssql://bench.database.windows.net/crm/dbo/{name}", "name": name},
    }
    if tagged:
        entity["relationshipAttributes"] = {
            "meanings": [{"typeName": "AtlasGlossaryTerm", "uniqueAttributes": {"qualifiedName": f"{TERM}@{GLOSSARY}"}}]
        }
    return entity


def estate(count: int) -> dict[str, Any]:
    """The glossary and `count` tagged tables."""
    return {
        "glossaries": [{"name": GLOSSARY, "terms": [{"name": TERM, "status": "Approved"}]}],
        "entities": [table(f"Estate{i:05d}", tagged=True, guid=str(-1 - i)) for i in range(count)],
    }


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


class Purview:
    """The Purview emulator as a scanner and a data steward use it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()
        self.session.headers["Authorization"] = "Bearer bench"
        self.atlas = f"{url}/datamap/api/atlas/v2"
        glossary = next(
            g for g in self.session.get(f"{self.atlas}/glossary", timeout=10).json() if g["name"] == GLOSSARY
        )
        terms = self.session.get(f"{self.atlas}/glossary/{glossary['guid']}/terms", timeout=10).json()
        self.term = next(t["guid"] for t in terms if t["name"] == TERM)

    def position(self) -> int:
        """Number of the last notification published."""
        return int(
            self.session.get(f"{self.url}/_emulator/notifications", params={"limit": 0}, timeout=10).json()["last"]
        )

    def upsert(self, entity: dict[str, Any]) -> str:
        """Create or update one entity; returns its guid."""
        answer = self.session.post(f"{self.atlas}/entity/bulk", json={"entities": [entity]}, timeout=10)
        answer.raise_for_status()
        body = answer.json()
        assigned = body.get("guidAssignments") or {}
        if entity["guid"] in assigned:
            return str(assigned[entity["guid"]])
        return str(next(iter(body["mutatedEntities"].values()))[0]["guid"])

    def tag(self, guid: str) -> None:
        """Assign the keyword term through the glossary API (a steward in the portal)."""
        url = f"{self.atlas}/glossary/terms/{self.term}/assignedEntities"
        self.session.post(url, json=[{"guid": guid}], timeout=10).raise_for_status()


def wait_for(condition: Any, what: str) -> float:
    """Poll until `condition()` is true; returns `time.monotonic()` at that moment."""
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {TIMEOUT:.0f} s")
        time.sleep(0.02)
    return time.monotonic()


def main(argv: list[str]) -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="bench change_feed")
    parser.add_argument("--changes", type=int, default=36)
    parser.add_argument("--estate", type=int, default=1000)
    args = parser.parse_args(argv)
    print(f"Change feed benchmark: {args.changes} changes on an estate of {args.estate} synced assets", flush=True)
    azurite = start_azurite()
    with tempfile.TemporaryDirectory() as tmp:
        seed = Path(tmp) / "estate.json"
        seed.write_text(json.dumps(estate(args.estate)))
        purview_process = start_process("emulators.purview", ["--seed", str(seed)])
    cluedin_process = start_process("emulators.cluedin", ["--org", "bench"])
    environment = {
        "FUNCTIONS_WORKER_RUNTIME": "python",
        "AzureWebJobsStorage": azurite.connection_string,
        "SYNC_TABLE_PREFIX": "benchfeed",
        "SYNC_QUEUE_PREFIX": "benchfeed",
        "SYNC_SCHEDULE": "0 */1 * * * *",
        "POLL_SCHEDULE": "30 */5 * * * *",
        "PIPELINE_AUTOMATION_SCHEDULE": "15 */1 * * * *",
        "PURVIEW_BASE_URL": purview_process.url,
        "PURVIEW_STATIC_TOKEN": "bench",
        "PURVIEW_MAX_OPERATIONS_PER_SECOND": "200",
        "CLUEDIN_URL": cluedin_process.url,
        "CLUEDIN_ORGANIZATION": "bench",
        "CLUEDIN_USERNAME": "admin@bench.local",
        "CLUEDIN_PASSWORD": "demo-password",
        "CLUEDIN_MAX_REQUESTS_PER_SECOND": "200",
        "SYNC_CLUEDIN_DATA_SOURCES": "true",
        "SYNC_CLUEDIN_DATA_SOURCES_KEYWORDS": TERM,
        "PURVIEW_CHANGE_FEED_ENABLED": "true",
        "PURVIEW_CHANGE_FEED_HUB": HUB,
        "PURVIEW_CHANGE_FEED_CONSUMER_GROUP": GROUP,
    }
    try:
        host = LocalHost.load(
            "function_app:app",
            environment,
            functions=["plan_sync_schedule", "apply_cluedin_change", "purview_change_feed"],
        )
        with host:
            run(host, Purview(purview_process.url), environment, args)
    finally:
        for process in (cluedin_process, purview_process, azurite):
            process.stop()


def run(host: LocalHost, purview: Purview, environment: dict[str, str], args: argparse.Namespace) -> None:
    """Sync the estate, measure one change by polling, then every change through the feed."""
    from sync.core.settings import Settings
    from sync.services.cluedin.connection import cluedin_client

    cluedin = cluedin_client(Settings(environment))

    def group_exists(name: str) -> bool:
        return cluedin.find_data_source_set(name) is not None

    started = time.monotonic()
    host.fire_all_timers()
    summary = host.drain(timeout=3600)
    print(f"  estate synced by a full cycle in {time.monotonic() - started:.1f} s ({summary.invocations} invocations)")

    purview.upsert(table("ByPolling", tagged=True))
    started = time.monotonic()
    host.run_timer("plan_sync_schedule")
    host.drain(timeout=600)
    polled = time.monotonic() - started
    assert group_exists("ByPolling"), "the full cycle did not create the polled asset's data source"

    bridge = NotificationBridge(purview.url, environment["AzureWebJobsStorage"], HUB, GROUP)
    host.start(http=False, timers=False, queues=True)
    bridge.start()
    latencies: dict[str, list[float]] = {
        "ENTITY_CREATE (new tagged table)": [],
        "RELATIONSHIP_CREATE (term assigned)": [],
    }
    try:
        for index in range(args.changes):
            name = f"Change{index:03d}"
            if index % 3 == 2:
                guid = purview.upsert(table(name, tagged=False))
                time.sleep(0.3)  # the untagged table's own notification is planned (nothing to do) first
                position = purview.position()
                purview.tag(guid)
                kind = "RELATIONSHIP_CREATE (term assigned)"
            else:
                position = purview.position()
                purview.upsert(table(name, tagged=True))
                kind = "ENTITY_CREATE (new tagged table)"
            numbers = range(position + 1, purview.position() + 1)
            wait_for(lambda numbers=numbers: all(n in bridge.delivered for n in numbers), "delivery")
            delivered = max(bridge.delivered[n] for n in numbers)
            applied = wait_for(lambda name=name: group_exists(name), f"data source {name}")
            latencies[kind].append(applied - delivered)
            time.sleep(0.1)
    finally:
        bridge.stop()
        host.stop()
    every = [value for values in latencies.values() for value in values]
    print(f"\nNotification delivered → data source in CluedIn, {len(every)} changes")
    for kind, values in [("all", every), *latencies.items()]:
        if values:
            print(
                f"  {kind:38s} median {statistics.median(values):5.2f} s, p95 {percentile(values, 0.95):5.2f} s, "
                f"worst {max(values):5.2f} s (n={len(values)})"
            )
    print(f"  goal: p95 ≤ 5 s → {'met' if percentile(every, 0.95) <= 5.0 else 'NOT met'}")
    print("\nBy polling (SYNC_SCHEDULE every minute)")
    print(f"  the next tick is 0-60 s away (30 s on average); then a full cycle over {args.estate + 1} assets")
    print(f"  plans and applies it in {polled:.1f} s")
    print(f"  total: {polled:.1f}-{60 + polled:.1f} s")
