"""Durable state in Azure Table Storage: what the app synced, what it last wrote, cursors (docs/state.md).

Tables (prefix from SYNC_TABLE_PREFIX, default `sync`):

| Table | PartitionKey | RowKey | Holds |
|---|---|---|---|
| `<p>Objects` | object kind | the object's deterministic key | source/target ids, fingerprint, status, lease |
| `<p>Cursors` | feature | cursor name | a watermark (JSON) |
| `<p>Runs`, `<p>RunChanges` | see `sync/core/state/runs.py` | | run reports and change outcomes |
| `<p>Budgets` | see `sync/core/state/budgets.py` | | each service's capacity shared by all instances |

The named write operations are the only ways state is written:

- `save` — one row, guarded by the ETag it was read with (insert-if-absent when new);
- `lease` / `leased` / `release` — a renewed, fenced lease on one row while one invocation works on its object
  (`sync/core/state/leases.py`); `save` of a leased row goes through its lease;
- `read_many` + `commit_many` — many rows of one kind read at once and written back in entity-group transactions
  guarded by the ETags read (bulk writers such as lineage cannot afford a lease per object);
- `upsert_many` / `remove_many` — unguarded, for caches only one writer fills;
- `set_cursor` — a watermark, guarded by its ETag;
- `budgets.read` + `budgets.swap` — a service's capacity ledger, swapped whole under its ETag.

Every Azure SDK error leaves the store as the app's typed error naming "state storage" (sync/core/azure_errors.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from azure.data.tables import TableClient, TableServiceClient, TableTransactionError, UpdateMode

from sync.core import azure_multipart
from sync.core.azure_errors import STORAGE_SETTINGS, typed_azure_errors
from sync.core.errors import ContentionError
from sync.core.state.budgets import BudgetTable
from sync.core.state.leases import LeaseOperations
from sync.core.state.rows import (
    MAX_FILTER_KEYS,
    MAX_TRANSACTION,
    SyncObject,
    chunks,
    encode_key,
    get_json,
    now,
    put_json,
    quoted,
)
from sync.core.state.runs import RunLog

CONFLICT_STATUSES = frozenset({409, 412})
LIGHT_COLUMNS = (
    "PartitionKey",
    "RowKey",
    "Key",
    "Key_parts",
    "Fingerprint",
    "Status",
    "LastRunId",
    "UpdatedAt",
    "LeaseOwner",
)
"""The columns every planner reads; JSON parts (Source, Target, Data) only when asked for."""
typed = typed_azure_errors("state storage", STORAGE_SETTINGS)
azure_multipart.install()  # entity-group transactions prepare their parts without thread pools (see that module)


class StateStore(LeaseOperations):
    """The app's tables. Cheap to construct; `ensure_tables()` once per process creates them."""

    def __init__(self, service: TableServiceClient, prefix: str = "sync") -> None:
        self.service = service
        self.prefix = prefix
        self.objects: TableClient = service.get_table_client(f"{prefix}Objects")
        self.cursors: TableClient = service.get_table_client(f"{prefix}Cursors")
        self.runs = RunLog(service, prefix)
        self.budgets = BudgetTable(service, prefix)
        self.writes = 0

    @typed
    def ensure_tables(self) -> None:
        """Create the tables if they do not exist yet."""
        for table in (self.objects, self.cursors):
            self.service.create_table_if_not_exists(table.table_name)
        self.runs.ensure_tables()
        self.budgets.ensure_table()

    # --- objects --------------------------------------------------------------------------------------------------
    @typed
    def iter_objects(
        self,
        kind: str,
        *,
        fields: Collection[str] | None = None,
        page_size: int | None = None,
        key_prefix: str = "",
    ) -> Iterator[SyncObject]:
        """Every object of a kind (one partition scan, paged by the SDK), in row key order (`encode_key` of the key).

        `fields` limits the JSON parts read to those named (`source`, `target`, `data`; default: all): a planner
        that needs only fingerprints and a few ids does not decode, or hold, what appliers keep in rows.
        `page_size` caps the rows of one response (default: the service's 1,000): rows of hundreds of KB (packed
        caches) are then never held a thousand at a time. `key_prefix` reads only the keys that start with it (a
        row key range: escaping keeps a key's prefix the prefix of its row key).
        """
        pk = quoted(encode_key(kind))
        query = f"PartitionKey eq '{pk}'"
        if key_prefix:
            low = encode_key(key_prefix)
            high = low[:-1] + chr(ord(low[-1]) + 1)
            query += f" and RowKey ge '{quoted(low)}' and RowKey lt '{quoted(high)}'"
        select = None
        if fields is not None:
            select = [*LIGHT_COLUMNS]
            for name in fields:
                select += [name.capitalize(), f"{name.capitalize()}_parts"]
        pages = self.objects.query_entities(query, select=select, results_per_page=page_size)
        columns = ("Key", *(f.capitalize() for f in fields or ()))  # a key over 16,000 characters has parts too
        for row in pages:
            if select is not None and any(int(row.get(f"{name}_parts") or 1) > 1 for name in columns):
                row = self.objects.get_entity(row["PartitionKey"], row["RowKey"])  # noqa: PLW2901 - a large part
            yield SyncObject.from_entity(kind, row)

    @typed
    def has_objects(self, kind: str) -> bool:
        """Whether any object of a kind exists (one row asked for, its key only)."""
        pk = quoted(encode_key(kind))
        pages = self.objects.query_entities(f"PartitionKey eq '{pk}'", results_per_page=1, select=["RowKey"])
        return next(iter(pages), None) is not None

    @typed
    def get_object(self, kind: str, key: str) -> SyncObject | None:
        """One object, or None."""
        try:
            entity = self.objects.get_entity(encode_key(kind), encode_key(key))
        except ResourceNotFoundError:
            return None
        return SyncObject.from_entity(kind, entity)

    def save(self, obj: SyncObject) -> SyncObject:
        """Write an object, guarded by its ETag when it was read before (insert-if-absent otherwise).

        A row this invocation holds a lease on is written through the lease (which also extends it).

        Raises:
            ContentionError: someone else changed or created the row since it was read (or took the lease).
        """
        if obj.holder is not None:
            return obj.holder.write(obj)
        return self.write_row(obj)

    @typed
    def write_row(self, obj: SyncObject) -> SyncObject:
        """ETag-guarded write of one object, whatever lease it carries (leases and `save` use this)."""
        obj.updated_at = now()
        entity = obj.to_entity()
        try:
            if obj.etag is None:
                metadata = self.objects.create_entity(entity)
            else:
                metadata = self.objects.update_entity(
                    entity, mode=UpdateMode.REPLACE, etag=obj.etag, match_condition=MatchConditions.IfNotModified
                )
        except (ResourceExistsError, ResourceModifiedError) as exc:
            raise ContentionError(f"state row {obj.kind}/{obj.key} changed concurrently") from exc
        self.writes += 1
        obj.etag = metadata.get("etag")
        return obj

    @typed
    def renew_lease(self, obj: SyncObject, owner: str, until: datetime) -> str:
        """Extend a lease with a write of only its two columns, guarded by the row's ETag; the new ETag.

        Raises:
            ContentionError: the row changed since `obj` was read or written (the lease was taken over).
        """
        entity = {
            "PartitionKey": encode_key(obj.kind),
            "RowKey": encode_key(obj.key),
            "LeaseOwner": owner,
            "LeaseUntil": until.isoformat(),
        }
        try:
            metadata = self.objects.update_entity(
                entity, mode=UpdateMode.MERGE, etag=obj.etag, match_condition=MatchConditions.IfNotModified
            )
        except (ResourceModifiedError, ResourceNotFoundError) as exc:
            raise ContentionError(f"state row {obj.kind}/{obj.key} changed concurrently") from exc
        self.writes += 1
        return str(metadata.get("etag"))

    @typed
    def delete_object(self, kind: str, key: str) -> None:
        """Forget an object (idempotent)."""
        try:
            self.objects.delete_entity(encode_key(kind), encode_key(key))
        except ResourceNotFoundError:
            return
        self.writes += 1

    # --- many objects at once (no lease) --------------------------------------------------------------------------
    # The per-object lease (`claim` + `release`) costs three Table calls per object. The lineage sync writes
    # thousands of objects in a backfill, and measured on Azurite that made state, not Purview, the bottleneck
    # (~130 objects/s with leases vs ~450 objects/s batched; docs/decisions/0501-lineage-batches.md). So such a
    # message reads its rows with a few filtered queries and commits them in entity-group transactions guarded by
    # the ETags it read: the service writes in between are idempotent upserts, and if another invocation changed a
    # row meanwhile the whole commit fails, the message is redelivered, and the retry re-reads the rows (finding
    # the work done, or redoing it).

    @typed
    def read_many(self, kind: str, keys: Iterable[str]) -> dict[str, SyncObject]:
        """The existing objects among `keys` (one query per 14 keys), with the ETags `commit_many` is guarded by."""
        wanted = sorted(set(keys))
        found: dict[str, SyncObject] = {}
        partition = quoted(encode_key(kind))
        for chunk in chunks(wanted, MAX_FILTER_KEYS):
            clauses = " or ".join(f"RowKey eq '{quoted(encode_key(k))}'" for k in chunk)
            for entity in self.objects.query_entities(f"PartitionKey eq '{partition}' and ({clauses})"):
                obj = SyncObject.from_entity(kind, entity)
                found[obj.key] = obj
        return found

    def commit_many(self, save: Sequence[SyncObject], delete: Sequence[SyncObject] = ()) -> None:
        """Write and delete objects of one kind, each guarded by the ETag it was read with (none = must be new).

        Deleting an object that was never written (no ETag) is a no-op.

        Raises:
            ContentionError: an object changed since it was read (or a new one appeared); nothing of that chunk of
                100 operations was written.
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
        self.submit(self.objects, operations)

    def upsert_many(self, objects: Sequence[SyncObject]) -> None:
        """Write objects of one kind without a guard (caches only one writer fills, such as facts read from CluedIn)."""
        self.submit(self.objects, [("upsert", obj.to_entity(), {"mode": UpdateMode.REPLACE}) for obj in objects])

    def remove_many(self, kind: str, keys: Iterable[str]) -> None:
        """Delete objects without a guard (cache entries of things that no longer exist)."""
        partition = encode_key(kind)
        self.submit(
            self.objects, [("delete", {"PartitionKey": partition, "RowKey": encode_key(k)}) for k in sorted(set(keys))]
        )

    @typed
    def submit(self, table: TableClient, operations: list[tuple[Any, ...]]) -> None:
        """Run operations (of one partition) in transactions of at most 100.

        Raises:
            ContentionError: a guarded row changed concurrently; nothing of that transaction was written.
        """
        for chunk in chunks(operations, MAX_TRANSACTION):
            try:
                table.submit_transaction(list(chunk))
            except (TableTransactionError, ResourceExistsError, ResourceModifiedError) as exc:
                raise ContentionError(f"state rows changed concurrently ({type(exc).__name__})") from exc
            except HttpResponseError as exc:
                if exc.status_code in CONFLICT_STATUSES:
                    raise ContentionError(f"state rows changed concurrently ({exc.status_code})") from exc
                raise
            self.writes += len(chunk)

    # --- cursors --------------------------------------------------------------------------------------------------
    @typed
    def get_cursor(self, feature: str, name: str) -> tuple[Any, str | None]:
        """(value, etag) of a cursor; (None, None) when never set."""
        try:
            entity = self.cursors.get_entity(encode_key(feature), encode_key(name))
        except ResourceNotFoundError:
            return None, None
        return get_json(entity, "Value", None), entity.metadata.get("etag")

    @typed
    def set_cursor(self, feature: str, name: str, value: Any, *, etag: str | None) -> None:
        """Move a cursor, guarded by the ETag it was read with (None = it must not exist yet).

        Raises:
            ContentionError: the cursor moved since it was read.
        """
        entity: dict[str, Any] = {"PartitionKey": encode_key(feature), "RowKey": encode_key(name)}
        put_json(entity, "Value", value)
        try:
            if etag is None:
                self.cursors.create_entity(entity)
            else:
                self.cursors.update_entity(
                    entity, mode=UpdateMode.REPLACE, etag=etag, match_condition=MatchConditions.IfNotModified
                )
        except (ResourceExistsError, ResourceModifiedError) as exc:
            raise ContentionError(f"cursor {feature}/{name} moved concurrently") from exc
        self.writes += 1
