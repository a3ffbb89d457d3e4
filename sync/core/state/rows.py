"""How state is laid out in Table Storage rows: keys any string can become, JSON split across properties.

Table Storage forbids slashes, `#`, `?` and control characters in PartitionKey/RowKey and caps keys (1 KiB in Azure,
512 characters in Azurite); a string property holds at most 32K characters. The helpers here hide both limits,
so features can key state by whatever identifies their objects (qualifiedNames, GUIDs, entity type paths).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sync.core.telemetry import current_run

MAX_PROPERTY_CHARS = 30_000
MAX_KEY_CHARS = 600
MAX_FILTER_KEYS = 14
"""Azure Table filters allow at most 15 comparisons; one is the PartitionKey."""
MAX_TRANSACTION = 100
"""Azure Table entity-group transactions hold at most 100 operations (same partition)."""
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


def now() -> datetime:
    """The current time (UTC)."""
    return datetime.now(UTC)


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """Consecutive slices of at most `size` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def quoted(value: str) -> str:
    """A value inside a single-quoted OData string literal."""
    return value.replace("'", "''")


def put_json(entity: dict[str, Any], name: str, value: Any) -> None:
    """Store JSON in one or more string properties (a Table string property holds at most 32K characters)."""
    text = json.dumps(value, separators=(",", ":"), default=str)
    parts = [text[i : i + MAX_PROPERTY_CHARS] for i in range(0, len(text), MAX_PROPERTY_CHARS)] or [""]
    entity[name] = parts[0]
    entity[f"{name}_parts"] = len(parts)
    for index, part in enumerate(parts[1:], start=1):
        entity[f"{name}_{index}"] = part


def get_json(entity: dict[str, Any], name: str, default: Any) -> Any:
    """Read JSON written by `put_json` (default when absent)."""
    if name not in entity:
        return default
    count = int(entity.get(f"{name}_parts", 1))
    text = str(entity[name]) + "".join(str(entity.get(f"{name}_{i}", "")) for i in range(1, count))
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
    previous_run_id: str = ""
    """The run that had written the row before `last_run_id` (what `rollback` of the last run restores)."""
    lease_owner: str = ""
    lease_until: datetime | None = None
    updated_at: datetime | None = None
    etag: str | None = None

    @property
    def active(self) -> bool:
        """Whether the object currently exists on the target side as far as the app knows."""
        return self.status == "active"

    def stamp(self) -> None:
        """Record the run in scope (if any) as the row's last writer, remembering the one before it.

        Every write goes through `to_entity`, so every row a run writes names it: DataHub-style provenance without
        a write of its own. A redelivered message of the same run changes nothing here.
        """
        scope = current_run()
        if scope is None or scope.run_id == self.last_run_id:
            return
        scope.previous.setdefault((self.kind, self.key), self.last_run_id)
        self.previous_run_id, self.last_run_id = self.last_run_id, scope.run_id

    def to_entity(self) -> dict[str, Any]:
        """Table entity form (stamped with the run in scope)."""
        self.stamp()
        entity: dict[str, Any] = {
            "PartitionKey": encode_key(self.kind),
            "RowKey": encode_key(self.key),
            "Key": self.key,
            "Fingerprint": self.fingerprint,
            "Status": self.status,
            "LastRunId": self.last_run_id,
            "PreviousRunId": self.previous_run_id,
            "LeaseOwner": self.lease_owner,
            "UpdatedAt": (self.updated_at or now()).isoformat(),
        }
        if self.lease_until is not None:
            entity["LeaseUntil"] = self.lease_until.isoformat()
        put_json(entity, "Source", self.source)
        put_json(entity, "Target", self.target)
        put_json(entity, "Data", self.data)
        return entity

    @classmethod
    def from_entity(cls, kind: str, entity: dict[str, Any]) -> SyncObject:
        """Parse a Table entity."""
        lease = entity.get("LeaseUntil")
        updated = entity.get("UpdatedAt")
        return cls(
            kind=kind,
            key=str(entity.get("Key", entity["RowKey"])),
            source=get_json(entity, "Source", {}),
            target=get_json(entity, "Target", {}),
            data=get_json(entity, "Data", {}),
            fingerprint=str(entity.get("Fingerprint", "")),
            status=str(entity.get("Status", "pending")),
            last_run_id=str(entity.get("LastRunId", "")),
            previous_run_id=str(entity.get("PreviousRunId", "")),
            lease_owner=str(entity.get("LeaseOwner", "")),
            lease_until=datetime.fromisoformat(lease) if lease else None,
            updated_at=datetime.fromisoformat(updated) if updated else None,
            etag=entity.metadata.get("etag") if hasattr(entity, "metadata") else None,
        )
