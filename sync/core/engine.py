"""The sync engine: plan each feature's changes against state, then apply each one from a queue.

A tick (one timer firing) plans the enabled features of its schedule in dependency order, sharing one read of each
change feed. Each feature's cycle: settings and clients checked → `prepare` (set-up writes; skipped in dry-run)
→ `snapshot` (reads) → `plan` (pure) → delete policy and fail-safe → enqueue → pending state committed → run
report. In dry-run, or for a plan-only request, the cycle reads and reports and writes nothing but its report.
A feature too large to plan from whole mappings (`plans_in_order`) has its snapshot and state rows paired key by
key in storage order instead (`_OrderedRead`, docs/decisions/0903-bounded-memory-planning.md).
Queue functions then apply each message idempotently (`apply_message`). A pushed change feed (Purview's entity
notifications) plans only the objects it named, through the same cycle (`run_targeted`, sync/core/targeted.py).

Any error in planning ends the cycle with a *failed* report naming the error's class and message: a planner
never dies silently, and a timer whose feature could not run fails so the host's alerts fire.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from sync.core import clock
from sync.core.changefeed import ChangeFeeds, FeedEntry
from sync.core.diff import merge_ordered
from sync.core.errors import (
    ContentionError,
    FatalError,
    MalformedMessageError,
    RetriableError,
    SettingsError,
    StaleChangeError,
    SyncError,
)
from sync.core.feature import ApplyOutcome, Feature, Snapshot, SyncContext
from sync.core.guards import guard_deletes, mark_orphaned
from sync.core.messages import Change, ChangeKind, ChangeMessage, pack, parse_message
from sync.core.report import PREVIEW_CHANGES, RunReport, preview_events, save_report
from sync.core.state import SyncObject, new_run_id
from sync.core.state.leases import new_owner
from sync.core.targeted import DeleteAllowance, Targets, preview, read_targets
from sync.core.telemetry import applied, applying, collect_calls, current_run, log_event, notify, planned, planning
from sync.core.tick import plan_features
from sync.core.twoway import Planned, StreamedPlan

log = logging.getLogger("sync.engine")
MAX_REQUEUES = 20
"""A message deferred by contention this many times is left to the host's own retries (and poison queue)."""
MAX_REQUEUE_DELAY = 60.0
CONTINUATION_DELAY_SECONDS = 2
"""A group split across messages (a vocabulary with more keys than a message holds): later parts become visible
this much after the first, which usually creates what they need by then (otherwise they are deferred)."""
SEND_CHUNK_CHANGES = 500
"""Changes held before they are packed and sent while a plan is still being produced (bounds planning memory)."""
FIRST_SEND_CHANGES = 50
"""…but a plan's first changes go out after this many, so queue listeners start while the rest is planned."""
MAX_DETAIL_CHARS = 500


def run_tick(features: Sequence[Feature], ctx: SyncContext, *, now: datetime | None = None) -> list[RunReport]:
    """Plan the given features in order (the registry orders them by dependency), each change feed read once."""
    started = now or datetime.now(UTC)
    ctx.feeds = ChangeFeeds(ctx.state, ctx.feed_sources, ctx, started)
    ctx.begin_tick()
    reports = plan_features(features, ctx, lambda f, view: _run_one(f, view, started), _parallel(ctx))
    ctx.feeds.commit()
    return reports


def run_cycle(feature: Feature, ctx: SyncContext, *, now: datetime | None = None) -> RunReport:
    """One planning cycle of one feature (a tick of its own): as its timer, or a plan-only HTTP request, runs it."""
    return run_tick([feature], ctx, now=now)[0]


def run_targeted(
    features: Sequence[Feature],
    ctx: SyncContext,
    entries: Sequence[FeedEntry],
    *,
    source: str,
    now: datetime | None = None,
) -> list[RunReport]:
    """Plan only the objects a pushed change feed named, for each given feature subscribed to it (in order).

    Each is a cycle like a full one — settings and clients checked, set-up steps, the feature's own `plan`, the
    delete policy and fail-safe (with the allowance change-feed runs share, sync/core/targeted.py), the same queues
    and appliers, dry-run — whose run report says `trigger: '<source>-change-feed'`. Pull feeds are readable but
    never advanced: positions belong to the full cycles.
    """
    started = now or datetime.now(UTC)
    ctx.feeds = ChangeFeeds(ctx.state, ctx.feed_sources, ctx, started)
    ctx.begin_tick()
    targets = Targets(source, tuple(entries))
    subscribed = [f for f in features if source in f.pushed_feeds]
    return plan_features(subscribed, ctx, lambda f, view: _run_one(f, view, started, targets), _parallel(ctx))


def _run_one(feature: Feature, ctx: SyncContext, tick_started: datetime, targets: Targets | None = None) -> RunReport:
    started = datetime.now(UTC) if tick_started.tzinfo else tick_started
    began = clock.monotonic()
    ctx.feature = feature.name
    report = RunReport(run_id=new_run_id(feature.name, started), feature=feature.name, started_at=started)
    if targets is not None:
        report.trigger = targets.trigger
    with collect_calls() as calls, planning(feature.name, report.run_id) as span:
        _plan_and_enqueue(feature, ctx, report, targets)
        planned(span, status=report.status, dry_run=report.dry_run, kinds=report.planned, feature=feature.name)
    report.finished_at = datetime.now(UTC)
    report.duration_ms = int((clock.monotonic() - began) * 1000)
    report.calls = {service: stats.as_dict() for service, stats in sorted(calls.items())}
    save_report(ctx.state.runs, report, retention_days=_retention(ctx))
    _log_report(report)
    return report


def _parallel(ctx: SyncContext) -> int:
    try:
        return ctx.engine.sync_tick_parallel_features
    except SettingsError:
        return 1  # the features' own reports will name the invalid engine setting


def _retention(ctx: SyncContext) -> int:
    try:
        return ctx.engine.sync_run_retention_days
    except SettingsError:
        return 30


def _plan_and_enqueue(feature: Feature, ctx: SyncContext, report: RunReport, targets: Targets | None) -> None:
    """Prepare, snapshot, plan, guard and enqueue, recording everything in the report (errors included)."""
    try:
        report.dry_run = dry_run = ctx.dry_run
        setup = _prepare(feature, ctx, report, run_steps=not dry_run)
        try:
            snapshot, state, ordered = _read(feature, ctx, report, targets)
        finally:
            setup.result()  # set-up done (or its error raised) before anything is written or sent
        report.events = preview_events(snapshot.notes)
        report.source_objects = len(snapshot.desired)
        report.owned_objects = sum(1 for obj in state.values() if obj.active)
        if not dry_run:
            for write in snapshot.before_send:
                write()
        dispatch = _Dispatch(feature, ctx, report, send=not dry_run, hold=ctx.plan_hook is not None)
        dispatch.before_sending = snapshot.before_sending
        deletes = _plan(feature, ctx, report, dispatch, snapshot, state, ordered)
        report.unchanged = max(0, report.source_objects - dispatch.upserts)
        kept, orphans, refused = _guard(feature, ctx, report, deletes, targeted=targets is not None)
        report.deletes_refused, report.deletes_refused_reason = bool(refused), refused
        report.orphaned = len(orphans)
        for change in kept:
            dispatch.take(change)
        if refused:  # the plan shows what the fail-safe held back, so a reviewer sees what would have gone
            held = [f"held back by the fail-safe: {c.summary or c.key}" for c in deletes]
            report.changes = [*report.changes, *held][:PREVIEW_CHANGES]
        if ctx.plan_hook is not None:
            ctx.plan_hook(feature, report, dispatch.pending)  # the whole plan, held back: seen or vetted before sending
        dispatch.flush()
        if dry_run:
            report.status = "dry-run"
            return
        for write in snapshot.after_send:
            write()
        if orphans:
            mark_orphaned(orphans, state, ctx.state, report.run_id, report.errors.append)
        if targets is None:
            assert ctx.feeds is not None
            ctx.feeds.advance(feature.name)
        report.status = "enqueued" if report.enqueued else "completed"
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


def _prepare(feature: Feature, ctx: SyncContext, report: RunReport, *, run_steps: bool) -> Future[None]:
    """Check the feature's settings and clients, subscribe its feeds, and run (or only report) its set-up steps.

    Returns when the steps are done, or at once for a feature whose steps may run beside its snapshot
    (`setup_beside_snapshot`): the future then says when they are.
    """
    if feature.settings_model is not None:
        ctx.settings.get(feature.settings_model)  # names an invalid setting of this feature only
    for name in feature.needs:
        ctx.client(name)  # building a client checks its settings (SettingsError names what is missing)
    assert ctx.feeds is not None
    ctx.feeds.subscribe(feature.name, feature.change_feeds)
    steps = feature.prepare(ctx)
    report.setup = [step.summary for step in steps]
    report.changes = list(report.setup)

    def run() -> None:
        for step in steps:
            step.run()

    done: Future[None] = Future()
    if run_steps and steps and feature.setup_beside_snapshot:
        threading.Thread(target=_settle, args=(done, contextvars.copy_context(), run), daemon=True).start()
        return done
    if run_steps:
        run()  # a failed step ends the cycle before anything is read
    done.set_result(None)
    return done


def _settle(done: Future[None], context: contextvars.Context, run: Callable[[], None]) -> None:
    """Run the set-up steps in the invocation's context variables (its call counters and span) into `done`."""
    try:
        context.run(run)
    except BaseException as exc:  # handed to the planning thread, which raises it into the run report
        done.set_exception(exc)
    else:
        done.set_result(None)


def _guard(
    feature: Feature, ctx: SyncContext, report: RunReport, deletes: list[Change], *, targeted: bool
) -> tuple[list[Change], list[Change], str]:
    """The delete policy and fail-safe: (deletions to send, deletions to mark orphaned, the refusal or '').

    A change-feed run judges its deletions against the whole owned count and spends the allowance such runs share
    (sync/core/targeted.py); a full cycle against the rows it read.
    """
    allowance = DeleteAllowance(ctx.state, feature, report.started_at) if targeted and deletes else None
    kept, orphans, refused = guard_deletes(
        deletes,
        owned=allowance.owned() if allowance else report.owned_objects,
        settings=ctx.engine,
        deletes_on_target=feature.deletes_on_target,
        feature=feature.name,
        run_id=report.run_id,
        already=allowance.used() if allowance else 0,
    )
    if allowance and not refused and not report.dry_run:
        spent = allowance.take(len(deletes), ctx.engine.sync_delete_failsafe_percent)
        if not spent:
            refused = "the change feed's delete allowance for this hour ran out meanwhile; left to the full cycle"
            kept, orphans = [c for c in kept if c.kind != ChangeKind.DELETE], []
    return kept, orphans, refused


def _read(
    feature: Feature, ctx: SyncContext, report: RunReport, targets: Targets | None
) -> tuple[Snapshot, Mapping[str, SyncObject], _OrderedRead | None]:
    """The cycle's reads: (snapshot, state rows, the ordered pairing when the feature plans in order).

    For a feature that plans in order the state rows are read while it plans; the mapping returned is filled then
    with the rows a deletion may need (orphan marks).
    """
    if targets is not None:
        snapshot, state, scope = read_targets(feature, ctx, targets)
        report.targets = preview(scope)
        return snapshot, state, None
    if feature.plans_in_order:
        snapshot = feature.snapshot(ctx)
        ordered = _OrderedRead(feature, ctx, snapshot)
        return snapshot, ordered.gone, ordered
    snapshot, rows = _read_everything(feature, ctx)
    return snapshot, rows, None


def _read_everything(feature: Feature, ctx: SyncContext) -> tuple[Snapshot, dict[str, SyncObject]]:
    """A full cycle's reads: the whole snapshot, and every state row of the feature's kind.

    The state rows are read while the snapshot reads the services: both are only reads. Only the columns the planner
    needs are read (`Feature.state_fields`), so large rows cost no memory.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        state_read = pool.submit(
            lambda: {o.key: o for o in ctx.state.iter_objects(feature.object_kind, fields=feature.state_fields)}
        )
        snapshot = feature.snapshot(ctx)
        return snapshot, state_read.result()


class _OrderedRead:
    """A full cycle's reads for a feature that plans in order: its ordered snapshot paired with its state rows.

    State rows are read as the plan consumes the pairs (one partition scan, in row key order, only the columns the
    planner needs); what the run report and the fail-safe need is counted on the way, and only rows whose object
    is no longer desired are kept (a deletion under 'retain' marks them orphaned).
    """

    def __init__(self, feature: Feature, ctx: SyncContext, snapshot: Snapshot) -> None:
        self.feature, self.ctx, self.snapshot = feature, ctx, snapshot
        self.desired = 0
        self.owned = 0
        self.gone: dict[str, SyncObject] = {}

    def pairs(self) -> Iterator[tuple[str, dict[str, Any] | None, SyncObject | None]]:
        """(key, desired or None, row or None) in storage order, counted."""
        rows = self.ctx.state.iter_objects(
            self.feature.object_kind, fields=self.feature.state_fields, page_size=self.feature.state_page_size
        )
        for key, desired, row in merge_ordered(self.snapshot.ordered or (), rows):
            self.desired += desired is not None
            if row is not None:
                self.owned += row.active
                if desired is None:
                    self.gone[key] = row
            yield key, desired, row


def _plan(  # noqa: PLR0917 - the cycle's reads and where the plan goes
    feature: Feature,
    ctx: SyncContext,
    report: RunReport,
    dispatch: _Dispatch,
    snapshot: Snapshot,
    state: Mapping[str, SyncObject],
    ordered: _OrderedRead | None,
) -> list[Change]:
    """Draw the feature's plan into the dispatch (sent as it comes); the deletions, held back for the fail-safe.

    A two-sided plan's conflicts and notes go into the report once the plan was drawn (a streamed plan finds
    them on the way).
    """
    if ordered is not None:
        planned = feature.plan_ordered(ordered.pairs(), ctx.settings, seen=snapshot.desired)
    else:
        planned = feature.plan(snapshot.desired, state, ctx.settings)
    deletes = dispatch.hold_deletes(planned)
    if isinstance(planned, Planned | StreamedPlan):
        report.conflicts = [conflict.text for conflict in planned.conflicts]
        report.events += planned.notes
    if ordered is not None:
        report.source_objects, report.owned_objects = ordered.desired, ordered.owned
    return deletes


class _Dispatch:
    """Counts, previews and sends a plan's changes as they come, a few hundred changes at a time.

    Creates and updates go out while the planner is still producing them, so a large plan is never held whole;
    deletions are held back (they are few, and the fail-safe must see all of them before any is sent). With `hold`
    (a plan hook is set: the operator CLI saving or vetting a plan) everything is held until the hook has seen it.
    """

    def __init__(
        self, feature: Feature, ctx: SyncContext, report: RunReport, *, send: bool, hold: bool = False
    ) -> None:
        self.feature, self.ctx, self.report, self.send, self.hold = feature, ctx, report, send, hold
        self.pending: list[Change] = []
        self.before_sending: Callable[[Sequence[Change]], None] | None = None
        """The snapshot's writes that messages rely on, made for each batch just before it is sent."""
        self.upserts = 0
        self.planned: Counter[str] = Counter()
        self._size = feature.send_chunk_changes or SEND_CHUNK_CHANGES
        self._chunk = min(FIRST_SEND_CHANGES, self._size)

    def hold_deletes(self, changes: Iterable[Change]) -> list[Change]:
        """Take every change but the deletions, which are returned."""
        held: list[Change] = []
        for change in changes:
            if change.kind == ChangeKind.DELETE:
                held.append(change)
            else:
                self.upserts += 1
                self.take(change)
        return held

    def take(self, change: Change) -> None:
        """Count, preview and queue one change."""
        self.planned[str(change.kind)] += 1
        self.report.planned = dict(self.planned)
        if len(self.report.changes) < PREVIEW_CHANGES:
            self.report.changes.append(change.summary or f"{change.kind} {change.key}")
        self.pending.append(change)
        if len(self.pending) >= self._chunk and not self.hold:
            self.flush(partial=True)
            self._chunk = self._size

    def flush(self, *, partial: bool = False) -> None:
        """Send what is pending (in dry-run, only forget it).

        A partial flush (while the plan is still coming) keeps the last message group back, so a group is packed
        whole (`Feature.message_group`); a group split across messages has its later parts sent a moment later.
        """
        if not self.pending:
            return
        cut = len(self.pending)
        last = self.feature.message_group(self.pending[-1]) if partial else None
        if last is not None:
            while cut and self.feature.message_group(self.pending[cut - 1]) == last:
                cut -= 1
            cut = cut or len(self.pending)  # one group larger than a chunk: it goes as it is
        batch, self.pending = self.pending[:cut], self.pending[cut:]
        if not self.send:
            return
        if self.before_sending is not None:
            self.before_sending(batch)
        packed = pack(
            self.report.run_id,
            batch,
            max_changes=self.feature.max_changes_per_message,
            group=self.feature.message_group,
        )
        self.ctx.queues.send_many(self.feature.queue, [p.text for p in packed if not p.continues])
        for later in (p for p in packed if p.continues):  # the rest of a split group: its first part goes first
            self.ctx.queues.send(self.feature.queue, later.text, visibility_timeout=CONTINUATION_DELAY_SECONDS)
        self.report.enqueued += len(batch)


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
        conflicts=len(report.conflicts),
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

    Malformed messages (not UTF-8 or JSON, not the schema, or desired state the feature cannot use), changes that
    fail for good (FatalError), and changes that fail with an error outside the app's typed vocabulary (a defect or
    bad data: every client error is typed, so retrying cannot help) are moved to `<queue>-poison` by the app with
    their reason, exactly as they arrived, and the call returns normally so the host does not retry them. Expected
    contention (another invocation holds the object's lease or changed its rows) sends the message again with a
    visibility delay and returns normally: it is not a failure. Transient failures (RetriableError) raise, and the
    host redelivers the message after its visibility timeout, up to maxDequeueCount times.

    Each call is one invocation with its own lease owner (`new_owner`): a redelivery of the same message id is
    not mistaken for the invocation that may still be working on it.
    """
    try:
        message = parse_message(body)
        names = {c.feature for c in message.changes}
        feature = features.get(next(iter(names)))
        if feature is None or len(names) != 1:
            raise MalformedMessageError(f"unknown or mixed feature(s) {sorted(names)!r}")
        for change in message.changes:
            problem = feature.check_change(change)
            if problem:
                raise MalformedMessageError(f"{feature.name} change {change.kind} {change.key}: {problem}")
    except MalformedMessageError as exc:
        ctx.queues.send_to_poison(queue, body, str(exc))
        return [ApplyOutcome("failed", str(exc), fatal=True)]
    kinds = [str(c.kind) for c in message.changes]
    with applying(message.run_id, feature.name, str(queue), kinds):
        return _apply(
            feature,
            message,
            body,
            queue=queue,
            ctx=ctx,
            message_id=message_id,
            dequeue_count=dequeue_count,
            max_dequeue_count=max_dequeue_count,
        )


def _apply(
    feature: Feature,
    message: ChangeMessage,
    body: bytes | str,
    *,
    queue: str,
    ctx: SyncContext,
    message_id: str,
    dequeue_count: int,
    max_dequeue_count: int,
) -> list[ApplyOutcome]:
    try:
        outcomes = feature.apply_batch(list(message.changes), ctx, owner=new_owner(message.run_id))
    except (FatalError, SettingsError) as exc:
        outcomes = [ApplyOutcome("failed", str(exc), fatal=True) for _ in message.changes]
    except StaleChangeError as exc:
        outcomes = [ApplyOutcome("skipped", str(exc)) for _ in message.changes]
    except ContentionError as exc:
        if message.requeued < MAX_REQUEUES:
            # The holder usually finishes within seconds: look again soon, backing off, never past the lease's end.
            backoff = float(2**message.requeued)
            delay = min(MAX_REQUEUE_DELAY, max(1.0, min(backoff, exc.retry_after or backoff)))
            ctx.queues.send(queue, message.requeue().to_json(), visibility_timeout=int(delay + 0.999))
            log_event(log, "ChangeDeferred", f"{feature.name}: {exc}; sent again in {delay:.0f}s", feature=feature.name)
            return [ApplyOutcome("skipped", f"deferred: {exc}") for _ in message.changes]
        raise
    except RetriableError as exc:
        if dequeue_count >= max_dequeue_count:
            failed = ApplyOutcome("failed", f"gave up after {dequeue_count} attempts: {exc}")
            _record(ctx, message.run_id, [(change, failed) for change in message.changes])
        raise
    except Exception as exc:
        log.exception("%s: message %s failed with an unexpected error; it goes to poison", feature.name, message_id)
        detail = f"unexpected {type(exc).__name__}: {exc}"[:MAX_DETAIL_CHARS]
        outcomes = [ApplyOutcome("failed", detail, fatal=True) for _ in message.changes]
    results = list(zip(message.changes, outcomes, strict=True))
    _record(ctx, message.run_id, results)
    fatal = [(c, o) for c, o in results if o.fatal]
    if fatal:
        reasons = "; ".join(f"{c.key}: {o.detail}" for c, o in fatal)
        ctx.queues.send_to_poison(queue, body, f"{feature.name}: {reasons}")
    return outcomes


def _record(ctx: SyncContext, run_id: str, results: list[tuple[Change, ApplyOutcome]]) -> None:
    """Log and notify each change's outcome, and store them all in one state write.

    Each outcome keeps the change's desired state and the run that had written its row before (the journal
    `rollback` restores from), and the message's span and metrics get the outcomes.
    """
    scope = current_run()
    previous = scope.previous if scope is not None else {}
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
                    "object_kind": change.object_kind,
                    "key": change.key,
                    "desired": change.desired,
                    "previous_run": previous.get((change.object_kind, change.key)),
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
    applied(results[0][0].feature if results else "", [(str(c.kind), o.result) for c, o in results])
    ctx.state.runs.record_outcomes(run_id, rows)
