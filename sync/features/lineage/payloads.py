"""Lineage records too large for a queue message travel beside it as state rows (claim check).

A queue message holds 48 KB, but a data set can have 490 columns and an entity type thousands of vocabulary keys.
Planning stores such a record as a payload row keyed by its fingerprint and puts a small reference in the
message; the applier loads the rows back. Keying by fingerprint makes a redelivered message find its payload
again, and a changed record is a new key, so it still shows as a changed change.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sync.core.state import StateStore, SyncObject, fingerprint

PAYLOAD_KIND = "lineage-payloads"
PAYLOAD_KEY = "$payload"
INLINE_LIMIT = 12_000
"""Records whose JSON is longer travel as a state row referenced from the message."""


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), default=str))


@dataclass
class Offloaded:
    """Records ready for messages, and the payload rows the engine writes around sending them."""

    records: dict[str, dict[str, dict[str, Any]]]
    new: list[SyncObject] = field(default_factory=list)
    """Payload rows the messages refer to that do not exist yet (written before the messages are sent)."""
    unused: set[str] = field(default_factory=set)
    """Payload rows nothing refers to any more (removed after sending)."""


def offload(state: StateStore, records: dict[str, dict[str, dict[str, Any]]]) -> Offloaded:
    """Replace every record too large for a message by a reference to a payload row (only reads state).

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
    return Offloaded(out, new, existing - set(wanted))


def write_payloads(state: StateStore, offloaded: Offloaded) -> None:
    """Write the new payload rows (before the messages that refer to them are sent)."""
    if offloaded.new:
        state.upsert_many(offloaded.new)


def drop_unused_payloads(state: StateStore, offloaded: Offloaded) -> None:
    """Remove payload rows nothing refers to any more (after the messages are sent)."""
    if offloaded.unused:
        state.remove_many(PAYLOAD_KIND, offloaded.unused)


def load_payloads(state: StateStore, stamps: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The full records behind payload references (missing ones were superseded by a newer cycle)."""
    found = state.read_many(PAYLOAD_KIND, stamps)
    return {stamp: dict(obj.data.get("desired") or {}) for stamp, obj in found.items()}
