"""Monitor events for streams and export targets, and the stream previews kept between cycles.

Every cycle lists streams and export targets (one paged call each: the listing carries conditions, mappings and
statuses) and compares them with what earlier cycles kept (`streams-facts` rows, one per stream and per export
target). The shared CluedIn change feed says what a listing cannot show: that a stream was *reprocessed*, or
saved. Only streams whose preview may have changed are previewed again (one search of up to "Sync Streams
Preview Condition Sample Size" golden records each): new streams, streams whose condition or exported keys
changed, streams the feed names, and every stream when the feed shows golden records of new kinds may exist
(a data set, mapping, entity type or provider changed). So a quiet cycle costs the two listings and no search.

A condition CluedIn cannot evaluate is kept with its error (the stream is still synced, with no entity types, and
the run report says why); it is previewed again when the stream or the data changes, never in a loop. The cache
is written by the engine after the cycle's changes are enqueued, never in dry-run.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sync.core.changefeed import FeedWindow
from sync.core.state import StateStore, SyncObject, fingerprint
from sync.core.telemetry import counted_by_caller, log_event
from sync.services.cluedin import filters
from sync.services.cluedin.client import CluedInClient, GraphQLError
from sync.services.cluedin.consume import (
    ExportTargetFacts,
    StreamFacts,
    iter_export_targets,
    iter_streams,
    sample_condition,
)

log = logging.getLogger("sync.streams.monitor")

FACTS_KIND = "streams-facts"
FACTS_BUCKETS = 32
"""Cached streams and targets share a few rows: a first cycle writes one Table transaction, not one per 100."""
STREAM, TARGET = "stream", "target"
STREAM_OBJECT, TARGET_OBJECT = "Stream", "ExportTarget"
DATA_OBJECTS = frozenset({"DataSet", "Annotation", "EntityType", "Provider"})
"""Audit object types after which a condition may select golden records of another entity type."""
FEED_TYPES = frozenset({STREAM_OBJECT, TARGET_OBJECT, *DATA_OBJECTS})
PREVIEW_WORKERS = 4


@dataclass(frozen=True)
class MonitorEvent:
    """A change in CluedIn the cycle reflects in Purview."""

    event: str
    object_type: str
    object_id: str
    name: str

    @property
    def text(self) -> str:
        """Human-readable form (for logs and run reports)."""
        label = {STREAM_OBJECT: "Stream", TARGET_OBJECT: "Export target"}[self.object_type]
        return f"{label} '{self.name}' {self.event.lower()} in CluedIn"


@dataclass
class Preview:
    """What previewing a stream's condition found (kept between cycles)."""

    entity_types: dict[str, list[str]] = field(default_factory=dict)
    error: str = ""
    condition: str = ""
    keys: list[str] = field(default_factory=list)
    """The exported vocabulary keys the preview looked for."""

    def to_json(self) -> dict[str, Any]:
        """JSON form for state."""
        return {"entityTypes": self.entity_types, "error": self.error, "condition": self.condition, "keys": self.keys}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Preview:
        """Inverse of `to_json`."""
        types = {str(k): [str(x) for x in v] for k, v in (data.get("entityTypes") or {}).items()}
        keys = [str(k) for k in data.get("keys") or []]
        return cls(types, str(data.get("error") or ""), str(data.get("condition") or ""), keys)


@dataclass
class Known:
    """One cached stream or export target: the row's data as it was written."""

    data: dict[str, Any]

    @property
    def name(self) -> str:
        """The object's name when it was last listed."""
        return str(self.data.get("name") or "")

    @property
    def listing(self) -> str:
        """Fingerprint of its last listing."""
        return str(self.data.get("listing") or "")

    @property
    def preview(self) -> Preview | None:
        """A stream's last preview."""
        raw = self.data.get("preview")
        return Preview.from_json(raw) if isinstance(raw, Mapping) else None

    @property
    def reprocessed_at(self) -> str:
        """When a stream was last seen reprocessed."""
        return str(self.data.get("reprocessedAt") or "")


def _nothing() -> None:
    return None


@dataclass
class Refresh:
    """Everything one cycle knows about streams and export targets."""

    streams: list[StreamFacts] = field(default_factory=list)
    targets: list[ExportTargetFacts] = field(default_factory=list)
    previews: dict[str, Preview] = field(default_factory=dict)
    reprocessed: dict[str, str] = field(default_factory=dict)
    """Stream id → when it was last reprocessed (ISO time of the audit entry), when known."""
    events: list[MonitorEvent] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    previewed: int = 0
    searches: int = 0
    store: Callable[[], None] = _nothing


def listing_fingerprint(value: StreamFacts | ExportTargetFacts) -> str:
    """What the listing says about an object, without its timestamps (a touch alone changes nothing)."""
    data = dict(vars(value))
    data.pop("modified_at", None)
    data.pop("updated_at", None)
    return fingerprint(data)


def facts_bucket(key: str) -> str:
    """The bucket row holding a cached stream or target (two hex digits of a hash of its key, FACTS_BUCKETS rows)."""
    return f"{int(hashlib.sha256(key.encode()).hexdigest()[:4], 16) % FACTS_BUCKETS:02x}"


def read_known(state: StateStore) -> dict[str, Known]:
    """Cached streams (`stream|<id>`) and export targets (`target|<id>`): one scan of at most FACTS_BUCKETS rows."""
    known = {}
    for obj in state.iter_objects(FACTS_KIND):
        for key, data in (obj.data.get("items") or {}).items():
            known[str(key)] = Known(dict(data))
    return known


def refresh_streams(cluedin: CluedInClient, state: StateStore, window: FeedWindow, sample_size: int) -> Refresh:
    """List streams and targets, preview what may have changed, and say what changed (only reads)."""
    known = read_known(state)
    refresh = Refresh(streams=list(iter_streams(cluedin)), targets=list(iter_export_targets(cluedin)))
    news: dict[str, set[str]] = {}
    reprocessed: dict[str, str] = {}
    for entry in window.entries:
        ident = entry.object_id.lower()
        news.setdefault(entry.object_type, set()).add(ident)
        if entry.object_type == STREAM_OBJECT and entry.action == "Reprocessed":
            reprocessed[ident] = max(entry.at, reprocessed.get(ident, ""))
    data_changed = window.first or bool(DATA_OBJECTS & set(news))
    stale: dict[str, list[StreamFacts]] = {}
    for stream in refresh.streams:
        cached = known.get(f"{STREAM}|{stream.id}")
        refresh.reprocessed[stream.id] = reprocessed.get(stream.id) or (cached.reprocessed_at if cached else "")
        previous = cached.preview if cached is not None else None
        if (
            previous is None
            or data_changed
            or previous.condition != stream.condition
            or previous.keys != stream.vocabulary_keys()
            or stream.id in news.get(STREAM_OBJECT, set())
        ):
            stale.setdefault(filters.canonical(stream.condition), []).append(stream)
        else:
            refresh.previews[stream.id] = previous
    # Streams with the same filter share one preview; previews run a few at a time (the client's limiter still
    # caps the rate), in a fixed order so notes and results do not depend on timing.
    groups = list(stale.values())
    with ThreadPoolExecutor(max_workers=PREVIEW_WORKERS) as pool:
        results = list(pool.map(counted_by_caller(lambda streams: _preview(cluedin, streams, sample_size)), groups))
    for streams, (previews, notes, calls) in zip(groups, results, strict=True):
        refresh.previewed += 1
        refresh.searches += calls
        refresh.notes += notes
        for stream, preview in zip(streams, previews, strict=True):
            refresh.previews[stream.id] = preview
    refresh.events = monitor_events(known, refresh, reprocessed)
    for event in refresh.events:
        log_event(log, f"CluedIn{event.object_type}{event.event}", event.text, object_id=event.object_id)
    current = _rows(refresh)
    refresh.store = lambda: _store(state, known, current)
    return refresh


def _preview(cluedin: CluedInClient, streams: list[StreamFacts], size: int) -> tuple[list[Preview], list[str], int]:
    """Preview a filter once for the streams that share it: (a preview per stream, notes, search calls).

    An error CluedIn gives is kept in the previews and reported, not raised.
    """
    condition = streams[0].condition
    keys = list(dict.fromkeys(k for stream in streams for k in stream.vocabulary_keys()))
    try:
        sample = sample_condition(cluedin, condition, size, keys)
    except (GraphQLError, ValueError) as exc:
        error = str(getattr(exc, "detail", "") or exc)
        notes = []
        for stream in streams:
            notes.append(
                f"Stream '{stream.name}': its condition could not be evaluated ({error}); synced without entity types"
            )
            log_event(log, "StreamConditionNotEvaluated", notes[-1], level=logging.WARNING, stream=stream.id)
        return [Preview(condition=s.condition, keys=s.vocabulary_keys(), error=error) for s in streams], notes, 1
    previews = []
    for stream in streams:
        own = stream.vocabulary_keys()
        found = {t: [k for k in own if k in held] for t, held in sample.entity_types.items()}
        previews.append(Preview(entity_types=found, condition=stream.condition, keys=own))
    return previews, [], sample.calls


def monitor_events(known: Mapping[str, Known], refresh: Refresh, reprocessed: Mapping[str, str]) -> list[MonitorEvent]:
    """Streams and export targets added, updated, reprocessed or removed (pure).

    A stream is updated when its listing changed, or when its preview found other entity types or keys; an audit
    entry alone is only a reason to look (the feed's overlap may show one twice).
    """
    events = []
    current: dict[str, tuple[str, str, str, str]] = {}
    for stream in refresh.streams:
        current[f"{STREAM}|{stream.id}"] = (STREAM_OBJECT, stream.id, stream.name, listing_fingerprint(stream))
    for target in refresh.targets:
        listing = listing_fingerprint(target)
        current[f"{TARGET}|{target.id}"] = (TARGET_OBJECT, target.id, target.account_display, listing)
    for key, (object_type, ident, name, listing) in sorted(current.items()):
        cached = known.get(key)
        if cached is None:
            events.append(MonitorEvent("Added", object_type, ident, name))
            continue
        preview = refresh.previews.get(ident)
        found = preview.to_json() if preview is not None else None
        before = cached.preview.to_json() if cached.preview is not None else None
        if cached.listing != listing or (object_type == STREAM_OBJECT and found != before):
            events.append(MonitorEvent("Updated", object_type, ident, name))
        if ident in reprocessed:
            events.append(MonitorEvent("Reprocessed", object_type, ident, name))
    for key, cached in sorted(known.items()):
        if key not in current:
            kind, _, ident = key.partition("|")
            object_type = STREAM_OBJECT if kind == STREAM else TARGET_OBJECT
            events.append(MonitorEvent("Removed", object_type, ident, cached.name))
    return events


def _rows(refresh: Refresh) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for stream in refresh.streams:
        preview = refresh.previews.get(stream.id)
        rows[f"{STREAM}|{stream.id}"] = {
            "name": stream.name,
            "listing": listing_fingerprint(stream),
            "preview": preview.to_json() if preview is not None else None,
            "reprocessedAt": refresh.reprocessed.get(stream.id, ""),
        }
    for target in refresh.targets:
        rows[f"{TARGET}|{target.id}"] = {"name": target.account_display, "listing": listing_fingerprint(target)}
    return rows


def _store(state: StateStore, known: Mapping[str, Known], current: Mapping[str, dict[str, Any]]) -> None:
    """Rewrite the buckets holding a stream or target that was added, changed or removed; drop emptied buckets."""
    keys = set(known) | set(current)
    touched = {facts_bucket(k) for k in keys if k not in known or k not in current or known[k].data != current[k]}
    if not touched:
        return
    buckets: dict[str, dict[str, Any]] = {b: {} for b in touched}
    for key, data in current.items():
        if facts_bucket(key) in buckets:
            buckets[facts_bucket(key)][key] = data
    filled = [
        SyncObject(kind=FACTS_KIND, key=b, data={"items": items}, status="active")
        for b, items in sorted(buckets.items())
        if items
    ]
    if filled:
        state.upsert_many(filled)
    emptied = [b for b, items in buckets.items() if not items]
    if emptied:
        state.remove_many(FACTS_KIND, emptied)
