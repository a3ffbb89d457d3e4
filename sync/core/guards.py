"""The delete policy and the mass-delete fail-safe, applied by the engine to every feature's plan.

DataHub's stateful ingestion removes stale entities only when a run is sound; here a cycle that would delete more
than `SYNC_DELETE_FAILSAFE_PERCENT` of what a feature owns deletes nothing and says why (docs/decisions/0006).
Under `retain` nothing is deleted at all: the objects are marked orphaned in state and reported.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping

from sync.core.errors import RetriableError
from sync.core.messages import Change, ChangeKind
from sync.core.settings import DeletePolicy, EngineSettings
from sync.core.state import StateStore, SyncObject
from sync.core.telemetry import log_event

log = logging.getLogger("sync.engine")


def allowed_deletes(owned: int, percent: float) -> int:
    """How many deletions one cycle may make: the fail-safe share of owned objects, but always at least one."""
    return max(1, math.floor(owned * percent / 100.0))


def refusal(deletes: int, owned: int, settings: EngineSettings, *, already: int = 0) -> str:
    """Why a cycle's deletions were refused (empty when they may go ahead).

    `already` counts deletions made earlier in the same window by change-feed runs, which share one allowance
    (docs/decisions/0901-purview-change-feed.md).
    """
    limit = allowed_deletes(owned, settings.sync_delete_failsafe_percent)
    if deletes + already <= limit:
        return ""
    earlier = f", {already} already deleted by the change feed this hour" if already else ""
    return (
        f"refused to delete {deletes} of {owned} owned objects "
        f"(fail-safe allows {limit}{earlier}: "
        f"SYNC_DELETE_FAILSAFE_PERCENT={settings.sync_delete_failsafe_percent:g}); "
        "nothing was deleted. If this is intended, raise the setting for one cycle."
    )


def guard_deletes(
    changes: list[Change],
    *,
    owned: int,
    settings: EngineSettings,
    deletes_on_target: bool,
    feature: str,
    run_id: str,
    already: int = 0,
) -> tuple[list[Change], list[Change], str]:
    """(changes to send, deletions to mark orphaned instead, the fail-safe's refusal or '').

    Refused deletions are dropped entirely (neither sent nor marked): the next cycle decides again.
    """
    deletes = [c for c in changes if c.kind == ChangeKind.DELETE]
    if not deletes:
        return changes, [], ""
    keep = [c for c in changes if c.kind != ChangeKind.DELETE]
    refused = refusal(len(deletes), owned, settings, already=already)
    if refused:
        log_event(log, "DeleteFailSafe", refused, level=logging.WARNING, feature=feature, run_id=run_id)
        return keep, [], refused
    if settings.sync_delete_policy == DeletePolicy.RETAIN or not deletes_on_target:
        return keep, deletes, ""
    return changes, [], ""


def mark_orphaned(
    deletes: list[Change],
    state: Mapping[str, SyncObject],
    store: StateStore,
    run_id: str,
    errors: Callable[[str], None],
) -> None:
    """Under 'retain', the planner itself marks objects orphaned in state: nothing changes on either side.

    The planner may have read only some columns of its rows (`Feature.state_fields`): each row is read whole before
    it is written back, so nothing it holds is lost.
    """
    for change in deletes:
        known = state.get(change.key)
        if known is None or known.status == "orphaned":
            continue
        obj = store.get_object(known.kind, known.key)
        if obj is None or obj.status == "orphaned":
            continue
        obj.status = "orphaned"
        obj.last_run_id = run_id
        try:
            store.save(obj)
        except RetriableError as exc:
            errors(f"could not mark {obj.kind}/{obj.key} orphaned: {exc}")
