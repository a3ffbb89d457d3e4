"""Monitor events for data sources and data sets: what changed in CluedIn since the last cycle.

CluedIn has no webhooks, so every cycle compares a cheap listing (ids, names, `updatedAt`) with the facts kept
from earlier cycles, and reads the audit log since the last cycle for changes that do not show in the listing
(an annotation edited on its own, say). Only data sources with something new, changed or named by the audit
log are read in detail — one call each, or one paged pass over everything when many changed (and on the first
cycle). The facts are cached in state (`lineage-facts` rows) independently of what was written to Purview, so a
change read once is never lost, even when applying it failed.

The audit-log watermark is capped at the start of the run (entries written while the run reads are seen by the
next run) and read with a small overlap, because re-reading an entry costs one detail read at most while
missing one would hide a change until the data set changes again.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sync.clients.cluedin import CluedInClient
from sync.clients.cluedin_datasets import (
    AuditEntry,
    ListedSource,
    iter_all_facts,
    iter_audit_log,
    iter_listing,
    normalize_id,
    read_source_facts,
)
from sync.errors import RetriableError
from sync.lineage import rows
from sync.lineage.model import DataSetFacts
from sync.state import StateStore, SyncObject
from sync.telemetry import log_event

log = logging.getLogger("sync.lineage.monitor")

FACTS_KIND = "lineage-facts"
CURSOR_FEATURE = "lineage"
CURSOR_NAME = "audit-log"
AUDIT_OVERLAP = timedelta(minutes=5)
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


@dataclass
class Refresh:
    """The outcome of one refresh: every current data set's facts and what changed."""

    facts: dict[str, DataSetFacts] = field(default_factory=dict)
    events: list[MonitorEvent] = field(default_factory=list)
    read_sources: int = 0
    full_read: bool = False


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


def sources_named_by(entries: Iterable[AuditEntry], listing: list[ListedSource]) -> dict[str, str]:
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


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def refresh_facts(cluedin: CluedInClient, state: StateStore, *, now: datetime) -> Refresh:
    """Bring the cached facts up to date with CluedIn and report what changed (see the module docstring)."""
    cached_rows = {obj.key: obj for obj in state.iter_objects(FACTS_KIND)}
    cached = {key: DataSetFacts.from_json(obj.data.get("facts") or {}) for key, obj in cached_rows.items()}
    listing = list(iter_listing(cluedin))
    refresh = Refresh()
    stale: dict[str, str] = {}
    listed: dict[str, ListedSource] = {}
    for source in listing:
        for data_set in source.data_sets:
            listed[data_set.id] = source
            known = cached.get(data_set.id)
            if known is None:
                stale.setdefault(source.id, "new data set")
                refresh.events.append(MonitorEvent("Added", "DataSet", data_set.id, data_set.name))
                continue
            reason = _listing_changed(known, source, data_set.updated_at, data_set.name, data_set.annotation_id)
            if reason:
                stale.setdefault(source.id, reason)
    cursor, etag = state.get_cursor(CURSOR_FEATURE, CURSOR_NAME)
    since = _parse_time(str(cursor.get("until", ""))) if isinstance(cursor, dict) else None
    if since is not None:
        entries = iter_audit_log(cluedin, since - AUDIT_OVERLAP, now)
        for source_id, reason in sources_named_by(entries, listing).items():
            stale.setdefault(source_id, reason)
    fresh: dict[str, DataSetFacts] = {}
    if since is None or len(stale) > FULL_READ_THRESHOLD:
        refresh.full_read = True
        fresh = {f.id: f for f in iter_all_facts(cluedin)}
    else:
        for source_id in sorted(stale):
            refresh.read_sources += 1
            for facts in read_source_facts(cluedin, source_id) or []:
                fresh[facts.id] = facts
    for ident, source in listed.items():
        if ident in fresh:
            refresh.facts[ident] = fresh[ident]
        elif ident in cached and source.id not in stale:
            refresh.facts[ident] = cached[ident]
    _record_events(refresh, cached, fresh, stale, listed)
    _store(state, cached_rows, cached, refresh.facts)
    with contextlib.suppress(RetriableError):  # another planner moved it at the same time, to its own start
        state.set_cursor(CURSOR_FEATURE, CURSOR_NAME, {"until": now.isoformat()}, etag=etag)
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


def _record_events(
    refresh: Refresh,
    cached: dict[str, DataSetFacts],
    fresh: dict[str, DataSetFacts],
    stale: dict[str, str],
    listed: dict[str, ListedSource],
) -> None:
    """Data-set 'Changed'/'Removed' and data-source events, from the old and new facts."""
    for ident, facts in fresh.items():
        old = cached.get(ident)
        if old is not None and old != facts and ident in listed:
            reason = stale.get(listed[ident].id, "")
            refresh.events.append(MonitorEvent("Changed", "DataSet", ident, facts.name, reason))
    for ident, old in cached.items():
        if ident not in refresh.facts:
            refresh.events.append(MonitorEvent("Removed", "DataSet", ident, old.name))
    old_sources = {f.data_source_id: f.data_source_name for f in cached.values()}
    new_sources = {s.id: s.name for s in listed.values()}
    for source_id, name in sorted(new_sources.items()):
        if source_id not in old_sources:
            refresh.events.append(MonitorEvent("Added", "DataSource", source_id, name))
        elif old_sources[source_id] != name:
            refresh.events.append(MonitorEvent("Changed", "DataSource", source_id, name, "renamed"))
    for source_id, name in sorted(old_sources.items()):
        if source_id not in new_sources:
            refresh.events.append(MonitorEvent("Removed", "DataSource", source_id, name))


def _store(
    state: StateStore,
    cached_rows: dict[str, SyncObject],
    cached: dict[str, DataSetFacts],
    current: dict[str, DataSetFacts],
) -> None:
    """Write the facts that changed and drop those of data sets that are gone."""
    changed = [
        SyncObject(kind=FACTS_KIND, key=ident, data={"facts": facts.to_json()}, status="active")
        for ident, facts in current.items()
        if cached.get(ident) != facts
    ]
    if changed:
        rows.upsert(state, changed)
    gone = [key for key in cached_rows if key not in current]
    if gone:
        rows.remove(state, FACTS_KIND, gone)
