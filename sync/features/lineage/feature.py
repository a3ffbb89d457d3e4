"""F2 — data-set lineage in Purview, with F11 monitor events for data sources and data sets.

For every CluedIn data set: a Cluedin Dataset with its original fields; when its data source came from a
Purview asset (published by "Sync data sources", or by "Sync data products" for a data product's asset), an
Ingest Data process from that asset; when at least one
field is mapped, either (classic shape) a Map to Entity process to the Cluedin Entity of the mapped entity type,
or (pipeline shape, `pipeline.py`) Annotation → "<data set> - mapping" → Generate Clue into CluedIn's Processing
Pipeline, which leads through Processed Entities and a Golden Record process to the same entity-type asset. The
entity-type assets and the pipeline's backbone are shared with other features (`holds.py`); `shape.py` decides
the shape. This module wires the pieces of this folder into the engine:

- `prepare`: register the custom types and create the target collection, when needed (skipped in dry-run);
- `snapshot`: bring the CluedIn facts up to date (`detect.py`: listing + the shared change feed, detail reads
  only for what changed) and derive the desired records in storage order, a chunk at a time (`ordered.py`); the
  facts cache and claim-check payloads are pending writes the engine makes around enqueueing;
- `plan_ordered` (full cycles, bounded memory) and `plan` (whole mappings: rollback, tests): pure, grouped by
  entity type so each message is one full, local bulk call;
- `apply_batch`: one bulk upsert, one bulk delete and one state commit per message (`writer.py`).

The product's notification "Data Set 'Account.csv' synced to Purview" is emitted per data set when its
lineage was written, and lands in the run report.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

from sync.core.feature import ApplyOutcome, Feature, OwnedEntity, SetupStep, Snapshot, SyncContext
from sync.core.messages import Change, ChangeKind, Queues
from sync.core.settings import DeletePolicy, Settings
from sync.core.state import SyncObject
from sync.features.dataproducts.api import linked_assets as product_links
from sync.features.lineage import drift
from sync.features.lineage.api import LINEAGE_KIND
from sync.features.lineage.detect import FEED_TYPES, refresh_facts
from sync.features.lineage.model import Context, row_key, split_key
from sync.features.lineage.ordered import PLAN_CHUNK, OrderedRecords, asset_link, packed_links
from sync.features.lineage.payloads import Offloader
from sync.features.lineage.pipeline import PIPELINE_TYPES
from sync.features.lineage.plan import SUB_PARTS, plan_lineage, plan_lineage_ordered
from sync.features.lineage.settings import LineageSettings
from sync.features.lineage.shape import LineageShape, ShapeDecision, decide_shape
from sync.features.lineage.writer import LineageWriter
from sync.services.cluedin.client import CluedInClient
from sync.services.purview.setup import setup_steps, target_collection
from sync.services.purview.typedefs import TYPES


class LineageFeature(Feature):
    """CluedIn data sets → lineage in Purview."""

    name: ClassVar[str] = "lineage"
    title: ClassVar[str] = "Sync CluedIn Data Sources (data-set lineage)"
    settings_model = LineageSettings
    needs: ClassVar[tuple[str, ...]] = ("purview", "cluedin")
    depends_on: ClassVar[tuple[str, ...]] = ("datasources", "dataproducts")
    change_feeds: ClassVar[Mapping[str, frozenset[str]]] = {"cluedin": FEED_TYPES}
    object_kind: ClassVar[str] = LINEAGE_KIND
    state_fields: ClassVar[frozenset[str] | None] = frozenset({"target", "data"})
    queue: ClassVar[Queues] = Queues.PURVIEW_LINEAGE
    deletes_on_target: ClassVar[bool] = True
    plans_in_order: ClassVar[bool] = True
    setup_beside_snapshot: ClassVar[bool] = True  # types and collection: nothing the snapshot reads
    plan_chunk: int = PLAN_CHUNK
    """Data sets whose records are derived, and changes reordered, at once (tests make it small)."""
    max_changes_per_message: ClassVar[int] = 6
    """Six data sets (each with its dataset, ingest and map records): ~140 entities per bulk call for data sets of
    20 fields, within a 48 KB message, far below sizes Purview is known to refuse, and few enough that a failing
    message holds back little (docs/decisions/0501-lineage-batches.md)."""

    def enabled(self, settings: Settings) -> bool:
        """Same toggle as F1: 'Sync CluedIn Data Sources' covers both directions of the feature."""
        return settings.get(LineageSettings).sync_cluedin_data_sources

    def shape(self, ctx: SyncContext) -> ShapeDecision:
        """The lineage shape of this cycle (the setting, else what the deployment has; see shape.py)."""
        configured = ctx.settings.get(LineageSettings).purview_lineage_shape
        return decide_shape(ctx.state, configured, lineage_kind=self.object_kind)

    def prepare(self, ctx: SyncContext) -> list[SetupStep]:
        """Register the custom types (the pipeline's too, in that shape) and create the target collection."""
        types = (*TYPES, *PIPELINE_TYPES) if self.shape(ctx).shape == LineageShape.PIPELINE else TYPES
        return setup_steps(ctx, types)

    def snapshot(self, ctx: SyncContext) -> Snapshot:
        """Desired lineage records of every current CluedIn data set and entity type, in storage order.

        Only the facts (packed) are read up front; records are derived a chunk at a time while the engine plans
        them (`ordered.py`), and claim-check payloads are written just before the changes that need them are sent.
        """
        cluedin: CluedInClient = ctx.client("cluedin")
        collection, _ = target_collection(ctx)
        window = ctx.feed("cluedin")
        decision = self.shape(ctx)
        with ThreadPoolExecutor(max_workers=1) as pool:  # F1's and F10's links are read while CluedIn is
            links = pool.submit(lambda: packed_links(product_links(ctx.state), ctx.state))
            refresh = refresh_facts(cluedin, ctx.state, window)
            linked = links.result()
        context = Context(
            organization=cluedin.organization, collection=collection, cluedin_url=cluedin.base_url, shape=decision.shape
        )
        offloader = Offloader(ctx.state)
        return Snapshot(
            ordered=OrderedRecords(refresh.facts, linked, context, offloader, chunk=self.plan_chunk),
            before_sending=offloader.write_for,
            after_send=[refresh.store, offloader.drop_unused, decision.store],
            notes=[*decision.notes, *(event.text for event in refresh.events)],
        )

    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: Settings
    ) -> list[Change]:
        """Creates, updates and deletes, grouped by entity type (see plan.py)."""
        retain = settings.engine.sync_delete_policy == DeletePolicy.RETAIN
        return plan_lineage(snapshot, state, feature=self.name, object_kind=self.object_kind, retain=retain)

    def plan_ordered(
        self,
        pairs: Iterable[tuple[str, dict[str, Any] | None, SyncObject | None]],
        settings: Settings,
        *,
        seen: Mapping[str, dict[str, Any]] | None = None,
    ) -> Iterator[Change]:
        """The changes `plan` makes, from records and rows paired in storage order, yielded as they come."""
        retain = settings.engine.sync_delete_policy == DeletePolicy.RETAIN
        return plan_lineage_ordered(
            pairs, feature=self.name, object_kind=self.object_kind, retain=retain, window=self.plan_chunk
        )

    def undo(self, applied: Change, row: SyncObject, earlier: Iterator[Change], settings: Settings) -> list[Change]:
        """Put back the records a change wrote (or orphaned), each as the latest earlier change left it.

        A lineage change carries only the records of a data set that changed, so the journal is walked back until
        every one of them is found; a process record the run created is deleted, and a data set or entity the run
        created is removed altogether (the default).
        """
        touched = [*(applied.desired.get("parts") or {}), *(applied.desired.get("orphan") or [])]
        found: dict[str, Any] = {}
        for change in earlier:
            for part, desired in (change.desired.get("parts") or {}).items():
                if part in touched:
                    found.setdefault(part, desired)
            if set(touched) <= set(found):
                break
        row_kind, ident = split_key(row.key)
        if not found and row_kind in touched:
            return super().undo(applied, row, iter(()), settings)
        label = str(row.data.get("name") or ident)
        changes = [self.change(ChangeKind.UPDATE, row.key, {"parts": found}, f"restore lineage of '{label}'")]
        for part in (p for p in touched if p not in found and p in SUB_PARTS):
            changes.append(
                self.change(ChangeKind.DELETE, row_key(part, ident), {"name": label}, f"remove {part} of '{label}'")
            )
        return changes if found else changes[1:]

    def owned_entities(self, ctx: SyncContext) -> list[OwnedEntity]:
        """Every entity of an applied lineage record and the attributes written (from state: see drift.py)."""
        collection, _ = target_collection(ctx)
        shape = self.shape(ctx).shape
        return drift.owned_entities(ctx, collection, drift.linked(ctx, asset_link), shape)

    def forget(self, ctx: SyncContext, keys: Iterable[str]) -> None:
        """Drop the fingerprints of the data sets' and entity types' records: the next cycle writes them again."""
        rows = ctx.state.read_many(self.object_kind, keys)
        for row in rows.values():
            row.fingerprint = ""
            for part in (row.target.get("parts") or {}).values():
                part["fingerprint"] = ""
        ctx.state.commit_many(list(rows.values()))

    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        """One change (the queue normally delivers several: see apply_batch)."""
        return self.apply_batch([change], ctx, owner=owner)[0]

    def apply_batch(self, changes: list[Change], ctx: SyncContext, *, owner: str) -> list[ApplyOutcome]:
        """All changes of a message in one bulk upsert, one bulk delete and one state commit."""
        return LineageWriter(ctx, self.object_kind).apply(changes)
