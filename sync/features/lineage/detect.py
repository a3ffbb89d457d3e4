"""Monitor events for data sources and data sets: what changed in CluedIn since the last cycle.

CluedIn has no webhooks, so every cycle compares a cheap listing (ids, names, `updatedAt`) with the facts kept
from earlier cycles, and reads the audit log since the last cycle for changes that do not show in the listing
(an annotation edited on its own, say). Only data sources with something new, changed or named by the audit
log are read in detail — one call each, or one paged pass over everything when many changed (and on the first
cycle). The facts are cached in state (`lineage-facts` rows) independently of what was written to Purview, so a
change read once is never lost, even when applying it failed. They are packed into 256 bucket rows (by a hash of
the data set id) rather than one row per data set: a backfill of thousands of data sets then costs a handful of
Table transactions, and a change rewrites one small bucket.

The audit log is the engine's shared CluedIn change feed (`sync/core/changefeed.py`): read once per tick for
every CluedIn-side feature, capped at the tick's start, with an overlap against clock skew and the entries
already acted on remembered by id. This module only reads; the facts cache is written by the engine after the
cycle's changes are enqueued, never in dry-run, so a review run leaves every change for the next real cycle.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sync.core.changefeed import FeedEntry, FeedWindow
from sync.core.state import StateStore, SyncObject
from sync.core.telemetry import log_event
from sync.services.cluedin.client import CluedInClient
from sync.services.cluedin.datasets import (
    DataSetFacts,
    ListedSource,
    iter_all_facts,
    iter_listing,
    normalize_id,
    read_source_facts,
)

log = logging.getLogger("sync.lineage.monitor")

FACTS_KIND = "lineage-facts"
FACTS_BUCKETS = 256
FEED_TYPES = frozenset({"DataSet", "DataSource", "DataSourceSet", "Annotation"})
"""Audit object types that concern data sets (entries without a type reach every subscriber)."""
FULL_READ_THRESHOLD = 25
"""Above this many data sources to re-read, one paged pass over everything is cheaper than one call each."""


@dataclass(frozen=True)
class MonitorEvent:
    """A change in CluedIn that the cycle reflects in Purview."""

    event: str
    object_type: str
    object_id: str
    name: str
    reason: str = ""

    @property
    def text(self) -> str:
        """Human-readable form (for logs and run reports)."""
        verb = {"Added": "added", "Changed": "changed", "Removed": "removed"}[self.event]
        label = {"DataSet": "Data set", "DataSource": "Data source"}[self.object_type]
        return f"{label} '{self.name}' {verb} in CluedIn" + (f" ({self.reason})" if self.reason else "")


def _nothing() -> None:
    return None


@dataclass
class Refresh:
    """The outcome of one refresh: every current data set's facts and what changed."""

    facts: dict[str, DataSetFacts] = field(default_factory=dict)
    events: list[MonitorEvent] = field(default_factory=list)
    read_sources: int = 0
    full_read: bool = False
    store: Callable[[], None] = _nothing
    """The cache write (run by the engine after enqueueing)."""


def _listing_changed(cached: DataSetFacts, source: ListedSource, updated_at: str, name: str, annotation: str) -> str:
    """Why a listed data set needs a fresh read ('' when it does not)."""
    if cached.updated_at != updated_at:
        return "updatedAt"
    if cached.name != name:
        return "renamed"
    if cached.annotation_id != annotation:
        return "mapping"
    if cached.data_source_name != source.name or cached.group_name != source.group_name:
        return "data source renamed"
    return ""


def sources_named_by(entries: Iterable[FeedEntry], listing: list[ListedSource]) -> dict[str, str]:
    """Data sources the audit entries concern → the entry that named them.

    CluedIn does not publish its audit object type ids; when an entry's `objectType` is missing the id's shape
    decides: a data set GUID is unambiguous, an int may be a group, a source or a mapping, and every one of
    them is re-read (a spare detail read is cheap, a missed change is not).
    """
    by_data_set: dict[str, str] = {}
    by_annotation: dict[str, set[str]] = {}
    by_group: dict[str, set[str]] = {}
    for source in listing:
        by_group.setdefault(source.group_id, set()).add(source.id)
        for data_set in source.data_sets:
            by_data_set[data_set.id] = source.id
            if data_set.annotation_id:
                by_annotation.setdefault(data_set.annotation_id, set()).add(source.id)
    source_ids = {s.id for s in listing}
    named: dict[str, str] = {}
    for entry in entries:
        kind, ident = entry.object_type, entry.object_id
        hits: set[str] = set()
        if kind in ("DataSet", "") and normalize_id(ident) in by_data_set:
            hits.add(by_data_set[normalize_id(ident)])
        if kind in ("DataSource", "") and ident in source_ids:
            hits.add(ident)
        if kind in ("Annotation", ""):
            hits |= by_annotation.get(ident, set())
        if kind in ("DataSourceSet", ""):
            hits |= by_group.get(ident, set())
        for source_id in hits:
            named.setdefault(source_id, f"audit: {entry.object_type or 'object'} {entry.action}".strip())
    return named


def refresh_facts(cluedin: CluedInClient, state: StateStore, window: FeedWindow) -> Refresh:
    """Bring the facts up to date with CluedIn and report what changed (see the module docstring). Only reads.

    `window` is what the shared CluedIn change feed reports since the last cycle; the cache write is returned in
    `Refresh.store` for the engine to run once the cycle's changes are on their queue (never in dry-run).
    """
    cached = read_facts(state)
    refresh = Refresh()
    stale: dict[str, str] = {}
    if window.first:
        # First cycle: everything is new, so one paged pass over all details is the whole read.
        refresh.full_read = True
        refresh.facts = {f.id: f for f in iter_all_facts(cluedin)}
    else:
        listing = list(iter_listing(cluedin))
        stale = _stale_sources(listing, cached)
        for source_id, reason in sources_named_by(window.entries, listing).items():
            stale.setdefault(source_id, reason)
        fresh: dict[str, DataSetFacts] = {}
        if len(stale) > FULL_READ_THRESHOLD:
            refresh.full_read = True
            fresh = {f.id: f for f in iter_all_facts(cluedin)}
        else:
            for source_id in sorted(stale):
                refresh.read_sources += 1
                for facts in read_source_facts(cluedin, source_id) or []:
                    fresh[facts.id] = facts
        for source in listing:
            for data_set in source.data_sets:
                if data_set.id in fresh:
                    refresh.facts[data_set.id] = fresh[data_set.id]
                elif data_set.id in cached and source.id not in stale:
                    refresh.facts[data_set.id] = cached[data_set.id]
    refresh.events = monitor_events(cached, refresh.facts, stale)
    current = dict(refresh.facts)
    refresh.store = lambda: _store(state, cached, current)
    for event in refresh.events:
        log_event(
            log,
            f"CluedIn{event.object_type}{event.event}",
            event.text,
            object_type=event.object_type,
            object_id=event.object_id,
            reason=event.reason or None,
        )
    return refresh


def _stale_sources(listing: list[ListedSource], cached: dict[str, DataSetFacts]) -> dict[str, str]:
    """Data sources with a data set that is new or whose listing differs from the cached facts → why."""
    stale: dict[str, str] = {}
    for source in listing:
        for data_set in source.data_sets:
            known = cached.get(data_set.id)
            if known is None:
                stale.setdefault(source.id, "new data set")
                continue
            reason = _listing_changed(known, source, data_set.updated_at, data_set.name, data_set.annotation_id)
            if reason:
                stale.setdefault(source.id, reason)
    return stale


def monitor_events(
    cached: dict[str, DataSetFacts], current: dict[str, DataSetFacts], stale: dict[str, str]
) -> list[MonitorEvent]:
    """Data sets and data sources added, changed or removed, from the old and new facts (pure)."""
    events: list[MonitorEvent] = []
    for ident, facts in sorted(current.items()):
        old = cached.get(ident)
        if old is None:
            events.append(MonitorEvent("Added", "DataSet", ident, facts.name))
        elif old != facts:
            events.append(MonitorEvent("Changed", "DataSet", ident, facts.name, stale.get(facts.data_source_id, "")))
    for ident, old in sorted(cached.items()):
        if ident not in current:
            events.append(MonitorEvent("Removed", "DataSet", ident, old.name))
    old_sources = {f.data_source_id: f.data_source_name for f in cached.values()}
    new_sources = {f.data_source_id: f.data_source_name for f in current.values()}
    for source_id, name in sorted(new_sources.items()):
        if source_id not in old_sources:
            events.append(MonitorEvent("Added", "DataSource", source_id, name))
        elif old_sources[source_id] != name:
            events.append(MonitorEvent("Changed", "DataSource", source_id, name, "renamed"))
    for source_id, name in sorted(old_sources.items()):
        if source_id not in new_sources:
            events.append(MonitorEvent("Removed", "DataSource", source_id, name))
    return events


def facts_bucket(data_set_id: str) -> str:
    """The bucket row holding a data set's facts (two hex digits of a hash of its id)."""
    return hashlib.sha256(data_set_id.encode()).hexdigest()[:2]


def read_facts(state: StateStore) -> dict[str, DataSetFacts]:
    """Every cached data set's facts (one partition scan over at most 256 rows)."""
    facts: dict[str, DataSetFacts] = {}
    for obj in state.iter_objects(FACTS_KIND):
        for ident, data in (obj.data.get("facts") or {}).items():
            facts[str(ident)] = DataSetFacts.from_json(data)
    return facts


def _store(state: StateStore, cached: dict[str, DataSetFacts], current: dict[str, DataSetFacts]) -> None:
    """Rewrite the buckets whose facts changed (added, changed or removed data sets); drop emptied buckets."""
    touched = {facts_bucket(i) for i in set(cached) | set(current) if cached.get(i) != current.get(i)}
    if not touched:
        return
    buckets: dict[str, dict[str, Any]] = {b: {} for b in touched}
    for ident, facts in current.items():
        bucket = facts_bucket(ident)
        if bucket in buckets:
            buckets[bucket][ident] = facts.to_json()
    filled = [SyncObject(kind=FACTS_KIND, key=b, data={"facts": f}, status="active") for b, f in buckets.items() if f]
    if filled:
        state.upsert_many(filled)
    emptied = [b for b, f in buckets.items() if not f and any(facts_bucket(i) == b for i in cached)]
    if emptied:
        state.remove_many(FACTS_KIND, emptied)
