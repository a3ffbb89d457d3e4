"""Glossary sync at scale (issue 12): F5, F6 and F7 against Purview throttled to 25 operations/s.

    python -m bench glossary_sync [--vocabularies 50] [--keys 100] [--vocabulary-terms 50] [--child-terms 99]
                                  [--glossary-terms 2000] [--workers 16]

Azurite, the Purview emulator and the CluedIn emulator run as separate processes; Purview answers 429 above
25 operations/s (one capacity unit) and the app's shared limiter is set to the same rate, as in production. Each
planning cycle is `run_cycle`/`run_tick` (as the timer runs it) while `--workers` queue listeners call
`apply_message` (as the host's queue triggers do, always listening). Printed:

1. F5 initial sync of vocabularies times keys (5,000 keys): duration from the timer firing to the last message applied,
   against the lower bound Purview operations ÷ 25 (goal: at most 1.15 times);
2. a no-change tick of F5, F6 and F7: writes on both sides (goal 0) and Purview reads (goal ≤ ⌈terms/1000⌉ + 10);
3. one renamed vocabulary: Purview writes of the next cycle (goal ≤ 5);
4. F7: 2,000 Purview terms → the CluedIn glossary; 5. F6: 5,000 Purview terms → vocabularies and keys — duration,
   mutations, and a no-change cycle after each.

    python -m bench glossary_sync --plan-only [--keys-total 100000] [--terms-total 100000] [--features f5,f6,f7]

measures instead each feature's planning cycle alone — its own peak memory, time and CPU at a tenth of the size
and at the size, then a no-change cycle (bench/_glossary_plan_only.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import threading
import time
import uuid
from typing import Any

import requests
from azure.core.exceptions import ResourceExistsError

from bench._glossary_plan_only import SHORT, plan_only
from bench._listener import deliver
from bench.lineage_sync import emulator_stats, needed_operations, stack_environment
from devhost.azurite import start_azurite
from emulators._common import start_process
from emulators.cluedin.seed import DEFAULT_PASSWORD, default_username
from sync.core.engine import run_tick
from sync.core.feature import SyncContext
from sync.core.report import RunReport
from sync.core.settings import Settings
from sync.core.state import StateStore
from sync.core.storage import QueueSender, base64_queue, table_service
from sync.core.storage import queue_service as queue_service_client
from sync.features.registry import all_features
from sync.runtime import CLIENT_FACTORIES, FEED_SOURCES

ORG = "bench"
RATE = 25.0
F5, F6, F7 = "vocabularies_to_glossary", "glossary_to_vocabularies", "glossary_to_cluedin_glossary"
TOGGLES = {
    F5: "SYNC_CLUEDIN_VOCABULARIES_TO_PURVIEW_GLOSSARIES",
    F6: "SYNC_PURVIEW_GLOSSARIES_TO_CLUEDIN_VOCABULARIES",
    F7: "SYNC_PURVIEW_GLOSSARIES_TO_CLUEDIN_GLOSSARIES",
}
TEMPLATE = "CluedIn Template"


def environment(storage: str, prefix: str, purview: str, cluedin: str) -> dict[str, str]:
    """The app's settings against the local services (glossary features off: a phase turns its own on)."""
    return {
        **stack_environment(storage, prefix, purview, cluedin),
        "SYNC_DELETE_POLICY": "soft-delete",
        "PURVIEW_VOCABULARIES_GLOSSARY_NAME": "Glossary",
    }


class Bench:
    """The running services, the app's settings and state, and helpers to run cycles with listening workers."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.azurite = start_azurite()
        self.purview = start_process("emulators.purview", ["--account-name", "bench"])
        self.cluedin = start_process("emulators.cluedin", ["--org", ORG])
        prefix = "g" + uuid.uuid4().hex[:10]
        self.environment = environment(self.azurite.connection_string, prefix, self.purview.url, self.cluedin.url)
        engine = Settings(self.environment).engine
        self.state = StateStore(table_service(engine), prefix)
        self.state.ensure_tables()
        self.queue_service = queue_service_client(engine)
        self.queues = QueueSender(self.queue_service, prefix)
        self.features = {f.name: f for f in all_features()}
        self.planning_seconds = 0.0
        self.http = requests.Session()
        self.http.headers["Authorization"] = "Bearer bench"

    def stop(self) -> None:
        """Stop every process this benchmark started."""
        self.cluedin.stop()
        self.purview.stop()
        self.azurite.stop()

    def settings(self, *enabled: str) -> Settings:
        """The app's settings with the given glossary features on."""
        return Settings({**self.environment, **{TOGGLES[name]: "true" for name in enabled}})

    def throttle(self, on: bool) -> None:
        """Purview at one capacity unit (25 operations/s, 429 + Retry-After above), or unthrottled."""
        faults = {"throttle_ops_per_sec": RATE, "throttle_burst": int(RATE), "retry_after_seconds": 1} if on else {}
        requests.put(f"{self.purview.url}/_emulator/faults", json=faults, timeout=10).raise_for_status()
        if on:
            time.sleep(1.0)  # a full token bucket, as after an idle minute

    def reset_stats(self) -> None:
        """Zero both emulators' counters."""
        for url in (self.purview.url, self.cluedin.url):
            requests.delete(f"{url}/_emulator/stats", timeout=10)

    def cycle(self, *names: str) -> tuple[list[RunReport], float, int]:
        """One tick of the named features while workers apply their queues; (reports, seconds to the last
        message applied, messages applied)."""
        settings = self.settings(*names)
        features = [self.features[n] for n in self.features if n in names]
        queues = sorted({f.queue for f in features})
        done = threading.Event()
        applied: list[float] = []
        threads = [threading.Thread(target=self._work, args=(settings, q, done, applied)) for q in queues]
        threads += [
            threading.Thread(target=self._work, args=(settings, queues[i % len(queues)], done, applied))
            for i in range(self.workers - len(queues))
        ]
        for thread in threads:
            thread.start()
        start = time.monotonic()
        ctx = SyncContext(settings, self.state, self.queues, clients=CLIENT_FACTORIES, feed_sources=FEED_SOURCES)
        reports = run_tick(features, ctx)
        planned = time.monotonic()
        self.planning_seconds = planned - start
        done.set()
        for thread in threads:
            thread.join()
        return reports, max(applied, default=planned) - start, len(applied)

    def _work(self, settings: Settings, queue: Any, done: threading.Event, applied: list[float]) -> None:
        with contextlib.suppress(ResourceExistsError):
            base64_queue(self.queue_service, self.queues.name(queue)).create_queue()
        client = base64_queue(self.queue_service, self.queues.name(queue))
        ctx = SyncContext(settings, self.state, self.queues, clients=CLIENT_FACTORIES, feed_sources=FEED_SOURCES)
        empty = 0
        while True:
            messages = list(client.receive_messages(max_messages=1, visibility_timeout=600))
            # Messages sent with a delay (continuations, deferrals) are counted though not yet visible.
            idle = not messages and done.is_set() and empty >= 3
            if idle and client.get_queue_properties().approximate_message_count == 0:
                return
            if not messages:
                empty += 1
                time.sleep(min(0.5, 0.05 * 2 ** min(empty, 4)))  # idle polling backs off, as the host's does
                continue
            empty = 0
            for message in messages:
                if deliver(client, message, queue=queue.value, features=self.features, ctx=ctx):
                    applied.append(time.monotonic())

    # --- Purview content, written unthrottled before a phase ------------------------------------------------
    def atlas(self, method: str, path: str, **kwargs: Any) -> Any:
        """One Atlas call to the Purview emulator."""
        answer = self.http.request(method, f"{self.purview.url}/datamap/api/atlas/v2{path}", timeout=120, **kwargs)
        answer.raise_for_status()
        return answer.json() if answer.content else None

    def glossary_with_terms(self, name: str, parents: list[str], children: dict[str, list[str]], vocab: bool) -> None:
        """A glossary with parent terms (tagged CluedInVocab when `vocab`) and their child terms, in bulk calls."""
        glossary = self.atlas("POST", "/glossary", json={"name": name})["guid"]
        attributes = {"attributes": {TEMPLATE: {"CluedInVocab": True}}} if vocab else {}
        guids: dict[str, str] = {}
        for start in range(0, len(parents), 500):
            batch = [
                {"name": p, "anchor": {"glossaryGuid": glossary}, **attributes} for p in parents[start : start + 500]
            ]
            for made in self.atlas("POST", "/glossary/terms", params={"includeTermHierarchy": "true"}, json=batch):
                guids[made["name"]] = made["guid"]
        items = [(p, c) for p, kids in children.items() for c in kids]
        for start in range(0, len(items), 500):
            batch = [
                {"name": c, "anchor": {"glossaryGuid": glossary}, "parentTerm": {"termGuid": guids[p]}}
                for p, c in items[start : start + 500]
            ]
            self.atlas("POST", "/glossary/terms", params={"includeTermHierarchy": "true"}, json=batch)


def purview_counts(stats: dict[str, Any]) -> tuple[int, int]:
    """(reads, writes) Purview served, throttled answers not counted."""
    operations = needed_operations(stats)
    writes = int(stats["writes"])
    return operations - writes, writes


def summary(name: str, reports: list[RunReport], seconds: float, messages: int) -> str:
    """One line about a cycle."""
    planned = sum(sum(r.planned.values()) for r in reports)
    statuses = ",".join(sorted({r.status for r in reports}))
    return f"{name}: {planned} changes in {messages} messages, {seconds:.1f}s ({statuses})"


def main(argv: list[str]) -> None:
    """Run the phases and print their figures."""
    parser = argparse.ArgumentParser(prog="python -m bench glossary_sync")
    parser.add_argument("--vocabularies", type=int, default=50)
    parser.add_argument("--keys", type=int, default=100, help="keys per vocabulary")
    parser.add_argument("--vocabulary-terms", type=int, default=50)
    parser.add_argument("--child-terms", type=int, default=99, help="child terms per vocabulary term")
    parser.add_argument("--glossary-terms", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--plan-only", action="store_true", help="measure planning memory instead (see below)")
    parser.add_argument("--keys-total", type=int, default=100_000, help="--plan-only: CluedIn keys for F5")
    parser.add_argument("--terms-total", type=int, default=100_000, help="--plan-only: Purview terms for F6, F7")
    parser.add_argument("--features", default="f5,f6,f7", help="--plan-only: which of f5, f6, f7 to measure")
    parser.add_argument("--single", action="store_true", help="--plan-only: the size only, not a tenth of it too")
    args = parser.parse_args(argv)
    if args.plan_only:
        features = [SHORT[name.strip().lower()] for name in args.features.split(",") if name.strip()]
        plan_only(args.keys_total, args.terms_total, features, single=args.single)
        return
    bench = Bench(args.workers)
    figures: dict[str, Any] = {}
    try:
        vocabularies = [
            {"name": f"Vocabulary {v:03d}", "keyPrefix": f"vocab{v:03d}",
             "keys": [{"name": f"key{k:03d}", "dataType": "Text"} for k in range(args.keys)]}
            for v in range(args.vocabularies)
        ]  # fmt: skip
        seed = {"organization": {"name": ORG}, "vocabularies": vocabularies}
        requests.put(f"{bench.cluedin.url}/_emulator/state", json=seed, timeout=600).raise_for_status()
        template = {"name": TEMPLATE, "attributeDefs": [{"name": "CluedInVocab", "typeName": "boolean"}]}
        bench.atlas("POST", "/types/typedefs", json={"termTemplateDefs": [template]})
        keys = args.vocabularies * args.keys
        print(f"setup: {args.vocabularies} vocabularies of {args.keys} keys = {keys} keys in CluedIn", flush=True)

        # 1. F5 initial sync
        bench.throttle(True)
        bench.reset_stats()
        reports, seconds, messages = bench.cycle(F5)
        reads, writes = purview_counts(emulator_stats(bench.purview.url))
        throttled = int(emulator_stats(bench.purview.url)["statuses"].get("429", 0))
        bound = (reads + writes) / RATE
        print(summary("F5 initial sync", reports, seconds, messages) + f"; planning {bench.planning_seconds:.1f}s")
        print(
            f"  {reads + writes} Purview operations ({writes} writes, {reads} reads, {throttled} throttled answers); "
            f"lower bound {bound:.1f}s at {RATE:g} ops/s; ratio {seconds / max(bound, 1e-9):.3f} (goal ≤ 1.15)"
        )
        figures["f5_initial"] = {"seconds": round(seconds, 2), "bound": round(bound, 2), "operations": reads + writes}
        figures["f5_initial"]["ratio"] = round(seconds / max(bound, 1e-9), 3)

        # 4. F7: 2,000 Purview terms → CluedIn glossary
        bench.throttle(False)
        parents = [f"Concept {i:04d}" for i in range(args.glossary_terms // 4)]
        children = {p: [f"Detail {i:04d}-{j}" for j in range(3)] for i, p in enumerate(parents)}
        bench.glossary_with_terms("Business", parents, children, vocab=False)
        bench.throttle(True)
        bench.reset_stats()
        reports, seconds, messages = bench.cycle(F7)
        cluedin = emulator_stats(bench.cluedin.url)
        print(summary(f"F7 {len(parents) * 4} terms → CluedIn glossary", reports, seconds, messages))
        print(f"  {cluedin['writes']} CluedIn mutations, {cluedin['total'] - cluedin['writes']} CluedIn reads")
        figures["f7_initial_seconds"] = round(seconds, 2)

        # 2. no-change tick of the three features
        for _attempt in ("settle", "measure"):
            bench.reset_stats()
            reports, seconds, messages = bench.cycle(F5, F6, F7)
        purview_stats, cluedin_stats = emulator_stats(bench.purview.url), emulator_stats(bench.cluedin.url)
        reads, writes = purview_counts(purview_stats)
        terms = sum(r.source_objects for r in reports if r.feature == F5) + len(parents) * 4 + 1
        goal = math.ceil(terms / 1000) + 10
        print(summary("no-change tick (F5, F6, F7)", reports, seconds, messages))
        print(
            f"  writes: Purview {writes}, CluedIn {cluedin_stats['writes']} (goal 0); Purview reads {reads} "
            f"for {terms} terms (goal ≤ ⌈terms/1000⌉ + 10 = {goal})"
        )
        figures["no_change"] = {"purview_writes": writes, "cluedin_writes": cluedin_stats["writes"], "reads": reads}

        # 3. one renamed vocabulary
        rename = "mutation($v: InputVocabulary!) { management { saveVocabulary(vocabulary: $v) { vocabularyId } } }"
        listed = bench.http.post(
            f"{bench.cluedin.url}/graphql",
            json={"query": "{ management { vocabularies(pageSize: 1) { data { vocabularyId } } } }"},
            headers={"Authorization": f"Bearer {token(bench)}"},
            timeout=30,
        ).json()["data"]["management"]["vocabularies"]["data"][0]
        bench.http.post(
            f"{bench.cluedin.url}/graphql",
            json={
                "query": rename,
                "variables": {"v": {"vocabularyId": listed["vocabularyId"], "vocabularyName": "Renamed"}},
            },
            headers={"Authorization": f"Bearer {token(bench)}"},
            timeout=30,
        ).raise_for_status()
        bench.reset_stats()
        reports, seconds, messages = bench.cycle(F5)
        reads, writes = purview_counts(emulator_stats(bench.purview.url))
        print(summary("renamed vocabulary", reports, seconds, messages))
        print(f"  Purview writes {writes} (goal ≤ 5), Purview reads {reads}")
        figures["rename_writes"] = writes

        # 5. F6: 5,000 Purview terms → vocabularies and keys
        bench.throttle(False)
        vocab_terms = [f"Entity {i:03d}" for i in range(args.vocabulary_terms)]
        kids = {v: [f"Attribute {i:03d}-{j:03d}" for j in range(args.child_terms)] for i, v in enumerate(vocab_terms)}
        bench.glossary_with_terms("Vocabularies", vocab_terms, kids, vocab=True)
        bench.throttle(True)
        bench.reset_stats()
        reports, seconds, messages = bench.cycle(F6)
        cluedin = emulator_stats(bench.cluedin.url)
        count = len(vocab_terms) * (1 + args.child_terms)
        print(summary(f"F6 {count} terms → vocabularies and keys", reports, seconds, messages))
        print(f"  {cluedin['writes']} CluedIn mutations, {cluedin['total'] - cluedin['writes']} CluedIn reads")
        figures["f6_initial_seconds"] = round(seconds, 2)
        for _attempt in ("settle", "measure"):
            bench.reset_stats()
            reports, seconds, messages = bench.cycle(F5, F6)
        reads, writes = purview_counts(emulator_stats(bench.purview.url))
        print(summary("no-change tick (F5, F6) after F6", reports, seconds, messages))
        print(
            f"  writes: Purview {writes}, CluedIn {emulator_stats(bench.cluedin.url)['writes']}; Purview reads {reads}"
        )
        print(json.dumps({"summary": figures}))
    finally:
        bench.stop()


def token(bench: Bench) -> str:
    """A CluedIn user access token."""
    form = {"username": default_username(ORG), "password": DEFAULT_PASSWORD, "client_id": ORG, "grant_type": "password"}
    return str(requests.post(f"{bench.cluedin.url}/auth/connect/token", data=form, timeout=30).json()["access_token"])
