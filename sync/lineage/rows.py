"""Reading and writing many lineage state rows at once, with optimistic concurrency.

The engine's per-object lease (`StateStore.claim` + `release`) costs three Table calls per object. The lineage
sync writes thousands of objects in a backfill, and measured on Azurite that made state, not Purview, the
bottleneck (~130 objects/s with leases vs ~450 objects/s batched; docs/decisions/0501-lineage-batches.md). So a
lineage message reads its rows with a few filtered queries and commits them in entity-group transactions
guarded by the ETags it read: the Purview writes in between are idempotent upserts, and if another invocation
changed a row meanwhile the whole commit fails, the message is redelivered, and the retry re-reads the rows
(finding the work done, or redoing it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceModifiedError
from azure.data.tables import TableTransactionError, UpdateMode

from sync.errors import RetriableError
from sync.state import StateStore, SyncObject, encode_key

MAX_FILTER_KEYS = 14
"""Azure Table filters allow at most 15 comparisons; one is the PartitionKey."""
MAX_TRANSACTION = 100
"""Azure Table entity-group transactions hold at most 100 operations (same partition)."""
CONFLICT_STATUSES = frozenset({409, 412})


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _quoted(value: str) -> str:
    return value.replace("'", "''")


def read_rows(state: StateStore, kind: str, keys: Iterable[str]) -> dict[str, SyncObject]:
    """The existing rows among `keys` (one query per 14 keys), with their ETags."""
    wanted = sorted(set(keys))
    found: dict[str, SyncObject] = {}
    partition = _quoted(encode_key(kind))
    for chunk in _chunks(wanted, MAX_FILTER_KEYS):
        clauses = " or ".join(f"RowKey eq '{_quoted(encode_key(k))}'" for k in chunk)
        for entity in state.objects.query_entities(f"PartitionKey eq '{partition}' and ({clauses})"):
            obj = SyncObject.from_entity(kind, entity)
            found[obj.key] = obj
    return found


def _submit(state: StateStore, operations: list[tuple[Any, ...]]) -> None:
    for chunk in _chunks(operations, MAX_TRANSACTION):
        try:
            state.objects.submit_transaction(list(chunk))
        except (TableTransactionError, ResourceExistsError, ResourceModifiedError) as exc:
            raise RetriableError(f"lineage state changed concurrently ({type(exc).__name__})") from exc
        except HttpResponseError as exc:
            if exc.status_code in CONFLICT_STATUSES:
                raise RetriableError(f"lineage state changed concurrently ({exc.status_code})") from exc
            raise
        state.writes += len(chunk)


def commit(state: StateStore, save: Sequence[SyncObject], delete: Sequence[SyncObject] = ()) -> None:
    """Write and delete rows of one partition, each guarded by the ETag it was read with (none = must be new).

    Raises:
        RetriableError: a row changed since it was read (or a new one appeared); nothing of that chunk was written.
    """
    operations: list[tuple[Any, ...]] = []
    for obj in save:
        entity = obj.to_entity()
        if obj.etag is None:
            operations.append(("create", entity))
        else:
            guard = {"mode": UpdateMode.REPLACE, "etag": obj.etag, "match_condition": MatchConditions.IfNotModified}
            operations.append(("update", entity, guard))
    for obj in delete:
        if obj.etag is None:
            continue
        entity = {"PartitionKey": encode_key(obj.kind), "RowKey": encode_key(obj.key)}
        operations.append(("delete", entity, {"etag": obj.etag, "match_condition": MatchConditions.IfNotModified}))
    _submit(state, operations)


def upsert(state: StateStore, objects: Sequence[SyncObject]) -> None:
    """Write rows without a guard (caches only one writer fills, such as the facts read from CluedIn)."""
    _submit(state, [("upsert", obj.to_entity(), {"mode": UpdateMode.REPLACE}) for obj in objects])


def remove(state: StateStore, kind: str, keys: Iterable[str]) -> None:
    """Delete rows without a guard (cache entries of objects that no longer exist)."""
    partition = encode_key(kind)
    _submit(state, [("delete", {"PartitionKey": partition, "RowKey": encode_key(k)}) for k in sorted(set(keys))])
