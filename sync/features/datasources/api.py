"""What "Sync data sources" publishes to other features: its rows, read as types, and one shared operation.

Rows (kind `datasource`, key `<typeName>|<qualifiedName>` of the Purview asset):
`source` = {guid, typeName, qualifiedName}; `target` = {group_id, group_name, source_id};
`data` = {schema: [{name, type}], name, terms, creating_group?, creating_source?}.

Other features never read those rows as JSON: lineage reads `linked_assets`, the pipeline automation calls
`ensure_data_source` (the same code F1's own applier runs), so the row layout can change in this folder alone.
"Sync data products" makes its groups with `ensure_group` on rows of its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sync.core.errors import FatalError
from sync.core.feature import Notification, SyncContext
from sync.core.state import StateStore, SyncObject
from sync.core.state.leases import UNREAD, Unread
from sync.services.cluedin.client import CluedInClient
from sync.services.purview.assets import Asset, asset_key

DATASOURCE_KIND = "datasource"
CREATED_EVENT = "DataSourceCreated"


@dataclass(frozen=True)
class LinkedAsset:
    """A Purview asset F1 made a CluedIn data source of."""

    type_name: str
    qualified_name: str
    name: str
    data_source_id: str
    columns: tuple[tuple[str, str], ...] = ()
    """(name, type) of the asset's schema columns, as read when the data source was last synced."""
    guid: str = ""
    """The asset's Purview guid when it was last synced."""


def created_text(name: str) -> str:
    """The product's notification when a data source was created for an asset."""
    return f"Data source '{name}' created for purview asset"


def name_suffix(qualified_name: str) -> str:
    """Short stable suffix distinguishing assets that share a name."""
    return hashlib.sha256(qualified_name.encode()).hexdigest()[:6]


def iter_linked_assets(state: StateStore) -> Iterator[LinkedAsset]:
    """Every asset whose data source exists (active rows with a data source id)."""
    for obj in state.iter_objects(DATASOURCE_KIND):
        source_id = str(obj.target.get("source_id") or "")
        if not obj.active or not source_id or not obj.source.get("qualifiedName"):
            continue
        schema = obj.data.get("schema") or []
        yield LinkedAsset(
            type_name=str(obj.source.get("typeName")),
            qualified_name=str(obj.source["qualifiedName"]),
            name=str(obj.data.get("name") or ""),
            data_source_id=source_id,
            columns=tuple((str(c.get("name", "")), str(c.get("type", ""))) for c in schema if c.get("name")),
            guid=str(obj.source.get("guid") or ""),
        )


def linked_assets(state: StateStore) -> dict[str, LinkedAsset]:
    """CluedIn data source id → the asset it was made from."""
    return {link.data_source_id: link for link in iter_linked_assets(state)}


@dataclass
class EnsuredDataSource:
    """What `ensure_data_source` found or made."""

    data_source_id: str
    group_name: str
    created: bool
    notifications: list[Notification]


def ensure_data_source(
    ctx: SyncContext,
    asset: Asset,
    *,
    owner: str,
    group_name: str | None = None,
    fingerprint: str = "",
    known: SyncObject | Unread | None = UNREAD,
) -> EnsuredDataSource:
    """The asset's data source group and endpoint data source in CluedIn, found or created, recorded in state.

    Idempotent and safe against crashes: create intents are recorded before each create call, and a retry adopts
    what an earlier attempt created (docs/decisions/0005-idempotent-creates.md). `group_name` is the name to give
    a new group (default: the asset's name); `fingerprint` is recorded as what was applied. Without a fingerprint
    (another feature asking), an existing data source is returned as it is, without a write. `known` is the row
    as the caller has just read it (saves a read).

    A new asset costs six Table round trips: the caller's read, the lease (guarded by that read), one write of
    both create intents (the group's and the source's) before the first create call, the fence before each create
    (sync/core/fencing.py), and the release, which records both ids. Ids are not saved between the calls: a crash
    there leaves the intents, and the retry adopts what was created.
    """
    key = asset_key(asset.type_name, asset.qualified_name)
    if not fingerprint:
        found = ctx.state.get_object(DATASOURCE_KIND, key) if known is UNREAD else known
        if isinstance(found, SyncObject) and found.active and found.target.get("source_id"):
            return EnsuredDataSource(str(found.target["source_id"]), str(found.target.get("group_name")), False, [])
        known = found
    cluedin: CluedInClient = ctx.client("cluedin")
    with ctx.state.leased(DATASOURCE_KIND, key, owner=owner, known=known) as obj:
        obj.source = {"guid": asset.guid, "typeName": asset.type_name, "qualifiedName": asset.qualified_name}
        wanted = str(obj.target.get("group_name") or group_name or asset.name)
        earlier = obj.data.get("creating_source")  # an earlier attempt's intent: it may have created the source
        if not obj.target.get("source_id"):
            obj.data["creating_source"] = asset.name  # written with the group's intent when a group is created
        created = ensure_group(cluedin, ctx.state, obj, wanted, asset.qualified_name)
        created = _ensure_source(cluedin, ctx.state, obj, asset.name, earlier=earlier, saved=created) or created
        obj.data = {"schema": asset.schema(), "name": asset.name, "terms": asset.terms}
        if fingerprint:
            obj.fingerprint = fingerprint
        obj.status = "active"
        ctx.state.release(obj)
    notes = [Notification(event=CREATED_EVENT, text=created_text(asset.name))] if created else []
    return EnsuredDataSource(str(obj.target["source_id"]), str(obj.target["group_name"]), created, notes)


def ensure_group(cluedin: CluedInClient, state: StateStore, obj: SyncObject, name: str, identity: str) -> bool:
    """Find or create the data source group of a state row. Returns True when this call created it.

    Shared with "Sync data products", whose rows keep their group the same way (`target.group_id`,
    `target.group_name`, `data.creating_group`); `identity` (an asset's qualifiedName, a data product's id)
    derives the suffix used when the name is taken.

    The intended name is written to state before the create call: if the process dies after CluedIn created the
    group but before its id was saved, the retry adopts the group of that name instead of creating another. A group
    of that name that the app never intended to create belongs to someone else: the app then uses the suffixed name.
    The id found or made is recorded in `obj` only: the caller's next write (an intent, the release) saves it.
    """
    if obj.target.get("group_id"):
        return False
    for candidate in (name, f"{name} ({name_suffix(identity)})"):
        existing = cluedin.find_data_source_set(candidate)
        if existing is not None and obj.data.get("creating_group") == candidate:
            obj.target.update(group_id=str(existing["id"]), group_name=candidate)
            return False
        if existing is None:
            obj.data["creating_group"] = candidate
            state.save(obj)
            group_id = cluedin.create_data_source_set(candidate)
            obj.target.update(group_id=group_id, group_name=candidate)
            return True
    raise FatalError(
        f"data source group names '{name}' and its suffixed form are taken by groups the app did not create"
    )


def _ensure_source(
    cluedin: CluedInClient, state: StateStore, obj: SyncObject, name: str, *, earlier: Any, saved: bool
) -> bool:
    """Create the endpoint data source inside the group, adopting one a crashed attempt already created.

    `earlier` is the source intent the row held when it was leased; the caller has set this attempt's intent, and
    `saved` says it is already written (with the group's). The new id is recorded in `obj` for the caller's
    release to save.
    """
    if obj.target.get("source_id"):
        return False
    if earlier == name:
        # A previous attempt may have created it and died before saving its id: adopt it if so.
        group = cluedin.find_data_source_set(str(obj.target["group_name"]))
        existing = next((s for s in (group or {}).get("dataSources") or [] if s.get("name") == name), None)
        if existing is not None:
            obj.target["source_id"] = str(existing["id"])
            return False
    if not saved:  # the caller has put the intent in `data`; it is written here unless the group's write took it
        state.save(obj)
    obj.target["source_id"] = cluedin.create_data_source(str(obj.target["group_id"]), name)
    return True
