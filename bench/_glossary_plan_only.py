"""`bench glossary_sync --plan-only`: the glossary timers' own peak memory on large estates, and no-change cycles.

    python -m bench glossary_sync --plan-only [--keys-total 100000] [--terms-total 100000] [--features f5,f6,f7]
                                              [--single]

Each feature is measured at a tenth of the size and at the size (`--single`: the size only), so the cost per object
is visible. Per size:

- **F5** (CluedIn vocabularies → Purview terms): CluedIn holds `--keys-total` keys in vocabularies of 100 keys; the
  Purview account is empty but for its default glossary. The planning cycle runs; its messages are then applied
  by F5's own applier in this process (Purview unthrottled), because F5 compares with the terms Purview holds:
  a no-change cycle needs them there, with the state rows that name their guids.
- **F6** and **F7** (Purview terms → CluedIn vocabularies and keys / CluedIn glossary terms): Purview holds
  `--terms-total` terms, vocabulary terms (tagged `CluedInVocab`) with 99 child terms each; CluedIn is empty. Both
  write only CluedIn and plan a quiet cycle from state alone, so the state rows their appliers would write are
  written directly from the queued changes (as `_lineage_plan_only` does) and CluedIn is left untouched.

Every planning cycle runs in a fresh child process, as the Functions worker runs the timer (`run_cycle`, messages
packed and sent to the feature's queue, no applier listening), and reports its own peak resident memory (VmHWM
from /proc/self/status — not `ru_maxrss`, which a child inherits from its parent's peak), its duration and CPU.

Seeding: Purview takes its seed in one request. CluedIn's seed path checks each key's name against every key of the
store (100,000 keys took 311 s), so one vocabulary is seeded and copied, with fresh ids, in the emulator's own
snapshot format.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

CHILD = """
import json, sys, time
from sync import runtime
from sync.core.engine import run_cycle
from sync.features.registry import all_features

def status(field):
    line = next(line for line in open('/proc/self/status') if line.startswith(field + ':'))
    return int(line.split()[1]) / 1024

feature = next(f for f in all_features() if f.name == sys.argv[1])
ctx = runtime.context()
ready = status('VmRSS')
started, cpu = time.monotonic(), time.process_time()
report = run_cycle(feature, ctx)
seconds, cpu = time.monotonic() - started, time.process_time() - cpu
assert report.ok, report.errors
print(json.dumps({'seconds': seconds, 'cpu': cpu, 'peak_mb': status('VmHWM'), 'ready_mb': ready,
                  'planned': report.planned, 'enqueued': report.enqueued, 'status': report.status,
                  'source_objects': report.source_objects}))
"""

F5, F6, F7 = "vocabularies_to_glossary", "glossary_to_vocabularies", "glossary_to_cluedin_glossary"
SHORT = {"f5": F5, "f6": F6, "f7": F7}
KEYS_PER_VOCABULARY = 100
CHILD_TERMS = 99
QUEUE = {F5: "glossary", F6: "cluedin", F7: "cluedin"}
BUDGET_SLICE_SECONDS = 12.0
"""A claimed slice of a service's budget (6 s) plus the clock skew allowed (sync/services/budget_policy.py)."""


def run_timer(environment: dict[str, str], feature: str) -> dict[str, Any]:
    """One planning cycle of a feature in a fresh process: duration, CPU, own peak memory (MB), what it planned.

    It starts once the slices of the services' shared budget that earlier processes claimed have lapsed: a new
    instance otherwise waits for them (decision 0901), and the wait is not planning.
    """
    from bench._lineage_plan_only import run_child

    time.sleep(BUDGET_SLICE_SECONDS)
    return run_child(CHILD, environment, feature)


def queued_changes(environment: dict[str, str], feature: str) -> Any:
    """Every change of the feature's queue, message by message (lists of changes); the queue is emptied.

    Parts of a vocabulary split across messages are sent with a short delay: the queue is read until it is empty,
    invisible messages included.
    """
    from sync.core.messages import parse_message
    from sync.core.settings import Settings
    from sync.core.storage import base64_queue, queue_service

    engine = Settings(environment).engine
    queue = base64_queue(queue_service(engine), f"{engine.sync_queue_prefix}-{QUEUE[feature]}")
    while True:
        batch = list(queue.receive_messages(max_messages=32, visibility_timeout=7200))
        if not batch:
            if queue.get_queue_properties().approximate_message_count == 0:
                return
            time.sleep(1.0)
            continue
        for message in batch:
            yield [c for c in parse_message(message.content).changes if c.feature == feature]
            queue.delete_message(message)


def apply_f5(environment: dict[str, str]) -> tuple[int, int]:
    """Apply F5's queued messages with its own applier (Purview unthrottled); (messages, changes).

    A later part of a split vocabulary that comes before its first part waits (ContentionError) and is tried again.
    """
    from sync.core.errors import ContentionError
    from sync.core.feature import SyncContext
    from sync.core.settings import Settings
    from sync.core.state import StateStore
    from sync.core.storage import QueueSender, queue_service, table_service
    from sync.features.vocabularies_to_glossary.feature import VocabulariesToGlossaryFeature
    from sync.runtime import CLIENT_FACTORIES, FEED_SOURCES

    fast = {**environment, "PURVIEW_MAX_OPERATIONS_PER_SECOND": "100000"}
    settings = Settings(fast)
    state = StateStore(table_service(settings.engine), settings.engine.sync_table_prefix)
    queues = QueueSender(queue_service(settings.engine), settings.engine.sync_queue_prefix)
    ctx = SyncContext(settings, state, queues, clients=CLIENT_FACTORIES, feed_sources=FEED_SOURCES)
    feature = VocabulariesToGlossaryFeature()
    messages = changes = 0
    later = []
    for batch in queued_changes(environment, F5):
        messages += 1
        changes += len(batch)
        try:
            feature.apply_batch(batch, ctx, owner="bench")
        except ContentionError:
            later.append(batch)
    for batch in later:
        feature.apply_batch(batch, ctx, owner="bench")
    return messages, changes


def write_applied_rows(environment: dict[str, str], feature: str) -> tuple[int, int]:
    """The state rows F6's or F7's applier would leave, written from the queued changes; (messages, changes).

    Ids CluedIn would give are made up (stable per key); rows carry what the planners read: target ids, the key
    prefix and names, the values written, labels, fingerprints and statuses, as the writers record them.
    """
    from sync.core.messages import ChangeKind
    from sync.core.settings import Settings
    from sync.core.state import StateStore, SyncObject
    from sync.core.storage import table_service
    from sync.core.twoway import written_by

    engine = Settings(environment).engine
    state = StateStore(table_service(engine), engine.sync_table_prefix)
    prefixes: dict[str, tuple[str, str]] = {}
    messages = changes = 0
    for batch in queued_changes(environment, feature):
        messages += 1
        rows = []
        for change in batch:
            changes += 1
            if change.kind == ChangeKind.DELETE:
                continue
            ident = str(uuid.uuid5(uuid.NAMESPACE_URL, change.key))
            row = SyncObject(change.object_kind, change.key, fingerprint=change.fingerprint, status="active")
            if feature == F7:
                row.target = {"id": ident, "categoryId": "bench-category"}
                row.data = {"label": change.desired.get("label"), "written": written_by(change)}
            else:
                if change.key.startswith("vocab|"):
                    prefixes[change.key] = (ident, str(change.desired["key_prefix"]))
                    row.target = {"vocabularyId": ident, "keyPrefix": change.desired["key_prefix"]}
                else:
                    vocabulary_id, prefix = prefixes[str(change.desired["parent"])]
                    name = change.desired["name"]
                    row.target = {
                        "vocabularyKeyId": ident,
                        "key": f"{prefix}.{name}",
                        "name": name,
                        "vocabularyId": vocabulary_id,
                    }
                row.data = {k: change.desired.get(k) for k in ("label", "group", "parent")}
                row.data["written"] = written_by(change)
            rows.append(row)
        if rows:
            state.upsert_many(rows)
    return messages, changes


def seed_cluedin_vocabularies(url: str, keys_total: int) -> None:
    """CluedIn with `keys_total` keys in vocabularies of 100 keys (one seeded, the others copies of it)."""
    import requests

    from bench.glossary_sync import ORG

    keys = [{"name": f"key{k:03d}", "dataType": "Text"} for k in range(KEYS_PER_VOCABULARY)]
    template = {"name": "Vocabulary 00000", "keyPrefix": "vocab00000", "keys": keys}
    seed = {"organization": {"name": ORG}, "vocabularies": [template]}
    requests.put(f"{url}/_emulator/state", json=seed, timeout=600).raise_for_status()
    snapshot = requests.get(f"{url}/_emulator/state", timeout=600).json()
    collections = snapshot["collections"]
    [vocabulary] = [v for v in collections["vocabularies"] if v["keyPrefix"] == "vocab00000"]
    own = [k for k in collections["vocabulary_keys"] if k["vocabularyId"] == vocabulary["vocabularyId"]]
    for number in range(1, keys_total // KEYS_PER_VOCABULARY):
        vid, prefix = str(uuid.uuid4()), f"vocab{number:05d}"
        name = f"Vocabulary {number:05d}"
        collections["vocabularies"].append(
            {**vocabulary, "vocabularyId": vid, "keyPrefix": prefix, "vocabularyName": name}
        )
        collections["vocabulary_keys"] += [
            {**k, "vocabularyKeyId": str(uuid.uuid4()), "vocabularyId": vid, "key": f"{prefix}.{k['name']}"}
            for k in own
        ]
    requests.put(f"{url}/_emulator/state", json=snapshot, timeout=600).raise_for_status()


def seed_purview_terms(url: str, terms_total: int) -> None:
    """Purview with a glossary of `terms_total` terms: vocabulary terms (tagged CluedInVocab) of 99 child terms."""
    import requests

    from bench.glossary_sync import TEMPLATE

    terms: list[dict[str, Any]] = []
    for v in range(terms_total // (CHILD_TERMS + 1)):
        parent = f"Entity {v:05d}"
        terms.append({"name": parent, "attributes": {TEMPLATE: {"CluedInVocab": True}}})
        terms += [{"name": f"Attribute {v:05d}-{c:03d}", "parentTerm": {"name": parent}} for c in range(CHILD_TERMS)]
    seed = {
        "termTemplates": [{"name": TEMPLATE, "attributeDefs": [{"name": "CluedInVocab", "typeName": "boolean"}]}],
        "glossaries": [{"name": "Vocabularies", "terms": terms}],
    }
    requests.put(f"{url}/_emulator/state", json=seed, timeout=600).raise_for_status()


def line(name: str, figures: dict[str, Any]) -> str:
    """One printed line about a planning cycle."""
    planned = sum(figures["planned"].values())
    return (
        f"  {name}: {figures['seconds']:.1f}s ({figures['cpu']:.1f}s CPU), peak memory (VmHWM) "
        f"{figures['peak_mb']:.0f} MB ({figures['ready_mb']:.0f} MB before planning), {planned} changes "
        f"{figures['planned']}, {figures['source_objects']} source objects"
    )


def measure(environment: dict[str, str], feature: str) -> dict[str, Any]:
    """A feature's first planning cycle, its changes applied (F5) or written to state (F6, F7), and a no-change one."""
    first = run_timer(environment, feature)
    print(line("plan", first), flush=True)
    started = time.monotonic()
    messages, changes = apply_f5(environment) if feature == F5 else write_applied_rows(environment, feature)
    how = "applied by F5's applier" if feature == F5 else "written to state"
    print(f"    ({changes} changes in {messages} messages {how} in {time.monotonic() - started:.0f}s)", flush=True)
    again = run_timer(environment, feature)
    print(line("no-change cycle", again), flush=True)
    left = sum(len(batch) for batch in queued_changes(environment, feature))
    return {
        "plan_seconds": round(first["seconds"], 1),
        "plan_cpu_seconds": round(first["cpu"], 1),
        "plan_peak_mb": round(first["peak_mb"]),
        "ready_mb": round(first["ready_mb"]),
        "changes": sum(first["planned"].values()),
        "no_change_seconds": round(again["seconds"], 1),
        "no_change_cpu_seconds": round(again["cpu"], 1),
        "no_change_peak_mb": round(again["peak_mb"]),
        "no_change_changes": left,
    }


def plan_only(keys_total: int, terms_total: int, features: list[str], *, single: bool) -> None:
    """Measure each feature's planning at a tenth of the size and at the size; print the figures."""
    import requests

    from bench.glossary_sync import ORG, TOGGLES, environment
    from devhost.azurite import start_azurite
    from emulators._common import start_process

    azurite = start_azurite()
    purview = start_process("emulators.purview", ["--account-name", "bench"])
    cluedin = start_process("emulators.cluedin", ["--org", ORG])
    results: dict[str, dict[str, Any]] = {}
    try:
        for divisor in (1,) if single else (10, 1):
            keys, terms = keys_total // divisor, terms_total // divisor
            prefix = "p" + uuid.uuid4().hex[:10]
            env = environment(azurite.connection_string, prefix, purview.url, cluedin.url)
            for name in features:
                clock = time.monotonic()
                requests.post(f"{purview.url}/_emulator/reset", timeout=60).raise_for_status()
                if name == F5:
                    seed_cluedin_vocabularies(cluedin.url, keys)
                    what = f"{keys} vocabulary keys in {keys // KEYS_PER_VOCABULARY} vocabularies"
                else:
                    # F7's category exists already, so its creation is not news to the no-change cycle's feed.
                    empty = {"organization": {"name": ORG}, "glossary": [{"category": "Vocabularies", "terms": []}]}
                    requests.put(f"{cluedin.url}/_emulator/state", json=empty, timeout=60).raise_for_status()
                    seed_purview_terms(purview.url, terms)
                    what = f"{terms} Purview terms, {terms // (CHILD_TERMS + 1)} of them vocabulary terms"
                print(f"{name} at {what} (seeded in {time.monotonic() - clock:.0f}s):", flush=True)
                figures = measure({**env, TOGGLES[name]: "true"}, name)
                results[f"{name}@{keys if name == F5 else terms}"] = figures
        for name in features:
            sizes = sorted((k for k in results if k.startswith(name + "@")), key=lambda k: int(k.split("@")[1]))
            if len(sizes) == 2:
                (small, big), count = sizes, int(sizes[1].split("@")[1]) - int(sizes[0].split("@")[1])
                per = (results[big]["plan_peak_mb"] - results[small]["plan_peak_mb"]) * 1024 / count
                again = (results[big]["no_change_peak_mb"] - results[small]["no_change_peak_mb"]) * 1024 / count
                print(f"{name}: ~{per:.1f} KB per object planning a first sync, ~{again:.1f} KB in a no-change cycle")
        print(json.dumps({"summary": results}))
    finally:
        cluedin.stop()
        purview.stop()
        azurite.stop()
