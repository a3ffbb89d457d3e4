"""F2 — data-set lineage in Purview, with F11 monitor events for data sources and data sets.

For every CluedIn data set: a Cluedin Dataset with its original fields; when its data source came from a
Purview asset (F1's `datasource` state rows link the two), an Ingest Data process from that asset; when at
least one field is mapped, a Map to Entity process to the Cluedin Entity of the mapped entity type (one per
entity type, shared), with column-level lineage field → vocabulary key. The graph, names and batching are in
`sync/lineage/`; this module wires them into the engine:

- `snapshot`: register the custom types (free when unchanged), resolve the target collection (cached), bring
  the CluedIn facts up to date (`sync/lineage/detect.py`: listing + audit log, detail reads only for what
  changed) and derive the desired records;
- `plan`: pure, grouped by entity type so each message is one full, local bulk call;
- `apply_batch`: one bulk upsert, one bulk delete and one state commit per message (`sync/lineage/writer.py`).

The product's notification "Data Set 'Account.csv' synced to Purview" is emitted per data set when its
lineage was written, and lands in the run report.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, ClassVar

from sync.core.engine import ApplyOutcome, Feature, SyncContext
from sync.core.messages import Change, Queues
from sync.core.settings import AppSettings, DeletePolicy
from sync.core.state import StateStore, SyncObject
from sync.features.lineage.detect import refresh_facts
from sync.features.lineage.model import AssetLink, Context, desired_rows, group_records
from sync.features.lineage.payloads import offload
from sync.features.lineage.plan import plan_lineage
from sync.features.lineage.writer import LineageWriter
from sync.services.cluedin.client import CluedInClient
from sync.services.purview.client import PurviewClient
from sync.services.purview.collections import resolve_target_collection
from sync.services.purview.typedefs import ensure_types

DATASOURCE_KIND = "datasource"


def asset_links(state: StateStore) -> dict[str, AssetLink]:
    """CluedIn data source id → the Purview asset F1 created it from (active F1 rows only)."""
    links: dict[str, AssetLink] = {}
    for obj in state.iter_objects(DATASOURCE_KIND):
        source_id = str(obj.target.get("source_id") or "")
        if not obj.active or not source_id or not obj.source.get("qualifiedName"):
            continue
        schema = obj.data.get("schema") or []
        links[source_id] = AssetLink(
            type_name=str(obj.source.get("typeName")),
            qualified_name=str(obj.source["qualifiedName"]),
            name=str(obj.data.get("name") or ""),
            columns=tuple((str(c.get("name", "")), str(c.get("type", ""))) for c in schema if c.get("name")),
        )
    return links


class LineageFeature(Feature):
    """CluedIn data sets → lineage in Purview."""

    name: ClassVar[str] = "lineage"
    needs: ClassVar[tuple[str, ...]] = ("purview", "cluedin")
    object_kind: ClassVar[str] = "lineage"
    queue: ClassVar[Queues] = Queues.PURVIEW_LINEAGE
    deletes_on_target: ClassVar[bool] = True
    max_changes_per_message: ClassVar[int] = 6
    """Six data sets (each with its dataset, ingest and map records): ~140 entities per bulk call for data sets of
    20 fields, within a 48 KB message, far below sizes Purview is known to refuse, and few enough that a failing
    message holds back little (docs/decisions/0501-lineage-batches.md)."""

    def enabled(self, settings: AppSettings) -> bool:
        """Same toggle as F1: 'Sync CluedIn Data Sources' covers both directions of the feature."""
        return settings.sync_cluedin_data_sources

    def snapshot(self, ctx: SyncContext) -> dict[str, dict[str, Any]]:
        """Desired lineage records of every current CluedIn data set and entity type, grouped per change."""
        now = datetime.now(UTC)
        purview: PurviewClient = ctx.client("purview")
        cluedin: CluedInClient = ctx.client("cluedin")
        ensure_types(purview, ctx.state)
        collection = resolve_target_collection(purview, ctx.state, ctx.settings.purview_collection_name)
        with ThreadPoolExecutor(max_workers=1) as pool:  # F1's links are read while CluedIn is
            links = pool.submit(asset_links, ctx.state)
            refresh = refresh_facts(cluedin, ctx.state, now=now, defer=ctx.after_enqueue.append)
            linked = links.result()
        context = Context(organization=cluedin.organization, collection=collection, cluedin_url=cluedin.base_url)
        records = group_records(desired_rows(refresh.facts.values(), linked, context))
        return offload(ctx.state, records)

    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: AppSettings
    ) -> list[Change]:
        """Creates, updates and deletes, grouped by entity type (see sync/lineage/plan.py)."""
        retain = settings.sync_delete_policy == DeletePolicy.RETAIN
        return plan_lineage(snapshot, state, feature=self.name, object_kind=self.object_kind, retain=retain)

    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        """One change (the queue normally delivers several: see apply_batch)."""
        return self.apply_batch([change], ctx, owner=owner)[0]

    def apply_batch(self, changes: list[Change], ctx: SyncContext, *, owner: str) -> list[ApplyOutcome]:
        """All changes of a message in one bulk upsert, one bulk delete and one state commit."""
        return LineageWriter(ctx, self.object_kind).apply(changes)
