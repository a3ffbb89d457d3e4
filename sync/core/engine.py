"""The sync engine: plan each feature's changes against state, then apply each one from a queue.

A tick (one timer firing) plans the enabled features of its schedule in dependency order, sharing one read of each
change feed. Each feature's cycle: settings and clients checked → `prepare` (set-up writes; skipped in dry-run)
→ `snapshot` (reads) → `plan` (pure) → delete policy and fail-safe → enqueue → pending state committed → run
report. In dry-run, or for a plan-only request, the cycle reads and reports and writes nothing but its report.
Queue functions then apply each message idempotently (`apply_message`).

Any error in planning ends the cycle with a *failed* report naming the error's class and message: a planner
never dies silently, and a timer whose feature could not run fails so the host's alerts fire.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from sync.core.changefeed import ChangeFeeds
from sync.core.errors import ContentionError, FatalError, MalformedMessageError, SettingsError, SyncError
from sync.core.feature import ApplyOutcome, Feature, SyncContext
from sync.core.guards import guard_deletes, mark_orphaned
from sync.core.messages import Change, pack_messages, parse_message
from sync.core.report import PREVIEW_CHANGES, RunReport, save_report
from sync.core.state import SyncObject, new_run_id
from sync.core.telemetry import collect_calls, log_event, notify

log = logging.getLogger("sync.engine")
MAX_REQUEUES = 20
"""A message deferred by contention this many times is left to the host's own retries (and poison queue)."""
MAX_REQUEUE_DELAY = 60.0


def run_tick(features: Sequence[Feature], ctx: SyncContext, *, now: datetime | None = None) -> list[RunReport]:
    """Plan the given features in order (the registry orders them by dependency), each change feed read once."""
    started = now or datetime.now(UTC)
    ctx.feeds = ChangeFeeds(ctx.state, ctx.feed_sources, ctx, started)
    reports = [_run_one(feature, ctx, started) for feature in features]
    ctx.feeds.commit()
    return reports


def run_cycle(feature: Feature, ctx: SyncContext, *, now: datetime | None = None) -> RunReport:
    """One planning cycle of one feature (a tick of its own): as its timer, or a plan-only HTTP request, runs it."""
    return run_tick([feature], ctx, now=now)[0]


def _run_one(feature: Feature, ctx: SyncContext, tick_started: datetime) -> RunReport:
    started = datetime.now(UTC) if tick_started.tzinfo else tick_started
    clock = time.monotonic()
    ctx.feature = feature.name
    report = RunReport(run_id=new_run_id(feature.name, started), feature=feature.name, started_at=started)
    with collect_calls() as calls:
        _plan_and_enqueue(feature, ctx, report)
    report.finished_at = datetime.now(UTC)
    report.duration_ms = int((time.monotonic() - clock) * 1000)
    report.calls = {service: stats.as_dict() for service, stats in sorted(calls.items())}
    save_report(ctx.state.runs, report, retention_days=_retention(ctx))
    _log_report(report)
    return report


def _retention(ctx: SyncContext) -> int:
    try:
        return ctx.engine.sync_run_retention_days
    except SettingsError:
        return 30


def _plan_and_enqueue(feature: Feature, ctx: SyncContext, report: RunReport) -> None:
    """Prepare, snapshot, plan, guard and enqueue, recording everything in the report (errors included)."""
    try:
        report.dry_run = dry_run = ctx.dry_run
        if feature.settings_model is not None:
            ctx.settings.get(feature.settings_model)  # names an invalid setting of this feature only
        for name in feature.needs:
            ctx.client(name)  # building a client checks its settings (SettingsError names what is missing)
        assert ctx.feeds is not None
        ctx.feeds.subscribe(feature.name, feature.change_feeds)
        steps = feature.prepare(ctx)
        report.setup = [step.summary for step in steps]
        if not dry_run:
            for step in steps:
                step.run()
        # The feature's own state rows are read while its snapshot reads the services: both are only reads.
        with ThreadPoolExecutor(max_workers=1) as pool:
            state_read = pool.submit(lambda: {obj.key: obj for obj in ctx.state.iter_objects(feature.object_kind)})
            snapshot = feature.snapshot(ctx)
            state = state_read.result()
        changes = feature.plan(snapshot.desired, state, ctx.settings)
        report.events = list(snapshot.notes)
        report.source_objects = len(snapshot.desired)
        report.owned_objects = sum(1 for obj in state.values() if obj.active)
        report.unchanged = max(0, len(snapshot.desired) - sum(1 for c in changes if c.kind != "delete"))
        planned_deletes = [c for c in changes if c.kind == "delete"]
        changes, orphans, refused = guard_deletes(
            changes,
            owned=report.owned_objects,
            settings=ctx.engine,
            deletes_on_target=feature.deletes_on_target,
            feature=feature.name,
            run_id=report.run_id,
        )
        report.deletes_refused, report.deletes_refused_reason = bool(refused), refused
        report.orphaned = len(orphans)
        report.planned = dict(Counter(str(c.kind) for c in changes))
        held_back = [f"held back by the fail-safe: {c.summary or c.key}" for c in planned_deletes] if refused else []
        report.changes = [*report.setup, *(c.summary or f"{c.kind} {c.key}" for c in changes), *held_back]
        report.changes = report.changes[:PREVIEW_CHANGES]
        if dry_run:
            report.status = "dry-run"
            return
        _send(feature, ctx, report, snapshot.before_send, changes)
        for write in snapshot.after_send:
            write()
        _mark(orphans, state, ctx, report)
        ctx.feeds.advance(feature.name)
        report.status = "enqueued" if changes else "completed"
    except SettingsError as exc:
        report.status = "not-configured"
        report.error_type = type(exc).__name__
        report.errors.append(str(exc))
    except Exception as exc:
        report.status = "failed"
        report.error_type = type(exc).__name__
        report.errors.append(f"{type(exc).__name__}: {exc}")
        if not isinstance(exc, SyncError):
            log.exception("planning %s failed with an unexpected error", feature.name)


def _send(feature: Feature, ctx: SyncContext, report: RunReport, before: list, changes: list[Change]) -> None:  # type: ignore[type-arg]
    for write in before:
        write()
    if changes:
        texts = pack_messages(report.run_id, changes, max_changes=feature.max_changes_per_message)
        ctx.queues.send_many(feature.queue, texts)
        report.enqueued = len(changes)


def _mark(orphans: list[Change], state: Mapping[str, SyncObject], ctx: SyncContext, report: RunReport) -> None:
    if orphans:
        mark_orphaned(orphans, state, ctx.state, report.run_id, report.errors.append)


def _log_report(report: RunReport) -> None:
    problems = "; ".join(report.errors)
    log_event(
        log,
        "RunPlanned",
        f"{report.feature} run {report.status}" + (f": {problems}" if problems else ""),
        level=logging.WARNING if report.errors else logging.INFO,
        feature=report.feature,
        run_id=report.run_id,
        status=report.status,
        dry_run=report.dry_run,
        source_objects=report.source_objects,
        planned=sum(report.planned.values()),
        creates=report.planned.get("create", 0),
        updates=report.planned.get("update", 0),
        deletes=report.planned.get("delete", 0),
        unchanged=report.unchanged,
        orphaned=report.orphaned,
        deletes_refused=report.deletes_refused,
        duration_ms=report.duration_ms,
        errors=len(report.errors),
        error_type=report.error_type or None,
    )


def apply_message(
    body: bytes | str,
    *,
    queue: str,
    features: Mapping[str, Feature],
    ctx: SyncContext,
    message_id: str,
    dequeue_count: int,
    max_dequeue_count: int = 5,
) -> list[ApplyOutcome]:
    """Apply one queued message (one or more changes of one feature). Called by the queue functions.

    Malformed messages, and changes that fail for good (FatalError), are moved to `<queue>-poison` by the app with
    their reason, and the call returns normally so the host does not retry them. Expected contention (another
    invocation holds the object's lease or changed its rows) sends the message again with a visibility delay and
    returns normally: it is not a failure. Other transient failures raise, and the host redelivers the message
    after its visibility timeout, up to maxDequeueCount times.
    """
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    try:
        message = parse_message(text)
        names = {c.feature for c in message.changes}
        feature = features.get(next(iter(names)))
        if feature is None or len(names) != 1:
            raise MalformedMessageError(f"unknown or mixed feature(s) {sorted(names)!r}")
    except MalformedMessageError as exc:
        ctx.queues.send_to_poison(queue, text, str(exc))
        return [ApplyOutcome("failed", str(exc), fatal=True)]
    try:
        outcomes = feature.apply_batch(list(message.changes), ctx, owner=message_id)
    except (FatalError, SettingsError) as exc:
        outcomes = [ApplyOutcome("failed", str(exc), fatal=True) for _ in message.changes]
    except ContentionError as exc:
        if message.requeued < MAX_REQUEUES:
            # The holder usually finishes within seconds: look again soon, backing off, never past the lease's end.
            backoff = float(2**message.requeued)
            delay = min(MAX_REQUEUE_DELAY, max(1.0, min(backoff, exc.retry_after or backoff)))
            ctx.queues.send(queue, message.requeue().to_json(), visibility_timeout=int(delay + 0.999))
            log_event(log, "ChangeDeferred", f"{feature.name}: {exc}; sent again in {delay:.0f}s", feature=feature.name)
            return [ApplyOutcome("skipped", f"deferred: {exc}") for _ in message.changes]
        raise
    except Exception as exc:
        if dequeue_count >= max_dequeue_count:
            failed = ApplyOutcome("failed", f"gave up after {dequeue_count} attempts: {exc}")
            _record(ctx, message.run_id, [(change, failed) for change in message.changes])
        raise
    results = list(zip(message.changes, outcomes, strict=True))
    _record(ctx, message.run_id, results)
    fatal = [(c, o) for c, o in results if o.fatal]
    if fatal:
        reasons = "; ".join(f"{c.key}: {o.detail}" for c, o in fatal)
        ctx.queues.send_to_poison(queue, text, f"{feature.name}: {reasons}")
    return outcomes


def _record(ctx: SyncContext, run_id: str, results: list[tuple[Change, ApplyOutcome]]) -> None:
    """Log and notify each change's outcome, and store them all in one state write."""
    rows = []
    for change, outcome in results:
        for note in outcome.notifications:
            notify(note.text, event=note.event, feature=change.feature, run_id=run_id, key=change.key)
        rows.append(
            (
                f"{change.object_kind}/{change.key}",
                {
                    "kind": str(change.kind),
                    "result": outcome.result,
                    "detail": outcome.detail,
                    "notifications": [n.model_dump() for n in outcome.notifications],
                    "at": datetime.now(UTC).isoformat(),
                },
            )
        )
        log_event(
            log,
            "ChangeApplied",
            f"{change.feature} {change.kind} {change.key}: {outcome.result}",
            feature=change.feature,
            run_id=run_id,
            kind=str(change.kind),
            key=change.key,
            result=outcome.result,
            detail=outcome.detail or None,
        )
    ctx.state.runs.record_outcomes(run_id, rows)
