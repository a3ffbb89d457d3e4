"""Applying one message of lineage changes: one bulk upsert, one bulk delete, one state commit.

Steps: read the message's state rows; drop changes already applied (same fingerprint); build every remaining
record's entities and pack them into bulk calls (usually one); upsert; delete what the records no longer own
(columns of a renamed field) and what deleted records owned; commit the rows with the guids Purview assigned.
Everything before the commit is idempotent, so a crash or a concurrent duplicate at any point just means the
redelivered message does the same work again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sync.core.errors import ConflictError, NotFoundError, RetriableError
from sync.core.feature import ApplyOutcome, Notification, SyncContext
from sync.core.messages import Change, ChangeKind
from sync.core.ownership import SharedObjects
from sync.core.state import SyncObject, fingerprint
from sync.features.lineage import entities
from sync.features.lineage.batch import DEFAULT_MAX_ENTITIES, Batch
from sync.features.lineage.graph import Node, Ref, compact_target, main_ref, nodes_for, owned, target_entities
from sync.features.lineage.model import DATASET, ENTITY, row_key, split_key
from sync.features.lineage.payloads import PAYLOAD_KEY, load_payloads
from sync.features.lineage.plan import SUB_PARTS, part_state
from sync.services.purview.client import PurviewClient
from sync.services.purview.typedefs import ensure_types

SYNCED_EVENT = "DataSetSyncedToPurview"
REMOVED_EVENT = "DataSetRemovedFromPurview"


def synced_text(name: str) -> str:
    """The product's notification text for a data set whose lineage reached Purview."""
    return f"Data Set '{name}' synced to Purview"


def removed_text(name: str) -> str:
    """Notification for a data set whose lineage was removed (the product has no published text for this)."""
    return f"Data Set '{name}' removed from Purview"


@dataclass
class _Work:
    """One record to write: its kind, the state row that owns it, and the entities that make it true."""

    change: Change
    kind: str
    row: SyncObject
    desired: dict[str, Any] = field(default_factory=dict)
    fingerprint: str = ""
    nodes: list[Node] = field(default_factory=list)
    outcome: ApplyOutcome | None = None


def owner_key(change: Change) -> str:
    """The state row a change writes: map/ingest deletions change their data set's row."""
    kind, ident = split_key(change.key)
    return row_key(DATASET, ident) if kind in SUB_PARTS else change.key


def row_entities(row: SyncObject) -> list[tuple[str, str, str]]:
    """(typeName, qualifiedName, guid) of everything a row owns: its entity, columns, and process parts."""
    kind, ident = split_key(row.key)
    owned_entities = target_entities(kind, ident, row.target)
    org = str(row.target.get("org") or "")
    for part, info in (row.target.get("parts") or {}).items():
        if org and info.get("status") in ("active", "orphaned"):
            type_name, qualified_name = main_ref(part, org, ident)
            owned_entities.append((type_name, qualified_name, str(info.get("guid") or "")))
    return owned_entities


class LineageWriter:
    """Applies the changes of one queue message."""

    def __init__(self, ctx: SyncContext, object_kind: str, *, max_entities: int = DEFAULT_MAX_ENTITIES) -> None:
        self.ctx = ctx
        self.object_kind = object_kind
        self.max_entities = max_entities

    def apply(self, changes: Sequence[Change]) -> list[ApplyOutcome]:
        """Apply a message's changes; outcomes in the same order."""
        purview: PurviewClient = self.ctx.client("purview")
        ensure_types(purview, self.ctx.state)
        existing = self.ctx.state.read_many(self.object_kind, {owner_key(c) for c in changes})
        references = [
            str(part[PAYLOAD_KEY])
            for c in changes
            for part in (c.desired.get("parts") or {}).values()
            if PAYLOAD_KEY in part
        ]
        payloads = load_payloads(self.ctx.state, references) if references else {}
        state_rows = {k: existing.get(k) or SyncObject(kind=self.object_kind, key=k) for k in map(owner_key, changes)}
        self.shared = self._shared_rows(changes, existing)
        results: list[list[ApplyOutcome | _Work]] = []
        upserts: list[_Work] = []
        doomed: list[tuple[str, str, str]] = []
        dirty: dict[str, SyncObject] = {}
        removed: dict[str, SyncObject] = {}
        for change in changes:
            row = state_rows[owner_key(change)]
            if change.kind == ChangeKind.DELETE:
                results.append([self._remove(change, row, doomed, dirty, removed)])
                continue
            items: list[ApplyOutcome | _Work] = []
            for kind, desired in (change.desired.get("parts") or {}).items():
                stamp = fingerprint(desired)  # as planned: of the reference when the record travelled beside
                known = part_state(row, kind)
                if known.get("status") == "active" and known.get("fingerprint") == stamp:
                    items.append(ApplyOutcome("skipped", f"{kind} already applied"))
                    continue
                full = payloads.get(str(desired[PAYLOAD_KEY])) if PAYLOAD_KEY in desired else desired
                if full is None:
                    items.append(ApplyOutcome("skipped", f"{kind} superseded by a newer cycle"))
                    continue
                item = _Work(change, kind, row, full, stamp, nodes_for(kind, full))
                upserts.append(item)
                items.append(item)
            for kind in change.desired.get("orphan") or []:
                info = (row.target.get("parts") or {}).get(kind)
                if info and info.get("status") == "active":
                    info["status"] = "orphaned"
                    dirty[row.key] = row
                    items.append(ApplyOutcome("applied", f"{kind} kept as orphaned (delete policy retain)"))
            results.append(items)
        guids = self._upsert(purview, upserts)
        for item in upserts:
            if item.outcome is None:
                doomed += self._record(item, guids)
                dirty[item.row.key] = item.row
                notes = [note for node in item.nodes for note in node.notes]
                item.outcome = ApplyOutcome("applied", "; ".join([f"{item.kind} written", *notes]))
        self._delete(purview, doomed)
        if self.shared:  # holds first: a crash before the rows below leaves a hold the retry confirms
            SharedObjects(self.ctx.state).commit(list(self.shared.values()))
        self.ctx.state.commit_many([r for k, r in dirty.items() if k not in removed], list(removed.values()))
        outcomes = [_combine(items) for items in results]
        self._notify(changes, outcomes)
        return outcomes

    def _remove(
        self,
        change: Change,
        row: SyncObject,
        doomed: list[tuple[str, str, str]],
        dirty: dict[str, SyncObject],
        removed: dict[str, SyncObject],
    ) -> ApplyOutcome:
        """A deletion: a whole row (data set or entity type), or one process part of a data set's row."""
        kind, ident = split_key(change.key)
        if row.etag is None or row.key in removed:
            return ApplyOutcome("skipped", "already removed")
        if kind == ENTITY:
            doomed += entities.release(self.shared[ident], str(row.target.get("org") or ""), ident)
            removed[row.key] = row
            return ApplyOutcome("applied", "released (removed from Purview unless another feature holds it)")
        if kind not in SUB_PARTS:
            doomed += row_entities(row)
            removed[row.key] = row
            return ApplyOutcome("applied", "removed from Purview")
        parts = row.target.get("parts") or {}
        info = parts.pop(kind, None)
        if not info:
            return ApplyOutcome("skipped", "already removed")
        org = str(row.target.get("org") or "")
        type_name, qualified_name = main_ref(kind, org, ident)
        doomed.append((type_name, qualified_name, str(info.get("guid") or "")))
        dirty[row.key] = row
        return ApplyOutcome("applied", f"{kind} removed from Purview")

    def _record(self, item: _Work, guids: dict[Ref, str]) -> list[tuple[str, str, str]]:
        """Put what Purview assigned into the row; returns the entities the record no longer owns."""
        row, kind = item.row, item.kind
        ident = split_key(row.key)[1]
        if kind == ENTITY:
            org = str(item.desired["org"])
            stale = entities.hold(self.shared[ident], org, ident, item.desired, guids)
            row.target, row.fingerprint, row.status = {"org": org}, item.fingerprint, "active"
            row.data = {"name": item.desired.get("entityType") or ident}
            return stale
        if kind in SUB_PARTS:
            parts = row.target.setdefault("parts", {})
            previous = parts.get(kind) or {}
            main = main_ref(kind, str(item.desired["org"]), ident)
            guid = guids.get(main) or str(previous.get("guid") or "")
            parts[kind] = {"guid": guid, "fingerprint": item.fingerprint, "status": "active"}
            return []
        kept = {q for _, q in owned(kind, item.desired)}
        stale = [(t, q, g) for t, q, g in target_entities(kind, ident, row.target) if q not in kept]
        row.target = {**row.target, **compact_target(kind, ident, item.desired, guids, row.target)}
        row.fingerprint = item.fingerprint
        row.status = "active"
        row.data = {"name": item.desired.get("name") or item.desired.get("entityType") or ""}
        if item.desired.get("url"):
            row.data["url"] = item.desired["url"]
        # What other features read through api.py: the data set's data source and mapped entity type.
        source_id = (item.desired.get("dataSource") or {}).get("id")
        if source_id:
            row.data["dataSourceId"] = str(source_id)
        if item.desired.get("entityType"):
            row.data["entityType"] = str(item.desired["entityType"])
        return stale

    def _shared_rows(self, changes: Sequence[Change], rows: dict[str, SyncObject]) -> dict[str, SyncObject]:
        """Shared rows of the entity types this message writes or deletes (by entity type)."""
        orgs: dict[str, str] = {}
        for change in changes:
            kind, ident = split_key(change.key)
            if kind != ENTITY:
                continue
            record = (change.desired.get("parts") or {}).get(ENTITY) or {}
            row = rows.get(change.key)
            org = str(record.get("org") or (row.target.get("org") if row is not None else "") or "")
            if org:
                orgs[ident] = org
        if not orgs:
            return {}
        keys = {ident: entities.entity_shared_key(org, ident) for ident, org in orgs.items()}
        found = SharedObjects(self.ctx.state).read(keys.values())
        shared = {ident: found[key] for ident, key in keys.items()}
        for ident, row in shared.items():
            entities.adopt_legacy(row, rows.get(row_key(ENTITY, ident)))
        return shared

    # --- Purview ------------------------------------------------------------------------------------------------

    def _batches(self, items: Sequence[_Work]) -> list[tuple[str | None, Batch, list[_Work]]]:
        """Pack records into bulk calls per target collection, never splitting a record's entities."""
        out: list[tuple[str | None, Batch, list[_Work]]] = []
        current: dict[str | None, tuple[Batch, list[_Work]]] = {}
        for item in items:
            collection = item.desired.get("collection") or None
            batch, members = current.get(collection, (Batch(), []))
            if len(batch) and batch.size_with(item.nodes) > self.max_entities:
                out.append((collection, batch, members))
                batch, members = Batch(), []
            batch.add(item.nodes)
            members.append(item)
            current[collection] = (batch, members)
        out += [(collection, batch, members) for collection, (batch, members) in current.items()]
        return out

    def _upsert(self, purview: PurviewClient, items: list[_Work]) -> dict[Ref, str]:
        guids: dict[Ref, str] = {}
        for collection, batch, members in self._batches(items):
            try:
                result = purview.upsert_entities(batch.payload(), collection_id=collection)
            except ConflictError as exc:
                raise RetriableError(f"concurrent write to the same Purview entities: {exc}") from exc
            except NotFoundError:
                # A source asset referenced by an ingest process is gone: fail those records, write the rest.
                missing = self._missing(purview, batch.external_references())
                if not missing:
                    raise
                survivors = []
                for item in members:
                    lost = [ref for node in item.nodes for ref in node.inputs or [] if ref in missing]
                    if lost:
                        item.outcome = ApplyOutcome("failed", f"source asset {lost[0][1]} no longer exists in Purview")
                    else:
                        survivors.append(item)
                guids.update(self._upsert(purview, survivors))
                continue
            guids.update(batch.resolve(result))
        return guids

    def _missing(self, purview: PurviewClient, refs: set[Ref]) -> set[Ref]:
        by_type: dict[str, list[str]] = {}
        for type_name, qualified_name in refs:
            by_type.setdefault(type_name, []).append(qualified_name)
        missing: set[Ref] = set()
        for type_name, names in by_type.items():
            found = purview.get_entities_by_qualified_names(type_name, names)
            missing |= {(type_name, q) for q in names if q not in found}
        return missing

    def _delete(self, purview: PurviewClient, entities: list[tuple[str, str, str]]) -> None:
        if not entities:
            return
        guids = [g for _, _, g in entities if g]
        unknown: dict[str, list[str]] = {}
        for type_name, qualified_name, guid in entities:
            if not guid:
                unknown.setdefault(type_name, []).append(qualified_name)
        for type_name, names in unknown.items():
            found = purview.get_entities_by_qualified_names(type_name, names)
            guids += [str(e["guid"]) for e in found.values() if e.get("guid")]
        if guids:
            purview.delete_entities(sorted(set(guids)))

    # --- notifications -----------------------------------------------------------------------------------------

    @staticmethod
    def _notify(changes: Sequence[Change], outcomes: list[ApplyOutcome]) -> None:
        """The product's notification once per data set whose lineage this message wrote or removed."""
        for change, outcome in zip(changes, outcomes, strict=True):
            kind, ident = split_key(change.key)
            if outcome.result != "applied" or kind != DATASET:
                continue
            if change.kind == ChangeKind.DELETE:
                name = str(change.desired.get("name") or ident)
                outcome.notifications.append(Notification(event=REMOVED_EVENT, text=removed_text(name)))
                continue
            parts = change.desired.get("parts") or {}
            name = str(next((p.get("name") for p in parts.values() if p.get("name")), ident))
            outcome.notifications.append(Notification(event=SYNCED_EVENT, text=synced_text(name)))


def _combine(items: list[ApplyOutcome | _Work]) -> ApplyOutcome:
    """One outcome per change from its records': failed if any failed, skipped if all were, else applied."""
    outcomes = [i.outcome if isinstance(i, _Work) else i for i in items]
    failed = [o for o in outcomes if o is not None and o.result == "failed"]
    if failed:
        return ApplyOutcome("failed", "; ".join(o.detail for o in failed))
    applied = [o for o in outcomes if o is not None and o.result == "applied"]
    if not applied:
        return ApplyOutcome("skipped", "already applied")
    return ApplyOutcome("applied", ", ".join(o.detail for o in applied))


def describe(changes: Sequence[Change]) -> dict[str, Any]:
    """Counts per record kind and change kind (for logs and benchmarks)."""
    counts: dict[str, int] = {}
    for change in changes:
        label = f"{split_key(change.key)[0]}:{change.kind}"
        counts[label] = counts.get(label, 0) + 1
    return counts
