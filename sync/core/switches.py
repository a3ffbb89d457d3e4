"""Operator switches kept in Table Storage and read every cycle, so changing one needs no redeploy.

One switch so far: dry-run. `cluedin-purview-sync dry-run on|off` writes it; every planning cycle reads it (one
point read). The App Setting `SYNC_DRY_RUN=true` still wins: a deployment pinned to dry-run stays dry whatever the
switch says. Before anyone sets the switch, `SYNC_DRY_RUN_UNTIL_SWITCHED` decides (true in the Azure templates, so
a first deployment only plans until an operator has read the plan and switched dry-run off).

Row: the cursors table, PartitionKey `operator`, RowKey `dry-run`, Value `{"dry_run": bool, "by": str, "at": str}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sync.core.settings import EngineSettings
from sync.core.state import StateStore

PARTITION = "operator"
DRY_RUN = "dry-run"


@dataclass(frozen=True)
class DryRunState:
    """Whether cycles only plan, and why."""

    dry_run: bool
    reason: str
    switch: dict[str, Any] | None
    """The stored switch (`dry_run`, `by`, `at`), or None when nobody set it yet."""


def read_switch(state: StateStore) -> dict[str, Any] | None:
    """The stored dry-run switch, or None."""
    value, _ = state.get_cursor(PARTITION, DRY_RUN)
    return value if isinstance(value, dict) and isinstance(value.get("dry_run"), bool) else None


def dry_run_state(settings: EngineSettings, state: StateStore) -> DryRunState:
    """The effective dry-run mode of the next cycle, with the rule that decided it."""
    switch = read_switch(state)
    if settings.sync_dry_run:
        return DryRunState(True, "the app setting SYNC_DRY_RUN=true (it wins over the switch)", switch)
    if switch is not None:
        on = bool(switch["dry_run"])
        by = f" by {switch.get('by')}" if switch.get("by") else ""
        return DryRunState(on, f"the switch, set {'on' if on else 'off'}{by} at {switch.get('at', '?')}", switch)
    if settings.sync_dry_run_until_switched:
        return DryRunState(True, "SYNC_DRY_RUN_UNTIL_SWITCHED=true and nobody switched dry-run off yet", None)
    return DryRunState(False, "the defaults (SYNC_DRY_RUN=false, no switch set)", None)


def set_dry_run(state: StateStore, on: bool, *, by: str) -> dict[str, Any]:
    """Store the switch (last writer wins: it is an operator's decision, not a concurrent update)."""
    value = {"dry_run": on, "by": by, "at": datetime.now(UTC).isoformat(timespec="seconds")}
    _, etag = state.get_cursor(PARTITION, DRY_RUN)
    state.set_cursor(PARTITION, DRY_RUN, value, etag=etag)
    return value
