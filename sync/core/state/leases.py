"""Leases on single state rows: one invocation at a time works on an object, and a lost lease never creates twice.

Two invocations can race on one object (a duplicated queue message, a redelivery while the first attempt still
runs, an HTTP retry overlapping the first request). `lease()` takes a short lease on the object's row with an
ETag-guarded write, owned by the *invocation* (`new_owner()`: a fresh id per invocation, plus the run that
planned the change), so a concurrent duplicate can never pass for the holder — not even one carrying the same
message or request id. Design and alternatives: docs/decisions/0900-leases-and-fencing.md.

While the block runs the lease is

- **renewed**: a heartbeat extends it every `RENEW_EVERY_SECONDS`, and every write of the row extends it too,
  so work that legitimately takes longer than the lease keeps it;
- **fenced**: it is registered with `sync.core.fencing`, so the HTTP transport re-confirms it with an
  ETag-guarded write immediately before every non-idempotent call and refuses to send when it was lost;
- **short**: when the holder dies, its renewals stop and the lease ends within `LEASE_SECONDS`; a redelivered
  message is deferred until then (its `retry_after`), never longer.

Objects that must never be created twice also record a create intent in the row before the non-idempotent call,
and a holder that finds an intent looks the object up by its deterministic name first
(docs/decisions/0005-idempotent-creates.md). A change planned by an older run of the same feature than the one
that last wrote the row is stale and is refused (`StaleChangeError`) instead of undoing newer state.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from enum import Enum

from sync.core import clock, fencing
from sync.core.errors import ContentionError, LeaseHeldError, RetriableError, StaleChangeError
from sync.core.state.rows import SyncObject
from sync.core.state.runs import parse_run_id

log = logging.getLogger("sync.core.state.leases")

LEASE_SECONDS = 60.0
"""How long a lease lasts without renewal: how long a dead holder can block its object."""
RENEW_EVERY_SECONDS = LEASE_SECONDS / 4
CLOCK_SKEW_SECONDS = 5.0
"""A lease is treated as held this much past its end, for hosts whose clocks disagree a little."""
CLAIM_POLL_SECONDS = 0.5
SERVICE = "state storage"


class Unread(Enum):
    """Marks that the caller has not read the row: a claim reads it first."""

    ROW = 0


UNREAD = Unread.ROW


def new_owner(run_id: str = "") -> str:
    """A lease owner for one invocation: unique to it, followed by `@<run id>` of the run that planned its changes."""
    invocation = uuid.uuid4().hex
    return f"{invocation}@{run_id}" if run_id else invocation


def planning_run(owner: str) -> str:
    """The run id carried by an owner made by `new_owner` ('' when none)."""
    return owner.rpartition("@")[2] if "@" in owner else ""


def superseded(obj: SyncObject, owner: str) -> str:
    """Why a change applied by `owner` would undo newer state of this row ('' when it would not).

    Only runs of the same feature are compared (a run id names its feature and start): a row another feature wrote
    says nothing about how current this feature's plan is.
    """
    planned = planning_run(owner)
    if not planned or not obj.last_run_id or obj.last_run_id == planned:
        return ""
    mine, last = parse_run_id(planned), parse_run_id(obj.last_run_id)
    if mine is None or last is None or mine[0] != last[0] or last[1] <= mine[1]:
        return ""
    return f"superseded: run {obj.last_run_id} wrote {obj.kind}/{obj.key} after run {planned} planned this change"


class HeldLease:
    """A lease this invocation holds: writes of the row, renewals and fences go through it, one at a time."""

    def __init__(self, store: LeaseOperations, obj: SyncObject, owner: str, seconds: float) -> None:
        self.store = store
        self.obj = obj
        self.owner = owner
        self.seconds = seconds
        self.lost = ""
        """Why the lease was lost ('' while held)."""
        self.released = False
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None
        obj.holder = self

    @property
    def name(self) -> str:
        """`<kind>/<key>` of the leased row."""
        return f"{self.obj.kind}/{self.obj.key}"

    def _require_held(self) -> None:
        if self.lost:
            raise ContentionError(f"the lease on {self.name} was lost: {self.lost}", service=SERVICE)
        if self.released:
            raise ContentionError(f"the lease on {self.name} was already released", service=SERVICE)

    def _until(self) -> datetime:
        return clock.now() + timedelta(seconds=self.seconds)

    def write(self, obj: SyncObject) -> SyncObject:
        """Save the row (ETag-guarded), extending the lease."""
        with self._lock:
            self._require_held()
            obj.lease_owner = self.owner
            obj.lease_until = self._until()
            try:
                return self.store.write_row(obj)
            except ContentionError as exc:
                self.lost = str(exc)
                raise

    def fence(self) -> float:
        """Confirm the lease with an ETag-guarded write that also extends it; the seconds it now lasts.

        Raises:
            ContentionError: someone else changed the row (took the lease over): nothing may be sent.
            RetriableError: storage could not confirm it.
        """
        with self._lock:
            self._require_held()
            until = self._until()
            try:
                self.obj.etag = self.store.renew_lease(self.obj, self.owner, until)
            except ContentionError as exc:
                self.lost = str(exc)
                raise ContentionError(
                    f"the lease on {self.name} was lost (another invocation took the object over); "
                    "the call was not sent",
                    service=SERVICE,
                ) from None
            self.obj.lease_owner = self.owner
            self.obj.lease_until = until
            return self.seconds

    def release(self, obj: SyncObject) -> SyncObject:
        """Save the row's final state and drop the lease in the same write (recording the planning run)."""
        self._stop.set()
        with self._lock:
            self._require_held()
            obj.lease_owner = ""
            obj.lease_until = None
            run = planning_run(self.owner)
            if run:
                obj.last_run_id = run
            try:
                saved = self.store.write_row(obj)
            except ContentionError as exc:
                self.lost = str(exc)
                raise
            self.released = True
            obj.holder = None
            return saved

    def _beat(self) -> None:
        while not clock.wait(self._stop, RENEW_EVERY_SECONDS):
            try:
                self.fence()
            except ContentionError:
                return
            except RetriableError as exc:  # storage hiccup: try again at the next beat; fences refuse meanwhile
                log.warning("could not renew the lease on %s: %s", self.name, exc)

    @contextmanager
    def held(self) -> Iterator[SyncObject]:
        """Run a block with the lease renewed and fenced.

        A normal exit releases the lease if the block did not (best effort: the block's work is done). An error
        releases it too (keeping what was saved so far). A process that dies inside the block (here: a
        BaseException) stops renewing and leaves the lease to expire, so a duplicate waits for it.
        """
        self._heartbeat = threading.Thread(target=self._beat, name=f"lease {self.name}", daemon=True)
        self._heartbeat.start()
        try:
            with fencing.fenced(self):
                yield self.obj
        except Exception:
            self._stop.set()
            if not (self.released or self.lost):
                with suppress(Exception):  # the original error matters more; the lease expires on its own
                    self.release(self.obj)
            raise
        finally:
            self._stop.set()
        if not (self.released or self.lost):
            try:
                self.release(self.obj)
            except RetriableError as exc:  # the block's work is done; an unreleased lease just runs out
                log.warning("could not release the lease on %s: %s", self.name, exc)


class LeaseOperations:
    """Lease operations of the state store (mixed into `StateStore`, which provides the row operations)."""

    def get_object(self, kind: str, key: str) -> SyncObject | None:
        """One object, or None (provided by the store)."""
        raise NotImplementedError

    def write_row(self, obj: SyncObject) -> SyncObject:
        """ETag-guarded write of one object, ignoring any lease (provided by the store)."""
        raise NotImplementedError

    def renew_lease(self, obj: SyncObject, owner: str, until: datetime) -> str:
        """ETag-guarded write of only the lease columns; returns the new ETag (provided by the store)."""
        raise NotImplementedError

    def claim(
        self,
        kind: str,
        key: str,
        *,
        owner: str,
        lease_seconds: float = LEASE_SECONDS,
        known: SyncObject | Unread | None = UNREAD,
    ) -> SyncObject:
        """Lease an object's row for `owner`, creating the row if needed; the object carries its `HeldLease`.

        The same owner may claim again (it is the same invocation); anyone else waits until the lease ends.
        `known` is the row as the caller has just read it (None: there was none), saving a second read: the
        claim's write is guarded by that read's ETag (insert-if-absent for None), so a row changed since then
        fails the claim exactly as a claim at the same moment does.

        Raises:
            LeaseHeldError: another owner holds the lease (retry_after: until it could end), or claimed it at
                the same moment.
            StaleChangeError: a later run of the owner's feature already wrote the row.
        """
        read = self.get_object(kind, key) if known is UNREAD else known
        obj = read if isinstance(read, SyncObject) else SyncObject(kind=kind, key=key)
        moment = clock.now()
        if obj.lease_owner not in ("", owner) and obj.lease_until is not None:
            ends = obj.lease_until + timedelta(seconds=CLOCK_SKEW_SECONDS)
            if ends > moment:
                raise LeaseHeldError(
                    f"{kind}/{key} is being applied by another invocation",
                    retry_after=(ends - moment).total_seconds(),
                    service=SERVICE,
                )
        reason = superseded(obj, owner)
        if reason:
            raise StaleChangeError(reason)
        obj.lease_owner = owner
        obj.lease_until = moment + timedelta(seconds=lease_seconds)
        try:
            self.write_row(obj)
        except ContentionError:
            raise LeaseHeldError(
                f"{kind}/{key} is being applied by another invocation (claimed at the same moment)",
                retry_after=CLAIM_POLL_SECONDS,
                service=SERVICE,
            ) from None
        HeldLease(self, obj, owner, lease_seconds)
        return obj

    def lease(
        self, kind: str, key: str, *, owner: str, wait: float = 0.0, known: SyncObject | Unread | None = UNREAD
    ) -> HeldLease:
        """Claim an object's lease, waiting up to `wait` seconds for another holder to finish.

        `known`: see `claim` (used for the first attempt only; a wait reads the row again).

        Raises:
            LeaseHeldError: still held by another invocation when the wait ran out.
            StaleChangeError: see `claim`.
        """
        deadline = clock.now() + timedelta(seconds=wait)
        while True:
            try:
                obj = self.claim(kind, key, owner=owner, known=known)
            except LeaseHeldError as exc:
                known = UNREAD
                left = (deadline - clock.now()).total_seconds()
                if left <= 0:
                    raise
                clock.sleep(min(CLAIM_POLL_SECONDS, left, exc.retry_after or CLAIM_POLL_SECONDS))
                continue
            assert obj.holder is not None
            return obj.holder

    def release(self, obj: SyncObject) -> SyncObject:
        """Save the object's final state and drop the lease in the same write."""
        if obj.holder is not None:
            return obj.holder.release(obj)
        obj.lease_owner = ""
        obj.lease_until = None
        return self.write_row(obj)

    @contextmanager
    def leased(
        self, kind: str, key: str, *, owner: str, wait: float = 0.0, known: SyncObject | Unread | None = UNREAD
    ) -> Iterator[SyncObject]:
        """Hold an object's lease for a block (renewed, fenced; see `HeldLease.held`).

        The block normally `release()`s the object itself (that write carries the final state). `known`: see
        `claim`.
        """
        with self.lease(kind, key, owner=owner, wait=wait, known=known).held() as obj:
            yield obj
