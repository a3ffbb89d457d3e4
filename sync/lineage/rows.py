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

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceModifiedError
from azure.data.tables import TableTransactionError, UpdateMode

from sync.errors import RetriableError
from sync.state import StateStore, SyncObject, encode_key, fingerprint

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


# --- large records travel beside the queue message (claim check) ---------------------------------------------------

PAYLOAD_KIND = "lineage-payloads"
PAYLOAD_KEY = "$payload"
INLINE_LIMIT = 12_000
"""Records whose JSON is longer travel as a state row referenced from the message (a queue message holds 48 KB:
a data set can have 490 columns, an entity type thousands of vocabulary keys)."""


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), default=str))


def offload(state: StateStore, records: dict[str, dict[str, dict[str, Any]]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Replace every record too large for a message by a reference to a payload row; drop unreferenced payloads.

    The reference carries the record's fingerprint, so a changed record is still a changed reference.
    """
    existing = {obj.key for obj in state.iter_objects(PAYLOAD_KIND)}
    wanted: dict[str, SyncObject] = {}
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for key, parts in records.items():
        out[key] = {}
        for kind, desired in parts.items():
            if _size(desired) <= INLINE_LIMIT:
                out[key][kind] = desired
                continue
            stamp = fingerprint(desired)
            wanted[stamp] = SyncObject(kind=PAYLOAD_KIND, key=stamp, data={"desired": desired}, status="active")
            label: dict[str, Any] = {k: desired[k] for k in ("org", "name", "entityType", "collection") if k in desired}
            out[key][kind] = {PAYLOAD_KEY: stamp, **label}
    new = [obj for stamp, obj in wanted.items() if stamp not in existing]
    if new:
        upsert(state, new)
    unused = existing - set(wanted)
    if unused:
        remove(state, PAYLOAD_KIND, unused)
    return out


def load_payloads(state: StateStore, stamps: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The full records behind payload references (missing ones were superseded by a newer cycle)."""
    found = read_rows(state, PAYLOAD_KIND, stamps)
    return {stamp: dict(obj.data.get("desired") or {}) for stamp, obj in found.items()}
