"""Assembling lineage nodes into bulk-upsert payloads with placeholder GUIDs.

Purview resolves a negative placeholder GUID only within the request that defines it, so every reference to an
entity in the same request uses its placeholder and every other reference names the entity by typeName +
qualifiedName. Nodes are merged by identity: the same Cluedin Entity (or Cluedin Dataset stub) requested by ten
records is sent once. Units (the nodes of one record) are never split across requests: each unit carries the stubs
it needs, so a chunk is always self-contained.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sync.features.lineage.graph import Node, Ref
from sync.services.purview.client import MAX_ENTITIES_PER_CALL, MutationResult

DEFAULT_MAX_ENTITIES = MAX_ENTITIES_PER_CALL
"""Largest bulk call the app sends (see MAX_ENTITIES_PER_CALL; reference purview-datamap.md §3.2)."""


class Batch:
    """The entities of one bulk call."""

    def __init__(self) -> None:
        self.nodes: dict[Ref, Node] = {}

    def __len__(self) -> int:
        return len(self.nodes)

    def add(self, nodes: Iterable[Node]) -> None:
        """Merge nodes in: a full node replaces a stub of the same entity; two full nodes merge attributes."""
        for node in nodes:
            current = self.nodes.get(node.ref)
            if current is None or (current.stub and not node.stub):
                self.nodes[node.ref] = node
            elif not node.stub:
                current.attributes.update(node.attributes)
                current.inputs = node.inputs if node.inputs is not None else current.inputs
                current.outputs = node.outputs if node.outputs is not None else current.outputs
                current.parent = node.parent or current.parent

    def size_with(self, nodes: Sequence[Node]) -> int:
        """How many entities the batch would hold after adding `nodes`."""
        return len(self.nodes) + sum(1 for n in {n.ref for n in nodes} if n not in self.nodes)

    def placeholders(self) -> dict[Ref, str]:
        """Placeholder GUID of every node, deterministic in insertion order ("-1", "-2", ...)."""
        return {ref: str(-(index + 1)) for index, ref in enumerate(self.nodes)}

    def payload(self) -> list[dict[str, Any]]:
        """The `entities` array of the bulk request."""
        guids = self.placeholders()

        def reference(ref: Ref) -> dict[str, Any]:
            if ref in guids:
                return {"guid": guids[ref], "typeName": ref[0]}
            return {"typeName": ref[0], "uniqueAttributes": {"qualifiedName": ref[1]}}

        entities = []
        for ref, node in self.nodes.items():
            attributes: dict[str, Any] = {"qualifiedName": node.qualified_name, **node.attributes}
            if node.inputs is not None:
                attributes["inputs"] = [reference(r) for r in node.inputs]
            if node.outputs is not None:
                attributes["outputs"] = [reference(r) for r in node.outputs]
            entity: dict[str, Any] = {"typeName": node.type_name, "guid": guids[ref], "attributes": attributes}
            if node.parent is not None:
                name, parent = node.parent
                entity["relationshipAttributes"] = {name: reference(parent)}
            entities.append(entity)
        return entities

    def external_references(self) -> set[Ref]:
        """References to entities outside the batch (source assets): what a 'not found' error can be about."""
        refs: set[Ref] = set()
        for node in self.nodes.values():
            for ref in [*(node.inputs or []), *(node.outputs or []), *([node.parent[1]] if node.parent else [])]:
                if ref not in self.nodes:
                    refs.add(ref)
        return refs

    def resolve(self, result: MutationResult) -> dict[Ref, str]:
        """Real GUIDs of the batch's entities, from `guidAssignments`, else from the mutated-entity headers.

        An entity Purview left unchanged may appear in neither; the caller keeps the guid it knew.
        """
        guids: dict[Ref, str] = {}
        for ref, placeholder in self.placeholders().items():
            real = result.guid_assignments.get(placeholder)
            if real:
                guids[ref] = real
        for (type_name, qualified_name), guid in result.guid_by_qualified_name().items():
            guids.setdefault((type_name, qualified_name), guid)
        return guids


def split_unit(unit: Sequence[Node], max_entities: int = DEFAULT_MAX_ENTITIES) -> list[list[Node]]:
    """A unit too large for one bulk call as consecutive slices: every non-column node first, then its columns.

    Columns in a later slice name their parent by typeName + qualifiedName, and the parent was written by an earlier
    slice of the same message (slices are sent in order), so each slice resolves. Only a node with more columns
    than one call holds (an entity type with thousands of keys, the processing pipeline of a large estate) needs it.
    """
    if len({n.ref for n in unit}) <= max_entities:
        return [list(unit)]
    ordered = [n for n in unit if n.parent is None] + [n for n in unit if n.parent is not None]
    return [ordered[i : i + max_entities] for i in range(0, len(ordered), max_entities)]


def pack(units: Iterable[Sequence[Node]], *, max_entities: int = DEFAULT_MAX_ENTITIES) -> list[Batch]:
    """Pack units into as few batches as the size limit allows, never splitting a unit that fits in one."""
    batches: list[Batch] = []
    current = Batch()
    for whole in units:
        for unit in split_unit(whole, max_entities):
            if len(current) and current.size_with(unit) > max_entities:
                batches.append(current)
                current = Batch()
            current.add(unit)
    if len(current):
        batches.append(current)
    return batches
