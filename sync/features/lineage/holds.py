"""Holding shared nodes (`sync/core/ownership.py`): the entity-type assets and the processing pipeline's backbone.

Data-set lineage holds the Cluedin Entity of every entity type a data set maps to, with the vocabulary keys its
mappings use as columns; under the pipeline shape it also holds the Processing Pipeline, Process Entities,
Processed Entities and the Golden Record processes. Rules, clean, deduplication and manual-data-entry projects hold
the same nodes (streams, crawlers and enrichers the entity types). A node is removed only when the last holder lets
go, and a column only when nobody needs it.

A writer holds every node its records mark `shared` after the bulk upsert that wrote it (so the guids are known),
and releases what a record no longer draws. Rows are read with `read_many` and committed ETag-guarded before the
writer's own rows (a crash in between leaves a hold the retry confirms, never a node nobody holds).

Rows written before shared ownership existed kept the entity's guids in lineage's own `entity|<type>` row: the
first time such an entity is touched, its shared row is seeded from them (`adopt_legacy`), so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sync.core.ownership import SharedObjects, holders, shared_key
from sync.core.state import SyncObject
from sync.features.lineage.nodes import Node, Ref
from sync.services.purview import qualified_names as names
from sync.services.purview.typedefs import COLUMN_TYPE, ENTITY_TYPE

Doomed = list[tuple[str, str, str]]
"""(typeName, qualifiedName, guid) of entities to delete in Purview."""
LINEAGE_HOLDER = "lineage"


def key_of(ref: Ref) -> str:
    """The shared row of a node."""
    return shared_key(*ref)


def entity_shared_key(org: str, entity_type: str) -> str:
    """The shared row of an entity type's Cluedin Entity."""
    return shared_key(ENTITY_TYPE.name, names.entity_name(org, entity_type))


def shared_refs(nodes: Iterable[Node]) -> list[Ref]:
    """The shared nodes among `nodes` (full ones only: a stub just makes a reference resolve)."""
    return list(dict.fromkeys(n.ref for n in nodes if n.shared and not n.stub))


def adopt_legacy(shared: SyncObject, row: SyncObject | None, holder: str = LINEAGE_HOLDER) -> None:
    """Seed a new shared row from a lineage row written before shared ownership (guids and columns it kept)."""
    if row is None or shared.etag is not None or holders(shared):
        return
    columns: Mapping[str, str] = row.target.get("columns") or {}
    if not row.target.get("guid") and not columns:
        return
    SharedObjects.hold(shared, holder, list(columns))
    SharedObjects.remember(shared, str(row.target.get("guid") or ""), {str(k): str(v) for k, v in columns.items()})
    row.target = {"org": row.target.get("org")}


def hold_nodes(rows: Mapping[str, SyncObject], holder: str, nodes: Sequence[Node], guids: Mapping[Ref, str]) -> Doomed:
    """Record `holder`'s hold on every shared node of `nodes`, with the columns among `nodes` under it.

    Returns the columns nobody needs any more (this holder dropped them and no other holder has them).
    """
    doomed: Doomed = []
    for ref in shared_refs(nodes):
        row = rows[key_of(ref)]
        columns = {
            str(n.attributes.get("name")): n
            for n in nodes
            if not n.stub and n.parent is not None and n.parent[1] == ref
        }
        stale = SharedObjects.hold(row, holder, list(columns))
        known = row.target.get("columns") or {}
        doomed += [(COLUMN_TYPE.name, names.column_name(ref[1], c), str(known.get(c) or "")) for c in stale]
        assigned = {name: guids.get(node.ref, "") for name, node in columns.items()}
        SharedObjects.remember(row, guids.get(ref, ""), assigned, dropped=stale)
    return doomed


def release_refs(rows: Mapping[str, SyncObject], holder: str, refs: Iterable[Ref]) -> Doomed:
    """Let go of nodes: what nobody holds any more is to be deleted (the node itself when no holder is left)."""
    doomed: Doomed = []
    for ref in refs:
        released = SharedObjects.release(rows[key_of(ref)], holder)
        doomed += [
            (COLUMN_TYPE.name, names.column_name(ref[1], c), released.guids.get(c, "")) for c in released.columns
        ]
        if released.object:
            doomed.append((ref[0], ref[1], released.guids.get("", "")))
    return doomed
