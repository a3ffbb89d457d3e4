"""Applying a message of graph records: one record per change, each owning some nodes and holding shared ones.

Every feature that describes Purview as desired records applies them here: the processing-pipeline features
(rules, clean, deduplication, manual data entry: a rule's Processing Rule process, a scope's "Data Part Rules"
asset, the backbone they hold) and the record features (streams, crawlers and enrichers: a stream process, an
export target, a provider, their holds on entity types). A builder turns a record into nodes (`nodes.Node`): full
nodes it *owns*, full `shared` nodes it *holds* (`holds.py`), and stubs that only make references resolve. This
writer makes a message's records true:

1. read the message's rows (one query per 14 keys) and drop changes already applied (same fingerprint);
2. upsert every record's nodes in as few bulk calls per target collection as the size limit allows
   (`purview_io.upsert_nodes`);
3. delete what a record owned before and no longer does, hold what it holds now, release what it held before;
4. delete what removed records owned and release what they held;
5. commit the shared rows, then the records' rows (both ETag-guarded: a concurrent change retries the message).

How a row records what its record owns and holds is the feature's (`RowLayout`): by default the target lists the
guids of the nodes it owns (`owned`: "typeName|qualifiedName" → guid) and the shared nodes it holds (`held`); the
record features keep one main entity's guid and its columns' instead (`streams/records.py`). Either way a later
change or removal knows exactly what to delete. Everything before the commit is idempotent, so a crash or a
duplicate message at any point only repeats work. A record rename (a rule's name, say) is one bulk call: the
process's attributes change, nothing else does.
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


class RowLayout:
    """How a feature's rows record what a record owns and holds: this base lists both in the row's target.

    A feature whose rows were laid out otherwise before this writer served it overrides the methods, so its
    rows keep their shape (no migration) while the writing is the same.
    """

    def owned(self, key: str, target: Mapping[str, Any]) -> dict[Ref, str]:
        """The nodes a row's record owns, with their guids ('' when never learnt)."""
        return {key_ref(k): str(g) for k, g in (target.get("owned") or {}).items()}

    def held(self, key: str, target: Mapping[str, Any]) -> list[Ref]:
        """The shared nodes a row's record holds."""
        return [key_ref(k) for k in target.get("held") or []]

    def target(
        self, key: str, desired: Mapping[str, Any], owned: Mapping[Ref, str], held: Sequence[Ref]
    ) -> dict[str, Any]:
        """The row's target once the record is written: what `owned` and `held` read back."""
        return {
            "org": desired.get("org"),
            "owned": {ref_key(r): g for r, g in owned.items()},
            "held": [ref_key(r) for r in held],
        }

    def data(self, key: str, desired: Mapping[str, Any]) -> dict[str, Any]:
        """The row's data once the record is written (its name for plans and reports, facts kept for planning)."""
        return {"name": str(desired.get("name") or ""), **({"facts": desired["facts"]} if "facts" in desired else {})}

    def removed(self, key: str) -> str:
        """The outcome's detail when a record is removed."""
        return "removed from Purview (shared nodes released)"


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
        rows: RowLayout | None = None,
    ) -> None:
        self.ctx = ctx
        self.object_kind = object_kind
        self.holder = holder
        self.types = types
        self.build = build
        self.notify = notify
        self.rows = rows or RowLayout()

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
            doomed += [(*ref, guid) for ref, guid in self.rows.owned(work.row.key, work.row.target).items()]
            refs = self.rows.held(work.row.key, work.row.target)
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
            refs |= set(holds.shared_refs(work.nodes)) | set(self.rows.held(work.row.key, work.row.target))
        for work in removals:
            refs |= set(self.rows.held(work.row.key, work.row.target))
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
        before_owned = self.rows.owned(row.key, row.target)
        owned = {n.ref: guids.get(n.ref) or before_owned.get(n.ref, "") for n in owned_nodes(work.nodes)}
        doomed = [(*ref, guid) for ref, guid in before_owned.items() if ref not in owned]
        held_now = holds.shared_refs(work.nodes)
        dropped = [r for r in self.rows.held(row.key, row.target) if r not in held_now]
        touched |= {holds.key_of(r) for r in [*held_now, *dropped]}
        doomed += holds.release_refs(shared, self.holder, dropped)
        doomed += holds.hold_nodes(shared, self.holder, work.nodes, guids)
        row.target = self.rows.target(row.key, desired, owned, held_now)
        row.data = self.rows.data(row.key, desired)
        row.fingerprint, row.status = work.change.fingerprint, "active"
        return doomed

    def _finish(
        self,
        changes: Sequence[Change],
        outcomes: list[ApplyOutcome],
        upserts: Sequence[_Work],
        removals: Sequence[_Work],
    ) -> None:
        """Say what each applied change did (with what had to give way to a limit) and add its notification."""
        written = {
            id(w.change): [str(w.change.desired.get("note") or ""), *(m for n in w.nodes for m in n.notes)]
            for w in upserts
        }
        removed = {id(w.change): w.row.key for w in removals}
        for change, outcome in zip(changes, outcomes, strict=True):
            if id(change) in written:
                outcome.detail = "; ".join(p for p in ("written to Purview", *written[id(change)]) if p)
            elif id(change) in removed:
                outcome.detail = self.rows.removed(removed[id(change)])
            else:
                continue
            note = self.notify(change, id(change) in removed)
            if note is not None:
                outcome.notifications.append(note)
