"""The lineage planner: desired records vs state → changes, ordered so that bulk calls stay full and local.

State has one row per data set (`dataset|<id>`: the Cluedin Dataset, its columns, and the data set's ingest and
map — or, in the pipeline shape, annotation — processes as parts of the row), one per entity type
(`entity|<type>`, with its Golden Record process as a part in the pipeline shape) and, in the pipeline shape, one
for the shared backbone (`backbone|processing-pipeline`). One row per data set rather than one per Purview object
keeps the backfill's state writes proportional to data sets, which matters because every queue message commits
its rows and records one outcome per change (docs/decisions/0501-lineage-batches.md).

One change per row carries whichever of its records differ from what was last written. Whatever must disappear on
its own is a DELETE change the engine's delete policy and mass-delete fail-safe see: a removed data set
(`dataset|<id>`), an entity type no data set maps to (`entity|<type>`), the backbone when nothing is mapped, and —
under `soft-delete` — a part whose record is no longer desired: a map process whose mapping was removed
(`map|<id>`), an ingest process whose source link was lost (`ingest|<id>`), an annotation part (`annotation|<id>`)
or a Golden Record process (`golden|<type>`). A change of lineage shape is exactly that: every mapped data set's
map part goes and its annotation part comes (or the reverse), one deletion per data set, so the fail-safe holds
back a switch of a large estate until it is raised for one cycle. Under `retain` parts are not deleted: the
owning row's change marks them orphaned instead (the engine can only mark rows, and they are parts of one).

Changes come out grouped by entity type: the backbone first, then each entity type's change followed by the data
sets mapped to it, then data sets mapped to nothing, then deletions. Messages are packed from consecutive changes,
so one message — one bulk call — mostly holds data sets of one entity type and the nodes they share are written
once per call. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from sync.core.messages import Change, ChangeKind
from sync.core.state import SyncObject, fingerprint
from sync.features.lineage.model import (
    ANNOTATION,
    BACKBONE,
    BACKBONE_ID,
    DATASET,
    ENTITY,
    GOLDEN,
    INGEST,
    MAP,
    PART_OWNERS,
    owner_row,
    row_key,
    split_key,
)

DELETE_ORDER = {MAP: 0, ANNOTATION: 0, INGEST: 1, GOLDEN: 2, DATASET: 3, ENTITY: 4, BACKBONE: 5}
SUB_PARTS = tuple(PART_OWNERS)
PARTS_OF = {owner: tuple(p for p, o in PART_OWNERS.items() if o == owner) for owner in set(PART_OWNERS.values())}
PART_LABELS = {
    INGEST: "Ingest Data",
    MAP: "Map to Entity",
    ANNOTATION: "Annotation, mapping and Generate Clue",
    GOLDEN: "Golden Record",
}


def part_state(row: SyncObject | None, kind: str) -> dict[str, Any]:
    """What a row says about one of its records ({} when never written)."""
    if row is None:
        return {}
    if kind not in PART_OWNERS:
        return {"fingerprint": row.fingerprint, "status": "active" if row.active else row.status}
    found: dict[str, Any] = (row.target.get("parts") or {}).get(kind) or {}
    return found


def _what(kind: str, ident: str, label: str) -> str:
    return {
        DATASET: f"Cluedin Dataset '{label}'",
        INGEST: f"Ingest Data process of '{label}'",
        MAP: f"Map to Entity process of '{label}'",
        ANNOTATION: f"Annotation, mapping and Generate Clue of '{label}'",
        ENTITY: f"Cluedin Entity '{ident}'",
        GOLDEN: f"Golden Record process of '{ident}'",
        BACKBONE: "Processing Pipeline, Process Entities and Processed Entities",
    }[kind]


def _summary(verb: ChangeKind, key: str, parts: Mapping[str, Any], orphans: list[str], label: str) -> str:
    row_kind, ident = split_key(key)
    text = f"{verb.value} {_what(row_kind, ident, label)}"
    extra = [PART_LABELS[p] for p in PARTS_OF.get(row_kind, ()) if p in parts]
    if extra:
        text += (" and its " if row_kind in parts else ": ") + " and ".join(extra)
    if orphans:
        text += "; keep " + " and ".join(PART_LABELS[p] for p in orphans) + " (orphaned, delete policy retain)"
    return text


class LineagePlanner:
    """One row's change at a time, deletions gathered for the end: what both the whole and the ordered plan do."""

    def __init__(self, *, feature: str, object_kind: str, retain: bool) -> None:
        self.feature, self.object_kind, self.retain = feature, object_kind, retain
        self.removals: list[tuple[str, str]] = []
        """(kind, id) of every record to delete: rows no longer desired and parts their owners no longer have."""

    def change(self, kind: ChangeKind, key: str, desired: dict[str, Any], summary: str) -> Change:
        """A lineage change (a deletion carries no fingerprint)."""
        return Change(
            feature=self.feature,
            object_kind=self.object_kind,
            key=key,
            kind=kind,
            desired=desired,
            fingerprint=fingerprint(desired) if kind != ChangeKind.DELETE else "",
            summary=summary,
        )

    def upsert(self, key: str, record: Mapping[str, dict[str, Any]], row: SyncObject | None) -> Change | None:
        """The change that writes whichever of a desired row's records differ from what was last written."""
        row_kind, ident = split_key(key)
        parts = {}
        for kind, desired in record.items():
            known = part_state(row, kind)
            if known.get("status") != "active" or known.get("fingerprint") != fingerprint(desired):
                parts[kind] = desired
        orphans: list[str] = []
        if row is not None:
            for kind in PARTS_OF.get(row_kind, ()):
                if kind not in record and part_state(row, kind).get("status") == "active":
                    if self.retain:
                        orphans.append(kind)
                    else:
                        self.removals.append((kind, ident))
        if not parts and not orphans:
            return None
        verb = ChangeKind.CREATE if row is None else ChangeKind.UPDATE
        label = str(next(iter(record.values())).get("name") or ident)
        desired = {"parts": parts, **({"orphan": orphans} if orphans else {})}
        return self.change(verb, key, desired, _summary(verb, key, parts, orphans, label))

    def gone(self, key: str, row: SyncObject) -> None:
        """A row whose object is no longer desired (deleted when it is live)."""
        if row.active:
            self.removals.append(split_key(key))

    def deletions(self, label_of: Callable[[str], str]) -> list[Change]:
        """Every deletion gathered, processes before the nodes they lead to (`label_of`: an owner row's name)."""
        changes = []
        for kind, ident in sorted(self.removals, key=lambda p: (DELETE_ORDER[p[0]], p[1])):
            label = label_of(owner_row(kind, ident))
            key = row_key(kind, ident)
            changes.append(self.change(ChangeKind.DELETE, key, {"name": label}, f"remove {_what(kind, ident, label)}"))
        return changes


def _name(row: SyncObject | None) -> str:
    return str(row.data.get("name") or "") if row is not None else ""


def mapped_type(key: str, record: Mapping[str, dict[str, Any]]) -> str:
    """The entity type a row's change goes with: a data set's mapped type, an entity row's own ('' for neither)."""
    kind, ident = split_key(key)
    if kind == ENTITY:
        return ident
    mapped = record.get(MAP) or record.get(ANNOTATION) or {}
    return str(mapped.get("entityType") or "") if kind == DATASET else ""


def plan_lineage(
    snapshot: Mapping[str, dict[str, dict[str, Any]]],
    state: Mapping[str, SyncObject],
    *,
    feature: str,
    object_kind: str,
    retain: bool = False,
) -> list[Change]:
    """Changes that make Purview match `snapshot` (records grouped as by `model.group_records`)."""
    planner = LineagePlanner(feature=feature, object_kind=object_kind, retain=retain)
    data_sets_by_type: dict[str, list[str]] = {}
    for key, record in snapshot.items():
        kind, ident = split_key(key)
        if kind == DATASET:
            data_sets_by_type.setdefault(mapped_type(key, record), []).append(ident)
    entity_types = {split_key(k)[1] for k in snapshot if split_key(k)[0] == ENTITY} | set(data_sets_by_type)

    keys = [row_key(BACKBONE, BACKBONE_ID)]
    for entity_type in [t for t in sorted(entity_types) if t] + [""]:
        keys += [row_key(ENTITY, entity_type)] if entity_type else []
        keys += [row_key(DATASET, ident) for ident in sorted(data_sets_by_type.get(entity_type, []))]
    changes = [
        planned for key in keys if key in snapshot and (planned := planner.upsert(key, snapshot[key], state.get(key)))
    ]
    for key, row in state.items():
        if key not in snapshot:
            planner.gone(key, row)
    return changes + planner.deletions(lambda key: _name(state.get(key)))


def plan_lineage_ordered(
    pairs: Iterable[tuple[str, dict[str, dict[str, Any]] | None, SyncObject | None]],
    *,
    feature: str,
    object_kind: str,
    retain: bool = False,
    window: int = 500,
) -> Iterator[Change]:
    """The same changes as `plan_lineage`, from rows and records paired in storage order, yielded as they come.

    Held at once: the changes of `window` consecutive rows, reordered as `plan_lineage` orders them (backbone,
    then per entity type its entity and its data sets, then unmapped data sets) so that a message still mostly
    holds data sets of one entity type; the deletions (few; yielded last, ordered as `plan_lineage` orders
    them); and the name of every row, which a deletion's summary may need.
    """
    planner = LineagePlanner(feature=feature, object_kind=object_kind, retain=retain)
    names: dict[str, str] = {}
    held: list[tuple[tuple[int, str, int, str], Change]] = []
    for key, record, row in pairs:
        if row is not None:
            names[key] = _name(row)
        if record is None:
            if row is not None:
                planner.gone(key, row)
            continue
        planned = planner.upsert(key, record, row)
        if planned is not None:
            kind = split_key(key)[0]
            entity_type = mapped_type(key, record)
            rank = 0 if kind == BACKBONE else (1 if entity_type else 2)
            held.append(((rank, entity_type, 0 if kind == ENTITY else 1, key), planned))
        if len(held) >= window:
            yield from (change for _, change in sorted(held, key=lambda h: h[0]))
            held = []
    yield from (change for _, change in sorted(held, key=lambda h: h[0]))
    yield from planner.deletions(lambda key: names.get(key, ""))
