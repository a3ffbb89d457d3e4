"""The base of the features that draw CluedIn objects into the processing-pipeline lineage (F14-F17).

Rules, clean projects, deduplication projects and manual-data-entry projects work alike: a cheap listing every
cycle, a detail read only for what the listing or the shared CluedIn change feed says changed, one graph record per
object (its processes and assets, linked back to CluedIn), a few records derived from all of them (an asset per
rule scope, the backbone every feature holds, entity types), a pure diff against state, and `RecordWriter` to apply.
A subclass declares its toggle, listing, detail read and notification stem, and supplies the records and how each
is drawn; this class does the rest (the backbone record every one of them holds included).

Facts read from CluedIn are kept in each object's own state row (written when its change is applied), so an
object the listing shows unchanged is never read again. Until a change is applied the row keeps the older facts,
and the next cycle reads the object once more: a change seen once is not lost because applying it failed.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from sync.core.diff import diff
from sync.core.feature import ApplyOutcome, Feature, Notification, SetupStep, Snapshot, SyncContext
from sync.core.messages import Change, ChangeKind, Queues
from sync.core.settings import Settings
from sync.core.state import SyncObject
from sync.core.telemetry import counted_by_caller
from sync.features.lineage.nodes import Node
from sync.features.lineage.pipeline import BACKBONE_NAME, PIPELINE_TYPES, backbone_nodes
from sync.features.lineage.record_writer import RecordWriter
from sync.services.cluedin.client import CluedInClient
from sync.services.cluedin.processing import Listed
from sync.services.purview.setup import setup_steps, target_collection
from sync.services.purview.typedefs import TYPES, CluedInType

DETAIL_READERS = 8
"""Detail reads run side by side (the client's rate limiter still caps them): a first cycle reads every object."""
OBJECT_PREFIX = "object|"
"""State keys of the objects themselves (`object|<id>`); other keys are derived records."""
BACKBONE_KEY = "backbone"
"""The record by which a feature holds the shared Processing Pipeline, Process Entities and Processed Entities."""


class ObjectFacts(Protocol):
    """What a detail read returns: facts that become JSON for the object's record and state row."""

    def to_json(self) -> dict[str, Any]:
        """The facts as JSON."""
        ...


def object_key(ident: str) -> str:
    """The state key (and change key) of one CluedIn object."""
    return f"{OBJECT_PREFIX}{ident}"


@dataclass(frozen=True)
class RecordContext:
    """What every record carries besides the object's facts."""

    org: str
    collection: str | None
    cluedin: str
    """CluedIn's base URL (links back to its UI)."""

    def base(self) -> dict[str, Any]:
        """The common part of every desired record."""
        return {"org": self.org, "collection": self.collection, "cluedin": self.cluedin}


class PipelineObjectsFeature(Feature):
    """CluedIn objects of one kind → their part of the processing-pipeline lineage (see the module docstring)."""

    queue: ClassVar[Queues] = Queues.PURVIEW_LINEAGE
    needs: ClassVar[tuple[str, ...]] = ("purview", "cluedin")
    setup_beside_snapshot: ClassVar[bool] = True  # types and collection: nothing the snapshot reads
    deletes_on_target: ClassVar[bool] = True
    max_changes_per_message: ClassVar[int] = 100
    """Records are small (a process, or an asset with a few columns): a message is one bulk call of ~100-300."""
    own_types: ClassVar[tuple[CluedInType, ...]] = ()
    """Purview types the feature declares (registered with the shared and the pipeline types)."""
    object_label: ClassVar[str]
    """The product's word for one object in notifications ('Processing Rule', 'Clean Project', ...)."""
    event_stem: ClassVar[str]
    """Custom events '<stem>SyncedToPurview' and '<stem>RemovedFromPurview' ('Rule', 'CleanProject', ...)."""
    toggle: ClassVar[str]
    """The field of `settings_model` that holds the product's on/off setting (the feature's title)."""
    lister: ClassVar[Callable[[CluedInClient], Iterable[Listed]]]
    """The cheap listing: every object's id, name and change stamp."""
    reader: ClassVar[Callable[[CluedInClient, str], ObjectFacts | None] | None] = None
    """The detail read of one object by id (None when it vanished); without one, the listing carries the facts."""

    # --- what a subclass supplies ------------------------------------------------------------------------------

    def enabled(self, settings: Settings) -> bool:
        """The product's toggle (`toggle` in the feature's settings group)."""
        assert self.settings_model is not None
        return bool(getattr(settings.get(self.settings_model), self.toggle))

    def list_objects(self, cluedin: CluedInClient) -> list[Listed]:
        """Every object as the cheap listing shows it."""
        return list(type(self).lister(cluedin))

    def read_object(self, cluedin: CluedInClient, listed: Listed) -> dict[str, Any] | None:
        """The facts of one object (JSON), or None when it vanished meanwhile."""
        reader = type(self).reader
        if reader is None:
            return dict(listed.facts) if listed.facts is not None else None
        facts = reader(cluedin, listed.id)
        return facts.to_json() if facts is not None else None

    @abstractmethod
    def records(self, facts: Mapping[str, dict[str, Any]], ctx: RecordContext) -> dict[str, dict[str, Any]]:
        """Every desired record: one per object (`object_key(id)`, carrying `facts` and `name`) and derived ones."""

    @abstractmethod
    def build(self, key: str, desired: Mapping[str, Any]) -> list[Node]:
        """The nodes of one record (owned, shared and stubs); the backbone record is drawn here (`nodes`)."""

    @staticmethod
    def backbone_record(ctx: RecordContext, columns: list[list[str]] | None = None) -> dict[str, Any]:
        """The backbone hold: with the keys a feature brings into the Processing Pipeline, if any."""
        return {**ctx.base(), "name": BACKBONE_NAME, **({"columns": columns} if columns is not None else {})}

    def nodes(self, key: str, desired: Mapping[str, Any]) -> list[Node]:
        """The nodes of any record: the backbone's, or what the subclass draws."""
        if key == BACKBONE_KEY:
            org, cluedin = str(desired["org"]), str(desired.get("cluedin") or "")
            return backbone_nodes(org, cluedin, desired.get("columns") or [])
        return self.build(key, desired)

    def display_name(self, desired: Mapping[str, Any]) -> str:
        """How notifications name an object."""
        return str(desired.get("name") or "")

    # --- the feature contract ------------------------------------------------------------------------------------

    @property
    def types(self) -> tuple[CluedInType, ...]:
        """Every type this feature's records use."""
        return (*TYPES, *PIPELINE_TYPES, *self.own_types)

    def prepare(self, ctx: SyncContext) -> list[SetupStep]:
        """Register the types and create the target collection, when the account lacks them."""
        return setup_steps(ctx, self.types)

    def snapshot(self, ctx: SyncContext) -> Snapshot:
        """List the objects, read the changed ones, and derive every desired record (only reads)."""
        cluedin: CluedInClient = ctx.client("cluedin")
        collection, _ = target_collection(ctx)
        window = ctx.feed("cluedin")
        rows = {r.key: r for r in ctx.state.iter_objects(self.object_kind) if r.key.startswith(OBJECT_PREFIX)}
        cached = {key.removeprefix(OBJECT_PREFIX): r.data.get("facts") or {} for key, r in rows.items()}
        named = {e.object_id.lower() for e in window.entries}
        facts: dict[str, dict[str, Any]] = {}
        notes: list[str] = []
        listing = self.list_objects(cluedin)

        def stale(listed: Listed) -> bool:
            known = cached.get(listed.id)
            listed_as = {"name": listed.name, "stamp": listed.stamp}
            return window.first or not known or known.get("listed") != listed_as or listed.id.lower() in named

        fresh = [listed for listed in listing if stale(listed)]
        with ThreadPoolExecutor(max_workers=DETAIL_READERS) as pool:  # detail reads are independent GETs
            read = dict(
                zip(
                    [f.id for f in fresh],
                    pool.map(counted_by_caller(lambda f: self.read_object(cluedin, f)), fresh),
                    strict=True,
                )
            )
        for listed in listing:
            known = cached.get(listed.id)
            found = read.get(listed.id, known)
            if found is None:
                continue
            facts[listed.id] = {**found, "listed": {"name": listed.name, "stamp": listed.stamp}}
            if listed.id in read and not window.first and facts[listed.id] != known:
                verb = "added" if not known else "changed"
                notes.append(f"{self.object_label} '{listed.name}' {verb} in CluedIn")
        for ident, known in sorted(cached.items()):
            if ident not in facts and rows[object_key(ident)].active:
                notes.append(
                    f"{self.object_label} '{(known.get('listed') or {}).get('name', ident)}' removed in CluedIn"
                )
        context = RecordContext(cluedin.organization, collection, cluedin.base_url)
        return Snapshot(self.records(facts, context), notes=notes)

    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: Settings
    ) -> list[Change]:
        """Creates, updates and deletes of records (derived records first, so objects find their targets)."""

        def make(kind: ChangeKind, key: str, desired: dict[str, Any]) -> Change:
            name = str(desired.get("name") or (state[key].data.get("name") if key in state else "") or key)
            verb = {ChangeKind.CREATE: "create", ChangeKind.UPDATE: "update", ChangeKind.DELETE: "remove"}[kind]
            return self.change(kind, key, desired, f"{verb} {self.describe(key, name)}")

        def removal(key: str, obj: SyncObject) -> dict[str, Any]:
            return {"name": str(obj.data.get("name") or "")}

        changes = diff(snapshot, state, make, removal=removal)
        return sorted(changes, key=lambda c: (c.kind == ChangeKind.DELETE, c.key.startswith(OBJECT_PREFIX)))

    def describe(self, key: str, name: str) -> str:
        """A record in plans and reports."""
        return f"{self.object_label} '{name}'" if key.startswith(OBJECT_PREFIX) else name

    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        """One change (the queue normally delivers several: see apply_batch)."""
        return self.apply_batch([change], ctx, owner=owner)[0]

    def apply_batch(self, changes: list[Change], ctx: SyncContext, *, owner: str) -> list[ApplyOutcome]:
        """All changes of a message: one bulk upsert (usually), one bulk delete, one state commit."""
        writer = RecordWriter(
            ctx, object_kind=self.object_kind, holder=self.name, types=self.types, build=self.nodes, notify=self.notify
        )
        return writer.apply(changes)

    def notify(self, change: Change, removed: bool) -> Notification | None:
        """The product's notification for an object synced ('<label> '<name>' synced to Purview'), else None."""
        if not change.key.startswith(OBJECT_PREFIX):
            return None
        if removed:
            name = str(change.desired.get("name") or change.key.removeprefix(OBJECT_PREFIX))
            return Notification(
                event=f"{self.event_stem}RemovedFromPurview", text=f"{self.object_label} '{name}' removed from Purview"
            )
        text = f"{self.object_label} '{self.display_name(change.desired)}' synced to Purview"
        return Notification(event=f"{self.event_stem}SyncedToPurview", text=text)
