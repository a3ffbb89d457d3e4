"""The pieces every lineage graph is built from: nodes, columns, column mappings, the shared entity-type node.

Data-set lineage (both shapes) and the processing-pipeline features (rules, clean, deduplication, manual data
entry) build their Purview entities from these. A node is *shared* when several features (or several records of
one feature) draw to it — the entity-type asset, the Processing Pipeline, Processed Entities: its writer holds it
through `sync/core/ownership.py` instead of owning it, and it is removed only when its last holder lets go.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sync.services.purview import qualified_names as names
from sync.services.purview.client import MAX_ATTRIBUTE_BYTES
from sync.services.purview.typedefs import COLUMN_TYPE, ENTITY_TYPE

Ref = tuple[str, str]
"""(typeName, qualifiedName): how entities are identified before Purview gives them guids."""

INGEST_PROCESS_NAME = "Ingest Data"
MAP_PROCESS_NAME = "Map to Entity"


@dataclass
class Node:
    """One entity to upsert. `stub` nodes exist only so a reference resolves; a full node replaces them."""

    type_name: str
    qualified_name: str
    attributes: dict[str, Any] = field(default_factory=dict)
    inputs: list[Ref] | None = None
    outputs: list[Ref] | None = None
    parent: tuple[str, Ref] | None = None
    """(relationship attribute name, parent) for columns."""
    stub: bool = False
    shared: bool = False
    """Held jointly with other writers (`sync/core/ownership.py`), never owned by one record."""
    notes: list[str] = field(default_factory=list)
    """What had to give way to a service limit (reported with the change's outcome)."""

    @property
    def ref(self) -> Ref:
        """This node's identity."""
        return self.type_name, self.qualified_name


def column_mapping(source: str, sink: str, pairs: Sequence[Sequence[str]]) -> tuple[str, int]:
    """Purview's `columnMapping` value for one input → output dataset pair, and how many pairs it holds.

    Purview refuses an attribute value over 32 KB (`MAX_ATTRIBUTE_BYTES`): a data set of several hundred fields
    would exceed it, so the mapping keeps the first pairs that fit (field order) and the caller reports the rest.
    """
    kept = list(pairs)
    while True:
        mapping = [
            {
                "DatasetMapping": {"Source": source, "Sink": sink},
                "ColumnMapping": [{"Source": str(s), "Sink": str(t)} for s, t in kept],
            }
        ]
        text = json.dumps(mapping, separators=(",", ":"), ensure_ascii=False)
        size = len(text.encode())
        if size <= MAX_ATTRIBUTE_BYTES or not kept:
            return text, len(kept)
        # Drop as many pairs as the excess needs (at least one), judged by their average size.
        average = max(1, (size - 200) // max(1, len(kept)))
        kept = kept[: max(0, len(kept) - max(1, (size - MAX_ATTRIBUTE_BYTES) // average + 1))]


def mapping_attributes(source: str, sink: str, pairs: Sequence[Sequence[str]], what: str) -> tuple[str, list[str]]:
    """A process's `columnMapping` and the note to report when the mapping had to be clipped."""
    text, kept = column_mapping(source, sink, pairs)
    if kept == len(pairs):
        return text, []
    return text, [
        f"{what}: column mapping keeps {kept} of {len(pairs)} column pairs (Purview refuses attribute values over "
        f"{MAX_ATTRIBUTE_BYTES // 1024} KB)"
    ]


def column_nodes(parent: Ref, attribute: str, columns: Sequence[Sequence[str]], org: str) -> list[Node]:
    """Column entities (name, data type) of an asset, attached through the type's columns relationship."""
    nodes = []
    for name, data_type in columns:
        attributes: dict[str, Any] = {"name": name, "organization": org}
        if data_type:
            attributes["data_type"] = data_type
        nodes.append(Node(COLUMN_TYPE.name, names.column_name(parent[1], name), attributes, parent=(attribute, parent)))
    return nodes


def entity_node(org: str, entity_type: str, *, stub: bool = False, url: str = "") -> Node:
    """The Cluedin Entity itself (shared); its attributes depend only on the entity type, so stubs equal it.

    `url` (the pipeline shape's link back to the entity type in CluedIn) is added only when known: a writer that
    does not know it leaves the attribute as another writer set it (Atlas updates only the attributes sent).
    """
    display = names.display_entity_type(entity_type)
    node = Node(
        ENTITY_TYPE.name,
        names.entity_name(org, entity_type),
        {
            "name": display,
            "description": f"{display} Entity in CluedIn",
            "organization": org,
            "entityType": display,
        },
        stub=stub,
        shared=not stub,
    )
    if url:
        node.attributes["cluedinUrl"] = url
    return node
