"""Pure builders: a desired lineage record → the Purview entities that make it true.

Each record yields its own entities (the ones it owns, see `owned`) plus *stubs* of the entities its processes
reference — the Cluedin Dataset (name only) for a process, the Cluedin Entity (all its attributes, which are
derived from the entity type alone) for a map process. Any batch that contains a process therefore also contains
what the process points at, so batches can be applied in any order and in parallel without a "referenced entity
not found" error; within a batch a stub is merged into the full entity when both are present (see batch.py), so
a shared Cluedin Entity is written once per bulk call, not once per data set. The Purview source asset is the
one reference that is never written: it is referenced by typeName + qualifiedName.

Column-level lineage uses Purview's `columnMapping` process attribute: a JSON *string* holding a list of
`{"DatasetMapping": {"Source": <input qualifiedName>, "Sink": <output qualifiedName>}, "ColumnMapping":
[{"Source": <input column name>, "Sink": <output column name>}, ...]}` (docs/purview-types.md cites the format).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sync.features.lineage.model import DATASET, ENTITY, INGEST, MAP
from sync.services.purview import qualified_names as names
from sync.services.purview.client import MAX_ATTRIBUTE_BYTES
from sync.services.purview.typedefs import COLUMN_TYPE, DATASET_TYPE, ENTITY_TYPE, INGEST_PROCESS_TYPE, MAP_PROCESS_TYPE

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


def _mapping_attributes(source: str, sink: str, pairs: Sequence[Sequence[str]], what: str) -> tuple[str, list[str]]:
    text, kept = column_mapping(source, sink, pairs)
    if kept == len(pairs):
        return text, []
    return text, [
        f"{what}: column mapping keeps {kept} of {len(pairs)} column pairs (Purview refuses attribute values over "
        f"{MAX_ATTRIBUTE_BYTES // 1024} KB)"
    ]


def _columns(parent: Ref, attribute: str, columns: Sequence[Sequence[str]], org: str) -> list[Node]:
    nodes = []
    for name, data_type in columns:
        attributes: dict[str, Any] = {"name": name, "organization": org}
        if data_type:
            attributes["data_type"] = data_type
        nodes.append(Node(COLUMN_TYPE.name, names.column_name(parent[1], name), attributes, parent=(attribute, parent)))
    return nodes


def dataset_ref(desired: Mapping[str, Any]) -> Ref:
    """The Cluedin Dataset a record is about."""
    return DATASET_TYPE.name, names.dataset_name(desired["org"], desired["id"])


def entity_ref(desired: Mapping[str, Any]) -> Ref:
    """The Cluedin Entity of a record's entity type."""
    return ENTITY_TYPE.name, names.entity_name(desired["org"], desired["entityType"])


def _dataset_stub(desired: Mapping[str, Any]) -> Node:
    ref = dataset_ref(desired)
    return Node(ref[0], ref[1], {"name": desired["name"]}, stub=True)


def entity_node(org: str, entity_type: str, *, stub: bool = False) -> Node:
    """The Cluedin Entity itself; its attributes depend only on the entity type, so stubs equal the real thing."""
    display = names.display_entity_type(entity_type)
    return Node(
        ENTITY_TYPE.name,
        names.entity_name(org, entity_type),
        {
            "name": display,
            "description": f"{display} Entity in CluedIn",
            "organization": org,
            "entityType": display,
        },
        stub=stub,
    )


def dataset_nodes(desired: Mapping[str, Any]) -> list[Node]:
    """The Cluedin Dataset with its original fields as columns."""
    org = str(desired["org"])
    ref = dataset_ref(desired)
    source = desired.get("dataSource") or {}
    attributes: dict[str, Any] = {
        "name": desired["name"],
        "description": f"CluedIn data set '{desired['name']}' of data source '{source.get('name', '')}'",
        "organization": org,
        "dataSetId": desired["id"],
        "dataSourceId": str(source.get("id", "")),
        "dataSourceName": str(source.get("name", "")),
        "dataSourceGroupName": str(source.get("group", "")),
        "entityType": desired.get("entityType") or "",
    }
    if desired.get("url"):
        attributes["cluedinUrl"] = desired["url"]
    dataset = Node(ref[0], ref[1], attributes)
    return [dataset, *_columns(ref, DATASET_TYPE.columns_parent_attribute, desired.get("columns") or [], org)]


def ingest_nodes(desired: Mapping[str, Any]) -> list[Node]:
    """Ingest Data: source asset → Cluedin Dataset, with field-level column mapping."""
    org = str(desired["org"])
    asset = desired["asset"]
    source: Ref = (str(asset["typeName"]), str(asset["qualifiedName"]))
    target = dataset_ref(desired)
    mapping, notes = _mapping_attributes(source[1], target[1], desired.get("columns") or [], INGEST_PROCESS_NAME)
    process = Node(
        INGEST_PROCESS_TYPE.name,
        names.ingest_process_name(org, desired["id"]),
        {
            "name": INGEST_PROCESS_NAME,
            "description": f"Ingest Data into CluedIn data set '{desired['name']}'",
            "organization": org,
            "dataSetId": desired["id"],
            "columnMapping": mapping,
        },
        inputs=[source],
        outputs=[target],
        notes=notes,
    )
    return [process, _dataset_stub(desired)]


def map_nodes(desired: Mapping[str, Any]) -> list[Node]:
    """Map to Entity: Cluedin Dataset → Cluedin Entity, field → vocabulary key (ignored fields excluded)."""
    org = str(desired["org"])
    source = dataset_ref(desired)
    entity = entity_node(org, desired["entityType"], stub=True)
    mapping, notes = _mapping_attributes(
        source[1], entity.qualified_name, desired.get("columns") or [], MAP_PROCESS_NAME
    )
    process = Node(
        MAP_PROCESS_TYPE.name,
        names.map_process_name(org, desired["id"]),
        {
            "name": MAP_PROCESS_NAME,
            "description": f"Map CluedIn data set '{desired['name']}' to {desired['entityType']}",
            "organization": org,
            "dataSetId": desired["id"],
            "entityType": desired["entityType"],
            "columnMapping": mapping,
        },
        inputs=[source],
        outputs=[entity.ref],
        notes=notes,
    )
    return [process, _dataset_stub(desired), entity]


def entity_nodes(desired: Mapping[str, Any]) -> list[Node]:
    """The Cluedin Entity with the vocabulary keys mapped to it as columns."""
    org = str(desired["org"])
    entity = entity_node(org, desired["entityType"])
    return [entity, *_columns(entity.ref, ENTITY_TYPE.columns_parent_attribute, desired.get("columns") or [], org)]


BUILDERS = {DATASET: dataset_nodes, INGEST: ingest_nodes, MAP: map_nodes, ENTITY: entity_nodes}


def nodes_for(kind: str, desired: Mapping[str, Any]) -> list[Node]:
    """Entities (own and stubs) that make one desired record true."""
    return BUILDERS[kind](desired)


def owned(kind: str, desired: Mapping[str, Any]) -> list[Ref]:
    """The entities a record owns: what its deletion deletes, and what an update may leave stale."""
    return [node.ref for node in nodes_for(kind, desired) if not node.stub]


# --- compact state: what a record owns, without repeating long qualifiedNames -------------------------------------

MAIN_TYPES = {
    DATASET: DATASET_TYPE.name,
    INGEST: INGEST_PROCESS_TYPE.name,
    MAP: MAP_PROCESS_TYPE.name,
    ENTITY: ENTITY_TYPE.name,
}


def main_ref(kind: str, org: str, ident: str) -> Ref:
    """The entity a record is about (a data set's id, or an entity type for ENTITY records)."""
    if kind == ENTITY:
        return ENTITY_TYPE.name, names.entity_name(org, ident)
    qualified = {DATASET: names.dataset_name, INGEST: names.ingest_process_name, MAP: names.map_process_name}[kind]
    return MAIN_TYPES[kind], qualified(org, ident)


def column_names(kind: str, desired: Mapping[str, Any]) -> list[str]:
    """Names of the columns a record owns (processes own none: their `columns` are mapping pairs)."""
    if kind not in (DATASET, ENTITY):
        return []
    return [str(column[0]) for column in desired.get("columns") or []]


def compact_target(
    kind: str, ident: str, desired: Mapping[str, Any], guids: Mapping[Ref, str], previous: Mapping[str, Any]
) -> dict[str, Any]:
    """State `target` of a written record: the organization, the main guid and each column's guid by name.

    Guids Purview did not report this time (an unchanged entity may be missing from the answer) are kept from
    the previous target.
    """
    org = str(desired["org"])
    main = main_ref(kind, org, ident)
    old_columns = previous.get("columns") or {}
    columns = {}
    for name in column_names(kind, desired):
        ref = (COLUMN_TYPE.name, names.column_name(main[1], name))
        columns[name] = guids.get(ref) or str(old_columns.get(name) or "")
    return {"org": org, "guid": guids.get(main) or str(previous.get("guid") or ""), "columns": columns}


def target_entities(kind: str, ident: str, target: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(typeName, qualifiedName, guid) of everything a state target says the record owns."""
    org = str(target.get("org") or "")
    if not org:
        return []
    main = main_ref(kind, org, ident)
    owned_entities = [(main[0], main[1], str(target.get("guid") or ""))]
    for name, guid in (target.get("columns") or {}).items():
        owned_entities.append((COLUMN_TYPE.name, names.column_name(main[1], str(name)), str(guid or "")))
    return owned_entities
