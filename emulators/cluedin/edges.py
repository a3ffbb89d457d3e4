"""Edges between golden records, as edge mappings on a data set's annotation produce them.

Processing stores on each golden record the edges its records carry (edge type, target entity type, the target's
origin and code value); the target is resolved when read: the golden record of the target entity type holding the
code `<type>#<origin>:<value>`, or, without an origin, any code of that type ending in `:<value>` **(guess: how
CluedIn matches edge codes it cannot find exactly; unresolved targets are "shadow" records it does not return)**.
An edge mapped with direction `Incoming` points from the target to the record instead.

Read by the data GraphQL `Entity.edges { outgoingOfType(entityType, edgeType) { entries } }` (CluedIn's GraphQL
documentation and Postman collection) and REST `GET entityedges?id=` (the shape the `cluedin-client` reads).
"""

from __future__ import annotations

from typing import Any

from emulators.cluedin.store import CluedInStore


def _target(store: CluedInStore, edge: dict[str, Any]) -> dict[str, Any] | None:
    entity_type = edge.get("entityType")
    suffix = f"#{edge['origin']}:{edge['value']}" if edge.get("origin") else f":{edge['value']}"
    for entity in store.entities.values():
        if entity_type and str(entity["entityType"]).lower() != str(entity_type).lower():
            continue
        if any(str(code).endswith(suffix) for code in entity["codes"]):
            return entity
    return None


def links(store: CluedInStore, entity: dict[str, Any]) -> list[dict[str, Any]]:
    """Every resolved edge touching `entity`: `{edgeType, direction, other, createdDate, properties}`."""
    found = []
    for edge in entity.get("outgoingEdges", []):
        other = _target(store, edge)
        if other is not None and other is not entity:
            direction = "Incoming" if edge["direction"] == "Incoming" else "Outgoing"
            found.append(_link(edge, direction, other))
    for source in store.entities.values():
        if source is entity:
            continue
        for edge in source.get("outgoingEdges", []):
            if _target(store, edge) is entity:
                direction = "Outgoing" if edge["direction"] == "Incoming" else "Incoming"
                found.append(_link(edge, direction, source))
    return found


def _link(edge: dict[str, Any], direction: str, other: dict[str, Any]) -> dict[str, Any]:
    return {
        "edgeType": edge["edgeType"],
        "direction": direction,
        "other": other,
        "createdDate": edge.get("createdDate"),
        "properties": edge.get("properties") or {},
    }


def of_type(
    store: CluedInStore, entity: dict[str, Any], direction: str, entity_type: str | None, edge_type: str | None
) -> list[dict[str, Any]]:
    """The golden records at the other end of `direction` edges, optionally of one entity and edge type."""
    result: list[dict[str, Any]] = []
    for link in links(store, entity):
        other = link["other"]
        if link["direction"] != direction or (edge_type and link["edgeType"].lower() != edge_type.lower()):
            continue
        if entity_type and str(other["entityType"]).lower() != entity_type.lower():
            continue
        if all(o is not other for o in result):
            result.append(other)
    return result


def summary(store: CluedInStore, entity: dict[str, Any]) -> dict[str, Any]:
    """REST `entityedges?id=`: the record and one row per edge (the `cluedin-client`'s EntityRelationsSummary)."""
    return {
        "id": entity["id"],
        "type": entity["entityType"],
        "name": entity["name"],
        "displayName": entity["displayName"],
        "edges": [
            {
                "edgeType": link["edgeType"],
                "direction": link["direction"],
                "entityType": link["other"]["entityType"],
                "entityId": link["other"]["id"],
                "name": link["other"]["name"],
                "createdDate": link["createdDate"],
                "isGrouped": False,
                "entityCount": 1,
            }
            for link in links(store, entity)
        ],
    }
