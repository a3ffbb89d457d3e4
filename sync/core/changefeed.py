"""Change feeds: what changed in a source since each subscribing feature last planned, read once per tick.

CluedIn has no webhooks; its audit log says which configuration object changed (a data set, a stream, an export
target...). Every CluedIn-side feature needs that, so the feed is read once per tick for all of them, and one
cursor row per source and organization keeps every subscriber's own position:

    Cursors table: PartitionKey `change-feed`, RowKey `<source>|<source key>` →
    {"subscribers": {"<feature>": {"until": "<ISO time>", "seen": ["<entry id>", ...]}}}

A tick reads from the earliest subscriber's position (minus an overlap against clock skew) up to the moment the
tick started — the Singer-style signpost: entries written while the tick runs are seen by the next one. Each
subscriber sees only entries after its own position, minus those it already acted on inside the overlap. A
subscriber's position moves only when its cycle enqueued its changes — never in dry-run, never after a failed
cycle — so a review run or a failure consumes nothing. The row is written once, at the end of the tick.

A subscriber without a position replays no history: its first window is empty (`first`), and it reads the whole
source itself. When its position is first advanced, the entries of the overlap before that tick are remembered as
seen, so the next window does not show a change the full read already reflected as news.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import Any, Protocol

from sync.core.errors import RetriableError, SettingsError, SyncError
from sync.core.state import StateStore
from sync.core.telemetry import log_event

log = logging.getLogger("sync.changefeed")

CURSOR_PARTITION = "change-feed"
OVERLAP = timedelta(minutes=5)
MAX_SEEN_IDS = 5000
LEGACY_CURSOR = "audit-log"
KNOWN_RUN_TO_STOP = 100
"""Consecutive already-acted-on entries inside the overlap after which reading stops (one page of the audit log)."""


@dataclass(frozen=True)
class FeedEntry:
    """One change a source reported (an audit-log entry)."""

    id: str
    object_type: str
    object_id: str
    action: str
    at: str
    name: str = ""


class FeedSource(Protocol):
    """Where a feed's entries come from (the CluedIn audit log)."""

    @property
    def key(self) -> str:
        """Identity of the source instance (one cursor per organization)."""
        ...

    def read(self, since: datetime, until: datetime) -> Iterable[FeedEntry]:
        """Entries written between two moments."""
        ...


FeedSourceFactory = Callable[[Any], FeedSource]
"""Builds a source from the run's context (so the source can use the context's service client)."""


@dataclass
class FeedWindow:
    """What one subscriber sees of one tick's read."""

    entries: list[FeedEntry] = field(default_factory=list)
    first: bool = False
    """The subscriber had no position yet: it must read everything once (no history is replayed)."""


def _parse(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _not_before(at: str, moment: datetime) -> bool:
    """Whether an entry's time is at or after `moment` (unreadable or zone-less times: yes, to be safe)."""
    parsed = _parse(at)
    return parsed is None or parsed.tzinfo is None or parsed >= moment


class _Feed:
    """One source's feed within one tick."""

    def __init__(self, state: StateStore, name: str, source: FeedSource, now: datetime) -> None:
        self.state = state
        self.name = name
        self.source = source
        self.now = now
        self.row = f"{name}|{source.key}"
        value, self.etag = state.get_cursor(CURSOR_PARTITION, self.row)
        raw = value.get("subscribers") if isinstance(value, dict) else None
        self.positions: dict[str, dict[str, Any]] = dict(raw) if isinstance(raw, dict) else {}
        self.stored = set(self.positions)
        self.entries: list[FeedEntry] | None = None
        self.read_from: datetime | None = None
        self.advanced: dict[str, dict[str, Any]] = {}

    def _since(self, subscriber: str) -> datetime | None:
        position = self.positions.get(subscriber)
        if position is None:
            # Before one feed served every feature, a feature kept its own audit-log cursor: start from it once.
            legacy, _ = self.state.get_cursor(subscriber, LEGACY_CURSOR)
            position = self.positions[subscriber] = dict(legacy) if isinstance(legacy, dict) else {}
        return _parse(str(position.get("until", "")))

    def window(self, subscriber: str, types: frozenset[str]) -> FeedWindow:
        since = self._since(subscriber)
        if since is None:
            return FeedWindow(first=True)
        seen = set((self.positions.get(subscriber) or {}).get("seen") or [])
        entries = self._read(since - OVERLAP, since, seen)
        wanted = [
            e
            for e in entries
            if not (e.id and e.id in seen)
            and (not types or not e.object_type or e.object_type in types)
            and _not_before(e.at, since - OVERLAP)
        ]
        return FeedWindow(entries=wanted)

    def _read(
        self, start: datetime, since: datetime | None = None, seen: frozenset[str] | set[str] = frozenset()
    ) -> list[FeedEntry]:
        """Entries from `start` to the tick's start, newest first, read once per tick (again only for an earlier start).

        With `since` (a subscriber's position) reading stops early inside the overlap once it is all known: the
        overlap (re-reading before the last position, against clock skew) would otherwise re-read every entry of a
        burst on every tick for five minutes. After a page's worth of consecutive entries that are older than the
        position and already acted on, the rest of the overlap is the same burst, and reading stops.
        """
        if self.entries is not None and self.read_from is not None and start >= self.read_from:
            return self.entries
        # Usually every subscriber stands at the same place; one further behind makes the tick read once more.
        self.read_from = start
        entries: list[FeedEntry] = []
        known = 0
        for entry in self.source.read(start, self.now):
            entries.append(entry)
            if since is None:
                continue
            older = not _not_before(entry.at, since)
            known = known + 1 if older and entry.id and entry.id in seen else 0
            if known >= KNOWN_RUN_TO_STOP:
                break
        self.entries = entries
        return entries

    def advance(self, subscriber: str, window: FeedWindow) -> None:
        if window.first:
            # The subscriber's full read reflected everything written so far, but the next window's overlap would
            # show the last minutes again as news: it remembers them as seen. They are read at `commit`, once
            # every feature of the tick has its changes on the queue: after a bulk import the overlap holds
            # thousands of entries, and reading them here would hold back the next feature's plan.
            self.advanced[subscriber] = {"until": self.now.isoformat(), "seen": None}
            return
        self.advanced[subscriber] = self._position(subscriber, window.entries)

    def _position(self, subscriber: str, shown: list[FeedEntry]) -> dict[str, Any]:
        recent = [e.id for e in shown if e.id and self._recent(e.at)]
        kept = [i for i in (self.positions.get(subscriber) or {}).get("seen") or [] if i not in recent]
        return {"until": self.now.isoformat(), "seen": (recent + kept)[:MAX_SEEN_IDS]}

    def _newest_of_overlap(self) -> list[FeedEntry]:
        """The overlap before the tick, newest first, as far as a position remembers (`MAX_SEEN_IDS` entries).

        After a bulk change (30,000 data sets imported) the overlap holds far more entries than are remembered:
        they are neither requested nor held. A read of this tick that already covers the overlap is reused. Called
        once per tick, by `commit`, for all first-time subscribers together (a first deployment starts every
        feature at once: five features re-reading 5,000 entries each had cost 9 s of a 14 s backfill).
        """
        start = self.now - OVERLAP
        if self.entries is not None and self.read_from is not None and start >= self.read_from:
            return self.entries
        return list(islice(self.source.read(start, self.now), MAX_SEEN_IDS))

    def _recent(self, at: str) -> bool:
        moment = _parse(at)
        return moment is None or moment.tzinfo is None or moment >= self.now - OVERLAP

    def commit(self) -> None:
        first = [subscriber for subscriber, position in self.advanced.items() if position["seen"] is None]
        if first:
            try:
                overlap = self._newest_of_overlap()
            except SyncError as exc:
                # Their changes are queued; without the overlap they stay first-time subscribers (next tick reads
                # everything again, at no risk of missing a change) and the others still move.
                log_event(log, "ChangeFeedOverlapUnread", f"change feed {self.row}: overlap not read ({exc})",
                          level=logging.WARNING, subscribers=",".join(first))  # fmt: skip
                for subscriber in first:
                    del self.advanced[subscriber]
            else:
                for subscriber in first:
                    self.advanced[subscriber] = self._position(subscriber, overlap)
        if not self.advanced:
            return
        kept = {k: v for k, v in self.positions.items() if k in self.stored}
        value = {"subscribers": {**kept, **self.advanced}}
        try:
            self.state.set_cursor(CURSOR_PARTITION, self.row, value, etag=self.etag)
        except RetriableError:
            # Another host planned the same tick: its positions are as good as ours (both capped at a tick start).
            log_event(log, "ChangeFeedRace", f"change feed {self.row} moved concurrently; kept the other writer's")
            return
        self.advanced.clear()


class ChangeFeeds:
    """The change feeds of one tick: each source read at most once, whatever the number of subscribers."""

    def __init__(
        self, state: StateStore, sources: Mapping[str, FeedSourceFactory], context: Any, now: datetime
    ) -> None:
        self.state = state
        self.sources = dict(sources)
        self.context = context
        self.now = now
        self._feeds: dict[str, _Feed] = {}
        self._lock = threading.RLock()
        """Features of a tick plan side by side: one of them reads a source, the others wait and share it."""
        self._windows: dict[tuple[str, str], FeedWindow] = {}
        self._types: dict[str, frozenset[str]] = {}

    def subscribe(self, subscriber: str, feeds: Mapping[str, frozenset[str]]) -> None:
        """Declare what a feature reads (from its `change_feeds`) before it plans."""
        for source, types in feeds.items():
            self._types[f"{source}|{subscriber}"] = types

    def _feed(self, source: str) -> _Feed:
        if source not in self._feeds:
            factory = self.sources.get(source)
            if factory is None:
                raise SettingsError(f"no change feed source {source!r} is configured")
            self._feeds[source] = _Feed(self.state, source, factory(self.context), self.now)
        return self._feeds[source]

    def window(self, source: str, subscriber: str) -> FeedWindow:
        """What the subscriber has not seen yet (read from the source on first use in this tick)."""
        key = f"{source}|{subscriber}"
        if key not in self._types:
            raise SettingsError(f"feature {subscriber!r} does not declare the change feed {source!r}")
        with self._lock:
            if (source, subscriber) not in self._windows:
                self._windows[(source, subscriber)] = self._feed(source).window(subscriber, self._types[key])
            return self._windows[(source, subscriber)]

    def advance(self, subscriber: str) -> None:
        """The subscriber enqueued what its windows showed: move its positions (written by `commit`)."""
        with self._lock:
            for (source, who), window in list(self._windows.items()):
                if who == subscriber:
                    self._feed(source).advance(subscriber, window)

    def commit(self) -> None:
        """Write every advanced position, one cursor row per source (called once, at the end of the tick)."""
        with self._lock:
            for feed in self._feeds.values():
                with contextlib.suppress(RetriableError):
                    feed.commit()
