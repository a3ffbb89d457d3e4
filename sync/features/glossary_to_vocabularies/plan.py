"""F6's planner: the selected terms → vocabularies and keys, named once for good, three-way checked. Pure.

A vocabulary's key prefix and a key's name are its identity in CluedIn (mappings and golden records refer to
`<prefix>.<key>`), and CluedIn cannot change a prefix after creation. So both are decided when the object is first
planned and kept in state from then on: renaming the term in Purview renames the vocabulary (or the key's display
name), never its prefix. Two terms whose names reduce to the same prefix (or key name in one vocabulary) are told
apart by a short suffix from the term's guid, so the result does not depend on the order terms are read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sync.core.messages import Change, ChangeKind
from sync.core.state import SyncObject
from sync.core.twoway import ConflictPolicy, PairSpec, Planned, TwoSided, plan_pairs, two_sided

VOCABULARY_FIELDS = ("vocabularyName", "description")
KEY_FIELDS = ("displayName", "dataType", "description")


def _guid(key: str) -> str:
    return key.split("|", 1)[1]


def name_objects(snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject]) -> TwoSided:
    """The snapshot with each vocabulary's key prefix and each key's name and full key decided."""
    desired = two_sided(snapshot)
    named: dict[str, dict[str, Any]] = {}
    prefixes = {
        str(row.target["keyPrefix"]).lower(): key
        for key, row in state.items()
        if key.startswith("vocab|") and row.target.get("keyPrefix")
    }
    for key in sorted(k for k in desired if k.startswith("vocab|")):
        entry = desired[key]
        row = state.get(key)
        prefix = str(row.target.get("keyPrefix") or "") if row is not None else ""
        if not prefix:
            prefix = f"{entry['prefix']}.{entry['segment']}"
            if prefixes.get(prefix.lower(), key) != key:
                prefix = f"{prefix}_{_guid(key)[:6]}"
            prefixes[prefix.lower()] = key
        named[key] = {**entry, "key_prefix": prefix}
    used: dict[tuple[str, str], str] = {}
    keys = sorted(k for k in desired if k.startswith("key|"))
    for key in keys:
        row = state.get(key)
        if row is not None and row.target.get("name"):
            used[(str(desired[key]["parent"]), str(row.target["name"]).lower())] = key
    for key in keys:
        entry = desired[key]
        parent = named.get(str(entry["parent"]))
        if parent is None:
            continue
        row = state.get(key)
        name = str(row.target.get("name") or "") if row is not None else ""
        if not name:
            name = str(entry["segment"])
            if used.get((str(entry["parent"]), name.lower()), key) != key:
                name = f"{name}_{_guid(key)[:6]}"
            used[(str(entry["parent"]), name.lower())] = key
        named[key] = {**entry, "name": name, "key": f"{parent['key_prefix']}.{name}"}
    return TwoSided(named, observed=desired.observed, complete=desired.complete, context=desired.context)


def target_id(row: SyncObject) -> str | None:
    """The CluedIn id a row records: the vocabulary's, or the key's."""
    field = "vocabularyId" if row.key.startswith("vocab|") else "vocabularyKeyId"
    return str(row.target.get(field) or "") or None


def plan_vocabularies(
    snapshot: Mapping[str, dict[str, Any]],
    state: Mapping[str, SyncObject],
    policy: ConflictPolicy,
    make: Callable[[ChangeKind, str, dict[str, Any], str], Change],
) -> Planned:
    """Creates and three-way updates, each vocabulary before its keys; vanished terms are orphaned by the engine."""
    spec = PairSpec(
        fields=lambda key: VOCABULARY_FIELDS if key.startswith("vocab|") else KEY_FIELDS,
        target_id=target_id,
        label=lambda key, entry: str(entry.get("label") or key),
        target_side="CluedIn",
    )
    planned = plan_pairs(name_objects(snapshot, state), state, spec, policy, make)

    def order(change: Change) -> tuple[int, str, int, str]:
        level = 1 if change.key.startswith("vocab|") else 2
        return (int(change.kind == ChangeKind.DELETE), str(change.desired.get("group") or ""), level, change.key)

    return Planned(sorted(planned, key=order), conflicts=planned.conflicts, notes=planned.notes)
