"""Monitor events for data sources and data sets: what changed in CluedIn since the last cycle.

CluedIn has no webhooks, so every cycle compares a cheap listing (ids, names, `updatedAt`) with the facts kept
from earlier cycles, and reads the audit log since the last cycle for changes that do not show in the listing
(an annotation edited on its own, say). Only data sources with something new, changed or named by the audit
log are read in detail — one call each, or one paged pass over everything when many changed (and on the first
cycle). The facts are cached in state (`lineage-facts` rows) independently of what was written to Purview, so a
change read once is never lost, even when applying it failed. They are packed into 256 bucket rows (by a hash of
the data set id) rather than one row per data set: a backfill of thousands of data sets then costs a handful of
Table transactions, and a change rewrites one small bucket. A bucket holds each data set's facts in their packed
form (compressed canonical JSON, `sync/core/packed.py`), written and read without decoding: a quarter of the
bytes of the JSON, and no JSON work for the thousands of data sets that did not change.

The audit log is the engine's shared CluedIn change feed (`sync/core/changefeed.py`): read once per tick for
every CluedIn-side feature, capped at the tick's start, with an overlap against clock skew and the entries
already acted on remembered by id. This module only reads; the facts cache is written by the engine after the
cycle's changes are enqueued, never in dry-run, so a review run leaves every change for the next real cycle.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain

from sync.core.changefeed import FeedEntry, FeedWindow
from sync.core.packed import PackedMap
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


FACTS_PAGE = 16
"""Bucket rows read per response: a bucket holds 1/256 of the estate's facts, a few hundred KB at 30,000 data sets."""
STORE_BYTES = 2_000_000
"""Packed facts (base64) written per batch of bucket rows (an entity-group transaction holds at most 4 MB)."""


def _nothing() -> None:
    return None


def packed_facts() -> PackedMap[DataSetFacts]:
    """An empty compact map of data set id → facts (sync/core/packed.py)."""
    return PackedMap(DataSetFacts.to_json, DataSetFacts.from_json)


@dataclass
class Refresh:
    """The outcome of one refresh: every current data set's facts (packed) and what changed."""

    facts: PackedMap[DataSetFacts] = field(default_factory=packed_facts)
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


class _Mentions:
    """The objects audit entries name, matched against the listing as it streams past (one pass, nothing held)."""

    def __init__(self, entries: Iterable[FeedEntry]) -> None:
        self.entries = list(entries)
        kinds = {"DataSet": set[str](), "DataSource": set[str](), "Annotation": set[str](), "DataSourceSet": set[str]()}
        for entry in self.entries:
            for kind, ids in kinds.items():
                if entry.object_type in (kind, ""):
                    ids.add(normalize_id(entry.object_id) if kind == "DataSet" else entry.object_id)
        self.wanted = kinds
        self.by_data_set: dict[str, str] = {}
        self.by_annotation: dict[str, set[str]] = {}
        self.by_group: dict[str, set[str]] = {}
        self.source_ids: set[str] = set()

    def see(self, source: ListedSource) -> None:
        """Note which of the named objects this data source holds."""
        if source.id in self.wanted["DataSource"]:
            self.source_ids.add(source.id)
        if source.group_id in self.wanted["DataSourceSet"]:
            self.by_group.setdefault(source.group_id, set()).add(source.id)
        for data_set in source.data_sets:
            if data_set.id in self.wanted["DataSet"]:
                self.by_data_set[data_set.id] = source.id
            if data_set.annotation_id and data_set.annotation_id in self.wanted["Annotation"]:
                self.by_annotation.setdefault(data_set.annotation_id, set()).add(source.id)

    def named(self) -> dict[str, str]:
        """Data sources the entries concern → the entry that named them (first entry first)."""
        named: dict[str, str] = {}
        for entry in self.entries:
            kind, ident = entry.object_type, entry.object_id
            hits: set[str] = set()
            if kind in ("DataSet", "") and normalize_id(ident) in self.by_data_set:
                hits.add(self.by_data_set[normalize_id(ident)])
            if kind in ("DataSource", "") and ident in self.source_ids:
                hits.add(ident)
            if kind in ("Annotation", ""):
                hits |= self.by_annotation.get(ident, set())
            if kind in ("DataSourceSet", ""):
                hits |= self.by_group.get(ident, set())
            for source_id in hits:
                named.setdefault(source_id, f"audit: {entry.object_type or 'object'} {entry.action}".strip())
        return named


def sources_named_by(entries: Iterable[FeedEntry], listing: Iterable[ListedSource]) -> dict[str, str]:
    """Data sources the audit entries concern → the entry that named them.

    CluedIn does not publish its audit object type ids; when an entry's `objectType` is missing the id's shape
    decides: a data set GUID is unambiguous, an int may be a group, a source or a mapping, and every one of
    them is re-read (a spare detail read is cheap, a missed change is not).
    """
    mentions = _Mentions(entries)
    for source in listing:
        mentions.see(source)
    return mentions.named()


def refresh_facts(cluedin: CluedInClient, state: StateStore, window: FeedWindow) -> Refresh:
    """Bring the facts up to date with CluedIn and report what changed (see the module docstring). Only reads.

    `window` is what the shared CluedIn change feed reports since the last cycle; the cache write is returned in
    `Refresh.store` for the engine to run once the cycle's changes are on their queue (never in dry-run). Facts are
    held packed (a few hundred bytes per data set) and the listing is read as a stream, never held whole.
    """
    cached = read_packed_facts(state)
    refresh = Refresh()
    stale: dict[str, str] = {}
    if window.first:
        # First cycle: everything is new, so one paged pass over all details is the whole read.
        refresh.full_read = True
        for facts in iter_all_facts(cluedin):
            refresh.facts.put(facts.id, facts)
    else:
        members: dict[str, str] = {}  # data set id → its data source id, in listing order
        mentions = _Mentions(window.entries)
        for source in iter_listing(cluedin):
            mentions.see(source)
            for reason in _stale_reasons(source, cached):
                stale.setdefault(source.id, reason)
            members.update((data_set.id, source.id) for data_set in source.data_sets)
        for source_id, reason in mentions.named().items():
            stale.setdefault(source_id, reason)
        fresh = packed_facts()
        if len(stale) > FULL_READ_THRESHOLD:
            refresh.full_read = True
            for facts in iter_all_facts(cluedin):
                fresh.put(facts.id, facts)
        else:
            for source_id in sorted(stale):
                refresh.read_sources += 1
                for facts in read_source_facts(cluedin, source_id) or []:
                    fresh.put(facts.id, facts)
        for data_set_id, source_id in members.items():
            if data_set_id in fresh:
                refresh.facts.put_packed(data_set_id, fresh.packed(data_set_id))
            elif data_set_id in cached and source_id not in stale:
                refresh.facts.put_packed(data_set_id, cached.packed(data_set_id))
    refresh.events = monitor_events(cached, refresh.facts, stale)
    current = refresh.facts
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


def _stale_reasons(source: ListedSource, cached: Mapping[str, DataSetFacts]) -> Iterator[str]:
    """Why a listed data source needs a fresh read: a data set that is new or whose listing differs from the cache."""
    for data_set in source.data_sets:
        known = cached.get(data_set.id)
        if known is None:
            yield "new data set"
            continue
        reason = _listing_changed(known, source, data_set.updated_at, data_set.name, data_set.annotation_id)
        if reason:
            yield reason


def _same(cached: Mapping[str, DataSetFacts], current: Mapping[str, DataSetFacts], ident: str) -> bool:
    if isinstance(cached, PackedMap) and isinstance(current, PackedMap) and cached.same(ident, current):
        return True  # no decoding: equal facts pack to equal bytes
    # Different bytes are decoded and compared: cached bytes packed by an older release (another zlib, another
    # field order) must not read as a change of every data set.
    return cached.get(ident) == current.get(ident)


def monitor_events(
    cached: Mapping[str, DataSetFacts], current: Mapping[str, DataSetFacts], stale: Mapping[str, str]
) -> list[MonitorEvent]:
    """Data sets and data sources added, changed or removed, from the old and new facts (pure)."""
    events: list[MonitorEvent] = []
    for ident in sorted(current):
        if ident not in cached:
            events.append(MonitorEvent("Added", "DataSet", ident, current[ident].name))
        elif not _same(cached, current, ident):
            facts = current[ident]
            events.append(MonitorEvent("Changed", "DataSet", ident, facts.name, stale.get(facts.data_source_id, "")))
    for ident in sorted(cached):
        if ident not in current:
            events.append(MonitorEvent("Removed", "DataSet", ident, cached[ident].name))
    if not events:
        return events  # the same data sets with the same facts: the same data sources too
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


def read_packed_facts(state: StateStore) -> PackedMap[DataSetFacts]:
    """Every cached data set's facts, packed (one partition scan over at most 256 rows, a few at a time).

    Bucket rows hold each data set's packed bytes (base64), taken as they are: no decoding on the way in. Rows
    written by releases before that hold the facts as JSON documents; those are re-encoded.
    """
    facts = packed_facts()
    for obj in state.iter_objects(FACTS_KIND, page_size=FACTS_PAGE):
        for ident, text in (obj.data.get("packed") or {}).items():
            facts.put_packed(str(ident), base64.b64decode(text))
        for ident, data in (obj.data.get("facts") or {}).items():
            facts.put(str(ident), DataSetFacts.from_json(data))  # re-encoded: the same facts pack the same
    return facts


def read_facts(state: StateStore) -> dict[str, DataSetFacts]:
    """Every cached data set's facts."""
    packed = read_packed_facts(state)
    return {ident: packed[ident] for ident in packed}


def _store(state: StateStore, cached: PackedMap[DataSetFacts], current: PackedMap[DataSetFacts]) -> None:
    """Rewrite the buckets whose facts changed (added, changed or removed data sets); drop emptied buckets.

    Buckets are built and written a few at a time (at most `STORE_BYTES` of JSON per batch), never all at once.
    """
    touched = {facts_bucket(i) for i in chain(cached, current) if not cached.same(i, current)}
    if not touched:
        return
    members: dict[str, list[str]] = {}
    for ident in current:
        bucket = facts_bucket(ident)
        if bucket in touched:
            members.setdefault(bucket, []).append(ident)
    batch: list[SyncObject] = []
    size = 0
    for bucket in sorted(members):
        packed = {ident: base64.b64encode(current.packed(ident)).decode() for ident in members[bucket]}
        batch.append(SyncObject(kind=FACTS_KIND, key=bucket, data={"packed": packed}, status="active"))
        size += sum(len(text) for text in packed.values())
        if size >= STORE_BYTES:
            state.upsert_many(batch)
            batch, size = [], 0
    if batch:
        state.upsert_many(batch)
    emptied = [b for b in touched if b not in members and any(facts_bucket(i) == b for i in cached)]
    if emptied:
        state.remove_many(FACTS_KIND, emptied)
