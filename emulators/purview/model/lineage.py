"""Lineage graphs computed from Process inputs/outputs and direct dataset-to-dataset links (AtlasLineageInfo).

Depth follows Atlas: from a dataset, one level is "the processes that produced (or consumed) it plus
their other ends"; from a process, its direct inputs/outputs are the first level. Relations always point
in data-flow direction (input -> process -> output), whichever way the graph was walked.
"""

from __future__ import annotations

from typing import Any

from emulators.purview import errors
from emulators.purview.model import entity_render
from emulators.purview.model.entities import Entity, EntityStore

INPUTS = "dataset_process_inputs"
OUTPUTS = "process_dataset_outputs"
DIRECT = "direct_lineage_dataset_dataset"
"""Purview's process-less lineage: `X.sinks = [Y]` (equivalently `Y.sources = [X]`) draws X -> Y."""
DIRECTIONS = ("INPUT", "OUTPUT", "BOTH")
DEFAULT_DEPTH = 3
DEFAULT_WIDTH = 10


class LineageService:
    """Walks the process/dataset graph kept by the entity store."""

    def __init__(self, store: EntityStore) -> None:
        self.store = store

    def _is_process(self, entity: Entity) -> bool:
        return self.store.types.is_a(entity.type_name, "Process")

    def _upstream(self, entity: Entity) -> list[tuple[str, str]]:
        """(neighbor guid, relationship guid) one step against the data flow."""
        if self._is_process(entity):
            return [
                (r.end2, r.guid)
                for r in self.store.attribute_relationships(entity.guid, "inputs")
                if r.type_name == INPUTS
            ]
        return [
            (r.end1, r.guid)
            for r in self.store.attribute_relationships(entity.guid, "outputFromProcesses")
            if r.type_name == OUTPUTS
        ] + [
            (r.end1, r.guid)
            for r in self.store.attribute_relationships(entity.guid, "sources")
            if r.type_name == DIRECT
        ]

    def _downstream(self, entity: Entity) -> list[tuple[str, str]]:
        """(neighbor guid, relationship guid) one step with the data flow."""
        if self._is_process(entity):
            return [
                (r.end2, r.guid)
                for r in self.store.attribute_relationships(entity.guid, "outputs")
                if r.type_name == OUTPUTS
            ]
        return [
            (r.end1, r.guid)
            for r in self.store.attribute_relationships(entity.guid, "inputToProcesses")
            if r.type_name == INPUTS
        ] + [
            (r.end2, r.guid) for r in self.store.attribute_relationships(entity.guid, "sinks") if r.type_name == DIRECT
        ]

    def get(self, guid: str, direction: str | None, depth: int | None, width: int | None = None) -> dict[str, Any]:
        """GET /atlas/v2/lineage/{guid}."""
        direction = _direction(direction)
        depth = DEFAULT_DEPTH if depth is None else depth
        if depth < 0:
            raise errors.INVALID_LINEAGE_PARAMS("depth", depth)
        base = self.store.require(guid)
        nodes: dict[str, Entity] = {base.guid: base}
        relations: dict[str, dict[str, str]] = {}
        width_counts: dict[str, dict[str, int]] = {}
        for walk in ("INPUT", "OUTPUT"):
            if direction not in (walk, "BOTH"):
                continue
            counts = width_counts.setdefault(walk, {})
            self._walk(base, walk, depth, nodes=nodes, relations=relations, counts=counts)
        return {
            "baseEntityGuid": base.guid,
            "lineageDirection": direction,
            "lineageDepth": depth,
            "lineageWidth": width if width is not None else DEFAULT_WIDTH,
            "childrenCount": -1,
            "includeParent": False,
            "guidEntityMap": {g: entity_render.lineage_header(self.store, e) for g, e in nodes.items()},
            "widthCounts": width_counts,
            "relations": list(relations.values()),
            "parentRelations": [],
        }

    def _walk(
        self,
        base: Entity,
        walk: str,
        depth: int,
        *,
        nodes: dict[str, Entity],
        relations: dict[str, dict[str, str]],
        counts: dict[str, int],
    ) -> None:
        step = self._upstream if walk == "INPUT" else self._downstream
        levels_left = {base.guid: depth}
        queue = [base.guid]
        while queue:
            current = self.store.entities[queue.pop(0)]
            neighbors = [(g, r) for g, r in step(current) if g in self.store.entities]
            counts[current.guid] = len(neighbors)
            left = levels_left[current.guid]
            # A process hop is free: the level is spent when stepping from a dataset into a process.
            cost = 0 if self._is_process(current) and current.guid != base.guid else 1
            if left - cost < 0:
                continue
            for neighbor, rel_guid in neighbors:
                source, target = (neighbor, current.guid) if walk == "INPUT" else (current.guid, neighbor)
                relations[rel_guid] = {"fromEntityId": source, "toEntityId": target, "relationshipId": rel_guid}
                remaining = left - cost
                if neighbor not in levels_left or levels_left[neighbor] < remaining:
                    levels_left[neighbor] = remaining
                    nodes[neighbor] = self.store.entities[neighbor]
                    queue.append(neighbor)

    def get_unique(
        self, type_name: str, qualified_name: str | None, direction: str | None, depth: int | None
    ) -> dict[str, Any]:
        """GET /atlas/v2/lineage/uniqueAttribute/type/{typeName}."""
        entity = self.store.require_unique(type_name, qualified_name)
        return self.get(entity.guid, direction, depth)

    def next_page(self, guid: str, direction: str | None, offset: int, limit: int) -> dict[str, Any]:
        """GET /lineage/{guid}/next: one page of the direct neighbours in a direction (`limit` < 0: all).

        `childrenCount` is the number of neighbours and `lineageWidth` the number on this page, as in
        the official example (limit 5, one neighbour: width 1, childrenCount 1).
        """
        direction = _direction(direction)
        base = self.store.require(guid)
        neighbors: list[tuple[str, str, str]] = []
        for walk, step in (("INPUT", self._upstream), ("OUTPUT", self._downstream)):
            if direction in (walk, "BOTH"):
                neighbors += [(walk, g, r) for g, r in step(base) if g in self.store.entities]
        start = max(offset, 0)
        window = neighbors[start:] if limit < 0 else neighbors[start : start + limit]
        nodes = {base.guid: base, **{g: self.store.entities[g] for _w, g, _r in window}}
        relations = [
            {
                "fromEntityId": g if w == "INPUT" else base.guid,
                "toEntityId": base.guid if w == "INPUT" else g,
                "relationshipId": r,
            }
            for w, g, r in window
        ]
        return {
            "baseEntityGuid": base.guid,
            "lineageDirection": direction,
            "lineageDepth": 1,
            "lineageWidth": len(window),
            "childrenCount": len(neighbors),
            "includeParent": False,
            "guidEntityMap": {g: entity_render.lineage_header(self.store, e) for g, e in nodes.items()},
            "widthCounts": {},
            "relations": relations,
            "parentRelations": [],
        }


def _direction(value: str | None) -> str:
    if value is None:
        raise errors.INVALID_LINEAGE_PARAMS("direction", "a direction (INPUT, OUTPUT or BOTH) is required")
    upper = value.upper()
    if upper not in DIRECTIONS:
        raise errors.INVALID_LINEAGE_PARAMS("direction", value)
    return upper
