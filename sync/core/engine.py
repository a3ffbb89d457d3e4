"""The sync engine: read both sides, plan typed changes against state, then apply each one from a queue.

A feature is a small class with three parts:

- `snapshot(ctx)`: read the source side (I/O, paged and streamed) into `{key: desired}`.
- `plan(snapshot, state, settings)`: a pure function comparing the snapshot with what the app last wrote
  (fingerprints in state) → typed changes. Unchanged objects produce nothing.
- `apply(change, ctx)`: make one change true on the target side and in state, idempotently: applying it twice,
  or again after a crash half-way, leaves the same result.

The engine adds what every feature needs: the delete policy, the mass-delete fail-safe, dry-run, queueing,
poison handling for messages that can never succeed, and a run report per cycle (DataHub-style).
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from sync.core.errors import FatalError, MalformedMessageError, RetriableError, SettingsError
from sync.core.messages import Change, ChangeKind, Queues, pack_messages, parse_message
from sync.core.settings import AppSettings, DeletePolicy
from sync.core.state import StateStore, SyncObject, fingerprint
from sync.core.storage import QueueSender
from sync.core.telemetry import log_event, notify
from sync.services.http import collect_calls

log = logging.getLogger("sync.core.engine")
PREVIEW_CHANGES = 50


class Notification(BaseModel):
    """A user-facing event (the text CluedIn's Notification Center would show)."""

    event: str
    text: str


class RunReport(BaseModel):
    """What one planning cycle decided and, once its messages are applied, what happened."""

    run_id: str
    feature: str
    started_at: datetime
    finished_at: datetime | None = None
    duration_ms: int = 0
    dry_run: bool = False
    source_objects: int = 0
    owned_objects: int = 0
    planned: dict[str, int] = Field(default_factory=dict)
    unchanged: int = 0
    orphaned: int = 0
    enqueued: int = 0
    deletes_refused: bool = False
    deletes_refused_reason: str = ""
    applied: dict[str, int] = Field(default_factory=dict)
    failed: dict[str, int] = Field(default_factory=dict)
    skipped: dict[str, int] = Field(default_factory=dict)
    notifications: list[Notification] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    calls: dict[str, dict[str, Any]] = Field(default_factory=dict)
    changes: list[str] = Field(default_factory=list)
    status: str = "planned"


@dataclass
class ApplyOutcome:
    """What applying one change did: `applied`, `skipped` (nothing to do) or `failed`."""

    result: str
    detail: str = ""
    notifications: list[Notification] = field(default_factory=list)
    fatal: bool = False
    """A failure that retrying cannot fix (the message goes to poison with this detail as its reason)."""


class SyncContext:
    """Everything a feature needs at run time; service clients are created on first use.

    Building a client checks its settings first, so a missing setting fails with its name, not deep inside
    a client.
    """

    def __init__(
        self,
        settings: AppSettings,
        state: StateStore,
        queues: QueueSender,
        *,
        clients: Mapping[str, Callable[[AppSettings], Any]] | None = None,
    ) -> None:
        self.settings = settings
        self.state = state
        self.queues = queues
        self._factories = dict(clients or {})
        self._clients: dict[str, Any] = {}
        self.after_enqueue: list[Callable[[], None]] = []
        """Work a feature's snapshot leaves until its changes are on their way (e.g. refreshing a read cache), so
        queue functions can start applying while it runs."""

    def client(self, name: str) -> Any:
        """The named service client ('purview', 'cluedin', 'datafactory'), built once."""
        if name not in self._clients:
            if name not in self._factories:
                raise SettingsError(f"no client factory registered for {name!r}")
            self._clients[name] = self._factories[name](self.settings)
        return self._clients[name]

    def provide(self, name: str, client: Any) -> None:
        """Use this client for `name` instead of building one (tests wrap real clients this way)."""
        self._clients[name] = client


class Feature(ABC):
    """One sync feature. Subclasses set the class variables and implement the three parts."""

    name: ClassVar[str]
    object_kind: ClassVar[str]
    queue: ClassVar[Queues]
    deletes_on_target: ClassVar[bool] = True
    """Whether a DELETE change removes something on the target side (False: the engine only marks state)."""
    max_changes_per_message: ClassVar[int] = 1
    """How many consecutive planned changes may share one queue message (and one `apply_batch` call)."""
    needs: ClassVar[tuple[str, ...]] = ()
    """Service clients the feature's planner and appliers use. A cycle whose clients are not configured reports
    `not-configured` and enqueues nothing, rather than planning changes that could only fail when applied."""

    def change(self, kind: ChangeKind, key: str, desired: dict[str, Any], summary: str) -> Change:
        """A change of this feature's objects, fingerprinted by its desired state."""
        return Change(
            feature=self.name,
            object_kind=self.object_kind,
            key=key,
            kind=kind,
            desired=desired,
            fingerprint=fingerprint(desired),
            summary=summary,
        )

    @abstractmethod
    def enabled(self, settings: AppSettings) -> bool:
        """Whether the feature's toggle is on."""

    @abstractmethod
    def snapshot(self, ctx: SyncContext) -> dict[str, dict[str, Any]]:
        """Read the source side: deterministic key → desired state of every object that should exist."""

    @abstractmethod
    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: AppSettings
    ) -> list[Change]:
        """Pure: the changes that bring the target in line with the snapshot (no I/O)."""

    @abstractmethod
    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        """Make one change true, idempotently. `owner` identifies the message (for state leases)."""

    def apply_batch(self, changes: list[Change], ctx: SyncContext, *, owner: str) -> list[ApplyOutcome]:
        """Apply the changes of one message; features that write in bulk override this. Default: one by one.

        A FatalError for one change is recorded as its outcome and does not stop the others; a transient error
        propagates so the whole message is redelivered (every change is idempotent, so re-applying is safe).
        """
        outcomes = []
        for change in changes:
            try:
                outcomes.append(self.apply(change, ctx, owner=owner))
            except FatalError as exc:
                outcomes.append(ApplyOutcome("failed", str(exc), fatal=True))
        return outcomes


def allowed_deletes(owned: int, percent: float) -> int:
    """How many deletions one cycle may make: the fail-safe share of owned objects, but always at least one."""
    return max(1, math.floor(owned * percent / 100.0))


def run_cycle(feature: Feature, ctx: SyncContext, *, now: datetime | None = None) -> RunReport:
    """One planning cycle of a feature: snapshot → plan → guards → enqueue (or report only, in dry-run)."""
    settings = ctx.settings
    started = now or datetime.now(UTC)
    clock = time.monotonic()
    report = RunReport(run_id=uuid.uuid4().hex, feature=feature.name, started_at=started, dry_run=settings.sync_dry_run)
    with collect_calls() as calls:
        _plan_and_enqueue(feature, ctx, report)
    report.finished_at = datetime.now(UTC)
    report.duration_ms = int((time.monotonic() - clock) * 1000)
    report.calls = {service: stats.as_dict() for service, stats in sorted(calls.items())}
    ctx.state.save_run(feature.name, report.run_id, started, report.model_dump(mode="json"))
    _log_report(report)
    return report


def _plan_and_enqueue(feature: Feature, ctx: SyncContext, report: RunReport) -> None:
    """Snapshot, plan, guard and enqueue, recording everything in the report (errors included)."""
    settings = ctx.settings
    try:
        for name in feature.needs:
            ctx.client(name)  # building a client checks its settings (SettingsError names what is missing)
        # The feature's own state rows are read while its snapshot reads the services: both are only reads.
        with ThreadPoolExecutor(max_workers=1) as pool:
            state_read = pool.submit(lambda: {obj.key: obj for obj in ctx.state.iter_objects(feature.object_kind)})
            snapshot = feature.snapshot(ctx)
            state = state_read.result()
        changes = feature.plan(snapshot, state, settings)
        report.source_objects = len(snapshot)
        report.owned_objects = sum(1 for obj in state.values() if obj.active)
        report.unchanged = max(0, len(snapshot) - sum(1 for c in changes if c.kind != ChangeKind.DELETE))
        changes = _apply_delete_guards(feature, changes, state, report, ctx)
        report.planned = dict(Counter(str(c.kind) for c in changes))
        report.changes = [c.summary or f"{c.kind} {c.key}" for c in changes[:PREVIEW_CHANGES]]
        if not settings.sync_dry_run and changes:
            texts = pack_messages(report.run_id, changes, max_changes=feature.max_changes_per_message)
            ctx.queues.send_many(feature.queue, texts)
            report.enqueued = len(changes)
        report.status = "dry-run" if settings.sync_dry_run else ("enqueued" if changes else "completed")
        while ctx.after_enqueue:
            ctx.after_enqueue.pop(0)()
    except SettingsError as exc:
        report.status = "not-configured"
        report.errors.append(str(exc))
    except (FatalError, RetriableError) as exc:
        report.status = "failed"
        report.errors.append(str(exc))


def _apply_delete_guards(
    feature: Feature,
    changes: list[Change],
    state: Mapping[str, SyncObject],
    report: RunReport,
    ctx: SyncContext,
) -> list[Change]:
    """Delete policy and fail-safe: 'retain' turns deletions into orphan marks; too many deletions are refused."""
    settings = ctx.settings
    deletes = [c for c in changes if c.kind == ChangeKind.DELETE]
    if not deletes:
        return changes
    keep = [c for c in changes if c.kind != ChangeKind.DELETE]
    limit = allowed_deletes(report.owned_objects, settings.sync_delete_failsafe_percent)
    if len(deletes) > limit:
        report.deletes_refused = True
        report.deletes_refused_reason = (
            f"refused to delete {len(deletes)} of {report.owned_objects} owned objects "
            f"(fail-safe allows {limit}: SYNC_DELETE_FAILSAFE_PERCENT={settings.sync_delete_failsafe_percent:g}); "
            "nothing was deleted. If this is intended, raise the setting for one cycle."
        )
        log_event(
            log,
            "DeleteFailSafe",
            report.deletes_refused_reason,
            level=logging.WARNING,
            feature=feature.name,
            run_id=report.run_id,
        )
        return keep
    if settings.sync_delete_policy == DeletePolicy.RETAIN or not feature.deletes_on_target:
        report.orphaned = len(deletes)
        if not settings.sync_dry_run:
            _mark_orphaned(deletes, state, report, ctx)
        return keep
    return changes


def _mark_orphaned(deletes: list[Change], state: Mapping[str, SyncObject], report: RunReport, ctx: SyncContext) -> None:
    """Under 'retain', the planner itself marks objects orphaned in state: nothing changes on either side."""
    for change in deletes:
        obj = state.get(change.key)
        if obj is None or obj.status == "orphaned":
            continue
        obj.status = "orphaned"
        obj.last_run_id = report.run_id
        try:
            ctx.state.save(obj)
        except RetriableError as exc:
            report.errors.append(f"could not mark {obj.kind}/{obj.key} orphaned: {exc}")


def _log_report(report: RunReport) -> None:
    problems = "; ".join(report.errors)
    log_event(
        log,
        "RunPlanned",
        f"{report.feature} run {report.status}" + (f": {problems}" if problems else ""),
        level=logging.WARNING if report.errors else logging.INFO,
        feature=report.feature,
        run_id=report.run_id,
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
    their reason, and the call returns normally so the host does not retry them. Transient failures raise, and the
    host redelivers the message after its visibility timeout, up to maxDequeueCount times.
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
    ctx.state.record_outcomes(run_id, rows)


def run_report(state: StateStore, run_id: str) -> RunReport | None:
    """A run report with the outcomes applied so far folded in (applied/failed/skipped, notifications)."""
    raw = state.find_run(run_id)
    if raw is None:
        return None
    report = RunReport.model_validate(raw)
    applied: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    for outcome in state.iter_outcomes(run_id):
        bucket = {"applied": applied, "failed": failed, "skipped": skipped}.get(outcome.get("result", ""), failed)
        bucket[str(outcome.get("kind", "?"))] += 1
        report.notifications.extend(Notification.model_validate(n) for n in outcome.get("notifications") or [])
        if outcome.get("result") == "failed" and outcome.get("detail"):
            report.errors.append(str(outcome["detail"]))
    report.applied, report.failed, report.skipped = dict(applied), dict(failed), dict(skipped)
    done = sum(applied.values()) + sum(failed.values()) + sum(skipped.values())
    if report.status == "enqueued" and done >= report.enqueued:
        report.status = "completed" if not failed else "completed-with-failures"
    return report
