"""Lineage records too large for a queue message travel beside it as state rows (claim check).

A queue message holds 48 KB, but a data set can have 490 columns and an entity type thousands of vocabulary keys.
Planning stores such a record as a payload row keyed by its fingerprint and puts a small reference in the
message; the applier loads the rows back. Keying by fingerprint makes a redelivered message find its payload
again, and a changed record is a new key, so it still shows as a changed change.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sync.core.messages import Change
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


class Offloader:
    """Offloads records one change at a time, as an ordered plan goes (only reads state).

    Payload rows that do not exist yet are kept until a change referring to them is about to be sent
    (`write_for`), so only the payloads of changes still in flight are held; after the last record, `unused` is
    what no record refers to any more.
    """

    def __init__(self, state: StateStore) -> None:
        self.state = state
        self.existing = {obj.key for obj in state.iter_objects(PAYLOAD_KIND, fields=())}
        self.wanted: set[str] = set()
        self.new: dict[str, SyncObject] = {}

    def offload(self, parts: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """A change's records with every one too large for a message replaced by a reference to its payload row.

        The reference carries the record's fingerprint, so a changed record is still a changed reference.
        """
        out: dict[str, dict[str, Any]] = {}
        for kind, desired in parts.items():
            if _size(desired) <= INLINE_LIMIT:
                out[kind] = desired
                continue
            stamp = fingerprint(desired)
            self.wanted.add(stamp)
            if stamp not in self.existing:
                self.new[stamp] = SyncObject(kind=PAYLOAD_KIND, key=stamp, data={"desired": desired}, status="active")
            label: dict[str, Any] = {k: desired[k] for k in ("org", "name", "entityType", "collection") if k in desired}
            out[kind] = {PAYLOAD_KEY: stamp, **label}
        return out

    def write_for(self, changes: Sequence[Change]) -> None:
        """Write the new payload rows these changes refer to (just before they are sent)."""
        stamps = {
            str(p[PAYLOAD_KEY]) for c in changes for p in (c.desired.get("parts") or {}).values() if PAYLOAD_KEY in p
        }
        rows = [self.new.pop(stamp) for stamp in sorted(stamps) if stamp in self.new]
        if rows:
            self.state.upsert_many(rows)
        self.existing |= {row.key for row in rows}

    @property
    def unused(self) -> set[str]:
        """Payload rows no record refers to (complete once every record was offloaded)."""
        return self.existing - self.wanted

    def drop_unused(self) -> None:
        """Remove payload rows nothing refers to any more (after the messages are sent)."""
        if self.unused:
            self.state.remove_many(PAYLOAD_KIND, self.unused)


def offload(state: StateStore, records: dict[str, dict[str, dict[str, Any]]]) -> Offloaded:
    """Every record too large for a message replaced by a reference to a payload row (only reads state)."""
    offloader = Offloader(state)
    out = {key: offloader.offload(parts) for key, parts in records.items()}
    return Offloaded(out, list(offloader.new.values()), offloader.unused)


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
