"""What data-set lineage publishes to other features.

- Which data sets have their Cluedin Dataset in Purview (`iter_synced_data_sets`; polling reads it). Rows (kind
  `lineage`): `dataset|<dataSetId>` (the Cluedin Dataset, its columns and processes; `data` names the data set's
  data source and mapped entity type), `entity|/<EntityType>` (lineage's hold on a shared Cluedin Entity),
  `backbone|processing-pipeline`; docs/state.md has the layout.
- The Cluedin Entities its data sources' data sets map to (`iter_mapped_entities`; the data-product sync reads
  them) and CluedIn's data sets as lineage last read them (`cluedin_data_sets`, its facts cache; auto-mapping
  reads it).
- The processing-pipeline vocabulary every feature that draws into CluedIn's 2025 lineage shape uses: its Purview
  types and node builders (`pipeline.py`: the shared Processing Pipeline, Processed Entities, Golden Record and
  entity-type nodes, Generate Clue), links back to CluedIn (`links.py`), and the base class with its record writer
  (`objects.py`) that rules, clean, deduplication and manual-data-entry projects build on.
- The one writer of graph records (`RecordWriter`, `record_writer.py`): the processing-pipeline features and the
  features that hold entity types (streams, crawlers and enrichers) apply their messages with it; a feature whose
  rows are laid out its own way says how in a `RowLayout`.
- The toolkit of the features that hold entity types: the shared Cluedin Entity node (`entity_node`,
  `entity_nodes`: one definition, so every holder writes the same attributes), nodes with stubs and columns
  (`Node`, `column_nodes`) and Purview's `columnMapping` value (`column_mapping`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass

from sync.core.ownership import SHARED_KIND, shared_key
from sync.core.settings import Settings
from sync.core.state import StateStore
from sync.features.lineage import links
from sync.features.lineage.detect import read_packed_facts
from sync.features.lineage.graph import entity_nodes
from sync.features.lineage.model import ANNOTATION, DATASET, MAP, split_key
from sync.features.lineage.nodes import Node, Ref, column_mapping, column_nodes, entity_node
from sync.features.lineage.objects import BACKBONE_KEY, OBJECT_PREFIX, PipelineObjectsFeature, RecordContext, object_key
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
from sync.features.lineage.record_writer import Notify, RecordWriter, RowLayout
from sync.features.lineage.settings import LineageSettings
from sync.services.cluedin.datasets import DataSetFacts
from sync.services.purview import qualified_names as names
from sync.services.purview.typedefs import ENTITY_TYPE

LINEAGE_KIND = "lineage"

__all__ = [
    "BACKBONE_KEY",
    "BACKBONE_NAME",
    "CLUE_PROCESS_TYPE",
    "COLUMN_MAPPING",
    "GENERATE_CLUE",
    "LINEAGE_KIND",
    "OBJECT_PREFIX",
    "ORGANIZATION",
    "PROCESS_ENTITIES",
    "PROCESS_ENTITIES_TYPE",
    "MappedEntity",
    "Node",
    "Notify",
    "PipelineObjectsFeature",
    "RecordContext",
    "RecordWriter",
    "Ref",
    "RowLayout",
    "SyncedDataSet",
    "backbone_nodes",
    "clue_node",
    "cluedin_data_sets",
    "column_mapping",
    "column_nodes",
    "entity_node",
    "entity_nodes",
    "entity_type_nodes",
    "golden_record_nodes",
    "iter_mapped_entities",
    "iter_synced_data_sets",
    "links",
    "object_key",
    "pipeline_node",
    "processed_node",
    "writes_lineage",
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


@dataclass(frozen=True)
class MappedEntity:
    """The Cluedin Entity (golden-record entity type) a synced data set is mapped to, as written in Purview."""

    data_set_id: str
    data_source_id: str
    entity_type: str
    """CluedIn's entity type, e.g. `/Customer`."""
    type_name: str
    qualified_name: str
    guid: str
    """The Cluedin Entity's Purview guid ('' while Purview's answer has not been recorded)."""


def iter_mapped_entities(state: StateStore, data_source_ids: Collection[str]) -> Iterator[MappedEntity]:
    """Cluedin Entities of the data sets of these CluedIn data sources, once their mapping process exists.

    Data sets written before lineage recorded their data source are found once their lineage is next rewritten.
    """
    wanted = set(data_source_ids)
    found: list[tuple[str, str, str, str]] = []
    for obj in state.iter_objects(LINEAGE_KIND):
        kind, ident = split_key(obj.key)
        source_id = str(obj.data.get("dataSourceId") or "")
        entity_type = str(obj.data.get("entityType") or "")
        org = str(obj.target.get("org") or "")
        parts = obj.target.get("parts") or {}
        part = parts.get(MAP) or parts.get(ANNOTATION) or {}  # the classic shape's Map to Entity, or the pipeline's
        if kind != DATASET or not obj.active or source_id not in wanted or not entity_type or not org:
            continue
        if part.get("status") == "active":
            found.append((ident, source_id, entity_type, names.entity_name(org, entity_type)))
    shared = state.read_many(SHARED_KIND, {shared_key(ENTITY_TYPE.name, qn) for *_, qn in found})
    for data_set_id, source_id, entity_type, qualified_name in found:
        row = shared.get(shared_key(ENTITY_TYPE.name, qualified_name))
        guid = str(row.target.get("guid") or "") if row is not None else ""
        yield MappedEntity(data_set_id, source_id, entity_type, ENTITY_TYPE.name, qualified_name, guid)


def writes_lineage(settings: Settings) -> bool:
    """Whether data-set lineage runs (it shares F1's toggle 'Sync CluedIn Data Sources')."""
    return settings.get(LineageSettings).sync_cluedin_data_sources


def cluedin_data_sets(state: StateStore) -> Mapping[str, DataSetFacts]:
    """Every CluedIn data set (id → facts: fields, mapping, data source) as lineage last read them.

    Kept current by lineage every sync tick (listing, change feed, detail reads only for what changed), so
    other features see CluedIn's data sets without reading CluedIn themselves. Held packed (a few hundred bytes
    each) and decoded when read: a reader going through 30,000 data sets holds one of them at a time.
    """
    return read_packed_facts(state)
