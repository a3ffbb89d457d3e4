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
from sync.core.feature import ApplyOutcome, Feature, Notification, SetupStep, Snapshot, SyncContext
from sync.core.messages import Change, ChangeKind, Queues
from sync.core.settings import Settings
from sync.core.state import SyncObject
from sync.features.providers.facts import FEED_TYPES, refresh_providers
from sync.features.providers.model import PROVIDER, PROVIDER_KINDS, desired_records
from sync.features.providers.settings import ProvidersSettings
from sync.features.providers.types import PROVIDER_TYPES
from sync.features.streams.api import ENTITY, record_writer, split_key
from sync.services.cluedin.client import CluedInClient
from sync.services.purview.client import PurviewClient
from sync.services.purview.collections import plan_target_collection
from sync.services.purview.settings import PurviewSettings
from sync.services.purview.typedefs import registration_step

ORDER = {ENTITY: 0, PROVIDER: 1}
"""Holds, providers, then processes (one changed provider and its processes share a message)."""


def target_collection(ctx: SyncContext) -> tuple[str | None, SetupStep | None]:
    """The target collection's id (derived when still to be created) and the step that creates it."""
    purview: PurviewClient = ctx.client("purview")
    return plan_target_collection(purview, ctx.state, ctx.settings.get(PurviewSettings).purview_collection_name)


def summary(kind: ChangeKind, key: str, desired: Mapping[str, Any]) -> str:
    """What a change does, for plans and reports."""
    record, ident = split_key(key)
    if record == ENTITY:
        return f"{kind.value} Cluedin Entity '{ident}' (hold)"
    if record == PROVIDER:
        return f"{kind.value} {desired.get('kind') or 'provider'} '{desired.get('name') or ident}'"
    provider, _, entity_type = ident.partition("|")
    return f"{kind.value} {record.capitalize()} process {desired.get('providerName') or provider} → {entity_type}"


def notify(change: Change, removed: bool) -> Notification | None:
    """A notification per crawler or enricher written to (or removed from) Purview (the app's own text)."""
    record, ident = split_key(change.key)
    if record != PROVIDER:
        return None
    kind = str(change.desired.get("kind") or "Provider")
    text = f"{kind} '{change.desired.get('name') or ident}' {'removed from' if removed else 'synced to'} Purview"
    return Notification(event=f"{kind}{'Removed' if removed else 'Synced'}", text=text)


class ProvidersFeature(Feature):
    """CluedIn crawlers and enrichers → lineage in Purview."""

    name: ClassVar[str] = "providers"
    title: ClassVar[str] = "Sync CluedIn Crawlers and Enrichers"
    settings_model = ProvidersSettings
    needs: ClassVar[tuple[str, ...]] = ("purview", "cluedin")
    change_feeds: ClassVar[Mapping[str, frozenset[str]]] = {"cluedin": FEED_TYPES}
    object_kind: ClassVar[str] = "providers"
    queue: ClassVar[Queues] = Queues.PURVIEW_LINEAGE
    max_changes_per_message: ClassVar[int] = 10

    def enabled(self, settings: Settings) -> bool:
        """The toggle 'Sync CluedIn Crawlers and Enrichers'."""
        return settings.get(ProvidersSettings).sync_cluedin_crawlers_and_enrichers

    def prepare(self, ctx: SyncContext) -> list[SetupStep]:
        """Register the types and create the target collection, when the account lacks them."""
        purview: PurviewClient = ctx.client("purview")
        _, collection_step = target_collection(ctx)
        return [s for s in (registration_step(purview, ctx.state, PROVIDER_TYPES), collection_step) if s is not None]

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

    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        """One change (the queue normally delivers several: see apply_batch)."""
        return self.apply_batch([change], ctx, owner=owner)[0]

    def apply_batch(self, changes: list[Change], ctx: SyncContext, *, owner: str) -> list[ApplyOutcome]:
        """All changes of a message in one bulk upsert, one bulk delete and one state commit."""
        writer = record_writer(
            ctx,
            holder=self.name,
            object_kind=self.object_kind,
            kinds=PROVIDER_KINDS,
            types=PROVIDER_TYPES,
            notify=notify,
        )
        return writer.apply(changes)
