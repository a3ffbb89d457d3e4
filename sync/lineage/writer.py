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

from sync.clients.purview import PurviewClient
from sync.engine import ApplyOutcome, Notification, SyncContext
from sync.errors import ConflictError, NotFoundError, RetriableError
from sync.lineage import rows
from sync.lineage.batch import DEFAULT_MAX_ENTITIES, Batch
from sync.lineage.graph import Node, Ref, nodes_for, owned
from sync.lineage.model import DATASET, INGEST, MAP, split_key
from sync.messages import Change, ChangeKind
from sync.purview_types import ensure_types
from sync.state import SyncObject

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
    change: Change
    row: SyncObject
    nodes: list[Node] = field(default_factory=list)
    outcome: ApplyOutcome | None = None


def _entities_of(row: SyncObject) -> list[tuple[str, str, str]]:
    """(typeName, qualifiedName, guid) the row owned after its last write."""
    return [(str(t), str(q), str(g or "")) for t, q, g in row.target.get("entities") or []]


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
        existing = rows.read_rows(self.ctx.state, self.object_kind, [c.key for c in changes])
        work = [_Work(c, existing.get(c.key) or SyncObject(kind=self.object_kind, key=c.key)) for c in changes]
        upserts: list[_Work] = []
        deletes: list[_Work] = []
        for item in work:
            row, change = item.row, item.change
            if change.kind == ChangeKind.DELETE:
                if row.etag is None:
                    item.outcome = ApplyOutcome("skipped", "already removed")
                else:
                    deletes.append(item)
            elif row.active and row.fingerprint == change.fingerprint:
                item.outcome = ApplyOutcome("skipped", "already applied")
            else:
                item.nodes = nodes_for(split_key(change.key)[0], change.desired)
                upserts.append(item)
        guids = self._upsert(purview, upserts)
        doomed: list[tuple[str, str, str]] = []
        for item in upserts:
            if item.outcome is not None:
                continue
            kind = split_key(item.change.key)[0]
            previous = {q: (t, g) for t, q, g in _entities_of(item.row)}
            now_owned = owned(kind, item.change.desired)
            kept = {q for _, q in now_owned}
            doomed += [(t, q, g) for q, (t, g) in previous.items() if q not in kept]
            item.row.target = {
                "entities": [[t, q, guids.get((t, q)) or previous.get(q, ("", ""))[1]] for t, q in now_owned]
            }
            desired = item.change.desired
            item.row.data = {"name": desired.get("name") or desired.get("entityType") or ""}
            if desired.get("url"):
                item.row.data["url"] = desired["url"]
            item.row.fingerprint = item.change.fingerprint
            item.row.status = "active"
            item.outcome = ApplyOutcome("applied", "created" if item.change.kind == ChangeKind.CREATE else "updated")
        for item in deletes:
            doomed += _entities_of(item.row)
            item.outcome = ApplyOutcome("applied", "removed from Purview")
        self._delete(purview, doomed)
        saved = [i.row for i in upserts if i.outcome is not None and i.outcome.result == "applied"]
        rows.commit(self.ctx.state, saved, [i.row for i in deletes])
        self._notify(work)
        return [item.outcome or ApplyOutcome("failed", "not applied") for item in work]

    # --- Purview ------------------------------------------------------------------------------------------------

    def _batches(self, items: Sequence[_Work]) -> list[tuple[str | None, Batch, list[_Work]]]:
        """Pack records into bulk calls per target collection, never splitting a record's entities."""
        out: list[tuple[str | None, Batch, list[_Work]]] = []
        current: dict[str | None, tuple[Batch, list[_Work]]] = {}
        for item in items:
            collection = item.change.desired.get("collection") or None
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

    def _notify(self, work: list[_Work]) -> None:
        """One notification per data set per message, on its first applied change."""
        announced: set[str] = set()
        for item in work:
            outcome = item.outcome
            if outcome is None or outcome.result != "applied":
                continue
            kind, ident = split_key(item.change.key)
            if kind not in (DATASET, INGEST, MAP) or ident in announced:
                continue
            name = str(item.change.desired.get("name") or item.row.data.get("name") or ident)
            if item.change.kind == ChangeKind.DELETE:
                if kind != DATASET:
                    continue
                outcome.notifications.append(Notification(event=REMOVED_EVENT, text=removed_text(name)))
            else:
                outcome.notifications.append(Notification(event=SYNCED_EVENT, text=synced_text(name)))
            announced.add(ident)


def describe(changes: Sequence[Change]) -> dict[str, Any]:
    """Counts per record kind and change kind (for logs and benchmarks)."""
    counts: dict[str, int] = {}
    for change in changes:
        label = f"{split_key(change.key)[0]}:{change.kind}"
        counts[label] = counts.get(label, 0) + 1
    return counts
