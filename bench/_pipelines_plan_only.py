"""`bench datasources_sync --plan-only --pipelines`: F12's timer over the same tagged estate as F1's.

    python -m bench datasources_sync --plan-only --assets 100000 --pipelines

Data Factory Pipeline Automation plans one pipeline per asset carrying a term that matches its pattern, so its timer
grows with the tagged estate as F1's does. With the pattern matching F1's term, every asset of the benchmark's
estate is a candidate. Its first cycle and a no-change cycle each run in a fresh process reporting its own VmHWM;
no Data Factory is written: the rows an apply would leave are written from the planned changes (Azurite receives
thousands of queued messages too slowly to read them back).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from bench._lineage_plan_only import apply_changes_file, reset_stats, run_timer, stats
from sync.core.messages import Change, Queues
from sync.core.state import SyncObject


def _pipeline_row(change: Change) -> SyncObject:
    """The row F12's applier leaves for an automated pipeline (names as the planner compares them: unused)."""
    desired = change.desired
    return SyncObject(
        kind=change.object_kind,
        key=change.key,
        source={k: desired[k] for k in ("guid", "typeName", "qualifiedName")},
        target={"names": {}},
        data={"automated": True},
        fingerprint=change.fingerprint,
        status="active",
    )


def measure_pipelines(environment: dict[str, str], purview: str, cluedin: str, term: str) -> dict[str, Any]:
    """F12's first cycle and a no-change cycle over the tagged estate; the figures."""
    env = {
        **environment,
        "DATA_FACTORY_PIPELINE_AUTOMATION": "true",
        "PIPELINE_AUTOMATION_TERM_PATTERN": f"^{term}$",
        "DATA_FACTORY_BASE_URL": "https://management.azure.com/subscriptions/s/resourceGroups/r/providers/"
        "Microsoft.DataFactory/factories/bench",
        "DATA_FACTORY_KEY_VAULT_URL": "https://bench.vault.azure.net/",
    }
    figures: dict[str, Any] = {}
    for cycle in ("first", "no_change"):
        reset_stats(purview, cluedin)
        changes_file = Path(tempfile.mkdtemp()) / f"pipelines-{cycle}.jsonl"
        result = run_timer(env, "pipelines", str(changes_file))
        print(
            f"pipelines {cycle.replace('_', '-')} cycle (the timer): {result['seconds']:.1f}s ({result['cpu']:.0f}s "
            f"CPU), peak memory (VmHWM) {result['peak_mb']:.0f} MB, planned {result['planned']}, "
            f"Purview calls {stats(purview)['total']}",
            flush=True,
        )
        changes = apply_changes_file(env, Queues.DATA_FACTORY.value, changes_file, _pipeline_row)
        print(f"  ({changes} changes applied to state from the planned changes; the queue cleared)", flush=True)
        figures |= {f"pipelines_{cycle}_peak_mb": round(result["peak_mb"]), f"pipelines_{cycle}_changes": changes}
    peak = max(figures["pipelines_first_peak_mb"], figures["pipelines_no_change_peak_mb"])
    print(f"peak memory of the pipelines timer: {peak:.0f} MB", flush=True)
    return figures
