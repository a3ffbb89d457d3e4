"""Purview writes every lineage graph needs: bulk upserts of packed nodes, and deletes by guid or qualifiedName."""

from __future__ import annotations

from collections.abc import Sequence

from sync.core.errors import ConflictError, RetriableError
from sync.features.lineage.batch import DEFAULT_MAX_ENTITIES, pack
from sync.features.lineage.nodes import Node, Ref
from sync.services.purview.client import PurviewClient


def upsert_nodes(
    purview: PurviewClient,
    units: Sequence[Sequence[Node]],
    *,
    collection: str | None,
    max_entities: int = DEFAULT_MAX_ENTITIES,
) -> dict[Ref, str]:
    """Upsert the units' nodes in as few bulk calls as the size limit allows; the guids Purview assigned.

    Raises:
        RetriableError: another writer created the same entities at the same moment (409): the message is retried.
    """
    guids: dict[Ref, str] = {}
    for batch in pack(units, max_entities=max_entities):
        try:
            result = purview.upsert_entities(batch.payload(), collection_id=collection)
        except ConflictError as exc:
            raise RetriableError(f"concurrent write to the same Purview entities: {exc}") from exc
        guids.update(batch.resolve(result))
    return guids


def delete_entities(purview: PurviewClient, entities: Sequence[tuple[str, str, str]]) -> None:
    """Delete (typeName, qualifiedName, guid) entities in one call; unknown guids are looked up by qualifiedName."""
    if not entities:
        return
    guids = [g for _, _, g in entities if g]
    unknown: dict[str, list[str]] = {}
    for type_name, qualified_name, guid in entities:
        if not guid:
            unknown.setdefault(type_name, []).append(qualified_name)
    for type_name, names in unknown.items():
        found = purview.get_entities_by_qualified_names(type_name, names)
        guids += [str(e["guid"]) for e in found.values() if e.get("guid")]
    if guids:
        purview.delete_entities(sorted(set(guids)))
