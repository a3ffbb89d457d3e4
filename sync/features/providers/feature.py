"""F9 — Sync CluedIn Crawlers and Enrichers: where golden-record data came from besides data sets, in Purview.

A Cluedin Organization Provider per crawler or enricher (named by its account display; columns = the properties
it contributed), a Crawl process to each entity type a crawler contributed to and an Enrich process to each entity
type an enricher enriched, with column lineage key → key. Which provider contributed which properties comes from
the history of a sample of golden records per entity type, as the product does (`facts.py`); data-source providers
(file, endpoint, database, manual data entry) are left to data-set lineage. The Cluedin Entity nodes are shared
(`sync/core/ownership.py`): this feature holds the ones its processes reach, with the contributed keys.

Monitor events (F11): a crawler or enricher added, changed or removed is seen from the provider listing and the
shared CluedIn change feed and reflected within the cycle; history is only read for what may have changed.
Notifications "Enricher 'X' synced to Purview" / "Crawler 'X' …" are the app's own texts (the product
publishes none for this feature).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from sync.core.diff import diff
from sync.core.feature import Notification, Snapshot, SyncContext
from sync.core.messages import Change, ChangeKind
from sync.core.settings import Settings
from sync.core.state import SyncObject
from sync.features.providers.facts import FEED_TYPES, refresh_providers
from sync.features.providers.model import PROVIDER, PROVIDER_KINDS, desired_records
from sync.features.providers.settings import ProvidersSettings
from sync.features.providers.types import PROVIDER_TYPES
from sync.features.streams.api import ENTITY, NodeRecordFeature, split_key, target_collection
from sync.services.cluedin.client import CluedInClient

ORDER = {ENTITY: 0, PROVIDER: 1}
"""Holds, providers, then processes (one changed provider and its processes share a message)."""


def summary(kind: ChangeKind, key: str, desired: Mapping[str, Any]) -> str:
    """What a change does, for plans and reports."""
    record, ident = split_key(key)
    if record == ENTITY:
        return f"{kind.value} Cluedin Entity '{ident}' (hold)"
    if record == PROVIDER:
        return f"{kind.value} {desired.get('kind') or 'provider'} '{desired.get('name') or ident}'"
    provider, _, entity_type = ident.partition("|")
    return f"{kind.value} {record.capitalize()} process {desired.get('providerName') or provider} → {entity_type}"


class ProvidersFeature(NodeRecordFeature):
    """CluedIn crawlers and enrichers → lineage in Purview."""

    name: ClassVar[str] = "providers"
    title: ClassVar[str] = "Sync CluedIn Crawlers and Enrichers"
    settings_model = ProvidersSettings
    change_feeds: ClassVar[Mapping[str, frozenset[str]]] = {"cluedin": FEED_TYPES}
    purview_types = PROVIDER_TYPES
    record_kinds = PROVIDER_KINDS
    object_kind: ClassVar[str] = "providers"

    def enabled(self, settings: Settings) -> bool:
        """The toggle 'Sync CluedIn Crawlers and Enrichers'."""
        return settings.get(ProvidersSettings).sync_cluedin_crawlers_and_enrichers

    def snapshot(self, ctx: SyncContext) -> Snapshot:
        """Desired records of every crawler and enricher, its processes and the entity types they reach."""
        cluedin: CluedInClient = ctx.client("cluedin")
        settings = ctx.settings.get(ProvidersSettings)
        collection, _ = target_collection(ctx)
        refresh = refresh_providers(
            cluedin,
            ctx.state,
            ctx.feed("cluedin"),
            settings.sync_cluedin_organization_providers_query_entity_type_sample_size,
            settings.sync_cluedin_organization_providers_query_sample_size_per_entity_type,
        )
        records = desired_records(refresh.providers, refresh.contributions, cluedin.organization, collection)
        notes = [event.text for event in refresh.events] + refresh.notes
        return Snapshot(records, after_send=[refresh.store], notes=notes)

    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: Settings
    ) -> list[Change]:
        """Creates, updates and deletes of records; processes go before what they use when deleted."""

        def make(kind: ChangeKind, key: str, desired: dict[str, Any]) -> Change:
            return self.change(kind, key, desired, summary(kind, key, desired))

        def removal(key: str, row: SyncObject) -> dict[str, Any]:
            return {"name": str(row.data.get("name") or ""), "kind": str(row.data.get("kind") or "")}

        def rank(change: Change) -> tuple[int, int, str]:
            position = ORDER.get(split_key(change.key)[0], 2)
            if change.kind == ChangeKind.DELETE:
                return 1, 2 - position, change.key
            return 0, position, change.key

        return sorted(diff(snapshot, state, make, removal=removal), key=rank)

    def notify(self, change: Change, removed: bool) -> Notification | None:
        """A notification per crawler or enricher written to (or removed from) Purview (the app's own text)."""
        record, ident = split_key(change.key)
        if record != PROVIDER:
            return None
        kind = str(change.desired.get("kind") or "Provider")
        text = f"{kind} '{change.desired.get('name') or ident}' {'removed from' if removed else 'synced to'} Purview"
        return Notification(event=f"{kind}{'Removed' if removed else 'Synced'}", text=text)
