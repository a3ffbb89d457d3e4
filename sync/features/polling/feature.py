"""F4 — Poll Data Sources: record counts, last ingestion, data-quality metrics and a link on each Cluedin Dataset.

CluedIn's integration "updates properties and metrics on the existing 'Cluedin Dataset' Purview entities" on
its own schedule; which ones is not documented, so the app writes (docs/purview-types.md):

| Attribute | From CluedIn |
|---|---|
| `recordsReceived` | the data set's `stats.total` |
| `recordsProcessed`, `recordsFailed` | summed processing submissions, plus the data set's `stats.failed` |
| `lastIngestedAt` | the newest submission's `createdAt` (CluedIn exposes no "last received" time on a data set) |
| `dataQualityMetrics` | the data source's global dimensions of the data GraphQL `metrics` (by metric name) |
| `cluedinUrl` | a link to the data set in CluedIn's UI |

Only data sets whose lineage exists in Purview are polled (F2 creates them). Only changed values are written:
each record's fingerprint skips unchanged data sets at plan time, and the applier sends only the attributes
whose value differs from what it last wrote (Atlas updates only the attributes a request contains), so a quiet
estate costs no Purview writes. Submissions are only re-read for data sets whose counts moved, and, a share per
poll in turn (`rotation.py`), for those whose records are not all processed yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar

from sync.core.compared import ComparedFeature
from sync.core.diff import merge_ordered, storage_order
from sync.core.errors import ConflictError, RetriableError
from sync.core.feature import ApplyOutcome, OwnedEntity, SetupStep, Snapshot, SyncContext
from sync.core.messages import Change, ChangeKind, Queues
from sync.core.settings import Settings
from sync.core.state import SyncObject
from sync.features.lineage.api import iter_synced_data_sets
from sync.features.polling.rotation import Rotation
from sync.features.polling.settings import PollingSettings
from sync.services.cluedin.client import CluedInClient
from sync.services.cluedin.datasets import ProcessingSummary, iter_stats, read_processing, read_quality_metrics
from sync.services.purview import qualified_names as names
from sync.services.purview.client import PurviewClient
from sync.services.purview.setup import target_collection
from sync.services.purview.typedefs import DATASET_TYPE, ensure_types, registration_step


def epoch_millis(text: str) -> int | None:
    """An ISO-8601 time as Atlas `date` (epoch milliseconds); None when empty or unreadable."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return int(moment.timestamp() * 1000)


def metric_attributes(
    received: int, stats_failed: int, processing: ProcessingSummary, quality: Mapping[str, float], url: str
) -> dict[str, Any]:
    """The Cluedin Dataset attributes Poll Data Sources owns (pure)."""
    attributes: dict[str, Any] = {
        "recordsReceived": received,
        "recordsProcessed": processing.processed,
        "recordsFailed": stats_failed + processing.failed,
        "dataQualityMetrics": {k: round(float(v), 4) for k, v in sorted(quality.items())},
    }
    last = epoch_millis(processing.last_processed_at)
    if last is not None:
        attributes["lastIngestedAt"] = last
    if url:
        attributes["cluedinUrl"] = url
    return attributes


def changed_attributes(desired: Mapping[str, Any], written: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes whose value differs from what was last written (pure)."""
    return {k: v for k, v in desired.items() if written.get(k) != v}


class PollingFeature(ComparedFeature):
    """Metrics and properties of CluedIn data sets → their Cluedin Dataset entities."""

    name: ClassVar[str] = "polling"
    title: ClassVar[str] = "Poll CluedIn Data Sources"
    settings_model = PollingSettings
    schedule: ClassVar[str] = "POLL_SCHEDULE"
    depends_on: ClassVar[tuple[str, ...]] = ("lineage",)
    needs: ClassVar[tuple[str, ...]] = ("purview", "cluedin")
    setup_beside_snapshot: ClassVar[bool] = True  # types and collection: nothing the snapshot reads
    object_kind: ClassVar[str] = "dataset-metrics"
    state_fields: ClassVar[frozenset[str] | None] = frozenset()
    queue: ClassVar[Queues] = Queues.PURVIEW_ENTITIES
    deletes_on_target: ClassVar[bool] = False
    max_changes_per_message: ClassVar[int] = 100
    plans_in_order: ClassVar[bool] = True

    def enabled(self, settings: Settings) -> bool:
        """Toggle 'Poll CluedIn Data Sources'."""
        return settings.get(PollingSettings).poll_cluedin_data_sources

    def prepare(self, ctx: SyncContext) -> list[SetupStep]:
        """Register the custom types and create the target collection, when the account lacks them."""
        purview: PurviewClient = ctx.client("purview")
        _, collection_step = target_collection(ctx)
        return [s for s in (registration_step(purview, ctx.state), collection_step) if s is not None]

    def snapshot(self, ctx: SyncContext) -> Snapshot:
        """Current counts and metrics of every data set whose Cluedin Dataset exists, in storage order.

        Counts come from one listing in CluedIn's order, so a few numbers per data set are held and sorted; each
        data set's last poll is then read beside it (a second ordered scan of this feature's rows) and its
        desired state built as the plan consumes it.
        """
        cluedin: CluedInClient = ctx.client("cluedin")
        collection, _ = target_collection(ctx)
        synced = {d.id: (d.name, d.url) for d in iter_synced_data_sets(ctx.state)}
        if not synced:
            return Snapshot(ordered=())
        rotation = Rotation(ctx.state, ctx.settings.get(PollingSettings).poll_submission_reads_per_poll)
        quality = read_quality_metrics(cluedin)
        counts = {s.id: (s.received, s.failed, s.provider_definition_id) for s in iter_stats(cluedin) if s.id in synced}
        order = sorted(counts, key=storage_order)

        def desired() -> Iterator[tuple[str, dict[str, Any]]]:
            rows = ctx.state.iter_objects(self.object_kind, fields=("data",))
            for key, count, previous in merge_ordered(((i, counts[i]) for i in order), rows):
                if count is None:
                    continue
                received, failed, provider = count
                name, url = synced[key]
                processing = self._processing(cluedin, key, received, previous, rotation)
                attributes = metric_attributes(received, failed, processing, quality.get(provider.lower(), {}), url)
                yield (
                    key,
                    {
                        "qualifiedName": names.dataset_name(cluedin.organization, key),
                        "name": name,
                        "collection": collection,
                        "attributes": attributes,
                        "processing": {
                            "processed": processing.processed,
                            "failed": processing.failed,
                            "last": processing.last_processed_at,
                        },
                    },
                )

        return Snapshot(ordered=desired(), after_send=[rotation.store()])

    @staticmethod
    def _processing(
        cluedin: CluedInClient, data_set_id: str, received: int, previous: SyncObject | None, rotation: Rotation
    ) -> ProcessingSummary:
        """Re-read submissions when counts moved, or in turn while processing may still be under way (`rotation`)."""
        if previous is not None:
            last = previous.data.get("processing") or {}
            written = previous.data.get("written") or {}
            known = ProcessingSummary(
                int(last.get("processed", 0)), int(last.get("failed", 0)), str(last.get("last", ""))
            )
            if written.get("recordsReceived") == received:
                settled = known.processed + known.failed >= received
                if settled or not rotation.due(storage_order(data_set_id)):
                    return known
        return read_processing(cluedin, data_set_id)

    def make_change(self, kind: ChangeKind, key: str, desired: dict[str, Any]) -> Change:
        """Changed data sets → update (create on first sight); data sets no longer synced → delete (orphan mark)."""
        if kind == ChangeKind.DELETE:
            return self.change(kind, key, desired, f"stop polling data set {key}")
        return self.change(kind, key, desired, f"refresh metrics of Cluedin Dataset '{desired['name']}'")

    def owned_entities(self, ctx: SyncContext) -> list[OwnedEntity]:
        """The metric attributes last written on each Cluedin Dataset (state keeps them: `data.written`)."""
        cluedin: CluedInClient = ctx.client("cluedin")
        return [
            OwnedEntity(
                row.key, DATASET_TYPE.name, names.dataset_name(cluedin.organization, row.key), "", row.data["written"]
            )
            for row in ctx.state.iter_objects(self.object_kind)
            if row.active and row.data.get("written")
        ]

    def forget(self, ctx: SyncContext, keys: Iterable[str]) -> None:
        """Forget what was written on these data sets, so the next poll writes every metric again."""
        rows = ctx.state.read_many(self.object_kind, keys)
        for row in rows.values():
            row.fingerprint = ""
            row.data = {**row.data, "written": {}}
        ctx.state.commit_many(list(rows.values()))

    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        """One change (messages normally carry many: see apply_batch)."""
        return self.apply_batch([change], ctx, owner=owner)[0]

    def apply_batch(self, changes: list[Change], ctx: SyncContext, *, owner: str) -> list[ApplyOutcome]:
        """Send only the changed attributes of every data set of the message in one bulk upsert."""
        purview: PurviewClient = ctx.client("purview")
        existing = ctx.state.read_many(self.object_kind, [c.key for c in changes])
        outcomes: list[ApplyOutcome] = []
        entities_by_collection: dict[str | None, list[dict[str, Any]]] = {}
        saved: list[SyncObject] = []
        for change in changes:
            row = existing.get(change.key) or SyncObject(kind=self.object_kind, key=change.key)
            if change.kind == ChangeKind.DELETE:
                outcomes.append(ApplyOutcome("skipped", "metrics are left on the entity"))
                continue
            written = dict(row.data.get("written") or {})
            changed = changed_attributes(change.desired["attributes"], written)
            row.fingerprint = change.fingerprint
            row.status = "active"
            row.data = {
                "written": {**written, **changed},
                "processing": change.desired.get("processing") or {},
                "name": change.desired["name"],
            }
            saved.append(row)
            if not changed:
                outcomes.append(ApplyOutcome("skipped", "no value changed"))
                continue
            attributes = {"qualifiedName": change.desired["qualifiedName"], "name": change.desired["name"], **changed}
            entity = {"typeName": DATASET_TYPE.name, "attributes": attributes}
            entities_by_collection.setdefault(change.desired.get("collection") or None, []).append(entity)
            outcomes.append(ApplyOutcome("applied", "updated " + ", ".join(sorted(changed))))
        if entities_by_collection:
            ensure_types(purview, ctx.state)
        for collection, entities in entities_by_collection.items():
            try:
                purview.upsert_entities(entities, collection_id=collection)
            except ConflictError as exc:
                raise RetriableError(f"concurrent write to Cluedin Dataset entities: {exc}") from exc
        ctx.state.commit_many(saved)
        return outcomes
