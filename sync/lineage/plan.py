"""The lineage planner: desired records vs state → changes, ordered so that bulk calls stay full and local.

Changes come out grouped by entity type: an entity type's own change first, then every data set mapped to it
(its dataset, ingest and map records next to each other), then data sets mapped to nothing, then deletions.
Messages are packed from consecutive changes, so one message — one bulk call — mostly holds data sets of one
entity type and the Cluedin Entity they share is written once per call. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sync.lineage.model import DATASET, ENTITY, INGEST, MAP, row_key, split_key
from sync.messages import Change, ChangeKind
from sync.state import SyncObject, fingerprint

DELETE_ORDER = {MAP: 0, INGEST: 1, DATASET: 2, ENTITY: 3}


def _summary(kind: ChangeKind, key: str, desired: Mapping[str, Any], obj: SyncObject | None) -> str:
    row_kind, ident = split_key(key)
    label = str(desired.get("name") or (obj.data.get("name") if obj else "") or ident)
    verb = {ChangeKind.CREATE: "create", ChangeKind.UPDATE: "update", ChangeKind.DELETE: "remove"}[kind]
    what = {
        DATASET: f"Cluedin Dataset '{label}'",
        INGEST: f"Ingest Data process of '{label}'",
        MAP: f"Map to Entity process of '{label}'",
        ENTITY: f"Cluedin Entity '{ident}'",
    }[row_kind]
    return f"{verb} {what}"


def plan_lineage(
    snapshot: Mapping[str, dict[str, Any]],
    state: Mapping[str, SyncObject],
    *,
    feature: str,
    object_kind: str,
) -> list[Change]:
    """Changes that make Purview match `snapshot` (see the module docstring for their order)."""

    def change(kind: ChangeKind, key: str, desired: dict[str, Any]) -> Change:
        return Change(
            feature=feature,
            object_kind=object_kind,
            key=key,
            kind=kind,
            desired=desired,
            fingerprint=fingerprint(desired) if kind != ChangeKind.DELETE else "",
            summary=_summary(kind, key, desired, state.get(key)),
        )

    def upsert(key: str) -> Change | None:
        desired = snapshot[key]
        obj = state.get(key)
        if obj is None:
            return change(ChangeKind.CREATE, key, desired)
        if obj.fingerprint != fingerprint(desired) or not obj.active:
            return change(ChangeKind.UPDATE, key, desired)
        return None

    data_sets_by_type: dict[str, list[str]] = {}
    for key in snapshot:
        kind, ident = split_key(key)
        if kind == DATASET:
            group = str(snapshot.get(row_key(MAP, ident), {}).get("entityType") or "")
            data_sets_by_type.setdefault(group, []).append(ident)
    entity_types = sorted({split_key(k)[1] for k in snapshot if split_key(k)[0] == ENTITY} | set(data_sets_by_type))

    changes: list[Change] = []
    for entity_type in [t for t in entity_types if t] + [""]:
        candidates = [row_key(ENTITY, entity_type)] if entity_type else []
        for ident in sorted(data_sets_by_type.get(entity_type, [])):
            candidates += [row_key(DATASET, ident), row_key(INGEST, ident), row_key(MAP, ident)]
        for key in candidates:
            if key in snapshot:
                planned = upsert(key)
                if planned is not None:
                    changes.append(planned)

    gone = [key for key, obj in state.items() if key not in snapshot and obj.active]
    for key in sorted(gone, key=lambda k: (DELETE_ORDER[split_key(k)[0]], k)):
        obj = state[key]
        changes.append(change(ChangeKind.DELETE, key, {"name": str(obj.data.get("name") or "")}))
    return changes
