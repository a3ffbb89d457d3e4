"""`bench lineage_sync --plan-only --readers polling,automap`: the timers of the features that read lineage's rows.

    python -m bench lineage_sync --plan-only --datasets 30000 --readers polling,automap

F4 (Poll Data Sources: one record per data set whose lineage exists) and F3 (Auto-Map: one record per data set
of a data source made from a Purview asset) read what lineage publishes, so their timers grow with the estate as
lineage's does. After lineage's two cycles (bench/_lineage_plan_only.py) left every data set's lineage active in
state, each plans a first cycle and a no-change cycle, each in a fresh process reporting its own VmHWM. As for
lineage, no applier runs: the state rows an apply would write are written from the queued changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench._lineage_plan_only import reset_stats, run_child, stats

CHILD = """
import json, sys, time
from sync import runtime
from sync.core.engine import run_cycle
from sync.features.registry import all_features
feature = next(f for f in all_features() if f.name == sys.argv[1])
started = time.monotonic()
report = run_cycle(feature, runtime.context())
seconds = time.monotonic() - started
assert report.ok, report.errors
hwm = next(line for line in open('/proc/self/status') if line.startswith('VmHWM:'))
print(json.dumps({'seconds': seconds, 'peak_mb': int(hwm.split()[1]) / 1024, 'planned': report.planned,
                  'enqueued': report.enqueued, 'cpu': time.process_time()}))
"""


def _polling_row(desired: dict[str, Any]) -> dict[str, Any]:
    return {"written": desired["attributes"], "processing": desired.get("processing") or {}, "name": desired["name"]}


def _automap_row(desired: dict[str, Any]) -> dict[str, Any]:
    return {"mapped": {}}


READERS: dict[str, tuple[str, str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "polling": ("POLL_CLUEDIN_DATA_SOURCES", "purview-entities", _polling_row),
    "automap": ("AUTO_MAP_CLUEDIN_DATA_SETS", "cluedin", _automap_row),
}
"""Feature name → (its toggle, its queue, the `data` its applier leaves on a row)."""


def take_messages(
    environment: dict[str, str], queue_name: str, row_data: Callable[[dict[str, Any]], dict[str, Any]]
) -> tuple[int, int]:
    """Read a feature's messages off its queue and write the rows applying them would leave: (messages, changes)."""
    from sync.core.messages import ChangeKind, parse_message
    from sync.core.settings import Settings
    from sync.core.state import StateStore, SyncObject
    from sync.core.storage import base64_queue, queue_service, table_service

    engine = Settings(environment).engine
    state = StateStore(table_service(engine), engine.sync_table_prefix)
    queue = base64_queue(queue_service(engine), f"{engine.sync_queue_prefix}-{queue_name}")
    messages = changes = 0
    while batch := list(queue.receive_messages(max_messages=32, visibility_timeout=7200)):
        rows: list[SyncObject] = []
        for message in batch:
            messages += 1
            for change in parse_message(message.content).changes:
                changes += 1
                if change.kind != ChangeKind.DELETE:
                    data = row_data(change.desired)
                    rows.append(
                        SyncObject(
                            kind=change.object_kind,
                            key=change.key,
                            status="active",
                            fingerprint=change.fingerprint,
                            data=data,
                        )
                    )
        state.upsert_many(rows)
    queue.clear_messages()
    return messages, changes


def measure_readers(
    environment: dict[str, str], purview: str, cluedin: str, data_sets: int, readers: list[str]
) -> dict[str, Any]:
    """Each reader's first cycle and a no-change cycle over the estate, each in its own process; the figures."""
    figures: dict[str, Any] = {}
    for name in readers:
        toggle, queue_name, row_data = READERS[name]
        env = {**environment, toggle: "true"}
        for cycle in ("first", "no_change"):
            reset_stats(purview, cluedin)
            result = run_child(CHILD, env, name)
            calls = (stats(purview)["total"], stats(cluedin)["total"])
            print(
                f"{name} {cycle.replace('_', '-')} cycle (the timer): {result['seconds']:.1f}s ({result['cpu']:.0f}s "
                f"CPU), peak memory (VmHWM) {result['peak_mb']:.0f} MB, planned {result['planned']}, "
                f"Purview calls {calls[0]}, CluedIn calls {calls[1]}",
                flush=True,
            )
            messages, changes = take_messages(env, queue_name, row_data)  # slow on Azurite: one message per data set
            print(f"  ({changes} changes in {messages} messages applied to state)", flush=True)
            figures |= {
                f"{name}_{cycle}_seconds": round(result["seconds"], 2),
                f"{name}_{cycle}_peak_mb": round(result["peak_mb"]),
                f"{name}_{cycle}_changes": changes,
                f"{name}_{cycle}_cluedin_calls": calls[1],
            }
        peak = max(figures[f"{name}_first_peak_mb"], figures[f"{name}_no_change_peak_mb"])
        print(f"peak memory of the {name} timer at {data_sets} data sets: {peak:.0f} MB", flush=True)
    return figures
