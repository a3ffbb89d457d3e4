"""What the Purview change feed publishes to other features (a drift report among them).

A feature hears about Purview entity changes between its full cycles by declaring the feed and planning from it:

    class DriftFeature(Feature):
        pushed_feeds = frozenset({PURVIEW_FEED})

        def snapshot_of(self, ctx, entries):          # entries: the notified entities, as FeedEntry
            notified = read_notified_assets(ctx.client("purview"), entries)
            ...                                       # desired state of just those, Snapshot(..., scope=notified.scope)

The engine then plans those keys with the feature's own `plan`, fail-safe, queues and appliers, and saves a run
report with `trigger: purview-change-feed` (docs/decisions/0901-purview-change-feed.md). `entity_changes` gives the
entries as typed changes for a feature that wants to read the notifications themselves (what operation, when).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sync.core.changefeed import FeedEntry
from sync.services.purview.assets import asset_key
from sync.services.purview.notified import PURVIEW_FEED, NotifiedAssets, entity_identity, read_notified_assets

__all__ = [
    "PURVIEW_FEED",
    "EntityChange",
    "NotifiedAssets",
    "entity_changes",
    "entity_identity",
    "read_notified_assets",
]


@dataclass(frozen=True)
class EntityChange:
    """One entity a Purview notification named (a hint: read the entity before trusting anything about it)."""

    guid: str
    type_name: str
    qualified_name: str
    operation: str
    """ENTITY_CREATE/UPDATE/DELETE, CLASSIFICATION_ADD/UPDATE/DELETE, RELATIONSHIP_CREATE/UPDATE/DELETE."""
    at: str
    """When the change happened in Purview (ISO 8601)."""

    @property
    def key(self) -> str:
        """`<typeName>|<qualifiedName>`: how features key the rows of Purview assets."""
        return asset_key(self.type_name, self.qualified_name)


def entity_changes(entries: Sequence[FeedEntry]) -> list[EntityChange]:
    """The entries of the Purview feed as typed changes, in the order they were notified."""
    return [EntityChange(e.object_id, e.object_type, e.name, e.action, e.at) for e in entries]
