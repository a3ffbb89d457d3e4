"""Node records: desired Purview objects keyed `<kind>|<id>`, planned with the core diff and applied in bulk.

Stream lineage (F8) and crawler/enricher lineage (F9) describe what they want in Purview the same way: one small
desired record per object, each owning one main entity (a process, a Cluedin Connector Entity, a Cluedin
Organization Provider) and its columns, plus `entity|<EntityType>` records that *hold* the shared Cluedin Entity
of an entity type with the columns the feature needs on it (`sync/core/ownership.py`, through lineage's API).

Applying a message: read its state rows (and the shared rows of its entity records); drop changes already applied
(same fingerprint); build every record's entities — each process carries stubs of what it references, so messages
apply in any order — and upsert them in bulk calls per target collection; delete what records no longer own (a
column that left) and what deleted records owned; commit the shared rows first, then the feature's rows, each
guarded by the ETag it was read with. Everything before the commit is idempotent, so a redelivered or concurrent
message does the same work again, or finds it done.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sync.core.errors import ConflictError, RetriableError
from sync.core.feature import ApplyOutcome, SyncContext
from sync.core.messages import Change, ChangeKind
from sync.core.ownership import SharedObjects
from sync.core.state import SyncObject
from sync.features.lineage.api import Batch, Node, Ref, entity_nodes, entity_shared_key, hold_entity, release_entity
from sync.services.purview import qualified_names as names
from sync.services.purview.client import MAX_ENTITIES_PER_CALL, PurviewClient
from sync.services.purview.typedefs import COLUMN_TYPE, CluedInType, ensure_types

ENTITY = "entity"
RECORD_LIMIT = 40_000
"""Largest record (JSON characters) a change carries: a 48 KB queue message must hold it (see `fit`)."""


def record_key(kind: str, ident: str) -> str:
    """`<kind>|<id>`: the state key of one record."""
    return f"{kind}|{ident}"


def split_key(key: str) -> tuple[str, str]:
    """Inverse of `record_key`."""
    kind, _, ident = key.partition("|")
    if not kind or not ident:
        raise ValueError(f"not a record key: {key!r}")
    return kind, ident


@dataclass(frozen=True)
class RecordKind:
    """How one kind of record becomes Purview entities: its main entity and every node it writes (stubs too)."""

    main: Callable[[str, str], Ref]
    """(organization, record id) → the entity the record owns."""
    build: Callable[[Mapping[str, Any]], list[Node]]


def entity_record(org: str, collection: str | None, entity_type: str, columns: Sequence[str]) -> dict[str, Any]:
    """A feature's hold on the Cluedin Entity of an entity type, with the columns (vocabulary keys) it needs."""
    return {"org": org, "collection": collection, "entityType": entity_type, "columns": [[c, ""] for c in columns]}


def fit(desired: dict[str, Any], lists: Sequence[str] = ("mapping", "columns")) -> tuple[dict[str, Any], str]:
    """The record, its longest lists cut so that it fits a queue message, and a note when something was cut.

    Purview keeps a `columnMapping` within 32 KB anyway; a record this large would need several hundred exported
    properties. The first entries (mapping order) are kept.
    """
    size = len(json.dumps(desired, separators=(",", ":"), default=str))
    if size <= RECORD_LIMIT:
        return desired, ""
    out = dict(desired)
    notes = []
    for name in lists:
        items = list(out.get(name) or [])
        if not items:
            continue
        per_item = max(1, len(json.dumps(items, separators=(",", ":"), default=str)) // len(items))
        excess = len(json.dumps(out, separators=(",", ":"), default=str)) - RECORD_LIMIT
        if excess <= 0:
            break
        keep = max(0, len(items) - (excess // per_item + 1))
        out[name] = items[:keep]
        notes.append(f"{name} keeps {keep} of {len(items)} entries (a queue message holds 48 KB)")
    return out, "; ".join(notes)


@dataclass
class _Work:
    change: Change
    kind: str
    ident: str
    row: SyncObject
    nodes: list[Node] = field(default_factory=list)


def _written(item: _Work) -> ApplyOutcome:
    """The outcome of a written record, with what had to give way to a limit."""
    notes = [str(item.change.desired.get("note") or ""), *(n for node in item.nodes for n in node.notes)]
    return ApplyOutcome("applied", "; ".join(p for p in ("written to Purview", *notes) if p))


Doomed = list[tuple[str, str, str]]
"""(typeName, qualifiedName, guid or '') of entities to delete."""
Notify = Callable[[Change, ApplyOutcome], None]


class RecordWriter:
    """Applies the changes of one message of a record feature."""

    def __init__(
        self,
        ctx: SyncContext,
        *,
        holder: str,
        object_kind: str,
        kinds: Mapping[str, RecordKind],
        types: tuple[CluedInType, ...],
        notify: Notify | None = None,
        max_entities: int = MAX_ENTITIES_PER_CALL,
    ) -> None:
        self.ctx = ctx
        self.holder = holder
        self.object_kind = object_kind
        self.kinds = kinds
        self.types = types
        self.notify = notify
        self.max_entities = max_entities

    def apply(self, changes: Sequence[Change]) -> list[ApplyOutcome]:
        """Apply a message's changes; outcomes in the same order."""
        purview: PurviewClient = self.ctx.client("purview")
        ensure_types(purview, self.ctx.state, self.types)
        found = self.ctx.state.read_many(self.object_kind, [c.key for c in changes])
        rows = {c.key: found.get(c.key) or SyncObject(kind=self.object_kind, key=c.key) for c in changes}
        shared = self._shared_rows(changes, rows)
        doomed: Doomed = []
        removed: dict[str, SyncObject] = {}
        items: list[_Work | ApplyOutcome] = []
        for change in changes:
            kind, ident = split_key(change.key)
            row = rows[change.key]
            if change.kind == ChangeKind.DELETE:
                outcome, gone = self._remove(kind, ident, row, shared)
                items.append(outcome)
                doomed += gone
                if row.etag is not None:
                    removed[row.key] = row
            elif row.active and row.fingerprint == change.fingerprint:
                items.append(ApplyOutcome("skipped", "already applied"))
            else:
                items.append(_Work(change, kind, ident, row, self._nodes(kind, change.desired)))
        work = [i for i in items if isinstance(i, _Work)]
        guids = self._upsert(purview, work)
        for item in work:
            doomed += self._record(item, shared, guids)
        self._delete(purview, doomed)
        if shared:  # holds first: a crash before the rows below leaves a hold the retry confirms
            SharedObjects(self.ctx.state).commit(list(shared.values()))
        self.ctx.state.commit_many([item.row for item in work], list(removed.values()))
        outcomes = [i if isinstance(i, ApplyOutcome) else _written(i) for i in items]
        if self.notify is not None:
            for change, outcome in zip(changes, outcomes, strict=True):
                if outcome.result == "applied":
                    self.notify(change, outcome)
        return outcomes

    # --- records ------------------------------------------------------------------------------------------------

    def _nodes(self, kind: str, desired: Mapping[str, Any]) -> list[Node]:
        if kind == ENTITY:
            return entity_nodes(desired)
        return self.kinds[kind].build(desired)

    def _remove(
        self, kind: str, ident: str, row: SyncObject, shared: Mapping[str, SyncObject]
    ) -> tuple[ApplyOutcome, Doomed]:
        """A deletion: release an entity record's hold, or delete what a record owned."""
        if row.etag is None:
            return ApplyOutcome("skipped", "already removed"), []
        org = str(row.target.get("org") or "")
        if kind == ENTITY:
            released = release_entity(shared[ident], org, ident, holder=self.holder)
            return ApplyOutcome("applied", "released (removed from Purview unless another feature holds it)"), released
        return ApplyOutcome("applied", "removed from Purview"), self._owned(kind, ident, row.target)

    def _owned(self, kind: str, ident: str, target: Mapping[str, Any], columns: Sequence[str] | None = None) -> Doomed:
        """The main entity and the columns a state target names (only `columns` of them when given)."""
        org = str(target.get("org") or "")
        if not org:
            return []
        type_name, qualified_name = self.kinds[kind].main(org, ident)
        known = {str(k): str(v or "") for k, v in (target.get("columns") or {}).items()}
        out: Doomed = [] if columns is not None else [(type_name, qualified_name, str(target.get("guid") or ""))]
        for name in known if columns is None else columns:
            out.append((COLUMN_TYPE.name, names.column_name(qualified_name, name), known.get(name, "")))
        return out

    def _record(self, item: _Work, shared: dict[str, SyncObject], guids: Mapping[Ref, str]) -> Doomed:
        """Put what Purview assigned into the row; returns what the record no longer owns."""
        desired, row = item.change.desired, item.row
        org = str(desired["org"])
        row.fingerprint, row.status = item.change.fingerprint, "active"
        row.data = {"name": str(desired.get("name") or desired.get("entityType") or item.ident)}
        if desired.get("kind"):
            row.data["kind"] = str(desired["kind"])
        if item.kind == ENTITY:
            row.target = {"org": org}
            held_columns = desired.get("columns") or []
            return hold_entity(shared[item.ident], org, item.ident, held_columns, guids, holder=self.holder)
        main = self.kinds[item.kind].main(org, item.ident)
        previous = {str(k): str(v or "") for k, v in (row.target.get("columns") or {}).items()}
        wanted = [str(c[0]) for c in desired.get("columns") or []]
        stale = self._owned(item.kind, item.ident, row.target, [c for c in previous if c not in set(wanted)])
        columns = {
            c: guids.get((COLUMN_TYPE.name, names.column_name(main[1], c))) or previous.get(c, "") for c in wanted
        }
        row.target = {"org": org, "guid": guids.get(main) or str(row.target.get("guid") or ""), "columns": columns}
        return stale

    def _shared_rows(self, changes: Sequence[Change], rows: Mapping[str, SyncObject]) -> dict[str, SyncObject]:
        """Shared rows of the entity types this message holds or releases (by entity type)."""
        keys: dict[str, str] = {}
        for change in changes:
            kind, ident = split_key(change.key)
            if kind != ENTITY:
                continue
            org = str(change.desired.get("org") or rows[change.key].target.get("org") or "")
            if org:
                keys[ident] = entity_shared_key(org, ident)
        if not keys:
            return {}
        found = SharedObjects(self.ctx.state).read(keys.values())
        return {ident: found[key] for ident, key in keys.items()}

    # --- Purview ------------------------------------------------------------------------------------------------

    def _upsert(self, purview: PurviewClient, items: Sequence[_Work]) -> dict[Ref, str]:
        """Bulk upserts per target collection, never splitting a record's nodes across calls."""
        batches: list[tuple[str | None, Batch]] = []
        current: dict[str | None, Batch] = {}
        for item in items:
            collection = item.change.desired.get("collection") or None
            batch = current.setdefault(collection, Batch())
            if len(batch) and batch.size_with(item.nodes) > self.max_entities:
                batches.append((collection, batch))
                batch = current[collection] = Batch()
            batch.add(item.nodes)
        batches += list(current.items())
        guids: dict[Ref, str] = {}
        for collection, batch in batches:
            try:
                result = purview.upsert_entities(batch.payload(), collection_id=collection)
            except ConflictError as exc:
                raise RetriableError(f"concurrent write to the same Purview entities: {exc}") from exc
            guids.update(batch.resolve(result))
        return guids

    @staticmethod
    def _delete(purview: PurviewClient, doomed: Doomed) -> None:
        """Delete by guid; entities whose guid was never learnt are looked up by qualifiedName first."""
        if not doomed:
            return
        guids = {g for _, _, g in doomed if g}
        unknown: dict[str, list[str]] = {}
        for type_name, qualified_name, guid in doomed:
            if not guid:
                unknown.setdefault(type_name, []).append(qualified_name)
        for type_name, qualified_names in unknown.items():
            found = purview.get_entities_by_qualified_names(type_name, qualified_names)
            guids |= {str(e["guid"]) for e in found.values() if e.get("guid")}
        if guids:
            purview.delete_entities(sorted(guids))
