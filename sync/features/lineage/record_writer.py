"""Applying a message of graph records: one record per change, each owning some nodes and holding shared ones.

The processing-pipeline features (rules, clean, deduplication, manual data entry) describe what they draw as one
record per change — a rule's Processing Rule process, a scope's "Data Part Rules" asset, the backbone they hold
— and a builder turns a record into nodes (`nodes.Node`): full nodes it *owns*, full `shared` nodes it *holds*
(`holds.py`), and stubs that only make references resolve. This writer makes a message's records true:

1. read the message's rows (one query per 14 keys) and drop changes already applied (same fingerprint);
2. upsert every record's nodes in as few bulk calls as the size limit allows (`purview_io.upsert_nodes`);
3. delete what a record owned before and no longer does, hold what it holds now, release what it held before;
4. delete what removed records owned and release what they held;
5. commit the shared rows, then the records' rows (both ETag-guarded: a concurrent change retries the message).

A row's target records the guids of the nodes it owns (`owned`: "typeName|qualifiedName" → guid) and the shared
nodes it holds (`held`), so a later change or removal knows exactly what to delete. Everything before the commit
is idempotent, so a crash or a duplicate message at any point only repeats work. A record rename (a rule's name,
say) is one bulk call: the process's attributes change, nothing else does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sync.core.feature import ApplyOutcome, Notification, SyncContext
from sync.core.messages import Change, ChangeKind
from sync.core.ownership import SharedObjects
from sync.core.state import SyncObject
from sync.features.lineage import holds
from sync.features.lineage.nodes import Node, Ref
from sync.features.lineage.purview_io import delete_entities, upsert_nodes
from sync.services.purview.client import PurviewClient
from sync.services.purview.typedefs import CluedInType, ensure_types

Builder = Callable[[str, Mapping[str, Any]], list[Node]]
"""A feature's record → nodes (key, desired)."""
Notify = Callable[[Change, bool], Notification | None]
"""A feature's notification for a change it applied (removed: True for a deletion), or None."""


def ref_key(ref: Ref) -> str:
    """How a row names a node: `typeName|qualifiedName`."""
    return f"{ref[0]}|{ref[1]}"


def key_ref(key: str) -> Ref:
    """Inverse of `ref_key`."""
    type_name, _, qualified_name = key.partition("|")
    return type_name, qualified_name


def owned_nodes(nodes: Sequence[Node]) -> list[Node]:
    """Nodes a record owns: full, not shared, and not a column of a shared node."""
    shared = {n.ref for n in nodes if n.shared and not n.stub}
    return [n for n in nodes if not n.stub and not n.shared and not (n.parent and n.parent[1] in shared)]


@dataclass
class _Work:
    change: Change
    row: SyncObject
    nodes: list[Node] = field(default_factory=list)


class RecordWriter:
    """Applies one message of a feature's graph records (see the module docstring)."""

    def __init__(
        self,
        ctx: SyncContext,
        *,
        object_kind: str,
        holder: str,
        types: tuple[CluedInType, ...],
        build: Builder,
        notify: Notify,
    ) -> None:
        self.ctx = ctx
        self.object_kind = object_kind
        self.holder = holder
        self.types = types
        self.build = build
        self.notify = notify

    def apply(self, changes: Sequence[Change]) -> list[ApplyOutcome]:
        """Apply a message's changes; outcomes in the same order."""
        purview: PurviewClient = self.ctx.client("purview")
        ensure_types(purview, self.ctx.state, self.types)
        rows = self.ctx.state.read_many(self.object_kind, {c.key for c in changes})
        outcomes: list[ApplyOutcome] = []
        upserts: list[_Work] = []
        removals: list[_Work] = []
        for change in changes:
            row = rows.get(change.key) or SyncObject(kind=self.object_kind, key=change.key)
            if change.kind == ChangeKind.DELETE:
                done = row.etag is None or any(w.row is row for w in removals)
                outcomes.append(ApplyOutcome("skipped", "already removed") if done else ApplyOutcome("applied", ""))
                if not done:
                    removals.append(_Work(change, row))
                continue
            if row.active and row.fingerprint == change.fingerprint:
                outcomes.append(ApplyOutcome("skipped", "already applied"))
                continue
            upserts.append(_Work(change, row, self.build(change.key, change.desired)))
            outcomes.append(ApplyOutcome("applied", ""))
        shared = self._shared_rows(upserts, removals)
        guids = self._upsert(purview, upserts)
        doomed: list[tuple[str, str, str]] = []
        touched: set[str] = set()
        for work in upserts:
            doomed += self._record(work, shared, touched, guids)
        for work in removals:
            doomed += [(*key_ref(k), str(g)) for k, g in (work.row.target.get("owned") or {}).items()]
            refs = [key_ref(k) for k in work.row.target.get("held") or []]
            touched |= {holds.key_of(r) for r in refs}
            doomed += holds.release_refs(shared, self.holder, refs)
        delete_entities(purview, doomed)
        if touched:  # holds first: a crash before the rows below leaves a hold the retry confirms
            SharedObjects(self.ctx.state).commit([shared[k] for k in sorted(touched)])
        self.ctx.state.commit_many([w.row for w in upserts], [w.row for w in removals])
        self._finish(changes, outcomes, upserts, removals)
        return outcomes

    def _shared_rows(self, upserts: Sequence[_Work], removals: Sequence[_Work]) -> dict[str, SyncObject]:
        refs: set[Ref] = set()
        for work in upserts:
            refs |= set(holds.shared_refs(work.nodes)) | {key_ref(k) for k in work.row.target.get("held") or []}
        for work in removals:
            refs |= {key_ref(k) for k in work.row.target.get("held") or []}
        return SharedObjects(self.ctx.state).read(holds.key_of(r) for r in refs) if refs else {}

    def _upsert(self, purview: PurviewClient, upserts: Sequence[_Work]) -> dict[Ref, str]:
        guids: dict[Ref, str] = {}
        by_collection: dict[str | None, list[list[Node]]] = {}
        for work in upserts:
            by_collection.setdefault(work.change.desired.get("collection") or None, []).append(work.nodes)
        for collection, units in by_collection.items():
            guids.update(upsert_nodes(purview, units, collection=collection))
        return guids

    def _record(
        self, work: _Work, shared: dict[str, SyncObject], touched: set[str], guids: Mapping[Ref, str]
    ) -> list[tuple[str, str, str]]:
        """Put what Purview assigned into the row; returns what the record no longer owns or holds."""
        row, desired = work.row, work.change.desired
        before_owned: dict[str, str] = dict(row.target.get("owned") or {})
        owned = {
            ref_key(n.ref): guids.get(n.ref) or before_owned.get(ref_key(n.ref), "") for n in owned_nodes(work.nodes)
        }
        doomed = [(*key_ref(k), str(g)) for k, g in before_owned.items() if k not in owned]
        held_now = holds.shared_refs(work.nodes)
        dropped = [key_ref(k) for k in row.target.get("held") or [] if key_ref(k) not in held_now]
        touched |= {holds.key_of(r) for r in [*held_now, *dropped]}
        doomed += holds.release_refs(shared, self.holder, dropped)
        doomed += holds.hold_nodes(shared, self.holder, work.nodes, guids)
        row.target = {"org": desired.get("org"), "owned": owned, "held": [ref_key(r) for r in held_now]}
        row.data = {
            "name": str(desired.get("name") or ""),
            **({"facts": desired["facts"]} if "facts" in desired else {}),
        }
        row.fingerprint, row.status = work.change.fingerprint, "active"
        return doomed

    def _finish(
        self,
        changes: Sequence[Change],
        outcomes: list[ApplyOutcome],
        upserts: Sequence[_Work],
        removals: Sequence[_Work],
    ) -> None:
        written = {id(w.change): [note for n in w.nodes for note in n.notes] for w in upserts}
        removed = {id(w.change) for w in removals}
        for change, outcome in zip(changes, outcomes, strict=True):
            if id(change) in written:
                outcome.detail = "; ".join(["written to Purview", *written[id(change)]])
            elif id(change) in removed:
                outcome.detail = "removed from Purview (shared nodes released)"
            else:
                continue
            note = self.notify(change, id(change) in removed)
            if note is not None:
                outcome.notifications.append(note)
