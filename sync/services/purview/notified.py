"""The assets a batch of Purview notifications names, read again from Purview (the notification is only a hint).

A notification can be seconds old and out of order with others about the same entity, so a plan never trusts its
content: it takes the entities' identities from it and reads their current state, in bulk, by guid. The keys of
every asset named (`<typeName>|<qualifiedName>`, as the features key their rows) form the scope of a targeted plan;
an asset that is named but no longer readable (deleted) is in the scope without being read, which is how a plan
sees that it is gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sync.core.changefeed import FeedEntry
from sync.services.purview.assets import asset_key, is_asset_type, is_syncable_entity
from sync.services.purview.client import PurviewClient

PURVIEW_FEED = "purview"
"""Name of the pushed change feed of Purview's entity notifications (`Feature.pushed_feeds`)."""


@dataclass
class NotifiedAssets:
    """What a batch of notifications names, as it is now in Purview."""

    scope: set[str] = field(default_factory=set)
    """Keys of every asset named or read (names as notified, and as read now if they changed)."""
    entities: list[dict[str, Any]] = field(default_factory=list)
    """The named assets that exist and can be synced, read in full (with their `meanings`)."""


def read_notified_assets(purview: PurviewClient, entries: Sequence[FeedEntry]) -> NotifiedAssets:
    """Read the assets the entries name (one bulk read per 100 guids; assets named without a guid by name)."""
    found = NotifiedAssets()
    by_guid: dict[str, None] = {}
    by_name: dict[str, list[str]] = {}
    for entry in entries:
        if not is_asset_type(entry.object_type) and entry.object_type:
            continue
        if entry.object_type and entry.name:
            found.scope.add(asset_key(entry.object_type, entry.name))
        if entry.object_id:
            by_guid[entry.object_id] = None
        elif entry.object_type and entry.name:
            by_name.setdefault(entry.object_type, []).append(entry.name)
    entities = purview.get_entities(list(by_guid)) if by_guid else []
    for type_name, names in by_name.items():
        entities += purview.get_entities_by_qualified_names(type_name, names).values()
    seen: set[str] = set()
    for entity in entities:
        guid = str(entity.get("guid") or "")
        if not is_syncable_entity(entity) or guid in seen:
            continue
        seen.add(guid)
        qualified_name = str((entity.get("attributes") or {}).get("qualifiedName"))
        found.scope.add(asset_key(str(entity.get("typeName")), qualified_name))
        found.entities.append(entity)
    return found


def entity_identity(entity: dict[str, Any]) -> tuple[str, str, str, str]:
    """(guid, typeName, qualifiedName, name) of an entity read from Purview; the name defaults to the qualifiedName."""
    attributes = entity.get("attributes") or {}
    qualified_name = str(attributes.get("qualifiedName") or "")
    return (
        str(entity.get("guid")),
        str(entity.get("typeName")),
        qualified_name,
        str(attributes.get("name") or qualified_name),
    )
