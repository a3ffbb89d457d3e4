"""Lineage's hold on the shared Cluedin Entity nodes (`sync/core/ownership.py`).

Data-set lineage holds the Cluedin Entity of every entity type a data set maps to, with the vocabulary keys its
mappings use as columns. Other features (streams, providers, the processing pipeline) hold the same nodes; the
node is removed only when the last of them lets go, and a column only when nobody needs it.

Rows written before shared ownership existed kept the entity's guids in lineage's own `entity|<type>` row: the
first time such an entity is touched, its shared row is seeded from them, so nothing written earlier is lost.
"""

from __future__ import annotations

from collections.abc import Mapping

from sync.core.ownership import SharedObjects, holders, shared_key
from sync.core.state import SyncObject
from sync.features.lineage.graph import Ref, column_names
from sync.services.purview import qualified_names as names
from sync.services.purview.typedefs import COLUMN_TYPE, ENTITY_TYPE

HOLDER = "lineage"
Doomed = list[tuple[str, str, str]]
"""(typeName, qualifiedName, guid) of entities to delete in Purview."""


def entity_shared_key(org: str, entity_type: str) -> str:
    """The shared row of an entity type's Cluedin Entity."""
    return shared_key(ENTITY_TYPE.name, names.entity_name(org, entity_type))


def adopt_legacy(shared: SyncObject, row: SyncObject | None) -> None:
    """Seed a new shared row from a lineage row written before shared ownership (guids and columns it kept)."""
    if row is None or shared.etag is not None or holders(shared):
        return
    columns: Mapping[str, str] = row.target.get("columns") or {}
    if not row.target.get("guid") and not columns:
        return
    SharedObjects.hold(shared, HOLDER, list(columns))
    SharedObjects.remember(shared, str(row.target.get("guid") or ""), {str(k): str(v) for k, v in columns.items()})
    row.target = {"org": row.target.get("org")}


def hold(
    shared: SyncObject,
    org: str,
    entity_type: str,
    desired: Mapping[str, object],
    guids: Mapping[Ref, str],
    *,
    holder: str = HOLDER,
) -> Doomed:
    """Record a holder's columns of an entity after its upsert; returns the columns nobody needs any more."""
    entity = names.entity_name(org, entity_type)
    columns = column_names("entity", desired)
    stale = SharedObjects.hold(shared, holder, columns)
    known = shared.target.get("columns") or {}
    doomed = [(COLUMN_TYPE.name, names.column_name(entity, c), str(known.get(c) or "")) for c in stale]
    assigned = {c: guids.get((COLUMN_TYPE.name, names.column_name(entity, c)), "") for c in columns}
    SharedObjects.remember(shared, guids.get((ENTITY_TYPE.name, entity), ""), assigned, dropped=stale)
    return doomed


def release(shared: SyncObject, org: str, entity_type: str, *, holder: str = HOLDER) -> Doomed:
    """Let go of an entity: what nobody holds any more is to be deleted (the entity itself when no holder is left)."""
    entity = names.entity_name(org, entity_type)
    released = SharedObjects.release(shared, holder)
    doomed = [(COLUMN_TYPE.name, names.column_name(entity, c), released.guids.get(c, "")) for c in released.columns]
    if released.object:
        doomed.append((ENTITY_TYPE.name, entity, released.guids.get("", "")))
    return doomed
