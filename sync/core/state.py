"""Durable state in Azure Table Storage: what the app synced, what it last wrote, cursors, run reports.

Tables (prefix from SYNC_TABLE_PREFIX, default `sync`; details in docs/state.md):

| Table | PartitionKey | RowKey | Holds |
|---|---|---|---|
| `<p>Objects` | object kind | the object's deterministic key | source/target ids, fingerprint, status, lease |
| `<p>Cursors` | feature | cursor name | a watermark (JSON) |
| `<p>Runs` | feature | inverted start time + run id (newest first) | the run report (JSON) |
| `<p>RunChanges` | run id | change key | what applying that change did |

Two invocations can race on one object (a duplicated queue message, a redelivery while the first attempt still
runs). `claim()` takes a short lease on the object's row with an ETag-guarded write, so only one of them works
on the object at a time; the other gets a RetriableError and its message comes back later.

Features that write thousands of objects per message (lineage, polling) cannot afford a lease per object: they
read many rows at once (`read_many`) and commit them in transactions guarded by the ETags they read
(`commit_many`); the reasons and the measured cost are beside those methods.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from azure.data.tables import TableClient, TableServiceClient, TableTransactionError, UpdateMode

from sync.core.errors import RetriableError

MAX_PROPERTY_CHARS = 30_000
MAX_KEY_CHARS = 600
MAX_FILTER_KEYS = 14
"""Azure Table filters allow at most 15 comparisons; one is the PartitionKey."""
MAX_TRANSACTION = 100
"""Azure Table entity-group transactions hold at most 100 operations (same partition)."""
CONFLICT_STATUSES = frozenset({409, 412})
_FORBIDDEN_KEY_CHARS = re.compile(r"[/\\#?%\x00-\x1f\x7f-\x9f]")


def encode_key(key: str) -> str:
    """A Table Storage PartitionKey/RowKey for any string: forbidden characters escaped, long keys hashed.

    Escaping (rather than hashing everything) keeps keys readable in Storage Explorer.
    """
    encoded = _FORBIDDEN_KEY_CHARS.sub(lambda m: f"%{ord(m.group()):02X}", key)
    if len(encoded) > MAX_KEY_CHARS:
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        encoded = f"{encoded[: MAX_KEY_CHARS - 34]}~{digest}"
    return encoded


def fingerprint(value: Any) -> str:
    """Stable short hash of JSON-able data: equal desired states give equal fingerprints."""
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:24]


def _now() -> datetime:
    return datetime.now(UTC)


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _quoted(value: str) -> str:
    """A value inside a single-quoted OData string literal."""
    return value.replace("'", "''")


def _put_json(entity: dict[str, Any], name: str, value: Any) -> None:
    """Store JSON in one or more string properties (a Table string property holds at most 32K characters)."""
    text = json.dumps(value, separators=(",", ":"), default=str)
    chunks = [text[i : i + MAX_PROPERTY_CHARS] for i in range(0, len(text), MAX_PROPERTY_CHARS)] or [""]
    entity[name] = chunks[0]
    entity[f"{name}_parts"] = len(chunks)
    for index, chunk in enumerate(chunks[1:], start=1):
        entity[f"{name}_{index}"] = chunk


def _get_json(entity: dict[str, Any], name: str, default: Any) -> Any:
    if name not in entity:
        return default
    parts = int(entity.get(f"{name}_parts", 1))
    text = str(entity[name]) + "".join(str(entity.get(f"{name}_{i}", "")) for i in range(1, parts))
    return json.loads(text) if text else default


@dataclass
class SyncObject:
    """One synced object: its identity on both sides and what the app last wrote for it."""

    kind: str
    key: str
    source: dict[str, Any] = field(default_factory=dict)
    target: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    fingerprint: str = ""
    status: str = "pending"
    last_run_id: str = ""
    lease_owner: str = ""
    lease_until: datetime | None = None
    updated_at: datetime | None = None
    etag: str | None = None

    @property
    def active(self) -> bool:
        """Whether the object currently exists on the target side as far as the app knows."""
        return self.status == "active"

    def to_entity(self) -> dict[str, Any]:
        """Table entity form."""
        entity: dict[str, Any] = {
            "PartitionKey": encode_key(self.kind),
            "RowKey": encode_key(self.key),
            "Key": self.key,
            "Fingerprint": self.fingerprint,
            "Status": self.status,
            "LastRunId": self.last_run_id,
            "LeaseOwner": self.lease_owner,
            "UpdatedAt": (self.updated_at or _now()).isoformat(),
        }
        if self.lease_until is not None:
            entity["LeaseUntil"] = self.lease_until.isoformat()
        _put_json(entity, "Source", self.source)
        _put_json(entity, "Target", self.target)
        _put_json(entity, "Data", self.data)
        return entity

    @classmethod
    def from_entity(cls, kind: str, entity: dict[str, Any]) -> SyncObject:
        """Parse a Table entity."""
        lease = entity.get("LeaseUntil")
        updated = entity.get("UpdatedAt")
        return cls(
            kind=kind,
            key=str(entity.get("Key", entity["RowKey"])),
            source=_get_json(entity, "Source", {}),
            target=_get_json(entity, "Target", {}),
            data=_get_json(entity, "Data", {}),
            fingerprint=str(entity.get("Fingerprint", "")),
            status=str(entity.get("Status", "pending")),
            last_run_id=str(entity.get("LastRunId", "")),
            lease_owner=str(entity.get("LeaseOwner", "")),
            lease_until=datetime.fromisoformat(lease) if lease else None,
            updated_at=datetime.fromisoformat(updated) if updated else None,
            etag=entity.metadata.get("etag") if hasattr(entity, "metadata") else None,
        )


class StateStore:
    """The app's tables. Cheap to construct; `ensure_tables()` once per process creates them."""

    def __init__(self, service: TableServiceClient, prefix: str = "sync") -> None:
        self.service = service
        self.prefix = prefix
        self.objects: TableClient = service.get_table_client(f"{prefix}Objects")
        self.cursors: TableClient = service.get_table_client(f"{prefix}Cursors")
        self.runs: TableClient = service.get_table_client(f"{prefix}Runs")
        self.run_changes: TableClient = service.get_table_client(f"{prefix}RunChanges")
        self.writes = 0

    def ensure_tables(self) -> None:
        """Create the tables if they do not exist yet."""
        for table in (self.objects, self.cursors, self.runs, self.run_changes):
            self.service.create_table_if_not_exists(table.table_name)

    # --- objects --------------------------------------------------------------------------------------------------
    def iter_objects(self, kind: str) -> Iterator[SyncObject]:
        """Every object of a kind (one partition scan, paged by the SDK)."""
        pk = _quoted(encode_key(kind))
        for entity in self.objects.query_entities(f"PartitionKey eq '{pk}'"):
            yield SyncObject.from_entity(kind, entity)

    def get_object(self, kind: str, key: str) -> SyncObject | None:
        """One object, or None."""
        try:
            entity = self.objects.get_entity(encode_key(kind), encode_key(key))
        except ResourceNotFoundError:
            return None
        return SyncObject.from_entity(kind, entity)

    def save(self, obj: SyncObject) -> SyncObject:
        """Write an object, guarded by its ETag when it was read before (insert-if-absent otherwise).

        Raises:
            RetriableError: someone else changed or created the row since it was read.
        """
        obj.updated_at = _now()
        entity = obj.to_entity()
        try:
            if obj.etag is None:
                metadata = self.objects.create_entity(entity)
            else:
                metadata = self.objects.update_entity(
                    entity, mode=UpdateMode.REPLACE, etag=obj.etag, match_condition=MatchConditions.IfNotModified
                )
        except (ResourceExistsError, ResourceModifiedError) as exc:
            raise RetriableError(f"state row {obj.kind}/{obj.key} changed concurrently") from exc
        self.writes += 1
        obj.etag = metadata.get("etag")
        return obj

    def claim(self, kind: str, key: str, *, owner: str, lease_seconds: float = 90) -> SyncObject:
        """Lease an object's row for `owner` (e.g. a queue message id), creating the row if needed.

        A redelivered message has the same id, so it takes over its own lease at once after a crash; a duplicate
        message (another id) waits until the lease ends.
        """
        obj = self.get_object(kind, key) or SyncObject(kind=kind, key=key)
        now = _now()
        if obj.lease_until and obj.lease_until > now and obj.lease_owner not in ("", owner):
            wait = (obj.lease_until - now).total_seconds()
            raise RetriableError(f"{kind}/{key} is being applied by another invocation", retry_after=wait)
        obj.lease_owner = owner
        obj.lease_until = now + timedelta(seconds=lease_seconds)
        return self.save(obj)

    def release(self, obj: SyncObject) -> SyncObject:
        """Save the object's final state and drop the lease in the same write."""
        obj.lease_owner = ""
        obj.lease_until = None
        return self.save(obj)

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

    def read_many(self, kind: str, keys: Iterable[str]) -> dict[str, SyncObject]:
        """The existing objects among `keys` (one query per 14 keys), with the ETags `commit_many` is guarded by."""
        wanted = sorted(set(keys))
        found: dict[str, SyncObject] = {}
        partition = _quoted(encode_key(kind))
        for chunk in _chunks(wanted, MAX_FILTER_KEYS):
            clauses = " or ".join(f"RowKey eq '{_quoted(encode_key(k))}'" for k in chunk)
            for entity in self.objects.query_entities(f"PartitionKey eq '{partition}' and ({clauses})"):
                obj = SyncObject.from_entity(kind, entity)
                found[obj.key] = obj
        return found

    def commit_many(self, save: Sequence[SyncObject], delete: Sequence[SyncObject] = ()) -> None:
        """Write and delete objects of one kind, each guarded by the ETag it was read with (none = must be new).

        Deleting an object that was never written (no ETag) is a no-op.

        Raises:
            RetriableError: an object changed since it was read (or a new one appeared); nothing of that chunk of
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
        self._submit(operations)

    def upsert_many(self, objects: Sequence[SyncObject]) -> None:
        """Write objects of one kind without a guard (caches only one writer fills, such as facts read from CluedIn)."""
        self._submit([("upsert", obj.to_entity(), {"mode": UpdateMode.REPLACE}) for obj in objects])

    def remove_many(self, kind: str, keys: Iterable[str]) -> None:
        """Delete objects without a guard (cache entries of things that no longer exist)."""
        partition = encode_key(kind)
        self._submit([("delete", {"PartitionKey": partition, "RowKey": encode_key(k)}) for k in sorted(set(keys))])

    def _submit(self, operations: list[tuple[Any, ...]], table: TableClient | None = None) -> None:
        for chunk in _chunks(operations, MAX_TRANSACTION):
            try:
                (table or self.objects).submit_transaction(list(chunk))
            except (TableTransactionError, ResourceExistsError, ResourceModifiedError) as exc:
                raise RetriableError(f"state rows changed concurrently ({type(exc).__name__})") from exc
            except HttpResponseError as exc:
                if exc.status_code in CONFLICT_STATUSES:
                    raise RetriableError(f"state rows changed concurrently ({exc.status_code})") from exc
                raise
            self.writes += len(chunk)

    # --- cursors --------------------------------------------------------------------------------------------------
    def get_cursor(self, feature: str, name: str) -> tuple[Any, str | None]:
        """(value, etag) of a cursor; (None, None) when never set."""
        try:
            entity = self.cursors.get_entity(encode_key(feature), encode_key(name))
        except ResourceNotFoundError:
            return None, None
        return _get_json(entity, "Value", None), entity.metadata.get("etag")

    def set_cursor(self, feature: str, name: str, value: Any, *, etag: str | None) -> None:
        """Move a cursor, guarded by the ETag it was read with (None = it must not exist yet)."""
        entity: dict[str, Any] = {"PartitionKey": encode_key(feature), "RowKey": encode_key(name)}
        _put_json(entity, "Value", value)
        try:
            if etag is None:
                self.cursors.create_entity(entity)
            else:
                self.cursors.update_entity(
                    entity, mode=UpdateMode.REPLACE, etag=etag, match_condition=MatchConditions.IfNotModified
                )
        except (ResourceExistsError, ResourceModifiedError) as exc:
            raise RetriableError(f"cursor {feature}/{name} moved concurrently") from exc
        self.writes += 1

    # --- runs -----------------------------------------------------------------------------------------------------
    def save_run(self, feature: str, run_id: str, started_at: datetime, report: dict[str, Any]) -> None:
        """Persist (or overwrite) a run report."""
        inverted = 10**13 - int(started_at.timestamp() * 1000)
        entity: dict[str, Any] = {
            "PartitionKey": encode_key(feature),
            "RowKey": f"{inverted:013d}-{run_id}",
            "RunId": run_id,
        }
        _put_json(entity, "Report", report)
        self.runs.upsert_entity(entity, mode=UpdateMode.REPLACE)
        self.writes += 1

    def list_runs(self, feature: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """The newest run reports of a feature."""
        pk = _quoted(encode_key(feature))
        out: list[dict[str, Any]] = []
        for entity in self.runs.query_entities(f"PartitionKey eq '{pk}'", results_per_page=limit):
            out.append(_get_json(entity, "Report", {}))
            if len(out) >= limit:
                break
        return out

    def find_run(self, run_id: str) -> dict[str, Any] | None:
        """A run report by id (a filtered scan; reports are few)."""
        safe = _quoted(run_id)
        for entity in self.runs.query_entities(f"RunId eq '{safe}'"):
            report: dict[str, Any] = _get_json(entity, "Report", {})
            return report
        return None

    def record_outcomes(self, run_id: str, outcomes: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Remember what applying each change of a message did, in one transaction (they share the run's partition).

        Upserts: a redelivered message overwrites its own rows. One round trip per message instead of one per change
        (a lineage message carries several data sets; per-change writes were ~30% of a backfill's apply time).
        """
        operations: list[tuple[Any, ...]] = []
        for change_key, outcome in outcomes:
            entity: dict[str, Any] = {"PartitionKey": encode_key(run_id), "RowKey": encode_key(change_key)}
            _put_json(entity, "Outcome", outcome)
            operations.append(("upsert", entity, {"mode": UpdateMode.REPLACE}))
        by_key = {op[1]["RowKey"]: op for op in operations}  # a key twice in one message: the last outcome wins
        self._submit(list(by_key.values()), table=self.run_changes)

    def iter_outcomes(self, run_id: str) -> Iterator[dict[str, Any]]:
        """Outcomes recorded for a run's changes."""
        pk = _quoted(encode_key(run_id))
        for entity in self.run_changes.query_entities(f"PartitionKey eq '{pk}'"):
            yield _get_json(entity, "Outcome", {})
