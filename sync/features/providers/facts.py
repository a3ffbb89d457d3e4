"""Which crawler or enricher contributed which properties to which entity type, kept between cycles.

Found as the product does: the history of a sample of golden records per entity type (`sync/services/cluedin/
providers.py`). History is the expensive read, so it is only read for what may have changed:

- the first cycle (or a lost cache): every sampled entity type, for every crawler and enricher;
- a provider that is new, whose listing changed, or that the shared change feed names: every sampled entity
  type, for that provider only;
- an entity type that joined the sample: that type, for every provider.

Everything else comes from the cache (`providers-facts` rows, one per provider plus one naming the sampled
entity types), so a quiet cycle costs the provider listing and the entity-type listing, and reads no history.
A removed provider needs no read at all. A provider whose sampled history shows nothing is still synced (an
Organization Provider without processes) and the run report says so. Data-source providers (file, endpoint,
database, manual data entry) are not this feature's: data-set lineage draws them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sync.core.changefeed import FeedWindow
from sync.core.state import StateStore, SyncObject, fingerprint
from sync.core.telemetry import counted_by_caller, log_event
from sync.services.cluedin.client import CluedInClient
from sync.services.cluedin.providers import (
    CONTRIBUTING_KINDS,
    ProviderFacts,
    list_providers,
    sample_contributions,
    used_entity_types,
)

log = logging.getLogger("sync.providers.monitor")

FACTS_KIND = "providers-facts"
SCAN_KEY = "scan|entity-types"
PROVIDER_OBJECT = "Provider"
FEED_TYPES = frozenset({PROVIDER_OBJECT})
TYPE_WORKERS = 4
"""Entity types sampled at once, each reading its histories a few at a time (the client's rate limiter still caps
the rate): a cycle sampling fifty types waits for a few chains of reads, not for fifty in a row."""


@dataclass(frozen=True)
class MonitorEvent:
    """A crawler or enricher added, updated or removed in CluedIn."""

    event: str
    kind: str
    object_id: str
    name: str

    @property
    def text(self) -> str:
        """Human-readable form (for logs and run reports)."""
        return f"{self.kind or 'Provider'} '{self.name}' {self.event.lower()} in CluedIn"


def _nothing() -> None:
    return None


@dataclass
class Refresh:
    """Every crawler and enricher, and what each contributed (entity type → vocabulary keys)."""

    providers: list[ProviderFacts] = field(default_factory=list)
    contributions: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    entity_types: list[str] = field(default_factory=list)
    events: list[MonitorEvent] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    searches: int = 0
    histories: int = 0
    store: Callable[[], None] = _nothing


def listing_fingerprint(provider: ProviderFacts) -> str:
    """What the listing says about a provider, without its timestamp."""
    data = dict(vars(provider))
    data.pop("updated_at", None)
    return fingerprint(data)


def _provider_row(provider: ProviderFacts, contributions: Mapping[str, list[str]]) -> dict[str, Any]:
    return {
        "name": provider.display,
        "kind": provider.kind,
        "listing": listing_fingerprint(provider),
        "contributions": {t: list(keys) for t, keys in sorted(contributions.items())},
    }


def refresh_providers(
    cluedin: CluedInClient, state: StateStore, window: FeedWindow, type_sample: int, per_type: int
) -> Refresh:
    """List providers and entity types, read history where something may have changed (only reads)."""
    rows = {obj.key: dict(obj.data) for obj in state.iter_objects(FACTS_KIND)}
    refresh = Refresh(providers=[p for p in list_providers(cluedin) if p.kind in CONTRIBUTING_KINDS])
    refresh.entity_types, total = used_entity_types(cluedin, type_sample)
    scanned_before = set((rows.get(SCAN_KEY) or {}).get("types") or []) if SCAN_KEY in rows else None
    named = {e.object_id.lower() for e in window.entries if e.object_type in (PROVIDER_OBJECT, "")}
    everything = window.first or scanned_before is None
    changed = {
        p.id
        for p in refresh.providers
        if everything or p.id in named or (rows.get(f"provider|{p.id}") or {}).get("listing") != listing_fingerprint(p)
    }
    plan: dict[str, list[str]] = {}
    for entity_type in refresh.entity_types:
        new_type = everything or entity_type not in (scanned_before or set())
        wanted = [p.id for p in refresh.providers if new_type or p.id in changed]
        if wanted:
            plan[entity_type] = wanted
    found: dict[tuple[str, str], list[str]] = {}
    with ThreadPoolExecutor(max_workers=TYPE_WORKERS) as pool:  # each type's search, then its history reads
        sampled = counted_by_caller(lambda item: sample_contributions(cluedin, item[0], item[1], per_type))
        samples = list(pool.map(sampled, plan.items()))
    for (entity_type, provider_ids), sample in zip(plan.items(), samples, strict=True):
        refresh.searches += sample.searches
        refresh.histories += sample.histories
        for provider_id in provider_ids:
            found[(provider_id, entity_type)] = sorted(sample.keys.get(provider_id, set()))
    current_types = set(refresh.entity_types)
    for provider in refresh.providers:
        cached = (rows.get(f"provider|{provider.id}") or {}).get("contributions") or {}
        mine: dict[str, list[str]] = {}
        for entity_type in refresh.entity_types:
            keys = found.get((provider.id, entity_type))
            if keys is None:
                keys = list(cached.get(entity_type) or []) if entity_type in current_types else []
            if keys:
                mine[entity_type] = keys
        refresh.contributions[provider.id] = mine
        if provider.id in changed and not mine:
            refresh.notes.append(
                f"{provider.kind} '{provider.display}': no contribution found in the history of the sampled golden "
                "records; synced without Crawl/Enrich processes"
            )
    if plan and total > len(refresh.entity_types):
        refresh.notes.append(
            f"{total} entity types are in use; history was sampled for the first {len(refresh.entity_types)} "
            "(SYNC_CLUEDIN_ORGANIZATION_PROVIDERS_QUERY_ENTITY_TYPE_SAMPLE_SIZE)"
        )
    refresh.events = monitor_events(rows, refresh.providers)
    for event in refresh.events:
        log_event(log, f"CluedIn{event.kind}{event.event}", event.text, object_id=event.object_id)
    current = {f"provider|{p.id}": _provider_row(p, refresh.contributions[p.id]) for p in refresh.providers}
    current[SCAN_KEY] = {"types": sorted(current_types)}
    refresh.store = lambda: _store(state, rows, current)
    return refresh


def monitor_events(rows: Mapping[str, Mapping[str, Any]], providers: list[ProviderFacts]) -> list[MonitorEvent]:
    """Crawlers and enrichers added, updated or removed, from the cached rows and the listing (pure)."""
    events = []
    listed = set()
    for provider in sorted(providers, key=lambda p: p.id):
        key = f"provider|{provider.id}"
        listed.add(key)
        cached = rows.get(key)
        if cached is None:
            events.append(MonitorEvent("Added", provider.kind, provider.id, provider.display))
        elif cached.get("listing") != listing_fingerprint(provider):
            events.append(MonitorEvent("Updated", provider.kind, provider.id, provider.display))
    for key, cached in sorted(rows.items()):
        if key.startswith("provider|") and key not in listed:
            name = str(cached.get("name") or key.partition("|")[2])
            events.append(MonitorEvent("Removed", str(cached.get("kind") or ""), key.partition("|")[2], name))
    return events


def _store(state: StateStore, before: Mapping[str, Mapping[str, Any]], current: Mapping[str, dict[str, Any]]) -> None:
    """Write the rows that changed; remove those of providers that are gone."""
    changed = [
        SyncObject(kind=FACTS_KIND, key=k, data=v, status="active")
        for k, v in sorted(current.items())
        if before.get(k) != v
    ]
    if changed:
        state.upsert_many(changed)
    gone = [k for k in before if k not in current]
    if gone:
        state.remove_many(FACTS_KIND, gone)
