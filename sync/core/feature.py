"""The feature contract: what a sync feature declares and the four parts it implements.

A feature is a small class (one per folder under `sync/features/`):

- `prepare(ctx)` — idempotent set-up writes it needs before its changes can be applied (registering Purview
  types, creating the target collection). It only *reads* to decide, and returns the writes as `SetupStep`s: the
  engine reports them as planned changes and runs them only when the cycle may write (never in dry-run or for a
  plan-only request).
- `snapshot(ctx)` — reads the source side and returns a `Snapshot`: the desired state of every object, plus the
  *pending state* the read produced (cursor moves, caches, claim-check payloads). The engine commits pending
  state only once the changes are on their queue — never in dry-run — so a review run consumes nothing and the
  next real cycle still sees every change.
- `plan(snapshot, state, settings)` — pure: desired vs what the app last wrote → typed changes.
- `apply(change, ctx, owner=...)` — makes one change true, idempotently (twice, or after a crash, is harmless).

A feature that can plan a few objects alone also implements `snapshot_of(ctx, entries)`: the snapshot of only the
objects a pushed change feed named (Purview's entity notifications), which the engine plans with the same `plan`,
fail-safe and appliers (`engine.run_targeted`, docs/decisions/0901-purview-change-feed.md).

Declarations (class variables) tell the engine and the registry the rest: settings group, service clients,
dependencies on other features' published rows, timer schedule, queue, and the change feeds it subscribes to.
"""

from __future__ import annotations

import copy
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pydantic import BaseModel

from sync.core.errors import FatalError, SettingsError, StaleChangeError
from sync.core.messages import Change, ChangeKind, Queues
from sync.core.settings import EngineSettings, Settings, SettingsGroup
from sync.core.state import StateStore, SyncObject, fingerprint
from sync.core.storage import QueueSender
from sync.core.switches import dry_run_state

if TYPE_CHECKING:
    from sync.core.changefeed import ChangeFeeds, FeedEntry, FeedSourceFactory, FeedWindow


class Notification(BaseModel):
    """A user-facing event (the text CluedIn's Notification Center would show)."""

    event: str
    text: str


@dataclass
class ApplyOutcome:
    """What applying one change did: `applied`, `skipped` (nothing to do) or `failed`."""

    result: str
    detail: str = ""
    notifications: list[Notification] = field(default_factory=list)
    fatal: bool = False
    """A failure that retrying cannot fix (the message goes to poison with this detail as its reason)."""


@dataclass
class SetupStep:
    """An idempotent set-up write found necessary by `prepare` (shown in plans, skipped in dry-run)."""

    summary: str
    run: Callable[[], object]


@dataclass
class Snapshot:
    """What a feature's snapshot read: desired objects, and state writes the engine commits after enqueueing.

    `before_send` writes are what the messages themselves rely on (claim-check payload rows); `after_send` writes
    are bookkeeping (cursors, caches), done last so queue functions can start applying meanwhile.
    """

    desired: dict[str, dict[str, Any]] = field(default_factory=dict)
    before_send: list[Callable[[], None]] = field(default_factory=list)
    after_send: list[Callable[[], None]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Things the read noticed that the run report should say (e.g. monitor events)."""
    ordered: Iterable[tuple[str, dict[str, Any]]] | None = None
    """Instead of `desired`, for an estate too large to hold (features with `plans_in_order`): (key, desired) pairs
    produced lazily in storage order (`sync.core.diff.storage_order`). The engine pairs them with state rows read
    in the same order (`diff.merge_ordered`) and hands the pairs to `Feature.plan_ordered`, so neither side is
    held whole (docs/decisions/0903-bounded-memory-planning.md)."""
    before_sending: Callable[[Sequence[Change]], None] | None = None
    """Writes some changes' messages rely on (claim-check payloads an ordered snapshot found on the way), made
    just before those changes are sent; never in dry-run."""
    scope: set[str] | None = None
    """Only for a targeted snapshot (`Feature.snapshot_of`): the keys it looked at. Their state rows are compared
    with `desired` (a key in scope but not desired is gone); rows outside the scope are not compared at all."""


@dataclass(frozen=True)
class OwnedEntity:
    """A Purview entity a feature wrote, with the attributes it last wrote there (what the drift report compares)."""

    key: str
    """The feature's state key of the object the entity belongs to (what `forget` takes)."""
    type_name: str
    qualified_name: str
    guid: str
    """'' when the app does not know it (looked up by qualifiedName)."""
    attributes: dict[str, Any]


ClientFactory = Callable[[Settings], Any]
T = TypeVar("T")

PlanHook = Callable[["Feature", Any, list[Change]], None]
"""(feature, run report, every planned change) → None; raising stops the cycle before anything is sent."""


class SyncContext:
    """Everything a feature needs at run time; service clients are created on first use.

    Building a client checks its settings first, so a missing setting fails with its name, not deep inside
    a client.
    """

    def __init__(
        self,
        settings: Settings,
        state: StateStore,
        queues: QueueSender,
        *,
        clients: Mapping[str, ClientFactory] | None = None,
        feed_sources: Mapping[str, FeedSourceFactory] | None = None,
    ) -> None:
        self.settings = settings
        self.state = state
        self.queues = queues
        self._factories = dict(clients or {})
        self._clients: dict[str, Any] = {}
        self.feed_sources = dict(feed_sources or {})
        """Where each change feed ('cluedin') is read from."""
        self.feeds: ChangeFeeds | None = None
        """The change feeds of the current tick (set by the engine while it plans)."""
        self.feature: str = ""
        """The feature whose cycle is planning (set by the engine)."""
        self.plan_hook: PlanHook | None = None
        """Called with every cycle's full plan before anything is sent (the CLI saves it, or refuses a plan that
        differs from the one reviewed by raising); None in the Function app."""
        self._tick_reads: dict[str, Any] = {}
        self._tick_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def begin_tick(self) -> None:
        """Forget the reads shared by the features of the previous tick (called by the engine)."""
        self._tick_reads.clear()
        self._tick_locks.clear()

    def for_feature(self, name: str) -> SyncContext:
        """This tick's context as one feature plans in it: everything shared but the feature's name.

        Features of a tick plan side by side (sync/core/tick.py); each gets its own view so that `feature` (which
        change-feed position `feed` reads) is never another's.
        """
        view = copy.copy(self)
        view.feature = name
        return view

    def once_per_tick(self, key: str, read: Callable[[], T]) -> T:
        """The result of a read that several features of one tick need (e.g. Purview's glossary), made once.

        Like the change feeds, a shared read is capped at the tick: what is written meanwhile is seen next tick.
        Features planning side by side wait for the first one's read rather than making their own.
        """
        with self._lock:
            lock = self._tick_locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._tick_reads:
                self._tick_reads[key] = read()
            value: T = self._tick_reads[key]
        return value

    @property
    def engine(self) -> EngineSettings:
        """The engine's settings."""
        return self.settings.engine

    @property
    def dry_run(self) -> bool:
        """Whether this cycle may only read: the app setting, else the operator's switch (read every cycle)."""
        return dry_run_state(self.settings.engine, self.state).dry_run

    def client(self, name: str) -> Any:
        """The named service client ('purview', 'cluedin', 'datafactory'), built once."""
        with self._lock:  # features planning side by side share one client
            if name not in self._clients:
                if name not in self._factories:
                    raise SettingsError(f"no client factory registered for {name!r}")
                self._clients[name] = self._factories[name](self.settings)
            return self._clients[name]

    def provide(self, name: str, client: Any) -> None:
        """Use this client for `name` instead of building one (tests wrap real clients this way)."""
        self._clients[name] = client

    def feed(self, source: str) -> FeedWindow:
        """What the named change feed ('cluedin') says changed since this feature last planned.

        Raises:
            SettingsError: the feature did not declare the feed (see `Feature.change_feeds`).
        """
        if self.feeds is None:
            raise SettingsError(f"no change feed is open for {self.feature or 'this context'}")
        return self.feeds.window(source, self.feature)


def apply_each(changes: list[Change], apply_one: Callable[[Change], ApplyOutcome]) -> list[ApplyOutcome]:
    """The changes of one message applied one by one (`Feature.apply_batch`'s default, for overrides to reuse).

    A FatalError for one change is recorded as its outcome and does not stop the others, nor does a stale change
    (skipped); a transient error propagates so the whole message is redelivered.
    """
    outcomes = []
    for change in changes:
        try:
            outcomes.append(apply_one(change))
        except FatalError as exc:
            outcomes.append(ApplyOutcome("failed", str(exc), fatal=True))
        except StaleChangeError as exc:
            outcomes.append(ApplyOutcome("skipped", str(exc)))
    return outcomes


class Feature(ABC):
    """One sync feature. Subclasses set the class variables and implement the parts (see the module docstring)."""

    name: ClassVar[str]
    """Stable id: state rows, run reports, queue messages and the HTTP routes use it."""
    title: ClassVar[str] = ""
    """The product's label of the feature's toggle (e.g. 'Sync CluedIn Data Sources')."""
    settings_model: ClassVar[type[SettingsGroup] | None] = None
    """The feature's own settings group (validated only when the feature runs)."""
    object_kind: ClassVar[str]
    queue: ClassVar[Queues]
    schedule: ClassVar[str] = "SYNC_SCHEDULE"
    """App Setting holding the NCRONTAB of the timer that plans the feature."""
    depends_on: ClassVar[tuple[str, ...]] = ()
    """Features whose published rows this one reads: the registry plans them first within a tick."""
    needs: ClassVar[tuple[str, ...]] = ()
    """Service clients the planner and appliers use. A cycle whose clients are not configured reports
    `not-configured` and enqueues nothing, rather than planning changes that could only fail when applied."""
    change_feeds: ClassVar[Mapping[str, frozenset[str]]] = {}
    """Change feeds the feature reads (source → object types; an empty set means every type)."""
    deletes_on_target: ClassVar[bool] = True
    """Whether a DELETE change removes something on the target side (False: the engine only marks state)."""
    state_fields: ClassVar[frozenset[str] | None] = None
    """Which JSON parts of its state rows (`source`, `target`, `data`) the planner reads; None = all. Declaring
    fewer keeps planning memory small when rows carry what only appliers need (schemas, guids)."""
    state_page_size: ClassVar[int | None] = None
    """State rows per Table Storage page when planning (None: the service's 1,000); features whose rows are large
    (a row per group of objects) set fewer, so a page is not the largest thing planning holds."""
    send_chunk_changes: ClassVar[int | None] = None
    """How many planned changes the engine holds before packing and sending them (None: its 500). Features whose
    changes are large (a vocabulary with all its keys' terms, tens of KB) hold fewer."""
    max_changes_per_message: ClassVar[int] = 1
    """How many consecutive planned changes may share one queue message (and one `apply_batch` call)."""
    plans_in_order: ClassVar[bool] = False
    """Whether full cycles plan from `Snapshot.ordered` through `plan_ordered` (bounded memory) rather than from
    whole mappings through `plan`. `plan` stays the entry point of targeted runs, rollback and tests."""
    setup_beside_snapshot: ClassVar[bool] = False
    """Whether the set-up steps write nothing the snapshot reads (registering Purview types, creating the target
    collection): the engine then runs them while the snapshot reads, and waits for them before anything is sent.
    A first registration is a few dozen paced Purview calls; run before the snapshot, they delayed every message."""
    pushed_feeds: ClassVar[frozenset[str]] = frozenset()
    """Pushed change feeds (e.g. 'purview': entity notifications) whose entries the feature plans alone, through
    `snapshot_of`, between its full cycles."""

    def message_group(self, change: Change) -> str | None:
        """Changes of one group stay in one queue message when they fit (e.g. a parent and its children).

        Default: no groups; messages are packed from consecutive changes only.
        """
        return None

    def change(self, kind: ChangeKind, key: str, desired: dict[str, Any], summary: str) -> Change:
        """A change of this feature's objects, fingerprinted by its desired state."""
        return Change(
            feature=self.name,
            object_kind=self.object_kind,
            key=key,
            kind=kind,
            desired=desired,
            fingerprint=fingerprint(desired),
            summary=summary,
        )

    @abstractmethod
    def enabled(self, settings: Settings) -> bool:
        """Whether the feature's toggle is on (may raise SettingsError for an invalid setting of its own)."""

    def prepare(self, ctx: SyncContext) -> list[SetupStep]:
        """Set-up writes the feature needs before its changes (read-only here: the engine runs the steps)."""
        return []

    @abstractmethod
    def snapshot(self, ctx: SyncContext) -> Snapshot:
        """Read the source side (only read): desired state of every object, and pending state to commit later."""

    def snapshot_of(self, ctx: SyncContext, entries: Sequence[FeedEntry]) -> Snapshot:
        """Read only the objects a pushed feed's entries name (only read), for a targeted plan.

        Returns their desired state, with `Snapshot.scope` = every key looked at. Implemented by features that
        declare `pushed_feeds`; their full cycle stays the safety net for whatever a feed does not say.
        """
        raise NotImplementedError(f"{self.name} cannot plan from a pushed change feed")

    @abstractmethod
    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: Settings
    ) -> Iterable[Change]:
        """Pure: the changes that bring the target in line with the snapshot (no I/O).

        A list, or changes yielded one at a time (`diff.iter_diff`): the engine sends them as they come, so a plan
        of a large estate need not be held whole.
        """

    def plan_ordered(
        self,
        pairs: Iterable[tuple[str, dict[str, Any] | None, SyncObject | None]],
        settings: Settings,
        *,
        seen: Mapping[str, dict[str, Any]] | None = None,
    ) -> Iterable[Change]:
        """Pure, like `plan`, from (key, desired or None, state row or None) in storage order (`plans_in_order`).

        Must equal `plan` on the same objects (up to the order of changes) and yield changes as it goes: the
        engine sends them while the pairs are still being read. `seen` is the snapshot's `desired` mapping: empty
        for an ordered snapshot, but a two-sided feature's `TwoSided` carries what it observed on the target side.
        """
        raise NotImplementedError(f"{self.name} does not plan in order")

    def check_change(self, change: Change) -> str:
        """Why a change's desired state cannot be applied ('' when it can); pure, checked before any apply.

        A message that matches the change schema but carries desired state the feature cannot use is malformed:
        the engine moves it to poison once with this reason instead of failing five times.
        """
        return ""

    @abstractmethod
    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        """Make one change true, idempotently. `owner` identifies this invocation (for state leases)."""

    def undo(self, applied: Change, row: SyncObject, earlier: Iterator[Change], settings: Settings) -> list[Change]:
        """Changes that put back what `applied` did to an object (for `rollback`; applied like any other change).

        `earlier` yields the changes applied to the object before, newest first, from the run journal; it yields
        nothing when `applied` created the object. Default: the feature's own deletion of the object (as its plan
        makes it when the object is gone from the source) for a creation, else the previous change again. Features
        whose changes carry only part of an object's desired state override this.
        """
        previous = next(earlier, None)
        if previous is None:
            deletions = self.plan({}, {row.key: row}, settings)
            return [c for c in deletions if c.key == row.key and c.kind == ChangeKind.DELETE]
        return [self.change(ChangeKind.UPDATE, row.key, previous.desired, f"restore {row.key} as it was before")]

    def owned_entities(self, ctx: SyncContext) -> list[OwnedEntity]:
        """The Purview entities the feature wrote and what it wrote, from state only (drift report). Default: none."""
        return []

    def forget(self, ctx: SyncContext, keys: Iterable[str]) -> None:
        """Make the next cycle write these objects again (drift repair). Default: drop their fingerprints."""
        for key in sorted(set(keys)):
            obj = ctx.state.get_object(self.object_kind, key)
            if obj is not None and obj.fingerprint:
                obj.fingerprint = ""
                ctx.state.save(obj)

    def apply_batch(self, changes: list[Change], ctx: SyncContext, *, owner: str) -> list[ApplyOutcome]:
        """Apply the changes of one message; features that write in bulk override this. Default: one by one.

        A FatalError for one change is recorded as its outcome and does not stop the others, nor does a stale
        change (skipped); a transient error propagates so the whole message is redelivered (every change is
        idempotent, so re-applying is safe).
        """
        return apply_each(changes, lambda change: self.apply(change, ctx, owner=owner))
