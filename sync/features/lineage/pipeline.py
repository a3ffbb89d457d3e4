"""The 2025 lineage shape: what happens inside CluedIn, drawn in Purview (reference cluedin.md §1.3).

    source asset ─Ingest Data─▶ Cluedin Dataset ─Annotation─▶ "<data set> - mapping" ─Generate Clue─▶
    Processing Pipeline ─Process Entities─▶ Processed Entities ─Golden Record─▶ the entity-type asset

The Processing Pipeline, its Process Entities process and Processed Entities exist once per organization — the
*backbone* every clue goes through — and the Golden Record process once per entity type. They are shared: data-set
lineage, processing rules, clean, deduplication and manual-data-entry projects all draw to them, so each writer
holds them (`sync/core/ownership.py`) and they go only when the last holder lets go. Their columns are the
vocabulary keys each holder brings. A data set's own part — Annotation, its mapping asset (vocabulary-key
columns) and Generate Clue — belongs to the data set.

The processes that only pass keys through (Process Entities, Golden Record) carry no `columnMapping`: several
holders share them, and one attribute cannot be held per holder (the last writer would win); a key is a key on
both sides. Annotation maps field → key, Generate Clue key → key.

Type names are ours (`cluedin_*`); the labels in `description` follow the product's screenshots where one is
visible ("Cluedin Processing Pipeline"), and are named after the product's node otherwise (a guess).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sync.features.lineage import links
from sync.features.lineage.nodes import Node, Ref, column_nodes, entity_node, mapping_attributes
from sync.services.purview import qualified_names as names
from sync.services.purview.typedefs import DATASET_TYPE, ENTITY_TYPE, LINK, Attribute, CluedInType

ORGANIZATION = Attribute("organization", description="CluedIn organization that owns the object")
COLUMN_MAPPING = Attribute("columnMapping", description="Column-level lineage (JSON string, Purview's columnMapping)")

MAPPING_TYPE = CluedInType(
    "cluedin_mapping",
    "Cluedin Mapping",
    "asset",
    (
        ORGANIZATION,
        Attribute("dataSetId", description="CluedIn data set whose mapping this is"),
        Attribute("entityType", description="Entity type the data set is mapped to"),
        LINK,
    ),
    columns_parent_attribute="mapping",
)
ANNOTATION_PROCESS_TYPE = CluedInType(
    "cluedin_annotation_process",
    "Cluedin Annotation Process",
    "process",
    (ORGANIZATION, Attribute("dataSetId", description="CluedIn data set annotated"), COLUMN_MAPPING, LINK),
)
CLUE_PROCESS_TYPE = CluedInType(
    "cluedin_clue_process",
    "Cluedin Generate Clue Process",
    "process",
    (ORGANIZATION, Attribute("source", description="What the clues come from"), COLUMN_MAPPING, LINK),
)
PIPELINE_TYPE = CluedInType(
    "cluedin_processing_pipeline",
    "Cluedin Processing Pipeline",
    "asset",
    (ORGANIZATION, LINK),
    columns_parent_attribute="processingPipeline",
)
PROCESSED_TYPE = CluedInType(
    "cluedin_processed_entities",
    "Cluedin Processed Entities",
    "asset",
    (ORGANIZATION, LINK),
    columns_parent_attribute="processedEntities",
)
PROCESS_ENTITIES_TYPE = CluedInType(
    "cluedin_process_entities_process",
    "Cluedin Process Entities Process",
    "process",
    (ORGANIZATION, LINK),
)
GOLDEN_RECORD_TYPE = CluedInType(
    "cluedin_golden_record_process",
    "Cluedin Golden Record Process",
    "process",
    (ORGANIZATION, Attribute("entityType", description="Entity type of the golden records"), LINK),
)
PIPELINE_TYPES: tuple[CluedInType, ...] = (
    MAPPING_TYPE,
    ANNOTATION_PROCESS_TYPE,
    CLUE_PROCESS_TYPE,
    PIPELINE_TYPE,
    PROCESSED_TYPE,
    PROCESS_ENTITIES_TYPE,
    GOLDEN_RECORD_TYPE,
)

ANNOTATION = "Annotation"
GENERATE_CLUE = "Generate Clue"
PROCESS_ENTITIES = "Process Entities"
GOLDEN_RECORD = "Golden Record"
PIPELINE_NAME = "Processing Pipeline"
PROCESSED_NAME = "Processed Entities"
BACKBONE_NAME = "Processing Pipeline, Process Entities and Processed Entities (shared)"
"""How plans name a feature's hold on the backbone."""


# --- qualifiedNames (docs/purview-types.md) -------------------------------------------------------------------


def pipeline_ref(org: str) -> Ref:
    """`cluedin://<org>/processing-pipeline`."""
    return PIPELINE_TYPE.name, f"{names.organization_root(org)}/processing-pipeline"


def processed_ref(org: str) -> Ref:
    """`cluedin://<org>/processed-entities`."""
    return PROCESSED_TYPE.name, f"{names.organization_root(org)}/processed-entities"


def process_entities_ref(org: str) -> Ref:
    """The backbone's Process Entities: Processing Pipeline → Processed Entities."""
    return PROCESS_ENTITIES_TYPE.name, f"{pipeline_ref(org)[1]}/process-entities"


def golden_record_ref(org: str, entity_type: str) -> Ref:
    """`cluedin://<org>/golden-record/<EntityType path>`: Processed Entities → the entity-type asset."""
    path = names.entity_type_path(entity_type)
    return GOLDEN_RECORD_TYPE.name, names.object_name(org, "golden-record", path, keep_slashes=True)


def annotation_refs(org: str, data_set_id: str) -> tuple[Ref, Ref, Ref]:
    """A data set's Annotation process, mapping asset and Generate Clue process."""
    base = names.dataset_name(org, data_set_id)
    return (
        (ANNOTATION_PROCESS_TYPE.name, f"{base}/annotation"),
        (MAPPING_TYPE.name, f"{base}/mapping"),
        (CLUE_PROCESS_TYPE.name, f"{base}/clue"),
    )


def backbone_refs(org: str) -> list[Ref]:
    """The shared nodes every clue goes through (columns aside)."""
    return [pipeline_ref(org), processed_ref(org), process_entities_ref(org)]


# --- nodes ----------------------------------------------------------------------------------------------------


def _asset(ref: Ref, name: str, org: str, url: str, description: str, *, stub: bool = False) -> Node:
    attributes: dict[str, Any] = {"name": name, "description": description, "organization": org}
    if url:
        attributes["cluedinUrl"] = url
    return Node(ref[0], ref[1], attributes, stub=stub, shared=not stub)


def pipeline_node(org: str, cluedin: str, *, stub: bool = False) -> Node:
    """The Processing Pipeline (shared; stubs carry every attribute, which depend on the organization only)."""
    return _asset(
        pipeline_ref(org), PIPELINE_NAME, org, links.processing_link(cluedin),
        "CluedIn's processing pipeline: clues from data sets and projects become golden records", stub=stub,
    )  # fmt: skip


def processed_node(org: str, cluedin: str, *, stub: bool = False) -> Node:
    """Processed Entities (shared)."""
    return _asset(
        processed_ref(org), PROCESSED_NAME, org, links.golden_records_link(cluedin),
        "Entities processed by CluedIn's pipeline, before they become golden records", stub=stub,
    )  # fmt: skip


def backbone_nodes(org: str, cluedin: str, keys: Sequence[Sequence[str]]) -> list[Node]:
    """Processing Pipeline → Process Entities → Processed Entities, with `keys` ((key, type)) as columns of both.

    Order matters for bulk calls too large for one request (`batch.pack`): assets and processes first, columns last.
    """
    pipeline, processed = pipeline_node(org, cluedin), processed_node(org, cluedin)
    ref = process_entities_ref(org)
    process = Node(
        ref[0],
        ref[1],
        {"name": PROCESS_ENTITIES, "description": "Clues are processed into entities", "organization": org},
        inputs=[pipeline.ref],
        outputs=[processed.ref],
        shared=True,
    )
    if pipeline.attributes.get("cluedinUrl"):
        process.attributes["cluedinUrl"] = pipeline.attributes["cluedinUrl"]
    return [
        pipeline,
        processed,
        process,
        *column_nodes(pipeline.ref, PIPELINE_TYPE.columns_parent_attribute, keys, org),
        *column_nodes(processed.ref, PROCESSED_TYPE.columns_parent_attribute, keys, org),
    ]


def golden_record_nodes(org: str, cluedin: str, entity_type: str) -> list[Node]:
    """Golden Record (shared): Processed Entities → the entity-type asset, with stubs of both."""
    display = names.display_entity_type(entity_type)
    url = links.entity_type_link(cluedin, display)
    entity = entity_node(org, display, stub=True, url=url)
    processed = processed_node(org, cluedin, stub=True)
    ref = golden_record_ref(org, display)
    attributes: dict[str, Any] = {
        "name": GOLDEN_RECORD,
        "description": f"Processed entities become golden records of {display}",
        "organization": org,
        "entityType": display,
    }
    if url:
        attributes["cluedinUrl"] = url
    process = Node(ref[0], ref[1], attributes, inputs=[processed.ref], outputs=[entity.ref], shared=True)
    return [processed, entity, process]


def clue_node(
    ref: Ref,
    source: Ref,
    org: str,
    cluedin: str,
    *,
    what: str,
    url: str,
    keys: Sequence[str] = (),
) -> tuple[Node, list[str]]:
    """A Generate Clue process from `source` into the Processing Pipeline (key → key column mapping).

    Returns the node and any note about a clipped column mapping.
    """
    pipeline = pipeline_ref(org)
    attributes: dict[str, Any] = {"name": GENERATE_CLUE, "description": f"Clues from {what}", "organization": org}
    attributes["source"] = what
    notes: list[str] = []
    if keys:
        attributes["columnMapping"], notes = mapping_attributes(source[1], pipeline[1], [[k, k] for k in keys], what)
    if url:
        attributes["cluedinUrl"] = url
    return Node(ref[0], ref[1], attributes, inputs=[source], outputs=[pipeline], notes=notes), notes


def annotation_nodes(desired: Mapping[str, Any]) -> list[Node]:
    """A mapped data set's part of the pipeline shape: Annotation → "<data set> - mapping" → Generate Clue."""
    org, cluedin = str(desired["org"]), str(desired.get("cluedin") or "")
    annotation, mapping, clue = annotation_refs(org, str(desired["id"]))
    dataset: Ref = (DATASET_TYPE.name, names.dataset_name(org, str(desired["id"])))
    url = str(desired.get("url") or "")
    keys = [[str(k), str(t)] for k, t in desired.get("keys") or []]
    mapped, notes = mapping_attributes(dataset[1], mapping[1], desired.get("columns") or [], ANNOTATION)
    annotation_node = Node(
        annotation[0],
        annotation[1],
        {
            "name": ANNOTATION,
            "description": f"Annotation of CluedIn data set '{desired['name']}' to {desired['entityType']}",
            "organization": org,
            "dataSetId": desired["id"],
            "columnMapping": mapped,
            **({"cluedinUrl": url} if url else {}),
        },
        inputs=[dataset],
        outputs=[mapping],
        notes=notes,
    )
    mapping_node = Node(
        mapping[0],
        mapping[1],
        {
            "name": f"{desired['name']} - mapping",
            "description": f"Vocabulary keys of {desired['entityType']} that '{desired['name']}' is mapped to",
            "organization": org,
            "dataSetId": desired["id"],
            "entityType": desired["entityType"],
            **({"cluedinUrl": url} if url else {}),
        },
    )
    generate, _ = clue_node(
        clue, mapping, org, cluedin, what=f"{desired['name']} - mapping", url=url, keys=[k for k, _ in keys]
    )
    return [
        Node(dataset[0], dataset[1], {"name": desired["name"]}, stub=True),
        pipeline_node(org, cluedin, stub=True),
        mapping_node,
        annotation_node,
        generate,
        *column_nodes(mapping, MAPPING_TYPE.columns_parent_attribute, keys, org),
    ]


def entity_type_nodes(org: str, cluedin: str, entity_type: str, keys: Sequence[Sequence[str]]) -> list[Node]:
    """The entity-type asset (shared) with `keys` as columns, linked back to the entity type in CluedIn."""
    display = names.display_entity_type(entity_type)
    entity = entity_node(org, display, url=links.entity_type_link(cluedin, display))
    return [entity, *column_nodes(entity.ref, ENTITY_TYPE.columns_parent_attribute, keys, org)]
