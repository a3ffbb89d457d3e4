"""Rolling back a run: put back what it changed, through the same queues and appliers as any change.

Every row a run writes names it (`LastRunId`, and the run before it in `PreviousRunId`), every Purview entity
carries it (`customAttributes.cluedinSyncRunId`), and every outcome keeps the change that was applied and the run
that had written the row before (the journal, `syncRunChanges`). Rolling back run X, per change X applied:

- the object's row no longer names X as its last writer → left alone: a later run wrote it (roll that back first);
- X created the object → the feature's own deletion (what its plan does when the source is gone);
- X updated it → the feature's `undo` rebuilds the object as the earlier changes in the journal left it.

CluedIn has no API to delete data source groups, so what a run did in CluedIn is reported, not undone. The
compensating changes go out as a run of their own (`rollback of X`), so they have a report, outcomes, a journal —
and can be rolled back in turn. The next cycle plans the source's desired state again: turn dry-run on first
(`cluedin-purview-sync dry-run on`) if the source itself is what is wrong.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sync.core.feature import Feature, SyncContext
from sync.core.messages import Change, Queues, pack_messages
from sync.core.report import PREVIEW_CHANGES, RunReport, save_report
from sync.core.state import RunLog, new_run_id

WHERE = {Queues.CLUEDIN: "CluedIn", Queues.DATA_FACTORY: "Data Factory"}


@dataclass
class RollbackPlan:
    """What rolling back a run would do."""

    run_id: str
    feature: str
    changes: list[Change] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)
    """(object key, why it is not rolled back)."""


def history(runs: RunLog, object_kind: str, key: str, start: str) -> Iterator[Change]:
    """Changes applied to an object, newest first, following the journal from run `start` backwards."""
    seen: set[str] = set()
    run = start
    while run and run not in seen:
        seen.add(run)
        outcome = runs.get_outcome(run, f"{object_kind}/{key}")
        if outcome is None or "desired" not in outcome:
            return  # pruned after SYNC_RUN_RETENTION_DAYS, or recorded before the journal existed
        if outcome.get("result") == "applied":
            yield Change(
                feature=str(outcome.get("feature") or ""),
                object_kind=object_kind,
                key=key,
                kind=outcome["kind"],
                desired=outcome["desired"] or {},
            )
        run = str(outcome.get("previous_run") or "")


def plan_rollback(feature: Feature, ctx: SyncContext, run_id: str) -> RollbackPlan:
    """The compensating changes of a run, newest change first, and what cannot be rolled back (pure reads)."""
    plan = RollbackPlan(run_id, feature.name)
    outcomes = sorted(ctx.state.runs.iter_outcomes(run_id), key=lambda o: str(o.get("at", "")), reverse=True)
    where = WHERE.get(feature.queue)
    for outcome in outcomes:
        key = str(outcome.get("key") or "")
        if outcome.get("result") != "applied":
            continue
        if not key or "desired" not in outcome:
            plan.kept.append((key or "?", "applied before runs kept a journal: cannot be rolled back"))
            continue
        if where == "CluedIn":
            plan.kept.append((key, "CluedIn has no API to delete data source groups: left as it is in CluedIn"))
            continue
        kind = str(outcome.get("object_kind") or feature.object_kind)
        row = ctx.state.get_object(kind, key)
        if row is None:
            plan.kept.append((key, "already gone from state"))
            continue
        if row.last_run_id != run_id:
            plan.kept.append((key, f"written again since by run {row.last_run_id or '?'}: roll that run back first"))
            continue
        previous = outcome.get("previous_run")
        if previous is None:
            plan.kept.append((key, "the run did not write this object (nothing to undo)"))
            continue
        applied = Change(
            feature=feature.name, object_kind=kind, key=key, kind=outcome["kind"], desired=outcome["desired"]
        )
        earlier = history(ctx.state.runs, kind, key, str(previous)) if previous else iter(())
        undo = feature.undo(applied, row, earlier, ctx.settings)
        if not undo:
            plan.kept.append(
                (
                    key,
                    "the state before this run is no longer recorded (runs are kept for SYNC_RUN_RETENTION_DAYS)"
                    if previous
                    else "the feature cannot undo this change",
                )
            )
            continue
        plan.changes += undo
        if where == "Data Factory":
            plan.kept.append((key, "CluedIn ingestion endpoints the pipeline used are left in CluedIn"))
    return plan


def enqueue_rollback(feature: Feature, ctx: SyncContext, plan: RollbackPlan) -> RunReport:
    """Send the compensating changes as a run of their own and save its report (status `enqueued`)."""
    started = datetime.now(UTC)
    report = RunReport(run_id=new_run_id(feature.name, started), feature=feature.name, started_at=started)
    report.events = [f"rollback of run {plan.run_id}"] + [f"not rolled back: {k}: {why}" for k, why in plan.kept]
    report.planned = dict(Counter(str(c.kind) for c in plan.changes))
    report.changes = [c.summary or f"{c.kind} {c.key}" for c in plan.changes][:PREVIEW_CHANGES]
    if plan.changes:
        texts = pack_messages(report.run_id, plan.changes, max_changes=feature.max_changes_per_message)
        ctx.queues.send_many(feature.queue, texts)
    report.enqueued = len(plan.changes)
    report.status = "enqueued" if plan.changes else "completed"
    report.finished_at = datetime.now(UTC)
    save_report(ctx.state.runs, report, retention_days=ctx.engine.sync_run_retention_days)
    return report
