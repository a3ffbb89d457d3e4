"""Leases on single state rows: one invocation at a time works on an object.

Two invocations can race on one object (a duplicated queue message, a redelivery while the first attempt still
runs, an HTTP retry overlapping the first request). `claim()` takes a short lease on the object's row with an
ETag-guarded write, so only one of them works on the object at a time; the other gets a RetriableError and its
message comes back later. Objects that must never be created twice record a create intent in the row before the
non-idempotent call (docs/decisions/0005-idempotent-creates.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta

from sync.core.errors import ContentionError
from sync.core.state.rows import SyncObject, now

DEFAULT_LEASE_SECONDS = 90.0


class LeaseOperations:
    """Lease operations of the state store (mixed into `StateStore`, which provides the two row operations)."""

    def get_object(self, kind: str, key: str) -> SyncObject | None:
        """One object, or None (provided by the store)."""
        raise NotImplementedError

    def save(self, obj: SyncObject) -> SyncObject:
        """ETag-guarded write of one object (provided by the store)."""
        raise NotImplementedError

    def claim(self, kind: str, key: str, *, owner: str, lease_seconds: float = DEFAULT_LEASE_SECONDS) -> SyncObject:
        """Lease an object's row for `owner` (e.g. a queue message id), creating the row if needed.

        A redelivered message has the same id, so it takes over its own lease at once after a crash; a duplicate
        message (another id) waits until the lease ends.

        Raises:
            ContentionError: another owner holds the lease (retry_after: until it ends), or the row changed.
        """
        obj = self.get_object(kind, key) or SyncObject(kind=kind, key=key)
        moment = now()
        if obj.lease_until and obj.lease_until > moment and obj.lease_owner not in ("", owner):
            wait = (obj.lease_until - moment).total_seconds()
            raise ContentionError(f"{kind}/{key} is being applied by another invocation", retry_after=wait)
        obj.lease_owner = owner
        obj.lease_until = moment + timedelta(seconds=lease_seconds)
        return self.save(obj)

    def release(self, obj: SyncObject) -> SyncObject:
        """Save the object's final state and drop the lease in the same write."""
        obj.lease_owner = ""
        obj.lease_until = None
        return self.save(obj)

    @contextmanager
    def leased(self, kind: str, key: str, *, owner: str) -> Iterator[SyncObject]:
        """Hold an object's lease for a block; on an error the lease is dropped (keeping what was saved so far).

        The block must `release()` the object itself when it succeeds (that write carries the final state). A
        process that dies inside the block leaves the lease to expire, so a duplicate waits for it.
        """
        obj = self.claim(kind, key, owner=owner)
        try:
            yield obj
        except Exception:
            with suppress(Exception):  # the original error matters more; the lease expires on its own
                self.release(obj)
            raise
