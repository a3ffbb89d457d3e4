"""What the node-record features (F8 streams, F9 crawlers and enrichers) do alike besides their records.

Both register their own Purview types and the target collection in `prepare`, send ten records a message to the
lineage queue, and apply a message with lineage's record writer (`records.py`: their `RecordKind` table and row
layout). A subclass supplies its types, its kinds, its notifications and its snapshot and plan.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from typing import ClassVar

from sync.core.feature import ApplyOutcome, Feature, Notification, SetupStep, SyncContext
from sync.core.messages import Change, Queues
from sync.features.streams.records import RecordKind, record_writer
from sync.services.purview.setup import setup_steps, target_collection
from sync.services.purview.typedefs import CluedInType

__all__ = ["NodeRecordFeature", "target_collection"]


class NodeRecordFeature(Feature):
    """A feature whose records each own one main entity with columns, or hold an entity type's Cluedin Entity."""

    needs: ClassVar[tuple[str, ...]] = ("purview", "cluedin")
    setup_beside_snapshot: ClassVar[bool] = True  # types and collection: nothing the snapshot reads
    queue: ClassVar[Queues] = Queues.PURVIEW_LINEAGE
    max_changes_per_message: ClassVar[int] = 10
    """Ten records (a process with its stubs is a handful of entities): one bulk call, a small blast radius, and
    one changed object with the records it uses (its target, provider, entity holds) always in one message."""
    purview_types: ClassVar[tuple[CluedInType, ...]]
    """The feature's own Purview types (registered in `prepare`, ensured before every write)."""
    record_kinds: ClassVar[Mapping[str, RecordKind]]
    """How each kind of record other than `entity` becomes Purview entities."""

    def prepare(self, ctx: SyncContext) -> list[SetupStep]:
        """Register the types and create the target collection, when the account lacks them."""
        return setup_steps(ctx, self.purview_types)

    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        """One change (the queue normally delivers several: see apply_batch)."""
        return self.apply_batch([change], ctx, owner=owner)[0]

    def apply_batch(self, changes: list[Change], ctx: SyncContext, *, owner: str) -> list[ApplyOutcome]:
        """All changes of a message in one bulk upsert, one bulk delete and one state commit."""
        writer = record_writer(
            ctx,
            holder=self.name,
            object_kind=self.object_kind,
            kinds=self.record_kinds,
            types=self.purview_types,
            notify=self.notify,
        )
        return writer.apply(changes)

    @abstractmethod
    def notify(self, change: Change, removed: bool) -> Notification | None:
        """The notification for a record written to (removed: from) Purview, or None."""
