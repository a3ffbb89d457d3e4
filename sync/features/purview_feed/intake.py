"""One batch of Purview notification events → targeted plans of the assets they name (docs/decisions/0901).

The Event Hub function hands every batch here (`receive_events`):

1. each event is decoded (plain, GZIP-compressed, or a part of a split message; sync/services/purview/notifications);
   an event that is not an Atlas notification is dead-lettered once, with the reason, and the batch goes on;
2. split parts are kept in state until their message is complete, whichever batch or instance the other parts
   reach (parts.py);
3. the entities named become change-feed entries, and every enabled feature subscribed to the Purview feed plans
   only those (`engine.run_targeted`): same plan, delete policy and fail-safe, queues, appliers and run reports
   (`trigger: purview-change-feed`), dry-run included;
4. a feature that could not plan (Purview unreachable, a bad setting) gets a failed run report, the batch's
   entries are dead-lettered with its reason, and the invocation fails so alerts fire. The trigger does not
   redeliver, and it need not: the feature's timer plans everything again within a minute.

Off (PURVIEW_CHANGE_FEED_ENABLED=false) the function only counts and drops the events: the timers see every change.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sync.core.engine import run_targeted
from sync.core.errors import SyncError
from sync.core.feature import Feature, SyncContext
from sync.core.report import RunReport
from sync.core.telemetry import log_event
from sync.features.purview_feed.letters import DeadLetters, ReceivedEvent
from sync.features.purview_feed.parts import keep_parts, reassemble
from sync.features.purview_feed.settings import PurviewChangeFeedSettings
from sync.services.purview.notifications import (
    EntityNotification,
    NotificationError,
    SplitPart,
    decode_event,
    feed_entries,
)
from sync.services.purview.notified import PURVIEW_FEED

log = logging.getLogger("sync.features.purview_feed")
MAX_LISTED_ENTRIES = 200
"""Entries named in a dead letter of a batch that could not be planned (the count is always given)."""


class ChangeFeedPlanningError(SyncError):
    """A feature could not plan a batch of notifications (its run report says why; the timer will catch up)."""


@dataclass
class BatchOutcome:
    """What one batch of events came to (logged, and returned for tests and benchmarks)."""

    events: int = 0
    notifications: int = 0
    entries: int = 0
    dead_letters: int = 0
    waiting_parts: int = 0
    ignored: bool = False
    """The change feed is off: the events were dropped."""
    reports: list[RunReport] = field(default_factory=list)


def receive_events(
    events: Sequence[ReceivedEvent], ctx: SyncContext, features: Sequence[Feature], *, now: datetime | None = None
) -> BatchOutcome:
    """Plan what one batch of notification events names, for the given (enabled) features.

    Raises:
        ChangeFeedPlanningError: a feature could not plan (after its report is saved and the batch dead-lettered).
        SettingsError: the change feed's own settings are invalid (nothing can be judged; the timers still run).
    """
    settings = ctx.settings.get(PurviewChangeFeedSettings)
    outcome = BatchOutcome(events=len(events))
    if not settings.purview_change_feed_enabled:
        outcome.ignored = True
        log.debug("the Purview change feed is off (PURVIEW_CHANGE_FEED_ENABLED): %d event(s) dropped", len(events))
        return outcome
    moment = now or datetime.now(UTC)
    letters = DeadLetters(ctx.queues, ctx.state)
    notifications = _decode(events, ctx, letters, moment, outcome)
    entries = feed_entries(notifications)
    outcome.notifications, outcome.entries = len(notifications), len(entries)
    subscribed = [f for f in features if PURVIEW_FEED in f.pushed_feeds]
    if entries and subscribed:
        outcome.reports = run_targeted(subscribed, ctx, entries, source=PURVIEW_FEED, now=moment)
    failed = [r for r in outcome.reports if not r.ok]
    if failed:
        reason = "; ".join(f"{r.feature} {r.status} (run {r.run_id}): {'; '.join(r.errors)}" for r in failed)
        named = [
            {"guid": e.object_id, "typeName": e.object_type, "qualifiedName": e.name, "operation": e.action}
            for e in entries[:MAX_LISTED_ENTRIES]
        ]
        letters.note(f"could not plan: {reason}", {"entries": named, "entryCount": len(entries)})
    outcome.dead_letters = letters.sent
    _log(outcome)
    if failed:
        raise ChangeFeedPlanningError(
            f"{len(failed)} feature(s) could not plan {len(entries)} notified change(s); their timers will: {reason}"
        )
    return outcome


def _decode(
    events: Sequence[ReceivedEvent], ctx: SyncContext, letters: DeadLetters, now: datetime, outcome: BatchOutcome
) -> list[EntityNotification]:
    """Whole notifications of the batch (split ones once complete); unreadable events are dead-lettered."""
    notifications: list[EntityNotification] = []
    parts: list[tuple[ReceivedEvent, SplitPart]] = []
    for event in events:
        try:
            decoded = decode_event(event.body)
        except NotificationError as exc:
            letters.event(event, f"not an Atlas entity notification: {exc}")
            continue
        notifications += [item for item in decoded if isinstance(item, EntityNotification)]
        parts += [(event, item) for item in decoded if isinstance(item, SplitPart)]
    if not parts:
        return notifications
    try:
        keep_parts(ctx.state, [part for _, part in parts])
        found = reassemble(ctx.state, now)
    except SyncError as exc:
        # The trigger will not bring these events back: keep them as dead letters rather than lose them silently.
        for event in dict.fromkeys(event for event, _ in parts):
            letters.event(event, f"could not keep a split message part in state: {type(exc).__name__}: {exc}")
        return notifications
    notifications += found.notifications
    outcome.waiting_parts = found.waiting
    for message_id, reason in found.failures:
        letters.note(reason, {"msgId": message_id})
    return notifications


def _log(outcome: BatchOutcome) -> None:
    runs = ", ".join(f"{r.feature} {r.status} ({sum(r.planned.values())} planned)" for r in outcome.reports)
    log_event(
        log,
        "ChangeFeedBatch",
        f"Purview change feed: {outcome.events} event(s), {outcome.notifications} notification(s)"
        + (f"; {runs}" if runs else ""),
        level=logging.WARNING if outcome.dead_letters else logging.INFO,
        events=outcome.events,
        notifications=outcome.notifications,
        entries=outcome.entries,
        dead_letters=outcome.dead_letters,
        waiting_parts=outcome.waiting_parts,
        runs=len(outcome.reports),
    )
