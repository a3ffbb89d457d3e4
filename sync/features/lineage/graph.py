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

from collections.abc import Mapping
from typing import Any

from sync.features.lineage import links
from sync.features.lineage.model import ANNOTATION, BACKBONE, DATASET, ENTITY, GOLDEN, INGEST, MAP
from sync.features.lineage.nodes import (
    INGEST_PROCESS_NAME,
    MAP_PROCESS_NAME,
    Node,
    Ref,
    column_mapping,
    column_nodes,
    entity_node,
    mapping_attributes,
)
from sync.features.lineage.pipeline import (
    annotation_nodes,
    annotation_refs,
    backbone_nodes,
    golden_record_nodes,
    golden_record_ref,
    pipeline_ref,
)
from sync.services.purview import qualified_names as names
from sync.services.purview.typedefs import COLUMN_TYPE, DATASET_TYPE, ENTITY_TYPE, INGEST_PROCESS_TYPE, MAP_PROCESS_TYPE

__all__ = ["Node", "Ref", "column_mapping", "entity_node", "nodes_for", "owned"]


def dataset_ref(desired: Mapping[str, Any]) -> Ref:
    """The Cluedin Dataset a record is about."""
    return DATASET_TYPE.name, names.dataset_name(desired["org"], desired["id"])


def entity_ref(desired: Mapping[str, Any]) -> Ref:
    """The Cluedin Entity of a record's entity type."""
    return ENTITY_TYPE.name, names.entity_name(desired["org"], desired["entityType"])


def _dataset_stub(desired: Mapping[str, Any]) -> Node:
    ref = dataset_ref(desired)
    return Node(ref[0], ref[1], {"name": desired["name"]}, stub=True)


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
    return [dataset, *column_nodes(ref, DATASET_TYPE.columns_parent_attribute, desired.get("columns") or [], org)]


def ingest_nodes(desired: Mapping[str, Any]) -> list[Node]:
    """Ingest Data: source asset → Cluedin Dataset, with field-level column mapping."""
    org = str(desired["org"])
    asset = desired["asset"]
    source: Ref = (str(asset["typeName"]), str(asset["qualifiedName"]))
    target = dataset_ref(desired)
    mapping, notes = mapping_attributes(source[1], target[1], desired.get("columns") or [], INGEST_PROCESS_NAME)
    process = Node(
        INGEST_PROCESS_TYPE.name,
        names.ingest_process_name(org, desired["id"]),
        {
            "name": INGEST_PROCESS_NAME,
            "description": f"Ingest Data into CluedIn data set '{desired['name']}'",
            "organization": org,
            "dataSetId": desired["id"],
            "columnMapping": mapping,
            **({"cluedinUrl": desired["url"]} if desired.get("url") else {}),
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
    mapping, notes = mapping_attributes(
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
    """The Cluedin Entity with the vocabulary keys mapped to it as columns (linked to CluedIn in the pipeline shape)."""
    org = str(desired["org"])
    url = links.entity_type_link(str(desired["cluedin"]), desired["entityType"]) if "cluedin" in desired else ""
    entity = entity_node(org, desired["entityType"], url=url)
    return [entity, *column_nodes(entity.ref, ENTITY_TYPE.columns_parent_attribute, desired.get("columns") or [], org)]


def _golden(desired: Mapping[str, Any]) -> list[Node]:
    return golden_record_nodes(str(desired["org"]), str(desired.get("cluedin") or ""), str(desired["entityType"]))


def _backbone(desired: Mapping[str, Any]) -> list[Node]:
    return backbone_nodes(str(desired["org"]), str(desired.get("cluedin") or ""), desired.get("columns") or [])


BUILDERS = {
    DATASET: dataset_nodes,
    INGEST: ingest_nodes,
    MAP: map_nodes,
    ENTITY: entity_nodes,
    ANNOTATION: annotation_nodes,
    GOLDEN: _golden,
    BACKBONE: _backbone,
}
HELD_KINDS = frozenset({ENTITY, GOLDEN, BACKBONE})
"""Records whose entities are shared: held through `sync/core/ownership.py`, never owned by lineage alone."""


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
    """The entity a record is about (a data set's id, or an entity type for ENTITY and GOLDEN records)."""
    if kind == ENTITY:
        return ENTITY_TYPE.name, names.entity_name(org, ident)
    if kind == GOLDEN:
        return golden_record_ref(org, ident)
    if kind == BACKBONE:
        return pipeline_ref(org)
    if kind == ANNOTATION:
        return annotation_refs(org, ident)[0]
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


# --- parts of a data set's row (ingest, map, annotation) -----------------------------------------------------------


def part_target(
    kind: str, ident: str, desired: Mapping[str, Any], guids: Mapping[Ref, str], previous: Mapping[str, Any]
) -> dict[str, Any]:
    """What a data set's row keeps about one of its process parts: the guids Purview assigned.

    The main entity's, and for the annotation part also its mapping's, Generate Clue's and the mapping columns';
    guids Purview did not report this time are kept from `previous`.
    """
    org = str(desired["org"])
    main = main_ref(kind, org, ident)
    info: dict[str, Any] = {"guid": guids.get(main) or str(previous.get("guid") or "")}
    if kind == ANNOTATION:
        _, mapping, clue = annotation_refs(org, ident)
        known = previous.get("guids") or {}
        info["guids"] = {
            "mapping": guids.get(mapping) or str(known.get("mapping") or ""),
            "clue": guids.get(clue) or str(known.get("clue") or ""),
        }
        old_columns = previous.get("columns") or {}
        info["columns"] = {
            str(key): guids.get((COLUMN_TYPE.name, names.column_name(mapping[1], str(key))))
            or str(old_columns.get(str(key)) or "")
            for key, _ in desired.get("keys") or []
        }
    return info


def part_entities(kind: str, org: str, ident: str, info: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(typeName, qualifiedName, guid) of everything one process part of a data set's row owns."""
    main = main_ref(kind, org, ident)
    found = [(main[0], main[1], str(info.get("guid") or ""))]
    if kind == ANNOTATION:
        _, mapping, clue = annotation_refs(org, ident)
        known = info.get("guids") or {}
        found += [
            (mapping[0], mapping[1], str(known.get("mapping") or "")),
            (clue[0], clue[1], str(known.get("clue") or "")),
        ]
        for key, guid in (info.get("columns") or {}).items():
            found.append((COLUMN_TYPE.name, names.column_name(mapping[1], str(key)), str(guid or "")))
    return found


def stale_part_columns(
    kind: str, org: str, ident: str, info: Mapping[str, Any], desired: Mapping[str, Any]
) -> list[tuple[str, str, str]]:
    """Mapping columns a changed annotation part no longer has (renamed or unmapped keys)."""
    if kind != ANNOTATION:
        return []
    _, mapping, _ = annotation_refs(org, ident)
    kept = {str(k) for k, _ in desired.get("keys") or []}
    return [
        (COLUMN_TYPE.name, names.column_name(mapping[1], str(key)), str(guid or ""))
        for key, guid in (info.get("columns") or {}).items()
        if str(key) not in kept
    ]
