"""Relationships between catalog entities (data product ↔ data asset, data product ↔ term, term ↔ term, ...).

One undirected edge store serves every `/…/{id}/relationships` route, so linking an asset from the data
product's side is visible from the asset's side (`entityType=DATAPRODUCT`) and can be removed from either
(pvw-cli's `data-asset remove-relationship` falls back to the data product route for exactly that reason).
Edges are indexed by both ends, keeping "list the assets of one product" proportional to that product.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from emulators.purview.unified import values

End = tuple[str, str]
"""(entity category, lower-case id), e.g. ("DATAPRODUCT", "6c0f…")."""
EdgeKey = tuple[End, End, str]


class RelationshipStore:
    """Edges keyed by their unordered ends and relationship type; at most one edge per key."""

    def __init__(self) -> None:
        self.edges: dict[EdgeKey, dict[str, Any]] = {}
        self.by_end: dict[End, dict[EdgeKey, None]] = {}

    @staticmethod
    def key(one: End, other: End, relationship_type: str) -> EdgeKey:
        """The edge key, independent of which end created it."""
        low, high = sorted((one, other))
        return low, high, relationship_type.lower()

    def find(self, owner: End, target: End, relationship_type: str) -> dict[str, Any] | None:
        """The edge between two ends with that type, if any."""
        return self.edges.get(self.key(owner, target, relationship_type))

    def add(self, owner: End, target: End, fields: dict[str, Any], principal: str) -> dict[str, Any]:
        """Store a new edge (the caller has checked it does not exist); returns it."""
        stamp = values.now_iso()
        edge = {
            "owner": list(owner),
            "target": list(target),
            **fields,
            "systemData": {
                "createdAt": stamp,
                "createdBy": principal,
                "lastModifiedAt": stamp,
                "lastModifiedBy": principal,
            },
        }
        self._index(edge)
        return edge

    def _index(self, edge: dict[str, Any]) -> None:
        owner, target = _end(edge["owner"]), _end(edge["target"])
        key = self.key(owner, target, edge["relationshipType"])
        self.edges[key] = edge
        self.by_end.setdefault(owner, {})[key] = None
        self.by_end.setdefault(target, {})[key] = None

    def of(self, end: End, category: str | None = None) -> Iterator[tuple[End, dict[str, Any]]]:
        """(other end, edge) for every edge of `end`, optionally only those whose other end is `category`."""
        for key in list(self.by_end.get(end, {})):
            edge = self.edges[key]
            owner, target = _end(edge["owner"]), _end(edge["target"])
            other = target if owner == end else owner
            if category is None or other[0] == category:
                yield other, edge

    def remove(self, key: EdgeKey) -> None:
        """Drop one edge from the store and both indexes."""
        edge = self.edges.pop(key, None)
        if edge is None:
            return
        for end in (_end(edge["owner"]), _end(edge["target"])):
            keys = self.by_end.get(end)
            if keys is not None:
                keys.pop(key, None)
                if not keys:
                    del self.by_end[end]

    def remove_end(self, end: End) -> None:
        """Drop every edge touching `end` (its entity was deleted)."""
        for key in list(self.by_end.get(end, {})):
            self.remove(key)

    def count(self, end: End, category: str) -> int:
        """How many edges link `end` to entities of `category` (e.g. a product's asset count)."""
        return sum(1 for _ in self.of(end, category))

    def snapshot(self) -> list[dict[str, Any]]:
        """Every edge, in creation order."""
        return [dict(edge) for edge in self.edges.values()]

    def restore(self, edges: list[dict[str, Any]]) -> None:
        """Replace the store with edges from `snapshot`."""
        self.edges = {}
        self.by_end = {}
        for edge in edges:
            self._index(dict(edge))


def render(other: End, edge: dict[str, Any]) -> dict[str, Any]:
    """The relationship as one side sees it: the other end's id, type, description, systemData."""
    out: dict[str, Any] = {
        "entityId": other[1],
        "relationshipType": edge["relationshipType"],
        "description": edge.get("description", ""),
        "systemData": dict(edge["systemData"]),
    }
    if edge.get("assetId") is not None and _end(edge["target"]) == other:
        out["assetId"] = edge["assetId"]
    return out


def _end(raw: list[str] | tuple[str, str]) -> End:
    return str(raw[0]), str(raw[1])
