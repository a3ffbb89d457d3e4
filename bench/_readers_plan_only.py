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

from bench._lineage_plan_only import drain_queue, reset_stats, run_timer, stats
from sync.core.messages import Change, Queues
from sync.core.state import SyncObject


def _applied(change: Change, data: dict[str, Any]) -> SyncObject:
    """The row a reader's applier leaves: active, the change's fingerprint, the feature's own `data`."""
    return SyncObject(
        kind=change.object_kind, key=change.key, status="active", fingerprint=change.fingerprint, data=data
    )


def _polling_row(change: Change) -> SyncObject:
    desired = change.desired
    written = {"written": desired["attributes"], "processing": desired.get("processing") or {}, "name": desired["name"]}
    return _applied(change, written)


def _automap_row(change: Change) -> SyncObject:
    return _applied(change, {"mapped": {}})


READERS: dict[str, tuple[str, str, Callable[[Change], SyncObject]]] = {
    "polling": ("POLL_CLUEDIN_DATA_SOURCES", Queues.PURVIEW_ENTITIES.value, _polling_row),
    "automap": ("AUTO_MAP_CLUEDIN_DATA_SETS", Queues.CLUEDIN.value, _automap_row),
}
"""Feature name → (its toggle, its queue, the row its applier leaves)."""


def measure_readers(
    environment: dict[str, str], purview: str, cluedin: str, data_sets: int, readers: list[str]
) -> dict[str, Any]:
    """Each reader's first cycle and a no-change cycle over the estate, each in its own process; the figures."""
    figures: dict[str, Any] = {}
    for name in readers:
        toggle, queue_name, row_for = READERS[name]
        env = {**environment, toggle: "true"}
        for cycle in ("first", "no_change"):
            reset_stats(purview, cluedin)
            result = run_timer(env, name)
            calls = (stats(purview)["total"], stats(cluedin)["total"])
            print(
                f"{name} {cycle.replace('_', '-')} cycle (the timer): {result['seconds']:.1f}s ({result['cpu']:.0f}s "
                f"CPU), peak memory (VmHWM) {result['peak_mb']:.0f} MB, planned {result['planned']}, "
                f"Purview calls {calls[0]}, CluedIn calls {calls[1]}",
                flush=True,
            )
            messages, changes = drain_queue(env, queue_name, row_for)  # slow on Azurite: one message per data set
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
