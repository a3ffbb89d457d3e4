"""What data-set lineage publishes to other features.

- Which data sets have their Cluedin Dataset in Purview (`iter_synced_data_sets`; polling reads it). Rows (kind
  `lineage`): `dataset|<dataSetId>`, `entity|/<EntityType>`, `backbone|processing-pipeline`; docs/state.md has the
  layout.
- The processing-pipeline vocabulary every feature that draws into CluedIn's 2025 lineage shape uses: its Purview
  types and node builders (`pipeline.py`: the shared Processing Pipeline, Processed Entities, Golden Record and
  entity-type nodes, Generate Clue), links back to CluedIn (`links.py`), and the base class with its record writer
  (`objects.py`, `record_writer.py`) that rules, clean, deduplication and manual-data-entry projects build on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sync.core.state import StateStore
from sync.features.lineage import links
from sync.features.lineage.model import DATASET, split_key
from sync.features.lineage.nodes import Node, Ref, column_nodes
from sync.features.lineage.objects import OBJECT_PREFIX, PipelineObjectsFeature, RecordContext, object_key
from sync.features.lineage.pipeline import (
    BACKBONE_NAME,
    CLUE_PROCESS_TYPE,
    COLUMN_MAPPING,
    GENERATE_CLUE,
    ORGANIZATION,
    PROCESS_ENTITIES,
    PROCESS_ENTITIES_TYPE,
    backbone_nodes,
    clue_node,
    entity_type_nodes,
    golden_record_nodes,
    pipeline_node,
    processed_node,
)

LINEAGE_KIND = "lineage"

__all__ = [
    "BACKBONE_NAME",
    "CLUE_PROCESS_TYPE",
    "COLUMN_MAPPING",
    "GENERATE_CLUE",
    "LINEAGE_KIND",
    "OBJECT_PREFIX",
    "ORGANIZATION",
    "PROCESS_ENTITIES",
    "PROCESS_ENTITIES_TYPE",
    "Node",
    "PipelineObjectsFeature",
    "RecordContext",
    "Ref",
    "SyncedDataSet",
    "backbone_nodes",
    "clue_node",
    "column_nodes",
    "entity_type_nodes",
    "golden_record_nodes",
    "iter_synced_data_sets",
    "links",
    "object_key",
    "pipeline_node",
    "processed_node",
]


@dataclass(frozen=True)
class SyncedDataSet:
    """A CluedIn data set whose Cluedin Dataset exists in Purview."""

    id: str
    name: str
    url: str
    """Link back to the data set in CluedIn's UI ('' when unknown)."""


def iter_synced_data_sets(state: StateStore) -> Iterator[SyncedDataSet]:
    """Every data set whose lineage is active in Purview."""
    for obj in state.iter_objects(LINEAGE_KIND):
        kind, ident = split_key(obj.key)
        if kind == DATASET and obj.active:
            yield SyncedDataSet(ident, str(obj.data.get("name") or ident), str(obj.data.get("url") or ""))
