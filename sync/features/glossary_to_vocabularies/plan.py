"""F6's planner: the selected terms → vocabularies and keys, named once for good, three-way checked. Pure.

A vocabulary's key prefix and a key's name are its identity in CluedIn (mappings and golden records refer to
`<prefix>.<key>`), and CluedIn cannot change a prefix after creation. So both are decided when the object is first
planned and kept in state from then on: renaming the term in Purview renames the vocabulary (or the key's display
name), never its prefix. Two terms whose names reduce to the same prefix (or key name in one vocabulary) are told
apart by a short suffix from the term's guid, so the result does not depend on the order terms are read.

The plan walks (key, desired, row) pairs in storage order (`select.py`'s key layout): every vocabulary first —
held, since a prefix must differ from every other vocabulary's — then one vocabulary's keys at a time, since a
key's name must differ only from its siblings'. So a large glossary's keys and rows are never held at once. The
whole-mapping `plan_vocabularies` (targeted runs, rollback, tests) sorts its two mappings and walks them the same
way: one decision procedure for both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from sync.core.diff import merge_ordered, storage_order
from sync.core.messages import Change, ChangeKind
from sync.core.state import SyncObject
from sync.core.twoway import (
    ConflictPolicy,
    MakePair,
    PairSpec,
    Planned,
    StreamedPlan,
    TwoSided,
    plan_pair,
    two_sided,
)
from sync.features.glossary_to_vocabularies.migrate import moved_key
from sync.features.glossary_to_vocabularies.select import (
    LEGACY_KEY,
    child_guid,
    is_vocabulary,
    key_group,
    vocabulary_key,
)

VOCABULARY_FIELDS = ("vocabularyName", "description")
KEY_FIELDS = ("displayName", "dataType", "description")

Pair = tuple[str, dict[str, Any] | None, SyncObject | None]


def target_id(row: SyncObject) -> str | None:
    """The CluedIn id a row records: the vocabulary's, or the key's."""
    field = "vocabularyId" if is_vocabulary(row.key) else "vocabularyKeyId"
    return str(row.target.get(field) or "") or None


def vocabulary_spec() -> PairSpec:
    """How the shared two-sided planner sees F6's objects."""
    return PairSpec(
        fields=lambda key: VOCABULARY_FIELDS if is_vocabulary(key) else KEY_FIELDS,
        target_id=target_id,
        label=lambda key, entry: str(entry.get("label") or key),
        target_side="CluedIn",
    )


def name_vocabularies(pairs: list[Pair]) -> dict[str, dict[str, Any]]:
    """Each desired vocabulary's entry with its key prefix: the one in state, else a new one unlike any row's."""
    prefixes = {
        str(row.target["keyPrefix"]).lower(): key
        for key, _, row in pairs
        if row is not None and row.target.get("keyPrefix")
    }
    named: dict[str, dict[str, Any]] = {}
    for key, entry, row in pairs:
        if entry is None:
            continue
        prefix = str(row.target.get("keyPrefix") or "") if row is not None else ""
        if not prefix:
            prefix = f"{entry['prefix']}.{entry['segment']}"
            if prefixes.get(prefix.lower(), key) != key:
                prefix = f"{prefix}_{key.partition('|')[2][:6]}"
            prefixes[prefix.lower()] = key
        named[key] = {**entry, "key_prefix": prefix}
    return named


def name_keys(parent: dict[str, Any], members: list[Pair]) -> Iterator[Pair]:
    """One vocabulary's key pairs, each desired entry with its name (kept from state, else unlike its siblings')."""
    used = {
        str(row.target["name"]).lower(): key
        for key, entry, row in members
        if entry is not None and row is not None and row.target.get("name")
    }
    for key, entry, row in members:
        if entry is None:
            yield key, entry, row
            continue
        name = str(row.target.get("name") or "") if row is not None else ""
        if not name:
            name = str(entry["segment"])
            if used.get(name.lower(), key) != key:
                name = f"{name}_{child_guid(key)[:6]}"
            used[name.lower()] = key
        yield key, {**entry, "name": name, "key": f"{parent['key_prefix']}.{name}"}, row


def plan_vocabularies_ordered(
    pairs: Iterable[Pair], seen: TwoSided, policy: ConflictPolicy, make: MakePair
) -> StreamedPlan:
    """Creates, three-way updates and deletes from pairs in storage order.

    Each vocabulary's change comes just before its keys' (so they share a message), the others once every key
    was planned. Rows in the layout of before (`key|<child guid>`, moved by the feature's set-up) stand in for a
    desired key that has no row of its own, so a plan drawn before the move (a dry-run) is still right.
    """
    return StreamedPlan(lambda out: _Walk(seen, policy, make, out).changes(pairs))


class _Walk:
    """One walk over F6's pairs: every vocabulary held and named, then one vocabulary's keys at a time."""

    def __init__(self, seen: TwoSided, policy: ConflictPolicy, make: MakePair, out: StreamedPlan) -> None:
        self.seen, self.policy, self.make, self.out = seen, policy, make, out
        self.spec = vocabulary_spec()
        self.legacy: dict[str, SyncObject] = {}
        self.legacy_rows = 0
        self.vocabularies: list[Pair] = []
        self.named: dict[str, dict[str, Any]] | None = None
        self.held: dict[str, Change] = {}
        """Vocabulary upserts waiting for their first key."""
        self.group: list[Pair] = []

    def changes(self, pairs: Iterable[Pair]) -> Iterator[Change]:
        """The plan's changes, as the pairs come."""
        for key, entry, row in pairs:
            if key.startswith(LEGACY_KEY):
                self.legacy_rows += 1
                if row is not None and moved_key(row):
                    self.legacy[child_guid(key)] = row
            elif is_vocabulary(key):
                self.vocabularies.append((key, entry, row))
            else:
                if self.named is None:
                    yield from self._vocabularies()
                if self.group and key_group(self.group[0][0]) != key_group(key):
                    yield from self._keys()
                self.group.append((key, entry, row))
        if self.named is None:
            yield from self._vocabularies()
        yield from self._keys()
        yield from self.held.values()
        yield from self._legacy_gone()
        if self.legacy_rows:
            self.out.notes.append(
                f"{self.legacy_rows} vocabulary key rows are in the state layout of before; the next cycle's set-up "
                "moves them (this plan reads them where they are)"
            )

    def _decide(self, key: str, entry: dict[str, Any] | None, row: SyncObject | None) -> Change | None:
        return plan_pair(key, entry, row, seen=self.seen, spec=self.spec, policy=self.policy, make=self.make,
                         out=self.out)  # fmt: skip

    def _vocabularies(self) -> Iterator[Change]:
        """Name every vocabulary; deletions go now, upserts wait for their keys."""
        self.named = name_vocabularies(self.vocabularies)
        for key, _, row in self.vocabularies:
            change = self._decide(key, self.named.get(key), row)
            if change is not None and change.kind == ChangeKind.DELETE:
                yield change
            elif change is not None:
                self.held[key] = change
        self.vocabularies.clear()

    def _keys(self) -> Iterator[Change]:
        """One vocabulary's keys (after the vocabulary's own change, if any)."""
        if not self.group:
            return
        parent_key = vocabulary_key(key_group(self.group[0][0]))
        parent = (self.named or {}).get(parent_key)
        if parent_key in self.held:
            yield self.held.pop(parent_key)
        members: list[Pair]
        if parent is None:
            members = [(k, None, r) for k, _, r in self.group]
        else:  # a row of before stands in for its key before names are chosen: it holds the key's name
            with_rows = [(k, e, r if r is not None or e is None else self._legacy_row(k)) for k, e, r in self.group]
            members = list(name_keys(parent, with_rows))
        for key, entry, row in members:
            change = self._decide(key, entry, row)
            if change is not None:
                yield change
        self.group.clear()

    def _legacy_row(self, key: str) -> SyncObject | None:
        """The row of before (`key|<child guid>`) of a key under the same vocabulary, re-keyed; else None."""
        row = self.legacy.get(child_guid(key))
        if row is None or moved_key(row) != key:
            return None
        del self.legacy[child_guid(key)]
        return replace(row, key=key)

    def _legacy_gone(self) -> Iterator[Change]:
        """Rows of before that no desired key took: gone, as they will be once moved."""
        for row in self.legacy.values():
            key = str(moved_key(row))  # only rows that name their vocabulary are kept
            change = self._decide(key, None, replace(row, key=key))
            if change is not None:
                yield change


def plan_vocabularies(
    snapshot: Mapping[str, dict[str, Any]],
    state: Mapping[str, SyncObject],
    policy: ConflictPolicy,
    make: MakePair,
) -> Planned:
    """The same plan from whole mappings, each vocabulary before its keys, deletions last."""
    seen = two_sided(snapshot)
    desired = sorted(seen.items(), key=lambda item: storage_order(item[0]))
    rows = sorted(state.values(), key=lambda row: storage_order(row.key))
    streamed = plan_vocabularies_ordered(merge_ordered(desired, rows), seen, policy, make)
    planned = list(streamed)

    def order(change: Change) -> tuple[int, str, int, str]:
        level = 1 if is_vocabulary(change.key) else 2
        return (int(change.kind == ChangeKind.DELETE), str(change.desired.get("group") or ""), level, change.key)

    return Planned(sorted(planned, key=order), conflicts=streamed.conflicts, notes=streamed.notes)
