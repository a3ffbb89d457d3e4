"""`bench lineage_sync --plan-only`: the lineage timer's own peak memory on a large estate, and a no-change cycle.

    python -m bench lineage_sync --plan-only --datasets 30000 [--shape pipeline]

CluedIn is seeded in bulk through the emulator's seed endpoint (one request, the API's own code paths) and F1's
`datasource` rows link every data source to an asset (Purview itself is not seeded: planning lineage never reads
source assets, only F1's rows). Each planning cycle runs in a fresh child process, as the Functions worker runs
the timer, and reports its own peak resident memory (VmHWM from /proc/self/status — not `ru_maxrss`, which a
child inherits from its parent's peak). The child plans exactly as the timer does: messages are packed and sent
to the lineage queue. No applier runs: the messages are read back from the queue, and the state rows an apply
would write are written directly from the changes they carry, so the second cycle is a no-change cycle over the
whole estate.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync.core.messages import Change
    from sync.core.state import SyncObject

CHILD = """
import json, os, sys, time
from sync import runtime
from sync.core.engine import run_cycle
from sync.features.registry import all_features
feature = next(f for f in all_features() if f.name == sys.argv[1])
if len(sys.argv) > 2:  # also write every planned change to this file, one JSON line each, as it is planned
    out = open(sys.argv[2], 'w')
    def teed(plan):
        def tee(*args, **kwargs):
            for change in plan(*args, **kwargs):
                out.write(change.model_dump_json() + '\\n'); yield change
        return tee
    feature.plan, feature.plan_ordered = teed(feature.plan), teed(feature.plan_ordered)
started = time.monotonic()
report = run_cycle(feature, runtime.context())
seconds = time.monotonic() - started
assert report.ok, report.errors
hwm = next(line for line in open('/proc/self/status') if line.startswith('VmHWM:'))
print(json.dumps({'seconds': seconds, 'peak_mb': int(hwm.split()[1]) / 1024, 'planned': report.planned,
                  'enqueued': report.enqueued, 'status': report.status, 'cpu': time.process_time()}))
"""


def run_child(code: str, environment: dict[str, str], *args: str) -> dict[str, Any]:
    """Run a planning cycle's `code` in a fresh process (as the Functions worker runs a timer), so the peak memory
    it reports from /proc/self/status is its own; the JSON object it prints last."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"the planning process {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_timer(environment: dict[str, str], feature: str = "lineage", changes_file: str = "") -> dict[str, Any]:
    """One planning cycle of `feature` (lineage, or a reader of its rows) in a fresh process: its duration, own
    peak memory (MB) and what it planned; with `changes_file`, every planned change is also written there."""
    return run_child(CHILD, environment, feature, *([changes_file] if changes_file else []))


def drain_queue(
    environment: dict[str, str], queue_name: str, row_for: Callable[[Change], SyncObject]
) -> tuple[int, int]:
    """Read every message of one of the app's queues and write the state rows applying them would leave.

    Returns (messages, changes). `row_for` builds the row a created or updated object's applier would leave, so
    the next cycle is a no-change cycle; deletions write nothing.
    """
    from sync.core.messages import parse_message

    queue, write = _applier(environment, queue_name, row_for)
    messages = changes = 0
    while batch := list(queue.receive_messages(max_messages=32, visibility_timeout=7200)):
        planned = [change for message in batch for change in parse_message(message.content).changes]
        messages, changes = messages + len(batch), changes + len(planned)
        write(planned)
    queue.clear_messages()  # every message was read (each stays invisible meanwhile)
    return messages, changes


def apply_changes_file(
    environment: dict[str, str], queue_name: str, path: Path, row_for: Callable[[Change], SyncObject]
) -> int:
    """`drain_queue` from the changes a timer wrote to `path` (`run_timer`'s changes file); the queue is cleared.

    For queues Azurite receives from slowly (thousands of messages): the rows are the same, only their source differs.
    """
    from sync.core.messages import Change

    queue, write = _applier(environment, queue_name, row_for)
    changes = 0
    with path.open() as lines:
        for chunk in iter(lambda: [Change.model_validate_json(line) for line in islice(lines, 100)], []):
            changes += len(chunk)
            write(chunk)
    queue.clear_messages()
    return changes


def _applier(
    environment: dict[str, str], queue_name: str, row_for: Callable[[Change], SyncObject]
) -> tuple[Any, Callable[[list[Change]], None]]:
    """The queue, and a writer of the rows applying some changes would leave (Azurite under load may drop a
    connection: the upsert is idempotent and tried again)."""
    from sync.core.errors import RetriableError
    from sync.core.messages import ChangeKind
    from sync.core.settings import Settings
    from sync.core.state import StateStore
    from sync.core.storage import base64_queue, queue_service, table_service

    engine = Settings(environment).engine
    state = StateStore(table_service(engine), engine.sync_table_prefix)
    queue = base64_queue(queue_service(engine), f"{engine.sync_queue_prefix}-{queue_name}")

    def write(changes: list[Change]) -> None:
        rows = [row_for(change) for change in changes if change.kind != ChangeKind.DELETE]
        for attempt in range(5):
            try:
                state.upsert_many(rows)
                return
            except RetriableError:
                if attempt == 4:
                    raise
                time.sleep(2.0)

    return queue, write


def lineage_row(change: Change) -> SyncObject:
    """The row applying a lineage change leaves: what the planner compares (fingerprints and statuses of the row
    and its parts) and the targets the writer keeps (guids unknown: no Purview was written), built with the
    writer's own helpers."""
    from sync.core.state import SyncObject, fingerprint
    from sync.features.lineage.graph import compact_target, part_target
    from sync.features.lineage.model import PART_OWNERS, split_key

    kind, ident = split_key(change.key)
    row = SyncObject(kind=change.object_kind, key=change.key, status="active")
    parts: dict[str, Any] = {}
    for part, desired in (change.desired.get("parts") or {}).items():
        stamp = fingerprint(desired)
        if part in PART_OWNERS:
            info = part_target(part, ident, desired, {}, {})
            parts[part] = {**info, "fingerprint": stamp, "status": "active"}
            continue
        row.fingerprint = stamp
        row.target = compact_target(kind, ident, desired, {}, {})
        row.data = {"name": desired.get("name") or desired.get("entityType") or ""}
    row.target = {**row.target, **({"parts": parts} if parts else {})}
    return row


def take_messages(environment: dict[str, str]) -> tuple[int, int]:
    """Read every lineage message off the queue and write the state rows applying them would leave."""
    from sync.core.messages import Queues

    return drain_queue(environment, Queues.PURVIEW_LINEAGE.value, lineage_row)


def stats(url: str) -> dict[str, Any]:
    """`GET /_emulator/stats` of an emulator."""
    import requests

    body: dict[str, Any] = requests.get(f"{url}/_emulator/stats", timeout=60).json()
    return body


def reset_stats(*urls: str) -> None:
    """Forget an emulator's call counts."""
    import requests

    for url in urls:
        requests.delete(f"{url}/_emulator/stats", timeout=60).raise_for_status()


def measure(environment: dict[str, str], purview: str, cluedin: str, data_sets: int) -> dict[str, Any]:
    """The backfill's planning cycle and a no-change cycle, each in its own process; prints and returns figures."""
    reset_stats(purview, cluedin)
    first = run_timer(environment)
    first_calls = (stats(purview)["total"], stats(cluedin)["total"])
    print(
        f"backfill plan (the timer): {first['seconds']:.1f}s ({first['cpu']:.0f}s CPU), "
        f"peak memory (VmHWM) {first['peak_mb']:.0f} MB, {first['enqueued']} changes {first['planned']}, "
        f"Purview calls {first_calls[0]}, CluedIn calls {first_calls[1]}",
        flush=True,
    )
    started = time.monotonic()
    messages, changes = take_messages(environment)
    print(
        f"  (plan only: {changes} changes in {messages} messages applied to state in {time.monotonic() - started:.0f}s)"
    )
    reset_stats(purview, cluedin)
    again = run_timer(environment)
    again_calls = (stats(purview)["total"], stats(cluedin)["total"])
    left, _ = take_messages(environment)
    print(
        f"no-change cycle: {again['seconds']:.1f}s ({again['cpu']:.0f}s CPU), "
        f"peak memory (VmHWM) {again['peak_mb']:.0f} MB, "
        f"{sum(again['planned'].values())} changes in {left} messages, "
        f"Purview calls {again_calls[0]}, CluedIn calls {again_calls[1]}",
        flush=True,
    )
    peak = max(first["peak_mb"], again["peak_mb"])
    print(f"peak memory of the lineage timer at {data_sets} data sets: {peak:.0f} MB (goal ≤ 300 MB at 30,000)")
    return {
        "data_sets": data_sets,
        "plan_seconds": round(first["seconds"], 2),
        "plan_peak_mb": round(first["peak_mb"]),
        "plan_cpu_seconds": round(first["cpu"], 1),
        "no_change_seconds": round(again["seconds"], 2),
        "no_change_cpu_seconds": round(again["cpu"], 1),
        "no_change_peak_mb": round(again["peak_mb"]),
        "no_change_changes": sum(again["planned"].values()),
        "no_change_purview_calls": again_calls[0],
        "no_change_cluedin_calls": again_calls[1],
    }


def plan_only(data_sets: int, entity_types: int, columns: int, shape: str, *, readers: list[str] | None = None) -> None:
    """Seed the estate, plan it in a child process and measure a no-change cycle the same way (then the readers')."""
    import requests

    from bench.lineage_sync import ORG, cluedin_seed, environment, link_all, source_assets
    from devhost.azurite import start_azurite
    from emulators._common import start_process
    from sync.core.settings import Settings
    from sync.core.state import StateStore
    from sync.core.storage import table_service

    azurite = start_azurite()
    purview = start_process("emulators.purview", ["--account-name", "bench"])
    cluedin = start_process("emulators.cluedin", ["--org", ORG])
    try:
        clock = time.monotonic()
        seed = cluedin_seed(data_sets, entity_types, columns)
        requests.put(f"{cluedin.url}/_emulator/state", json=seed, timeout=3600).raise_for_status()
        del seed
        prefix = "b" + uuid.uuid4().hex[:10]
        env = environment(azurite.connection_string, prefix, purview.url, cluedin.url, shape=shape, toggles={})
        state = StateStore(table_service(Settings(env).engine), prefix)
        state.ensure_tables()
        link_all(state, cluedin.url, source_assets(data_sets), columns)
        print(
            f"setup (plan only): {data_sets} data sets, {entity_types} entity types, {columns} columns each, "
            f"{shape} lineage shape ({time.monotonic() - clock:.1f}s)",
            flush=True,
        )
        figures = measure(env, purview.url, cluedin.url, data_sets)
        if readers:
            from bench._readers_plan_only import measure_readers

            figures |= measure_readers(env, purview.url, cluedin.url, data_sets, readers)
        print(json.dumps({"summary": figures}))
    finally:
        cluedin.stop()
        purview.stop()
        azurite.stop()
