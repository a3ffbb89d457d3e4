"""Plans of only the objects a pushed change feed named, and the delete allowance those plans share.

A full cycle reads every object of a feature and compares it with every state row. A pushed feed (Purview's entity
notifications) names a few objects: the feature reads just those (`Feature.snapshot_of`, which says which keys it
looked at in `Snapshot.scope`), the engine reads just their state rows, and the same pure `plan`, fail-safe, queues,
appliers and run reports do the rest (`engine.run_targeted`).

The fail-safe refuses a cycle that would delete more than SYNC_DELETE_FAILSAFE_PERCENT of what a feature owns. A
change-feed run only sees a handful of objects, and a mass deletion in Purview reaches it as many small batches:
judged one batch at a time, each would pass. So every change-feed run of a feature draws on one allowance per
window of DELETE_WINDOW: together they may delete no more than one full cycle may (the share of the whole owned
count, read only when a run has deletions to judge). Deletions beyond it are refused and left to the next full
cycle, which sees the whole picture and applies the usual rule. The allowance is a cursor row guarded by its ETag,
so concurrent runs (one per Event Hub partition) cannot both spend the last of it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sync.core.changefeed import FeedEntry
from sync.core.errors import ContentionError
from sync.core.feature import Feature, Snapshot, SyncContext
from sync.core.guards import allowed_deletes
from sync.core.state import StateStore, SyncObject
from sync.core.telemetry import log_event

log = logging.getLogger("sync.engine")
DELETE_WINDOW = timedelta(hours=1)
ALLOWANCE_CURSOR = "change-feed-deletes"
"""Cursor row (PartitionKey = feature) holding `{"since": <window start>, "owned": n, "deleted": n}`."""
ALLOWANCE_ATTEMPTS = 3
PREVIEW_TARGETS = 50


@dataclass(frozen=True)
class Targets:
    """What a pushed change feed named, for one targeted planning pass."""

    source: str
    entries: tuple[FeedEntry, ...]

    @property
    def trigger(self) -> str:
        """How run reports name what started them (`purview-change-feed`)."""
        return f"{self.source}-change-feed"


def read_targets(
    feature: Feature, ctx: SyncContext, targets: Targets
) -> tuple[Snapshot, dict[str, SyncObject], list[str]]:
    """The feature's snapshot of the named objects, the state rows of the keys it looked at, and those keys."""
    snapshot = feature.snapshot_of(ctx, targets.entries)
    scope = set(snapshot.scope or ()) | set(snapshot.desired)
    state = ctx.state.read_many(feature.object_kind, scope) if scope else {}
    return snapshot, state, sorted(scope)


class DeleteAllowance:
    """The fail-safe allowance every change-feed run of one feature shares within DELETE_WINDOW.

    The owned count is taken when the window opens and kept with it: deletions made inside the window must not
    shrink the allowance they are judged by (ten owned, two deleted, is still "two of ten"). A window opened by a
    run that started after this one (runs overlap) is the current window for this run too: treating it as invalid
    would open another one over it and spend the allowance twice. A window more than its own length in the future
    is not trusted (a clock far off), so a bad clock can hold the allowance for at most two windows.
    """

    def __init__(self, state: StateStore, feature: Feature, now: datetime) -> None:
        self.state = state
        self.feature = feature
        self.now = now
        self._window: _Window | None = None

    def owned(self) -> int:
        """What the feature owned when the window opened (a scan of keys and status only, once per window)."""
        return self._read().owned

    def used(self) -> int:
        """Deletions change-feed runs already made in the current window."""
        return self._read().deleted

    def take(self, count: int, percent: float) -> bool:
        """Spend `count` of the allowance; False when it is (or concurrently became) too small."""
        for _ in range(ALLOWANCE_ATTEMPTS):
            window = self._read()
            if window.deleted + count > allowed_deletes(window.owned, percent):
                return False
            value = {"since": window.since.isoformat(), "owned": window.owned, "deleted": window.deleted + count}
            try:
                self.state.set_cursor(self.feature.name, ALLOWANCE_CURSOR, value, etag=window.etag)
            except ContentionError:
                self._window = None
                continue
            return True
        log_event(
            log,
            "DeleteAllowanceBusy",
            f"{self.feature.name}: the change feed's delete allowance kept changing concurrently",
            level=logging.WARNING,
            feature=self.feature.name,
        )
        return False

    def _read(self) -> _Window:
        if self._window is None:
            value, etag = self.state.get_cursor(self.feature.name, ALLOWANCE_CURSOR)
            stored = value if isinstance(value, dict) else {}
            since = _moment(stored.get("since"))
            owned, deleted = stored.get("owned"), stored.get("deleted")
            if (
                since is None
                or not -DELETE_WINDOW < self.now - since < DELETE_WINDOW
                or not isinstance(owned, int)
                or not isinstance(deleted, int)
            ):
                rows = self.state.iter_objects(self.feature.object_kind, fields=())
                since, owned, deleted = self.now, sum(1 for obj in rows if obj.active), 0
            self._window = _Window(since, owned, max(deleted, 0), etag)
        return self._window


@dataclass(frozen=True)
class _Window:
    since: datetime
    owned: int
    deleted: int
    etag: str | None


def _moment(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def preview(keys: Sequence[str]) -> list[str]:
    """The first keys of a targeted run, for its report."""
    return list(keys[:PREVIEW_TARGETS])
