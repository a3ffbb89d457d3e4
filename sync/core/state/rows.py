"""How state is laid out in Table Storage rows: keys any string can become, JSON split across properties.

Table Storage forbids slashes, `#`, `?` and control characters in PartitionKey/RowKey and caps keys at 1 KiB of
UTF-16 (512 code units — Azurite checks exactly that); a string property holds at most 32K code units. The
helpers here hide both limits, so features can key state by whatever identifies their objects (qualifiedNames,
GUIDs, entity type paths), however long and whatever characters they contain: the full value is always kept in
the row itself (`Key`), and the row key is only its address.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sync.core import clock

if TYPE_CHECKING:
    from sync.core.state.leases import HeldLease

from sync.core.telemetry import current_run

MAX_PROPERTY_CHARS = 30_000
MAX_KEY_UNITS = 512
"""PartitionKey/RowKey limit in UTF-16 code units (1 KiB): Azure's documented size, Azurite's check."""
MAX_KEY_TEXT_CHARS = 16_000
"""Longest `Key` property part (code points; at most 32K UTF-16 units even if every one is astral)."""
MAX_FILTER_KEYS = 14
"""Azure Table filters allow at most 15 comparisons; one is the PartitionKey."""
MAX_TRANSACTION = 100
"""Azure Table entity-group transactions hold at most 100 operations (same partition)."""
_FORBIDDEN_KEY_CHARS = re.compile(r"[/\\#?%\x00-\x1f\x7f-\x9f\ud800-\udfff]")
HASH_MARK = "%~"
"""Separates a long key's readable prefix from its hash. Escaping never produces it (every `%` it writes is
followed by hex digits), so a hashed key can never equal the escaped form of another string."""
_DIGEST_CHARS = 32


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _prefix_within(text: str, units: int) -> str:
    """The longest prefix of `text` that fits in `units` UTF-16 code units (never half a surrogate pair)."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > units:
            return text[:index]
    return text


def encode_key(key: str) -> str:
    """A Table Storage PartitionKey/RowKey for any string: forbidden characters escaped, long keys hashed.

    Escaping (rather than hashing everything) keeps keys readable in Storage Explorer. A key whose escaped form
    exceeds 512 UTF-16 code units keeps a readable prefix followed by `%~` and 128 bits of its SHA-256; the full
    value stays in the row (`SyncObject.key`).
    """
    encoded = _FORBIDDEN_KEY_CHARS.sub(lambda m: f"%{ord(m.group()):02X}", key)
    if _utf16_units(encoded) <= MAX_KEY_UNITS:
        return encoded
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:_DIGEST_CHARS]
    prefix = _prefix_within(encoded, MAX_KEY_UNITS - len(HASH_MARK) - _DIGEST_CHARS)
    return f"{prefix}{HASH_MARK}{digest}"


def fingerprint(value: Any) -> str:
    """Stable short hash of JSON-able data: equal desired states give equal fingerprints."""
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:24]


def now() -> datetime:
    """The current time (UTC) of the app's clock (sync/core/clock.py)."""
    return clock.now()


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """Consecutive slices of at most `size` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def quoted(value: str) -> str:
    """A value inside a single-quoted OData string literal."""
    return value.replace("'", "''")


def put_text(entity: dict[str, Any], name: str, text: str, *, size: int = MAX_PROPERTY_CHARS) -> None:
    """Store text in one or more string properties (`<name>`, `<name>_1`, … and `<name>_parts`)."""
    parts = [text[i : i + size] for i in range(0, len(text), size)] or [""]
    entity[name] = parts[0]
    entity[f"{name}_parts"] = len(parts)
    for index, part in enumerate(parts[1:], start=1):
        entity[f"{name}_{index}"] = part


def get_text(entity: dict[str, Any], name: str) -> str | None:
    """Text written by `put_text` (None when absent)."""
    if name not in entity:
        return None
    count = int(entity.get(f"{name}_parts", 1))
    return str(entity[name]) + "".join(str(entity.get(f"{name}_{i}", "")) for i in range(1, count))


def put_json(entity: dict[str, Any], name: str, value: Any) -> None:
    """Store JSON (ASCII, so characters = UTF-16 units) in string properties of at most 32K characters."""
    put_text(entity, name, json.dumps(value, separators=(",", ":"), default=str))


def get_json(entity: dict[str, Any], name: str, default: Any) -> Any:
    """Read JSON written by `put_json` (default when absent)."""
    text = get_text(entity, name)
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
    holder: HeldLease | None = field(default=None, repr=False, compare=False)
    """The lease this invocation holds on the row, if any: writes of a leased row go through it."""

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
            "Fingerprint": self.fingerprint,
            "Status": self.status,
            "LastRunId": self.last_run_id,
            "PreviousRunId": self.previous_run_id,
            "LeaseOwner": self.lease_owner,
            "UpdatedAt": (self.updated_at or now()).isoformat(),
        }
        if self.lease_until is not None:
            entity["LeaseUntil"] = self.lease_until.isoformat()
        put_text(entity, "Key", self.key, size=MAX_KEY_TEXT_CHARS)
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
            key=get_text(entity, "Key") or str(entity["RowKey"]),
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
